"""Incidents to and from table rows: the columns, the facts as JSON, the first event."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from alerting.incidents import Incident, State, TimelineEvent, new_incident_id
from alerting.outbox import append_event
from alerting.schema import incidents
from alerting.words import dump_facts, english, facts_to_json, load_facts
from shouhu.domain import Alert, AlertKind, Fact, Priority


def evidence_detail(alert: Alert) -> dict[str, Any]:
    """A timeline event's evidence: the English text, and its facts when it has them."""
    if not alert.facts:
        return {"evidence": alert.evidence}
    return {"evidence": alert.evidence, "facts": facts_to_json(alert.facts)}


async def insert_incident(
    conn: AsyncConnection, alert: Alert, *, now: float, open_key: str, summary: str | Fact
) -> str:
    """Insert a new incident with its ``detected`` event; IntegrityError if one is open."""
    incident_id = new_incident_id(now)
    summary_facts = (summary,) if isinstance(summary, Fact) else ()
    await conn.execute(
        incidents.insert().values(
            id=incident_id,
            facility=alert.facility,
            resident=alert.resident,
            kind=alert.kind.value,
            priority=alert.priority.value,
            state=State.OPENED.value,
            condition_key=alert.key,
            device=alert.device,
            opened_at=now,
            updated_at=now,
            summary=english(summary_facts) if summary_facts else summary,
            evidence=alert.evidence,
            summary_facts=dump_facts(summary_facts),
            evidence_facts=dump_facts(alert.facts),
            exercise=alert.exercise,
            open_key=open_key,
        )
    )
    detail = {
        **evidence_detail(alert),
        "onset": alert.onset,
        "device": alert.device,
        "priority": alert.priority.value,
        **alert.detail,
    }
    await append_event(
        conn, incident_id, TimelineEvent(ts=now, type="detected", actor="system", detail=detail)
    )
    return incident_id


def incident_of(row: Any, events: Sequence[Any]) -> Incident:
    """An incident from its row and its timeline rows."""
    return Incident(
        id=row.id,
        facility=row.facility,
        resident=row.resident,
        kind=AlertKind(row.kind),
        priority=Priority(row.priority),
        state=State(row.state),
        opened_at=row.opened_at,
        updated_at=row.updated_at,
        summary=row.summary,
        evidence=row.evidence,
        condition_key=row.condition_key,
        device=row.device,
        accepted_by=row.accepted_by,
        resolved_at=row.resolved_at,
        outcome=row.outcome,
        note=row.note,
        exercise=bool(row.exercise),
        timeline=tuple(_event(e) for e in events),
        summary_facts=load_facts(row.summary_facts),
        evidence_facts=load_facts(row.evidence_facts),
    )


def _event(row: Any) -> TimelineEvent:
    return TimelineEvent(
        ts=row.ts,
        type=row.type,
        actor=row.actor,
        channel=row.channel,
        detail=json.loads(row.detail),
    )
