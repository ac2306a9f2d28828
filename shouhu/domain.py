"""Plain, immutable domain values shared by every stage of the alert path.

The gateway turns MQTT payloads into these; detectors, incidents and the API
consume them. Nothing here does I/O.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt


class Priority(enum.StrEnum):
    """Alarm priority after IEC 60601-1-8."""

    HIGH = "high"  # immediate response
    MEDIUM = "medium"  # prompt response
    LOW = "low"  # awareness

    @property
    def rank(self) -> int:
        return {"high": 3, "medium": 2, "low": 1}[self.value]


class AlertKind(enum.StrEnum):
    SOS = "sos"
    FALL = "fall"
    CHEST_DISTRESS = "chest_distress"
    NO_VITAL_SIGNS = "no_vital_signs"
    DETERIORATION = "deterioration"
    BED_EXIT = "bed_exit"
    DEVICE_OFFLINE = "device_offline"
    BATTERY_LOW = "battery_low"
    DEVICE_REMOVED = "device_removed"
    PAGING_FAILURE = "paging_failure"


@dataclass(frozen=True, slots=True)
class AccBatch:
    """A batch of accelerometer samples in g, the first taken at the reading's ts."""

    hz: float
    g: npt.NDArray[np.float64]  # shape (n, 3)

    @property
    def duration(self) -> float:
        return len(self.g) / self.hz


@dataclass(frozen=True, slots=True)
class Reading:
    """One telemetry message from a device, mapped to its resident.

    A field left as None was not measured in this message; detectors must
    never read None as normal.
    """

    facility: str
    device: str
    resident: str | None
    ts: float  # Unix seconds
    seq: int | None = None
    hr: float | None = None
    rr: float | None = None
    spo2: float | None = None
    skin_temp: float | None = None
    worn: bool | None = None
    battery: float | None = None
    acc: AccBatch | None = None
    presence: bool | None = None
    movement: float | None = None
    exercise: bool = False


class EventType(enum.StrEnum):
    SOS = "sos"
    FALL = "fall"
    CANCEL = "cancel"
    REMOVED = "removed"
    WORN = "worn"
    BUTTON = "button"


@dataclass(frozen=True, slots=True)
class DeviceEvent:
    """A discrete event a device reports (button press, device-side fall, ...)."""

    facility: str
    device: str
    resident: str | None
    ts: float
    type: str  # an EventType value, or a vendor type passed through
    seq: int | None = None
    exercise: bool = False


@dataclass(frozen=True, slots=True)
class DeviceStatus:
    """A device's retained online/offline state (its MQTT last will)."""

    facility: str
    device: str
    resident: str | None
    ts: float
    online: bool


Observation = Reading | DeviceEvent | DeviceStatus


@dataclass(frozen=True, slots=True, init=False)
class Fact:
    """One thing a detector saw, as data: a message key and the values it names.

    ``alerting.words`` renders facts in English or Chinese; ``Fact("chest.hr",
    value=104, usual=64, held=52)`` is "heart rate 104/min (usual asleep 64) for
    52 s" or "心率 104 次/分（平时睡眠 64）持续 52 秒". A value is a number, text
    that needs no translation (a clock time, a device id), None (not known),
    another fact, or a tuple of facts.
    """

    key: str
    params: Mapping[str, FactValue]

    def __init__(self, key: str, /, **params: FactValue) -> None:
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "params", params)


FactValue: TypeAlias = str | int | float | bool | Fact | tuple[Fact, ...] | None


@dataclass(frozen=True, slots=True)
class Alert:
    """What a detector concludes: a condition for one resident, with its evidence.

    ``firing`` False means the condition has cleared (after hysteresis).
    ``key`` separates concurrent alerts of one kind (for example one per device).
    ``facts`` are the evidence as data, from which ``alerting.words`` renders it in
    the nurse's language; ``evidence`` is their English text (logs, reports).
    """

    facility: str
    resident: str | None
    kind: AlertKind
    priority: Priority
    ts: float  # when the condition was detected
    evidence: str  # in words a nurse understands
    onset: float | None = None  # when the condition began, if known
    device: str | None = None
    firing: bool = True
    key: str = ""
    detail: dict[str, Any] = field(default_factory=dict)
    exercise: bool = False
    facts: tuple[Fact, ...] = ()

    @property
    def condition(self) -> tuple[str, str | None, str, str]:
        """Identity of the condition: one open incident per condition."""
        return (self.facility, self.resident, self.kind.value, self.key)
