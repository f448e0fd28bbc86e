"""Which chat messages a show's viewers get when chat runs faster than anyone can read.

Up to `above_per_s` messages a second (counted over the last `window_s` seconds) viewers get
every message. Above it they get an even sample of about `per_s` a second: each message adds
`per_s / rate` to a credit and goes to viewers when the credit reaches one, so of a steady 50
a second with `per_s` 4, every twelfth or thirteenth. Hosts, co-hosts and the shop's
moderators get every message, and an author always gets their own (the feed sees to both);
nothing but `chat.message` is ever sampled.
"""

from __future__ import annotations

from collections import deque

MAX_COUNTED = 10_000  # arrivals remembered at most: the rate saturates, memory does not grow


class ChatSampler:
    def __init__(self, above_per_s: float, per_s: float, window_s: float) -> None:
        self._above = above_per_s
        self._per_s = per_s
        self._window = window_s
        self._arrivals: deque[float] = deque(maxlen=MAX_COUNTED)
        self._credit = 1.0

    def keep(self, now: float) -> bool:
        """A chat message arrives at `now` (seconds): whether viewers get it."""
        arrivals = self._arrivals
        arrivals.append(now)
        horizon = now - self._window
        while arrivals[0] <= horizon:
            arrivals.popleft()
        rate = len(arrivals) / self._window
        if rate <= self._above:
            self._credit = 1.0
            return True
        self._credit += self._per_s / rate
        if self._credit >= 1.0:
            self._credit -= 1.0
            return True
        return False

    @property
    def sampling(self) -> bool:
        """Whether the last message found chat above the threshold."""
        return len(self._arrivals) / self._window > self._above
