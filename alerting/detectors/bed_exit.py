"""Bed exit without return at night.

The bed sensor's presence flag, debounced: leaving counts after
``DEBOUNCE_S`` seconds of absence (a turn at the edge of the bed is not an
exit) and returning after ``DEBOUNCE_S`` seconds of presence. An exit made
at night that lasts longer than the resident's ``bed_exit_minutes`` raises
``medium``, if it is still night then. Getting up in the last ``MORNING_S``
seconds of the night is rising for the day, not a wandering resident: such
exits are not watched (set the facility's night hours to its routine).
Missing samples are unknown, never "out of bed".
The alert clears when the resident is back in bed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from alerting.detectors.latch import Latch
from alerting.detectors.night import NightHours
from alerting.words import english
from shouhu.domain import Alert, AlertKind, Fact, Observation, Priority, Reading
from shouhu.facility import Facility

DEBOUNCE_S = 10.0
MORNING_S = 2 * 3600.0
TICK_S = 1.0


@dataclass(slots=True)
class _Bed:
    facility: str
    in_bed: bool | None = None  # None: not known yet
    change_since: float | None = None  # the opposite state was first seen
    out_since: float | None = None  # confirmed exit time
    exit_at_night: bool = False
    exercise: bool = False


class BedExitDetector:
    def __init__(self, facility: Facility) -> None:
        self.facility = facility
        self.night = NightHours(facility)
        self.latch = Latch(clear_after_s=0.0)
        self._limit_s = {r.id: r.bed_exit_minutes * 60.0 for r in facility.residents}
        self._beds: dict[str, _Bed] = {}
        self._next_tick = float("-inf")

    def feed(self, obs: Observation) -> list[Alert]:
        if not isinstance(obs, Reading) or obs.presence is None or obs.resident is None:
            return []
        bed = self._beds.get(obs.resident)
        if bed is None:
            bed = self._beds[obs.resident] = _Bed(obs.facility, in_bed=obs.presence)
            return []
        bed.exercise = obs.exercise
        ts = obs.ts
        if obs.presence == bed.in_bed:
            bed.change_since = None
        elif bed.change_since is None:
            bed.change_since = ts
        elif ts - bed.change_since >= DEBOUNCE_S:
            bed.in_bed = obs.presence
            if obs.presence:
                bed.out_since = None
                bed.change_since = None
                return self.latch.drop(obs.resident, ts, Fact("bed_exit.back"))
            bed.out_since = bed.change_since
            bed.exit_at_night = self.night.left(bed.change_since) > MORNING_S
            bed.change_since = None
        return self._check(obs.resident, bed, ts)

    def tick(self, now: float) -> list[Alert]:
        if now < self._next_tick:
            return []
        self._next_tick = now + TICK_S
        out: list[Alert] = []
        for resident, bed in self._beds.items():
            if bed.out_since is not None:
                out.extend(self._check(resident, bed, now))
        return out

    def _check(self, resident: str, bed: _Bed, now: float) -> list[Alert]:
        if bed.out_since is None or not bed.exit_at_night or self.latch.is_open(resident):
            return []
        limit = self._limit_s.get(resident, 20 * 60.0)
        if now - bed.out_since < limit or not self.night(now):
            return []
        left = dt.datetime.fromtimestamp(bed.out_since, self.facility.tz).strftime("%H:%M")
        minutes = (now - bed.out_since) / 60
        facts = (Fact("bed_exit.out", since=left, minutes=minutes, limit=limit / 60),)
        alert = Alert(
            facility=bed.facility,
            resident=resident,
            kind=AlertKind.BED_EXIT,
            priority=Priority.MEDIUM,
            ts=now,
            onset=bed.out_since,
            evidence=english(facts),
            facts=facts,
            exercise=bed.exercise,
        )
        return self.latch.hold(resident, alert)
