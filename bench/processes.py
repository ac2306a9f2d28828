"""The bench's other processes: the Shouhu core and the load generator.

Each runs as its own ``shouhu`` subprocess, so neither shares a GIL with the
other or with the bench's latency probe.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from shouhu.errors import ShouhuError
from shouhu.facility import load_facility

START_SECONDS = 60.0


class BenchError(ShouhuError):
    """The bench could not run (a process did not start, a broker is missing)."""


def _shouhu(*args: str) -> list[str]:
    return [sys.executable, "-m", "shouhu.cli", *args]


class CoreProcess:
    """``shouhu run`` in a subprocess, watched through its HTTP API."""

    def __init__(self, *, mqtt_url: str, facility: Path, db_url: str, api_port: int, log: Path):
        self.api = f"http://127.0.0.1:{api_port}"
        self.log = log
        self._cmd = _shouhu(
            "run",
            "--facility",
            str(facility),
            "--mqtt-url",
            mqtt_url,
            "--db-url",
            db_url,
            "--api-port",
            str(api_port),
            "--client-id",
            f"shouhu-bench-core-{uuid.uuid4().hex[:8]}",
            "--log-level",
            "WARNING",
        )
        self._proc: asyncio.subprocess.Process | None = None
        # The API needs a signed-in nurse to resolve incidents (the probe frees residents).
        nurse = load_facility(facility).staff[0].id
        self._account = _shouhu(
            "user", "add", "bench", "--role", "nurse", "--staff", nurse,
            "--facility", str(facility), "--db-url", db_url, "--password-stdin",
        )  # fmt: skip
        self._password = uuid.uuid4().hex
        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        self._csrf: str | None = None

    async def __aenter__(self) -> CoreProcess:
        account = await asyncio.create_subprocess_exec(
            *self._account, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.DEVNULL
        )
        await account.communicate(self._password.encode() + b"\n")
        if account.returncode != 0:
            raise BenchError("could not create the bench's sign-in account")
        with self.log.open("wb") as out:
            self._proc = await asyncio.create_subprocess_exec(
                *self._cmd, stdout=out, stderr=asyncio.subprocess.STDOUT
            )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + START_SECONDS
        while loop.time() < deadline:
            if self._proc.returncode is not None:
                raise BenchError(f"shouhu run exited at start:\n{self.tail()}")
            with contextlib.suppress(OSError, ValueError, BenchError):
                if (await self.health()).get("mqtt_connected"):
                    return self
            await asyncio.sleep(0.2)
        await self.__aexit__()
        raise BenchError(f"shouhu run did not become healthy in {START_SECONDS:.0f} s")

    async def __aexit__(self, *_exc: object) -> None:
        proc = self._proc
        if proc is None or proc.returncode is not None:
            return
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 15)
        except TimeoutError:
            proc.kill()
            await proc.wait()

    def tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    async def health(self) -> dict[str, Any]:
        return await asyncio.to_thread(self._call, "GET", "/healthz", None)

    async def resolve(self, incident_id: str, staff: str) -> None:
        """Resolve as the bench's nurse (``staff``, the nurse paged, is in the page)."""
        if self._csrf is None:
            signed_in = await asyncio.to_thread(
                self._call,
                "POST",
                "/api/v1/session",
                {"username": "bench", "password": self._password},
            )
            self._csrf = str(signed_in["csrf_token"])
        body = {"outcome": "drill", "note": f"bench (paged {staff})"}
        await asyncio.to_thread(
            self._call, "POST", f"/api/v1/incidents/{incident_id}/resolve", body
        )

    def _call(self, method: str, path: str, body: dict[str, Any] | None) -> dict[str, Any]:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"content-type": "application/json"}
        if self._csrf is not None:
            headers["X-CSRF-Token"] = self._csrf
        request = urllib.request.Request(self.api + path, data=data, method=method, headers=headers)
        try:
            with self._opener.open(request, timeout=10) as response:
                result: dict[str, Any] = json.loads(response.read())
                return result
        except urllib.error.HTTPError as exc:
            if path == "/healthz" and exc.code == 503:
                return {"mqtt_connected": False}
            raise BenchError(f"{method} {path}: HTTP {exc.code}: {exc.read()[:200]!r}") from exc


class LoadProcess:
    """``shouhu load`` in a subprocess; ``wait`` returns its JSON report."""

    def __init__(
        self, *, mqtt_url: str, facility: Path, residents: int, rate: float, seconds: float
    ):
        self._cmd = _shouhu(
            "load",
            "--mqtt-url",
            mqtt_url,
            "--facility",
            str(facility),
            "--residents",
            str(residents),
            "--rate",
            str(rate),
            "--seconds",
            str(seconds),
            "--json",
        )
        self._proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self._proc = await asyncio.create_subprocess_exec(
            *self._cmd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )

    async def wait(self) -> dict[str, Any]:
        assert self._proc is not None, "start() first"
        out, err = await self._proc.communicate()
        lines = out.decode().strip().splitlines()
        if not lines:
            raise BenchError(f"shouhu load failed: {err.decode().strip()[-2000:]}")
        report: dict[str, Any] = json.loads(lines[-1])
        return report

    async def stop(self) -> None:
        if self._proc is not None and self._proc.returncode is None:
            self._proc.terminate()
            await self._proc.wait()
