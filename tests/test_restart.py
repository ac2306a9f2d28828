"""kill -9 the core while three incidents are mid-escalation; the restarted core resumes them.

A real ``shouhu run`` subprocess, a real Mosquitto and a file SQLite database.
Handhelds confirm receipt of every page, as real ones do.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from shouhu.broker import free_port
from shouhu.facility import EscalationPolicy, EscalationStep, Facility
from tests.plain_mqtt import PlainClient

pytestmark = [pytest.mark.mqtt, pytest.mark.slow]

F = "demo-home"
CHARGE_AFTER_S = 4.0
RESIDENTS = {"wb-007": "r-007", "wb-013": "r-013", "wb-002": "r-002"}


class Handhelds:
    """Every staff handheld: records each page and confirms receipt."""

    def __init__(self, mqtt_url: str) -> None:
        self.pages: list[tuple[float, str, dict[str, object]]] = []  # arrival, staff, page
        self.lock = threading.Lock()
        self.client = PlainClient(mqtt_url, on_message=self._page)
        self.client.subscribe(f"shouhu/v1/{F}/staff/+/pages")

    def _page(self, topic: str, payload: bytes) -> None:
        page = json.loads(payload)
        staff = topic.split("/")[4]
        with self.lock:
            self.pages.append((time.monotonic(), staff, page))
        reply = {"page_id": page["page_id"], "status": "received", "ts": time.time()}
        self.client.client.publish(
            f"shouhu/v1/{F}/staff/{staff}/replies", json.dumps(reply).encode(), qos=1
        )

    def step_pages(self, step: int) -> list[tuple[float, str, dict[str, object]]]:
        """Pages of the SOS incidents' step ``step`` (a shared broker may hold other news)."""
        with self.lock:
            return [
                p
                for p in self.pages
                if p[2]["kind"] == "sos" and str(p[2]["page_id"]).split(".")[1] == str(step)
            ]

    def wait(self, step: int, count: int, timeout: float) -> list[tuple[float, str, dict]]:  # type: ignore[type-arg]
        """Wait for ``count`` pages of escalation step ``step`` (all incidents)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.step_pages(step)
            if len(found) >= count:
                return found
            time.sleep(0.01)
        raise AssertionError(f"step {step}: {len(self.step_pages(step))} of {count} pages")


def facility_file(facility: Facility, path: Path) -> Path:
    """The example home, everyone on both shifts, the charge nurse paged after 4 s."""
    staff = [s.model_copy(update={"shifts": ["day", "night"]}) for s in facility.staff]
    policy = EscalationPolicy(
        high=[
            EscalationStep(target="zone_nurses", after_s=0),
            EscalationStep(target="charge_nurse", after_s=CHARGE_AFTER_S),
            EscalationStep(target="all_nurses", after_s=300),
        ],
        page_deadline_s=120,
        receipt_timeout_s=60,
    )
    data = facility.model_copy(update={"staff": staff, "escalation": policy}).model_dump()
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


class Core:
    def __init__(self, args: list[str], log: Path) -> None:
        self.args = args
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        started = time.monotonic()
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "shouhu.cli", "run", *self.args],
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        return started

    def kill9(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def wait_ready(api: str, core: Core, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert core.proc is not None and core.proc.poll() is None, core.log.read_text()[-3000:]
        try:
            with urllib.request.urlopen(f"{api}/healthz", timeout=1) as response:
                if json.load(response)["mqtt_connected"]:
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"core not ready: {core.log.read_text()[-3000:]}")


@pytest.fixture
def core(mqtt_url: str, facility: Facility, tmp_path: Path) -> Iterator[tuple[Core, str, Path]]:
    port = free_port()
    db = tmp_path / "core.db"
    args = [
        "--facility", str(facility_file(facility, tmp_path / "home.yaml")),
        "--mqtt-url", mqtt_url,
        "--db-url", f"sqlite:///{db}",
        "--api-port", str(port),
        "--client-id", f"core-{tmp_path.name}"[:60],
    ]  # fmt: skip
    running = Core(args, tmp_path / "core.log")
    try:
        yield running, f"http://127.0.0.1:{port}", db
    finally:
        running.stop()


def test_kill_9_mid_escalation_resumes_every_incident(
    core: tuple[Core, str, Path], mqtt_url: str
) -> None:
    proc, api, db = core
    handhelds = Handhelds(mqtt_url)
    device = PlainClient(mqtt_url)
    try:
        proc.start()
        wait_ready(api, proc)
        pressed = time.time()
        for n, wearable in enumerate(RESIDENTS):
            event = {"ts": pressed, "seq": n, "type": "sos"}
            device.publish(f"shouhu/v1/{F}/devices/{wearable}/event", json.dumps(event).encode())
        first = handhelds.wait(1, count=9, timeout=10)  # three nurses on duty in each wing
        proc.kill9()  # mid-escalation: the charge nurse step is due 4 s after each SOS
        assert handhelds.step_pages(2) == []
        time.sleep(max(0.0, pressed + CHARGE_AFTER_S + 0.5 - time.time()))  # now overdue

        restarted = proc.start()
        second = handhelds.wait(2, count=6, timeout=20)  # both charge nurses, three incidents
        resume = [arrival - restarted for arrival, _, _ in second]
        print(f"\nresume: step 2 pages {min(resume):.2f}-{max(resume):.2f} s after restart")
        assert max(resume) < 5.0
        assert sorted(staff for _, staff, _ in second) == ["c-day"] * 3 + ["c-night"] * 3
        time.sleep(1.0)  # anything paged twice would have arrived by now
        ids = [str(p["page_id"]) for _, _, p in handhelds.pages]  # of every incident
        assert len(ids) == len(set(ids)), "a page was delivered twice"
        incidents = {p["incident_id"] for _, _, p in first}
        assert {p["incident_id"] for _, _, p in second} == incidents
        with sqlite3.connect(db) as conn:
            rows = conn.execute("SELECT id, resident FROM incidents WHERE kind = 'sos'").fetchall()
            done = conn.execute(
                "SELECT incident_id, seq FROM steps WHERE status = 'done' ORDER BY 1, 2"
            ).fetchall()
        assert {r[0] for r in rows} == incidents  # none lost
        assert {r[1] for r in rows} == set(RESIDENTS.values())
        mine = sorted(d for d in done if d[0] in incidents)
        assert mine == sorted((i, s) for i in incidents for s in (1, 2))
    finally:
        handhelds.client.close()
        device.close()
