"""The composition root: wires gateway, alert core, responder, store and API.

Data flows one way: MQTT message -> ``decode`` (validate, map device to
resident) -> the facility's ``AlertCore`` -> ``Responder`` (durable incident,
then pages). The API reads and acts through the responder and the store.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any

from alerting.channels.mqtt import MqttChannel
from alerting.core import AlertCore, vitals_of
from alerting.paging import Channel
from alerting.responder import Responder
from alerting.store import IncidentStore
from gateway import protocol
from gateway.ingest import StaffReply, dead_letter, decode
from gateway.mqtt import MqttBus
from gateway.registry import DeviceRegistry
from shouhu.clock import Clock
from shouhu.domain import Reading
from shouhu.errors import ConfigError, RejectedMessage, ShouhuError
from shouhu.facility import Facility

log = logging.getLogger(__name__)

TICK_SECONDS = 0.25


@dataclass
class GatewayCounters:
    messages: int = 0
    rejected: int = 0
    reasons: Counter[str] = field(default_factory=Counter)


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
        self.responder = Responder(
            store=store,
            facilities=self.facilities,
            cores=self.cores,
            channel=channel or MqttChannel(self.bus.publish),
            clock=clock,
            publish=self.bus.publish,
        )
        self.counters = GatewayCounters()
        self._tasks: list[asyncio.Task[None]] = []
        self._background: set[asyncio.Task[None]] = set()
        self.started_at = clock.now()

    # -- lifecycle -------------------------------------------------------------

    async def start(self) -> None:
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

    async def _housekeeping(self) -> None:
        """Tick the wall clock's timers; store vitals snapshots on either clock."""
        while True:
            await asyncio.sleep(TICK_SECONDS)
            if not self.clock.follows_events:
                self.tick()
            try:
                await self.responder.flush_vitals()
            except Exception:
                log.exception("could not store vitals snapshots; will retry")
