"""A fall seen only in a pendant's accelerometer batches pages a nurse, on a real Mosquitto."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

import pytest

from shouhu.runtime import Running
from tests.alerting.detectors.motion import free_fall, impact, lie, render, walk
from tests.plain_mqtt import PlainClient

pytestmark = pytest.mark.mqtt

F = "demo-home"
NIGHT = dt.datetime(2026, 11, 30, 2, 13, tzinfo=dt.timezone(dt.timedelta(hours=8))).timestamp()


async def test_a_fall_in_the_batches_pages_the_zone_nurse(core: Running, mqtt_url: str) -> None:
    hz = 50
    g = render([walk(8), free_fall(), impact(4.5, 90), lie(20)], hz)
    impact_at = NIGHT + 8.4
    nurse = PlainClient(mqtt_url)
    device = PlainClient(mqtt_url)
    try:
        nurse.subscribe(f"shouhu/v1/{F}/staff/+/pages")
        # the stream stops 14 s after the impact; the service's clock follows it
        for k in range(round(impact_at - NIGHT) + 14):
            batch = [[round(v, 3) for v in row] for row in g[k * hz : (k + 1) * hz].tolist()]
            body = {"ts": NIGHT + k, "seq": k + 1, "acc": {"hz": hz, "g": batch}}
            device.publish(f"shouhu/v1/{F}/devices/wb-007/telemetry", json.dumps(body).encode())
        # Other tests on this session's broker leave retained "offline" device statuses
        # behind (the simulator's last wills): their device_offline pages may come first.
        page: dict[str, object] = {}
        while page.get("kind") != "fall":
            _, payload = await asyncio.to_thread(nurse.get, 10.0)
            page = json.loads(payload)
        assert page["kind"] == "fall" and page["priority"] == "high"
        assert page["resident"]["id"] == "r-007"
        incident = await core.service.store.get(page["incident_id"])
        assert incident is not None
        assert "Hard impact (4.5 g) at 02:13:08, then lying still" in incident.evidence
        assert incident.opened_at - impact_at <= 15.0
    finally:
        nurse.close()
        device.close()
