"""Response figures per shift or per week, for the manager's review."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request

from api.access import Reviewer, service_of
from api.stats import figures
from api.views import with_timelines, zone_of

router = APIRouter(prefix="/api/v1/stats", tags=["review"])

DAY = 86400.0
Moment = Annotated[float | None, Query(ge=0, le=1e11, description="Unix seconds")]


@router.get("")
async def response_figures(
    request: Request,
    principal: Reviewer,
    by: Literal["shift", "week"] = "week",
    since: Moment = None,
    until: Moment = None,
    zone: Annotated[str | None, Query(max_length=64)] = None,
) -> dict[str, Any]:
    """Median and 90th percentile of the time to deliver, accept, arrive and resolve,
    alarms per resident-night and the share of false alarms (default: the 28 days to the
    service's now, which follows the messages under ``--clock event``)."""
    service = service_of(request)
    until = until if until is not None else service.clock.now()
    since = since if since is not None else until - 28 * DAY
    if since >= until:
        raise HTTPException(422, "since must be before until")
    if until - since > 366 * DAY:
        raise HTTPException(422, "ask for at most a year at a time")
    found = await service.store.find(
        facilities=[principal.facility.id], since=since, until=until, limit=100_000
    )
    if zone is not None:
        found = [i for i in found if zone_of(principal.facility, i) == zone]
    incidents = await with_timelines(service.store, found)
    residents = sum(1 for r in principal.facility.residents if zone in (None, r.zone))
    return {
        "by": by,
        "since": since,
        "until": until,
        "zone": zone,
        "residents": residents,
        "groups": figures(
            principal.facility, incidents, by=by, since=since, until=until, residents=residents
        ),
    }
