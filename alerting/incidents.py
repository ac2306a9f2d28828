"""Incidents and their timelines: plain values, and the lifecycle's rules."""

from __future__ import annotations

import enum
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from shouhu.domain import Alert, AlertKind, Priority


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

    @property
    def is_open(self) -> bool:
        return self.state is not State.RESOLVED


def new_incident_id(now: float | None = None) -> str:
    """Sortable, unguessable: ``inc-<hex seconds>-<random>``."""
    stamp = int((now if now is not None else time.time()) * 1000)
    return f"inc-{stamp:012x}-{secrets.token_hex(4)}"


def summarize(alert: Alert, resident_name: str | None, room: str | None) -> str:
    """A one-line summary for a page: what, who, where."""
    what = {
        AlertKind.SOS: "SOS button pressed",
        AlertKind.FALL: "Fall detected",
        AlertKind.CHEST_DISTRESS: "Chest distress suspected",
        AlertKind.NO_VITAL_SIGNS: "No vital signs",
        AlertKind.DETERIORATION: "Vital signs deteriorating",
        AlertKind.BED_EXIT: "Out of bed, not returned",
        AlertKind.DEVICE_OFFLINE: "Device offline",
        AlertKind.BATTERY_LOW: "Battery low",
        AlertKind.DEVICE_REMOVED: "Wearable removed",
        AlertKind.PAGING_FAILURE: "Paging failure",
    }[alert.kind]
    about = alert.detail.get("about")
    who = resident_name or alert.resident or alert.device or about or "unknown"
    where = f", room {room}" if room else ""
    drill = "DRILL: " if alert.exercise else ""
    return f"{drill}{what}: {who}{where}"
