"""Nighttime chest distress: concordant signs held over a confirmation window.

Signs, each against the resident's own sleeping baseline (``BaselineBook``):

- heart rate well above the baseline, or above an absolute limit;
- fast breathing;
- SpO2 falling below the baseline;
- restlessness in bed (bed movement index, or the wearable's accelerometer).

A sign is on when it held in ``SIGN_SHARE`` of the samples of the last
``SIGN_WINDOW_S`` seconds, so one artifact (a single low SpO2 sample, a
motion spike) never turns a sign on. One sign alone never alarms: three or
more held for ``CONFIRM_S`` seconds raise ``high``; two held for
``CONFIRM_TWO_S`` raise ``medium``. Restlessness counts only in bed (walking
to the toilet is not restlessness) and only with a cardiorespiratory sign.
Watched at night or while the resident is in bed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from alerting.baselines import Baseline, BaselineBook
from alerting.detectors.latch import Latch
from alerting.detectors.night import NightHours
from alerting.detectors.window import FlagWindow, RecentValues
from shouhu.domain import Alert, AlertKind, Observation, Priority, Reading
from shouhu.facility import Facility

SIGN_WINDOW_S = 30.0
SIGN_SHARE = 0.6
SIGN_MIN_SAMPLES = 5
CONFIRM_S = 15.0
CONFIRM_TWO_S = 45.0
CLEAR_AFTER_S = 120.0
IN_BED_S = 60.0  # presence seen this recently means in bed
HR_ABSOLUTE = 120.0
ACC_RESTLESS_G = 0.08
SIGNS = ("hr", "rr", "spo2", "restless")


@dataclass(frozen=True, slots=True)
class Limits:
    hr: float
    rr: float
    spo2: float
    movement: float

    @classmethod
    def of(cls, b: Baseline) -> Limits:
        hr_rise = max(15.0, 0.25 * b["hr"], 2.5 * b.spread["hr"])
        absolute = b.hr_max if b.hr_max is not None else max(HR_ABSOLUTE, b["hr"] + 15.0)
        rr = min(b["rr"] + max(6.0, 0.35 * b["rr"]), max(24.0, b["rr"] + 4.0))
        spo2 = b["spo2"] - max(4.0, 2.0 * b.spread["spo2"])
        movement = max(0.3, b["movement"] + 0.2)
        return cls(min(b["hr"] + hr_rise, absolute), rr, spo2, movement)


@dataclass(slots=True)
class _Resident:
    windows: dict[str, FlagWindow] = field(
        default_factory=lambda: {s: FlagWindow(SIGN_WINDOW_S) for s in SIGNS}
    )
    values: dict[str, RecentValues] = field(
        default_factory=lambda: {s: RecentValues() for s in ("hr", "rr", "spo2")}
    )
    since: dict[str, float] = field(default_factory=dict)  # sign -> when it turned on
    version: int = -1
    limits: Limits | None = None
    last_presence: float = float("-inf")
    concordant_since: float | None = None
    count: int = 0


class ChestDistressDetector:
    def __init__(self, facility: Facility, baselines: BaselineBook | None = None) -> None:
        self.facility = facility
        self.baselines = baselines or BaselineBook(facility)
        self.night = NightHours(facility)
        self.latch = Latch(clear_after_s=CLEAR_AFTER_S)
        self._residents: dict[str, _Resident] = {}

    def feed(self, obs: Observation) -> list[Alert]:
        if not isinstance(obs, Reading) or obs.resident is None:
            return []
        state = self._residents.get(obs.resident)
        if state is None:
            state = self._residents[obs.resident] = _Resident()
        ts = obs.ts
        if obs.presence:
            state.last_presence = ts
        in_bed = ts - state.last_presence <= IN_BED_S
        if not (in_bed or self.night(ts)):
            return []
        limits = self._limits(obs.resident, state)
        self._flag(obs, state, limits, in_bed)
        count = self._count(state, ts, in_bed)
        if in_bed and count == 0 and self.night(ts):
            self._learn(obs)
        return self._decide(obs, state, count)

    def tick(self, now: float) -> list[Alert]:
        out: list[Alert] = []
        for ident in self.latch:
            state = self._residents.get(str(ident))
            if state is not None and now - state.last_presence > SIGN_WINDOW_S * 4:
                out.extend(self.latch.release(ident, now, "Chest distress signs have settled."))
        return out

    def _limits(self, resident: str, state: _Resident) -> Limits:
        version = self.baselines.version(resident)
        if state.limits is None or version != state.version:
            state.limits = Limits.of(self.baselines.baseline(resident))
            state.version = version
        return state.limits

    def _flag(self, r: Reading, state: _Resident, limits: Limits, in_bed: bool) -> None:
        w, ts = state.windows, r.ts
        if r.hr is not None and r.hr > 0:
            w["hr"].add(ts, r.hr >= limits.hr)
            state.values["hr"].add(r.hr)
        if r.rr is not None and r.rr > 0:
            w["rr"].add(ts, r.rr >= limits.rr)
            state.values["rr"].add(r.rr)
        if r.spo2 is not None and r.spo2 > 0:
            w["spo2"].add(ts, r.spo2 <= limits.spo2)
            state.values["spo2"].add(r.spo2)
        if in_bed and r.movement is not None:
            w["restless"].add(ts, r.movement >= limits.movement)
        elif in_bed and r.acc is not None and state.count >= 1:
            g = r.acc.g
            mag = (g * g).sum(axis=1) ** 0.5
            w["restless"].add(ts, float(mag.std()) >= ACC_RESTLESS_G)

    def _count(self, state: _Resident, ts: float, in_bed: bool) -> int:
        count = 0
        for sign, window in state.windows.items():
            window.expire(ts)
            on = window.holds(share=SIGN_SHARE, at_least=SIGN_MIN_SAMPLES)
            if sign == "restless" and not in_bed:
                on = False
            if on:
                state.since.setdefault(sign, ts)
                count += sign != "restless"
            else:
                state.since.pop(sign, None)
        state.count = count
        return count

    def _learn(self, r: Reading) -> None:
        resident = r.resident or ""
        for signal in ("hr", "rr", "spo2", "movement"):
            value = getattr(r, signal)
            if value is None or (value <= 0 and signal != "movement"):
                continue
            self.baselines.add(resident, r.ts, signal, value)

    def _decide(self, r: Reading, state: _Resident, cardio: int) -> list[Alert]:
        resident = r.resident or ""
        signs = len(state.since)
        concordant = cardio >= 2 or (cardio >= 1 and "restless" in state.since)
        if not concordant:
            state.concordant_since = None
            return self.latch.release(resident, r.ts, "Chest distress signs have settled.")
        if state.concordant_since is None:
            state.concordant_since = r.ts
            self.baselines.discard_epoch(resident)
        held = r.ts - state.concordant_since
        if signs >= 3 and held >= CONFIRM_S:
            priority = Priority.HIGH
        elif held >= CONFIRM_TWO_S:
            priority = Priority.MEDIUM
        elif self.latch.is_open(resident):
            latest = self.latch.latest(resident)
            priority = latest.priority if latest else Priority.MEDIUM
        else:
            return []
        return self.latch.hold(resident, self._alert(r, state, priority))

    def _alert(self, r: Reading, state: _Resident, priority: Priority) -> Alert:
        b = self.baselines.baseline(r.resident or "")
        onset = min(state.since.values())
        parts = []
        for sign in SIGNS:
            if sign not in state.since:
                continue
            held = f"for {r.ts - state.since[sign]:.0f} s"
            parts.append(_describe(sign, state, b, held))
        evidence = (
            f"Possible chest distress: {len(parts)} signs together. " + "; ".join(parts) + "."
        )
        return Alert(
            facility=r.facility,
            resident=r.resident,
            kind=AlertKind.CHEST_DISTRESS,
            priority=priority,
            ts=r.ts,
            onset=onset,
            evidence=evidence,
            detail={"signs": sorted(state.since), "baseline": dict(b.value)},
            exercise=r.exercise,
        )


def _describe(sign: str, state: _Resident, b: Baseline, held: str) -> str:
    if sign == "restless":
        return f"restless or sitting up in bed {held}"
    value = state.values[sign].median()
    shown = "?" if value is None else f"{value:.0f}"
    usual = f"usual asleep {b[sign]:.0f}"
    if sign == "hr":
        return f"heart rate {shown}/min ({usual}) {held}"
    if sign == "rr":
        return f"breathing {shown}/min ({usual}) {held}"
    return f"SpO2 down to {shown}% ({usual}) {held}"
