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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from alerting import duty, policy
from alerting.channels import Channels
from alerting.dispatch import Dispatcher, RetryPolicy
from alerting.emergency import dispatch_facts, dispatch_text
from alerting.incidents import Incident, PlannedStep, State, TimelineEvent
from alerting.outbox import NewPage, Outbox, Step
from alerting.page_outbox import PageOutbox, PageRecord
from alerting.paging import EMERGENCY_SERVICES, Page, page_text
from alerting.store import IncidentStore
from shouhu.clock import Clock
from shouhu.domain import Alert, AlertKind, Priority
from shouhu.facility import Facility

log = logging.getLogger(__name__)

Vitals = Callable[[str, str | None], dict[str, Any]]
RaiseAlarm = Callable[[Alert], None]
LIVE_OR_REFUSED = ("pending", "sending", "sent", "declined")


@dataclass
class StepPlan:
    pages: list[NewPage] = field(default_factory=list)
    events: list[TimelineEvent] = field(default_factory=list)
    follow_up: tuple[PlannedStep, float] | None = None
    escalate_now: bool = False


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
        self.counters = EscalationCounters()
        self._next_due = -math.inf
        self._woken = False
        self._lock = asyncio.Lock()
        self._inflight: dict[str, asyncio.Task[None]] = {}

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
            plan = await self._emergency_plan(facility, incident, step, now)
        else:
            plan = await self._staff_plan(facility, incident, step, now)
        if step.kind == "escalation" and plan.follow_up is None:
            plan.follow_up = await self._reminder_after_ladder(facility, step, now)
        ran = await self.outbox.run_step(
            step, now=now, new_pages=plan.pages, events=plan.events, follow_up=plan.follow_up
        )
        if ran:
            self.counters.steps_run += 1
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

    async def _staff_plan(
        self, facility: Facility, incident: Incident, step: Step, now: float
    ) -> StepPlan:
        plan = StepPlan()
        if step.kind == policy.REMINDER:
            purpose = "reminder"
            people = [incident.accepted_by] if incident.accepted_by else _ids(facility, now)
            plan.follow_up = (policy.reminder(facility.escalation), now)
        else:
            purpose = "escalation"
            earlier = await self.pages.pages_of(incident.id)
            skip = {p.staff for p in earlier if p.status in LIVE_OR_REFUSED}
            found = duty.for_target(facility, step.target, incident.resident, now)
            people = [s.id for s in found if s.id not in skip]
        deadline = now + facility.escalation.page_deadline_s
        plan.pages = [
            NewPage(f"{incident.id}.{step.seq}.{sid}", sid, deadline, purpose) for sid in people
        ]
        if step.kind == policy.REMINDER or step.due_at > incident.opened_at:
            plan.events.append(self._step_event(incident, step, now, recipients=people))
        if not people and step.kind != policy.REMINDER:
            plan.events.append(_event(now, "nobody_to_page", step, target=step.target))
            plan.escalate_now = True
        return plan

    async def _emergency_plan(
        self, facility: Facility, incident: Incident, step: Step, now: float
    ) -> StepPlan:
        plan = StepPlan()
        ems = facility.emergency_services
        request = self._step_event(incident, step, now, recipients=[EMERGENCY_SERVICES])
        request = TimelineEvent(
            ts=now, type="ems_requested", actor=step.actor, detail=request.detail
        )
        request.detail["service"] = ems.name
        earlier = await self.pages.pages_of(incident.id)
        if incident.exercise:
            request.detail.update(drill=True, sent=False)
        elif any(p.staff == EMERGENCY_SERVICES and p.status != "failed" for p in earlier):
            request.detail["already_dispatched"] = True
        elif not ems.channel:
            request.detail["manual"] = f"no channel configured: call {ems.name} by phone"
        else:
            deadline = now + facility.escalation.page_deadline_s
            page_id = f"{incident.id}.{step.seq}.{EMERGENCY_SERVICES}"
            plan.pages.append(NewPage(page_id, EMERGENCY_SERVICES, deadline, "emergency"))
        plan.events.append(request)
        return plan

    async def _reminder_after_ladder(
        self, facility: Facility, step: Step, now: float
    ) -> tuple[PlannedStep, float] | None:
        """After the last rung, nobody has taken it: remind everyone until someone does."""
        rest = [
            s
            for s in await self.outbox.steps_of(step.incident_id)
            if s.status == "pending" and s.seq != step.seq
        ]
        if rest:
            return None
        return (policy.reminder(facility.escalation), now)

    def _step_event(
        self, incident: Incident, step: Step, now: float, *, recipients: list[str]
    ) -> TimelineEvent:
        if step.kind == "request":
            reason = f"requested by {step.actor}"
        elif step.kind == policy.REMINDER:
            reason = "still open"
        elif step.due_at <= incident.opened_at:
            reason = f"immediate for {incident.kind.value}"
        else:
            reason = f"not accepted within {step.due_at - incident.opened_at:.0f} s"
        kind = "reminder" if step.kind == policy.REMINDER else "escalated"
        return _event(now, kind, step, target=step.target, recipients=recipients, reason=reason)

    # -- pages ------------------------------------------------------------------

    async def compose(self, record: PageRecord) -> Page | None:
        incident = await self.store.get(record.incident_id)
        facility = self.facilities.get(record.facility)
        if incident is None or facility is None or not incident.is_open:
            return None
        resident = facility.resident(incident.resident) if incident.resident else None
        vitals = self.vitals(facility.id, incident.resident)
        page = Page(
            page_id=record.page_id,
            incident_id=incident.id,
            facility=facility.id,
            staff=record.staff,
            priority=incident.priority.value,
            kind=incident.kind.value,
            summary=incident.summary,
            ts=record.created_at,
            resident=None
            if resident is None
            else {
                "id": resident.id,
                "name": resident.name,
                "room": resident.room,
                "bed": resident.bed,
            },
            vitals=vitals,
            exercise=incident.exercise,
            purpose=record.purpose,
        )
        if record.staff == EMERGENCY_SERVICES:
            facts = dispatch_facts(facility, incident, vitals)
            return _with(page, body=dispatch_text(facts), dispatch=facts)
        return _with(page, body=page_text(page))

    async def _page_failed(self, record: PageRecord, reason: str) -> None:
        """A page was not delivered: escalate at once and raise a technical alarm."""
        self.counters.paging_failures += 1
        now = self.clock.now()
        await self.outbox.pull_forward(record.incident_id, now)
        self.wake()
        incident = await self.store.get(record.incident_id)
        if incident is None or incident.kind is AlertKind.PAGING_FAILURE:
            return  # never an alarm about the alarm: it joins the open one
        about = f"page to {record.staff} for {incident.summary}"
        self.raise_alarm(
            Alert(
                facility=record.facility,
                resident=None,
                kind=AlertKind.PAGING_FAILURE,
                priority=Priority.HIGH,
                ts=now,
                evidence=f"{about} not delivered: {reason}",
                key="delivery",
                detail={"about": about, "incident_id": incident.id, "page_id": record.page_id},
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


def _ids(facility: Facility, now: float) -> list[str]:
    return [s.id for s in duty.for_target(facility, "all_nurses", None, now)]


def _event(now: float, kind: str, step: Step, **detail: Any) -> TimelineEvent:
    return TimelineEvent(ts=now, type=kind, actor="system", detail={"step": step.seq, **detail})


def _with(page: Page, **changes: Any) -> Page:
    from dataclasses import replace

    return replace(page, **changes)
