"""Incident changes, as they happen: to live pages (queues) and to MQTT (retained state)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import Awaitable, Callable

from alerting.incidents import Incident
from gateway.protocol import incident_topic
from shouhu.errors import ShouhuError

log = logging.getLogger(__name__)

Publish = Callable[..., Awaitable[None]]


class IncidentFeed:
    def __init__(self, publish: Publish | None = None) -> None:
        self._publish = publish
        self._listeners: set[asyncio.Queue[Incident]] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    def subscribe(self) -> asyncio.Queue[Incident]:
        """A queue that receives every incident as it changes (for live pages)."""
        queue: asyncio.Queue[Incident] = asyncio.Queue(maxsize=1000)
        self._listeners.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[Incident]) -> None:
        self._listeners.discard(queue)

    def notify(self, incident: Incident) -> None:
        for queue in list(self._listeners):
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(incident)
        if self._publish is not None:
            task = asyncio.create_task(self._publish_state(incident))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _publish_state(self, incident: Incident) -> None:
        def iso(ts: float) -> str:
            return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat()

        payload = json.dumps(
            {
                "incident_id": incident.id,
                "resident": incident.resident,
                "kind": incident.kind.value,
                "priority": incident.priority.value,
                "state": incident.state.value,
                "opened_at": iso(incident.opened_at),
                "updated_at": iso(incident.updated_at),
                "summary": incident.summary,
                "exercise": incident.exercise,
            },
            ensure_ascii=False,
        ).encode()
        assert self._publish is not None
        try:
            await self._publish(
                incident_topic(incident.facility, incident.id), payload, qos=1, retain=True
            )
        except ShouhuError as exc:
            log.warning("incident %s: could not publish state: %s", incident.id, exc)
