"""The escalation and staff routes over HTTP, on a running service (real Mosquitto, SQLite)."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.accounts import AccountError, AccountStore, Role
from api.app import create_app
from shouhu.clock import EventClock
from shouhu.domain import Alert, AlertKind, Priority, Reading
from shouhu.facility import Facility
from shouhu.runtime import Running, running
from tests.alerting.escalation_harness import NIGHT
from tests.conftest import eventually

pytestmark = pytest.mark.mqtt

F = "demo-home"


@asynccontextmanager
async def api(
    mqtt_url: str, facility: Facility, db: Path, *, at: float = NIGHT
) -> AsyncIterator[tuple[Running, httpx.AsyncClient]]:
    """The service on an event clock that starts ``at``, and a client signed in as the nurse."""
    async with running(
        facilities=[facility],
        mqtt_url=mqtt_url,
        db_url=f"sqlite:///{db}",
        clock=EventClock(at),
        api_port=None,
        client_id=f"core-api-{db.parent.name}"[:60],
    ) as run:
        await run.service.wait_connected()
        accounts = AccountStore(run.service.store.engine)
        for username, (role, staff) in ACCOUNTS.items():
            with contextlib.suppress(AccountError):  # a restart keeps the accounts
                await accounts.add(username, PASSWORD, facility=F, role=role, staff=staff)
        transport = httpx.ASGITransport(app=create_app(run.service))
        async with httpx.AsyncClient(transport=transport, base_url="http://shouhu") as client:
            await sign_in(client, "nurse")
            yield run, client


PASSWORD = "escalation tests"
ACCOUNTS = {
    "nurse": (Role.NURSE, "n-e-night"),
    "charge": (Role.CHARGE_NURSE, "c-night"),
    "manager": (Role.MANAGER, "m-1"),
}


async def sign_in(client: httpx.AsyncClient, username: str) -> None:
    """Act as ``username`` from now on (the timeline names their staff id)."""
    response = await client.post(
        "/api/v1/session", json={"username": username, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    client.headers["X-CSRF-Token"] = response.json()["csrf_token"]


async def sos(run: Running, resident: str = "r-006") -> str:
    core = run.service.cores[F]
    for i in range(5):
        core.observe(
            Reading(F, "wb-006", resident, NIGHT - 60 + i * 10, hr=112.0 + i, spo2=91.0, rr=24.0)
        )
    await run.service.responder.handle(
        Alert(F, resident, AlertKind.SOS, Priority.HIGH, NIGHT, "SOS button pressed")
    )
    await run.service.responder.drain()
    found = await run.service.store.find(
        facilities=[F], open_only=True, kind="sos", resident=resident
    )
    return found[0].id


async def test_handover_sheet_has_what_the_crew_needs(
    mqtt_url: str, facility: Facility, tmp_path: Path
) -> None:
    async with api(mqtt_url, facility, tmp_path / "a.db") as (run, client):
        incident = await sos(run)
        response = await client.get(f"/api/v1/incidents/{incident}/handover")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        html = response.text  # in the facility's language
        for fact in ("<html lang=zh-CN>", "杨淑珍", "74 岁，女", "206", "heart_failure",
                     "furosemide 20 mg", "DNR", "88 Wensan Road", "night bell at the east door",
                     "SOS 呼叫：杨淑珍，206 房", "SOS button pressed", "心率 116 次/分",
                     "血氧 91%", "最新生命体征", "交接单"):  # fmt: skip
            assert fact in html, fact
        assert "@media print" in html and "<script" not in html
        english = (await client.get(f"/api/v1/incidents/{incident}/handover?lang=en")).text
        for fact in ("<html lang=en>", "74 y, female", "SOS button pressed: 杨淑珍, room 206",
                     "Heart rate 116/min", "SpO2 91%", "Latest vital signs"):  # fmt: skip
            assert fact in english, fact
        assert "交接单" not in english
        wrong = await client.get(f"/api/v1/incidents/{incident}/handover?lang=fr")
        assert wrong.status_code == 422
        assert (await client.get("/api/v1/incidents/inc-nope/handover")).status_code == 404


async def test_arrive_request_and_confirm_emergency_services(
    mqtt_url: str, facility: Facility, tmp_path: Path
) -> None:
    async with api(mqtt_url, facility, tmp_path / "b.db") as (run, client):
        incident = await sos(run)
        base = f"/api/v1/incidents/{incident}"
        arrived = await client.post(f"{base}/arrive")
        assert arrived.json()["state"] == "arrived"
        asked = await client.post(f"{base}/emergency", json={"note": "VF"})
        assert asked.status_code == 200
        await sign_in(client, "charge")
        confirmed = await client.post(
            f"{base}/emergency/confirm", json={"note": "ambulance in 8 min"}
        )
        assert confirmed.status_code == 200
        await sign_in(client, "nurse")
        detail = (await client.get(base)).json()
        kinds = [e["type"] for e in detail["timeline"]]
        assert kinds[-3:] == ["arrived", "ems_requested", "ems_confirmed"]
        ems = next(e for e in detail["timeline"] if e["type"] == "ems_requested")
        assert ems["actor"] == "n-e-night" and "call 120 by phone" in ems["detail"]["manual"]
        ladder = (await client.get(f"{base}/escalation")).json()
        assert [(s["target"], s["status"]) for s in ladder["steps"]][:2] == [
            ("zone_nurses", "done"),
            ("charge_nurse", "cancelled"),  # someone is at the bedside: the ladder stopped
        ]
        assert ladder["pages"][0]["staff"] == "n-e-night"
        resolved = await client.post(
            f"{base}/resolve", json={"outcome": "transferred_to_hospital", "note": "to 120"}
        )
        assert resolved.json()["state"] == "resolved"
        assert resolved.json()["accepted_by"] == "n-e-night"
        again = await client.post(f"{base}/arrive")
        assert again.status_code == 409


async def test_staff_changes_apply_at_once_and_survive_a_restart(
    mqtt_url: str, facility: Facility, tmp_path: Path
) -> None:
    db = tmp_path / "c.db"
    agency = {
        "id": "n-agency", "name": "Agency nurse", "role": "nurse", "zones": ["east"],
        "shifts": ["night"], "contacts": ["mailto://127.0.0.1:2525?from=a@b.org&to=c@d.org"],
    }  # fmt: skip
    async with api(mqtt_url, facility, db) as (_, client):
        assert (
            await client.put(f"/api/v1/facilities/{F}/staff/n-agency", json=agency)
        ).status_code == 403
        await sign_in(client, "manager")  # a manager changes the roster
        put = await client.put(f"/api/v1/facilities/{F}/staff/n-agency", json=agency)
        assert put.status_code == 200
        bad = await client.put(
            f"/api/v1/facilities/{F}/staff/n-x",
            json={**agency, "id": "n-x", "zones": ["attic"]},
        )
        assert bad.status_code == 422 and "attic" in bad.text
        bad_contact = await client.put(
            f"/api/v1/facilities/{F}/staff/n-y",
            json={**agency, "id": "n-y", "contacts": ["nonsense://x"]},
        )
        assert bad_contact.status_code == 422 and "n-y" in bad_contact.text
        on = await client.get(f"/api/v1/facilities/{F}/on-duty", params={"at": NIGHT})
        assert "n-agency" in [s["id"] for s in on.json()]
        deleted = await client.delete(f"/api/v1/facilities/{F}/staff/n-e-night")
        assert deleted.status_code == 204
    async with api(mqtt_url, facility, db) as (run, client):  # restarted
        on = await client.get(f"/api/v1/facilities/{F}/on-duty", params={"at": NIGHT})
        ids = [s["id"] for s in on.json()]
        assert "n-agency" in ids and "n-e-night" not in ids and "n-x" not in ids
        incident = await sos(run, "r-007")
        pages = (await client.get(f"/api/v1/incidents/{incident}/escalation")).json()["pages"]
        assert [p["staff"] for p in pages] == ["n-agency"]  # the new roster pages the east wing
    edited = facility.model_copy(update={"staff": facility.staff[:-1]})  # the file changed
    async with api(mqtt_url, edited, db) as (_, client):
        on = await client.get(f"/api/v1/facilities/{F}/on-duty", params={"at": NIGHT})
        assert "n-agency" not in [s["id"] for s in on.json()]  # the file wins


@pytest.mark.browser
@pytest.mark.slow
async def test_handover_sheet_prints_on_one_page(
    mqtt_url: str, facility: Facility, tmp_path: Path
) -> None:
    async with api(mqtt_url, facility, tmp_path / "d.db") as (run, client):
        incident = await sos(run)
        for t in range(1, 25):  # a long night: many reminders and escalations
            run.service.clock.observe(NIGHT + 300 * t)
            await run.service.escalator.tick(run.service.clock.now())
            await run.service.escalator.drain()
            again = Alert(
                F, "r-006", AlertKind.SOS, Priority.HIGH, NIGHT + 300 * t, "pressed again"
            )
            await run.service.responder.handle(again)  # joins the open incident
        html = (await client.get(f"/api/v1/incidents/{incident}/handover")).text
    sheet = tmp_path / "sheet.html"
    sheet.write_text(html, encoding="utf-8")
    pdf = tmp_path / "sheet.pdf"
    proc = await asyncio.create_subprocess_exec(
        "/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu",
        "--no-pdf-header-footer", f"--print-to-pdf={pdf}", sheet.as_uri(),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    assert await asyncio.wait_for(proc.wait(), 60) == 0
    pages = re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes())
    assert len(pages) == 1
    assert "新的依据 &times;24" in html  # the repeated presses, folded into one line


async def test_a_paging_failure_shows_on_healthz(
    mqtt_url: str, facility: Facility, tmp_path: Path
) -> None:
    async with api(mqtt_url, facility, tmp_path / "e.db") as (run, client):
        healthy = (await client.get("/healthz")).json()
        assert healthy["status"] == "ok" and healthy["paging"]["open_failures"] == []
        await sos(run)  # nobody's handheld confirms receipt
        run.service.clock.observe(NIGHT + 31)
        await run.service.escalator.tick(run.service.clock.now())
        await run.service.responder.drain()

        async def reported() -> dict[str, Any] | None:  # a dashboard polls; seconds matter
            health: dict[str, Any] = (await client.get("/healthz")).json()
            return health if health["status"] == "paging_failure" else None

        health = await eventually(reported, timeout=5.0)
        assert health["status"] == "paging_failure"
        failure = health["paging"]["open_failures"][0]
        assert "page to n-e-night" in failure["evidence"]
        assert health["paging"]["failures_total"] >= 1
        listed = (await client.get("/api/v1/incidents", params={"kind": "paging_failure"})).json()
        assert [i["id"] for i in listed] == [failure["incident_id"]]


async def test_a_stored_roster_that_no_longer_fits_the_file_gives_way_to_it(
    mqtt_url: str, facility: Facility, tmp_path: Path
) -> None:
    east = [r for r in facility.residents if r.zone == "east"]
    ids = {r.id for r in east}
    base = facility.model_copy(
        update={
            "residents": east,
            "devices": [d for d in facility.devices if d.resident in ids],
            "staff": [s.model_copy(update={"zones": ["east"]}) for s in facility.staff],
        }
    )
    db = tmp_path / "f.db"
    async with api(mqtt_url, base, db) as (_, client):
        await sign_in(client, "manager")
        nurse = {"id": "n-west2", "name": "West", "role": "nurse", "zones": ["west"]}
        assert (await client.put(f"/api/v1/facilities/{F}/staff/n-west2", json=nurse)).is_success
    # the file drops the west wing; its staff and shifts are unchanged, so the stored roster
    # is tried, does not fit (n-west2 works in a zone that is gone), and the file is used
    east_only = base.model_copy(update={"zones": [z for z in base.zones if z.id == "east"]})
    async with api(mqtt_url, east_only, db) as (run, _):
        assert run.service.facilities[F].member("n-west2") is None
        assert run.service.facilities[F].member("n-e-night") is not None
