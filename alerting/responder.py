"""From alert to a nurse at the bedside: incidents, replies, acceptance, resolution.

Alerts are queued and handled one at a time by ``run``: the incident and its
escalation steps are committed to the store in one transaction before any
page is sent (the escalator sends them). People act through handheld
replies and the API; each action is a timeline event.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from alerting import policy
from alerting.core import AlertCore
from alerting.emergency import dispatch_facts
from alerting.escalation import Escalator
from alerting.handover import handover_html
from alerting.incidents import Incident, Outcome, State, TimelineEvent, summarize
from alerting.store import IncidentStore
from gateway.protocol import incident_topic
from shouhu.clock import Clock
from shouhu.domain import Alert, Reading
from shouhu.errors import ShouhuError
from shouhu.facility import Facility

log = logging.getLogger(__name__)

Publish = Callable[..., Awaitable[None]]


class IncidentNotFound(ShouhuError):
    pass


class InvalidTransition(ShouhuError):
    pass


@dataclass
class Counters:
    alerts: int = 0
    incidents_opened: int = 0
    replies: int = 0
    unmatched_replies: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


class Responder:
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
        self._publish = publish
        self._queue: asyncio.Queue[Alert] = asyncio.Queue()
        self._open: dict[tuple[str, str], set[str]] = {}  # (facility, resident) -> incident ids
        self._vitals: dict[str, list[tuple[float, str, dict[str, Any]]]] = {}
        self._listeners: set[asyncio.Queue[Incident]] = set()
        self._tasks: set[asyncio.Task[None]] = set()
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
        summary = summarize(
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
                        detail={"evidence": alert.evidence},
                    ),
                )
                self._notify(updated)

    # -- people act -------------------------------------------------------------

    async def on_reply(self, facility: str, staff: str, page_id: str, status: str) -> None:
        """A handheld's reply to a page: received, accepted or declined."""
        self.counters.replies += 1
        await self.escalator.settle(page_id)  # "paged" is recorded before the reply to it
        page = await self.escalator.pages.page(page_id)
        if page is None or page.facility != facility or page.staff != staff:
            self.counters.unmatched_replies += 1
            log.warning("reply %s from %s/%s matches no page of theirs", page_id, facility, staff)
            return
        incident = await self.store.get(page.incident_id)
        if incident is None or not incident.is_open:
            return
        now = self.clock.now()
        event = TimelineEvent(
            ts=now, type=status, actor=staff, channel="mqtt", detail={"page_id": page_id}
        )
        if status == "accepted":
            await self.accept(incident.id, staff, channel="mqtt", page_id=page_id)
            return
        if status == "received":
            await self.escalator.pages.update_page(
                page_id,
                only_if=("pending", "sending", "sent", "failed"),
                events=[TimelineEvent(event.ts, "delivered", staff, "mqtt", event.detail)],
                state=State.DELIVERED,
                status="delivered",
                next_at=None,
            )
        else:
            declined = await self.escalator.pages.update_page(
                page_id,
                only_if=("pending", "sending", "sent", "delivered", "failed"),
                events=[event],
                status="declined",
                next_at=None,
            )
            if declined is not None:
                await self.escalator.declined(declined, now)
        self._notify(await self.store.get(incident.id) or incident)

    async def accept(
        self, incident_id: str, staff: str, *, channel: str = "api", page_id: str | None = None
    ) -> Incident:
        incident = await self._open_incident(incident_id)
        now = self.clock.now()
        state = State.ACCEPTED if incident.state.order < State.ACCEPTED.order else None
        fields = {"accepted_by": staff} if incident.accepted_by is None else {}
        detail = {"page_id": page_id} if page_id else {}
        updated = await self.store.append(
            incident.id,
            TimelineEvent(ts=now, type="accepted", actor=staff, channel=channel, detail=detail),
            state=state,
            **fields,
        )
        if page_id is not None:
            await self.escalator.pages.update_page(page_id, status="accepted", next_at=None)
        if state is not None:
            await self.escalator.accepted(updated, staff, now)
        log.info(
            "incident %s accepted by %s via %s: resident %s",
            incident.id,
            staff,
            channel,
            incident.resident,
        )
        self._notify(updated)
        return updated

    async def arrive(self, incident_id: str, staff: str, *, channel: str = "api") -> Incident:
        """A nurse is at the bedside."""
        incident = await self._open_incident(incident_id)
        now = self.clock.now()
        state = State.ARRIVED if incident.state.order < State.ARRIVED.order else None
        fields = {"accepted_by": staff} if incident.accepted_by is None else {}
        updated = await self.store.append(
            incident.id,
            TimelineEvent(ts=now, type="arrived", actor=staff, channel=channel),
            state=state,
            **fields,
        )
        if incident.state.order < State.ACCEPTED.order:
            await self.escalator.accepted(updated, staff, now)
        log.info("incident %s: %s arrived at the bedside", incident.id, staff)
        self._notify(updated)
        return updated

    async def request_emergency(
        self, incident_id: str, staff: str, *, note: str = "", channel: str = "api"
    ) -> Incident:
        """A nurse asks for emergency services: a step due now, run at once."""
        incident = await self._open_incident(incident_id)
        now = self.clock.now()
        await self.escalator.request_emergency(incident, staff, now)
        await self.escalator.tick(now)
        log.info("incident %s: %s requested emergency services: %s", incident.id, staff, note)
        updated = await self.store.get(incident.id) or incident
        self._notify(updated)
        return updated

    async def confirm_emergency(
        self, incident_id: str, staff: str, *, note: str = "", channel: str = "api"
    ) -> Incident:
        """The dispatcher confirmed (by phone or reply): recorded with who took the call."""
        incident = await self._open_incident(incident_id)
        updated = await self.store.append(
            incident.id,
            TimelineEvent(
                ts=self.clock.now(),
                type="ems_confirmed",
                actor=staff,
                channel=channel,
                detail={"note": note},
            ),
        )
        self._notify(updated)
        return updated

    async def resolve(
        self,
        incident_id: str,
        staff: str,
        *,
        outcome: Outcome,
        note: str = "",
        channel: str = "api",
    ) -> Incident:
        incident = await self._open_incident(incident_id)
        now = self.clock.now()
        updated = await self.store.append(
            incident.id,
            TimelineEvent(
                ts=now,
                type="resolved",
                actor=staff,
                channel=channel,
                detail={"outcome": outcome.value, "note": note},
            ),
            state=State.RESOLVED,
            outcome=outcome.value,
            note=note,
        )
        await self.escalator.resolved(updated)
        await self.flush_vitals()
        if incident.resident is not None:
            self._open.get((incident.facility, incident.resident), set()).discard(incident.id)
        log.info(
            "incident %s resolved by %s (%s): resident %s",
            incident.id,
            staff,
            outcome.value,
            incident.resident,
        )
        self._notify(updated)
        return updated

    async def handover(self, incident_id: str) -> str:
        """The printable handover sheet (HTML) for the ambulance crew."""
        incident = await self.store.get(incident_id)
        if incident is None or incident.facility not in self.facilities:
            raise IncidentNotFound(incident_id)
        facility = self.facilities[incident.facility]
        await self.flush_vitals()
        vitals = await self.store.vitals_of(incident_id)
        latest: dict[str, Any] = {}
        for row in vitals:
            latest.update(row)
        facts = dispatch_facts(facility, incident, latest)
        return handover_html(facts, facility, incident.timeline, vitals)

    async def _open_incident(self, incident_id: str) -> Incident:
        incident = await self.store.get(incident_id)
        if incident is None:
            raise IncidentNotFound(incident_id)
        if not incident.is_open:
            raise InvalidTransition(f"incident {incident_id} is already resolved")
        return incident

    # -- housekeeping -------------------------------------------------------------

    async def flush_vitals(self) -> None:
        pending, self._vitals = self._vitals, {}
        for incident_id, rows in pending.items():
            await self.store.add_vitals(incident_id, rows)

    def subscribe(self) -> asyncio.Queue[Incident]:
        """A queue that receives every incident as it changes (for live pages)."""
        queue: asyncio.Queue[Incident] = asyncio.Queue(maxsize=1000)
        self._listeners.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[Incident]) -> None:
        self._listeners.discard(queue)

    def _notify(self, incident: Incident) -> None:
        for queue in list(self._listeners):
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(incident)
        if self._publish is not None:
            task = asyncio.create_task(self._publish_state(incident))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _publish_state(self, incident: Incident) -> None:
        def iso(ts: float) -> str:
            return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat()

        payload = json.dumps(
            {
                "incident_id": incident.id,
                "resident": incident.resident,
                "kind": incident.kind.value,
                "priority": incident.priority.value,
                "state": incident.state.value,
                "opened_at": iso(incident.opened_at),
                "updated_at": iso(incident.updated_at),
                "summary": incident.summary,
                "exercise": incident.exercise,
            },
            ensure_ascii=False,
        ).encode()
        assert self._publish is not None
        try:
            await self._publish(
                incident_topic(incident.facility, incident.id), payload, qos=1, retain=True
            )
        except ShouhuError as exc:
            log.warning("incident %s: could not publish state: %s", incident.id, exc)
