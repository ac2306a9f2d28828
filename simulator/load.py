"""Load mode: N residents (a wearable and a bed sensor each) at a given total rate.

For benchmarks. The payloads are plausible resting telemetry (vitals around
per-resident baselines, a wrist accelerometer batch at 25 Hz, a bed sensor's
presence and movement) built with string formatting, so that one process can
publish well over 5,000 messages/s. ``run_load`` reports what it actually
sent, which can be less than asked: the broker's acknowledgements are the
count, not the loop's intentions.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import yaml

from gateway.mqtt import FastPublisher
from gateway.protocol import Channel, device_topic
from shouhu.errors import ConfigError
from shouhu.facility import Facility

ACC_HZ = 25
TICK_SECONDS = 0.005
MAX_PENDING = 50_000  # unacknowledged messages before the generator waits for the broker
MAX_BEHIND_SECONDS = 0.25  # a generator further behind than this gives up catching up
ZONE_SIZE = 50

Progress = Callable[[int, float], None]


@dataclass(frozen=True, slots=True)
class LoadReport:
    """What a load run actually did."""

    residents: int
    devices: int
    qos: int
    target_rate: float
    seconds: float  # from the first publish to the last
    sent: int  # acknowledged by the broker (QoS 1) or written to the socket (QoS 0)
    errors: int  # refused by the client, or never acknowledged
    disconnects: int

    @property
    def rate(self) -> float:
        return self.sent / self.seconds if self.seconds > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"rate": round(self.rate, 1)}

    def summary(self) -> str:
        return (
            f"sent {self.sent:,} messages from {self.devices:,} devices of {self.residents:,} "
            f"residents in {self.seconds:.1f} s: {self.rate:,.0f} msg/s achieved "
            f"(target {self.target_rate:,.0f}, QoS {self.qos}); "
            f"{self.errors:,} publish errors, {self.disconnects} disconnects"
        )


def synthetic_facility(residents: int, *, facility_id: str = "load-home") -> Facility:
    """A facility of ``residents`` residents with a wearable and a bed each, staffed all day."""
    if residents < 1:
        raise ConfigError("load: need at least one resident")
    zones = [f"z{i:02d}" for i in range((residents + ZONE_SIZE - 1) // ZONE_SIZE)]
    data: dict[str, Any] = {
        "facility": {
            "id": facility_id,
            "name": f"Load test home ({residents} residents)",
            "address": "Benchmark, not a real place",
            "timezone": "UTC",
        },
        "zones": [{"id": z, "name": f"Zone {z}"} for z in zones],
        "residents": [
            {
                "id": f"r-{i:05d}",
                "name": f"Resident {i}",
                "age": 65 + i % 33,
                "room": str(100 + i),
                "zone": zones[(i - 1) // ZONE_SIZE],
            }
            for i in range(1, residents + 1)
        ],
        "devices": [
            {"id": f"{kind}-{i:05d}", "kind": kind, "resident": f"r-{i:05d}", "placement": place}
            for i in range(1, residents + 1)
            for kind, place in (("wearable", "wrist"), ("bed", "bed"))
        ],
        "staff": [
            {
                "id": f"n-{shift}-{z}",
                "name": f"Nurse {z} {shift}",
                "role": "nurse",
                "zones": [z],
                "shifts": [shift],
            }
            for z in zones
            for shift in ("day", "night")
        ],
    }
    return Facility.model_validate(data)


def facility_yaml(facility: Facility) -> str:
    """The facility as a facility file (``shouhu run --facility`` reads it back)."""
    return yaml.safe_dump(
        facility.model_dump(mode="json", exclude_defaults=True), allow_unicode=True, sort_keys=False
    )


@dataclass(slots=True)
class _Device:
    topic: str
    wearable: bool
    hr: float
    rr: float
    spo2: float
    temp: float
    battery: float
    seq: int = 0


class TelemetryMaker:
    """Plausible resting telemetry for each (wearable, bed) pair, cheap to produce."""

    def __init__(self, facility: Facility, residents: int, *, per_device_hz: float, seed: int = 0):
        self.rng = random.Random(seed)
        pairs = _pairs(facility, residents)
        self.devices: list[_Device] = []
        for wearable, bed in pairs:
            hr, rr = self.rng.gauss(68, 7), self.rng.gauss(15, 1.5)
            spo2, temp = min(99.0, self.rng.gauss(96, 1)), self.rng.gauss(33.5, 0.4)
            for device_id, is_wearable in ((wearable, True), (bed, False)):
                topic = device_topic(facility.id, device_id, Channel.TELEMETRY)
                battery = self.rng.uniform(40, 100)
                self.devices.append(_Device(topic, is_wearable, hr, rr, spo2, temp, battery))
        samples = max(1, min(50, round(ACC_HZ / per_device_hz)))
        self._acc = [self._acc_batch(samples) for _ in range(64)]
        self._next = 0

    def _acc_batch(self, samples: int) -> str:
        """A wrist at rest in bed: gravity mostly along one axis, small tremor."""
        gx, gy, gz = self.rng.choice([(0.05, 0.98, 0.1), (0.9, 0.1, 0.4), (0.1, 0.2, 0.97)])
        g = self.rng.gauss
        rows = ",".join(
            f"[{gx + g(0, 0.02):.3f},{gy + g(0, 0.02):.3f},{gz + g(0, 0.02):.3f}]"
            for _ in range(samples)
        )
        return f'{{"hz":{ACC_HZ},"g":[{rows}]}}'

    def next(self, ts: float) -> tuple[str, bytes]:
        """The next device's message, round robin, stamped ``ts`` (Unix seconds)."""
        d = self.devices[self._next]
        self._next = (self._next + 1) % len(self.devices)
        d.seq += 1
        g = self.rng.gauss
        if d.wearable:
            d.battery = max(0.0, d.battery - 0.0002)
            body = (
                f'{{"ts":{ts:.3f},"seq":{d.seq},"hr":{d.hr + g(0, 2):.1f},'
                f'"spo2":{min(100.0, d.spo2 + g(0, 0.6)):.1f},'
                f'"skin_temp":{d.temp + g(0, 0.1):.2f},"worn":true,'
                f'"battery":{d.battery:.1f},"acc":{self._acc[d.seq & 63]}}}'
            )
        else:
            body = (
                f'{{"ts":{ts:.3f},"seq":{d.seq},"presence":true,"hr":{d.hr + g(0, 2.5):.1f},'
                f'"rr":{d.rr + g(0, 0.8):.1f},"movement":{abs(g(0, 0.05)):.3f}}}'
            )
        return d.topic, body.encode()


