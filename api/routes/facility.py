"""Residents, devices and staff, as the facility files describe them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException

from api.deps import ServiceDep
from shouhu.facility import Device, Facility, Resident, Staff

router = APIRouter(prefix="/api/v1", tags=["facility"])


@router.get("/facilities")
async def list_facilities(service: ServiceDep) -> list[dict[str, Any]]:
    return [
        {
            "id": f.id,
            "name": f.facility.name,
            "timezone": f.facility.timezone,
            "residents": len(f.residents),
            "devices": len(f.devices),
        }
        for f in service.facilities.values()
    ]


@router.get("/residents")
async def list_residents(service: ServiceDep, facility: str | None = None) -> list[Resident]:
    return [r for f in _facilities(service, facility) for r in f.residents]


@router.get("/residents/{resident_id}")
async def get_resident(
    resident_id: str, service: ServiceDep, facility: str | None = None
) -> Resident:
    for f in _facilities(service, facility):
        if (resident := f.resident(resident_id)) is not None:
            return resident
    raise HTTPException(404, f"no resident {resident_id}")


@router.get("/devices")
async def list_devices(service: ServiceDep, facility: str | None = None) -> list[Device]:
    return [d for f in _facilities(service, facility) for d in f.devices]


@router.get("/staff")
async def list_staff(service: ServiceDep, facility: str | None = None) -> list[Staff]:
    return [s for f in _facilities(service, facility) for s in f.staff]


def _facilities(service: ServiceDep, facility: str | None) -> list[Facility]:
    if facility is None:
        return list(service.facilities.values())
    if facility not in service.facilities:
        raise HTTPException(404, f"no facility {facility}")
    return [service.facilities[facility]]
