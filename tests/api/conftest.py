"""A real Shouhu process for API tests: two facilities, accounts of every role, real HTTP.

One process per test module (accounts take an Argon2 hash each); each test
opens the incidents it needs.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from alerting.incidents import Incident
from alerting.words import english
from api.accounts import AccountStore, Role
from shouhu.broker import free_port
from shouhu.clock import WallClock
from shouhu.domain import Alert, AlertKind, Fact, Priority
from shouhu.facility import Facility, load_facility, parse_facility
from shouhu.runtime import Running, running
from tests.conftest import EXAMPLE, eventually
from tests.plain_mqtt import PlainClient

HOME = "demo-home"
OTHER = "other-home"
PASSWORD = "correct horse battery"

# username -> (facility, role, staff id)
ACCOUNTS: dict[str, tuple[str, Role, str | None]] = {
    "nurse-east": (HOME, Role.NURSE, "n-e-night"),
    "nurse-west": (HOME, Role.NURSE, "n-w-night"),
    "charge": (HOME, Role.CHARGE_NURSE, "c-night"),
    "manager": (HOME, Role.MANAGER, "m-1"),
    "admin": (HOME, Role.ADMIN, None),
    "other-nurse": (OTHER, Role.NURSE, "n-e-night"),
    "other-manager": (OTHER, Role.MANAGER, "m-1"),
    "other-admin": (OTHER, Role.ADMIN, None),
}
ROLE_USER = {
    "nurse": "nurse-east",
    "charge_nurse": "charge",
    "manager": "manager",
    "admin": "admin",
}


def other_facility() -> Facility:
    text = EXAMPLE.read_text(encoding="utf-8").replace("id: demo-home", f"id: {OTHER}", 1)
    return parse_facility(text, source="other-home.yaml")


@dataclass
class Env:
    run: Running
    url: str
    accounts: AccountStore
    _signed_in: dict[str, httpx.AsyncClient] = field(default_factory=dict)

    async def as_user(self, username: str) -> httpx.AsyncClient:
        """A signed-in client kept for the module (signing in costs an Argon2 hash)."""
        if username not in self._signed_in:
            client = httpx.AsyncClient(base_url=self.url, timeout=10)
            response = await client.post(
                "/api/v1/session", json={"username": username, "password": PASSWORD}
            )
            assert response.status_code == 200, response.text
            client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
            self._signed_in[username] = client
        return self._signed_in[username]

    async def close(self) -> None:
        for client in self._signed_in.values():
            await client.aclose()

    @property
    def service(self):  # type: ignore[no-untyped-def]
        return self.run.service

    @contextlib.asynccontextmanager
    async def client(self, username: str | None = None) -> AsyncIterator[httpx.AsyncClient]:
        """A client, signed in as ``username`` (with the CSRF header set) unless None."""
        async with httpx.AsyncClient(base_url=self.url, timeout=10) as client:
            if username is not None:
                response = await client.post(
                    "/api/v1/session", json={"username": username, "password": PASSWORD}
                )
                assert response.status_code == 200, response.text
                client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
            yield client

    async def open_incident(
        self,
        resident: str | None,
        *,
        facility: str = HOME,
        kind: AlertKind = AlertKind.SOS,
        priority: Priority = Priority.HIGH,
        key: str = "",
        facts: tuple[Fact, ...] = (),
    ) -> Incident:
        """Open an incident along the real path: alert -> responder -> store -> pages."""
        alert = Alert(
            facility=facility,
            resident=resident,
            kind=kind,
            priority=priority,
            ts=time.time(),
            evidence=english(facts) if facts else f"{kind.value} for {resident}",
            key=key or f"test-{time.monotonic_ns()}",
            device=None,
            facts=facts,
        )
        self.service.responder.submit(alert)
        store = self.service.store

        # Wait for this incident and its first page, not for every page in flight: the
        # module's open incidents keep paging on the wall clock, so a full drain may never end.
        async def paged() -> Incident | None:
            found = await store.find(
                facilities=[facility], open_only=True, resident=resident, kind=kind.value
            )
            match = [i for i in found if i.condition_key == alert.key]
            incident = await store.get(match[0].id) if match else None
            return incident if incident is not None and len(incident.timeline) > 1 else None

        incident: Incident = await eventually(paged, timeout=15.0)
        return incident


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def env(mqtt_url: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Env]:
    db = Path(tmp_path_factory.mktemp("api")) / "api.db"
    port = free_port()
    async with running(
        facilities=[load_facility(EXAMPLE), other_facility()],
        mqtt_url=mqtt_url,
        db_url=f"sqlite:///{db}",
        clock=WallClock(),
        api_port=port,
        client_id=f"api-test-{port}",
    ) as run:
        await run.service.wait_connected()
        accounts = AccountStore(run.service.store.engine)
        for username, (facility, role, staff) in ACCOUNTS.items():
            await accounts.add(username, PASSWORD, facility=facility, role=role, staff=staff)
        assert run.api_url is not None
        env = Env(run, run.api_url, accounts)
        handhelds = _confirming_handhelds(mqtt_url)
        try:
            yield env
        finally:
            handhelds.close()
            await env.close()


def _confirming_handhelds(mqtt_url: str) -> PlainClient:
    """Every nurse's handheld confirms receipt, as real ones do.

    The module's incidents stay open on the wall clock; unconfirmed pages would
    fall back, fail and raise paging-failure alarms by the dozen, and the
    machine would spend the module paging nobody.
    """

    def confirm(topic: str, payload: bytes) -> None:
        page = json.loads(payload)
        reply = {"page_id": page["page_id"], "status": "received", "ts": time.time()}
        client.client.publish(topic.rsplit("/", 1)[0] + "/replies", json.dumps(reply), qos=1)

    client = PlainClient(mqtt_url, on_message=confirm)
    client.subscribe("shouhu/v1/+/staff/+/pages")
    return client
