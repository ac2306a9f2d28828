"""Scripted emergencies with a clinically plausible course, and their ground truth.

Each kind edits a resident's ``Course`` (behaviour, drives, device scripts)
and returns the ``TruthEvent`` a detector is scored against. Magnitudes scale
with ``severity``; docs/simulator.md gives the courses and their sources.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from simulator.behaviour import MIN, Posture, Stage
from simulator.course import Course, ramp
from simulator.scenario import ScriptedEvent
from simulator.truth import TruthEvent
from simulator.vitals import red_noise

LAST_WILL_DELAY_S = 45.0  # the broker publishes a device's will after 1.5 x a 30 s keepalive
BATTERY_LOW_PERCENT = 20.0


def apply(course: Course, event: ScriptedEvent) -> TruthEvent:
    return KINDS[event.kind](course, event)


def _truth(
    c: Course,
    e: ScriptedEvent,
    end_index: int,
    detail: str,
    device: str | None = None,
    variant: str = "",
) -> TruthEvent:
    end = min(c.ts(min(end_index, c.n)), c.scenario.end)
    return TruthEvent(
        resident=c.resident.id,
        kind=e.kind,
        onset=e.at,
        end=max(end, e.at),
        severity=e.severity,
        detail=detail,
        device=device,
        exercise=e.exercise,
        variant=variant,
    )


def _span(c: Course, e: ScriptedEvent, default_s: float | None) -> tuple[int, int]:
    i0 = c.beh.index(e.at)
    length = e.duration_s or default_s
    return i0, c.n if length is None else min(c.n, i0 + int(length))


def _wake_up(c: Course, a: int, b: int) -> None:
    c.beh.write(a, b, stage=Stage.WAKE)


def _stand_up(c: Course, i0: int) -> None:
    """Make the resident be up and walking at ``i0`` (getting out of bed first if needed)."""
    beh, rng = c.beh, c.rng
    if 0 <= i0 < beh.n and beh.posture[i0] in (Posture.WALKING, Posture.STANDING):
        return
    walk = int(rng.uniform(15, 60))
    if 0 <= i0 - 1 < beh.n and beh.in_bed[i0 - 1]:
        sit = int(rng.uniform(15, 40))
        beh.write(i0 - walk - sit - 60, i0 - walk - sit, stage=Stage.WAKE)
        beh.write(i0 - walk - sit, i0 - walk, stage=Stage.WAKE, posture=Posture.SITTING)
        beh.burst(i0 - walk - sit, 4, 0.4)
    beh.write(i0 - walk, i0, stage=Stage.WAKE, posture=Posture.WALKING, in_bed=False)


def chest_distress(c: Course, e: ScriptedEvent) -> TruthEvent:
    """Sudden chest tightness and breathlessness that wakes the resident, then builds.

    Two parts, as in paroxysmal nocturnal dyspnoea and acute coronary
    syndromes at night: the symptoms start abruptly (``at``) and wake the
    resident within seconds; pain and breathlessness drive the breathing and
    the pulse up within the first minute (a share of the full rise) and make
    them sit up (orthopnoea). Hypoxaemia and the rest of the rise build over
    3-8 minutes (faster when severe). ``course: gradual`` leaves out the abrupt
    part: a silent build over minutes, as in a resident who cannot feel or
    report symptoms. Lasts ``duration_s`` (45 min), then eases over a quarter
    of an hour.
    """
    i0, i1 = _span(c, e, 45 * MIN)
    rng, p, s = c.rng, c.profile, e.severity
    sudden = e.course != "gradual"
    rise = int(rng.uniform(4, 8) * MIN * (1.3 - 0.5 * s))
    d_hr = (15 + 30 * s) * p.hr_gain
    d_rr = 6 + 10 * s
    d_spo2 = (2 + 6 * s) * (1.3 if p.copd else 1.0)
    build = ramp(c.n, i0, rise)
    if sudden:
        surge = int(rng.uniform(10, 30))  # seconds to the first peak of breathlessness
        share = float(rng.uniform(0.55, 0.75))
        abrupt = ramp(c.n, i0, surge)
        cardio = share * abrupt + (1 - share) * build
    else:
        cardio = build
    ease = ramp(c.n, i1, 15 * MIN)
    cardio = (cardio - ease) * (1 + red_noise(rng, c.n, 0.06, 120))
    c.drives.hr += d_hr * cardio
    c.drives.rr += d_rr * cardio
    c.drives.spo2 -= d_spo2 * (build - ease) * (1 + red_noise(rng, c.n, 0.06, 120))
    c.drives.skin -= (0.4 + 0.8 * s) * (ramp(c.n, i0, rise * 3) - ramp(c.n, i1, 30 * MIN))
    wake = i0 + int(rng.uniform(3, 15) if sudden else rng.uniform(20, 60))
    _wake_up(c, wake, i1 + 20 * MIN)
    in_bed = 0 <= i0 < c.n and bool(c.beh.in_bed[i0])
    sit = i0 + int(rng.uniform(20, 90) if sudden else rise * rng.uniform(0.4, 0.7))
    if in_bed:
        c.beh.write(i0, i1, in_bed=True, posture=Posture.SUPINE)
        c.beh.write(sit, i1, posture=Posture.SITTING)
    t = wake
    while t < i1:
        c.beh.burst(t, int(rng.uniform(3, 10)), float(rng.uniform(0.25, 0.3 + 0.4 * s)))
        t += int(rng.uniform(20, 60))
    detail = (
        f"HR +{d_hr:.0f}/min, RR +{d_rr:.0f}/min, SpO2 -{d_spo2:.1f} % "
        + (f"({100 * share:.0f} % of the HR and RR rise within {surge} s), " if sudden else "")
        + f"building over {rise / 60:.1f} min; restless"
        + (f", sits up in bed at +{sit - i0} s" if in_bed else "")
        + f"; eases after {(i1 - i0) / 60:.0f} min"
    )
    return _truth(c, e, i1, detail, variant="" if sudden else "gradual")


def cardiac_arrest(c: Course, e: ScriptedEvent) -> TruthEvent:
    i0, i1 = _span(c, e, None)
    c.drives.pulse[max(i0, 0) : i1] = False
    c.drives.skin -= 4.0 * (1 - np.exp(-np.clip(np.arange(c.n) - i0, 0, None) / 3600.0))
    c.beh.still.append((i0 + 3, i1))
    c.beh.burst(i0, 3, 0.5)  # the collapse: a brief jerk, then nothing
    where = "in bed"
    if 0 <= i0 < c.n and not c.beh.in_bed[i0]:
        c.beh.write(i0, i1, stage=Stage.WAKE, posture=Posture.FLOOR)
        script = c.device_of("wearable")
        if script is not None:
            script.impacts.append((e.at, 2.0 + 1.5 * e.severity))
        where = "out of bed: collapses to the floor"
    detail = f"no pulse or breathing from onset, {where}; bed presence stays"
    return _truth(c, e, i1, detail)


def fall(c: Course, e: ScriptedEvent) -> TruthEvent:
    i0, i1 = _span(c, e, None)
    rng = c.rng
    _stand_up(c, i0)
    c.beh.write(i0, i1, stage=Stage.WAKE, posture=Posture.FLOOR, in_bed=False)
    peak = 2.5 + 4.0 * e.severity + rng.uniform(-0.3, 0.3)
    script = c.device_of("wearable")
    device = None
    if script is not None:
        device = script.device.id
        script.impacts.append((e.at, peak))
        if e.device_event:
            script.events.append((e.at + rng.uniform(4, 12), "fall"))
    c.drives.hr += (6 + 10 * e.severity) * c.profile.hr_gain * ramp(c.n, i0, 60, end=i1)
    if e.outcome == "still":
        c.beh.still.append((i0 + 2, i1))
    else:
        t = i0 + int(rng.uniform(5, 30))
        while t < i1:
            c.beh.burst(t, int(rng.uniform(3, 12)), float(rng.uniform(0.3, 0.7)))
            t += int(rng.uniform(15, 60))
    detail = f"impact {peak:.1f} g, then lies {e.outcome} on the floor"
    return _truth(c, e, i1, detail, device)


def fall_cancelled(c: Course, e: ScriptedEvent) -> TruthEvent:
    i0 = c.beh.index(e.at)
    rng = c.rng
    _stand_up(c, i0)
    c.beh.write(i0, i0 + 90, stage=Stage.WAKE, posture=Posture.SEATED, in_bed=False)
    c.beh.write(i0 + 90, i0 + 120, stage=Stage.WAKE, posture=Posture.WALKING, in_bed=False)
    c.beh.write(i0 + 120, i0 + 600, stage=Stage.WAKE, posture=Posture.SUPINE, in_bed=True)
    script = c.device_of("wearable", chosen=e.device)
    assert script is not None  # the scenario checked that a wearable exists
    script.impacts.append((e.at, 1.6 + 0.8 * e.severity))
    reported = e.at + rng.uniform(3, 8)
    cancelled = reported + rng.uniform(8, 40)
    script.events += [(reported, "fall"), (cancelled, "cancel")]
    detail = f"sits down hard; device reports a fall at +{reported - e.at:.0f} s, "
    detail += f"resident cancels at +{cancelled - e.at:.0f} s"
    return _truth(c, e, c.beh.index(cancelled), detail, script.device.id)


def sos(c: Course, e: ScriptedEvent) -> TruthEvent:
    i0 = c.beh.index(e.at)
    script = c.device_of("button", "wearable", chosen=e.device)
    assert script is not None
    _wake_up(c, i0 - 40, i0 + 600)
    if 0 <= i0 < c.n and c.beh.in_bed[i0]:
        c.beh.write(i0 - 20, i0 + 600, posture=Posture.SITTING)
    c.beh.burst(i0 - 2, 4, 0.4)
    c.drives.hr += 6 * c.profile.hr_gain * ramp(c.n, i0 - 40, 30, end=i0 + 600)
    script.events.append((e.at, "sos"))
    return _truth(c, e, i0, f"SOS pressed on {script.device.id}", script.device.id)


def deterioration(c: Course, e: ScriptedEvent) -> TruthEvent:
    i0 = c.beh.index(e.at)
    rise = int(e.duration_s or 4 * 3600)
    s, p = e.severity, c.profile
    shape = ramp(c.n, i0, rise)
    d_hr, d_rr = (10 + 25 * s) * p.hr_gain, 4 + 10 * s
    d_spo2, d_temp = 2 + 6 * s, 0.3 + 1.2 * s
    c.drives.hr += d_hr * shape
    c.drives.rr += d_rr * shape
    c.drives.spo2 -= d_spo2 * shape
    c.drives.skin += d_temp * shape
    t = i0 + int(c.rng.exponential(20 * MIN))
    while t < c.n:  # fever and breathlessness fragment the night
        _wake_up(c, t, t + int(c.rng.uniform(2, 10) * MIN))
        t += int(c.rng.exponential(max(5.0, 40 - 30 * shape[min(t, c.n - 1)]) * MIN))
    detail = (
        f"over {rise / 3600:.1f} h: HR +{d_hr:.0f}/min, RR +{d_rr:.0f}/min, "
        f"SpO2 -{d_spo2:.1f} %, temperature +{d_temp:.1f} °C"
    )
    return _truth(c, e, c.n, detail)


def bed_exit(c: Course, e: ScriptedEvent) -> TruthEvent:
    i0, i1 = _span(c, e, None)
    rng = c.rng
    c.beh.write(i0 - 15 * MIN, i0, stage=Stage.WAKE, posture=Posture.SUPINE, in_bed=True)
    c.beh.write(i0 - 40, i0, posture=Posture.SITTING)
    t = i0
    while t < i1:  # wandering: walks, stands, sits in the corridor; never back to bed
        for posture, span in (
            (Posture.WALKING, 180),
            (Posture.STANDING, 60),
            (Posture.SEATED, 600),
        ):
            length = int(rng.uniform(0.3, 1.0) * span)
            c.beh.write(t, min(t + length, i1), stage=Stage.WAKE, posture=posture, in_bed=False)
            t += length
    return _truth(c, e, i1, "leaves the bed at night and does not return")


def device_offline(c: Course, e: ScriptedEvent) -> TruthEvent:
    i0, i1 = _span(c, e, 20 * MIN)
    script = c.device_of("wearable", "bed", chosen=e.device)
    assert script is not None
    script.offline.append((i0, i1))
    detail = f"{script.device.id} stops reporting for {(i1 - i0) / 60:.0f} min"
    return _truth(c, e, i1, detail, script.device.id)


def battery_low(c: Course, e: ScriptedEvent) -> TruthEvent:
    i0 = c.beh.index(e.at)
    script = c.device_of("wearable", chosen=e.device)
    assert script is not None
    rate = c.rng.uniform(3.0, 6.0) / 3600  # %/s: an ageing battery
    level0 = BATTERY_LOW_PERCENT + rate * i0
    if level0 > 100:
        rate = (100 - BATTERY_LOW_PERCENT) / max(i0, 1)
        level0 = 100.0
    script.battery = (level0, rate)
    dead = i0 + int(BATTERY_LOW_PERCENT / rate)
    if dead < c.n:
        script.offline.append((dead, c.n))
    detail = f"{script.device.id} battery falls below {BATTERY_LOW_PERCENT:.0f} % "
    detail += f"at {rate * 3600:.1f} %/h" + (", then dies" if dead < c.n else "")
    return _truth(c, e, min(dead, c.n), detail, script.device.id)


def device_removed(c: Course, e: ScriptedEvent) -> TruthEvent:
    i0, i1 = _span(c, e, None)
    script = c.device_of("wearable", chosen=e.device)
    assert script is not None
    script.removed.append((i0, i1))
    script.events.append((e.at + c.rng.uniform(1, 5), "removed"))
    c.beh.burst(i0 - 10, 10, 0.35)
    detail = f"{script.device.id} taken off" + (
        "" if i1 >= c.n else f" for {(i1 - i0) / 60:.0f} min"
    )
    return _truth(c, e, i1, detail, script.device.id)


KINDS: dict[str, Callable[[Course, ScriptedEvent], TruthEvent]] = {
    "sos": sos,
    "fall": fall,
    "fall_cancelled": fall_cancelled,
    "chest_distress": chest_distress,
    "cardiac_arrest": cardiac_arrest,
    "deterioration": deterioration,
    "bed_exit": bed_exit,
    "device_offline": device_offline,
    "battery_low": battery_low,
    "device_removed": device_removed,
}
