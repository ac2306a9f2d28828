"""What the fall detector remembers: per wearable, and the beds' presence."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from alerting.detectors.fall_buffer import Segment

BED_MEMORY_S = 60.0  # bed presence remembered this long


@dataclass(frozen=True, slots=True)
class DeviceFall:
    """A device-side fall event, and the impact before it if the stream showed one."""

    at: float
    impact: tuple[float, float] | None  # (time, peak g)
    grace_s: float
    budget_s: float  # impact to alert

    @property
    def deadline(self) -> float:
        """End of the grace period; sooner if the impact is old (2 s kept for ticks)."""
        end = self.at + self.grace_s
        if self.impact is not None:
            end = min(end, self.impact[0] + self.budget_s - 2.0)
        return max(end, self.at)


@dataclass(slots=True)
class Wearer:
    """What the detector keeps per device."""

    facility: str
    resident: str | None
    exercise: bool = False
    segment: Segment | None = None
    event: DeviceFall | None = None  # a device-side fall waiting out its grace
    cancels: list[float] = field(default_factory=list)
    before_fall: np.ndarray | None = None  # posture before the open fall
    upright_since: float | None = None
    seen_end: float = 0.0  # the stream's end (device clock) at the last tick
    progress_at: float = 0.0  # service time when the stream last moved on
    event_noticed: float | None = None  # service time of the first tick after the event


class BedPresence:
    """The recent presence reports of every resident's bed sensor."""

    def __init__(self) -> None:
        self._seen: dict[str, deque[tuple[float, bool]]] = {}

    def note(self, resident: str, ts: float, present: bool) -> None:
        seen = self._seen.setdefault(resident, deque())
        seen.append((ts, present))
        while seen and seen[0][0] < ts - BED_MEMORY_S:
            seen.popleft()

    def stayed_in_bed(self, resident: str | None, start: float, end: float) -> bool:
        """The bed reported the resident present between start and end, never absent."""
        seen = [p for ts, p in self._seen.get(resident or "", ()) if start <= ts <= end]
        return bool(seen) and all(seen)
