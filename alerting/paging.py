"""Pages and deliveries: what is sent to a person, and what came of it."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class Page:
    page_id: str  # idempotency key: the same page id is never delivered twice
    incident_id: str
    facility: str
    staff: str  # staff id, or "emergency_services"
    priority: str
    kind: str
    summary: str
    ts: float
    resident: dict[str, Any] | None = None  # id, name, room, bed
    vitals: dict[str, Any] = field(default_factory=dict)
    exercise: bool = False


class Outcome(enum.StrEnum):
    SENT = "sent"  # handed to the channel; receipt may follow
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Delivery:
    ok: bool
    recoverable: bool = False  # worth retrying on this channel
    detail: str = ""
    retry_after: float | None = None


class Channel(Protocol):
    name: str

    async def send(self, page: Page) -> Delivery: ...
