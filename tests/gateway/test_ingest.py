from __future__ import annotations

import datetime as dt
import json

import pytest

from gateway.ingest import StaffReply, decode
from gateway.protocol import MAX_PAYLOAD_BYTES
from gateway.registry import DeviceRegistry
from shouhu.domain import DeviceEvent, DeviceStatus, Reading
from shouhu.errors import RejectedMessage
from shouhu.facility import Facility

T = "shouhu/v1/demo-home/devices"
NOW = 1_764_380_000.0


@pytest.fixture
def registry(facility: Facility) -> DeviceRegistry:
    return DeviceRegistry([facility])


def test_telemetry_becomes_a_reading_of_the_resident(registry: DeviceRegistry) -> None:
    payload = json.dumps(
        {
            "ts": "2026-11-29T02:13:00+08:00",
            "seq": 7,
            "hr": 72,
            "spo2": 95.5,
            "acc": {"hz": 50, "g": [[0, 0, 1], [0.1, 0, 0.98]]},
        }
    ).encode()
    reading = decode(f"{T}/wb-007/telemetry", payload, registry, received=NOW)
    assert isinstance(reading, Reading)
    assert reading.resident == "r-007" and reading.hr == 72 and reading.spo2 == 95.5
    assert reading.rr is None  # not measured is not normal
    assert reading.ts == dt.datetime(2026, 11, 28, 18, 13, tzinfo=dt.UTC).timestamp()
    assert reading.acc is not None and reading.acc.g.shape == (2, 3)


def test_unix_seconds_are_accepted(registry: DeviceRegistry) -> None:
    reading = decode(
        f"{T}/bed-001/telemetry", b'{"ts": 1764353580.5, "presence": true}', registry, received=NOW
    )
    assert isinstance(reading, Reading) and reading.ts == 1764353580.5 and reading.presence


def test_sos_event(registry: DeviceRegistry) -> None:
    event = decode(
        f"{T}/wb-003/event", b'{"ts": 1764353580, "seq": 1, "type": "SOS"}', registry, received=NOW
    )
    assert isinstance(event, DeviceEvent) and event.type == "sos" and event.resident == "r-003"


@pytest.mark.parametrize("payload", [b"offline", b'{"state": "offline"}'])
def test_status_plain_or_json(registry: DeviceRegistry, payload: bytes) -> None:
    status = decode(f"{T}/bed-002/status", payload, registry, received=NOW)
    assert isinstance(status, DeviceStatus) and not status.online and status.ts == NOW


def test_reply_from_a_handheld(registry: DeviceRegistry) -> None:
    reply = decode(
        "shouhu/v1/demo-home/staff/n-e-night/replies",
        b'{"page_id": "p1", "status": "accepted", "ts": 1764353580}',
        registry,
        received=NOW,
    )
    assert reply == StaffReply("demo-home", "n-e-night", "p1", "accepted", 1764353580.0)


@pytest.mark.parametrize(
    ("topic", "payload", "reason"),
    [
        (f"{T}/wb-001/telemetry", b'{"ts": 1764353580, "hr": ', "malformed JSON"),
        (f"{T}/wb-001/telemetry", b"\xff\xfe", "malformed JSON"),
        (f"{T}/wb-999/telemetry", b'{"ts": 1764353580}', "unknown device 'wb-999'"),
        (
            "shouhu/v1/other-home/devices/wb-001/telemetry",
            b'{"ts": 1764353580}',
            "unknown device 'wb-001' in facility 'other-home'",
        ),
        (f"{T}/wb-001/telemetry", b'{"ts": 1764353580, "hr": "fast"}', "hr: Input should be"),
        (f"{T}/wb-001/telemetry", b'{"ts": 1764353580, "spo2": 140}', "spo2: Input should be"),
        (f"{T}/wb-001/telemetry", b'{"hr": 70}', "ts: Field required"),
        (f"{T}/wb-001/telemetry", b'{"ts": "2026-11-29T02:13:00"}', "UTC offset"),
        (f"{T}/wb-001/telemetry", b'{"ts": 12}', "outside 2000..2100"),
        (f"{T}/wb-001/telemetry", b"[1, 2]", "Input should be an object"),
        (f"{T}/wb-001/event", b'{"ts": 1764353580}', "type: Field required"),
        (
            f"{T}/wb-001/telemetry",
            json.dumps({"ts": 1764353580, "acc": {"hz": 50, "g": [[0, 1]]}}).encode(),
            "acc.g.0",
        ),
        (f"{T}/wb-001/telemetry", b"{" + b" " * MAX_PAYLOAD_BYTES + b"}", "exceeds"),
        ("shouhu/v2/demo-home/devices/wb-001/telemetry", b"{}", "unknown topic"),
        (f"{T}/wb-001/firmware", b"{}", "unknown device channel"),
    ],
)
def test_bad_input_is_rejected_with_a_reason(
    registry: DeviceRegistry, topic: str, payload: bytes, reason: str
) -> None:
    with pytest.raises(RejectedMessage) as caught:
        decode(topic, payload, registry, received=NOW)
    assert reason in caught.value.reason
