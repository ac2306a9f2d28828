"""The gateway's broker connections on a real Mosquitto: persistent session, reconnect."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from gateway.mqtt import MqttBus
from shouhu.broker import find_mosquitto, free_port, mosquitto_config
from shouhu.errors import TransientError
from tests.conftest import _wait_port, eventually
from tests.plain_mqtt import PlainClient

pytestmark = pytest.mark.mqtt

TOPIC = "shouhu/v1/bus-test/devices/+/telemetry"


@contextlib.asynccontextmanager
async def serving(bus: MqttBus, received: list[tuple[str, bytes]]) -> AsyncIterator[None]:
    async def handle(topic: str, payload: bytes) -> None:
        received.append((topic, payload))

    task = asyncio.create_task(bus.run(handle))
    try:
        await asyncio.wait_for(bus.connected.wait(), 10)
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def publish(url: str, count: int, *, start: int = 0) -> None:
    client = PlainClient(url)
    try:
        for i in range(start, start + count):
            client.publish(f"shouhu/v1/bus-test/devices/d{i % 7}/telemetry", b"%d" % i)
    finally:
        client.close()


async def test_messages_sent_while_shouhu_is_down_arrive_when_it_returns(mqtt_url: str) -> None:
    client_id = f"bus-{uuid.uuid4().hex[:8]}"
    received: list[tuple[str, bytes]] = []
    async with serving(MqttBus(mqtt_url, client_id=client_id, subscriptions=[TOPIC]), received):
        await asyncio.to_thread(publish, mqtt_url, 5)
        await eventually(lambda: len(received) == 5)
    await asyncio.to_thread(publish, mqtt_url, 200, start=5)  # nobody connected now
    async with serving(MqttBus(mqtt_url, client_id=client_id, subscriptions=[TOPIC]), received):
        await eventually(lambda: len(received) == 205)
    assert [int(p) for _, p in received] == list(range(205))  # all of them, in order


class OwnBroker:
    """A Mosquitto this test may stop and restart on the same port."""

    def __init__(self, tmp_path: Path) -> None:
        mosquitto = find_mosquitto()
        if mosquitto is None:
            pytest.fail("this test needs Mosquitto (apt-get install mosquitto)")
        self.port = free_port()
        self.url = f"mqtt://127.0.0.1:{self.port}"
        self.conf = tmp_path / "mosquitto.conf"
        self.conf.write_text(mosquitto_config(self.port, persistence_dir=tmp_path))
        self.cmd = [mosquitto, "-c", str(self.conf)]
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(self.cmd, stderr=subprocess.PIPE)
        _wait_port(self.port, self.proc, "mosquitto")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        if self.proc is not None and self.proc.stderr is not None:
            self.proc.stderr.close()


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[OwnBroker]:
    broker = OwnBroker(tmp_path)
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


async def test_the_bus_reconnects_after_the_broker_restarts(own_broker: OwnBroker) -> None:
    bus = MqttBus(own_broker.url, client_id=f"bus-{uuid.uuid4().hex[:8]}", subscriptions=[TOPIC])
    received: list[tuple[str, bytes]] = []
    async with serving(bus, received):
        own_broker.stop()
        await eventually(lambda: not bus.connected.is_set(), timeout=10)
        with pytest.raises(TransientError, match="not connected"):
            await bus.publish("shouhu/v1/bus-test/deadletter", b"{}")
        await asyncio.to_thread(own_broker.start)
        await eventually(bus.connected.is_set, timeout=20)
        await asyncio.to_thread(publish, own_broker.url, 3)
        await eventually(lambda: len(received) == 3)
        await bus.publish("shouhu/v1/bus-test/deadletter", b"{}")  # egress is back too
        assert bus.reconnects >= 2  # ingest and egress each came back


async def test_a_message_whose_handling_fails_does_not_stop_the_stream(mqtt_url: str) -> None:
    handled: list[bytes] = []

    async def handle(_topic: str, payload: bytes) -> None:
        if payload == b"1":
            raise RuntimeError("a bug in a detector")
        handled.append(payload)

    bus = MqttBus(mqtt_url, client_id=f"bus-{uuid.uuid4().hex[:8]}", subscriptions=[TOPIC])
    task = asyncio.create_task(bus.run(handle))
    try:
        await asyncio.wait_for(bus.connected.wait(), 10)
        await asyncio.to_thread(publish, mqtt_url, 3)
        await eventually(lambda: len(handled) == 2)
        assert handled == [b"0", b"2"] and bus.handler_errors == 1
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
