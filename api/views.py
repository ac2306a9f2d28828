"""What pages and API clients see of incidents: resident, place, vitals, who has it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel

from alerting.incidents import Incident
from alerting.store import IncidentStore
from api.access import Principal
from api.schemas import IncidentPublic, TimelineEventPublic
from api.stats import TECHNICAL_KINDS, milestones
from shouhu.facility import Facility

EMS_EVENTS = frozenset({"ems_requested", "ems_sent", "ems_confirmed"})
FAILED_PAGING = frozenset({"page_failed", "paging_failed", "paging_failure"})


class Person(BaseModel):
    id: str
    name: str


class IncidentView(IncidentPublic):
    resident_name: str | None
    room: str | None
    bed: str | None
    zone: str | None
    accepted_by_name: str | None
    times: dict[str, float | None]


class IncidentDetail(IncidentView):
    timeline: list[TimelineEventPublic]
    vitals: list[dict[str, Any]]


class BoardItem(IncidentView):
    age: int | None
    dnr: bool
    latest_vitals: dict[str, Any]
    paged: list[Person]
    technical: bool
    paging_failed: bool
    ems_requested: bool
    revision: int  # timeline events so far: a page keeps the newest view it was sent
    timeline_tail: list[dict[str, Any]]


def staff_name(facility: Facility, staff_id: str | None) -> str | None:
    if staff_id is None:
        return None
    member = facility.member(staff_id)
    return member.name if member is not None else staff_id


def zone_of(facility: Facility, incident: Incident) -> str | None:
    resident = facility.resident(incident.resident) if incident.resident else None
    return resident.zone if resident is not None else None


def incident_view(facility: Facility, incident: Incident) -> IncidentView:
    resident = facility.resident(incident.resident) if incident.resident else None
    return IncidentView(
        **IncidentPublic.of(incident).model_dump(),
        resident_name=resident.name if resident else None,
        room=resident.room if resident else None,
        bed=resident.bed if resident else None,
        zone=resident.zone if resident else None,
        accepted_by_name=staff_name(facility, incident.accepted_by),
        times=milestones(incident),
    )


def board_item(facility: Facility, incident: Incident, latest: dict[str, Any]) -> BoardItem:
    resident = facility.resident(incident.resident) if incident.resident else None
    paged: dict[str, Person] = {}
    for event in incident.timeline:
        if event.type == "paged" and event.actor and event.actor not in paged:
            paged[event.actor] = Person(
                id=event.actor, name=staff_name(facility, event.actor) or event.actor
            )
    return BoardItem(
        **incident_view(facility, incident).model_dump(),
        age=resident.age if resident else None,
        dnr=resident.dnr if resident else False,
        latest_vitals=latest,
        paged=list(paged.values()),
        technical=incident.kind.value in TECHNICAL_KINDS,
        paging_failed=paging_failed(incident),
        ems_requested=any(e.type in EMS_EVENTS for e in incident.timeline),
        revision=len(incident.timeline),
        timeline_tail=[
            {"ts": e.ts, "type": e.type, "actor": staff_name(facility, e.actor) or e.actor}
            for e in incident.timeline[-6:]
        ],
    )


def paging_failed(incident: Incident) -> bool:
    """A page failed and nobody has taken the incident since."""
    if incident.accepted_by is not None or not incident.is_open:
        return False
    return any(e.type in FAILED_PAGING for e in incident.timeline)


def on_board(principal: Principal, incident: Incident) -> bool:
    """Whether an open incident belongs on this user's board.

    Their zones' incidents, incidents without a zone (a device of nobody,
    the paging system), and any incident they were paged for or took.
    """
    if incident.facility != principal.facility.id or not incident.is_open:
        return False
    zone = zone_of(principal.facility, incident)
    if zone is None or zone in principal.zones:
        return True
    me = principal.user.staff
    return me is not None and (
        incident.accepted_by == me or any(e.actor == me for e in incident.timeline)
    )


def board_order(item: BoardItem) -> tuple[int, int, float]:
    """Most urgent first; within a priority, not yet accepted first, then newest."""
    rank = {"high": 3, "medium": 2, "low": 1}.get(item.priority, 0)
    return (-rank, 0 if item.accepted_by is None else 1, -item.opened_at)


async def with_timelines(store: IncidentStore, found: Iterable[Incident]) -> list[Incident]:
    out = []
    for incident in found:
        full = await store.get(incident.id)
        if full is not None:
            out.append(full)
    return out


def residents_of(incidents: Sequence[Incident]) -> list[str]:
    return sorted({i.resident for i in incidents if i.resident is not None})