def _pairs(facility: Facility, residents: int) -> list[tuple[str, str]]:
    """The first ``residents`` residents that have both a wearable and a bed sensor."""
    found: list[tuple[str, str]] = []
    for resident in facility.residents:
        kinds = {d.kind: d.id for d in facility.devices if d.resident == resident.id}
        if "wearable" in kinds and "bed" in kinds:
            found.append((kinds["wearable"], kinds["bed"]))
        if len(found) == residents:
            return found
    raise ConfigError(
        f"load: facility {facility.id!r} has {len(found)} residents with a wearable and a bed "
        f"sensor; {residents} asked for"
    )


async def run_load(
    url: str,
    facility: Facility,
    *,
    residents: int,
    rate: float,
    seconds: float,
    qos: int = 1,
    seed: int = 0,
    progress: Progress | None = None,
) -> LoadReport:
    """Publish ``rate`` messages/s in total for ``seconds``; report what was sent."""
    if rate <= 0 or seconds < 0 or qos not in (0, 1):
        raise ConfigError("load: rate must be > 0, seconds >= 0 and QoS 0 or 1")
    maker = TelemetryMaker(facility, residents, per_device_hz=rate / (2 * residents), seed=seed)
    publisher = FastPublisher(url)
    await asyncio.to_thread(publisher.connect)
    try:
        elapsed = await _pace(
            publisher, maker, rate=rate, seconds=seconds, qos=qos, progress=progress
        )
        await publisher.drain(within=max(10.0, seconds))
    finally:
        await asyncio.to_thread(publisher.close)
    return LoadReport(
        residents=residents,
        devices=len(maker.devices),
        qos=qos,
        target_rate=rate,
        seconds=elapsed,
        sent=publisher.acked,
        errors=publisher.refused + publisher.pending,
        disconnects=publisher.disconnects,
    )


async def _pace(
    publisher: FastPublisher,
    maker: TelemetryMaker,
    *,
    rate: float,
    seconds: float,
    qos: int,
    progress: Progress | None,
) -> float:
    """Publish at ``rate`` until ``seconds`` have passed; return the time taken."""
    start = time.monotonic()
    owed_from, attempted = start, 0  # the schedule restarts when it falls too far behind
    while (now := time.monotonic()) - start < seconds:
        due = int(rate * (now - owed_from)) - attempted
        if due > rate * MAX_BEHIND_SECONDS:
            owed_from, attempted, due = now, 0, 0
        if publisher.pending < MAX_PENDING:
            wall = time.time()
            for _ in range(due):
                topic, payload = maker.next(wall)
                publisher.publish(topic, payload, qos=qos)
            attempted += max(due, 0)
        if progress is not None:
            progress(publisher.submitted, now - start)
        await asyncio.sleep(TICK_SECONDS)
    return time.monotonic() - start


def report_json(report: LoadReport) -> str:
    return json.dumps(report.as_dict())
