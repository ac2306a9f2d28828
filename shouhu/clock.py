"""The clock seam: every component asks it for the time instead of the OS.

``WallClock`` is production. ``EventClock`` follows the newest message
timestamp the service has received, so a simulated night runs end to end in
seconds and tests are deterministic. Timers are not callbacks: components
expose ``tick(now)`` and the service calls them as the clock advances
(see ``shouhu.service``).
"""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Current time, Unix seconds."""
        ...

    def observe(self, ts: float) -> bool:
        """Tell the clock a message stamped ``ts`` arrived; True if time moved."""
        ...

    @property
    def follows_events(self) -> bool: ...


class WallClock:
    follows_events = False

    def now(self) -> float:
        return time.time()

    def observe(self, ts: float) -> bool:
        return False


class EventClock:
    """Time is the newest message timestamp seen; it never runs backwards."""

    follows_events = True

    def __init__(self, start: float = 0.0) -> None:
        self._now = start

    def now(self) -> float:
        return self._now

    def observe(self, ts: float) -> bool:
        if ts > self._now:
            self._now = ts
            return True
        return False

    def set(self, ts: float) -> None:
        """Move time forward explicitly (tests)."""
        self.observe(ts)


class ManualClock(EventClock):
    """A clock tests move by hand."""

    def advance(self, seconds: float) -> None:
        self._now += seconds


def make_clock(kind: str) -> Clock:
    if kind == "wall":
        return WallClock()
    if kind == "event":
        return EventClock()
    raise ValueError(f"unknown clock {kind!r}: choose 'wall' or 'event'")
