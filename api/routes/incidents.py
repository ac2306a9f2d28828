"""Incidents of the user's facility: list, export, read with timeline, act on them."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from alerting.incidents import Incident, Outcome
from alerting.responder import IncidentNotFound, InvalidTransition
from api.access import Audit, Manager, Principal, Reader, Responder, incident_in_reach, service_of
from api.deps import ServiceDep
from api.schemas import ResolveBody, TimelineEventPublic
from api.stats import MILESTONES
from api.views import (
    IncidentDetail,
    IncidentView,
    incident_view,
    residents_of,
    with_timelines,
    zone_of,
)
from shouhu.domain import AlertKind, Priority

router = APIRouter(prefix="/api/v1/incidents", tags=["incidents"])

Text = Annotated[str | None, Query(max_length=64)]
Moment = Annotated[float | None, Query(ge=0, le=1e11, description="Unix seconds")]
Responses = dict[int | str, dict[str, Any]]
NOT_FOUND: Responses = {404: {"description": "no such incident in your facility"}}
CONFLICT: Responses = {409: {"description": "the incident is already resolved"}}


async def _find(
    request: Request,
    principal: Principal,
    *,
    open_only: bool,
    resident: str | None,
    kind: AlertKind | None,
    priority: Priority | None,
    zone: str | None,
    outcome: Outcome | None,
    since: float | None,
    until: float | None,
    limit: int,
) -> list[Incident]:
    """Filters the store cannot apply (zone, outcome) run here, over a wider window."""
    service = service_of(request)
    wide = zone is not None or outcome is not None
    found = await service.store.find(
        facilities=[principal.facility.id],
        open_only=open_only,
        resident=resident,
        kind=kind.value if kind else None,
        priority=priority.value if priority else None,
        since=since,
        until=until,
        limit=20_000 if wide else limit,
    )
    if zone is not None:
        found = [i for i in found if zone_of(principal.facility, i) == zone]
    if outcome is not None:
        found = [i for i in found if i.outcome == outcome.value]
    return await with_timelines(service.store, found[:limit])


@router.get("")
async def list_incidents(
    request: Request,
    principal: Reader,
    audit: Audit,
    facility: Text = None,
    open_only: Annotated[bool, Query(alias="open")] = False,
    resident: Text = None,
    kind: AlertKind | None = None,
    priority: Priority | None = None,
    zone: Text = None,
    outcome: Outcome | None = None,
    since: Moment = None,
    until: Moment = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[IncidentView]:
    if facility is not None and facility != principal.facility.id:
        raise HTTPException(404, f"no facility {facility}")
    found = await _find(
        request,
        principal,
        open_only=open_only,
        resident=resident,
        kind=kind,
        priority=priority,
        zone=zone,
        outcome=outcome,
        since=since,
        until=until,
        limit=limit,
    )
    await audit.record(principal.audit("list", resident=r) for r in residents_of(found))
    return [incident_view(principal.facility, i) for i in found]


@router.get(
    "/export",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "CSV, UTF-8 with BOM"}},
)
async def export_incidents(
    request: Request,
    principal: Manager,
    audit: Audit,
    resident: Text = None,
    kind: AlertKind | None = None,
    priority: Priority | None = None,
    zone: Text = None,
    outcome: Outcome | None = None,
    since: Moment = None,
    until: Moment = None,
) -> Response:
    found = await _find(
        request,
        principal,
        open_only=False,
        resident=resident,
        kind=kind,
        priority=priority,
        zone=zone,
        outcome=outcome,
        since=since,
        until=until,
        limit=20_000,
    )
    await audit.record(
        principal.audit("export", resident=r, detail={"incidents": len(found)})
        for r in residents_of(found)
    )
    now = service_of(request).clock.now()
    stamp = dt.datetime.fromtimestamp(now, principal.facility.tz).strftime("%Y%m%d-%H%M")
    return Response(
        content="\ufeff" + _csv(principal, found),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="incidents-{stamp}.csv"'},
    )


CSV_COLUMNS = [
    "id", "opened_at", "zone", "resident", "resident_name", "room", "bed", "kind", "priority",
    "state", "accepted_by", *(f"{m}_after_s" for m in MILESTONES), "outcome", "note", "summary",
    "evidence", "exercise",
]  # fmt: skip


def _csv(principal: Principal, found: list[Incident]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    tz = principal.facility.tz
    for incident in found:
        view = incident_view(principal.facility, incident)
        row = [
            view.id,
            dt.datetime.fromtimestamp(view.opened_at, tz).isoformat(timespec="seconds"),
            view.zone, view.resident, view.resident_name, view.room, view.bed, view.kind,
            view.priority, view.state, view.accepted_by_name,
            *(view.times[m] for m in MILESTONES),
            view.outcome, view.note, view.summary, view.evidence, view.exercise,
        ]  # fmt: skip
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def _cell(value: object) -> str:
    """No formula injection: text a spreadsheet would run starts with a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@router.get("/{incident_id}", responses=NOT_FOUND)
async def get_incident(
    incident_id: str, service: ServiceDep, principal: Reader, audit: Audit
) -> IncidentDetail:
    incident = await incident_in_reach(service, principal, incident_id)
    vitals = await service.store.vitals_of(incident_id)
    await audit.record([principal.audit("read", resident=incident.resident, incident=incident.id)])
    return IncidentDetail(
        **incident_view(principal.facility, incident).model_dump(),
        timeline=[TimelineEventPublic.of(e) for e in incident.timeline],
        vitals=vitals,
    )


@router.post("/{incident_id}/ack", responses={**NOT_FOUND, **CONFLICT})
async def acknowledge_incident(
    incident_id: str, service: ServiceDep, principal: Responder, audit: Audit
) -> IncidentView:
    """Take the incident: the signed-in nurse is named on its timeline."""
    await incident_in_reach(service, principal, incident_id)
    try:
        incident = await service.responder.accept(incident_id, principal.actor, channel="web")
    except IncidentNotFound as exc:
        raise HTTPException(404, f"no incident {incident_id}") from exc
    except InvalidTransition as exc:
        raise HTTPException(409, str(exc)) from exc
    await audit.record(
        [principal.audit("accept", resident=incident.resident, incident=incident.id)]
    )
    return incident_view(principal.facility, incident)


@router.post("/{incident_id}/resolve", responses={**NOT_FOUND, **CONFLICT})
async def resolve_incident(
    incident_id: str, body: ResolveBody, service: ServiceDep, principal: Responder, audit: Audit
) -> IncidentView:
    await incident_in_reach(service, principal, incident_id)
    try:
        incident = await service.responder.resolve(
            incident_id, principal.actor, outcome=body.outcome, note=body.note, channel="web"
        )
    except IncidentNotFound as exc:
        raise HTTPException(404, f"no incident {incident_id}") from exc
    except InvalidTransition as exc:
        raise HTTPException(409, str(exc)) from exc
    await audit.record(
        [
            principal.audit(
                "resolve",
                resident=incident.resident,
                incident=incident.id,
                detail={"outcome": body.outcome.value},
            )
        ]
    )
    return incident_view(principal.facility, incident)
