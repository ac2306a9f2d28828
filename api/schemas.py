"""HTTP request and response bodies."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field

from alerting.incidents import Incident, Outcome, TimelineEvent
from alerting.words import facts_from_json, localized

# Text in every language Shouhu speaks, by language code ("en", "zh-CN").
Localized = Annotated[
    dict[str, str],
    Field(description='the text by language: {"en": ..., "zh-CN": ...}'),
]


class TimelineEventPublic(BaseModel):
    ts: float
    type: str
    actor: str
    channel: str
    detail: dict[str, Any]
    evidence_i18n: Localized | None = None  # for events with evidence (detected, updated, ...)

    @classmethod
    def of(cls, event: TimelineEvent) -> TimelineEventPublic:
        evidence = event.detail.get("evidence")
        return cls(
            ts=event.ts,
            type=event.type,
            actor=event.actor,
            channel=event.channel,
            detail=event.detail,
            evidence_i18n=None if evidence is None else _evidence(event.detail, str(evidence)),
        )


class IncidentPublic(BaseModel):
    id: str
    facility: str
    resident: str | None
    kind: str
    priority: str
    state: str
    opened_at: float
    updated_at: float
    summary: str  # in English; summary_i18n in every language
    evidence: str  # in English; evidence_i18n in every language
    summary_i18n: Localized
    evidence_i18n: Localized
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
            summary_i18n=localized(incident.summary_facts, incident.summary),
            evidence_i18n=localized(incident.evidence_facts, incident.evidence),
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


def _evidence(detail: dict[str, Any], text: str) -> dict[str, str]:
    try:
        facts = facts_from_json(detail.get("facts", []))
    except ValueError:
        facts = ()  # not facts: the stored English stands in
    return localized(facts, text)
