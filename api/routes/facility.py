"""The user's facility as its file describes it: residents, devices, staff.

Only the signed-in user's own facility is visible; residents' records are
read by nurses and managers, and every read is in the audit log.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel

from api.access import AnyUser, Audit, Reader, own_facility
from shouhu.facility import Device, Resident, Staff

router = APIRouter(prefix="/api/v1", tags=["facility"])

FacilityId = Annotated[str | None, Query(max_length=64)]


@router.get("/facilities")
async def list_facilities(principal: AnyUser) -> list[dict[str, Any]]:
    f = principal.facility
    return [
        {
            "id": f.id,
            "name": f.facility.name,
            "timezone": f.facility.timezone,
            "language": f.language,
            "residents": len(f.residents),
            "devices": len(f.devices),
            "zones": [{"id": z.id, "name": z.name} for z in f.zones],
            "shifts": [s.model_dump() for s in f.shifts],
            "night": f.facility.night.model_dump(),
        }
    ]


@router.get("/directory")
async def resident_directory(principal: Reader, audit: Audit) -> list[dict[str, str]]:
    """Names and rooms only: enough to pick a resident in a filter."""
    await audit.record([principal.audit("directory")])
    return [
        {"id": r.id, "name": r.name, "room": r.room, "bed": r.bed, "zone": r.zone}
        for r in principal.facility.residents
    ]


@router.get("/residents")
async def list_residents(
    principal: Reader, audit: Audit, facility: FacilityId = None
) -> list[Resident]:
    residents = own_facility(principal, facility).residents
    await audit.record(principal.audit("read_resident", resident=r.id) for r in residents)
    return residents


@router.get("/residents/{resident_id}", responses={404: {"description": "no such resident"}})
async def get_resident(
    resident_id: str, principal: Reader, audit: Audit, facility: FacilityId = None
) -> Resident:
    resident = own_facility(principal, facility).resident(resident_id)
    if resident is None:
        raise HTTPException(404, f"no resident {resident_id}")
    await audit.record([principal.audit("read_resident", resident=resident.id)])
    return resident


@router.get("/devices")
async def list_devices(principal: AnyUser, facility: FacilityId = None) -> list[Device]:
    return own_facility(principal, facility).devices


class StaffPublic(BaseModel):
    """A staff member without contacts (their URLs may hold a channel's credentials)."""

    id: str
    name: str
    role: str
    zones: list[str]
    shifts: list[str]
    days: list[str]

    @classmethod
    def of(cls, member: Staff) -> StaffPublic:
        return cls(**member.model_dump(include={"id", "name", "role", "zones", "shifts", "days"}))


@router.get("/staff")
async def list_staff(principal: AnyUser, facility: FacilityId = None) -> list[StaffPublic]:
    return [StaffPublic.of(m) for m in own_facility(principal, facility).staff]
