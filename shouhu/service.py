"""The composition root: wires gateway, alert core, responder, store and API.

Data flows one way: MQTT message -> ``decode`` (validate, map device to
resident) -> the facility's ``AlertCore`` -> ``Responder`` (durable incident,
then pages). The API reads and acts through the responder and the store.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any

from alerting.channels import Channels
from alerting.channels.mqtt import MqttChannel
from alerting.core import AlertCore, vitals_of
from alerting.escalation import Escalator
from alerting.paging import Channel
from alerting.responder import Responder
from alerting.roster import Roster
from alerting.store import IncidentStore
from alerting.watchdog import Watchdog
from gateway import protocol
from gateway.ingest import StaffReply, dead_letter, decode
from gateway.mqtt import MqttBus
from gateway.registry import DeviceRegistry
from shouhu.clock import Clock
from shouhu.domain import Alert, AlertKind, Reading
from shouhu.errors import ConfigError, RejectedMessage, ShouhuError
from shouhu.facility import Facility

log = logging.getLogger(__name__)

TICK_SECONDS = 0.25
WATCHDOG_EVERY = 20  # housekeeping rounds: every 5 s


@dataclass
class GatewayCounters:
    messages: int = 0
    rejected: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    lag_s: float = 0.0  # wall-clock receive time minus the newest message's ts
    lag_peak_s: float = 0.0  # the largest lag in this and the previous wall-clock second
    _second: int = 0
    _peak_now: float = 0.0
    _peak_before: float = 0.0

    def observe_lag(self, lag: float, wall: float) -> None:
        """Track how far behind the devices' clocks the gateway is (load, backlog)."""
        self.lag_s = lag
        second = int(wall)
        if second != self._second:
            self._peak_before = self._peak_now if second == self._second + 1 else 0.0
            self._second, self._peak_now = second, lag
        elif lag > self._peak_now:
            self._peak_now = lag
        self.lag_peak_s = max(self._peak_now, self._peak_before)


