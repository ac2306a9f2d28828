"""Send simulated messages on: to a broker (paced or as fast as it takes them), or to files.

``messages.jsonl`` holds one message a line: ``{"ts": <send time, Unix s>,
"topic": ..., "qos": ..., "retain": ..., "payload": <the JSON payload>}``;
``truth.jsonl`` the ground truth beside it (``simulator.truth``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import orjson

from gateway.mqtt import FastPublisher, MqttClient
from simulator.stream import Message

MAX_PENDING = 20_000  # unacknowledged messages before the publisher waits for the broker
Progress = Callable[[float, "Tally"], None]  # (simulated time reached, tally so far)


@dataclass
class Tally:
    """What was sent, by channel."""

    messages: int = 0
    bytes: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)
    refused: int = 0

    def count(self, message: Message) -> None:
        self.messages += 1
        self.bytes += len(message.payload)
        channel = message.topic.rsplit("/", 1)[-1]
        self.by_channel[channel] = self.by_channel.get(channel, 0) + 1


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


def message_line(message: Message) -> bytes:
    head = orjson.dumps(
        {"ts": message.ts, "topic": message.topic, "qos": message.qos, "retain": message.retain}
    )
    return head[:-1] + b',"payload":' + message.payload + b"}\n"


def read_messages(path: str | Path) -> Iterator[Message]:
    """Messages back from a ``messages.jsonl`` file."""
    with open(path, "rb") as lines:
        for line in lines:
            if line.strip():
                row = orjson.loads(line)
                payload = orjson.dumps(row["payload"])
                yield Message(row["ts"], row["topic"], payload, row["qos"], row["retain"])


async def send(
    messages: Iterable[Message],
    *,
    mqtt_url: str | None,
    out: IO[bytes] | None,
    speed: float | None,
    start: float,
    progress: Progress | None = None,
) -> Tally:
    """Publish and/or write ``messages``; ``speed`` paces them (None: as fast as possible).

    With a speed, a message stamped ``start + s`` leaves ``s / speed`` seconds
    after the first one.
    """
    tally = Tally()
    publisher = FastPublisher(mqtt_url, client_id="shouhu-sim") if mqtt_url else None
    if publisher is not None:
        await asyncio.to_thread(publisher.connect)
    wall0 = time.time()
    next_report = next_pace = start
    try:
        for message in messages:
            if speed is not None and message.ts >= next_pace:
                await sleep_until(wall0 + (message.ts - start) / speed)
                next_pace = message.ts + 0.05 * speed
            if publisher is not None:
                if not publisher.publish(
                    message.topic, message.payload, qos=message.qos, retain=message.retain
                ):
                    tally.refused += 1
                if publisher.pending > MAX_PENDING:  # let the broker catch up
                    await publisher.drain(within=60.0)
            if out is not None:
                out.write(message_line(message))
            tally.count(message)
            if message.ts >= next_report:
                next_report = message.ts + (1.0 if speed is not None else 60.0)
                if progress is not None:
                    progress(message.ts, tally)
                await asyncio.sleep(0)
        if publisher is not None and not await publisher.drain(within=60.0):
            tally.refused += publisher.pending
    finally:
        if publisher is not None:
            publisher.close()
    return tally
