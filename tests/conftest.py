"""Real parts for tests: a Mosquitto broker on a free port, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from shouhu.broker import find_mosquitto, free_port, mosquitto_config
from shouhu.clock import EventClock
from shouhu.facility import Facility, load_facility
from shouhu.runtime import Running, running

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "facility.yaml"
PG_URL = os.environ.get("SHOUHU_TEST_PG_URL", "postgresql://127.0.0.1:5432/test")


def _wait_port(port: int, proc: subprocess.Popen[bytes], what: str) -> None:
    import socket
    import time

    deadline = time.time() + 10
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"{what} exited: {proc.stderr.read().decode() if proc.stderr else ''}"
            )
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on {port}")


@pytest.fixture(scope="session")
def mqtt_url() -> Iterator[str]:
    """A broker of the tests' own: Mosquitto, or amqtt where Mosquitto is absent."""
    port = free_port()
    mosquitto = find_mosquitto()
    with tempfile.TemporaryDirectory(prefix="shouhu-test-mqtt-") as tmp:
        if mosquitto:
            conf = Path(tmp) / "mosquitto.conf"
            conf.write_text(mosquitto_config(port))
            cmd = [mosquitto, "-c", str(conf)]
        else:
            cmd = [sys.executable, "-m", "shouhu.broker", str(port)]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            _wait_port(port, proc, cmd[0])
            yield f"mqtt://127.0.0.1:{port}"
        finally:
            proc.terminate()
            proc.wait(timeout=10)
            if proc.stderr is not None:
                proc.stderr.close()


@pytest.fixture
def facility() -> Facility:
    return load_facility(EXAMPLE)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/shouhu.db"


@contextlib.asynccontextmanager
async def fresh_pg_database() -> AsyncIterator[str]:
    """A new PostgreSQL database, dropped afterwards."""
    import asyncpg

    name = f"shouhu_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = await asyncpg.connect(PG_URL, timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        pytest.fail(f"PostgreSQL is required at {PG_URL} (set SHOUHU_TEST_PG_URL): {exc}")
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield f"{PG_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        admin = await asyncpg.connect(PG_URL, timeout=5)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    async with fresh_pg_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """Run a test once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/shouhu.db"
    else:
        async with fresh_pg_database() as url:
            yield url


async def eventually(predicate, timeout: float = 5.0, interval: float = 0.02):  # type: ignore[no-untyped-def]
    """Poll until ``predicate()`` (sync or async) is truthy; return its value."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = predicate()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(interval)


@pytest.fixture
async def core(mqtt_url: str, facility: Facility, tmp_path: Path) -> AsyncIterator[Running]:
    """The real alert core on the test broker (SQLite at tmp_path/core.db), its clock following
    the messages."""
    async with running(
        facilities=[facility],
        mqtt_url=mqtt_url,
        db_url=f"sqlite:///{tmp_path}/core.db",
        clock=EventClock(),
        api_port=None,
        client_id=f"core-{tmp_path.name}",
    ) as run:
        await run.service.wait_connected()
        yield run
