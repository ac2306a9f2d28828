"""Vital-sign deterioration: a NEWS2-style score from what is measured.

Each minute, the median of every parameter's samples is taken; the score
uses the median of the last ``WINDOW_MIN`` minute-medians, and a parameter
counts as measured only if at least ``MIN_MINUTES`` of those minutes had
samples. Parameters not measured are listed as such, never scored as normal.
A level (aggregate 5-6 or any single 3: ``medium``; 7 or more: ``high``)
must hold for ``PERSIST_MIN`` consecutive minutes before it alarms, and the
alert clears after ``CLEAR_AFTER_S`` below it.

SpO2 Scale 2 applies to residents with hypercapnic respiratory failure
(``Resident.hypercapnic``) and to residents whose configured SpO2 baseline
is 92 % or less (a prescribed 88-92 % target).

Temperature: the wearable measures skin temperature, which is not body
temperature; it is reported, not scored (see docs/detection.md).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from alerting.detectors.latch import Latch
from alerting.detectors.news2 import News2, score_news2
from alerting.words import english
from shouhu.domain import Alert, AlertKind, Fact, Observation, Priority, Reading
from shouhu.facility import Facility, Resident

MINUTE_S = 60.0
WINDOW_MIN = 5
MIN_MINUTES = 3
PERSIST_MIN = 2
CLEAR_AFTER_S = 600.0
PARAMS = ("rr", "spo2", "hr")


def spo2_scale(resident: Resident | None) -> int:
    if resident is None:
        return 1
    configured = resident.baselines.spo2
    return 2 if resident.hypercapnic or (configured is not None and configured <= 92) else 1


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


@dataclass(slots=True)
class _Resident:
    scale: int
    minute: int = -1
    samples: dict[str, list[float]] = field(default_factory=lambda: {p: [] for p in PARAMS})
    medians: dict[str, deque[tuple[int, float]]] = field(
        default_factory=lambda: {p: deque(maxlen=WINDOW_MIN) for p in PARAMS}
    )
    skin: list[float] = field(default_factory=list)
    last_skin: float | None = None
    level_minutes: int = 0
    facility: str = ""
    exercise: bool = False


class DeteriorationDetector:
    def __init__(self, facility: Facility) -> None:
        self.facility = facility
        self.latch = Latch(clear_after_s=CLEAR_AFTER_S)
        self._residents: dict[str, _Resident] = {}
        self._scales = {r.id: spo2_scale(r) for r in facility.residents}

    def feed(self, obs: Observation) -> list[Alert]:
        if not isinstance(obs, Reading) or obs.resident is None:
            return []
        s = self._residents.get(obs.resident)
        if s is None:
            scale = self._scales.get(obs.resident, 1)
            s = self._residents[obs.resident] = _Resident(scale, facility=obs.facility)
        minute = int(obs.ts // MINUTE_S)
        out: list[Alert] = []
        if minute > s.minute:  # a late message counts towards the current minute
            if s.minute >= 0:
                out = self._close_minute(obs.resident, s, obs.ts)
            s.minute = minute
        s.exercise = obs.exercise
        samples = s.samples
        if obs.rr is not None and obs.rr > 0:
            samples["rr"].append(obs.rr)
        if obs.spo2 is not None and obs.spo2 > 0:
            samples["spo2"].append(obs.spo2)
        if obs.hr is not None and obs.hr > 0:
            samples["hr"].append(obs.hr)
        if obs.skin_temp is not None:
            s.last_skin = obs.skin_temp
        return out

    def tick(self, now: float) -> list[Alert]:
        return []

    def score(self, resident: str) -> News2 | None:
        """The resident's current score, or None before any minute has closed."""
        s = self._residents.get(resident)
        return self._score(s) if s is not None and s.minute >= 0 else None

    def _score(self, s: _Resident) -> News2:
        values: dict[str, float | None] = {}
        for param in PARAMS:
            recent = [m for minute, m in s.medians[param] if minute > s.minute - WINDOW_MIN]
            values[param] = _median(recent) if len(recent) >= MIN_MINUTES else None
        return score_news2(rr=values["rr"], spo2=values["spo2"], hr=values["hr"], scale=s.scale)

    def _close_minute(self, resident: str, s: _Resident, now: float) -> list[Alert]:
        for param in PARAMS:
            if s.samples[param]:
                s.medians[param].append((s.minute, _median(s.samples[param])))
                s.samples[param].clear()
        news = self._score(s)
        level = news.priority
        s.level_minutes = s.level_minutes + 1 if level is not None else 0
        if level is None or s.level_minutes < PERSIST_MIN:
            settled = Fact("news2.settled", score=news.fact())
            return self.latch.release(resident, now, settled)
        return self.latch.hold(resident, self._alert(resident, s, news, level, now))

    def _alert(
        self, resident: str, s: _Resident, news: News2, level: Priority, now: float
    ) -> Alert:
        held = s.level_minutes
        facts: tuple[Fact, ...] = (
            Fact("news2.deteriorating", score=news.fact(), window=WINDOW_MIN, held=held),
        )
        if s.last_skin:
            facts += (Fact("news2.skin", temp=s.last_skin),)
        return Alert(
            facility=s.facility,
            resident=resident,
            kind=AlertKind.DETERIORATION,
            priority=level,
            ts=now,
            onset=now - held * MINUTE_S,
            evidence=english(facts),
            facts=facts,
            detail={"news2": news.total, "points": dict(news.points), "scale": news.scale},
            exercise=s.exercise,
        )
