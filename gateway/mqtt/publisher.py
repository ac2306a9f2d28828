"""Publishing at thousands of messages/s from one process: paho with many in flight."""

from __future__ import annotations

import asyncio
import ssl
import threading
import time
import uuid

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

from gateway.mqtt.address import parse_url
from shouhu.errors import TransientError


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
