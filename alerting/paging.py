"""Pages and deliveries: what is sent to a person, and what came of it.

A ``Channel`` has one method, ``send(page) -> Delivery``. Retries, fallbacks
and deadlines live in ``alerting.dispatch``, never in a channel. A page's
words (summary, title, body) are in the facility's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from alerting.words import say
from shouhu.domain import Fact

EMERGENCY_SERVICES = "emergency_services"
VITAL_NAMES = frozenset(
    {"hr", "rr", "spo2", "skin_temp", "presence", "movement", "worn", "battery"}
)


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
    language: str = "en"  # of summary, title and body: the facility's

    @property
    def title(self) -> str:
        key = "page.title_reminder" if self.purpose == "reminder" else "page.title"
        tag = Fact(f"priority_tag.{self.priority}")
        return say(key, self.language, priority=tag, summary=self.summary)


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


def page_text(page: Page, *, evidence: str = "") -> str:
    """The body of a page for text channels, in the page's language."""
    language = page.language
    priority = Fact(f"priority.{page.priority}")
    lines = [
        page.summary,
        say("page.priority", language, priority=priority, incident=page.incident_id),
    ]
    if evidence:
        lines.append(say("page.evidence", language, evidence=evidence))
    if page.vitals:
        shown = tuple(_vital(k, v) for k, v in sorted(page.vitals.items()))
        lines.append(say("page.vitals", language, vitals=shown))
    if page.purpose == "reminder":
        lines.append(say("page.still_open", language))
    lines.append(say("page.id", language, page=page.page_id))
    return "\n".join(lines)


def _vital(name: str, value: Any) -> Fact:
    named = Fact(f"vital.{name}") if name in VITAL_NAMES else name
    shown = Fact("yes" if value else "no") if isinstance(value, bool) else str(value)
    return Fact("page.vital", name=named, value=shown)
