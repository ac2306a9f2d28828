"""Composing a page: the incident's facts for one recipient, as text and as data.

Summary, title and body are in the facility's language (``facility.language``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from alerting.emergency import dispatch_facts, dispatch_text
from alerting.incidents import Incident
from alerting.page_outbox import PageRecord
from alerting.paging import EMERGENCY_SERVICES, Page, page_text
from alerting.words import in_language
from shouhu.facility import Facility


def compose_page(
    record: PageRecord, incident: Incident, facility: Facility, vitals: dict[str, Any]
) -> Page:
    """The page a record stands for, with the incident's facts as they are now."""
    resident = facility.resident(incident.resident) if incident.resident else None
    language = facility.language
    page = Page(
        page_id=record.page_id,
        incident_id=incident.id,
        facility=facility.id,
        staff=record.staff,
        priority=incident.priority.value,
        kind=incident.kind.value,
        summary=in_language(incident.summary_facts, language, incident.summary),
        ts=record.created_at,
        resident=None
        if resident is None
        else {
            "id": resident.id,
            "name": resident.name,
            "room": resident.room,
            "bed": resident.bed,
        },
        vitals=vitals,
        exercise=incident.exercise,
        purpose=record.purpose,
        language=language,
    )
    if record.staff == EMERGENCY_SERVICES:
        facts = dispatch_facts(facility, incident, vitals, language=language)
        return replace(page, body=dispatch_text(facts), dispatch=facts)
    evidence = in_language(incident.evidence_facts, language, incident.evidence)
    return replace(page, body=page_text(page, evidence=evidence))
