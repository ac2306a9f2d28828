"""Pages and deliveries: what is sent to a person, and what came of it.

A ``Channel`` has one method, ``send(page) -> Delivery``. Retries, fallbacks
and deadlines live in ``alerting.dispatch``, never in a channel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

EMERGENCY_SERVICES = "emergency_services"


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
    purpose: str = "escalation"  # escalation, reminder, emergency
    body: str = ""  # plain text for email, SMS and chat channels
    dispatch: dict[str, Any] | None = None  # the structured emergency-services message

    @property
    def title(self) -> str:
        prefix = "[Reminder] " if self.purpose == "reminder" else ""
        return f"{prefix}[{self.priority.upper()}] {self.summary}"


@dataclass(frozen=True, slots=True)
class Delivery:
    ok: bool
    recoverable: bool = False  # worth retrying on this channel
    detail: str = ""
    retry_after: float | None = None  # seconds the provider asked us to wait


class Channel(Protocol):
    name: str
    awaits_receipt: bool  # True: delivered only when the recipient's device confirms

    async def send(self, page: Page) -> Delivery: ...


def page_text(page: Page) -> str:
    """The body of a page for text channels."""
    lines = [page.summary, f"Priority: {page.priority}   Incident: {page.incident_id}"]
    if page.vitals:
        shown = ", ".join(f"{k} {v}" for k, v in sorted(page.vitals.items()))
        lines.append(f"Latest vitals: {shown}")
    if page.purpose == "reminder":
        lines.append("Still open: resolve it when the resident is safe.")
    lines.append(f"Page id: {page.page_id}")
    return "\n".join(lines)
