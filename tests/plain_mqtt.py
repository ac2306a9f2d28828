"""A plain paho-mqtt client for tests: what a device or a handheld would use."""

from __future__ import annotations

import queue
import threading
import uuid
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as mqtt

from gateway.mqtt import parse_url


class PlainClient:
    def __init__(self, url: str, *, on_message: Callable[[str, bytes], None] | None = None) -> None:
        address = parse_url(url)
        self.received: queue.Queue[tuple[str, bytes]] = queue.Queue()
        self._on_message = on_message
        self._subscribed = threading.Event()
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=f"test-{uuid.uuid4().hex[:8]}"
        )
        self.client.on_message = self._message
        self.client.on_subscribe = lambda *_: self._subscribed.set()
        self.client.connect(address.host, address.port)
        self.client.loop_start()

    def _message(self, _client: Any, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        if self._on_message is not None:
            self._on_message(message.topic, message.payload)
        self.received.put((message.topic, message.payload))

    def subscribe(self, topic: str) -> None:
        self._subscribed.clear()
        self.client.subscribe(topic, qos=1)
        assert self._subscribed.wait(5), f"no SUBACK for {topic}"

    def publish(self, topic: str, payload: bytes, *, qos: int = 1) -> None:
        self.client.publish(topic, payload, qos=qos).wait_for_publish(5)

    def get(self, timeout: float = 5.0) -> tuple[str, bytes]:
        return self.received.get(timeout=timeout)

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()
