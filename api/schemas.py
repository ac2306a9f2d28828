"""HTTP request and response bodies."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from alerting.incidents import Incident, Outcome


class TimelineEventPublic(BaseModel):
    ts: float
    type: str
    actor: str
    channel: str
    detail: dict[str, Any]


class IncidentPublic(BaseModel):
    id: str
    facility: str
    resident: str | None
    kind: str
    priority: str
    state: str
    opened_at: float
    updated_at: float
    summary: str
    evidence: str
    device: str | None
    accepted_by: str | None
    resolved_at: float | None
    outcome: str | None
    note: str
    exercise: bool

    @classmethod
    def of(cls, incident: Incident) -> IncidentPublic:
        return cls(
            id=incident.id,
            facility=incident.facility,
            resident=incident.resident,
            kind=incident.kind.value,
            priority=incident.priority.value,
            state=incident.state.value,
            opened_at=incident.opened_at,
            updated_at=incident.updated_at,
            summary=incident.summary,
            evidence=incident.evidence,
            device=incident.device,
            accepted_by=incident.accepted_by,
            resolved_at=incident.resolved_at,
            outcome=incident.outcome,
            note=incident.note,
            exercise=incident.exercise,
        )


class ResolveBody(BaseModel):
    """The signed-in nurse resolves; the timeline names them."""

    outcome: Outcome
    note: str = Field("", max_length=4000)
