"""The recent accelerometer samples of one wearable, and the impacts due a decision.

A ``Segment`` holds the batches of one stream at one rate, in time order
even when a batch comes late or twice, with short gaps bridged. Each impact is judged
once, as soon as ``OBSERVE_S`` seconds of samples follow it (``decide``), or
with whatever there is when the wearable falls silent or its stream breaks
(``flush``). Old samples are dropped, keeping just enough context.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np

from alerting.detectors.fall_features import (
    BEFORE_S,
    OBSERVE_S,
    REFRACTORY_S,
    Impact,
    Rule,
    Samples,
    describe,
    find_impacts,
    magnitude,
)

KEEP_S = BEFORE_S[0] + OBSERVE_S + 2 * REFRACTORY_S + 1.0
MAX_GAP_S = 5.0  # lost batches up to this long are bridged; a longer gap ends the segment
KNOCK_G = 1.5  # the least that counts as the impact behind a device-side fall event
JITTER_S = 0.25  # batch timestamps this close to the expected time count as on time


class Placement(enum.Enum):
    """Where a batch went (``Segment.place``)."""

    APPENDED = "appended"  # at the end (after bridging a short gap, if any)
    PATCHED = "patched"  # a late or repeated batch, written over what was there
    TOO_OLD = "too_old"  # older than the samples kept: ignored
    BREAKS = "breaks"  # a different rate or a long gap: start a new segment


@dataclass(frozen=True, slots=True)
class Decision:
    at: float  # time of the impact's peak
    peak_g: float
    impact: Impact | None  # None: the wearable went silent before the body could be judged
    now: float  # time of the decision


class Segment:
    def __init__(self, start_ts: float, hz: float, rule: Rule, *, part: str = "body") -> None:
        self.start_ts = start_ts  # time of sample 0 of ``self.g``
        self.hz = hz
        self.rule = rule
        self.part = part  # what the device moves with: "body" or "wrist"
        self.g: Samples = np.empty((0, 3))
        self._decided = -1  # absolute index of the last impact judged
        self._dropped = 0  # samples dropped from the front
        self._scanned = 0  # absolute index below which every impact has been looked at
        self._last_hot = -1  # absolute index of the newest sample at or above the threshold

    @property
    def end_ts(self) -> float:
        """Time just after the newest sample."""
        return self.start_ts + len(self.g) / self.hz

    def place(self, ts: float, g: Samples) -> Placement:
        """Put a batch where its timestamp says: append, bridge a gap, or patch."""
        g = np.asarray(g, dtype=np.float64).reshape(-1, 3)
        offset = (ts - self.end_ts) * self.hz  # in samples, from the end
        if abs(offset) <= JITTER_S * self.hz or not len(self.g):
            index = len(self.g)
        elif offset > MAX_GAP_S * self.hz:
            return Placement.BREAKS
        elif offset > 0:  # lost samples: bridge them in a straight line
            gap = round(offset)
            steps = (np.arange(1, gap + 1) / (gap + 1))[:, None]
            self.g = np.concatenate([self.g, self.g[-1] + steps * (g[0] - self.g[-1])])
            index = len(self.g)
        else:
            index = len(self.g) + round(offset)
            if index < 0:
                return Placement.TOO_OLD
        overlap = min(len(g), len(self.g) - index)
        self.g[index : index + overlap] = g[:overlap]
        self.g = np.concatenate([self.g, g[overlap:]])
        hot = np.flatnonzero(magnitude(g) >= self.rule.impact_g)
        if hot.size:
            self._last_hot = max(self._last_hot, self._dropped + index + int(hot[-1]))
        return Placement.PATCHED if overlap else Placement.APPENDED

    def decide(self) -> list[Decision]:
        """Judge the impacts followed by a full observation window."""
        complete = len(self.g) - round(OBSERVE_S * self.hz)
        decisions = self._judge(limit=complete, now=self.end_ts)
        self._trim()
        return decisions

    def flush(self, now: float) -> list[Decision]:
        """The stream stopped: judge every impact still open with what there is."""
        return self._judge(limit=len(self.g), now=now)

    def _judge(self, *, limit: int, now: float) -> list[Decision]:
        if self._last_hot < self._scanned:  # nothing hard since the last look
            self._scanned = max(self._scanned, limit + self._dropped)
            return []
        self._scanned = max(self._scanned, limit + self._dropped)
        mag = magnitude(self.g)
        out: list[Decision] = []
        for index in find_impacts(mag, self.hz, self.rule.impact_g):
            absolute = index + self._dropped
            if index >= limit or absolute <= self._decided:
                continue
            # The peak must be the highest within REFRACTORY_S either side,
            # which needs samples after it; flush accepts what there is.
            self._decided = absolute
            impact = describe(self.g, self.hz, index)
            if impact is None and index < round(BEFORE_S[0] * self.hz):
                continue  # no posture before the impact to compare with
            out.append(
                Decision(
                    at=self.start_ts + index / self.hz,
                    peak_g=float(mag[index]),
                    impact=impact,
                    now=now,
                )
            )
        return out

    def _trim(self) -> None:
        excess = len(self.g) - round(KEEP_S * self.hz)
        if excess > 0:
            self.g = self.g[excess:]
            self.start_ts += excess / self.hz
            self._dropped += excess

    def impact_before(self, ts: float, within_s: float) -> tuple[float, float] | None:
        """(time, peak g) of the hardest knock in the ``within_s`` before ``ts``, if any."""
        lo = max(0, round((ts - within_s - self.start_ts) * self.hz))
        hi = min(len(self.g), round((ts - self.start_ts) * self.hz) + 1)
        if hi <= lo:
            return None
        mag = magnitude(self.g[lo:hi])
        peak = int(np.argmax(mag))
        if mag[peak] < KNOCK_G:
            return None
        return self.start_ts + (lo + peak) / self.hz, float(mag[peak])

    def direction(self, seconds: float) -> np.ndarray | None:
        """The mean direction of gravity over the newest ``seconds``."""
        tail = self.g[-max(1, round(seconds * self.hz)) :]
        mean = tail.mean(axis=0)
        norm = float(np.linalg.norm(mean))
        return mean / norm if norm > 1e-6 else None

    def direction_before(self, at: float) -> np.ndarray | None:
        """The mean direction of gravity in the posture window before ``at``."""
        index = round((at - self.start_ts) * self.hz)
        lo = max(0, index - round(BEFORE_S[0] * self.hz))
        hi = max(lo + 1, index - round(BEFORE_S[1] * self.hz))
        window = self.g[lo:hi]
        if not len(window):
            return None
        mean = window.mean(axis=0)
        norm = float(np.linalg.norm(mean))
        return mean / norm if norm > 1e-6 else None
