"""Pages to nurses' handhelds over MQTT (QoS 1), per the protocol's pages topic.

The handheld answers on its replies topic: ``received`` (the page reached
the device; the page counts as delivered only then), ``accepted`` or
``declined``. Those replies reach ``Responder.on_reply`` through the gateway.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
from collections.abc import Awaitable, Callable

from alerting.paging import Delivery, Page
from gateway.protocol import Channel, staff_topic
from shouhu.errors import TransientError

Publish = Callable[..., Awaitable[None]]


def page_payload(page: Page) -> bytes:
    return json.dumps(
        {
            "page_id": page.page_id,
            "incident_id": page.incident_id,
            "priority": page.priority,
            "kind": page.kind,
            "resident": page.resident,
            "summary": page.summary,
            "vitals": page.vitals,
            "ts": dt.datetime.fromtimestamp(page.ts, dt.UTC).isoformat(),
            "exercise": page.exercise,
            "purpose": page.purpose,
        },
        ensure_ascii=False,
    ).encode()


class MqttChannel:
    name = "mqtt"
    awaits_receipt = True

    def __init__(
        self, publish: Publish, *, connected: asyncio.Event | None = None, wait_s: float = 3.0
    ) -> None:
        self._publish = publish
        self._connected = connected
        self._wait_s = wait_s

    async def send(self, page: Page) -> Delivery:
        topic = staff_topic(page.facility, page.staff, Channel.PAGES)
        if self._connected is not None and not self._connected.is_set():
            # at start or mid-reconnect: a moment's wait beats a retry seconds later
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._connected.wait(), self._wait_s)
        try:
            await self._publish(topic, page_payload(page), qos=1)
        except TransientError as exc:
            return Delivery(ok=False, recoverable=True, detail=str(exc))
        return Delivery(ok=True, detail=topic)
