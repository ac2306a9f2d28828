"""Devices as they behave: what each one measures, misses, and sends, chunk by chunk.

A renderer turns a resident's true state into one device's messages with the
device's own flaws: a skewed clock, network latency, motion artifacts, bed
sensors missing a quarter of their samples, a draining battery, time offline
(announced by the broker's retained last will), duplicated and late messages.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson

from gateway.protocol import Channel, device_topic
from simulator.accel import TABLE, Accelerometer, orientations
from simulator.behaviour import Behaviour, Posture
from simulator.course import DeviceScript
from simulator.scenario import DeviceRealism
from simulator.stream import Message
from simulator.vitals import Vitals

LAST_WILL_DELAY_S = 45.0  # the broker publishes the will after 1.5 x a 30 s keepalive
NATURAL_FLOOR_PERCENT = 30.0  # batteries are charged before they run this low unless scripted
F64 = npt.NDArray[np.float64]
_OPT = orjson.OPT_SERIALIZE_NUMPY


@functools.lru_cache(maxsize=8192)
def _second(second: int) -> str:
    return dt.datetime.fromtimestamp(second, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _stamp(ts: float) -> str:
    """RFC 3339 in UTC with milliseconds, e.g. ``2026-11-29T18:13:00.123+00:00``."""
    second = math.floor(ts)
    return f"{_second(second)}.{int((ts - second) * 1000):03d}+00:00"


def _spans(n: int, spans: list[tuple[int, int]]) -> npt.NDArray[np.bool_]:
    mask = np.zeros(n, np.bool_)
    for a, b in spans:
        mask[max(a, 0) : max(min(b, n), 0)] = True
    return mask


class Renderer:
    """What every device shares: identity, clock, sequence numbers, status and events."""

    def __init__(
        self,
        facility: str,
        script: DeviceScript,
        *,
        start: float,
        n: int,
        realism: DeviceRealism,
        rng: np.random.Generator,
    ) -> None:
        self.script = script
        self.device = script.device
        self.start, self.n, self.rng = start, n, rng
        self.topic = device_topic(facility, self.device.id, Channel.TELEMETRY)
        self.event_topic = device_topic(facility, self.device.id, Channel.EVENT)
        self.status_topic = device_topic(facility, self.device.id, Channel.STATUS)
        self.phase = float(rng.uniform(0.0, 1.0))
        self.skew = float(rng.normal(0.0, realism.clock_skew_s))
        self.every = max(1, round(self.device.interval_s))
        latency = 0.02 + rng.exponential(0.03, n)
        late = rng.random(n) < realism.reorder_rate
        latency[late] += rng.uniform(1.0, 3.0, int(late.sum()))
        self.latency = latency
        self.duplicate = rng.random(n) < realism.duplicate_rate
        self.offline = _spans(n, script.offline)
        self.exercise = _spans(n, script.exercise)
        self.seq = 0
        self.statuses = self._statuses()
        self.events = sorted(script.events)

    def _statuses(self) -> list[Message]:
        out = [self._status(True, self.start + self.phase * 0.5)]
        edges = np.flatnonzero(np.diff(np.concatenate([[0], self.offline.view(np.int8), [0]])))
        for a, b in zip(edges[::2], edges[1::2], strict=True):
            will = self.start + a + LAST_WILL_DELAY_S
            if will < self.start + b or b >= self.n:
                out.append(self._status(False, will))
            if b < self.n:
                out.append(self._status(True, self.start + b + self.phase * 0.5))
        return sorted(out, key=lambda m: m.ts)

    def _status(self, online: bool, ts: float) -> Message:
        payload = orjson.dumps({"state": "online" if online else "offline", "ts": _stamp(ts)})
        return Message(ts, self.status_topic, payload, qos=1, retain=True)

    def _numbered(self, ts: float, topic: str, body: dict[str, Any], *, qos: int = 0) -> Message:
        self.seq += 1
        body["seq"] = self.seq
        return Message(ts, topic, orjson.dumps(body, option=_OPT), qos=qos)

    def _event(self, ts: float, type_: str) -> Message:
        index = min(max(int(ts - self.start), 0), self.n - 1)
        body: dict[str, Any] = {"ts": _stamp(ts + self.skew), "seq": 0, "type": type_}
        if self.exercise[index]:
            body["exercise"] = True
        return self._numbered(ts + 0.05, self.event_topic, body, qos=1)

    def chunk(self, a: int, b: int) -> list[Message]:
        """Every message the device sends for seconds [a, b), in the order it sends them."""
        out: list[Message] = []
        while self.statuses and self.statuses[0].ts < self.start + b:
            out.append(self.statuses.pop(0))
        bodies = iter(self.bodies(a, b))
        upcoming = next(bodies, None)
        for i in range(a, b):
            while self.events and self.events[0][0] < self.start + i + 1:
                out.append(self._event(*self.events.pop(0)))
            if upcoming is None or upcoming[0] != i:
                continue
            body = upcoming[1]
            upcoming = next(bodies, None)
            sent = self.start + i + self.phase + float(self.latency[i])
            body["ts"] = _stamp(self.start + i + self.phase + self.skew)
            if self.exercise[i]:
                body["exercise"] = True
            message = self._numbered(sent, self.topic, body)
            out.append(message)
            if self.duplicate[i]:
                out.append(Message(sent + 0.5, message.topic, message.payload, message.qos))
        return out

    def bodies(self, a: int, b: int) -> list[tuple[int, dict[str, Any]]]:
        return []


class WearableRenderer(Renderer):
    def __init__(
        self,
        facility: str,
        script: DeviceScript,
        beh: Behaviour,
        vitals: Vitals,
        *,
        realism: DeviceRealism,
        rng: np.random.Generator,
    ) -> None:
        super().__init__(facility, script, start=beh.start, n=beh.n, realism=realism, rng=rng)
        n = beh.n
        removed = _spans(n, script.removed)
        self.worn = ~removed
        wrist = script.device.placement in (None, "wrist")
        act = beh.activity.astype(np.float64)
        p_art = np.clip((act - 0.12) * (2.5 if wrist else 1.5), 0, 0.85) if realism.artifacts else 0
        beating = vitals.pulse & self.worn
        hr = np.rint(vitals.hr + rng.normal(0, 1.0, n))
        art = rng.random(n) < p_art
        hr = np.where(art, np.clip(hr + rng.normal(8, 14, n), 35, 190), hr)
        self.hr: F64 = np.where(beating & ~(art & (rng.random(n) < 0.45)), np.rint(hr), np.nan)
        spo2 = np.minimum(np.rint(vitals.spo2 + rng.normal(0, 0.7, n)), 100)
        art2 = rng.random(n) < np.asarray(p_art) * 0.8
        spo2 = np.where(art2, np.rint(spo2 - rng.uniform(3, 12, n)), spo2)
        missing = (art2 & (rng.random(n) < 0.5)) | (rng.random(n) < 0.04)
        self.spo2: F64 = np.where(beating & ~missing, np.clip(spo2, 50, 100), np.nan)
        skin = _off_body(vitals.skin, script.removed) + rng.normal(0, 0.03, n)
        self.skin: F64 = np.round(np.clip(skin, 15.0, 45.0), 1).astype(np.float64)
        self.battery = self._battery(script, n, rng)
        self.offline |= self.battery <= 0
        up = orientations(
            beh.posture, beh.activity, placement=script.device.placement or "", rng=rng
        )
        up[removed] = TABLE
        still = np.where(removed, np.float32(0.0), beh.activity)
        hz = round(realism.acc_hz)
        self.hz = float(hz)
        walking = (beh.posture == Posture.WALKING) & self.worn
        self.acc = Accelerometer(hz, up, still, walking, float(rng.uniform(1.5, 1.9)), rng)
        self.acc.impacts = [(round((ts - beh.start) * hz), g) for ts, g in script.impacts]

    def _battery(self, script: DeviceScript, n: int, rng: np.random.Generator) -> F64:
        if script.battery is not None:
            level0, rate = script.battery
        else:
            rate = rng.uniform(1.0, 2.0) / 3600
            lowest = NATURAL_FLOOR_PERCENT + rate * n
            if lowest > 100:
                rate = (100 - NATURAL_FLOOR_PERCENT) / n
                lowest = 100.0
            level0 = rng.uniform(max(lowest, 45.0), 100.0) if lowest < 100 else 100.0
        levels: F64 = np.clip(np.floor(level0 - rate * np.arange(n)), 0.0, 100.0)
        return levels

    def bodies(self, a: int, b: int) -> list[tuple[int, dict[str, Any]]]:
        g = self.acc.samples(a, b)
        h = self.acc.hz
        hr, spo2 = self.hr[a:b].tolist(), self.spo2[a:b].tolist()
        skin, battery = self.skin[a:b].tolist(), self.battery[a:b].tolist()
        out: list[tuple[int, dict[str, Any]]] = []
        for k, i in enumerate(range(a, b)):
            if self.offline[i] or i % self.every:
                continue
            body: dict[str, Any] = {"ts": None, "seq": 0}
            if hr[k] == hr[k]:
                body["hr"] = int(hr[k])
            if spo2[k] == spo2[k]:
                body["spo2"] = int(spo2[k])
            body["skin_temp"] = skin[k]
            body["worn"] = bool(self.worn[i])
            body["battery"] = int(battery[k])
            body["acc"] = {"hz": self.hz, "g": g[k * h : (k + 1) * h]}
            out.append((i, body))
        return out


def _off_body(skin: F64, removed: list[tuple[int, int]], ambient: float = 24.5) -> F64:
    """Skin temperature, except where the device is off the body: it cools to the room."""
    out = skin.copy()
    for a, b in removed:
        a, b = max(a, 0), min(b, len(skin))
        if a < b:
            t = np.arange(b - a)
            out[a:b] = ambient + (skin[a] - ambient) * np.exp(-t / 600.0)
    return out


class BedRenderer(Renderer):
    def __init__(
        self,
        facility: str,
        script: DeviceScript,
        beh: Behaviour,
        vitals: Vitals,
        *,
        realism: DeviceRealism,
        rng: np.random.Generator,
    ) -> None:
        super().__init__(facility, script, start=beh.start, n=beh.n, realism=realism, rng=rng)
        n = beh.n
        lost = _gaps(n, float(rng.uniform(*realism.bed_missing)), rng)
        whole = lost & (_gaps(n, 0.33, rng, burst_s=30) | (rng.random(n) < 0.1))
        self.offline |= whole
        self.present = beh.in_bed.copy()
        act = beh.activity.astype(np.float64)
        readable = self.present & vitals.pulse & ~lost & (act < 0.25)
        self.hr: F64 = np.where(readable, np.rint(vitals.hr + rng.normal(0, 1.5, n)), np.nan)
        self.rr: F64 = np.where(readable, np.rint(vitals.rr + rng.normal(0, 0.6, n)), np.nan)
        move = np.clip(act * rng.uniform(0.9, 1.1) + rng.normal(0, 0.003, n), 0, 1)
        self.movement: F64 = np.round(np.where(self.present, move, 0.0), 3).astype(np.float64)

    def bodies(self, a: int, b: int) -> list[tuple[int, dict[str, Any]]]:
        hr, rr = self.hr[a:b].tolist(), self.rr[a:b].tolist()
        move = self.movement[a:b].tolist()
        out: list[tuple[int, dict[str, Any]]] = []
        for k, i in enumerate(range(a, b)):
            if self.offline[i] or i % self.every:
                continue
            body: dict[str, Any] = {"ts": None, "seq": 0, "presence": bool(self.present[i])}
            if hr[k] == hr[k]:
                body["hr"] = int(hr[k])
                body["rr"] = int(rr[k])
            body["movement"] = move[k]
            out.append((i, body))
        return out


def _gaps(
    n: int, share: float, rng: np.random.Generator, *, burst_s: float = 8.0
) -> npt.NDArray[np.bool_]:
    """A mask losing about ``share`` of samples, in bursts of mean length ``burst_s``."""
    good_mean = burst_s * (1 - share) / max(share, 1e-6)
    runs = []
    total = 0
    bad = bool(rng.random() < share)
    while total < n:
        length = int(rng.exponential(burst_s if bad else good_mean)) + 1
        runs.append((bad, length))
        total += length
        bad = not bad
    return np.concatenate([np.full(length, flag, np.bool_) for flag, length in runs])[:n]
