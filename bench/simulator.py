"""How fast the simulator makes a facility's night: ``python -m bench.simulator``.

Prints the time to build the residents' courses and to generate every
message, the speed against real time, and the process's peak memory. The
baseline, measured in the same run, is encoding the night's accelerometer
payloads alone with the standard library's ``json``: what serialization
would cost a generator that did nothing else.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections.abc import Sequence

import numpy as np

from shouhu.cli import EXAMPLE_FACILITY
from simulator.engine import Simulation
from simulator.scenario import load_scenario

SCENARIO = EXAMPLE_FACILITY.parent / "scenarios" / "every-emergency.yaml"


def _json_seconds(count: int) -> float:
    """Seconds stdlib json takes for ``count`` wearable payloads (timed on a sample)."""
    g = np.round(np.random.default_rng(0).normal(0, 1, (50, 3)), 3).tolist()
    body = {"ts": "2026-11-29T18:13:00.000+00:00", "seq": 1, "hr": 61, "acc": {"hz": 50.0, "g": g}}
    sample = min(count, 20_000)
    began = time.perf_counter()
    for _ in range(sample):
        json.dumps(body)
    return (time.perf_counter() - began) / max(sample, 1) * count


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.simulator", description=__doc__)
    parser.add_argument("--scenario", default=str(SCENARIO))
    parser.add_argument("--hours", type=float, help="simulate only this many hours")
    args = parser.parse_args(argv)
    scenario = load_scenario(args.scenario)
    if args.hours:
        scenario = scenario.model_copy(update={"duration_s": args.hours * 3600})
    t0 = time.perf_counter()
    sim = Simulation(scenario)
    t1 = time.perf_counter()
    count = size = acc = 0
    for message in sim.messages():
        count += 1
        size += len(message.payload)
        acc += b'"acc"' in message.payload
    t2 = time.perf_counter()
    baseline = _json_seconds(acc)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    span, total = scenario.duration_s, t2 - t0
    print(
        f"scenario: {scenario.name}, {len(sim.residents)} residents, "
        f"{len(sim.renderers)} devices, {span / 3600:.1f} h, {len(sim.truth)} emergencies"
    )
    print(
        f"build {t1 - t0:.2f} s; {count:,} messages ({size / 1e6:,.0f} MB) "
        f"in {t2 - t1:.1f} s = {count / (t2 - t1):,.0f} msg/s"
    )
    print(f"speed: {span / total:,.0f}x real time ({total:.1f} s for {span / 3600:.1f} h)")
    print(
        f"baseline: stdlib json for the {acc:,} accelerometer payloads alone: {baseline:.1f} s "
        f"= {baseline / total:.2f}x the whole simulation"
    )
    print(f"peak memory: {peak:,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
