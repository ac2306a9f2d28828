"""An incident's escalation: steps and pages, bedside arrival, emergency services, handover.

Handlers stay thin: each calls one responder or store method.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from alerting.responder import IncidentNotFound, InvalidTransition
from alerting.words import Language
from api.access import Audit, Principal, Reader, Responder, incident_in_reach
from api.deps import ServiceDep
from api.views import IncidentView, incident_view

router = APIRouter(prefix="/api/v1/incidents", tags=["escalation"])

ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "no such incident"},
    409: {"description": "the incident is already resolved"},
}


class StaffAction(BaseModel):
    """The signed-in nurse acts; the timeline names them."""

    note: str = Field("", max_length=4000)


class StepPublic(BaseModel):
    seq: int
    kind: str
    target: str
    due_at: float
    status: str
    actor: str


class PagePublic(BaseModel):
    page_id: str
    staff: str
    step: int
    purpose: str
    status: str
    channel: str
    attempts: int
    created_at: float
    deadline: float
    last_error: str


class EscalationPublic(BaseModel):
    steps: list[StepPublic]
    pages: list[PagePublic]


@router.get("/{incident_id}/escalation", responses=ERRORS)
async def get_escalation(
    incident_id: str, service: ServiceDep, principal: Reader
) -> EscalationPublic:
    """The ladder as it stands: each step's due time and status, each page's delivery."""
    await incident_in_reach(service, principal, incident_id)
    steps = await service.escalator.outbox.steps_of(incident_id)
    pages = await service.escalator.pages.pages_of(incident_id)
    return EscalationPublic(
        steps=[StepPublic(**{k: getattr(s, k) for k in StepPublic.model_fields}) for s in steps],
        pages=[
            PagePublic(
                step=p.seq, **{k: getattr(p, k) for k in PagePublic.model_fields if k != "step"}
            )
            for p in pages
        ],
    )


@router.post("/{incident_id}/arrive", responses=ERRORS)
async def arrive(
    incident_id: str, service: ServiceDep, principal: Responder, audit: Audit
) -> IncidentView:
    """The signed-in nurse is at the bedside."""
    await incident_in_reach(service, principal, incident_id)
    action = service.responder.arrive(incident_id, principal.actor, channel="web")
    return await _act(action, principal, audit, "arrived")


@router.post("/{incident_id}/emergency", responses=ERRORS)
async def request_emergency(
    incident_id: str, body: StaffAction, service: ServiceDep, principal: Responder, audit: Audit
) -> IncidentView:
    """Call emergency services now (sent once per incident, whoever asks)."""
    await incident_in_reach(service, principal, incident_id)
    action = service.responder.request_emergency(
        incident_id, principal.actor, note=body.note, channel="web"
    )
    return await _act(action, principal, audit, "emergency")


@router.post("/{incident_id}/emergency/confirm", responses=ERRORS)
async def confirm_emergency(
    incident_id: str, body: StaffAction, service: ServiceDep, principal: Responder, audit: Audit
) -> IncidentView:
    """The dispatcher confirmed: record who took the call and what was agreed."""
    await incident_in_reach(service, principal, incident_id)
    action = service.responder.confirm_emergency(
        incident_id, principal.actor, note=body.note, channel="web"
    )
    return await _act(action, principal, audit, "emergency_confirmed")


@router.get("/{incident_id}/handover", response_class=HTMLResponse, responses=ERRORS)
async def handover_sheet(
    incident_id: str,
    service: ServiceDep,
    principal: Reader,
    audit: Audit,
    lang: Annotated[
        Language | None, Query(description="the facility's language if omitted")
    ] = None,
) -> HTMLResponse:
    """The one-page handover sheet for the ambulance crew (printable HTML), in ``lang``."""
    incident = await incident_in_reach(service, principal, incident_id)
    await audit.record(
        [principal.audit("handover", resident=incident.resident, incident=incident_id)]
    )
    try:
        return HTMLResponse(await service.responder.handover(incident_id, lang))
    except IncidentNotFound as exc:
        raise HTTPException(404, f"no incident {incident_id}") from exc


async def _act(action: Any, principal: Principal, audit: Audit, name: str) -> IncidentView:
    try:
        incident = await action
    except IncidentNotFound as exc:
        raise HTTPException(404, f"no incident {exc}") from exc
    except InvalidTransition as exc:
        raise HTTPException(409, str(exc)) from exc
    await audit.record([principal.audit(name, resident=incident.resident, incident=incident.id)])
    return incident_view(principal.facility, incident)
