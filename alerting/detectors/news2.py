"""The NEWS2 chart (Royal College of Physicians, 2017), for what Shouhu measures.

Shouhu's sensors measure respiration rate, SpO2, pulse and (from the
wearable) temperature. Systolic blood pressure, consciousness (ACVPU) and
supplemental oxygen are not measured: they are listed as such and never
scored as normal, so the aggregate is a lower bound of the full score.

Values are rounded half up to the chart's resolution first (whole numbers;
temperature to 0.1 °C), as a nurse charts them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from alerting.words import english
from shouhu.domain import Fact, Priority

NOT_MEASURED = ("systolic blood pressure", "consciousness (ACVPU)", "supplemental oxygen")
# The message key of each parameter's name (alerting.words: news2.param.<key>)
PARAM_KEYS = {
    "respiration rate": "rr",
    "SpO2": "spo2",
    "pulse": "hr",
    "temperature": "temp",
    "systolic blood pressure": "sbp",
    "consciousness (ACVPU)": "acvpu",
    "supplemental oxygen": "o2",
}
LABELS = {
    "rr": "respiration rate",
    "spo2": "SpO2",
    "hr": "pulse",
    "temp": "temperature",
}


def _half_up(value: float, digits: int = 0) -> float:
    scale = 10.0**digits
    return math.floor(value * scale + 0.5 + 1e-9) / scale


def score_rr(rr: float) -> int:
    value = _half_up(rr)
    if value <= 8:
        return 3
    if value <= 11:
        return 1
    if value <= 20:
        return 0
    if value <= 24:
        return 2
    return 3


def score_spo2(spo2: float, *, scale: int = 1) -> int:
    """SpO2 points; Scale 2 (target 88-92 %) for hypercapnic respiratory failure.

    Scale 2's points for 93 % and above apply on supplemental oxygen only;
    oxygen is not measured, so a resident on Scale 2 is scored as on air.
    """
    value = _half_up(spo2)
    if scale == 2:
        if value <= 83:
            return 3
        if value <= 85:
            return 2
        if value <= 87:
            return 1
        return 0
    if value <= 91:
        return 3
    if value <= 93:
        return 2
    if value <= 95:
        return 1
    return 0


def score_hr(hr: float) -> int:
    value = _half_up(hr)
    if value <= 40:
        return 3
    if value <= 50:
        return 1
    if value <= 90:
        return 0
    if value <= 110:
        return 1
    if value <= 130:
        return 2
    return 3


def score_temp(temp: float) -> int:
    value = _half_up(temp, 1)
    if value <= 35.0:
        return 3
    if value <= 36.0:
        return 1
    if value <= 38.0:
        return 0
    if value <= 39.0:
        return 1
    return 2


@dataclass(frozen=True, slots=True)
class News2:
    values: dict[str, float]  # measured parameter -> value scored
    points: dict[str, int]  # measured parameter -> points
    missing: tuple[str, ...]  # parameters not measured, in words
    scale: int = 1

    @property
    def total(self) -> int:
        return sum(self.points.values())

    @property
    def highest(self) -> int:
        return max(self.points.values(), default=0)

    @property
    def priority(self) -> Priority | None:
        """>= 7: high; 5-6 or any single parameter scoring 3: medium."""
        if self.total >= 7:
            return Priority.HIGH
        if self.total >= 5 or self.highest >= 3:
            return Priority.MEDIUM
        return None

    def describe(self) -> str:
        """The score in words: each parameter with its value and points."""
        return english((self.fact(),))

    def fact(self) -> Fact:
        """The score as a fact: news2.total (or _scale2, or news2.none), and what was not
        measured (news2.unmeasured)."""
        parts = tuple(
            Fact(f"news2.{name}", value=self.values[name], points=points)
            for name, points in self.points.items()
        )
        if not parts:
            score = Fact("news2.none")
        else:
            key = "news2.total_scale2" if self.scale == 2 else "news2.total"
            score = Fact(key, total=self.total, parts=parts)
        if not self.missing:
            return score
        missing = tuple(Fact(f"news2.param.{PARAM_KEYS[m]}") for m in self.missing)
        return Fact("news2.unmeasured", score=score, missing=missing)


def score_news2(
    *,
    rr: float | None = None,
    spo2: float | None = None,
    hr: float | None = None,
    temp: float | None = None,
    scale: int = 1,
) -> News2:
    values: dict[str, float] = {}
    points: dict[str, int] = {}
    missing: list[str] = []
    for name, value in (("rr", rr), ("spo2", spo2), ("hr", hr), ("temp", temp)):
        if value is None:
            missing.append(LABELS[name])
            continue
        values[name] = value
        if name == "spo2":
            points[name] = score_spo2(value, scale=scale)
        else:
            points[name] = {"rr": score_rr, "hr": score_hr, "temp": score_temp}[name](value)
    return News2(values, points, (*missing, *NOT_MEASURED), scale)
