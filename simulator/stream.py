"""What the simulator sends: a message on a topic, stamped with the time it is sent."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Message:
    ts: float
    topic: str
    payload: bytes
    qos: int = 0
    retain: bool = False


def iso(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat(timespec="milliseconds")
