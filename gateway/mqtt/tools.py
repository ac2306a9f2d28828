"""A short-lived client for tools: the simulator, the bench's probe, the demo."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import uuid

import aiomqtt

from gateway.mqtt.address import NO_DELAY, parse_url
from shouhu.errors import TransientError


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
