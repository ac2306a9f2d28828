"""Signal processing for fall detection: pure numpy over a stretch of samples.

A fall, seen by a body-worn accelerometer, is a hard impact followed by a
body that stays down: the sensor's gravity direction has turned well away
from where it was before the impact (the trunk went from upright to lying),
and the wearer is not walking about. The functions here measure exactly
that around one impact, in units a nurse can read (g, degrees, seconds), and
work the same on a live buffer (``FallDetector``) and on a whole recording
(``scan``, used by the evaluation on real data).

All windows are in seconds, so any sampling rate from 20 to 200 Hz works.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Samples = npt.NDArray[np.float64]  # shape (n, 3), in g

BEFORE_S = (3.0, 1.0)  # posture before: from 3 s to 1 s before the impact
SETTLE_S = 2.0  # the body comes to rest within 2 s of the impact
OBSERVE_S = 10.0  # watch the body for 10 s after the impact, then decide
LATE_S = 2.0  # the last 2 s of that window must still show the body down
REFRACTORY_S = 1.0  # peaks closer than this belong to one impact
FREE_FALL_S = 1.0  # look this far before the impact for a free-fall dip


@dataclass(frozen=True, slots=True)
class Rule:
    """Thresholds for one placement of the wearable."""

    impact_g: float  # peak acceleration that counts as a hard impact
    tilt_deg: float  # posture change that counts as lying down
    activity_g: float  # movement above this after the impact means up and about
    # A very hard impact followed by near-total stillness is a fall even without
    # a posture change (None: not for this placement).
    still_impact_g: float | None = None
    still_g: float = 0.03


# Chosen from the physics first (a trunk that turns 60 degrees or more is no
# longer upright; walking shakes the hip by 0.3 g and more), then checked on
# the development recordings -- see docs/detection.md.
RULES: dict[str, Rule] = {
    "waist": Rule(impact_g=2.0, tilt_deg=60.0, activity_g=0.3),
    "pendant": Rule(impact_g=1.8, tilt_deg=60.0, activity_g=0.3),
    # a forearm on the floor can point anywhere: a very hard knock and then
    # lying still is enough (a trunk must turn: D11, collapsing into a chair)
    "wrist": Rule(impact_g=3.0, tilt_deg=50.0, activity_g=0.15, still_impact_g=5.0),
}
DEFAULT_PLACEMENT = "waist"


def rule_for(placement: str | None, rules: Mapping[str, Rule] = RULES) -> Rule:
    """The rule for a placement; an unknown or unset placement gets the waist's."""
    return rules.get(placement or DEFAULT_PLACEMENT) or rules[DEFAULT_PLACEMENT]


class Verdict(enum.StrEnum):
    FALL = "fall"  # impact, then the body stayed down
    UPRIGHT = "upright"  # impact, but the posture did not change for good
    ACTIVE = "active"  # impact, but the wearer moves about afterwards
    TOO_SHORT = "too_short"  # not enough samples around the impact to judge


@dataclass(frozen=True, slots=True)
class Impact:
    """What happened around one impact, in the units of the evidence."""

    at_s: float  # seconds from the start of the samples
    peak_g: float
    lowest_g: float  # lowest acceleration in the second before (free fall dips)
    tilt_deg: float  # posture change, before vs. the settled window after
    late_tilt_deg: float  # posture change, before vs. the end of the window
    activity_g: float  # standard deviation of |a| in the settled window
    still_s: float  # how long the settled window was observed

    def verdict(self, rule: Rule) -> Verdict:
        if self.activity_g > rule.activity_g:
            return Verdict.ACTIVE
        turned = min(self.tilt_deg, self.late_tilt_deg) >= rule.tilt_deg
        still = (
            rule.still_impact_g is not None
            and self.peak_g >= rule.still_impact_g
            and self.activity_g <= rule.still_g
        )
        return Verdict.FALL if turned or still else Verdict.UPRIGHT


def magnitude(g: Samples) -> npt.NDArray[np.float64]:
    return np.asarray(np.sqrt(np.einsum("ij,ij->i", g, g)), dtype=np.float64)


def find_impacts(mag: npt.NDArray[np.float64], hz: float, threshold: float) -> list[int]:
    """Indices of the peaks at or above ``threshold``, one per impact.

    A sample is an impact's peak when it is the highest within
    ``REFRACTORY_S`` either side (the first of equal highs wins), so the
    last footfall of a jog does not hide the fall that ends it.
    """
    candidates = np.flatnonzero(mag >= threshold)
    if candidates.size == 0:
        return []
    half = max(1, round(REFRACTORY_S * hz))
    padded = np.concatenate([np.full(half, -np.inf), mag, np.full(half, -np.inf)])
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1)[candidates]
    # argmax picks the first of equal highs: a flat top counts once
    peaks = candidates[np.argmax(windows, axis=1) == half]
    return [int(i) for i in peaks]


def _direction(g: Samples) -> npt.NDArray[np.float64]:
    mean = g.mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return np.asarray(mean / norm if norm > 1e-6 else mean, dtype=np.float64)


def angle_deg(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64]) -> float:
    return float(np.degrees(np.arccos(np.clip(float(a @ b), -1.0, 1.0))))


def describe(g: Samples, hz: float, index: int, *, observe_s: float = OBSERVE_S) -> Impact | None:
    """Measure the impact at ``index``; None when there is too little around it.

    Needs ``BEFORE_S[0]`` seconds before the impact and at least ``SETTLE_S +
    LATE_S`` after it; uses up to ``observe_s`` after it.
    """
    before = slice(index - round(BEFORE_S[0] * hz), index - round(BEFORE_S[1] * hz))
    end = min(len(g), index + round(observe_s * hz))
    settled = slice(index + round(SETTLE_S * hz), end)
    if before.start < 0 or end - settled.start < round(LATE_S * hz):
        return None
    mag = magnitude(g)
    reference = _direction(g[before])
    after = g[settled]
    late = g[end - round(LATE_S * hz) : end]
    return Impact(
        at_s=index / hz,
        peak_g=float(mag[index]),
        lowest_g=float(mag[max(0, index - round(FREE_FALL_S * hz)) : index + 1].min()),
        tilt_deg=angle_deg(reference, _direction(after)),
        late_tilt_deg=angle_deg(reference, _direction(late)),
        activity_g=float(mag[settled].std()),
        still_s=(end - settled.start) / hz,
    )


def scan(g: Samples, hz: float, rule: Rule) -> list[tuple[Impact, Verdict]]:
    """Every impact in a recording and its verdict (offline, for tuning)."""
    out: list[tuple[Impact, Verdict]] = []
    for index in find_impacts(magnitude(g), hz, rule.impact_g):
        impact = describe(g, hz, index)
        if impact is not None:
            out.append((impact, impact.verdict(rule)))
    return out
