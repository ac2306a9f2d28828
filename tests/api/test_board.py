"""The board's data: whose incidents, in what order, and the live stream."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx
import pytest

from shouhu.domain import AlertKind, Priority
from tests.api.conftest import Env

pytestmark = [pytest.mark.mqtt, pytest.mark.asyncio(loop_scope="module")]


async def test_a_nurse_sees_her_zones_and_the_facilitys_technical_alarms(env: Env) -> None:
    east = await env.open_incident("r-004")  # east wing
    west = await env.open_incident("r-016")  # west wing
    nobody = await env.open_incident(None, kind=AlertKind.DEVICE_OFFLINE, priority=Priority.LOW)
    east_board = (await (await env.as_user("nurse-east")).get("/api/v1/board")).json()
    ids = {i["id"] for i in east_board["items"]}
    assert east.id in ids and nobody.id in ids and west.id not in ids
    assert east_board["zones"] == ["east"]
    assert any(t["incident_id"] == nobody.id for t in east_board["technical"])
    charge_board = (await (await env.as_user("charge")).get("/api/v1/board")).json()
    assert {east.id, west.id, nobody.id} <= {i["id"] for i in charge_board["items"]}


async def test_most_urgent_then_untaken_then_newest_first(env: Env) -> None:
    low = await env.open_incident("r-005", kind=AlertKind.BED_EXIT, priority=Priority.LOW)
    taken = await env.open_incident("r-006")
    fresh = await env.open_incident("r-008")
    nurse = await env.as_user("nurse-east")
    assert (await nurse.post(f"/api/v1/incidents/{taken.id}/ack")).status_code == 200
    items = (await nurse.get("/api/v1/board")).json()["items"]
    order = [i["id"] for i in items if i["id"] in {low.id, taken.id, fresh.id}]
    assert order == [fresh.id, taken.id, low.id]
    card = next(i for i in items if i["id"] == taken.id)
    assert card["accepted_by_name"] == "李静" and card["room"] == "206" and card["age"] == 74


async def _events(response: httpx.Response) -> AsyncIterator[tuple[str, dict[str, object]]]:
    event = ""
    async for line in response.aiter_lines():
        if line.startswith("event: "):
            event = line[len("event: ") :]
        elif line.startswith("data: "):
            yield event, json.loads(line[len("data: ") :])


async def test_the_stream_starts_with_the_board_then_pushes_each_change(env: Env) -> None:
    nurse = await env.as_user("nurse-east")
    async with nurse.stream("GET", "/api/v1/board/stream") as response:
        events = _events(response)
        kind, snapshot = await anext(events)
        assert kind == "snapshot" and "items" in snapshot
        opened = await env.open_incident("r-011")

        async def until_incident() -> dict[str, object]:
            async for kind, data in events:
                if kind == "incident" and data["id"] == opened.id:
                    return data
            raise AssertionError("stream ended")

        pushed = await asyncio.wait_for(until_incident(), 5)
        assert pushed["resident_name"] and pushed["priority"] == "high"
        await nurse.post(
            f"/api/v1/incidents/{opened.id}/resolve", json={"outcome": "handled", "note": ""}
        )

        async def until_removed() -> None:
            async for kind, data in events:
                if kind == "removed" and data["id"] == opened.id:
                    return
            raise AssertionError("stream ended")

        await asyncio.wait_for(until_removed(), 5)
