"""Each emergency leaves the signature a detector (and a nurse) would look for."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import numpy as np
import pytest

from shouhu.facility import Facility
from simulator.behaviour import Posture
from simulator.engine import Simulation
from simulator.scenario import Scenario, ScriptedEvent
from tests.simulator.conftest import scenario

Series = dict[str, list[tuple[float, dict[str, Any]]]]


def by_device(sim: Simulation, only: str = "") -> tuple[Series, Series, Series]:
    """Telemetry, events and status payloads by device (those starting ``only``), by send time."""
    out: tuple[Series, Series, Series] = (defaultdict(list), defaultdict(list), defaultdict(list))
    index = {"telemetry": 0, "event": 1, "status": 2}
    for m in sim.messages():
        parts = m.topic.split("/")
        if not parts[4].startswith(only):
            continue
        body = json.loads(m.payload)
        out[index[parts[5]]][parts[4]].append((m.ts, body))
    return out


def mean(series: list[tuple[float, dict[str, Any]]], field: str, a: float, b: float) -> float:
    values = [body[field] for ts, body in series if a <= ts < b and field in body]
    assert values, f"no {field} between {a} and {b}"
    return float(np.mean(values))


def with_event(facility: Facility, resident: str, kind: str, **extra: Any) -> Scenario:
    base = scenario(facility, hours=1.5, residents=[resident])
    event = ScriptedEvent(at=base.start + 1800, resident=resident, kind=kind, **extra)  # type: ignore[arg-type]
    return base.model_copy(update={"events": [event]})


def test_chest_distress_raises_hr_and_rr_and_lowers_spo2_against_her_own_baseline(
    facility: Facility,
) -> None:
    sc = with_event(facility, "r-007", "chest_distress", severity=0.8)
    onset = sc.events[0].at
    telemetry, _, _ = by_device(Simulation(sc))
    wb, bed = telemetry["wb-007"], telemetry["bed-007"]
    before, during = (onset - 900, onset - 60), (onset + 600, onset + 1200)
    assert mean(wb, "hr", *during) - mean(wb, "hr", *before) > 20
    assert mean(bed, "rr", *during) - mean(bed, "rr", *before) > 6
    assert mean(wb, "spo2", *before) - mean(wb, "spo2", *during) > 3
    assert mean(bed, "movement", *during) > 2 * mean(bed, "movement", *before)
    assert all(body["presence"] for ts, body in bed if during[0] <= ts < during[1])
    assert mean(wb, "skin_temp", *before) - mean(wb, "skin_temp", *during) > 0.3


@pytest.mark.parametrize("course", ["sudden", "gradual"])
def test_sudden_chest_distress_shows_in_the_first_minute_a_gradual_one_later(
    facility: Facility, course: str
) -> None:
    """Sudden symptoms wake the resident breathless within a minute; a silent build does not."""
    sc = with_event(facility, "r-007", "chest_distress", severity=0.6, course=course)
    onset = sc.events[0].at
    sim = Simulation(sc)
    body = sim.residents["r-007"]
    i0 = int(onset - sc.start)
    rise = {
        v: float(np.mean(getattr(body.vitals, v)[i0 + 40 : i0 + 60]))
        - float(np.mean(getattr(body.vitals, v)[i0 - 300 : i0]))
        for v in ("hr", "rr")
    }
    sitting = bool((body.behaviour.posture[i0 : i0 + 90] == Posture.SITTING).any())
    if course == "sudden":
        assert rise["rr"] > 6 and rise["hr"] > 10 and sitting
    else:
        assert rise["rr"] < 3 and rise["hr"] < 8 and not sitting


def test_the_night_before_an_emergency_is_the_quiet_night(facility: Facility) -> None:
    sc = with_event(facility, "r-007", "chest_distress", severity=0.8)
    quiet = Simulation(sc.model_copy(update={"events": []}))
    distress = Simulation(sc)
    onset = int(sc.events[0].at - sc.start)
    a, b = quiet.residents["r-007"].vitals, distress.residents["r-007"].vitals
    # equal up to floating-point rounding (the filters run over the whole span)
    assert np.allclose(a.hr[:onset], b.hr[:onset], rtol=0, atol=1e-6)
    assert np.allclose(a.spo2[:onset], b.spo2[:onset], rtol=0, atol=1e-6)
    assert not np.allclose(a.hr[onset:], b.hr[onset:], rtol=0, atol=1)


def test_a_fall_is_an_impact_then_lying_on_the_floor(facility: Facility) -> None:
    sc = with_event(facility, "r-009", "fall", severity=0.8, outcome="still")
    onset = sc.events[0].at
    telemetry, _, _ = by_device(Simulation(sc))
    batches = [(ts, np.array(b["acc"]["g"])) for ts, b in telemetry["wb-009"] if "acc" in b]
    peak = max(np.linalg.norm(g, axis=1).max() for ts, g in batches if abs(ts - onset) < 3)
    assert peak > 3.0  # g
    later = [g for ts, g in batches if onset + 120 <= ts < onset + 600]
    still = np.mean([np.linalg.norm(g, axis=1).std() for g in later])
    assert still < 0.05  # lying still
    lying = np.mean([np.abs(g[:, 1]).mean() for g in later])  # little gravity along the body
    assert lying < 0.5
    bed = telemetry["bed-009"]
    assert not any(body["presence"] for ts, body in bed if onset + 60 <= ts < onset + 600)


def test_a_cancelled_fall_reports_fall_then_cancel(facility: Facility) -> None:
    sim = Simulation(with_event(facility, "r-012", "fall_cancelled", severity=0.3))
    _, events, _ = by_device(sim)
    assert [body["type"] for _, body in events["wb-012"]] == ["fall", "cancel"]
    assert sim.truth[0].kind == "fall_cancelled" and sim.truth[0].end > sim.truth[0].onset


def test_cardiac_arrest_loses_vitals_while_the_bed_still_feels_her(facility: Facility) -> None:
    sc = with_event(facility, "r-016", "cardiac_arrest", severity=1.0)
    onset = sc.events[0].at
    telemetry, _, _ = by_device(Simulation(sc))
    after = [b for ts, b in telemetry["bed-016"] if onset + 30 <= ts < onset + 1800]
    assert after and all(b["presence"] for b in after)
    assert not any("hr" in b or "rr" in b for b in after)
    assert max(b["movement"] for b in after) < 0.02
    worn = [b for ts, b in telemetry["wb-016"] if onset + 30 <= ts < onset + 1800]
    assert all(b["worn"] and "hr" not in b and "spo2" not in b for b in worn)


@pytest.mark.parametrize(
    ("kind", "check"),
    [
        ("device_offline", "offline"),
        ("battery_low", "battery"),
        ("device_removed", "removed"),
        ("sos", "sos"),
        ("bed_exit", "bed_exit"),
    ],
)
def test_device_and_button_emergencies(facility: Facility, kind: str, check: str) -> None:
    sc = with_event(facility, "r-010", kind)
    onset = sc.events[0].at
    sim = Simulation(sc)
    telemetry, events, status = by_device(sim)
    wb = telemetry["wb-010"]
    if check == "offline":
        assert not [ts for ts, _ in wb if onset + 1 <= ts < onset + 1199]
        states = [(ts - onset, b["state"]) for ts, b in status["wb-010"]]
        assert [s for _, s in states] == ["online", "offline", "online"]
        assert 30 < states[1][0] < 60  # the broker's last will, after the keepalive
    elif check == "battery":
        low = [ts for ts, b in wb if b["battery"] < 20]
        assert low and abs(low[0] - onset) < 60
        assert wb[-1][1]["battery"] < 17  # and keeps falling
    elif check == "removed":
        assert [b["type"] for _, b in events["wb-010"]] == ["removed"]
        off = [b for ts, b in wb if ts > onset + 60]
        assert all(not b["worn"] and "hr" not in b for b in off)
        assert off[-1]["skin_temp"] < 27
    elif check == "sos":
        assert [b["type"] for _, b in events["wb-010"]] == ["sos"]
        assert abs(events["wb-010"][0][0] - onset) < 1
    else:
        bed = telemetry["bed-010"]
        assert not any(b["presence"] for ts, b in bed if ts > onset + 5)
        assert any(b["presence"] for ts, b in bed if onset - 300 < ts < onset - 5)
    assert [e.kind for e in sim.truth] == [kind]


def test_deterioration_builds_over_hours(facility: Facility) -> None:
    base = scenario(facility, hours=5, residents=["r-013"], start_hour=0)
    event = ScriptedEvent(at=base.start + 600, resident="r-013", kind="deterioration", severity=0.8)
    sim = Simulation(base.model_copy(update={"events": [event]}))
    vitals = sim.residents["r-013"].vitals
    first, last = slice(0, 600), slice(4 * 3600 + 600, 5 * 3600)
    assert vitals.rr[last].mean() - vitals.rr[first].mean() > 6
    assert vitals.spo2[first].mean() - vitals.spo2[last].mean() > 4
    assert vitals.skin[last].mean() > vitals.skin[first].mean()


def test_bed_sensors_lose_a_fifth_to_a_third_of_their_samples(facility: Facility) -> None:
    sim = Simulation(scenario(facility, hours=1, start_hour=2))
    telemetry, _, _ = by_device(sim, only="bed-")
    for device, series in telemetry.items():
        if device.startswith("bed-"):
            in_bed = sim.residents["r-" + device[4:]].behaviour.in_bed.mean()
            if in_bed < 0.99:
                continue
            with_hr = sum("hr" in b for _, b in series) / 3600
            assert 0.6 < with_hr < 0.85, (device, with_hr)
