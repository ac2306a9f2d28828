"""Turn MQTT messages into validated observations, or reject them with a reason."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from pydantic import BaseModel, ValidationError

from gateway import protocol
from gateway.registry import DeviceRegistry
from shouhu.domain import AccBatch, DeviceEvent, DeviceStatus, Observation, Reading
from shouhu.errors import RejectedMessage

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class StaffReply:
    facility: str
    staff: str
    page_id: str
    status: str
    ts: float


Inbound = Observation | StaffReply


def decode(topic: str, payload: bytes, registry: DeviceRegistry, *, received: float) -> Inbound:
    """Validate one message; raise RejectedMessage with a reason a human can act on."""
    parsed = protocol.parse_topic(topic)
    if parsed is None:
        raise RejectedMessage(f"unknown topic {topic!r}")
    if len(payload) > protocol.MAX_PAYLOAD_BYTES:
        raise RejectedMessage(
            f"payload of {len(payload)} bytes exceeds the {protocol.MAX_PAYLOAD_BYTES}-byte limit",
            device=parsed.subject,
        )
    if parsed.kind == "staff" and parsed.channel == "replies":
        reply = _validate(protocol.Reply, payload, parsed.subject)
        return StaffReply(
            parsed.facility,
            parsed.subject or "",
            reply.page_id,
            reply.status,
            protocol.to_unix(reply.ts),
        )
    if parsed.kind != "devices" or parsed.subject is None:
        raise RejectedMessage(f"topic {topic!r} is not one the gateway consumes")
    device = registry.lookup(parsed.facility, parsed.subject)
    if device is None:
        raise RejectedMessage(
            f"unknown device {parsed.subject!r} in facility {parsed.facility!r}",
            device=parsed.subject,
        )
    resident = device.resident
    if parsed.channel == "telemetry":
        return _reading(parsed.facility, device.id, resident, payload)
    if parsed.channel == "event":
        event = _validate(protocol.Event, payload, device.id)
        return DeviceEvent(
            parsed.facility,
            device.id,
            resident,
            protocol.to_unix(event.ts),
            event.type.lower(),
            event.seq,
            event.exercise,
        )
    if parsed.channel == "status":
        return _status(parsed.facility, device.id, resident, payload, received)
    raise RejectedMessage(f"unknown device channel {parsed.channel!r}", device=device.id)


def _validate(model: type[M], payload: bytes, device: str | None) -> M:
    try:
        return model.model_validate_json(payload)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "payload"
        if err["type"] == "json_invalid":
            raise RejectedMessage(f"malformed JSON: {err['msg']}", device=device) from exc
        more = f" (+{exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise RejectedMessage(f"{where}: {err['msg']}{more}", device=device) from exc


def _reading(facility: str, device: str, resident: str | None, payload: bytes) -> Reading:
    msg = _validate(protocol.Telemetry, payload, device)
    acc = None
    if msg.acc is not None:
        acc = AccBatch(hz=msg.acc.hz, g=np.asarray(msg.acc.g, dtype=np.float64))
    return Reading(
        facility,
        device,
        resident,
        protocol.to_unix(msg.ts),
        msg.seq,
        hr=msg.hr,
        rr=msg.rr,
        spo2=msg.spo2,
        skin_temp=msg.skin_temp,
        worn=msg.worn,
        battery=msg.battery,
        acc=acc,
        presence=msg.presence,
        movement=msg.movement,
        exercise=msg.exercise,
    )


def _status(
    facility: str, device: str, resident: str | None, payload: bytes, received: float
) -> DeviceStatus:
    text = payload.strip()
    if text in (b"online", b"offline"):
        return DeviceStatus(facility, device, resident, received, text == b"online")
    msg = _validate(protocol.Status, payload, device)
    ts = protocol.to_unix(msg.ts) if msg.ts is not None else received
    return DeviceStatus(facility, device, resident, ts, msg.state == "online")


def dead_letter(topic: str, payload: bytes, reason: str, *, now: float) -> bytes:
    """The dead-letter message for a rejected payload."""
    return json.dumps(
        {
            "topic": topic,
            "reason": reason,
            "payload": payload[:1024].decode("utf-8", errors="replace"),
            "ts": dt.datetime.fromtimestamp(now, dt.UTC).isoformat(),
        },
        ensure_ascii=False,
    ).encode()