class Service:
    """One Shouhu process serving one or more facilities, kept strictly apart."""

    def __init__(
        self,
        *,
        facilities: Sequence[Facility],
        mqtt_url: str,
        store: IncidentStore,
        clock: Clock,
        client_id: str = "shouhu-core",
        channel: Channel | None = None,
    ) -> None:
        ids = [f.id for f in facilities]
        if len(set(ids)) != len(ids):
            raise ConfigError(f"facility ids must be unique across files, got {ids}")
        self.facilities = {f.id: f for f in facilities}
        self.clock = clock
        self.store = store
        self.registry = DeviceRegistry(facilities)
        self.cores = {f.id: AlertCore(f) for f in facilities}
        subscriptions = [t for f in facilities for t in protocol.subscriptions(f.id)]
        self.bus = MqttBus(mqtt_url, client_id=client_id, subscriptions=subscriptions)
        mqtt = channel or MqttChannel(self.bus.publish, connected=self.bus.connected)
        self.channels = Channels(mqtt=mqtt)
        for f in facilities:
            self.channels.validate(f)
        self.escalator = Escalator(
            store=store,
            facilities=self.facilities,
            channels=self.channels,
            clock=clock,
            vitals=self._latest_vitals,
            raise_alarm=self._raise_alarm,
        )
        self.responder = Responder(
            store=store,
            facilities=self.facilities,
            cores=self.cores,
            escalator=self.escalator,
            clock=clock,
            publish=self.bus.publish,
        )
        self.roster = Roster(store.engine, self.facilities, self.channels)
        self.watchdog = Watchdog(self.escalator.outbox, list(self.facilities), self._raise_alarm)
        self.counters = GatewayCounters()
        self._tasks: list[asyncio.Task[None]] = []
        self._background: set[asyncio.Task[None]] = set()
        self.started_at = clock.now()

    # -- lifecycle -------------------------------------------------------------

    async def start(self) -> None:
        await self.roster.load()
        await self.responder.restore()
        self._tasks = [
            asyncio.create_task(self.bus.run(self.handle_message), name="mqtt"),
            asyncio.create_task(self.responder.run(), name="responder"),
        ]
        self._tasks.append(asyncio.create_task(self._housekeeping(), name="housekeeping"))

    async def wait_connected(self, within: float = 10.0) -> None:
        await asyncio.wait_for(self.bus.connected.wait(), within)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        await asyncio.gather(*self._background, return_exceptions=True)  # escalation ticks
        await self.escalator.drain()
        await self.responder.flush_vitals()

    # -- the hot path --------------------------------------------------------------

    async def handle_message(self, topic: str, payload: bytes) -> None:
        self.counters.messages += 1
        try:
            inbound = decode(topic, payload, self.registry, received=self.clock.now())
        except RejectedMessage as exc:
            self._reject(topic, payload, exc.reason)
            return
        if inbound.facility not in self.facilities:
            self._reject(topic, payload, f"facility {inbound.facility!r} is not served here")
            return
        wall = time.time()
        self.counters.observe_lag(wall - inbound.ts, wall)
        moved = self.clock.observe(inbound.ts)
        if isinstance(inbound, StaffReply):
            await self.responder.on_reply(
                inbound.facility, inbound.staff, inbound.page_id, inbound.status
            )
        else:
            core = self.cores[inbound.facility]
            for alert in core.observe(inbound):
                self.responder.submit(alert)
            if isinstance(inbound, Reading):
                self.responder.record(inbound, vitals_of(inbound))
        if moved:
            self.tick()

    def _reject(self, topic: str, payload: bytes, reason: str) -> None:
        self.counters.rejected += 1
        self.counters.reasons[reason.split(":")[0][:60]] += 1
        log.warning("dead-lettered message on %s: %s", topic, reason)
        parsed = protocol.parse_topic(topic)
        facility = parsed.facility if parsed else "unknown"
        if facility not in self.facilities:
            facility = next(iter(self.facilities))
        self._spawn(
            self._publish_quietly(
                protocol.deadletter_topic(facility),
                dead_letter(topic, payload, reason, now=self.clock.now()),
            )
        )

    async def _publish_quietly(self, topic: str, payload: bytes) -> None:
        try:
            await self.bus.publish(topic, payload, qos=0)
        except ShouhuError as exc:
            log.warning("could not publish to %s: %s", topic, exc)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # -- time ------------------------------------------------------------------------

    def tick(self) -> None:
        now = self.clock.now()
        for core in self.cores.values():
            for alert in core.tick(now):
                self.responder.submit(alert)
        if self.escalator.due(now):
            self._spawn(self.escalator.tick(now))

    async def paging_health(self) -> dict[str, Any]:
        """Paging failures and overdue escalation steps, for /healthz and dashboards."""
        failures = await self.store.find(
            facilities=list(self.facilities), open_only=True, kind=AlertKind.PAGING_FAILURE.value
        )
        counters = self.escalator.dispatcher.counters
        return {
            "open_failures": [
                {"incident_id": i.id, "facility": i.facility, "evidence": i.evidence}
                for i in failures
            ],
            "failures_total": self.escalator.counters.paging_failures,
            "escalation_overdue": len(self.watchdog.overdue),
            "last_escalation_tick": self.escalator.counters.last_tick,
            "attempts": counters.attempts,
            "retries": counters.retries,
            "fallbacks": counters.fallbacks,
        }

    def _latest_vitals(self, facility: str, resident: str | None) -> dict[str, Any]:
        core = self.cores.get(facility)
        return core.latest(resident) if core is not None else {}

    def _raise_alarm(self, alert: Alert) -> None:
        """A technical alarm (paging failure, overdue step) becomes an incident like any other."""
        self.responder.submit(alert)

    async def _housekeeping(self) -> None:
        """Tick timers; run the watchdog; store vitals snapshots (on either clock)."""
        rounds = 0
        while True:
            await asyncio.sleep(TICK_SECONDS)
            rounds += 1
            if not self.clock.follows_events:
                self.tick()
            try:
                await self.escalator.tick(self.clock.now())
                if rounds % WATCHDOG_EVERY == 0:
                    await self.watchdog.check(self.clock.now())
                await self.responder.flush_vitals()
            except Exception:
                log.exception("housekeeping failed; will retry")
