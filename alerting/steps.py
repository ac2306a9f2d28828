"""What a due step becomes: the pages, the timeline events and any follow-up step.

The escalator asks; these functions read who was paged before (the page
outbox) and who is on duty (``duty``), and write nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from alerting import duty, policy
from alerting.incidents import Incident, PlannedStep, TimelineEvent
from alerting.outbox import NewPage, Outbox, Step
from alerting.page_outbox import PageOutbox
from alerting.paging import EMERGENCY_SERVICES
from shouhu.facility import Facility

LIVE_OR_REFUSED = ("pending", "sending", "sent", "declined")


@dataclass
class StepPlan:
    pages: list[NewPage] = field(default_factory=list)
    events: list[TimelineEvent] = field(default_factory=list)
    follow_up: tuple[PlannedStep, float] | None = None
    escalate_now: bool = False


class StepPlanner:
    def __init__(self, outbox: Outbox, pages: PageOutbox) -> None:
        self.outbox = outbox
        self.pages = pages

    async def staff_plan(
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
            plan.events.append(self.step_event(incident, step, now, recipients=people))
        if not people and step.kind != policy.REMINDER:
            plan.events.append(_event(now, "nobody_to_page", step, target=step.target))
            plan.escalate_now = True
        return plan

    async def emergency_plan(
        self, facility: Facility, incident: Incident, step: Step, now: float
    ) -> StepPlan:
        plan = StepPlan()
        ems = facility.emergency_services
        request = self.step_event(incident, step, now, recipients=[EMERGENCY_SERVICES])
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

    async def reminder_after_ladder(
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

    def step_event(
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


def _ids(facility: Facility, now: float) -> list[str]:
    return [s.id for s in duty.for_target(facility, "all_nurses", None, now)]


def _event(now: float, kind: str, step: Step, **detail: Any) -> TimelineEvent:
    return TimelineEvent(ts=now, type=kind, actor="system", detail={"step": step.seq, **detail})
