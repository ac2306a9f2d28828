"""The words of a fall alert: what a nurse reads, and the numbers behind it."""

from __future__ import annotations

import datetime as dt

from alerting.detectors.fall_buffer import Decision
from shouhu.facility import Facility


def clock_time(ts: float, facility: Facility) -> str:
    return dt.datetime.fromtimestamp(ts, facility.tz).strftime("%H:%M:%S")


def impact_evidence(decision: Decision, facility: Facility, *, part: str = "body") -> str:
    """In words: 'Hard impact (4.1 g) at 02:13:05, then lying still for 8 s (...).'"""
    start = f"Hard impact ({decision.peak_g:.1f} g) at {clock_time(decision.at, facility)}"
    impact = decision.impact
    if impact is None:
        return f"{start}, then the wearable went silent; check on the resident."
    how = "still" if impact.activity_g < 0.05 else "moving a little"
    return (
        f"{start}, then lying {how} for {impact.still_s:.0f} s"
        f" ({part} turned {impact.tilt_deg:.0f}° from its position before the impact)."
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
