"""Virtual nurses: handhelds that answer pages after set delays, or never, for testing escalation.

    async with VirtualNurses(mqtt_url, "demo-home", nurses={"n-e-night": SILENT}) as nurses:
        ...                                   # Shouhu pages; n-e-night never answers,
        page = await nurses.next_page()       # everyone else confirms receipt after 2 s
        nurses.replies                        # and accepts after 20 s (RESPONSIVE)

A nurse behaves per page: each ``Step`` is sent ``after_s`` seconds after the
page arrived (times ``time_scale``, so tests can run a minute in a second).
A page delivered twice (MQTT QoS 1) is answered once. Replies are stamped
with the page's own timestamp plus the delay, so they line up with a
simulated clock (``stamp="wall"`` stamps the wall clock instead).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from gateway.mqtt import MqttClient
from gateway.protocol import PREFIX, Channel, staff_topic, to_unix
from shouhu.errors import ConfigError

log = logging.getLogger(__name__)

ReplyStatus = Literal["received", "accepted", "declined"]
STATUSES: tuple[ReplyStatus, ...] = ("received", "accepted", "declined")


@dataclass(frozen=True, slots=True)
class Step:
    status: ReplyStatus
    after_s: float  # after the page arrived


@dataclass(frozen=True, slots=True)
class NurseBehaviour:
    steps: tuple[Step, ...] = ()  # none: the nurse never answers

    @classmethod
    def parse(cls, text: str) -> NurseBehaviour:
        """``"received@2,accepted@20"``, or ``"never"``."""
        if text.strip() in ("never", "silent", ""):
            return cls(())
        steps = []
        for part in text.split(","):
            status, _, after = part.strip().partition("@")
            try:
                delay = float(after or 0)
            except ValueError:
                delay = -1.0
            if status not in STATUSES or delay < 0:
                raise ConfigError(
                    f"nurse reply {part.strip()!r}: expected STATUS@SECONDS with STATUS one of "
                    f"{', '.join(STATUSES)} (e.g. received@2,accepted@20), or 'never'"
                )
            steps.append(Step(status, delay))  # type: ignore[arg-type]
        return cls(tuple(sorted(steps, key=lambda s: s.after_s)))


RESPONSIVE = NurseBehaviour((Step("received", 2.0), Step("accepted", 20.0)))
RECEIVES_ONLY = NurseBehaviour((Step("received", 2.0),))
DECLINES = NurseBehaviour((Step("received", 2.0), Step("declined", 10.0)))
SILENT = NurseBehaviour(())


@dataclass(frozen=True, slots=True)
class PageSeen:
    staff: str
    page: dict[str, Any]
    at: float  # wall clock, when it arrived


@dataclass(frozen=True, slots=True)
class ReplySent:
    staff: str
    page_id: str
    status: ReplyStatus
    ts: float  # as stamped in the reply
    at: float  # wall clock, when it was sent


@dataclass
class VirtualNurses:
    mqtt_url: str
    facility: str
    nurses: Mapping[str, NurseBehaviour] = field(default_factory=dict)
    default: NurseBehaviour = RESPONSIVE
    time_scale: float = 1.0
    stamp: Literal["page", "wall"] = "page"
    pages: list[PageSeen] = field(default_factory=list)
    replies: list[ReplySent] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._client = MqttClient(self.mqtt_url, client_id=f"shouhu-nurses-{self.facility}")
        self._tasks: set[asyncio.Task[None]] = set()
        self._answered: set[str] = set()
        self._arrived = asyncio.Condition()

    async def __aenter__(self) -> VirtualNurses:
        await self._client.__aenter__()
        await self._client.subscribe(f"{PREFIX}/{self.facility}/staff/+/{Channel.PAGES.value}")
        queue = await self._client.messages()
        self._tasks.add(asyncio.create_task(self._listen(queue)))
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        for task in self._tasks:
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._client.__aexit__(*exc_info)

    def behaviour(self, staff: str) -> NurseBehaviour:
        return self.nurses.get(staff, self.default)

    async def next_page(self, *, within: float = 10.0, after: int | None = None) -> PageSeen:
        """The next page to arrive (after the ``after``-th seen; default: any new one)."""
        seen = len(self.pages) if after is None else after
        async with self._arrived:
            await asyncio.wait_for(self._arrived.wait_for(lambda: len(self.pages) > seen), within)
            return self.pages[seen]

    async def _listen(self, queue: asyncio.Queue[tuple[str, bytes]]) -> None:
        while True:
            topic, payload = await queue.get()
            staff = topic.split("/")[4]
            try:
                page = json.loads(payload)
                page_id = str(page["page_id"])
            except (ValueError, KeyError, TypeError):
                log.warning("virtual nurse %s: unreadable page %r", staff, payload[:200])
                continue
            if page_id in self._answered:
                continue  # a redelivery
            self._answered.add(page_id)
            async with self._arrived:
                self.pages.append(PageSeen(staff, page, time.time()))
                self._arrived.notify_all()
            for step in self.behaviour(staff).steps:
                task = asyncio.create_task(self._reply(staff, page, step))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    async def _reply(self, staff: str, page: dict[str, Any], step: Step) -> None:
        await asyncio.sleep(step.after_s * self.time_scale)
        if self.stamp == "page":
            ts = to_unix(_timestamp(page.get("ts"))) + step.after_s
        else:
            ts = time.time()
        body = {"page_id": page["page_id"], "status": step.status, "ts": ts}
        topic = staff_topic(self.facility, staff, Channel.REPLIES)
        await self._client.publish(topic, json.dumps(body).encode(), qos=1)
        self.replies.append(ReplySent(staff, str(page["page_id"]), step.status, ts, time.time()))
        log.info("virtual nurse %s: %s page %s", staff, step.status, page["page_id"])


def _timestamp(value: Any) -> dt.datetime | float:
    """A page's ``ts`` (RFC 3339 or Unix seconds) in a form ``to_unix`` takes."""
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if isinstance(value, int | float):
        return float(value)
    return time.time()
