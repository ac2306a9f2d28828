"""No vital signs: someone is in bed (or wearing the band) but has no pulse or breathing.

The bed sensor says the resident is there, or the wearable says it is worn,
yet no device of the resident has reported a heart rate or a respiration
rate for ``CONFIRM_S`` seconds, and nothing shows movement. ``high``.

Bed sensors miss 20-30 % of samples, in bursts: a 20 s gap in the bed's
heart rate happens many times a night. A worn wearable reading a pulse
covers those gaps, so with one the 20 s of silence from both is enough.
When the bed watches alone, the body must also have been completely still
over the gap: a mean movement index at or below ``STILL_MOVEMENT``, below
even deep sleep, where breathing still moves the bed.

A device counts as a pulse monitor only if it reported vital signs in the
last ``CAPABLE_S`` seconds (a pendant without an optical sensor never
alarms for reporting no pulse), and only ``SETTLE_S`` seconds after the
resident got into bed or put the band on (sensors take a moment to lock).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from alerting.detectors.latch import Latch
from alerting.words import english
from shouhu.domain import Alert, AlertKind, Fact, Observation, Priority, Reading
from shouhu.facility import Facility

CONFIRM_S = 20.0
CLEAR_AFTER_S = 15.0
FRESH_S = 10.0  # presence / worn seen this recently still holds
SETTLE_S = 30.0
CAPABLE_S = 600.0
MOVING_BED = 0.3  # bed movement index meaning the resident is moving
MOVING_ACC_G = 0.1  # sd of |acc| meaning the wearer is moving
STILL_MOVEMENT = 0.003  # mean bed movement index without breathing (calibrated per sensor)
TICK_S = 1.0
NEVER = float("-inf")


@dataclass(slots=True)
class _Resident:
    last_vital: float = NEVER
    last_hr: float | None = None
    last_rr: float | None = None
    bed_vitals: float = NEVER  # the bed last reported vital signs
    band_vitals: float = NEVER  # the wearable last reported a pulse
    present: float = NEVER  # bed last said "present"
    present_since: float | None = None
    worn: float = NEVER
    worn_since: float | None = None
    moving: float = NEVER
    still_sum: float = 0.0  # bed movement since the last vital sign
    still_n: int = 0
    facility: str = ""
    exercise: bool = False


class NoVitalSignsDetector:
    def __init__(self, facility: Facility) -> None:
        self.facility = facility
        self.latch = Latch(clear_after_s=CLEAR_AFTER_S)
        self._residents: dict[str, _Resident] = {}
        self._next_tick = NEVER

    def feed(self, obs: Observation) -> list[Alert]:
        if not isinstance(obs, Reading) or obs.resident is None:
            return []
        s = self._residents.get(obs.resident)
        if s is None:
            s = self._residents[obs.resident] = _Resident(facility=obs.facility)
        self._update(obs, s)
        return self._check(obs.resident, s, obs.ts)

    def tick(self, now: float) -> list[Alert]:
        if now < self._next_tick:
            return []
        self._next_tick = now + TICK_S
        out: list[Alert] = []
        for resident, s in self._residents.items():
            if now - s.last_vital >= CONFIRM_S or self.latch.is_open(resident):
                out.extend(self._check(resident, s, now))
        return out

    def _update(self, r: Reading, s: _Resident) -> None:
        ts = r.ts
        s.exercise = r.exercise
        hr_ok = r.hr is not None and r.hr >= 20
        rr_ok = r.rr is not None and r.rr >= 3
        if hr_ok or rr_ok:
            if ts > s.last_vital:
                s.last_vital = ts
                s.still_sum, s.still_n = 0.0, 0
            s.last_hr = r.hr if hr_ok else s.last_hr
            s.last_rr = r.rr if rr_ok else s.last_rr
            if r.presence is not None or r.movement is not None:
                s.bed_vitals = max(s.bed_vitals, ts)
            else:
                s.band_vitals = max(s.band_vitals, ts)
        elif r.movement is not None:
            s.still_sum += r.movement
            s.still_n += 1
        if r.presence is True:
            if s.present_since is None or ts - s.present > FRESH_S:
                s.present_since = ts
            s.present = max(s.present, ts)
        elif r.presence is False:
            s.present_since = None
        if r.worn is True:
            if s.worn_since is None or ts - s.worn > FRESH_S:
                s.worn_since = ts
            s.worn = max(s.worn, ts)
        elif r.worn is False:
            s.worn_since = None
        if r.movement is not None and r.movement >= MOVING_BED:
            s.moving = max(s.moving, ts)
        elif r.acc is not None and ts - s.last_vital >= 3.0:
            g = r.acc.g  # only computed while vital signs are missing
            if float(((g * g).sum(axis=1) ** 0.5).std()) >= MOVING_ACC_G:
                s.moving = max(s.moving, ts)

    def _watched_since(self, s: _Resident, now: float) -> float | None:
        """Since when a capable sensor has been watching a still resident, if it is."""
        band = (
            s.worn_since is not None
            and now - s.worn <= FRESH_S
            and now - s.band_vitals <= CAPABLE_S
        )
        bed = (
            s.present_since is not None
            and now - s.present <= FRESH_S
            and now - s.bed_vitals <= CAPABLE_S
        )
        if not band and (not bed or s.still_n == 0 or s.still_sum > STILL_MOVEMENT * s.still_n):
            return None
        starts = [t for t, on in ((s.worn_since, band), (s.present_since, bed)) if on]
        return min(t for t in starts if t is not None) + SETTLE_S

    def _check(self, resident: str, s: _Resident, now: float) -> list[Alert]:
        watched = self._watched_since(s, now)
        if watched is not None:
            quiet_since = max(s.last_vital, s.moving, watched)
            if now - quiet_since >= CONFIRM_S:
                if self.latch.quiet(resident, now, Priority.HIGH):
                    return []
                return self.latch.hold(resident, self._alert(resident, s, now, quiet_since))
        return self.latch.release(resident, now, Fact("no_vitals.back"))

    def _alert(self, resident: str, s: _Resident, now: float, quiet_since: float) -> Alert:
        where: list[Fact] = []
        if now - s.present <= FRESH_S:
            where.append(Fact("no_vitals.in_bed"))
        if now - s.worn <= FRESH_S:
            where.append(Fact("no_vitals.worn"))
        last: list[Fact] = []
        if s.last_hr is not None:
            last.append(Fact("no_vitals.hr", value=s.last_hr))
        if s.last_rr is not None:
            last.append(Fact("no_vitals.rr", value=s.last_rr))
        if s.last_vital > NEVER:
            at = dt.datetime.fromtimestamp(s.last_vital, self.facility.tz).strftime("%H:%M:%S")
            previous = Fact("no_vitals.last", at=at, values=tuple(last))
        else:
            previous = Fact("no_vitals.never")
        silent = Fact("no_vitals.silent", seconds=now - quiet_since, where=tuple(where))
        facts = (silent, previous)
        return Alert(
            facility=s.facility,
            resident=resident,
            kind=AlertKind.NO_VITAL_SIGNS,
            priority=Priority.HIGH,
            ts=now,
            onset=quiet_since,
            evidence=english(facts),
            facts=facts,
            detail={"silent_s": round(now - quiet_since, 1)},
            exercise=s.exercise,
        )
