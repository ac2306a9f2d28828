"""An incident's escalation: steps and pages, bedside arrival, emergency services, handover.

Handlers stay thin: each calls one responder or store method.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from alerting.responder import IncidentNotFound, InvalidTransition
from api.deps import ServiceDep
from api.schemas import IncidentPublic

router = APIRouter(prefix="/api/v1/incidents", tags=["escalation"])

ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "no such incident"},
    409: {"description": "the incident is already resolved"},
}


class StaffAction(BaseModel):
    staff: str = Field(min_length=1, max_length=64, description="who acts")
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
async def get_escalation(incident_id: str, service: ServiceDep) -> EscalationPublic:
    """The ladder as it stands: each step's due time and status, each page's delivery."""
    await _incident(service, incident_id)
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
async def arrive(incident_id: str, body: StaffAction, service: ServiceDep) -> IncidentPublic:
    """A nurse is at the bedside."""
    return await _act(service.responder.arrive(incident_id, body.staff))


@router.post("/{incident_id}/emergency", responses=ERRORS)
async def request_emergency(
    incident_id: str, body: StaffAction, service: ServiceDep
) -> IncidentPublic:
    """Call emergency services now (sent once per incident, whoever asks)."""
    return await _act(service.responder.request_emergency(incident_id, body.staff, note=body.note))


@router.post("/{incident_id}/emergency/confirm", responses=ERRORS)
async def confirm_emergency(
    incident_id: str, body: StaffAction, service: ServiceDep
) -> IncidentPublic:
    """The dispatcher confirmed: record who took the call and what was agreed."""
    return await _act(service.responder.confirm_emergency(incident_id, body.staff, note=body.note))


@router.get("/{incident_id}/handover", response_class=HTMLResponse, responses=ERRORS)
async def handover_sheet(incident_id: str, service: ServiceDep) -> HTMLResponse:
    """The one-page handover sheet for the ambulance crew (printable HTML)."""
    try:
        return HTMLResponse(await service.responder.handover(incident_id))
    except IncidentNotFound as exc:
        raise HTTPException(404, f"no incident {incident_id}") from exc


async def _incident(service: ServiceDep, incident_id: str) -> None:
    incident = await service.store.get(incident_id)
    if incident is None or incident.facility not in service.facilities:
        raise HTTPException(404, f"no incident {incident_id}")


async def _act(action: Any) -> IncidentPublic:
    try:
        incident = await action
    except IncidentNotFound as exc:
        raise HTTPException(404, f"no incident {exc}") from exc
    except InvalidTransition as exc:
        raise HTTPException(409, str(exc)) from exc
    return IncidentPublic.of(incident)
