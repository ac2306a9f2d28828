"""``shouhu bench``: end-to-end alert latency and throughput, against a bare-MQTT baseline.

In one run, bounded in time:

1. the bare QoS 1 receive rate of aiomqtt, paho and gmqtt subscribers
   (``bench.clients``), which argues the gateway's choice of client;
2. for each background rate (telemetry from simulated residents), SOS
   published -> page received on the nurse's topic, and a bare MQTT publish
   -> subscribe taken in the same moments: p50 / p99 / p99.9 and their ratio
   (``bench.probe``);
3. a ramp of telemetry rates, to the highest that one Shouhu process takes
   without loss or growing lag (``bench.ramp``).

Mosquitto, the Shouhu core (``shouhu run``), the load generator
(``shouhu load``) and the probe each run in their own process. The machine's
load average is reported next to every figure: on a shared machine the
figures are only as quiet as it is.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import tempfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from bench.clients import measure_clients
from bench.probe import Probe
from bench.processes import BenchError, CoreProcess, LoadProcess
from bench.ramp import run_ramp
from bench.report import (
    BenchResults,
    Latency,
    LatencyPhase,
    cpu_pressure,
    load_average,
    render,
)
from shouhu.broker import embedded_broker, find_mosquitto, free_port
from simulator.load import facility_yaml, synthetic_facility

log = logging.getLogger(__name__)

DEFAULT_RAMP = [2000, 4000, 6000, 8000, 10_000, 12_000, 15_000, 18_000, 21_000]
QOS = 1


async def run_bench(
    *,
    mqtt_url: str | None,
    rates: list[int],
    seconds: float,
    residents: int = 500,
    ramp: list[int] | None = None,
    ramp_seconds: float = 4.0,
    samples_per_second: float = 20.0,
    client_messages: int = 20_000,
    json_out: Path | None = None,
    say: Callable[[str], None] = print,
) -> int:
    """Run the whole bench, print its tables; return an exit status."""
    ramp_rates = DEFAULT_RAMP if ramp is None else ramp
    async with _broker(mqtt_url) as (url, broker):
        results = BenchResults(broker=broker, residents=residents, qos=QOS)
        if client_messages > 0:
            say(f"client libraries: receiving {client_messages:,} queued QoS 1 messages each ...")
            results.clients = await measure_clients(url, messages=client_messages)
        with tempfile.TemporaryDirectory(prefix="shouhu-bench-") as tmp:
            facility = synthetic_facility(residents, facility_id="bench-home")
            path = Path(tmp) / "facility.yaml"
            path.write_text(facility_yaml(facility), encoding="utf-8")
            core = CoreProcess(
                mqtt_url=url,
                facility=path,
                db_url=f"sqlite:///{tmp}/bench.db",
                api_port=free_port(),
                log=Path(tmp) / "core.log",
            )
            async with core, Probe(url, facility, resolve=core.resolve) as probe:
                for rate in rates:
                    say(
                        f"latency at {rate:,} msg/s of background telemetry for {seconds:.0f} s ..."
                    )
                    results.latency.append(
                        await _latency_phase(
                            core,
                            probe,
                            url=url,
                            facility=path,
                            residents=residents,
                            rate=rate,
                            seconds=seconds,
                            per_second=samples_per_second,
                        )
                    )
                if ramp_rates:
                    say(f"ramp: {', '.join(f'{r:,}' for r in ramp_rates)} msg/s ...")
                    results.ramp = await run_ramp(
                        core,
                        mqtt_url=url,
                        facility=path,
                        residents=residents,
                        rates=[float(r) for r in ramp_rates],
                        seconds=ramp_seconds,
                    )
            if core.tail():
                log.info("core log:\n%s", core.tail())
    say("")
    say(render(results))
    if json_out is not None:
        text = json.dumps(results.as_dict(), indent=2)
        await asyncio.to_thread(json_out.write_text, text, encoding="utf-8")
        say(f"\nwrote {json_out}")
    return 0


@contextlib.asynccontextmanager
async def _broker(mqtt_url: str | None) -> AsyncIterator[tuple[str, str]]:
    if mqtt_url is not None:
        yield mqtt_url, mqtt_url
        return
    if find_mosquitto() is None:
        raise BenchError("the bench needs Mosquitto (apt-get install mosquitto) or --mqtt-url")
    async with embedded_broker(free_port()) as url:
        yield url, f"Mosquitto {await _mosquitto_version()} (started by the bench)"


async def _mosquitto_version() -> str:
    mosquitto = find_mosquitto()
    assert mosquitto is not None
    proc = await asyncio.create_subprocess_exec(
        mosquitto, "-h", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await proc.communicate()
    words = out.decode(errors="replace").split()
    return words[words.index("version") + 1] if "version" in words else "?"


async def _latency_phase(
    core: CoreProcess,
    probe: Probe,
    *,
    url: str,
    facility: Path,
    residents: int,
    rate: float,
    seconds: float,
    per_second: float,
) -> LatencyPhase:
    load = LoadProcess(
        mqtt_url=url, facility=facility, residents=residents, rate=rate, seconds=seconds + 2.0
    )
    before = int((await core.health())["messages"])
    sos_before = probe.sos_published
    await load.start()
    try:
        await _until_flowing(core, before)
        load_start = load_average()
        shouhu, bare, missed_sos, missed_bare = await probe.sample(seconds, per_second=per_second)
        report = await load.wait()
    finally:
        await load.stop()
    sent = int(report["sent"])
    received = await _received(core, before, sent + probe.sos_published - sos_before)
    return LatencyPhase(
        target_rate=rate,
        achieved_rate=float(report["rate"]),
        telemetry_sent=sent,
        telemetry_lost=max(0, sent - (received - (probe.sos_published - sos_before))),
        shouhu=Latency.of(shouhu, missed=missed_sos),
        bare=Latency.of(bare, missed=missed_bare),
        load_start=load_start,
        load_end=load_average(),
        pressure=cpu_pressure(),
    )


async def _until_flowing(core: CoreProcess, before: int, within: float = 30.0) -> None:
    """Wait until the core receives the load generator's first messages."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while int((await core.health())["messages"]) <= before:
        if loop.time() > deadline:
            raise BenchError(f"no telemetry reached the core within {within:.0f} s")
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.5)  # past the first burst


async def _received(core: CoreProcess, before: int, expected: int, within: float = 10.0) -> int:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        received = int((await core.health())["messages"]) - before
        if received >= expected or loop.time() > deadline:
            return received
        await asyncio.sleep(0.05)
