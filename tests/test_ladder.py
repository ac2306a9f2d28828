"""The full ladder on a simulated night: a real Mosquitto, the event clock, a real webhook.

The zone nurse's handheld confirms receipt but nobody takes the incident:
the charge nurse (and every nurse) is paged at 30 s, emergency services get
the dispatch message at 90 s, and the timeline records each step.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from shouhu.clock import EventClock
from shouhu.facility import EmergencyServices, Facility
from shouhu.runtime import running
from tests.conftest import eventually
from tests.plain_mqtt import PlainClient

pytestmark = pytest.mark.mqtt

F = "demo-home"
NIGHT = dt.datetime(2026, 11, 30, 2, 13, tzinfo=dt.timezone(dt.timedelta(hours=8))).timestamp()


class Dispatch(ThreadingHTTPServer):
    """The emergency-services dispatch endpoint: keeps what it was sent."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received: list[dict[str, Any]] = []
        self.daemon_threads = True


class _Handler(BaseHTTPRequestHandler):
    server: Dispatch

    def do_POST(self) -> None:
        self.server.received.append(
            json.loads(self.rfile.read(int(self.headers["content-length"])))
        )
        self.send_response(202)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def dispatch() -> Iterator[Dispatch]:
    server = Dispatch()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


class Handhelds:
    """Every nurse's handheld: confirms receipt of each page, accepts nothing."""

    def __init__(self, mqtt_url: str) -> None:
        self.pages: list[tuple[str, dict[str, Any]]] = []
        self.client = PlainClient(mqtt_url, on_message=self._page)
        self.client.subscribe(f"shouhu/v1/{F}/staff/+/pages")

    def _page(self, topic: str, payload: bytes) -> None:
        page = json.loads(payload)
        staff = topic.split("/")[4]
        self.pages.append((staff, page))
        reply = {"page_id": page["page_id"], "status": "received", "ts": page["ts"]}
        self.client.client.publish(
            f"shouhu/v1/{F}/staff/{staff}/replies", json.dumps(reply).encode(), qos=1
        )

    def to(self, incident_id: str) -> list[str]:
        return sorted(s for s, p in self.pages if p["incident_id"] == incident_id)


async def test_zone_nurse_ignores_then_charge_nurse_then_emergency_services(
    mqtt_url: str, facility: Facility, tmp_path: Path, dispatch: Dispatch
) -> None:
    url = f"http://127.0.0.1:{dispatch.server_address[1]}/dispatch"
    home = facility.model_copy(
        update={"emergency_services": EmergencyServices(name="120", channel=url)}
    )
    handhelds = Handhelds(mqtt_url)
    device = PlainClient(mqtt_url)
    wearable = f"shouhu/v1/{F}/devices/wb-007"

    def send(offset: float, **fields: Any) -> None:
        topic = f"{wearable}/event" if "type" in fields else f"{wearable}/telemetry"
        device.publish(topic, json.dumps({"ts": NIGHT + offset, **fields}).encode())

    try:
        async with running(
            facilities=[home],
            mqtt_url=mqtt_url,
            db_url=f"sqlite:///{tmp_path}/night.db",
            clock=EventClock(),
            api_port=None,
            client_id=f"core-{tmp_path.name}"[:60],
        ) as run:
            await run.service.wait_connected()
            store = run.service.store
            send(-5, hr=104, spo2=93, rr=22, worn=True)
            send(0, type="sos")
            opened = await eventually(
                lambda: store.find(facilities=[F], open_only=True, kind="sos", resident="r-007")
            )
            incident = opened[0].id
            await eventually(lambda: handhelds.to(incident) == ["n-e-night"])

            async def delivered(count: int) -> bool:
                pages = await run.service.escalator.pages.pages_of(incident)
                return sum(p.status == "delivered" for p in pages) == count

            # Simulated time only moves with messages: let the receipts land before it does.
            await eventually(lambda: delivered(1), timeout=15)
            send(29.5, hr=108, spo2=92, rr=23, worn=True)
            await asyncio.sleep(0.3)
            assert handhelds.to(incident) == ["n-e-night"]  # nobody else yet
            send(30, hr=110, spo2=92, rr=24, worn=True)
            everyone = ["c-night", "n-e-night", "n-e-night", "n-w-night"]
            await eventually(lambda: handhelds.to(incident) == everyone, timeout=15)
            await eventually(lambda: delivered(4), timeout=15)
            send(89.5, hr=118, spo2=90, rr=26, worn=True)
            await asyncio.sleep(0.3)
            assert dispatch.received == []
            send(90, hr=121, spo2=89, rr=27, worn=True)
            await eventually(lambda: len(dispatch.received) == 1, timeout=15)

            message = dispatch.received[0]
            facts = message["dispatch"]
            assert facts["facility"]["address"].startswith("浙江省杭州市")
            assert "night bell" in facts["facility"]["access_instructions"]
            assert facts["resident"] | {"emergency_contact": None} == {
                "id": "r-007", "name": "黄德福", "age": 89, "sex": "male", "room": "207",
                "bed": "A", "conditions": ["dementia"], "medications": ["donepezil 5 mg"],
                "allergies": ["penicillin"], "dnr": False, "emergency_contact": None,
            }  # fmt: skip
            assert facts["incident"]["kind"] == "sos"
            assert facts["incident"]["detected_at"] == "2026-11-30T02:13:00+08:00"
            assert facts["vitals"] == {"hr": 121.0, "rr": 27.0, "spo2": 89.0}
            assert facts["language"] == "zh-CN"  # the facility's: 120 reads Chinese
            assert (
                "过敏：penicillin" in message["body"]
                and "DNR（不施行心肺复苏）：否" in message["body"]
            )
            assert (
                facts["incident"]["evidence_i18n"]["en"] == "The resident pressed the SOS button."
            )
            assert facts["incident"]["evidence"] == "住户按下了 SOS 求助按钮。"
            assert "情况：SOS 呼叫：黄德福，207 房（住户按下了 SOS 求助按钮。）" in message["body"]

            async def timeline() -> list[tuple[float, str, str]]:
                found = await store.get(incident)
                assert found is not None
                return [
                    (round(e.ts - NIGHT, 1), e.type, e.actor)
                    for e in found.timeline
                    if e.type != "delivered"
                ]

            await eventually(lambda: _has(timeline(), "ems_sent"))
            assert sorted(await timeline()) == [
                (0, "detected", "system"),
                (0, "paged", "n-e-night"),
                (30, "escalated", "system"),  # charge nurse
                (30, "escalated", "system"),  # all nurses
                (30, "paged", "c-night"),
                (30, "paged", "n-e-night"),
                (30, "paged", "n-w-night"),
                (90, "ems_requested", "system"),
                (90, "ems_sent", "emergency_services"),
            ]
            found = await store.get(incident)
            assert found is not None and found.state.value == "delivered"
    finally:
        handhelds.client.close()
        device.close()


async def _has(events: Any, kind: str) -> bool:
    return any(e[1] == kind for e in await events)
