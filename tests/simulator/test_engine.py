from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
from collections import Counter

import jsonschema
import numpy as np
import pytest

from shouhu.facility import Facility
from simulator.engine import Simulation
from simulator.scenario import ScriptedEvent
from simulator.truth import TRUTH_KINDS
from tests.conftest import ROOT
from tests.simulator.conftest import scenario

VALIDATORS = {
    name: jsonschema.Draft202012Validator(
        json.loads((ROOT / "docs" / "schemas" / f"{name}.json").read_text()),
        format_checker=jsonschema.FormatChecker(),
    )
    for name in ("telemetry", "event", "status")
}


def every_kind(facility: Facility, start: float) -> list[ScriptedEvent]:
    residents = [r.id for r in facility.residents]
    return [
        ScriptedEvent(at=start + 600 + 60 * i, resident=residents[i], kind=kind)  # type: ignore[arg-type]
        for i, kind in enumerate(TRUTH_KINDS)
    ]


def digest(sim: Simulation) -> str:
    h = hashlib.sha256()
    for m in sim.messages():
        h.update(f"{m.ts!r} {m.topic} {m.qos} {m.retain} ".encode())
        h.update(m.payload)
    return h.hexdigest()


def test_a_facility_hour_with_every_emergency_passes_the_protocol_schemas(
    facility: Facility,
) -> None:
    base = scenario(facility)
    sim = Simulation(base.model_copy(update={"events": every_kind(facility, base.start)}))
    assert sorted(e.kind for e in sim.truth) == sorted(TRUTH_KINDS)
    channels: Counter[str] = Counter()
    last = 0.0
    for k, m in enumerate(sim.messages()):
        assert m.ts >= last, "messages come in the order they are sent"
        last = m.ts
        channel = m.topic.rsplit("/", 1)[1]
        channels[channel] += 1
        if channel != "telemetry" or k % 97 == 0:
            VALIDATORS[channel].validate(json.loads(m.payload))
    devices = len(facility.devices)
    assert channels["telemetry"] > 0.8 * devices * 3600
    assert channels["status"] >= devices
    assert channels["event"] >= 4  # sos, fall + cancel, removed


def test_the_same_seed_gives_byte_identical_messages(facility: Facility) -> None:
    short = scenario(facility, hours=0.1)
    sc = short.model_copy(update={"events": every_kind(facility, short.start - 540)[:3]})
    assert digest(Simulation(sc)) == digest(Simulation(sc))
    assert digest(Simulation(sc)) != digest(Simulation(sc.model_copy(update={"seed": 8})))


@pytest.mark.parametrize(
    "resident", ["r-001", "r-003", "r-004"]
)  # plain, COPD, AF on a beta-blocker
def test_quiet_night_vitals_are_in_published_sleeping_ranges(
    facility: Facility, resident: str
) -> None:
    sim = Simulation(scenario(facility, hours=2, residents=[resident]))
    state = sim.residents[resident]
    asleep = state.behaviour.stage >= 2
    assert asleep.mean() > 0.4
    hr = state.vitals.hr[asleep].mean()
    rr = state.vitals.rr[asleep].mean()
    assert 45 <= hr <= 80, hr
    assert 10 <= rr <= 22, rr
    spo2 = state.vitals.spo2.mean()
    assert (86 <= spo2 <= 93) if resident == "r-003" else (92 <= spo2 <= 99), spo2


def test_devices_duplicate_reorder_and_skew_like_real_ones(facility: Facility) -> None:
    sim = Simulation(scenario(facility, hours=0.5))
    seen: dict[str, list[int]] = {}
    skews: dict[str, list[float]] = {}
    for m in sim.messages():
        if not m.topic.endswith("/telemetry"):
            continue
        device = m.topic.split("/")[4]
        body = json.loads(m.payload)
        seen.setdefault(device, []).append(body["seq"])
        stamped = dt.datetime.fromisoformat(body["ts"]).timestamp()
        skews.setdefault(device, []).append(m.ts - stamped)
    duplicates = sum(len(s) - len(set(s)) for s in seen.values())
    late = sum(sum(1 for a, b in itertools.pairwise(s) if b < a) for s in seen.values())
    sent = sum(len(s) for s in seen.values())
    assert 0 < duplicates < 0.01 * sent
    assert 0 < late < 0.02 * sent
    offsets = [float(np.median(s)) for s in skews.values()]
    assert max(offsets) - min(offsets) > 0.5  # the devices' clocks disagree
