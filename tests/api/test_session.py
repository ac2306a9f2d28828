"""Sign-in: hashed passwords, a hardened session cookie, CSRF, throttling, sign-out."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from api.accounts import Role, users
from tests.api.conftest import PASSWORD, Env

pytestmark = [pytest.mark.mqtt, pytest.mark.asyncio(loop_scope="module")]


async def test_sign_in_sets_an_httponly_strict_cookie_and_returns_the_csrf_token(env: Env) -> None:
    async with env.client() as client:
        response = await client.post(
            "/api/v1/session", json={"username": "nurse-east", "password": PASSWORD}
        )
        assert response.status_code == 200
        cookie = response.headers["set-cookie"].lower()
        assert "shouhu_session=" in cookie
        assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie
        body = response.json()
        assert body["user"] == {
            "username": "nurse-east",
            "facility": "demo-home",
            "role": "nurse",
            "staff": "n-e-night",
            "name": "nurse-east",
            "disabled": False,
        }
        assert len(body["csrf_token"]) >= 24
        me = await client.get("/api/v1/session")
        assert me.status_code == 200 and me.json()["user"]["username"] == "nurse-east"


async def test_passwords_are_stored_as_argon2_hashes(env: Env) -> None:
    async with env.service.store.engine.connect() as conn:
        hashes = (await conn.execute(sa.select(users.c.password_hash))).scalars().all()
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    assert not any(PASSWORD in h for h in hashes)


@pytest.mark.parametrize(
    ("username", "password"),
    [("nurse-east", "wrong password"), ("nobody", PASSWORD), ("nurse-east", "")],
)
async def test_wrong_credentials_are_refused_alike(env: Env, username: str, password: str) -> None:
    async with env.client() as client:
        response = await client.post(
            "/api/v1/session", json={"username": username, "password": password}
        )
        assert response.status_code in (401, 422)
        assert "set-cookie" not in response.headers
        if response.status_code == 401:
            assert response.json()["detail"] == "wrong username or password"


async def test_repeated_wrong_passwords_lock_the_name_for_a_while(env: Env) -> None:
    await env.accounts.add(
        "victim", PASSWORD, facility="demo-home", role=Role.NURSE, staff="n-e-day1"
    )
    async with env.client() as client:
        for _ in range(5):
            r = await client.post("/api/v1/session", json={"username": "victim", "password": "x"})
            assert r.status_code == 401
        r = await client.post("/api/v1/session", json={"username": "victim", "password": PASSWORD})
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 0


async def test_state_changes_need_the_csrf_token_and_the_same_origin(env: Env) -> None:
    incident = await env.open_incident("r-001")
    async with env.client("nurse-east") as client:
        token = client.headers.pop("X-CSRF-Token")
        no_token = await client.post(f"/api/v1/incidents/{incident.id}/ack")
        assert no_token.status_code == 403
        wrong = await client.post(
            f"/api/v1/incidents/{incident.id}/ack", headers={"X-CSRF-Token": "guess"}
        )
        assert wrong.status_code == 403
        cross = await client.post(
            f"/api/v1/incidents/{incident.id}/ack",
            headers={"X-CSRF-Token": token, "Origin": "https://evil.example"},
        )
        assert cross.status_code == 403
        assert (await env.service.store.get(incident.id)).accepted_by is None  # type: ignore[union-attr]
        ok = await client.post(
            f"/api/v1/incidents/{incident.id}/ack", headers={"X-CSRF-Token": token}
        )
        assert ok.status_code == 200 and ok.json()["accepted_by"] == "n-e-night"


async def test_cross_site_sign_in_is_refused(env: Env) -> None:
    async with env.client() as client:
        response = await client.post(
            "/api/v1/session",
            json={"username": "nurse-east", "password": PASSWORD},
            headers={"Origin": "https://evil.example"},
        )
        assert response.status_code == 403


async def test_sign_out_ends_the_session_on_the_server(env: Env) -> None:
    async with env.client("manager") as client:
        stolen = client.cookies.get("shouhu_session")
        assert (await client.delete("/api/v1/session")).status_code == 204
        assert (await client.get("/api/v1/session")).status_code == 401
    async with env.client() as replay:
        replay.cookies.set("shouhu_session", stolen or "")
        assert (await replay.get("/api/v1/incidents")).status_code == 401


async def test_a_disabled_account_is_signed_out_and_cannot_sign_in(env: Env) -> None:
    await env.accounts.add(
        "leaver", PASSWORD, facility="demo-home", role=Role.NURSE, staff="n-e-day2"
    )
    async with env.client("leaver") as client:
        assert (await client.get("/api/v1/incidents")).status_code == 200
        await env.accounts.set_disabled("leaver", True)
        assert (await client.get("/api/v1/incidents")).status_code == 401
        again = await client.post(
            "/api/v1/session", json={"username": "leaver", "password": PASSWORD}
        )
        assert again.status_code == 401
