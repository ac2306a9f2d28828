"""The audit log: who read or changed which resident's data; readable, never writable."""

from __future__ import annotations

import pytest

from tests.api.conftest import Env

pytestmark = [pytest.mark.mqtt, pytest.mark.asyncio(loop_scope="module")]


async def test_reads_and_changes_are_logged_per_resident(env: Env) -> None:
    opened = await env.open_incident("r-012")
    nurse = await env.as_user("nurse-east")
    assert (await nurse.get(f"/api/v1/incidents/{opened.id}")).status_code == 200
    assert (await nurse.post(f"/api/v1/incidents/{opened.id}/ack")).status_code == 200
    resolved = await nurse.post(
        f"/api/v1/incidents/{opened.id}/resolve", json={"outcome": "handled", "note": "ok"}
    )
    assert resolved.status_code == 200
    manager = await env.as_user("manager")
    log = (await manager.get("/api/v1/audit", params={"resident": "r-012"})).json()
    mine = [(e["username"], e["action"]) for e in log if e["incident"] == opened.id]
    assert mine == [("nurse-east", "resolve"), ("nurse-east", "accept"), ("nurse-east", "read")]
    assert all(e["role"] == "nurse" and e["client"] == "127.0.0.1" for e in log[:3])
    # the manager's own read is logged too, and another facility's log stays apart
    await manager.get(f"/api/v1/incidents/{opened.id}")
    again = (await manager.get("/api/v1/audit", params={"username": "manager"})).json()
    assert again[0]["action"] == "read" and again[0]["incident"] == opened.id
    other = (await (await env.as_user("other-manager")).get("/api/v1/audit")).json()
    assert all(e["incident"] != opened.id for e in other)


async def test_sign_ins_and_failures_are_logged(env: Env) -> None:
    async with env.client() as stranger:
        await stranger.post("/api/v1/session", json={"username": "charge", "password": "guess"})
    log = await (await env.as_user("admin")).get("/api/v1/audit", params={"username": "charge"})
    assert "sign_in_failed" in [e["action"] for e in log.json()]


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
async def test_nobody_can_write_or_erase_the_log(env: Env, method: str) -> None:
    for username in ("manager", "admin"):
        client = await env.as_user(username)
        response = await client.request(method, "/api/v1/audit", json={"action": "nothing"})
        assert response.status_code == 405
        response = await client.request(method, "/api/v1/audit/1", json={})
        assert response.status_code in (404, 405)


async def test_only_managers_and_admins_read_it(env: Env) -> None:
    for username, status in (("nurse-east", 403), ("charge", 403), ("manager", 200)):
        assert (await (await env.as_user(username)).get("/api/v1/audit")).status_code == status
