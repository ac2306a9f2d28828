"""Publish simulated messages to a broker, in real time or as fast as it takes them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable

from gateway.mqtt import MqttClient
from simulator.stream import Message


async def publish_all(client: MqttClient, messages: Iterable[Message]) -> int:
    count = 0
    for message in messages:
        await client.publish(message.topic, message.payload, qos=message.qos, retain=message.retain)
        count += 1
    return count


async def sleep_until(wall: float) -> None:
    delay = wall - time.time()
    if delay > 0:
        await asyncio.sleep(delay)
