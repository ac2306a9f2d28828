"""Every API route against every role, signed out, and from another facility."""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import pytest_asyncio

from api.accounts import Role
from api.app import create_app
from shouhu.facility import Staff, load_facility
from tests.api.conftest import ROLE_USER, Env
from tests.conftest import EXAMPLE

pytestmark = [pytest.mark.mqtt, pytest.mark.asyncio(loop_scope="module")]

ALL = frozenset(ROLE_USER)
READERS = frozenset({"nurse", "charge_nurse", "manager"})
RESPONDERS = frozenset({"nurse", "charge_nurse"})
ROSTER = frozenset({"manager", "admin"})
AGENCY = {"name": "Agency nurse", "role": "nurse", "zones": ["east"], "shifts": ["night"]}
SHIFTS = [
    {"id": "day", "start": "07:00", "end": "19:00"},
    {"id": "night", "start": "19:00", "end": "07:00"},
]
FILED_STAFF = frozenset(s.id for s in load_facility(EXAMPLE).staff)


@pytest_asyncio.fixture(autouse=True, loop_scope="module")
async def _staff_as_in_the_file(env: Env) -> AsyncIterator[None]:
    """Agency nurses a test adds leave with it. Kept, they pile up on the night shift, and
    every later incident of the module pages them all whenever that shift is on: at night
    the module did four times the paging of a daytime run, and ran away under load."""
    yield
    roster = env.service.roster
    for member in env.service.facilities["demo-home"].staff:
        if member.id not in FILED_STAFF:
            await roster.delete_staff("demo-home", member.id, by="test", now=time.time())


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # {incident}, {resident}, {user} are filled in per call
    allowed: frozenset[str]
    body: dict[str, Any] | list[Any] | None = None
    ok: int = 200


ROUTES = [
    Route("GET", "/api/v1/session", ALL),
    Route("GET", "/api/v1/incidents", READERS),
    Route("GET", "/api/v1/incidents/export", frozenset({"manager"})),
    Route("GET", "/api/v1/incidents/{incident}", READERS),
    Route("POST", "/api/v1/incidents/{incident}/ack", RESPONDERS),
    Route(
        "POST",
        "/api/v1/incidents/{incident}/resolve",
        RESPONDERS,
        {"outcome": "false_alarm", "note": "test"},
    ),
    Route("GET", "/api/v1/incidents/{incident}/escalation", READERS),
    Route("POST", "/api/v1/incidents/{incident}/arrive", RESPONDERS),
    Route("POST", "/api/v1/incidents/{incident}/emergency", RESPONDERS, {"note": "not breathing"}),
    Route("POST", "/api/v1/incidents/{incident}/emergency/confirm", RESPONDERS, {"note": "8 min"}),
    Route("GET", "/api/v1/incidents/{incident}/handover", READERS),
    Route("GET", "/api/v1/board", READERS),
    Route("GET", "/api/v1/stats", frozenset({"charge_nurse", "manager"})),
    Route("GET", "/api/v1/facilities", ALL),
    Route("GET", "/api/v1/directory", READERS),
    Route("GET", "/api/v1/residents", READERS),
    Route("GET", "/api/v1/residents/{resident}", READERS),
    Route("GET", "/api/v1/devices", ALL),
    Route("GET", "/api/v1/staff", ALL),
    Route("GET", "/api/v1/facilities/{facility}/on-duty", ALL),
    Route("PUT", "/api/v1/facilities/{facility}/staff/{new}", ROSTER, {**AGENCY, "id": "{new}"}),
    Route("DELETE", "/api/v1/facilities/{facility}/staff/{staff}", ROSTER, ok=204),
    Route("PUT", "/api/v1/facilities/{facility}/shifts", ROSTER, SHIFTS),  # type: ignore[arg-type]
    Route("GET", "/api/v1/audit", frozenset({"manager", "admin"})),
    Route("GET", "/api/v1/users", frozenset({"admin"})),
    Route(
        "POST",
        "/api/v1/users",
        frozenset({"admin"}),
        {"username": "{new}", "password": "a long password", "role": "manager"},
        201,
    ),
    Route("PATCH", "/api/v1/users/{user}", frozenset({"admin"}), {"disabled": False}),
]
# Checked elsewhere: signing in and out (test_session.py), the event stream (below).
NOT_IN_MATRIX = {("POST", "/api/v1/session"), ("DELETE", "/api/v1/session")}
STREAM = ("GET", "/api/v1/board/stream")


def _fill(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**names)
    if isinstance(value, dict):
        return {k: _fill(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, names) for v in value]
    return value


async def _call(client: httpx.AsyncClient, route: Route, names: dict[str, str]) -> httpx.Response:
    body = _fill(route.body, names) if route.body is not None else None
    return await client.request(route.method, _fill(route.path, names), json=body)


_serial = itertools.count()


async def _names(env: Env, route: Route) -> dict[str, str]:
    """A fresh open incident and, where the route needs one, a spare account of demo-home."""
    incident = await env.open_incident("r-002")
    n = next(_serial)
    names = {
        "incident": incident.id,
        "resident": "r-002",
        "user": f"spare-{n}",
        "new": f"new-{n}",
        "facility": "demo-home",
        "staff": f"temp-{n}",
    }
    if "{user}" in route.path:
        await env.accounts.add(
            names["user"], "a long password", facility="demo-home", role=Role.MANAGER
        )
    if "{staff}" in route.path:
        member = Staff.model_validate({**AGENCY, "id": names["staff"]})
        await env.service.roster.put_staff("demo-home", member, by="test", now=time.time())
    return names


