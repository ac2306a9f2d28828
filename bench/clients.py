"""How fast can one Python subscriber take QoS 1 messages? aiomqtt, paho and gmqtt.

The one place outside ``gateway/mqtt/`` that imports MQTT client
libraries: it measures the libraries themselves, so the choice behind the
gateway's seam rests on figures taken on this machine, in the same run as
the rest of the bench.

Method: a persistent session subscribes (QoS 1) and disconnects; ``messages``
QoS 1 messages are queued for it at the broker; then the library under test
resumes the session and receives them as fast as it can, acknowledging each.
The rate is received messages over the time from the first to the last.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
import uuid

import aiomqtt
import gmqtt
import paho.mqtt.client as paho
from gmqtt.mqtt.constants import MQTTv311
from paho.mqtt.enums import CallbackAPIVersion

from bench.report import ClientRate, cpu_pressure, load_average
from gateway.mqtt import FastPublisher, parse_url
from shouhu.errors import TransientError

LIBRARIES = ("aiomqtt", "paho", "gmqtt")
PAYLOAD = b'{"ts":1767225600.123,"seq":1,"hr":71.5,"spo2":96.1,"worn":true}'


async def measure_clients(url: str, *, messages: int, within: float = 60.0) -> list[ClientRate]:
    return [await measure_client(lib, url, messages=messages, within=within) for lib in LIBRARIES]


async def measure_client(library: str, url: str, *, messages: int, within: float) -> ClientRate:
    session = f"shouhu-bench-{library}-{uuid.uuid4().hex[:8]}"
    topic = f"shouhu-bench/{session}"
    await asyncio.to_thread(_open_session, url, session, topic)
    await _queue_messages(url, topic, messages)
    receive = {"aiomqtt": _aiomqtt, "paho": _paho, "gmqtt": _gmqtt}[library]
    received, seconds = await receive(url, session, messages, within)
    rate = received / seconds if seconds > 0 else 0.0
    return ClientRate(library, messages, received, rate, load_average(), cpu_pressure())


def _open_session(url: str, session: str, topic: str) -> None:
    address = parse_url(url)
    client = paho.Client(CallbackAPIVersion.VERSION2, client_id=session, clean_session=False)
    subscribed = threading.Event()
    client.on_subscribe = lambda *_: subscribed.set()
    client.connect(address.host, address.port)
    client.loop_start()
    try:
        client.subscribe(f"{topic}/#", qos=1)
        if not subscribed.wait(10):
            raise TransientError(f"no SUBACK from {address.host}:{address.port}")
    finally:
        client.disconnect()
        client.loop_stop()


async def _queue_messages(url: str, topic: str, messages: int) -> None:
    publisher = FastPublisher(url)
    await asyncio.to_thread(publisher.connect)
    try:
        for i in range(messages):
            publisher.publish(f"{topic}/{i % 100}", PAYLOAD, qos=1)
            if i % 1000 == 999:
                await asyncio.sleep(0)
        if not await publisher.drain(within=60):
            raise TransientError(f"the broker acknowledged {publisher.acked} of {messages}")
    finally:
        await asyncio.to_thread(publisher.close)


class _Span:
    """Counts messages and times the first to the last."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.count = 0
        self.first = self.last = 0.0

    def hit(self) -> bool:
        self.last = time.perf_counter()
        if self.count == 0:
            self.first = self.last
        self.count += 1
        return self.count >= self.expected

    @property
    def result(self) -> tuple[int, float]:
        return self.count, self.last - self.first


async def _aiomqtt(url: str, session: str, expected: int, within: float) -> tuple[int, float]:
    address = parse_url(url)
    span = _Span(expected)

    async def receive() -> None:
        async with aiomqtt.Client(
            address.host, address.port, identifier=session, clean_session=False
        ) as client:
            async for _ in client.messages:
                if span.hit():
                    return

    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(receive(), within)
    return span.result


async def _paho(url: str, session: str, expected: int, within: float) -> tuple[int, float]:
    address = parse_url(url)
    span = _Span(expected)
    done = threading.Event()
    client = paho.Client(CallbackAPIVersion.VERSION2, client_id=session, clean_session=False)
    client.on_message = lambda *_: done.set() if span.hit() else None
    client.connect(address.host, address.port)
    client.loop_start()
    try:
        await asyncio.to_thread(done.wait, within)
    finally:
        client.disconnect()
        client.loop_stop()
    return span.result


async def _gmqtt(url: str, session: str, expected: int, within: float) -> tuple[int, float]:
    address = parse_url(url)
    span = _Span(expected)
    done = asyncio.Event()

    def on_message(*_args: object) -> int:
        if span.hit():
            done.set()
        return 0  # PUBACK

    client = gmqtt.Client(session, clean_session=False)
    client.on_message = on_message
    await client.connect(address.host, address.port, version=MQTTv311)
    try:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), within)
    finally:
        await client.disconnect()
    return span.result
