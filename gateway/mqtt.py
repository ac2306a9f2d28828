"""The MQTT seam. The only module that imports an MQTT client library.

Why aiomqtt: on this machine a bare Python subscriber receives about 18k
(aiomqtt), 25k (paho) and 54k (gmqtt) QoS 1 messages/s. Shouhu's own work per
message (validation, detectors) costs more than the client does, so the
client is not the limit at the rates a facility produces (a 24-bed home
sends ~50 messages/s; the benchmark drives 5,000/s). aiomqtt is the
maintained asyncio client on top of paho, with the persistent-session and
TLS support the security work needs; gmqtt can replace it behind this module
alone if one process must ever ingest more (docs/performance.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import ssl
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import aiomqtt
import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

from shouhu.errors import ConfigError, TransientError

log = logging.getLogger(__name__)

Handler = Callable[[str, bytes], Awaitable[None]]

# Send each packet at once. Without this, Nagle's algorithm holds a page back
# until the broker acknowledges the previous packet, which the broker's
# delayed ACK postpones by up to 40 ms: an SOS took ~80 ms to page instead of ~5.
NO_DELAY = ((socket.IPPROTO_TCP, socket.TCP_NODELAY, 1),)


@dataclass(frozen=True, slots=True)
class BrokerAddress:
    host: str
    port: int
    tls: bool = False
    username: str | None = None
    password: str | None = None


def parse_url(url: str) -> BrokerAddress:
    """``mqtt://[user:pass@]host[:port]`` or ``mqtts://`` for TLS."""
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "mqtts", "tcp", "ssl") or not parts.hostname:
        raise ConfigError(f"MQTT URL {url!r}: expected mqtt://host:port or mqtts://host:port")
    tls = parts.scheme in ("mqtts", "ssl")
    return BrokerAddress(
        host=parts.hostname,
        port=parts.port or (8883 if tls else 1883),
        tls=tls,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


class MqttBus:
    """One broker connection: subscribe and hand messages on, publish, reconnect.

    ``run`` owns the connection for the life of the service: it connects,
    subscribes with QoS 1 on a persistent session (so messages published
    while Shouhu restarts are delivered when it returns), and reconnects with
    capped exponential backoff. ``publish`` raises TransientError while the
    connection is down; callers decide whether to retry.
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
        self._client: aiomqtt.Client | None = None
        self.connected = asyncio.Event()
        self.reconnects = 0

    def _make_client(self) -> aiomqtt.Client:
        tls = ssl.create_default_context() if self.address.tls else None
        return aiomqtt.Client(
            self.address.host,
            self.address.port,
            identifier=self.client_id,
            username=self.address.username,
            password=self.address.password,
            clean_session=not self.persistent,
            tls_context=tls,
            keepalive=30,
            max_inflight_messages=1000,
            max_queued_outgoing_messages=100_000,
            socket_options=NO_DELAY,
        )

    async def run(self, handler: Handler) -> None:
        backoff = 0.2
        while True:
            try:
                async with self._make_client() as client:
                    self._client = client
                    for topic in self.subscriptions:
                        await client.subscribe(topic, qos=1)
                    self.connected.set()
                    backoff = 0.2
                    log.info(
                        "connected to MQTT %s:%d as %s",
                        self.address.host,
                        self.address.port,
                        self.client_id,
                    )
                    async for message in client.messages:
                        payload = message.payload
                        if not isinstance(payload, bytes | bytearray):
                            payload = str(payload).encode() if payload is not None else b""
                        await handler(message.topic.value, bytes(payload))
            except aiomqtt.MqttError as exc:
                self.connected.clear()
                self._client = None
                self.reconnects += 1
                log.warning("MQTT connection lost (%s); reconnecting in %.1f s", exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 10.0)
            finally:
                self.connected.clear()
                self._client = None

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


class MqttClient:
    """A short-lived client for tools (simulator, bench, tests): connect, publish, listen."""

    def __init__(self, url: str, *, client_id: str | None = None) -> None:
        self.address = parse_url(url)
        self._client = aiomqtt.Client(
            self.address.host,
            self.address.port,
            identifier=client_id or f"shouhu-tool-{uuid.uuid4().hex[:8]}",
            username=self.address.username,
            password=self.address.password,
            tls_context=ssl.create_default_context() if self.address.tls else None,
            max_inflight_messages=1000,
            max_queued_outgoing_messages=1_000_000,
            socket_options=NO_DELAY,
        )
        self._pump: asyncio.Task[None] | None = None

    async def __aenter__(self) -> MqttClient:
        try:
            await self._client.__aenter__()
        except aiomqtt.MqttError as exc:
            raise TransientError(
                f"cannot connect to MQTT {self.address.host}:{self.address.port}: {exc}"
            ) from exc
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._pump is not None:
            self._pump.cancel()
        with contextlib.suppress(aiomqtt.MqttError):
            await self._client.__aexit__(*exc_info)  # type: ignore[arg-type]

    async def publish(
        self, topic: str, payload: bytes, *, qos: int = 0, retain: bool = False
    ) -> None:
        await self._client.publish(topic, payload, qos=qos, retain=retain)

    async def subscribe(self, topic: str, *, qos: int = 1) -> None:
        await self._client.subscribe(topic, qos=qos)

    async def messages(self) -> asyncio.Queue[tuple[str, bytes]]:
        """A queue that fills with (topic, payload) as messages arrive."""
        queue: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue()

        async def pump() -> None:
            try:
                async for message in self._client.messages:
                    payload = message.payload
                    data = bytes(payload) if isinstance(payload, bytes | bytearray) else b""
                    queue.put_nowait((message.topic.value, data))
            except aiomqtt.MqttError:
                return  # disconnected: the tool is closing

        self._pump = asyncio.create_task(pump())
        return queue


class FastPublisher:
    """Publishing at thousands of messages/s from one process (the simulator's load mode).

    aiomqtt awaits every QoS 1 publish until its PUBACK; at load-test rates
    that round trip, not the broker, sets the pace. This class hands each
    message to paho's network thread and counts acknowledgements as they
    arrive (for QoS 0: as they leave the socket), so thousands can be in
    flight. ``publish`` never blocks; ``drain`` waits for the acknowledgements.
    """

    def __init__(self, url: str, *, client_id: str | None = None, max_inflight: int = 1000) -> None:
        self.address = parse_url(url)
        self.submitted = 0  # publishes the client accepted
        self.refused = 0  # publishes the client refused (not connected, queue full)
        self.acked = 0  # written out (QoS 0) or acknowledged by the broker (QoS 1)
        self.disconnects = 0  # lost connections (not counting ``close``)
        self._closing = False
        self._connected = threading.Event()
        self._client = paho.Client(
            CallbackAPIVersion.VERSION2,
            client_id=client_id or f"shouhu-load-{uuid.uuid4().hex[:8]}",
        )
        if self.address.username is not None:
            self._client.username_pw_set(self.address.username, self.address.password)
        if self.address.tls:
            self._client.tls_set_context(ssl.create_default_context())
        self._client.max_inflight_messages_set(max_inflight)
        self._client.max_queued_messages_set(0)  # unbounded; the caller paces itself
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_publish = self._on_publish

    def _on_connect(self, _c: object, _u: object, _f: object, reason: object, _p: object) -> None:
        if not getattr(reason, "is_failure", False):
            self._connected.set()

    def _on_disconnect(self, *_args: object) -> None:
        self._connected.clear()
        if not self._closing:
            self.disconnects += 1

    def _on_publish(self, *_args: object) -> None:
        self.acked += 1  # only paho's network thread writes this

    def connect(self, *, within: float = 10.0) -> None:
        """Connect and start the network thread, or raise TransientError."""
        try:
            self._client.connect(self.address.host, self.address.port, keepalive=30)
        except OSError as exc:
            raise TransientError(
                f"cannot connect to MQTT {self.address.host}:{self.address.port}: {exc}"
            ) from exc
        self._client.loop_start()
        if not self._connected.wait(within):
            self.close()
            raise TransientError(
                f"MQTT {self.address.host}:{self.address.port} did not accept the connection"
            )

    def publish(self, topic: str, payload: bytes, *, qos: int = 0, retain: bool = False) -> bool:
        """Queue one message; False (and counted in ``refused``) if the client refused it."""
        info = self._client.publish(topic, payload, qos=qos, retain=retain)
        if info.rc != paho.MQTT_ERR_SUCCESS:
            self.refused += 1
            return False
        self.submitted += 1
        return True

    @property
    def pending(self) -> int:
        """Accepted but not yet acknowledged."""
        return self.submitted - self.acked

    async def drain(self, *, within: float = 30.0) -> bool:
        """Wait until every accepted message is acknowledged; False on timeout."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:  # acks are counted on paho's thread: poll
            if self.pending <= 0:
                return True
            await asyncio.sleep(0.01)
        return self.pending <= 0

    def close(self) -> None:
        self._closing = True
        self._client.disconnect()
        self._client.loop_stop()


async def wait_for_broker(url: str, *, within: float = 10.0) -> None:
    """Wait until a broker accepts connections, or raise TransientError."""
    address = parse_url(url)
    deadline = asyncio.get_running_loop().time() + within
    while True:
        try:
            _, writer = await asyncio.open_connection(address.host, address.port)
            writer.close()
            return
        except OSError as exc:
            if asyncio.get_running_loop().time() > deadline:
                raise TransientError(f"no MQTT broker at {address.host}:{address.port}") from exc
            await asyncio.sleep(0.1)
