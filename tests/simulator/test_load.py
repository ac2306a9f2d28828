"""Load mode: plausible, valid telemetry, and an honest count of what was sent."""

from __future__ import annotations

import collections
import time

import pytest

from gateway import protocol
from gateway.ingest import decode
from gateway.registry import DeviceRegistry
from shouhu.domain import Reading
from shouhu.errors import ConfigError
from shouhu.facility import Facility, parse_facility
from simulator.load import TelemetryMaker, facility_yaml, run_load, synthetic_facility
from tests.conftest import eventually
from tests.plain_mqtt import PlainClient


def test_the_synthetic_facility_is_a_valid_facility_file() -> None:
    facility = synthetic_facility(120)
    again = parse_facility(facility_yaml(facility))
    assert again == facility
    assert len(again.residents) == 120
    assert {d.kind for d in again.devices} == {"wearable", "bed"}
    for resident in again.residents:
        nurses = [s for s in again.staff if resident.zone in s.zones]
        assert {s.shifts[0] for s in nurses} == {"day", "night"}, resident.id


@pytest.mark.parametrize("per_device_hz", [0.5, 1.0, 5.0, 20.0])
def test_every_message_passes_the_gateway_as_a_plausible_reading(per_device_hz: float) -> None:
    facility = synthetic_facility(10)
    maker = TelemetryMaker(facility, 10, per_device_hz=per_device_hz, seed=3)
    registry = DeviceRegistry([facility])
    now = time.time()
    readings = []
    for _ in range(200):
        topic, payload = maker.next(now)
        reading = decode(topic, payload, registry, received=now)
        assert isinstance(reading, Reading)
        readings.append(reading)
    assert {r.resident for r in readings} == {r.id for r in facility.residents}
    for r in readings:
        assert r.ts == pytest.approx(now, abs=0.001)
        assert r.hr is not None and 40 < r.hr < 110
        if r.acc is not None:
            assert 85 < (r.spo2 or 0) <= 100
            assert r.acc.hz == 25
            assert len(r.acc.g) == max(1, min(50, round(25 / per_device_hz)))
        else:
            assert r.presence is True and r.rr is not None and 8 < r.rr < 24
    seqs = collections.defaultdict(list)
    for r in readings:
        seqs[r.device].append(r.seq)
    assert all(s == list(range(1, len(s) + 1)) for s in seqs.values())


def test_a_facility_without_enough_residents_is_a_clear_error(facility: Facility) -> None:
    with pytest.raises(ConfigError, match="24 residents with a wearable and a bed"):
        TelemetryMaker(facility, 25, per_device_hz=1)


@pytest.mark.mqtt
async def test_the_report_counts_exactly_what_the_broker_delivered(mqtt_url: str) -> None:
    facility = synthetic_facility(50, facility_id="load-test")
    received: collections.Counter[str] = collections.Counter()
    listener = PlainClient(mqtt_url, on_message=lambda topic, _: received.update([topic]))
    try:
        listener.subscribe(f"{protocol.PREFIX}/load-test/devices/+/telemetry")
        report = await run_load(mqtt_url, facility, residents=50, rate=2000, seconds=1.0, qos=1)
        assert report.errors == 0
        assert report.sent > 0
        await eventually(lambda: sum(received.values()) >= report.sent, timeout=10)
        assert sum(received.values()) == report.sent
        assert len(received) == 100  # every wearable and bed sensor published
    finally:
        listener.close()
