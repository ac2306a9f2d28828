"""Device faults: offline, battery low, wearable removed.

- Offline: the device's last will (``status: offline``), or silence longer
  than ``max(SILENCE_MIN_S, SILENCE_INTERVALS x interval_s)`` (minutes, not
  hours) for wearables and bed sensors, counted for a device never heard
  from since the facility's first message. Buttons report only events, so
  only their last will counts.
- Battery low: below ``BATTERY_LOW`` %, cleared at ``BATTERY_OK`` %.
- Wearable removed: a ``removed`` event, or ``worn: false`` for
  ``REMOVED_CONFIRM_S`` seconds; cleared when worn again.

Each is ``low``; offline or removed is ``medium`` at night when it leaves
the resident unmonitored (no other device of theirs is online and watching:
a worn wearable, or a bed sensor with the resident in it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from alerting.detectors.latch import Latch
from alerting.detectors.night import NightHours
from alerting.words import english
from shouhu.domain import (
    Alert,
    AlertKind,
    DeviceEvent,
    DeviceStatus,
    Fact,
    FactValue,
    Observation,
    Priority,
    Reading,
)
from shouhu.facility import Device, Facility

SILENCE_MIN_S = 120.0
SILENCE_INTERVALS = 10
BATTERY_LOW = 20.0
BATTERY_OK = 30.0
REMOVED_CONFIRM_S = 30.0
WATCHING_S = 30.0
TICK_S = 5.0  # silence and removal are judged in minutes; a scan every 5 s will do


@dataclass(slots=True)
class _Device:
    spec: Device
    last_seen: float | None = None
    will_offline: float | None = None  # last will received at
    worn: bool | None = None
    unworn_since: float | None = None
    removed_event: float | None = None
    battery: float | None = None
    battery_low: bool = False
    exercise: bool = False


class DeviceFaultDetector:
    def __init__(self, facility: Facility) -> None:
        self.facility = facility
        self.night = NightHours(facility)
        self.latch = Latch(clear_after_s=30.0, refresh_s=1800.0)
        self._devices = {d.id: _Device(d) for d in facility.devices}
        self._by_resident: dict[str, list[_Device]] = {}
        for state in self._devices.values():
            if state.spec.resident is not None:
                self._by_resident.setdefault(state.spec.resident, []).append(state)
        self._present: dict[str, float] = {}  # resident -> bed last said present
        self._started: float | None = None
        self._next_tick = float("-inf")

    def feed(self, obs: Observation) -> list[Alert]:
        d = self._devices.get(obs.device)
        if d is None:
            return []
        if self._started is None:
            self._started = obs.ts
        ts = obs.ts
        if isinstance(obs, DeviceStatus):
            d.will_offline = None if obs.online else ts
            if obs.online:
                d.last_seen = max(d.last_seen or ts, ts)
            return []
        d.last_seen = ts if d.last_seen is None else max(d.last_seen, ts)
        d.will_offline = None
        d.exercise = obs.exercise
        if isinstance(obs, DeviceEvent):
            if obs.type == "removed":
                d.removed_event = ts
            elif obs.type == "worn":
                d.removed_event, d.worn, d.unworn_since = None, True, None
            else:
                return []
            return self._check_removed(d, ts)
        return self._reading(d, obs)

    def _reading(self, d: _Device, r: Reading) -> list[Alert]:
        if r.presence and r.resident is not None:
            self._present[r.resident] = r.ts
        out: list[Alert] = []
        if r.worn is not None:
            was_off = d.worn is False or d.removed_event is not None
            if r.worn:
                d.removed_event, d.unworn_since = None, None
            elif d.unworn_since is None:
                d.unworn_since = r.ts
            d.worn = r.worn
            if r.worn and was_off:
                out.extend(self._check_removed(d, r.ts))
        if r.battery is not None:
            d.battery = r.battery
            if r.battery < BATTERY_LOW and not d.battery_low:
                d.battery_low = True
                out.extend(self.latch.hold(("battery", d.spec.id), self._battery_alert(d, r.ts)))
            elif r.battery >= BATTERY_OK and d.battery_low:
                d.battery_low = False
                charged = Fact("device.battery_charged")
                out.extend(self.latch.drop(("battery", d.spec.id), r.ts, charged))
        return out

    def tick(self, now: float) -> list[Alert]:
        if now < self._next_tick:
            return []
        self._next_tick = now + TICK_S
        if self._started is None:  # monitoring starts with the first message, not the clock
            return []
        out: list[Alert] = []
        for d in self._devices.values():
            out.extend(self._check_offline(d, now))
            if d.spec.kind == "wearable":
                out.extend(self._check_removed(d, now))
        return out

    def _silence_limit(self, d: _Device) -> float:
        return max(SILENCE_MIN_S, SILENCE_INTERVALS * d.spec.interval_s)

    def _offline_since(self, d: _Device, now: float) -> float | None:
        if d.will_offline is not None:
            return d.will_offline
        if d.spec.kind == "button":
            return None
        last = d.last_seen if d.last_seen is not None else self._started
        if last is not None and now - last > self._silence_limit(d):
            return last
        return None

    def _check_offline(self, d: _Device, now: float) -> list[Alert]:
        ident = ("offline", d.spec.id)
        since = self._offline_since(d, now)
        if since is None:
            again = Fact("device.reporting_again", kind=self._name(d))
            return self.latch.release(ident, now, again)
        priority = self._priority(d, now)
        if self.latch.quiet(ident, now, priority):
            return []
        named: dict[str, FactValue] = {"kind": self._name(d), "device": d.spec.id}
        if d.will_offline is not None:
            why = Fact("device.went_offline", at=self._clock(since), **named)
        elif d.last_seen is None:
            why = Fact("device.never_heard", **named)
        else:
            silent = (now - since) / 60
            why = Fact("device.silent", minutes=silent, at=self._clock(since), **named)
        alert = self._alert(d, AlertKind.DEVICE_OFFLINE, why, since, now, priority)
        return self.latch.hold(ident, alert)

    def _check_removed(self, d: _Device, now: float) -> list[Alert]:
        ident = ("removed", d.spec.id)
        since = d.removed_event
        unworn = d.unworn_since
        if since is None and d.worn is False and unworn is not None:
            since = unworn if now - unworn >= REMOVED_CONFIRM_S else None
        if since is None:
            return self.latch.drop(ident, now, Fact("device.worn_again"))
        priority = self._priority(d, now)
        if self.latch.quiet(ident, now, priority):
            return []
        why = Fact(
            "device.taken_off", kind=self._name(d), device=d.spec.id, since=self._clock(since)
        )
        alert = self._alert(d, AlertKind.DEVICE_REMOVED, why, since, now, priority)
        return self.latch.hold(ident, alert)

    def _watching(self, d: _Device, now: float) -> bool:
        if d.last_seen is None or now - d.last_seen > WATCHING_S or d.will_offline is not None:
            return False
        if d.spec.kind == "wearable":
            return d.worn is not False and d.removed_event is None
        if d.spec.kind == "bed":
            resident = d.spec.resident
            return resident is not None and now - self._present.get(resident, -1e18) <= WATCHING_S
        return False

    def _priority(self, d: _Device, now: float) -> Priority:
        """Medium at night when no other device of the resident is watching them."""
        resident = d.spec.resident
        if resident is None or not self.night(now):
            return Priority.LOW
        others = [o for o in self._by_resident.get(resident, []) if o is not d]
        return Priority.LOW if any(self._watching(o, now) for o in others) else Priority.MEDIUM

    def _alert(
        self, d: _Device, kind: AlertKind, why: Fact, since: float, now: float, priority: Priority
    ) -> Alert:
        resident = d.spec.resident
        facts: tuple[Fact, ...] = (why,)
        if priority is Priority.MEDIUM:
            facts += (Fact("device.unwatched"),)
        return Alert(
            facility=self.facility.id,
            resident=resident,
            kind=kind,
            priority=priority,
            ts=now,
            onset=since,
            device=d.spec.id,
            key=d.spec.id,
            evidence=english(facts),
            facts=facts,
            exercise=d.exercise,
        )

    def _battery_alert(self, d: _Device, now: float) -> Alert:
        low = Fact("device.battery_low", kind=self._name(d), device=d.spec.id, percent=d.battery)
        return Alert(
            facility=self.facility.id,
            resident=d.spec.resident,
            kind=AlertKind.BATTERY_LOW,
            priority=Priority.LOW,
            ts=now,
            onset=now,
            device=d.spec.id,
            key=d.spec.id,
            evidence=english((low,)),
            facts=(low,),
            exercise=d.exercise,
        )

    def _name(self, d: _Device) -> Fact:
        return Fact(f"device.{d.spec.kind}")

    def _clock(self, ts: float) -> str:
        return dt.datetime.fromtimestamp(ts, self.facility.tz).strftime("%H:%M")
