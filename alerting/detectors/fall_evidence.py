"""The words of a fall alert: what a nurse reads, and the numbers behind it."""

from __future__ import annotations

import datetime as dt

from alerting.detectors.fall_buffer import Decision
from shouhu.domain import Fact
from shouhu.facility import Facility


def clock_time(ts: float, facility: Facility) -> str:
    return dt.datetime.fromtimestamp(ts, facility.tz).strftime("%H:%M:%S")


def impact_evidence(decision: Decision, facility: Facility, *, part: str = "body") -> Fact:
    """'Hard impact (4.1 g) at 02:13:05, then lying still for 8 s (...).' (fall.impact), or
    the wearable went silent after it (fall.went_silent). ``part``: body or wrist."""
    at = clock_time(decision.at, facility)
    impact = decision.impact
    if impact is None:
        return Fact("fall.went_silent", peak=decision.peak_g, at=at)
    return Fact(
        "fall.impact",
        peak=decision.peak_g,
        at=at,
        how=Fact("fall.still" if impact.activity_g < 0.05 else "fall.moving"),
        still=impact.still_s,
        part=Fact(f"fall.{part}"),
        tilt=impact.tilt_deg,
    )


def impact_detail(decision: Decision) -> dict[str, object]:
    impact = decision.impact
    if impact is None:
        return {"source": "accelerometer", "peak_g": round(decision.peak_g, 2), "silent": True}
    return {
        "source": "accelerometer",
        "peak_g": round(impact.peak_g, 2),
        "lowest_g": round(impact.lowest_g, 2),
        "tilt_deg": round(impact.tilt_deg, 1),
        "activity_g": round(impact.activity_g, 3),
    }
