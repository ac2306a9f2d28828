"""The service's broker connections: gmqtt for ingest, aiomqtt for egress."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import ssl
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence

import aiomqtt
import gmqtt
from gmqtt.mqtt.constants import MQTTv311
from gmqtt.mqtt.handler import MQTTConnectError

from gateway.mqtt.address import NO_DELAY, parse_url
from shouhu.errors import TransientError

log = logging.getLogger(__name__)

Handler = Callable[[str, bytes], Awaitable[None]]

MIN_BACKOFF_S = 0.2
MAX_BACKOFF_S = 10.0
# Handle messages for at most this long before letting other tasks run: every
# database round trip on the alert path waits for the ingest's turn to end.
TURN_S = 0.002

logging.getLogger("gmqtt").setLevel(logging.WARNING)  # it logs every packet type at INFO


class MqttBus:
    """The service's broker connections: ingest (subscribe) and egress (publish).

    ``run`` owns both for the life of the service. Ingest subscribes with
    QoS 1 on a persistent session under ``client_id`` (so messages published
    while Shouhu restarts are delivered when it returns) and reconnects with
    capped exponential backoff; messages wait in ``backlog`` for the handler,
    which sees them in arrival order. Egress publishes pages, incident states
    and dead letters on its own connection, so a page never queues behind an
    ingest backlog; ``publish`` waits for the broker's acknowledgement (QoS 1)
    and raises TransientError while egress is down.
    """

    def __init__(
        self,
        url: str,
        *,
        client_id: str | None = None,
        subscriptions: Sequence[str] = (),
        persistent: bool = True,
    ) -> None:
        self.address = parse_url(url)
        self.url = url
        self.client_id = client_id or f"shouhu-{uuid.uuid4().hex[:8]}"
        self.subscriptions = list(subscriptions)
        self.persistent = persistent
        self.connected = asyncio.Event()  # both connections up
        self.reconnects = 0
        self.handler_errors = 0  # messages whose handler raised (logged, then skipped)
        self._client: aiomqtt.Client | None = None  # egress
        self._ingest: gmqtt.Client | None = None
        self._ingest_up = False
        self._subscribe_mid: int | None = None
        self._closing = False
        self._inbox: collections.deque[tuple[str, bytes]] = collections.deque()
        self._arrived = asyncio.Event()

    @property
    def backlog(self) -> int:
        """Messages received and not yet handled."""
        return len(self._inbox)

    async def run(self, handler: Handler) -> None:
        consumer = asyncio.create_task(self._consume(handler), name="mqtt-ingest")
        try:
            await self._open_ingest()
            await self._run_egress()
        finally:
            consumer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await consumer
            ingest, self._ingest = self._ingest, None
            self._closing = True
            if ingest is not None:
                with contextlib.suppress(Exception):
                    await ingest.disconnect()
            self.connected.clear()

    # -- ingest: gmqtt, the fastest Python subscriber measured (docs/performance.md) --

    async def _open_ingest(self) -> None:
        """Connect until the broker answers; gmqtt reconnects by itself after that."""
        backoff = MIN_BACKOFF_S
        while True:
            client = gmqtt.Client(self.client_id, clean_session=not self.persistent)
            client.on_connect = self._on_ingest_connect
            client.on_disconnect = self._on_ingest_disconnect
            client.on_subscribe = self._on_ingest_subscribed
            client.on_message = self._on_ingest_message
            if self.address.username is not None:
                client.set_auth_credentials(self.address.username, self.address.password)
            try:
                await client.connect(
                    self.address.host,
                    self.address.port,
                    ssl=ssl.create_default_context() if self.address.tls else False,
                    keepalive=30,
                    version=MQTTv311,
                )
            except (OSError, MQTTConnectError) as exc:
                log.warning("MQTT ingest: cannot connect (%s); retrying in %.1f s", exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_S)
                continue
            client.reconnect_delay = MIN_BACKOFF_S
            self._ingest = client
            return

    def _on_ingest_connect(self, client: gmqtt.Client, *_args: object) -> None:
        client.reconnect_delay = MIN_BACKOFF_S
        log.info(
            "MQTT ingest connected to %s:%d as %s",
            self.address.host,
            self.address.port,
            self.client_id,
        )
        if not self.subscriptions:
            self._on_ingest_subscribed(client, None)
            return
        wanted = [gmqtt.Subscription(topic, qos=1) for topic in self.subscriptions]
        self._subscribe_mid = client.subscribe(wanted)

    def _on_ingest_subscribed(self, _c: object, mid: int | None, *_args: object) -> None:
        if mid == self._subscribe_mid:
            self._ingest_up = True
            self._update_connected()

    def _on_ingest_disconnect(self, client: gmqtt.Client, *_args: object) -> None:
        if self._closing:
            return
        if self._ingest_up:
            self.reconnects += 1
        self._ingest_up = False
        self._update_connected()
        delay = client.reconnect_delay
        client.reconnect_delay = min(delay * 2, MAX_BACKOFF_S)
        log.warning("MQTT ingest connection lost; reconnecting in %.1f s", delay)

    def _on_ingest_message(self, _c: object, topic: str, payload: bytes, *_args: object) -> int:
        self._inbox.append((topic, payload))
        self._arrived.set()
        return 0  # PUBACK: success

    async def _consume(self, handler: Handler) -> None:
        inbox = self._inbox
        turn_ends = time.perf_counter() + TURN_S
        while True:
            if not inbox:
                self._arrived.clear()
                await self._arrived.wait()
                turn_ends = time.perf_counter() + TURN_S
                continue
            topic, payload = inbox.popleft()
            try:
                await handler(topic, bytes(payload))
            except Exception:  # one message's failure must not stop the stream
                self.handler_errors += 1
                log.exception("handling a message on %s failed; carrying on", topic)
            if time.perf_counter() > turn_ends:
                await asyncio.sleep(0)  # let sockets, timers and the alert path run
                turn_ends = time.perf_counter() + TURN_S

    # -- egress: aiomqtt, which awaits each QoS 1 acknowledgement ------------------

    def _make_client(self) -> aiomqtt.Client:
        tls = ssl.create_default_context() if self.address.tls else None
        return aiomqtt.Client(
            self.address.host,
            self.address.port,
            identifier=f"{self.client_id}-out",
            username=self.address.username,
            password=self.address.password,
            tls_context=tls,
            keepalive=30,
            max_inflight_messages=1000,
            max_queued_outgoing_messages=100_000,
            socket_options=NO_DELAY,
        )

    async def _run_egress(self) -> None:
        backoff = MIN_BACKOFF_S
        while True:
            try:
                async with self._make_client() as client:
                    self._client = client
                    self._update_connected()
                    backoff = MIN_BACKOFF_S
                    async for _ in client.messages:  # nothing subscribed: ends on disconnect
                        pass
            except aiomqtt.MqttError as exc:
                if self._client is not None:
                    self.reconnects += 1
                log.warning("MQTT egress: %s; reconnecting in %.1f s", exc, backoff)
            finally:
                self._client = None
                self._update_connected()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_S)

    def _update_connected(self) -> None:
        if self._ingest_up and self._client is not None:
            self.connected.set()
        else:
            self.connected.clear()

    async def publish(
        self, topic: str, payload: bytes, *, qos: int = 1, retain: bool = False
    ) -> None:
        client = self._client
        if client is None:
            raise TransientError(f"MQTT not connected; cannot publish to {topic}")
        try:
            await client.publish(topic, payload, qos=qos, retain=retain)
        except aiomqtt.MqttError as exc:
            raise TransientError(f"MQTT publish to {topic} failed: {exc}") from exc
