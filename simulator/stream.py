"""Plausible 1 Hz telemetry for every device of a facility, deterministic by seed.

A first, simple model: resting vitals with noise around per-resident means.
The physiology of nights and emergencies lives in its own modules.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from gateway.protocol import Channel, device_topic
from shouhu.facility import Device, Facility


@dataclass(frozen=True, slots=True)
class Message:
    ts: float
    topic: str
    payload: bytes
    qos: int = 0
    retain: bool = False


def iso(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat(timespec="milliseconds")


class SteadyStream:
    """Every device reports once a second; residents rest quietly."""

    def __init__(self, facility: Facility, *, seed: int = 0, acc_hz: float = 25.0) -> None:
        self.facility = facility
        self.rng = np.random.default_rng(seed)
        self.acc_hz = acc_hz
        self.devices = [d for d in facility.devices if d.kind in ("wearable", "bed")]
        self._seq: dict[str, int] = {}
        self._hr = {r.id: self.rng.normal(68, 6) for r in facility.residents}
        self._rr = {r.id: self.rng.normal(15, 1.5) for r in facility.residents}
        self._battery = {d.id: float(self.rng.uniform(60, 100)) for d in self.devices}

    def seq(self, device: str) -> int:
        self._seq[device] = self._seq.get(device, 0) + 1
        return self._seq[device]

    def second(self, ts: float) -> Iterator[Message]:
        for device in self.devices:
            yield self.telemetry(device, ts)

    def telemetry(self, device: Device, ts: float) -> Message:
        resident = device.resident or ""
        hr = self._hr.get(resident, 70.0) + self.rng.normal(0, 2)
        body: dict[str, object] = {"ts": iso(ts), "seq": self.seq(device.id)}
        if device.kind == "wearable":
            n = int(self.acc_hz)
            g = np.tile([0.0, 0.0, 1.0], (n, 1)) + self.rng.normal(0, 0.02, (n, 3))
            self._battery[device.id] = max(0.0, self._battery[device.id] - 0.0005)
            body |= {
                "hr": round(hr, 1),
                "spo2": round(min(100.0, self.rng.normal(96.5, 0.8)), 1),
                "skin_temp": round(self.rng.normal(33.5, 0.3), 2),
                "worn": True,
                "battery": round(self._battery[device.id], 1),
                "acc": {"hz": self.acc_hz, "g": np.round(g, 3).tolist()},
            }
        else:
            body |= {
                "presence": True,
                "hr": round(hr, 1),
                "rr": round(self._rr.get(resident, 15.0) + self.rng.normal(0, 0.7), 1),
                "movement": round(float(abs(self.rng.normal(0, 0.05))), 3),
            }
        topic = device_topic(self.facility.id, device.id, Channel.TELEMETRY)
        return Message(ts, topic, json.dumps(body).encode())

    def event(self, device: Device, ts: float, type_: str, *, exercise: bool = False) -> Message:
        body = {"ts": iso(ts), "seq": self.seq(device.id), "type": type_}
        if exercise:
            body["exercise"] = True
        topic = device_topic(self.facility.id, device.id, Channel.EVENT)
        return Message(ts, topic, json.dumps(body).encode(), qos=1)

    def wearable_of(self, resident: str) -> Device:
        for device in self.facility.devices:
            if device.resident == resident and device.kind in ("wearable", "button"):
                return device
        raise KeyError(f"resident {resident} has no wearable or button")
