"""Virtual nurses against the real broker, and against the real alert core."""

from __future__ import annotations

import asyncio
import json
import time

import jsonschema
import pytest

from alerting.incidents import State
from shouhu.errors import ConfigError
from shouhu.facility import load_facility
from shouhu.runtime import Running
from simulator.drill import as_drill
from simulator.engine import Simulation
from simulator.nurses import SILENT, NurseBehaviour, Step, VirtualNurses
from simulator.publisher import send
from simulator.scenario import ScriptedEvent
from tests.conftest import EXAMPLE, ROOT, eventually
from tests.plain_mqtt import PlainClient
from tests.simulator.conftest import scenario

pytestmark = pytest.mark.mqtt
F = "demo-home"
REPLY = jsonschema.Draft202012Validator(
    json.loads((ROOT / "docs" / "schemas" / "reply.json").read_text()),
    format_checker=jsonschema.FormatChecker(),
)
NIGHT = 1_795_975_980.0  # 2026-11-30 02:13 in Hangzhou


def page(page_id: str, ts: float = NIGHT) -> bytes:
    body = {
        "page_id": page_id,
        "incident_id": "inc-1",
        "priority": "high",
        "kind": "sos",
        "resident": None,
        "summary": "SOS",
        "ts": ts,
    }
    return json.dumps(body).encode()


def test_behaviours_parse() -> None:
    assert NurseBehaviour.parse("accepted@20,received@2").steps == (
        Step("received", 2.0),
        Step("accepted", 20.0),
    )
    assert NurseBehaviour.parse("never") == SILENT
    with pytest.raises(ConfigError, match="STATUS@SECONDS"):
        NurseBehaviour.parse("acknowledged@3")


async def test_nurses_reply_after_their_delays_once_per_page(mqtt_url: str) -> None:
    shouhu = PlainClient(mqtt_url)  # plays the alert core
    nurses = VirtualNurses(
        mqtt_url,
        F,
        nurses={"n-w-night": SILENT},
        default=NurseBehaviour((Step("received", 1.0), Step("accepted", 20.0))),
        time_scale=0.02,
    )
    try:
        shouhu.subscribe(f"shouhu/v1/{F}/staff/+/replies")
        async with nurses:
            shouhu.publish(f"shouhu/v1/{F}/staff/n-e-night/pages", page("p-1"))
            shouhu.publish(f"shouhu/v1/{F}/staff/n-e-night/pages", page("p-1"))  # redelivered
            shouhu.publish(f"shouhu/v1/{F}/staff/n-w-night/pages", page("p-2"))
            seen = [await nurses.next_page(after=0), await nurses.next_page(after=1)]
            assert {p.staff for p in seen} == {"n-e-night", "n-w-night"}
            got = [await asyncio.to_thread(shouhu.get, 5) for _ in range(2)]
            await asyncio.sleep(0.5)
        assert shouhu.received.empty(), "one answer per step, none from the silent nurse"
        for topic, payload in got:
            assert topic == f"shouhu/v1/{F}/staff/n-e-night/replies"
            REPLY.validate(json.loads(payload))
        bodies = [json.loads(p) for _, p in got]
        assert [(b["page_id"], b["status"]) for b in bodies] == [
            ("p-1", "received"),
            ("p-1", "accepted"),
        ]
        assert [b["ts"] for b in bodies] == [NIGHT + 1, NIGHT + 20]  # on the page's clock
        assert len(nurses.pages) == 2
    finally:
        shouhu.close()


async def test_a_virtual_nurse_accepts_a_real_incident(core: Running, mqtt_url: str) -> None:
    device = PlainClient(mqtt_url)
    try:
        async with VirtualNurses(mqtt_url, F, time_scale=0.01) as nurses:
            sos = {"ts": NIGHT, "seq": 1, "type": "sos"}
            device.publish(f"shouhu/v1/{F}/devices/wb-007/event", json.dumps(sos).encode())
            first = await nurses.next_page(after=0)
            assert first.staff == "n-e-night"
            store = core.service.store

            async def accepted() -> bool:
                incident = await store.get(first.page["incident_id"])
                return incident is not None and incident.state is State.ACCEPTED

            await eventually(accepted)
            incident = await store.get(first.page["incident_id"])
            assert incident is not None and incident.accepted_by == "n-e-night"
    finally:
        device.close()


async def test_a_drill_is_an_exercise_end_to_end(core: Running, mqtt_url: str) -> None:
    base = scenario(load_facility(EXAMPLE), hours=0.05, residents=["r-007"])
    sos = ScriptedEvent(at=base.start + 60, resident="r-007", kind="sos")
    drill = as_drill(base.model_copy(update={"events": [sos]}), now=time.time())
    async with VirtualNurses(mqtt_url, F, time_scale=0.01) as nurses:
        # retained status messages would outlive this test on the shared broker: leave them out
        messages = (m for m in Simulation(drill).messages() if not m.topic.endswith("/status"))
        await send(
            messages,
            mqtt_url=mqtt_url,
            out=None,
            speed=None,
            start=drill.start,
        )
        # the shared broker may still carry another test's page: find this drill's SOS
        index = 0
        seen = await nurses.next_page(after=index)
        while not (
            seen.page["kind"] == "sos" and (seen.page["resident"] or {}).get("id") == "r-007"
        ):
            index += 1
            seen = await nurses.next_page(after=index)
    assert seen.page["exercise"] is True, seen.page
    incident = await core.service.store.get(seen.page["incident_id"])
    assert incident is not None and incident.exercise
