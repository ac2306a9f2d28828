"""What people do with an incident: handheld replies, accept, arrive, call emergency
services, resolve; and the handover sheet. Mixed into ``Responder``.
"""

from __future__ import annotations

import logging
from typing import Any

from alerting.emergency import dispatch_facts
from alerting.escalation import Escalator
from alerting.handover import handover_html
from alerting.incidents import Incident, Outcome, State, TimelineEvent
from alerting.store import IncidentStore
from shouhu.clock import Clock
from shouhu.errors import ShouhuError
from shouhu.facility import Facility

log = logging.getLogger(__name__)


class IncidentNotFound(ShouhuError):
    pass


class InvalidTransition(ShouhuError):
    pass


class IncidentActions:
    """Needs the responder's store, escalator, clock, facilities and open-incident index."""

    store: IncidentStore
    escalator: Escalator
    clock: Clock
    facilities: dict[str, Facility]
    _open: dict[tuple[str, str], set[str]]

    def _notify(self, incident: Incident) -> None:
        raise NotImplementedError

    async def flush_vitals(self) -> None:
        raise NotImplementedError

    def _count_reply(self, *, matched: bool) -> None:
        raise NotImplementedError

    async def on_reply(self, facility: str, staff: str, page_id: str, status: str) -> None:
        """A handheld's reply to a page: received, accepted, declined, arrived or emergency."""
        await self.escalator.settle(page_id)  # "paged" is recorded before the reply to it
        page = await self.escalator.pages.page(page_id)
        self._count_reply(matched=page is not None)
        if page is None or page.facility != facility or page.staff != staff:
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
        if status == "arrived":
            await self.arrive(incident.id, staff, channel="mqtt")
            return
        if status == "emergency":
            await self.request_emergency(
                incident.id, staff, note="from the handheld", channel="mqtt"
            )
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
        await self.escalator.run_due(now)  # the request is on the timeline when we answer
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

    async def handover(self, incident_id: str, language: str | None = None) -> str:
        """The printable handover sheet (HTML) for the ambulance crew, in ``language``
        (the facility's unless given)."""
        incident = await self.store.get(incident_id)
        if incident is None or incident.facility not in self.facilities:
            raise IncidentNotFound(incident_id)
        facility = self.facilities[incident.facility]
        await self.flush_vitals()
        vitals = await self.store.vitals_of(incident_id)
        latest: dict[str, Any] = {}
        for row in vitals:
            latest.update(row)
        facts = dispatch_facts(facility, incident, latest, language=language or facility.language)
        return handover_html(facts, facility, incident.timeline, vitals)

    async def _open_incident(self, incident_id: str) -> Incident:
        incident = await self.store.get(incident_id)
        if incident is None:
            raise IncidentNotFound(incident_id)
        if not incident.is_open:
            raise InvalidTransition(f"incident {incident_id} is already resolved")
        return incident
