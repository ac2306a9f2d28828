"""The audit log, read-only: who read or changed which resident's data."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.access import Audit, Auditor
from api.account_schemas import AuditPublic

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])


@router.get("")
async def read_audit_log(
    principal: Auditor,
    audit: Audit,
    resident: Annotated[str | None, Query(max_length=64)] = None,
    username: Annotated[str | None, Query(max_length=64)] = None,
    action: Annotated[str | None, Query(max_length=32)] = None,
    since: float | None = None,
    until: float | None = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
) -> list[AuditPublic]:
    entries = await audit.find(
        facility=principal.facility.id,
        resident=resident,
        username=username,
        action=action,
        since=since,
        until=until,
        limit=limit,
    )
    return [AuditPublic.of(e) for e in entries]
