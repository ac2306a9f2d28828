"""MQTT protocol v1: topics and payload schemas.

These models are the single source of the JSON Schemas in ``docs/schemas``
(``shouhu schemas`` writes them; a test checks they are current).
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

PREFIX = "shouhu/v1"
MAX_PAYLOAD_BYTES = 64 * 1024  # larger telemetry is dead-lettered unread
MAX_ACC_SAMPLES = 1000


class Channel(enum.StrEnum):
    TELEMETRY = "telemetry"
    EVENT = "event"
    STATUS = "status"
    PAGES = "pages"
    REPLIES = "replies"


@dataclass(frozen=True, slots=True)
class Topic:
    """A parsed protocol topic."""

    facility: str
    kind: Literal["devices", "staff", "incidents", "deadletter"]
    subject: str | None = None
    channel: str | None = None


def parse_topic(topic: str) -> Topic | None:
    parts = topic.split("/")
    if len(parts) < 4 or f"{parts[0]}/{parts[1]}" != PREFIX:
        return None
    facility, kind = parts[2], parts[3]
    if kind in ("devices", "staff") and len(parts) == 6:
        return Topic(facility, kind, parts[4], parts[5])  # type: ignore[arg-type]
    if kind == "incidents" and len(parts) == 5:
        return Topic(facility, "incidents", parts[4])
    if kind == "deadletter" and len(parts) == 4:
        return Topic(facility, "deadletter")
    return None


def device_topic(facility: str, device: str, channel: Channel) -> str:
    return f"{PREFIX}/{facility}/devices/{device}/{channel.value}"


def staff_topic(facility: str, staff: str, channel: Channel) -> str:
    return f"{PREFIX}/{facility}/staff/{staff}/{channel.value}"


def incident_topic(facility: str, incident: str) -> str:
    return f"{PREFIX}/{facility}/incidents/{incident}"


def deadletter_topic(facility: str) -> str:
    return f"{PREFIX}/{facility}/deadletter"


def subscriptions(facility: str) -> list[str]:
    """What the gateway subscribes to for one facility."""
    return [
        f"{PREFIX}/{facility}/devices/+/telemetry",
        f"{PREFIX}/{facility}/devices/+/event",
        f"{PREFIX}/{facility}/devices/+/status",
        f"{PREFIX}/{facility}/staff/+/replies",
    ]


class _Payload(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


Timestamp = Annotated[
    dt.datetime | float,
    Field(description="RFC 3339 date-time with offset, or Unix seconds"),
]


def to_unix(value: dt.datetime | float) -> float:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError("timestamp needs a UTC offset")
        return value.timestamp()
    return float(value)


class _Stamped(_Payload):
    ts: Timestamp
    seq: int | None = Field(None, ge=0, description="per-device message counter")
    exercise: bool = Field(False, description="true for drills: never calls emergency services")

    @field_validator("ts")
    @classmethod
    def _plausible_time(cls, value: dt.datetime | float) -> dt.datetime | float:
        unix = to_unix(value)
        if not 946684800 <= unix <= 4102444800:  # 2000-01-01 .. 2100-01-01
            raise ValueError("timestamp outside 2000..2100")
        return value


class Acc(_Payload):
    hz: float = Field(gt=0, le=1000, description="sample rate")
    g: list[Annotated[list[float], Field(min_length=3, max_length=3)]] = Field(
        min_length=1, max_length=MAX_ACC_SAMPLES, description="samples [x, y, z] in g"
    )


class Telemetry(_Stamped):
    """`shouhu/v1/{facility}/devices/{device}/telemetry`"""

    hr: float | None = Field(None, ge=0, le=300, description="heart rate, beats/min")
    rr: float | None = Field(None, ge=0, le=100, description="respiration rate, breaths/min")
    spo2: float | None = Field(None, ge=0, le=100, description="oxygen saturation, %")
    skin_temp: float | None = Field(None, ge=15, le=45, description="skin temperature, °C")
    worn: bool | None = None
    battery: float | None = Field(None, ge=0, le=100, description="battery, %")
    acc: Acc | None = None
    presence: bool | None = Field(None, description="bed: someone is in bed")
    movement: float | None = Field(None, ge=0, le=1, description="bed: activity index")


class Event(_Stamped):
    """`shouhu/v1/{facility}/devices/{device}/event` (QoS 1)"""

    type: str = Field(min_length=1, max_length=32, description="sos, fall, cancel, removed, ...")


class Status(_Payload):
    """`shouhu/v1/{facility}/devices/{device}/status`: retained; the device's last will.

    Devices may publish the bare strings ``online`` / ``offline`` instead.
    """

    state: Literal["online", "offline"]
    ts: Timestamp | None = None


class Resident(_Payload):
    id: str
    name: str
    room: str
    bed: str = ""


class Page(_Payload):
    """`shouhu/v1/{facility}/staff/{staff}/pages` (QoS 1)"""

    page_id: str
    incident_id: str
    priority: Literal["high", "medium", "low"]
    kind: str
    resident: Resident | None
    summary: str
    vitals: dict[str, Any] = {}
    ts: Timestamp
    exercise: bool = False
    purpose: Literal["escalation", "reminder", "emergency"] = Field(
        "escalation", description="the incident's ladder, a reminder, or an emergency page"
    )


class Reply(_Payload):
    """`shouhu/v1/{facility}/staff/{staff}/replies`"""

    page_id: str
    status: Literal["received", "accepted", "declined", "arrived", "emergency"] = Field(
        description="received, accepted or declined the page; arrived at the bedside; "
        "emergency: call emergency services now"
    )
    ts: Timestamp


class IncidentState(_Payload):
    """`shouhu/v1/{facility}/incidents/{incident}` (retained)"""

    incident_id: str
    resident: str | None
    kind: str
    priority: Literal["high", "medium", "low"]
    state: str
    opened_at: Timestamp
    updated_at: Timestamp
    summary: str
    exercise: bool = False


class DeadLetter(_Payload):
    """`shouhu/v1/{facility}/deadletter`"""

    topic: str
    reason: str
    payload: str = Field(description="the first 1 KiB of the rejected payload")
    ts: Timestamp


SCHEMAS: dict[str, type[BaseModel]] = {
    "telemetry": Telemetry,
    "event": Event,
    "status": Status,
    "page": Page,
    "reply": Reply,
    "incident": IncidentState,
    "deadletter": DeadLetter,
}
