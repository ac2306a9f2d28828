from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from shouhu.cli import main
from simulator.drill import as_drill
from simulator.engine import Simulation
from simulator.publisher import read_messages
from simulator.scenario import load_scenario
from simulator.truth import read_truth
from tests.conftest import EXAMPLE
from tests.plain_mqtt import PlainClient

SHORT = """\
name: short
facility: facility.yaml
start: "2026-11-30 02:00"
duration: 3m
seed: 5
residents: [r-002, r-007]
events:
  - {at: "+30s", resident: r-002, kind: sos}
  - {at: "02:01", resident: r-007, kind: fall, outcome: struggling, device_event: true}
"""
F = "sim-test-home"  # its own facility id: retained status messages stay out of other tests


@pytest.fixture
def short(tmp_path: Path) -> Path:
    facility = EXAMPLE.read_text(encoding="utf-8").replace("id: demo-home", f"id: {F}", 1)
    (tmp_path / "facility.yaml").write_text(facility, encoding="utf-8")
    path = tmp_path / "short.yaml"
    path.write_text(SHORT, encoding="utf-8")
    return path


def test_simulate_writes_messages_and_truth_byte_identically(short: Path, tmp_path: Path) -> None:
    assert main(["simulate", str(short), "--out", str(tmp_path / "a")]) == 0
    assert main(["simulate", str(short), "--out", str(tmp_path / "b")]) == 0
    a, b = tmp_path / "a", tmp_path / "b"
    assert (a / "messages.jsonl").read_bytes() == (b / "messages.jsonl").read_bytes()
    assert [e.kind for e in read_truth(a / "truth.jsonl")] == ["sos", "fall"]
    written = list(read_messages(a / "messages.jsonl"))
    expected = list(Simulation(load_scenario(short)).messages())
    assert [(m.ts, m.topic) for m in written] == [(m.ts, m.topic) for m in expected]
    assert [json.loads(m.payload) for m in written] == [json.loads(m.payload) for m in expected]


def test_a_bad_scenario_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(SHORT.replace("kind: sos", "kind: explosion"), encoding="utf-8")
    (tmp_path / "facility.yaml").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["simulate", str(path), "--out", str(tmp_path)]) == 2
    assert f"{path}:8: events[0].kind" in capsys.readouterr().err


@pytest.mark.mqtt
def test_simulate_publishes_to_the_broker(short: Path, mqtt_url: str) -> None:
    device = PlainClient(mqtt_url)
    try:
        device.subscribe(f"shouhu/v1/{F}/devices/+/event")
        device.subscribe(f"shouhu/v1/{F}/devices/bed-002/telemetry")
        assert main(["simulate", str(short), "--mqtt-url", mqtt_url, "--speed", "max"]) == 0
        got: dict[str, list[dict[str, object]]] = {}
        deadline = time.time() + 10
        while len(got.get("event", [])) < 2 and time.time() < deadline:
            topic, payload = device.get(5)
            got.setdefault(topic.rsplit("/", 1)[1], []).append(json.loads(payload))
        assert sorted(str(e["type"]) for e in got["event"]) == ["fall", "sos"]
        assert got["telemetry"]
    finally:
        device.close()


def test_a_drill_marks_every_message_as_an_exercise(short: Path) -> None:
    now = time.time()
    drill = as_drill(load_scenario(short), now=now)
    assert drill.start == int(now) and drill.speed == 1.0
    sim = Simulation(drill)
    assert all(e.exercise for e in sim.truth)
    messages = [json.loads(m.payload) for m in sim.messages() if not m.topic.endswith("/status")]
    assert messages and all(body.get("exercise") is True for body in messages)
    assert {m["type"] for m in messages if "type" in m} == {"sos", "fall"}
