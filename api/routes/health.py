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
    paging = await service.paging_health()
    status = "ok" if connected else "degraded"
    if connected and (paging["open_failures"] or paging["escalation_overdue"]):
        status = "paging_failure"  # dashboards show it; the API itself still serves
    return {
        "status": status,
        "mqtt_connected": connected,
        "facilities": len(service.facilities),
        "messages": service.counters.messages,
        "dead_lettered": service.counters.rejected,
        "dead_letter_reasons": dict(service.counters.reasons.most_common(20)),
        "ingest_lag_s": round(service.counters.lag_s, 4),
        "ingest_lag_peak_s": round(service.counters.lag_peak_s, 4),
        "ingest_backlog": service.bus.backlog,  # received, not yet handled
        "ingest_errors": service.bus.handler_errors,  # handling raised; logged, skipped
        "alerts": service.responder.counters.alerts,
        "incidents_opened": service.responder.counters.incidents_opened,
        "pages_sent": service.escalator.dispatcher.counters.sent,
        "pages_failed": service.escalator.dispatcher.counters.failed,
        "paging": paging,
        "clock": service.clock.now(),
    }
