"""Staff, roles, zones and shifts: who is on duty, and changing the roster.

Changes are validated like the facility file, stored in the database and in
force at once; they survive a restart (see ``alerting.roster``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response

from alerting import duty
from alerting.roster import RosterError
from api.deps import ServiceDep
from shouhu.facility import Facility, Shift, Staff

router = APIRouter(prefix="/api/v1/facilities/{facility_id}", tags=["staff"])


@router.get("/on-duty")
async def on_duty(
    facility_id: str,
    service: ServiceDep,
    at: Annotated[float | None, Query(description="Unix seconds; default now")] = None,
) -> list[Staff]:
    """Everyone on shift at ``at``."""
    facility = _facility(service, facility_id)
    moment = at if at is not None else service.clock.now()
    return [s for s in facility.staff if duty.on_shift(facility, s, moment)]


@router.put("/staff/{staff_id}")
async def put_staff(facility_id: str, staff_id: str, body: Staff, service: ServiceDep) -> Staff:
    """Add or replace a staff member (role, zones, shifts, days, contacts)."""
    if body.id != staff_id:
        raise HTTPException(422, f"body id {body.id!r} is not {staff_id!r}")
    _facility(service, facility_id)
    try:
        return await service.roster.put_staff(facility_id, body, by="api", now=service.clock.now())
    except RosterError as exc:
        raise HTTPException(422, str(exc)) from exc


@router.delete("/staff/{staff_id}", status_code=204)
async def delete_staff(facility_id: str, staff_id: str, service: ServiceDep) -> Response:
    _facility(service, facility_id)
    try:
        await service.roster.delete_staff(facility_id, staff_id, by="api", now=service.clock.now())
    except KeyError as exc:
        raise HTTPException(404, f"no staff member {staff_id}") from exc
    except RosterError as exc:
        raise HTTPException(422, str(exc)) from exc
    return Response(status_code=204)


@router.put("/shifts")
async def put_shifts(facility_id: str, body: list[Shift], service: ServiceDep) -> list[Shift]:
    """Replace the shift definitions; every staff member's shifts must still exist."""
    _facility(service, facility_id)
    try:
        await service.roster.put_shifts(facility_id, body, by="api", now=service.clock.now())
    except RosterError as exc:
        raise HTTPException(422, str(exc)) from exc
    return body


def _facility(service: ServiceDep, facility_id: str) -> Facility:
    facility = service.facilities.get(facility_id)
    if facility is None:
        raise HTTPException(404, f"no facility {facility_id}")
    return facility
