"""The Broker port: per-topic sequenced publish, a bounded replay buffer, and subscriptions.

Adapters, chosen by `broker_url` (`selection.py`): `memory` (the embedded default, one
process), `redis` and `nats` (several processes and nodes share one server). All keep the same
contract: seqs without gaps per topic, replay or None, bounded subscriber queues. ADR 0010.
"""

from livebazaar.broker.port import Broker, Message, Subscription

__all__ = ["Broker", "Message", "Subscription"]
