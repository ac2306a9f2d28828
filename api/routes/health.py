"""Liveness and the counters an operator watches."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from api.deps import ServiceDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz(service: ServiceDep, response: Response) -> dict[str, Any]:
    connected = service.bus.connected.is_set()
    if not connected:
        response.status_code = 503
    return {
        "status": "ok" if connected else "degraded",
        "mqtt_connected": connected,
        "facilities": list(service.facilities),
        "messages": service.counters.messages,
        "dead_lettered": service.counters.rejected,
        "dead_letter_reasons": dict(service.counters.reasons.most_common(20)),
        "alerts": service.responder.counters.alerts,
        "incidents_opened": service.responder.counters.incidents_opened,
        "pages_sent": service.responder.counters.pages_sent,
        "pages_failed": service.responder.counters.pages_failed,
        "clock": service.clock.now(),
    }
