"""Nighttime chest distress: concordant signs held over a confirmation window.

Signs, each against the resident's own sleeping baseline (``BaselineBook``):

- heart rate well above the baseline, or above an absolute limit;
- fast breathing;
- SpO2 falling below the baseline;
- restless or sitting up in bed: the bed's movement index, averaged over
  ``SIGN_WINDOW_S``, well above lying still (from the wearable's
  accelerometer when the bed gives no movement).

A vital sign is on when it held in ``SIGN_SHARE`` of the samples of the last
``SIGN_WINDOW_S`` seconds, so one artifact (a single low SpO2 sample, a
motion spike) never turns a sign on. Waking up, sitting up or turning over
raises the pulse, the breathing and the bed's movement together; what an
arousal does not do is lower the SpO2 or push the pulse or the breathing
far up. So an alarm needs two cardiorespiratory signs and a *specific* one:
falling SpO2, or the heart or breathing rate at its ``strong`` level (the
heart rate only against a known baseline).

- ``high``: three signs or more (restlessness counts as the third), one of
  them specific, held ``CONFIRM_S`` seconds;
- ``medium``: two cardiorespiratory signs, one of them specific, held
  ``CONFIRM_TWO_S`` seconds, once the resident's baselines are known
  (learned or configured: a default baseline is not trusted for that).

Watched at night or while the resident is in bed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from alerting.baselines import Baseline, BaselineBook
from alerting.detectors.latch import Latch
from alerting.detectors.night import NightHours
from alerting.detectors.window import FlagWindow, MeanWindow, RecentValues
from alerting.words import english
from shouhu.domain import Alert, AlertKind, Fact, Observation, Priority, Reading
from shouhu.facility import Facility

SIGN_WINDOW_S = 20.0
SIGN_SHARE = 0.6
SIGN_MIN_SAMPLES = 5
CONFIRM_S = 15.0
CONFIRM_TWO_S = 60.0
BREATHLESS_S = 30.0  # fast breathing at its strong level, restless: without a pulse rise
CLEAR_AFTER_S = 120.0
EVALUATE_S = 1.0
IN_BED_S = 60.0  # presence seen this recently means in bed
HR_ABSOLUTE = 120.0
ACC_RESTLESS_G = 0.08  # sd of |acc| in a batch: moving about
RESTLESS_MOVEMENT = 0.07  # mean bed movement index: above lying awake, as when sitting up
DROPOUT_HOLD_S = 30.0  # a sign on stays on while its sensor is silent (moving, dropouts)
RESTLESS_HOLD_S = 45.0  # restlessness comes in bursts: it stays a sign this long after one
SIGNS = ("hr", "rr", "spo2", "restless", "hr+", "rr+")
VITALS = ("hr", "rr", "spo2")


@dataclass(frozen=True, slots=True)
class Limits:
    hr: float
    rr: float
    spo2: float
    movement: float
    hr_strong: float
    rr_strong: float
    rr_breathless: float  # far above this resident's own usual, whatever it is (COPD)

    def far_above(self, rr: float | None) -> bool:
        """Breathing far above the usual: the strong level says so unless a cap lowered it."""
        return self.rr_breathless <= self.rr_strong or (rr is not None and rr >= self.rr_breathless)

    @classmethod
    def of(cls, b: Baseline) -> Limits:
        hr_rise = max(15.0, 0.2 * b["hr"], 2.5 * b.spread["hr"])
        absolute = b.hr_max if b.hr_max is not None else max(HR_ABSOLUTE, b["hr"] + 15.0)
        rr = min(b["rr"] + max(4.0, 0.25 * b["rr"]), max(24.0, b["rr"] + 4.0))
        spo2 = b["spo2"] - max(3.0, 2.0 * b.spread["spo2"])
        movement = max(RESTLESS_MOVEMENT, b["movement"] + 0.05)
        hr_strong = min(b["hr"] + max(25.0, 0.35 * b["hr"]), absolute + 10.0)
        rr_strong = min(b["rr"] + max(7.0, 0.45 * b["rr"]), max(26.0, b["rr"] + 5.0))
        hr = min(b["hr"] + hr_rise, absolute)
        breathless = b["rr"] + max(7.0, 0.45 * b["rr"])
        return cls(hr, rr, spo2, movement, hr_strong, rr_strong, breathless)


@dataclass(slots=True)
class _Resident:
    windows: dict[str, FlagWindow] = field(
        default_factory=lambda: {s: FlagWindow(SIGN_WINDOW_S) for s in SIGNS}
    )
    movement: MeanWindow = field(default_factory=lambda: MeanWindow(SIGN_WINDOW_S))
    values: dict[str, RecentValues] = field(
        default_factory=lambda: {s: RecentValues() for s in ("hr", "rr", "spo2")}
    )
    since: dict[str, float] = field(default_factory=dict)  # sign -> when it turned on
    held_at: dict[str, float] = field(default_factory=dict)  # sign -> last seen on with data
    version: int = -1
    limits: Limits | None = None
    known: bool = False  # baselines learned or configured
    last_presence: float = float("-inf")
    restless_at: float = float("-inf")  # restless or sitting up was last seen
    concordant_since: float | None = None
    count: int = 0
    evaluated: float = float("-inf")  # the signs were last counted at


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
        if in_bed and state.count < 2 and "restless" not in state.since:
            self._learn(obs)
        if ts - state.evaluated < EVALUATE_S:  # windows of 20 s: once a second is enough
            return []
        state.evaluated = ts
        count = self._count(state, ts, in_bed)
        return self._decide(obs, state, count)

    def tick(self, now: float) -> list[Alert]:
        out: list[Alert] = []
        for ident in self.latch:
            state = self._residents.get(str(ident))
            if state is not None and now - state.last_presence > SIGN_WINDOW_S * 4:
                out.extend(self.latch.release(ident, now, SETTLED))
        return out

    def _limits(self, resident: str, state: _Resident) -> Limits:
        version = self.baselines.version(resident)
        if state.limits is None or version != state.version:
            baseline = self.baselines.baseline(resident)
            state.limits = Limits.of(baseline)
            state.known = baseline.known()
            state.version = version
        return state.limits

    def _flag(self, r: Reading, state: _Resident, limits: Limits, in_bed: bool) -> None:
        w, ts = state.windows, r.ts
        if r.hr is not None and r.hr > 0:
            w["hr"].add(ts, r.hr >= limits.hr)
            w["hr+"].add(ts, r.hr >= limits.hr_strong)
            state.values["hr"].add(r.hr)
        if r.rr is not None and r.rr > 0:
            w["rr"].add(ts, r.rr >= limits.rr)
            w["rr+"].add(ts, r.rr >= limits.rr_strong)
            state.values["rr"].add(r.rr)
        if r.spo2 is not None and r.spo2 > 0:
            w["spo2"].add(ts, r.spo2 <= limits.spo2)
            state.values["spo2"].add(r.spo2)
        if in_bed and r.movement is not None:
            state.movement.add(ts, r.movement)
        elif in_bed and r.acc is not None and state.count >= 1:
            g = r.acc.g
            mag = (g * g).sum(axis=1) ** 0.5
            w["restless"].add(ts, float(mag.std()) >= ACC_RESTLESS_G)

    def _count(self, state: _Resident, ts: float, in_bed: bool) -> int:
        count = 0
        state.movement.expire(ts)
        for sign, window in state.windows.items():
            window.expire(ts)
            was_on = sign in state.since
            on = window.holds(share=SIGN_SHARE, at_least=SIGN_MIN_SAMPLES)
            if on:
                state.held_at[sign] = ts
            elif window.count < SIGN_MIN_SAMPLES and was_on:
                # no data is not a normal reading: the bed loses hr/rr while the body moves
                on = ts - state.held_at.get(sign, ts) <= DROPOUT_HOLD_S
            if sign == "restless":
                moving = state.movement.count >= SIGN_MIN_SAMPLES and (
                    state.movement.mean >= (state.limits.movement if state.limits else 1.0)
                )
                seen = in_bed and (moving or window.holds(share=0.3, at_least=SIGN_MIN_SAMPLES))
                if seen:
                    state.restless_at = ts
                on = in_bed and ts - state.restless_at <= RESTLESS_HOLD_S
            if on:
                state.since.setdefault(sign, ts)
                count += sign in VITALS
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
        since = state.since
        signs = sum(1 for sign in since if sign in SIGNS[:4])
        # A default baseline cannot say the pulse is far above *this* resident's usual.
        specific = "spo2" in since or "rr+" in since or ("hr+" in since and state.known)
        # Fast breathing at its strong level in a resident who is restless or sitting up
        # is respiratory distress even when a beta-blocker holds the pulse down.
        breathless = (
            "rr+" in since
            and "restless" in since
            and state.limits is not None
            and state.limits.far_above(state.values["rr"].median())
        )
        if (cardio < 2 and not breathless) or not specific:
            state.concordant_since = None
            return self.latch.release(resident, r.ts, SETTLED)
        if state.concordant_since is None:
            state.concordant_since = r.ts
            self.baselines.discard_epoch(resident)
        held = r.ts - state.concordant_since
        if (signs >= 3 and held >= CONFIRM_S) or (breathless and held >= BREATHLESS_S):
            priority = Priority.HIGH
        elif held >= CONFIRM_TWO_S and state.known:
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
        parts = tuple(
            _describe(sign, state, b, r.ts - state.since[sign])
            for sign in SIGNS[:4]
            if sign in state.since
        )
        facts = (Fact("chest.signs", count=len(parts), signs=parts),)
        return Alert(
            facility=r.facility,
            resident=r.resident,
            kind=AlertKind.CHEST_DISTRESS,
            priority=priority,
            ts=r.ts,
            onset=onset,
            evidence=english(facts),
            facts=facts,
            detail={"signs": sorted(state.since), "baseline": dict(b.value)},
            exercise=r.exercise,
        )


SETTLED = Fact("chest.settled")


def _describe(sign: str, state: _Resident, b: Baseline, held: float) -> Fact:
    """One sign: chest.hr, chest.rr, chest.spo2 (value None: not known) or chest.restless."""
    if sign == "restless":
        return Fact("chest.restless", held=held)
    return Fact(f"chest.{sign}", value=state.values[sign].median(), usual=b[sign], held=held)
