"""The highest telemetry rate one Shouhu process sustains without loss or growing lag.

Each step runs the load generator at one rate; the core's ``/healthz``
counters tell how many messages it took in and how far behind the devices'
clocks it is. A step is sustained when every message sent was received and
the lag in its final second stays under ``LAG_LIMIT_S``.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from bench.processes import CoreProcess, LoadProcess
from bench.report import RampStep, cpu_pressure, load_average

log = logging.getLogger(__name__)

LAG_LIMIT_S = 1.0
SETTLE_S = 10.0
POLL_S = 0.25


async def run_ramp(
    core: CoreProcess,
    *,
    mqtt_url: str,
    facility: Path,
    residents: int,
    rates: list[float],
    seconds: float,
) -> list[RampStep]:
    """Step through ``rates`` until one is not sustained or the generator cannot keep up."""
    steps: list[RampStep] = []
    for rate in rates:
        step = await _step(
            core,
            mqtt_url=mqtt_url,
            facility=facility,
            residents=residents,
            rate=rate,
            seconds=seconds,
        )
        log.info("ramp %s msg/s: %s", rate, step)
        steps.append(step)
        if not step.sustained or step.generator_limited:
            break
    return steps


async def _step(
    core: CoreProcess,
    *,
    mqtt_url: str,
    facility: Path,
    residents: int,
    rate: float,
    seconds: float,
) -> RampStep:
    load = LoadProcess(
        mqtt_url=mqtt_url, facility=facility, residents=residents, rate=rate, seconds=seconds
    )
    before = int((await core.health())["messages"])
    await load.start()
    lags: list[tuple[float, float]] = []  # (seconds since the first message, peak lag)
    watch = asyncio.create_task(_watch(core, before, lags))
    try:
        report = await load.wait()
    finally:
        watch.cancel()
    sent = int(report["sent"])
    received, drain = await _settle(core, before, sent)
    first = [lag for t, lag in lags if t <= 1.0]
    last = [lag for t, lag in lags if t >= (lags[-1][0] - 1.0)] if lags else []
    lag_last = max(last, default=0.0)
    return RampStep(
        target_rate=rate,
        achieved_rate=float(report["rate"]),
        sent=sent,
        received=received,
        lag_first_s=max(first, default=0.0),
        lag_last_s=lag_last,
        drain_s=drain,
        sustained=received >= sent and report["errors"] == 0 and lag_last <= LAG_LIMIT_S,
        generator_limited=float(report["rate"]) < 0.95 * rate,
        load=load_average(),
        pressure=cpu_pressure(),
    )


async def _watch(core: CoreProcess, before: int, lags: list[tuple[float, float]]) -> None:
    """Record the core's peak lag while messages flow."""
    loop = asyncio.get_running_loop()
    started: float | None = None
    while True:
        health = await core.health()
        if started is None and int(health["messages"]) > before:
            started = loop.time()
        if started is not None:
            lags.append((loop.time() - started, float(health.get("ingest_lag_peak_s", 0.0))))
        await asyncio.sleep(POLL_S)


async def _settle(core: CoreProcess, before: int, sent: int) -> tuple[int, float]:
    """Wait until the core has counted ``sent`` more messages, or stops counting."""
    loop = asyncio.get_running_loop()
    start = last_change = loop.time()
    last = -1
    while True:
        received = int((await core.health())["messages"]) - before
        now = loop.time()
        if received >= sent:
            return received, now - start
        if received != last:
            last, last_change = received, now
        elif now - last_change > 2.0 or now - start > SETTLE_S:
            return received, now - start
        await asyncio.sleep(0.05)
