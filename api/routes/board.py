"""The nurse board's data: a snapshot, then a server-sent event stream of changes.

The stream starts with a ``snapshot`` of the whole board (on every
reconnection too), then sends ``incident`` and ``removed`` events as the
responder changes incidents (a new one reaches the page within
milliseconds), and a ``status`` event at least every few seconds with the
clock, technical alarms and fresh vitals: the page treats silence as a lost
connection, never as a quiet night.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from alerting.incidents import Incident
from api.access import Audit, Principal, Reader, service_of
from api.schemas import Localized
from api.views import BoardItem, board_item, board_order, on_board, with_timelines
from shouhu.service import Service

router = APIRouter(prefix="/api/v1/board", tags=["board"])

STATUS_EVERY_S = 5.0


class TechnicalAlarm(BaseModel):
    kind: str  # device_offline, battery_low, device_removed, paging_failure, gateway_disconnected
    summary: str
    summary_i18n: Localized | None = None  # the incident's summary in every language
    incident_id: str | None = None
    since: float | None = None


class Board(BaseModel):
    now: float
    zones: list[str]
    items: list[BoardItem]
    technical: list[TechnicalAlarm]


def _item(service: Service, principal: Principal, incident: Incident) -> BoardItem:
    core = service.cores.get(incident.facility)
    latest = core.latest(incident.resident) if core is not None else {}
    return board_item(principal.facility, incident, latest)


def technical_alarms(service: Service, items: list[BoardItem]) -> list[TechnicalAlarm]:
    alarms = []
    if not service.bus.connected.is_set():
        alarms.append(
            TechnicalAlarm(kind="gateway_disconnected", summary="sensor gateway disconnected")
        )
    for item in items:
        if item.technical:
            alarms.append(
                TechnicalAlarm(
                    kind=item.kind,
                    summary=item.summary,
                    summary_i18n=item.summary_i18n,
                    incident_id=item.id,
                    since=item.opened_at,
                )
            )
        elif item.paging_failed:
            alarms.append(
                TechnicalAlarm(
                    kind="paging_failure",
                    summary=item.summary,
                    summary_i18n=item.summary_i18n,
                    incident_id=item.id,
                    since=item.updated_at,
                )
            )
    return alarms


async def board_of(service: Service, principal: Principal) -> Board:
    found = await service.store.find(facilities=[principal.facility.id], open_only=True, limit=1000)
    incidents = await with_timelines(service.store, found)
    items = sorted(
        (_item(service, principal, i) for i in incidents if on_board(principal, i)),
        key=board_order,
    )
    return Board(
        now=service.clock.now(),
        zones=sorted(principal.zones),
        items=items,
        technical=technical_alarms(service, items),
    )


@router.get("")
async def get_board(request: Request, principal: Reader, audit: Audit) -> Board:
    board = await board_of(service_of(request), principal)
    await audit.record(
        principal.audit("board", resident=r)
        for r in sorted({i.resident for i in board.items if i.resident})
    )
    return board


def _sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


@router.get(
    "/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "server-sent events"}},
)
async def stream_board(request: Request, principal: Reader, audit: Audit) -> StreamingResponse:
    await audit.record([principal.audit("board_stream", detail={"zones": sorted(principal.zones)})])
    return StreamingResponse(
        _events(request, principal),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


async def _events(request: Request, principal: Principal) -> AsyncIterator[str]:
    service = service_of(request)
    closing: asyncio.Event = request.app.state.closing
    queue = service.responder.subscribe()
    try:
        yield "retry: 2000\n\n"
        # Subscribed first, then the snapshot: a change in between is in the queue, not lost.
        board = await board_of(service, principal)
        shown = {i.id: i for i in board.items}
        yield _sse("snapshot", board.model_dump())
        loop = asyncio.get_running_loop()
        next_status = loop.time() + STATUS_EVERY_S
        while not closing.is_set():
            try:
                incident = await asyncio.wait_for(queue.get(), 1.0)
            except TimeoutError:
                incident = None
            if incident is not None and incident.facility == principal.facility.id:
                if on_board(principal, incident):
                    shown[incident.id] = _item(service, principal, incident)
                    yield _sse("incident", shown[incident.id].model_dump())
                elif shown.pop(incident.id, None) is not None:
                    yield _sse("removed", {"id": incident.id, "state": incident.state.value})
            if incident is not None or loop.time() >= next_status:
                yield _sse("status", _status(service, principal, list(shown.values())))
                next_status = loop.time() + STATUS_EVERY_S
    finally:
        service.responder.unsubscribe(queue)


def _status(service: Service, principal: Principal, items: list[BoardItem]) -> dict[str, Any]:
    core = service.cores.get(principal.facility.id)
    return {
        "now": service.clock.now(),
        "technical": [t.model_dump() for t in technical_alarms(service, items)],
        "vitals": {i.id: core.latest(i.resident) for i in items if core is not None and i.resident},
    }
