"""Replay recorded data as one device's telemetry: a CSV, or a SisFall / UMAFall recording.

CSV: a header row, then one row per sample. ``t`` (seconds from the start)
or ``ts`` (Unix seconds or RFC 3339) gives the time; ``ax, ay, az`` (g) an
accelerometer stream, sent in one-second batches at its own rate; any of
``hr, rr, spo2, skin_temp, battery, movement`` (numbers) and ``presence,
worn`` (true/false, 1/0) are sent once a second, the last value at or
before that second. Blank cells are left out of the message.

SisFall (``*.txt`` / ``*.txt.xz``, 200 Hz, waist) is averaged down to 50 Hz;
UMAFall (``*.csv`` / ``*.csv.xz``) gives the SensorTag at ``position``
(WAIST, WRIST or CHEST) at 20 Hz. Their readers live with the fall
evaluation (``alerting.evaluation.falls_data``); the recordings themselves
are never copied into the repository.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import lzma
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson

from alerting.evaluation.falls_data import (
    SISFALL_HZ,
    UMAFALL_HZ,
    DataError,
    read_sisfall,
    read_umafall,
    resample,
    to_grid,
)
from gateway.protocol import Channel, device_topic
from shouhu.errors import ConfigError
from simulator.stream import Message, iso

F64 = npt.NDArray[np.float64]
NUMBERS = ("hr", "rr", "spo2", "skin_temp", "battery", "movement")
FLAGS = ("presence", "worn")
SISFALL_TO_HZ = 50.0


@dataclass(frozen=True)
class Track:
    """A recording on a one-second grid: accelerometer samples and per-second fields."""

    seconds: int
    hz: float | None = None
    g: F64 | None = None  # (seconds * hz, 3)
    fields: dict[str, F64] = field(default_factory=dict)  # name -> per-second values, NaN: none

    def body(self, k: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, values in self.fields.items():
            value = float(values[k])
            if value == value:
                out[name] = bool(value) if name in FLAGS else _number(value)
        if self.g is not None and self.hz is not None:
            per = round(self.hz)
            out["acc"] = {"hz": self.hz, "g": np.round(self.g[k * per : (k + 1) * per], 3)}
        return out


def _number(value: float) -> float | int:
    return int(value) if value.is_integer() else value


def _open(path: Path) -> io.TextIOBase:
    if path.suffix == ".xz":
        return lzma.open(path, "rt", encoding="utf-8", errors="replace")  # type: ignore[return-value]
    return open(path, encoding="utf-8", errors="replace")  # type: ignore[return-value]


def read_track(path: str | Path, *, position: str = "WAIST") -> Track:
    """Read any supported recording, or raise ConfigError saying what is wrong with it."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: no such recording")
    name = path.name.removesuffix(".xz")
    try:
        if name.endswith(".txt"):
            g = resample(read_sisfall(path), SISFALL_HZ, SISFALL_TO_HZ)
            edge = round(SISFALL_HZ / SISFALL_TO_HZ)  # the averaging window's ramp-in
            return _acc_track(g[edge:], SISFALL_TO_HZ)
        with _open(path) as f:
            first = f.readline()
        if first.startswith("%"):
            return _umafall(path, position.upper())
        return read_csv(path)
    except DataError as exc:
        raise ConfigError(str(exc)) from exc


def _acc_track(g: F64, hz: float, fields: dict[str, F64] | None = None) -> Track:
    per = round(hz)
    seconds = len(g) // per
    return Track(seconds, hz, np.ascontiguousarray(g[: seconds * per]), fields or {})


def _umafall(path: Path, position: str) -> Track:
    streams = read_umafall(path)
    if position not in streams:
        have = ", ".join(sorted(streams)) or "none"
        raise ConfigError(f"{path}: no {position} accelerometer (this file has {have})")
    t, g = streams[position]
    return _acc_track(to_grid(t, g, UMAFALL_HZ), UMAFALL_HZ)


def read_csv(path: Path) -> Track:
    with _open(path) as f:
        rows = list(csv.DictReader(f))
    if not rows:
        raise ConfigError(f"{path}: no rows")
    header = set(rows[0])
    if not header & {"t", "ts"}:
        raise ConfigError(f"{path}:1: needs a 't' (seconds) or 'ts' (time) column")
    times = np.array([_time(row, path, i + 2) for i, row in enumerate(rows)])
    times -= times[0]
    seconds = int(times[-1]) + 1
    fields = {}
    for name in [n for n in (*NUMBERS, *FLAGS) if n in header]:
        values = np.array([_value(row[name], name, path, i + 2) for i, row in enumerate(rows)])
        fields[name] = _per_second(times, values, seconds)
    if {"ax", "ay", "az"} <= header:
        g = np.array(
            [
                [_value(row[a], a, path, i + 2) for a in ("ax", "ay", "az")]
                for i, row in enumerate(rows)
            ]
        )
        step = float(np.median(np.diff(times))) if len(times) > 1 else 1.0
        hz = float(round(1.0 / step)) if step > 0 else 1.0
        grid = np.arange(seconds * round(hz)) / hz
        g = np.stack([np.interp(grid, times, g[:, k]) for k in range(3)], axis=1)
        return _acc_track(g, hz, fields)
    return Track(seconds, fields=fields)


def _time(row: dict[str, str], path: Path, line: int) -> float:
    text = (row.get("t") or row.get("ts") or "").strip()
    try:
        return float(text)
    except ValueError:
        pass
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise ConfigError(f"{path}:{line}: time {text!r} is not seconds or a date-time") from exc
    if moment.tzinfo is None:  # it would be read in the machine's time zone
        raise ConfigError(f"{path}:{line}: time {text!r} needs a UTC offset (RFC 3339)")
    return moment.timestamp()


def _value(text: str | None, name: str, path: Path, line: int) -> float:
    text = (text or "").strip().lower()
    if text == "":
        return float("nan")
    if name in FLAGS and text in ("true", "false", "yes", "no"):
        return 1.0 if text in ("true", "yes") else 0.0
    try:
        return float(text)
    except ValueError as exc:
        raise ConfigError(f"{path}:{line}: {name} {text!r} is not a number") from exc


def _per_second(times: F64, values: F64, seconds: int) -> F64:
    """The last non-empty value at or before each whole second."""
    seen = ~np.isnan(values)
    at, known = times[seen], values[seen]
    last = np.searchsorted(at, np.arange(seconds), side="right") - 1
    return np.where(last >= 0, known[np.maximum(last, 0)] if len(known) else np.nan, np.nan)


def replay_messages(
    track: Track, *, facility: str, device: str, start: float, exercise: bool = False
) -> Iterator[Message]:
    """The track as ``device``'s telemetry, one message a second from ``start``."""
    topic = device_topic(facility, device, Channel.TELEMETRY)
    for k in range(track.seconds):
        body: dict[str, Any] = {"ts": iso(start + k), "seq": k + 1}
        body |= track.body(k)
        if exercise:
            body["exercise"] = True
        payload = orjson.dumps(body, option=orjson.OPT_SERIALIZE_NUMPY)
        yield Message(start + k, topic, payload)
