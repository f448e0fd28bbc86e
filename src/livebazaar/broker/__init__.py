"""The Broker port: per-topic sequenced publish, a bounded replay buffer, and subscriptions.

Adapters: `memory` (embedded default, one process). Redis and NATS adapters arrive with the
scale-out issue; they keep the same contract (seq without gaps per topic, replay or None).
"""

from livebazaar.broker.port import Broker, Message, Subscription

__all__ = ["Broker", "Message", "Subscription"]
