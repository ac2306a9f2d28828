"""From alert to a nurse at the bedside: incidents, replies, acceptance, resolution.

Alerts are queued and handled one at a time by ``run``: the incident and its
escalation steps are committed to the store in one transaction before any
page is sent (the escalator sends them). People act through handheld
replies and the API; each action is a timeline event.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from alerting import policy
from alerting.actions import IncidentActions, IncidentNotFound, InvalidTransition
from alerting.core import AlertCore
from alerting.escalation import Escalator
from alerting.feed import IncidentFeed
from alerting.incidents import Incident, TimelineEvent, summary_fact
from alerting.rows import evidence_detail
from alerting.store import IncidentStore
from shouhu.clock import Clock
from shouhu.domain import Alert, Reading
from shouhu.facility import Facility

log = logging.getLogger(__name__)

__all__ = ["IncidentNotFound", "InvalidTransition", "Responder"]

Publish = Callable[..., Awaitable[None]]


@dataclass
class Counters:
    alerts: int = 0
    incidents_opened: int = 0
    replies: int = 0
    unmatched_replies: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


class Responder(IncidentActions):
    def __init__(
        self,
        *,
        store: IncidentStore,
        facilities: dict[str, Facility],
        cores: dict[str, AlertCore],
        escalator: Escalator,
        clock: Clock,
        publish: Publish | None = None,
    ) -> None:
        self.store = store
        self.facilities = facilities
        self.cores = cores
        self.escalator = escalator
        self.clock = clock
        self.feed = IncidentFeed(publish)
        escalator.on_change = self._changed
        self._queue: asyncio.Queue[Alert] = asyncio.Queue()
        self._open: dict[tuple[str, str], set[str]] = {}  # (facility, resident) -> incident ids
        self._vitals: dict[str, list[tuple[float, str, dict[str, Any]]]] = {}
        self.counters = Counters()

    # -- input ----------------------------------------------------------------

    def submit(self, alert: Alert) -> None:
        self.counters.alerts += 1
        self._queue.put_nowait(alert)

    def record(self, reading: Reading, values: dict[str, Any]) -> None:
        """Keep vitals for residents with an open incident (flushed by ``flush_vitals``)."""
        if reading.resident is None or not values:
            return
        for incident_id in self._open.get((reading.facility, reading.resident), ()):
            self._vitals.setdefault(incident_id, []).append((reading.ts, reading.device, values))

    async def run(self) -> None:
        while True:
            alert = await self._queue.get()
            try:
                await self.handle(alert)
            except Exception:  # an alert must never be dropped quietly
                log.exception(
                    "failed to handle %s alert for resident %s; retrying in 1 s",
                    alert.kind,
                    alert.resident,
                )
                await asyncio.sleep(1.0)
                self._queue.put_nowait(alert)
            finally:
                self._queue.task_done()

    async def drain(self) -> None:
        """Wait until every queued alert is handled and every page in flight is done."""
        while True:
            await self._queue.join()
            await self.escalator.drain()  # a failed page may raise an alarm: queued again
            if self._queue.empty():
                return

    async def restore(self) -> None:
        """Rebuild the in-memory view of open incidents after a restart."""
        for incident in await self.store.find(
            facilities=list(self.facilities), open_only=True, limit=10_000
        ):
            if incident.resident is not None:
                self._open.setdefault((incident.facility, incident.resident), set()).add(
                    incident.id
                )
        self.escalator.wake()

    # -- alerts -> incidents ------------------------------------------------------

    async def handle(self, alert: Alert) -> None:
        facility = self.facilities[alert.facility]
        now = self.clock.now()
        if not alert.firing:
            await self._condition_cleared(alert, now)
            return
        resident = facility.resident(alert.resident) if alert.resident else None
        summary = summary_fact(
            alert, resident.name if resident else None, resident.room if resident else None
        )
        incident, created = await self.store.open_or_join(
            alert,
            summary=summary,
            now=now,
            plan=lambda priority: policy.plan(facility.escalation, alert.kind, priority),
        )
        if not created:
            self._notify(incident)
            self.escalator.wake()  # a raised priority may have brought steps forward
            return
        self.counters.incidents_opened += 1
        self.counters.by_kind[alert.kind.value] = self.counters.by_kind.get(alert.kind.value, 0) + 1
        log.info(
            "incident %s opened: resident %s, %s (%s): %s",
            incident.id,
            alert.resident,
            alert.kind,
            alert.priority,
            alert.evidence,
        )
        if alert.resident is not None:
            self._open.setdefault((alert.facility, alert.resident), set()).add(incident.id)
            core = self.cores.get(alert.facility)
            if core is not None:
                await self.store.add_vitals(incident.id, core.recent(alert.resident))
        self.escalator.wake()
        await self.escalator.tick(now)  # the first pages go out now, not at the next tick
        self._notify(await self.store.get(incident.id) or incident)

    async def _condition_cleared(self, alert: Alert, now: float) -> None:
        for incident in await self.store.find(
            facilities=[alert.facility],
            open_only=True,
            resident=alert.resident,
            kind=alert.kind.value,
        ):
            if incident.condition_key == alert.key:
                updated = await self.store.append(
                    incident.id,
                    TimelineEvent(
                        ts=now,
                        type="condition_cleared",
                        actor="system",
                        detail=evidence_detail(alert),
                    ),
                )
                self._notify(updated)

    def _count_reply(self, *, matched: bool) -> None:
        self.counters.replies += 1
        if not matched:
            self.counters.unmatched_replies += 1

    # -- housekeeping -------------------------------------------------------------

    async def flush_vitals(self) -> None:
        pending, self._vitals = self._vitals, {}
        for incident_id, rows in pending.items():
            await self.store.add_vitals(incident_id, rows)

    def subscribe(self) -> asyncio.Queue[Incident]:
        """A queue that receives every incident as it changes (for live pages)."""
        return self.feed.subscribe()

    def unsubscribe(self, queue: asyncio.Queue[Incident]) -> None:
        self.feed.unsubscribe(queue)

    def _notify(self, incident: Incident) -> None:
        self.feed.notify(incident)

    async def _changed(self, incident_id: str) -> None:
        """The escalator paged, escalated or failed to page: live pages hear of it."""
        incident = await self.store.get(incident_id)
        if incident is not None:
            self._notify(incident)
