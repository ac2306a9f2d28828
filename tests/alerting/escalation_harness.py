"""A responder and escalator on a real database, with channels that record what they send.

For pipeline tests only: the real channels are tested against real servers
in tests/alerting/test_channels.py and tests/test_restart.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from alerting.channels import Channels
from alerting.core import AlertCore, vitals_of
from alerting.escalation import Escalator
from alerting.incidents import Incident
from alerting.paging import Delivery, Page
from alerting.responder import Responder
from alerting.store import IncidentStore
from shouhu.clock import ManualClock
from shouhu.domain import Alert, AlertKind, Priority, Reading
from shouhu.facility import Facility

F = "demo-home"
# Monday 2026-11-30 02:13 in Asia/Shanghai: the night shift is on.
NIGHT = dt.datetime(2026, 11, 30, 2, 13, tzinfo=dt.timezone(dt.timedelta(hours=8))).timestamp()


@dataclass
class Recorder:
    """A channel that records pages; ``fail`` makes it answer like a broken provider."""

    name: str = "mqtt"
    awaits_receipt: bool = True
    sent: list[Page] = field(default_factory=list)
    fail: Delivery | None = None

    async def send(self, page: Page) -> Delivery:
        if self.fail is not None:
            return self.fail
        self.sent.append(page)
        return Delivery(ok=True)

    def to(self, staff: str) -> list[Page]:
        return [p for p in self.sent if p.staff == staff]


@dataclass
class Harness:
    store: IncidentStore
    facility: Facility
    clock: ManualClock
    responder: Responder
    escalator: Escalator
    handheld: Recorder
    alarms: list[Alert]
    core: AlertCore

    def reading(self, offset: float, device: str = "wb-007", **vitals: float) -> None:
        """A reading reaches the core and the responder, as the service hands it on."""
        resident = self.facility.device(device).resident  # type: ignore[union-attr]
        reading = Reading(F, device, resident, NIGHT + offset, **vitals)  # type: ignore[arg-type]
        self.core.observe(reading)
        self.responder.record(reading, vitals_of(reading))

    async def alert(self, kind: AlertKind = AlertKind.SOS, **fields: object) -> Incident:
        values: dict[str, object] = {
            "facility": F,
            "resident": "r-007",
            "kind": kind,
            "priority": Priority.HIGH,
            "ts": self.clock.now(),
            "evidence": "button pressed",
        }
        values.update(fields)
        await self.responder.handle(Alert(**values))  # type: ignore[arg-type]
        await self.escalator.drain()
        found = await self.store.find(facilities=[F], open_only=True, kind=kind.value)
        return found[0]

    async def at(self, offset: float) -> None:
        """Move the clock to NIGHT + offset and run what is due."""
        self.clock.set(NIGHT + offset)
        await self.escalator.tick(self.clock.now())
        await self.escalator.drain()
        await self.escalator.tick(self.clock.now())
        await self.escalator.drain()

    async def receive_all(self) -> None:
        """Every handheld confirms the pages it got (as real handhelds do)."""
        for page in self.handheld.sent:
            record = await self.escalator.pages.page(page.page_id)
            if record is not None and record.status == "sent":
                await self.responder.on_reply(F, page.staff, page.page_id, "received")

    async def timeline(self, incident_id: str) -> list[tuple[float, str, str]]:
        incident = await self.store.get(incident_id)
        assert incident is not None
        return [(round(e.ts - NIGHT, 1), e.type, e.actor) for e in incident.timeline]


@asynccontextmanager
async def harness(
    db_url: str, facility: Facility, *, handheld: bool = True, webhook_timeout: float = 5.0
) -> AsyncIterator[Harness]:
    store = await IncidentStore.connect(db_url)
    clock = ManualClock(NIGHT)
    recorder = Recorder()
    channels = Channels(mqtt=recorder if handheld else None, webhook_timeout=webhook_timeout)
    alarms: list[Alert] = []
    facilities = {facility.id: facility}
    core = AlertCore(facility)
    escalator = Escalator(
        store=store,
        facilities=facilities,
        channels=channels,
        clock=clock,
        vitals=lambda _f, r: core.latest(r),
        raise_alarm=alarms.append,
    )
    responder = Responder(
        store=store,
        facilities=facilities,
        cores={facility.id: core},
        escalator=escalator,
        clock=clock,
    )
    try:
        await responder.restore()
        yield Harness(store, facility, clock, responder, escalator, recorder, alarms, core)
    finally:
        await escalator.drain()
        await store.close()
