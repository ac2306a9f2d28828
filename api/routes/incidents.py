"""Incidents: list, read with timeline, acknowledge, resolve."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from alerting.responder import IncidentNotFound, InvalidTransition
from api.deps import ServiceDep
from api.schemas import AckBody, IncidentDetail, IncidentPublic, ResolveBody, TimelineEventPublic

router = APIRouter(prefix="/api/v1/incidents", tags=["incidents"])


@router.get("")
async def list_incidents(
    service: ServiceDep,
    facility: str | None = None,
    open_only: Annotated[bool, Query(alias="open")] = False,
    resident: str | None = None,
    kind: str | None = None,
    priority: str | None = None,
    since: float | None = None,
    until: float | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[IncidentPublic]:
    facilities = [facility] if facility else list(service.facilities)
    found = await service.store.find(
        facilities=facilities,
        open_only=open_only,
        resident=resident,
        kind=kind,
        priority=priority,
        since=since,
        until=until,
        limit=limit,
    )
    return [IncidentPublic.of(i) for i in found]


@router.get("/{incident_id}")
async def get_incident(incident_id: str, service: ServiceDep) -> IncidentDetail:
    incident = await service.store.get(incident_id)
    if incident is None or incident.facility not in service.facilities:
        raise HTTPException(404, f"no incident {incident_id}")
    vitals = await service.store.vitals_of(incident_id)
    return IncidentDetail(
        **IncidentPublic.of(incident).model_dump(),
        timeline=[
            TimelineEventPublic(
                ts=e.ts, type=e.type, actor=e.actor, channel=e.channel, detail=e.detail
            )
            for e in incident.timeline
        ],
        vitals=vitals,
    )


@router.post("/{incident_id}/ack")
async def acknowledge_incident(
    incident_id: str, body: AckBody, service: ServiceDep
) -> IncidentPublic:
    try:
        incident = await service.responder.accept(incident_id, body.staff)
    except IncidentNotFound as exc:
        raise HTTPException(404, f"no incident {incident_id}") from exc
    except InvalidTransition as exc:
        raise HTTPException(409, str(exc)) from exc
    return IncidentPublic.of(incident)


@router.post("/{incident_id}/resolve")
async def resolve_incident(
    incident_id: str, body: ResolveBody, service: ServiceDep
) -> IncidentPublic:
    try:
        incident = await service.responder.resolve(
            incident_id, body.staff, outcome=body.outcome, note=body.note
        )
    except IncidentNotFound as exc:
        raise HTTPException(404, f"no incident {incident_id}") from exc
    except InvalidTransition as exc:
        raise HTTPException(409, str(exc)) from exc
    return IncidentPublic.of(incident)
