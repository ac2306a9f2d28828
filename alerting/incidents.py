"""Incidents and their timelines: plain values, and the lifecycle's rules."""

from __future__ import annotations

import enum
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from shouhu.domain import Alert, AlertKind, Fact, FactValue, Priority


class State(enum.StrEnum):
    OPENED = "opened"
    PAGED = "paged"
    DELIVERED = "delivered"
    ACCEPTED = "accepted"
    ARRIVED = "arrived"
    RESOLVED = "resolved"

    @property
    def order(self) -> int:
        return list(State).index(self)


class Outcome(enum.StrEnum):
    HANDLED = "handled"
    FALSE_ALARM = "false_alarm"
    TRANSFERRED_TO_HOSPITAL = "transferred_to_hospital"
    EMS_CALLED = "ems_called"
    DECEASED = "deceased"
    CONDITION_CLEARED = "condition_cleared"
    DRILL = "drill"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """One line of an incident's timeline. Appended, never edited."""

    ts: float
    type: str  # detected, updated, paged, delivered, accepted, declined, escalated, ...
    actor: str = ""  # staff id, "system", device id
    channel: str = ""  # mqtt, api, email, webhook, ...
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PlannedStep:
    """One rung of an escalation ladder: whom to page, how long after the incident opened."""

    target: str  # zone_nurses, charge_nurse, all_nurses, doctor, manager, emergency_services
    after_s: float = 0.0
    kind: str = "escalation"  # escalation, reminder, request


@dataclass(frozen=True, slots=True)
class Incident:
    id: str
    facility: str
    resident: str | None
    kind: AlertKind
    priority: Priority
    state: State
    opened_at: float
    updated_at: float
    summary: str
    evidence: str
    condition_key: str = ""
    device: str | None = None
    accepted_by: str | None = None
    resolved_at: float | None = None
    outcome: str | None = None
    note: str = ""
    exercise: bool = False
    timeline: tuple[TimelineEvent, ...] = ()
    # The summary and the newest evidence as data, rendered in a language by alerting.words;
    # empty for an incident stored before they were kept (the English text stands in).
    summary_facts: tuple[Fact, ...] = ()
    evidence_facts: tuple[Fact, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.state is not State.RESOLVED


def new_incident_id(now: float | None = None) -> str:
    """Sortable, unguessable: ``inc-<hex seconds>-<random>``."""
    stamp = int((now if now is not None else time.time()) * 1000)
    return f"inc-{stamp:012x}-{secrets.token_hex(4)}"


def summary_fact(alert: Alert, resident_name: str | None, room: str | None) -> Fact:
    """A one-line summary for a page, as a fact: what, who, where ("SOS button pressed:
    黄德福, room 207"; "DRILL: " first for an exercise). A technical alarm names what it is
    about (the ``about`` of its evidence)."""
    who: FactValue = resident_name or alert.resident or alert.device or _about(alert)
    what = Fact(f"kind.{alert.kind.value}")
    said = (
        Fact("summary.room", what=what, who=who, room=room)
        if room
        else Fact("summary.plain", what=what, who=who)
    )
    return Fact("summary.drill", text=said) if alert.exercise else said


def _about(alert: Alert) -> FactValue:
    """What a technical alarm is about: the ``about`` of its evidence, or of its detail."""
    for fact in alert.facts:
        if "about" in fact.params:
            return fact.params["about"]
    about = alert.detail.get("about")
    return str(about) if about else Fact("summary.unknown")
