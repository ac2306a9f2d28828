"""The escalation engine: runs due steps, hands due pages to the dispatcher.

Stages, each in its own module: ``policy`` (which steps) -> ``outbox`` (steps
committed with their due times) -> ``escalation`` (a due step becomes pages
for the people it names, via ``duty``) -> ``dispatch`` (channel chain,
retries, fallback) -> ``channels``. Timers follow the injected clock: the
service calls ``tick(now)``; nothing sleeps. ``_next_due`` keeps a tick that
has nothing to do free of database work.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from alerting import policy
from alerting.channels import Channels
from alerting.compose import compose_page
from alerting.dispatch import Dispatcher, RetryPolicy
from alerting.incidents import Incident, State
from alerting.outbox import Outbox, Step
from alerting.page_outbox import PageOutbox, PageRecord
from alerting.paging import Page
from alerting.steps import StepPlanner
from alerting.store import IncidentStore
from alerting.words import english
from shouhu.clock import Clock
from shouhu.domain import Alert, AlertKind, Fact, Priority
from shouhu.facility import Facility

log = logging.getLogger(__name__)

Vitals = Callable[[str, str | None], dict[str, Any]]
RaiseAlarm = Callable[[Alert], None]
Changed = Callable[[str], Awaitable[None]]


@dataclass
class EscalationCounters:
    steps_run: int = 0
    paging_failures: int = 0
    last_tick: float | None = None


class Escalator:
    def __init__(
        self,
        *,
        store: IncidentStore,
        facilities: Mapping[str, Facility],
        channels: Channels,
        clock: Clock,
        vitals: Vitals,
        raise_alarm: RaiseAlarm,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.store = store
        self.facilities = facilities
        self.clock = clock
        self.vitals = vitals
        self.raise_alarm = raise_alarm
        self.outbox = Outbox(store.engine)
        self.pages = PageOutbox(store.engine)
        self.dispatcher = Dispatcher(
            pages=self.pages,
            channels=channels,
            facilities=facilities,
            clock=clock,
            compose=self.compose,
            on_failure=self._page_failed,
            retry=retry,
        )
        self.planner = StepPlanner(self.outbox, self.pages)
        self.counters = EscalationCounters()
        self._next_due = -math.inf
        self._woken = False
        self._lock = asyncio.Lock()
        self._inflight: dict[str, asyncio.Task[None]] = {}
        # Told the id of an incident whose timeline a step or a page changed (live boards).
        self.on_change: Changed | None = None

    # -- timers -----------------------------------------------------------------

    def wake(self) -> None:
        """Something changed: the next tick looks at the outbox."""
        self._next_due = -math.inf
        self._woken = True

    def due(self, now: float) -> bool:
        return now >= self._next_due and not self._lock.locked()

    async def tick(self, now: float) -> None:
        """Run every step and page due by ``now``; late ones first."""
        self.counters.last_tick = now
        if now < self._next_due or self._lock.locked():
            return
        async with self._lock:
            self._woken = False
            await self._run(now)
            while self._woken:
                self._woken = False
                await self._run(max(now, self.clock.now()))

    async def run_due(self, now: float) -> None:
        """Run what is due by ``now``, waiting for a tick in progress instead of skipping.

        For a step a person asked for (emergency services): when this returns,
        the step has run and its events are on the timeline.
        """
        async with self._lock:
            self._woken = False
            await self._run(now)

    async def settle(self, page_id: str, *, within: float = 5.0) -> None:
        """Let a send in flight record its outcome before a reply to that page is applied."""
        task = self._inflight.get(page_id)
        if task is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(task), within)

    async def drain(self) -> None:
        """Wait for every page in flight (tests, shutdown)."""
        while self._inflight:
            await asyncio.gather(*self._inflight.values(), return_exceptions=True)

    async def _run(self, now: float) -> None:
        self._next_due = math.inf
        mine = list(self.facilities)
        for step in await self.outbox.due_steps(now, mine):
            try:
                await self._run_step(step, now)
            except Exception:  # the watchdog reports the step if it stays due
                log.exception("incident %s: step %d failed", step.incident_id, step.seq)
        for record in await self.pages.due_pages(now, mine):
            if record.page_id not in self._inflight:
                task = asyncio.create_task(self._page_work(record, now))
                self._inflight[record.page_id] = task
                task.add_done_callback(self._done)
        upcoming = await self.outbox.next_due(mine)
        self._next_due = min(self._next_due, upcoming if upcoming is not None else math.inf)

    def _done(self, task: asyncio.Task[None]) -> None:
        for page_id, running in list(self._inflight.items()):
            if running is task:
                del self._inflight[page_id]
        self._next_due = -math.inf

    async def _page_work(self, record: PageRecord, now: float) -> None:
        try:
            if not record.failure_reported and record.deadline <= now:
                await self.dispatcher.deadline_passed(record)
            if record.next_at is None or record.next_at > now:
                return
            if record.status == "sending":  # not in flight here: a crash caught it mid-send
                await self.dispatcher.in_doubt(record)
            elif record.status == "sent":
                await self.dispatcher.receipt_overdue(record)
            else:
                await self.dispatcher.deliver(record)
        except Exception:
            log.exception("incident %s: page %s failed", record.incident_id, record.page_id)
        await self._changed(record.incident_id)

    async def _changed(self, incident_id: str) -> None:
        if self.on_change is None:
            return
        try:
            await self.on_change(incident_id)
        except Exception:  # a live page must never stop the ladder
            log.exception("incident %s: change listener failed", incident_id)

    # -- steps ------------------------------------------------------------------

    async def _run_step(self, step: Step, now: float) -> None:
        incident = await self.store.get(step.incident_id)
        facility = self.facilities.get(step.facility)
        taken = incident is not None and incident.state.order >= State.ACCEPTED.order
        if (
            incident is None
            or facility is None
            or not incident.is_open
            or (step.kind == "escalation" and taken)
        ):
            await self.outbox.run_step(step, now=now, status="cancelled")
            return
        if step.target == policy.EMERGENCY:
            plan = await self.planner.emergency_plan(facility, incident, step, now)
        else:
            plan = await self.planner.staff_plan(facility, incident, step, now)
        if step.kind == "escalation" and plan.follow_up is None:
            plan.follow_up = await self.planner.reminder_after_ladder(facility, step, now)
        ran = await self.outbox.run_step(
            step, now=now, new_pages=plan.pages, events=plan.events, follow_up=plan.follow_up
        )
        if ran:
            self.counters.steps_run += 1
            await self._changed(incident.id)
            log.info(
                "incident %s: step %d (%s) ran %.1f s after due; %d pages",
                incident.id,
                step.seq,
                step.target,
                now - step.due_at,
                len(plan.pages),
            )
        if ran and plan.escalate_now:
            await self.outbox.pull_forward(incident.id, now)
            self.wake()

    # -- pages ------------------------------------------------------------------

    async def compose(self, record: PageRecord) -> Page | None:
        incident = await self.store.get(record.incident_id)
        facility = self.facilities.get(record.facility)
        if incident is None or facility is None or not incident.is_open:
            return None
        return compose_page(record, incident, facility, self.vitals(facility.id, incident.resident))

    async def _page_failed(self, record: PageRecord, reason: str) -> None:
        """A page was not delivered: escalate at once and raise a technical alarm."""
        self.counters.paging_failures += 1
        now = self.clock.now()
        await self.outbox.pull_forward(record.incident_id, now)
        self.wake()
        incident = await self.store.get(record.incident_id)
        if incident is None or incident.kind is AlertKind.PAGING_FAILURE:
            return  # never an alarm about the alarm: it joins the open one
        summary = incident.summary_facts[0] if incident.summary_facts else incident.summary
        about = Fact("paging.page", staff=record.staff, summary=summary)
        facts = (Fact("paging.not_delivered", about=about, reason=reason),)
        self.raise_alarm(
            Alert(
                facility=record.facility,
                resident=None,
                kind=AlertKind.PAGING_FAILURE,
                priority=Priority.HIGH,
                ts=now,
                evidence=english(facts),
                facts=facts,
                key="delivery",
                detail={
                    "about": english((about,)),
                    "incident_id": incident.id,
                    "page_id": record.page_id,
                },
            )
        )

    # -- what people did ------------------------------------------------------------

    async def accepted(self, incident: Incident, staff: str, now: float) -> None:
        """Someone took it: stop the ladder, remind them until it is resolved."""
        facility = self.facilities[incident.facility]
        await self.outbox.cancel_steps(incident.id, ["escalation", policy.REMINDER])
        await self.pages.cancel_pages(incident.id, staff=staff)
        await self.outbox.add_step(
            incident.id, incident.facility, policy.reminder(facility.escalation), now
        )
        self.wake()

    async def declined(self, record: PageRecord, now: float) -> None:
        """Everyone paged in that step said no: move on to the next step now."""
        pages = await self.pages.pages_of(record.incident_id)
        same_step = [p for p in pages if p.seq == record.seq]
        if all(p.status in ("declined", "failed", "cancelled") for p in same_step):
            await self.outbox.pull_forward(record.incident_id, now)
            self.wake()

    async def resolved(self, incident: Incident) -> None:
        await self.outbox.cancel_steps(incident.id, ["escalation", policy.REMINDER, "request"])
        await self.pages.cancel_pages(incident.id)
        self.wake()

    async def request_emergency(self, incident: Incident, staff: str, now: float) -> None:
        await self.outbox.add_step(
            incident.id, incident.facility, policy.emergency_request(), now, actor=staff
        )
        self.wake()
