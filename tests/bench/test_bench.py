"""The bench's machinery, briefly and at a low rate: it must produce every figure.

No timing is asserted (figures depend on the machine); counts are.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.latency import run_bench

pytestmark = [pytest.mark.mqtt, pytest.mark.slow]


async def test_a_short_bench_produces_every_figure(mqtt_url: str, tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    said: list[str] = []
    status = await run_bench(
        mqtt_url=mqtt_url,
        rates=[200],
        seconds=2.0,
        residents=20,
        ramp=[300],
        ramp_seconds=1.0,
        samples_per_second=5.0,
        client_messages=300,
        json_out=out,
        say=said.append,
    )
    assert status == 0
    figures = json.loads(out.read_text())

    assert [c["library"] for c in figures["clients"]] == ["aiomqtt", "paho", "gmqtt"]
    assert all(c["received"] == c["messages"] == 300 and c["rate"] > 0 for c in figures["clients"])

    (phase,) = figures["latency"]
    assert phase["telemetry_sent"] > 0 and phase["telemetry_lost"] == 0
    for path in ("shouhu", "bare"):
        assert phase[path]["samples"] > 0, path
        assert phase[path]["missed"] == 0, path
        assert 0 < phase[path]["p50"] <= phase[path]["p99"] <= phase[path]["max"], path

    (step,) = figures["ramp"]
    assert step["sent"] > 0 and step["received"] == step["sent"]

    table = "\n".join(said)
    for heading in ("receive rate", "SOS published → page received", "ratio", "ramp"):
        assert heading in table
    assert "Load average at start" in table
