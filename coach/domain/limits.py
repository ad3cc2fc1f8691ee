"""A sliding-window limit: at most `most` events per key within `window` seconds."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class Window:
    """Counts events per key (a browser, a workshop) over the last `window` seconds. One per
    process: with several app replicas each keeps its own, so a client gets at most that
    many per replica (sticky sessions send a browser to one replica)."""

    def __init__(self, most: int, window: float, clock: Callable[[], float] = time.monotonic):
        self.most, self.window, self._clock = most, window, clock
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> float | None:
        """Count one event for `key` and return None, or, if the key is at its limit,
        count nothing and return the seconds until the next event is allowed."""
        now = self._clock()
        with self._lock:
            events = self._events.setdefault(key, deque())
            while events and now - events[0] >= self.window:
                events.popleft()
            if len(events) >= self.most:
                return self.window - (now - events[0])
            events.append(now)
            if len(self._events) > 10_000:  # keys nobody uses any more
                self._events = {k: v for k, v in self._events.items() if v}
            return None
