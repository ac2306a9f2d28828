"""Schemathesis over the OpenAPI document: whatever a client sends, never a server error.

A real Shouhu serves on a port from its own thread and event loop; Schemathesis
(synchronous, over HTTP) generates requests for every operation, signed in as a
charge nurse (who may act on incidents) and as a manager (who may export and
change the roster), and once signed out.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings

from api.accounts import AccountStore, Role
from shouhu.broker import free_port
from shouhu.clock import WallClock
from shouhu.domain import Alert, AlertKind, Priority
from shouhu.facility import load_facility
from shouhu.runtime import running
from tests.conftest import EXAMPLE

pytestmark = [pytest.mark.mqtt, pytest.mark.slow]

PASSWORD = "fuzzing all night"
EXAMPLES = 15
# An endless event stream, and signing the fuzzer's own session out, are tested elsewhere.
LEFT_OUT = {("GET", "/api/v1/board/stream"), ("DELETE", "/api/v1/session")}


@pytest.fixture(scope="module")
def server(mqtt_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Shouhu in a thread of its own (the fuzzer blocks the test's thread)."""
    db = Path(tmp_path_factory.mktemp("fuzz")) / "fuzz.db"
    port = free_port()
    ready, failed = threading.Event(), []
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()

    async def serve() -> None:
        facility = load_facility(EXAMPLE)
        async with running(
            facilities=[facility],
            mqtt_url=mqtt_url,
            db_url=f"sqlite:///{db}",
            clock=WallClock(),
            api_port=port,
            client_id=f"fuzz-{port}",
        ) as run:
            accounts = AccountStore(run.service.store.engine)
            await accounts.add("charge", PASSWORD, facility=facility.id,
                               role=Role.CHARGE_NURSE, staff="c-night")  # fmt: skip
            await accounts.add("manager", PASSWORD, facility=facility.id, role=Role.MANAGER)
            for resident in ("r-001", "r-013"):  # something to read and act on
                run.service.responder.submit(
                    Alert(facility.id, resident, AlertKind.SOS, Priority.HIGH, 0.0, "fuzz SOS")
                )
            await run.service.responder.drain()
            ready.set()
            await stop.wait()

    def main() -> None:
        try:
            loop.run_until_complete(serve())
        except BaseException as exc:  # reported to the test below
            failed.append(exc)
            ready.set()
        finally:
            loop.close()

    thread = threading.Thread(target=main, name="shouhu-fuzz", daemon=True)
    thread.start()
    assert ready.wait(30), "Shouhu did not start"
    assert not failed, failed
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(30)


def _session(url: str, username: str | None) -> requests.Session:
    session = requests.Session()
    if username is not None:
        response = session.post(
            f"{url}/api/v1/session", json={"username": username, "password": PASSWORD}
        )
        response.raise_for_status()
        session.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    return session


@pytest.mark.parametrize("username", ["charge", "manager", None])
def test_no_request_makes_a_server_error(server: str, username: str | None) -> None:
    schema = schemathesis.openapi.from_url(f"{server}/openapi.json")
    session = _session(server, username)
    operations = [result.ok() for result in schema.get_all_operations()]
    tried = 0
    for operation in operations:
        if (operation.method.upper(), operation.path) in LEFT_OUT:
            continue

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def call(case: schemathesis.Case) -> None:
            r = case.call(base_url=server, session=session, timeout=10)
            assert r.status_code < 500, f"{case.method} {case.formatted_path}: {r.text[:300]}"

        call()
        tried += 1
    session.close()
    assert tried >= 25
