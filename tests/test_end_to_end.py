"""One real emergency along the whole path, on a real Mosquitto."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest

from alerting.incidents import State
from gateway.protocol import MAX_PAYLOAD_BYTES
from shouhu.runtime import Running
from tests.conftest import eventually
from tests.plain_mqtt import PlainClient

pytestmark = pytest.mark.mqtt

F = "demo-home"
NIGHT = dt.datetime(2026, 11, 30, 2, 13, tzinfo=dt.timezone(dt.timedelta(hours=8))).timestamp()


def sos(ts: float, seq: int = 1) -> bytes:
    return json.dumps({"ts": ts, "seq": seq, "type": "sos"}).encode()


async def next_message(client: PlainClient, timeout: float = 5.0) -> tuple[str, bytes]:
    return await asyncio.to_thread(client.get, timeout)


async def test_sos_pages_the_zone_nurse_after_the_incident_is_stored(
    core: Running, mqtt_url: str, tmp_path: Path
) -> None:
    db = tmp_path / "core.db"
    stored_when_paged: list[bool] = []

    def check_db(topic: str, payload: bytes) -> None:
        incident_id = json.loads(payload)["incident_id"]
        with sqlite3.connect(db) as conn:
            row = conn.execute("SELECT 1 FROM incidents WHERE id = ?", (incident_id,)).fetchone()
        stored_when_paged.append(row is not None)

    nurse = PlainClient(mqtt_url, on_message=check_db)
    device = PlainClient(mqtt_url)
    try:
        nurse.subscribe(f"shouhu/v1/{F}/staff/+/pages")
        device.publish(f"shouhu/v1/{F}/devices/wb-007/event", sos(NIGHT))
        topic, payload = await next_message(nurse)
        page = json.loads(payload)
        assert topic == f"shouhu/v1/{F}/staff/n-e-night/pages"  # r-007 lives in the east wing
        assert page["priority"] == "high" and page["kind"] == "sos"
        assert page["resident"] == {"id": "r-007", "name": "黄德福", "room": "207", "bed": "A"}
        assert "SOS" in page["summary"]
        assert stored_when_paged == [True]

        reply = {"page_id": page["page_id"], "status": "accepted", "ts": NIGHT + 20}
        nurse.publish(f"shouhu/v1/{F}/staff/n-e-night/replies", json.dumps(reply).encode())
        store = core.service.store

        async def accepted() -> bool:
            incident = await store.get(page["incident_id"])
            return incident is not None and incident.state is State.ACCEPTED

        await eventually(accepted)
        incident = await store.get(page["incident_id"])
        assert incident is not None and incident.accepted_by == "n-e-night"
        assert [e.type for e in incident.timeline] == ["detected", "paged", "accepted"]
    finally:
        nurse.close()
        device.close()


async def test_bad_messages_are_dead_lettered_and_the_next_sos_still_pages(
    core: Running, mqtt_url: str
) -> None:
    watcher = PlainClient(mqtt_url)
    device = PlainClient(mqtt_url)
    try:
        watcher.subscribe(f"shouhu/v1/{F}/deadletter")
        watcher.subscribe(f"shouhu/v1/{F}/staff/+/pages")
        base = f"shouhu/v1/{F}/devices"
        bad = [
            (f"{base}/wb-001/telemetry", b'{"ts": 1764353580, "hr": 7', "malformed JSON"),
            (f"{base}/wb-404/telemetry", b'{"ts": 1764353580, "hr": 70}', "unknown device"),
            (f"{base}/wb-001/telemetry", b'{"ts": 1764353580, "hr": "seventy"}', "hr:"),
            (f"{base}/wb-001/telemetry", b"{" + b" " * MAX_PAYLOAD_BYTES + b"}", "exceeds"),
        ]
        for topic, payload, _ in bad:
            device.publish(topic, payload)
        device.publish(f"{base}/wb-013/event", sos(NIGHT))

        letters, pages = [], []
        while len(letters) < len(bad) or not pages:
            topic, payload = await next_message(watcher)
            (pages if topic.endswith("/pages") else letters).append(json.loads(payload))
        assert [letter["topic"] for letter in letters] == [t for t, _, _ in bad]
        for letter, (_, _, reason) in zip(letters, bad, strict=True):
            assert reason in letter["reason"]
        assert pages[0]["resident"]["id"] == "r-013"
        assert core.service.counters.rejected == len(bad)
    finally:
        watcher.close()
        device.close()


async def test_the_handheld_says_arrived_and_calls_emergency_services(
    core: Running, mqtt_url: str
) -> None:
    """At the bedside the nurse has the handheld in hand, not a browser."""
    nurse = PlainClient(mqtt_url)
    device = PlainClient(mqtt_url)
    try:
        nurse.subscribe(f"shouhu/v1/{F}/staff/+/pages")
        device.publish(f"shouhu/v1/{F}/devices/wb-007/event", sos(NIGHT, seq=7))
        _, payload = await next_message(nurse)
        page = json.loads(payload)
        replies = f"shouhu/v1/{F}/staff/n-e-night/replies"
        for status, after in (("accepted", 10), ("arrived", 60), ("emergency", 70)):
            reply = {"page_id": page["page_id"], "status": status, "ts": NIGHT + after}
            nurse.publish(replies, json.dumps(reply).encode(), qos=1)
        store = core.service.store

        async def requested() -> bool:
            incident = await store.get(page["incident_id"])
            return incident is not None and "ems_requested" in [e.type for e in incident.timeline]

        await eventually(requested)
        incident = await store.get(page["incident_id"])
        assert incident is not None and incident.state is State.ARRIVED
        by_type = {e.type: e for e in incident.timeline}
        assert by_type["arrived"].actor == "n-e-night" and by_type["arrived"].channel == "mqtt"
        assert by_type["ems_requested"].actor == "n-e-night"
    finally:
        nurse.close()
        device.close()