async def test_the_matrix_covers_every_api_route(env: Env) -> None:
    """A route added without a line here fails this test: nobody forgets to guard one."""
    paths = create_app(env.service).openapi()["paths"]
    served = {(m.upper(), p) for p, ops in paths.items() for m in ops if p.startswith("/api/")}
    renamed = {
        "{incident}": "{incident_id}",
        "{resident}": "{resident_id}",
        "{user}": "{username}",
        "{facility}": "{facility_id}",
        "{staff}": "{staff_id}",
        "{new}": "{staff_id}",
    }
    listed = set()
    for r in ROUTES:
        path = r.path
        for old, new in renamed.items():
            path = path.replace(old, new)
        listed.add((r.method, path))
    assert len(served) > 20
    assert served - listed - NOT_IN_MATRIX - {STREAM} == set()
    assert listed - served == set()


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
async def test_signed_out_callers_get_401(env: Env, route: Route) -> None:
    names = {
        "incident": "inc-x",
        "resident": "r-001",
        "user": "nobody",
        "new": "new-x",
        "facility": "demo-home",
        "staff": "n-e-night",
    }
    async with env.client() as client:
        assert (await _call(client, route, names)).status_code == 401


@pytest.mark.parametrize(
    ("route", "role"),
    list(itertools.product(ROUTES, sorted(ALL))),
    ids=lambda v: v if isinstance(v, str) else f"{v.method} {v.path}",
)
async def test_each_role_may_do_exactly_what_its_job_needs(
    env: Env, route: Route, role: str
) -> None:
    names = await _names(env, route)
    response = await _call(await env.as_user(ROLE_USER[role]), route, names)
    expected = route.ok if role in route.allowed else 403
    assert response.status_code == expected, response.text


OTHERS = ["other-nurse", "other-manager", "other-admin"]


WITH_IDS = [r for r in ROUTES if "{" in r.path]  # listings: test_listings_never_show_...


@pytest.mark.parametrize("route", WITH_IDS, ids=lambda r: f"{r.method} {r.path}")
@pytest.mark.parametrize("username", OTHERS)
async def test_another_facilitys_ids_look_like_no_ids_at_all(
    env: Env, route: Route, username: str
) -> None:
    """Ids of facility A, asked for by a user of facility B: 404, or 403 by role."""
    names = await _names(env, route)  # everything here belongs to demo-home
    path = _fill(route.path, names)
    if route.path.startswith("/api/v1/residents/"):
        path += "?facility=demo-home"  # the ids are copies in both facilities: ask for A's
    body = _fill(route.body, names) if route.body is not None else None
    client = await env.as_user(username)
    response = await client.request(route.method, path, json=body)
    assert response.status_code in (403, 404), response.text
    role_allows = {"other-nurse": "nurse", "other-manager": "manager", "other-admin": "admin"}
    if role_allows[username] in route.allowed:
        assert response.status_code == 404
    incident = await env.service.store.get(names["incident"])
    assert incident is not None and incident.accepted_by is None and incident.is_open


async def test_listings_never_show_another_facilitys_data(env: Env) -> None:
    mine = await env.open_incident("r-003")
    theirs = await env.open_incident("r-003", facility="other-home")
    async with env.client("other-manager") as client:
        listed = (await client.get("/api/v1/incidents")).json()
        assert theirs.id in {i["id"] for i in listed}
        assert all(i["facility"] == "other-home" for i in listed)
        assert mine.id not in (await client.get("/api/v1/incidents/export")).text
        board = (await client.get("/api/v1/board")).json()
        assert all(i["facility"] == "other-home" for i in board["items"])
        audit = (await client.get("/api/v1/audit")).json()
        assert all(e["incident"] != mine.id for e in audit)
        for path in ("/api/v1/incidents", "/api/v1/residents", "/api/v1/devices", "/api/v1/staff"):
            assert (await client.get(path, params={"facility": "demo-home"})).status_code == 404
        facilities = (await client.get("/api/v1/facilities")).json()
        assert [f["id"] for f in facilities] == ["other-home"]
    async with env.client("other-admin") as client:
        users = (await client.get("/api/v1/users")).json()
        assert {u["facility"] for u in users} == {"other-home"}
        patch = await client.patch("/api/v1/users/nurse-east", json={"disabled": True})
        assert patch.status_code == 404
    async with env.client("nurse-east") as client:
        assert (await client.get("/api/v1/session")).status_code == 200  # not disabled


async def test_the_stream_is_guarded_like_the_board(env: Env) -> None:
    for username, expected in (
        (None, 401),
        ("admin", 403),
        ("nurse-east", 200),
        ("other-nurse", 200),
    ):
        async with (
            env.client(username) as client,
            client.stream("GET", "/api/v1/board/stream") as response,
        ):
            assert response.status_code == expected
            if expected == 200:
                assert response.headers["content-type"].startswith("text/event-stream")
