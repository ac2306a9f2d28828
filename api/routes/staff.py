"""Staff, roles, zones and shifts: who is on duty, and changing the roster.

Changes are validated like the facility file, stored in the database and in
force at once; they survive a restart (see ``alerting.roster``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response

from alerting import duty
from alerting.roster import RosterError
from api.access import AnyUser, Audit, Principal, RosterEditor
from api.deps import ServiceDep
from api.routes.facility import StaffPublic
from shouhu.facility import Facility, Shift, Staff

router = APIRouter(prefix="/api/v1/facilities/{facility_id}", tags=["staff"])


@router.get("/on-duty")
async def on_duty(
    facility_id: str,
    service: ServiceDep,
    principal: AnyUser,
    at: Annotated[
        float | None, Query(ge=0, le=1e11, description="Unix seconds; default now")
    ] = None,
) -> list[StaffPublic]:
    """Everyone on shift at ``at`` (without their contacts)."""
    facility = _facility(service, principal, facility_id)
    moment = at if at is not None else service.clock.now()
    return [StaffPublic.of(s) for s in facility.staff if duty.on_shift(facility, s, moment)]


@router.put("/staff/{staff_id}")
async def put_staff(
    facility_id: str,
    staff_id: str,
    body: Staff,
    service: ServiceDep,
    principal: RosterEditor,
    audit: Audit,
) -> Staff:
    """Add or replace a staff member (role, zones, shifts, days, contacts)."""
    _facility(service, principal, facility_id)
    if body.id != staff_id:
        raise HTTPException(422, f"body id {body.id!r} is not {staff_id!r}")
    try:
        member = await service.roster.put_staff(
            facility_id, body, by=principal.user.username, now=service.clock.now()
        )
    except RosterError as exc:
        raise HTTPException(422, str(exc)) from exc
    await audit.record([principal.audit("staff_changed", detail={"staff": staff_id})])
    return member


@router.delete("/staff/{staff_id}", status_code=204)
async def delete_staff(
    facility_id: str, staff_id: str, service: ServiceDep, principal: RosterEditor, audit: Audit
) -> Response:
    _facility(service, principal, facility_id)
    try:
        await service.roster.delete_staff(
            facility_id, staff_id, by=principal.user.username, now=service.clock.now()
        )
    except KeyError as exc:
        raise HTTPException(404, f"no staff member {staff_id}") from exc
    except RosterError as exc:
        raise HTTPException(422, str(exc)) from exc
    await audit.record([principal.audit("staff_removed", detail={"staff": staff_id})])
    return Response(status_code=204)


@router.put("/shifts")
async def put_shifts(
    facility_id: str,
    body: list[Shift],
    service: ServiceDep,
    principal: RosterEditor,
    audit: Audit,
) -> list[Shift]:
    """Replace the shift definitions; every staff member's shifts must still exist."""
    _facility(service, principal, facility_id)
    try:
        await service.roster.put_shifts(
            facility_id, body, by=principal.user.username, now=service.clock.now()
        )
    except RosterError as exc:
        raise HTTPException(422, str(exc)) from exc
    await audit.record([principal.audit("shifts_changed")])
    return body


def _facility(service: ServiceDep, principal: Principal, facility_id: str) -> Facility:
    """The principal's own facility, as the service has it now (the roster may have changed)."""
    facility = service.facilities.get(facility_id)
    if facility is None or facility_id != principal.facility.id:
        raise HTTPException(404, f"no facility {facility_id}")
    return facility
