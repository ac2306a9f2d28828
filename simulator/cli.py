"""``shouhu simulate``: publish a facility's devices in real time."""

from __future__ import annotations

import time

from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from gateway.mqtt import MqttClient
from shouhu.errors import ConfigError
from shouhu.facility import Facility
from simulator.publisher import publish_all, sleep_until
from simulator.stream import SteadyStream


def parse_sos(specs: list[str], facility: Facility) -> dict[int, list[str]]:
    """``r-007@30`` -> {30: ["r-007"]}."""
    out: dict[int, list[str]] = {}
    for spec in specs:
        resident, _, at = spec.partition("@")
        if facility.resident(resident) is None or not at.replace(".", "", 1).isdigit():
            raise ConfigError(f"--sos {spec!r}: expected RESIDENT@SECONDS with a known resident")
        out.setdefault(int(float(at)), []).append(resident)
    return out


async def simulate_steady(
    facility: Facility, *, mqtt_url: str, duration: float, sos: list[str], seed: int
) -> int:
    presses = parse_sos(sos, facility)
    stream = SteadyStream(facility, seed=seed)
    sent = 0
    async with MqttClient(mqtt_url) as client:
        start = time.time()
        with Progress(
            TextColumn("simulating {task.fields[facility]}"),
            BarColumn(),
            TextColumn("{task.completed:.0f}/{task.total:.0f} s"),
            TextColumn("{task.fields[sent]} messages"),
            TimeRemainingColumn(),
        ) as bar:
            task = bar.add_task("sim", total=duration, facility=facility.id, sent=0)
            for second in range(int(duration)):
                ts = start + second
                await sleep_until(ts)
                sent += await publish_all(client, stream.second(ts))
                for resident in presses.get(second, []):
                    sent += await publish_all(
                        client, [stream.event(stream.wearable_of(resident), ts, "sos")]
                    )
                    bar.console.print(f"[bold red]SOS[/] pressed by {resident} at +{second} s")
                bar.update(task, completed=second + 1, sent=sent)
    print(f"published {sent} messages in {time.time() - start:.1f} s")
    return 0
