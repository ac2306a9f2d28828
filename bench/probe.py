"""The latency probe: SOS published -> page received, and a bare MQTT round trip.

One client publishes each SOS (QoS 1) for a resident without an open incident
and listens on every nurse's pages topic; the same client publishes a bare
message to a topic it subscribes to itself (the physical limit: broker in,
broker out, no Shouhu). Both kinds of sample are taken in the same moments,
under the same background load. Each paged incident is resolved through the
API, so the resident can page again later.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable

from gateway.mqtt import MqttClient
from gateway.protocol import PREFIX, Channel, device_topic
from shouhu.facility import Facility

log = logging.getLogger(__name__)

PAGE_TIMEOUT_S = 10.0

Resolve = Callable[[str, str], Awaitable[None]]


class Probe:
    def __init__(self, url: str, facility: Facility, *, resolve: Resolve) -> None:
        self.facility = facility
        self.resolve = resolve
        self._client = MqttClient(url, client_id=f"shouhu-bench-probe-{uuid.uuid4().hex[:8]}")
        self._echo_topic = f"shouhu-bench/{uuid.uuid4().hex[:8]}/echo"
        self._wearable = {
            d.resident: d.id for d in facility.devices if d.kind == "wearable" and d.resident
        }
        self._residents = itertools.cycle([r.id for r in facility.residents])
        self._busy: set[str] = set()  # residents with an SOS in flight or an incident open
        self._sos_sent: dict[str, float] = {}
        self._echo_sent: dict[int, float] = {}
        self._echo_seq = itertools.count()
        self._answered = asyncio.Event()  # set while no sample awaits its answer
        self.shouhu: list[float] = []
        self.bare: list[float] = []
        self.sos_published = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._reader: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Probe:
        await self._client.__aenter__()
        queue = await self._client.messages()
        await self._client.subscribe(f"{PREFIX}/{self.facility.id}/staff/+/pages", qos=1)
        await self._client.subscribe(self._echo_topic, qos=1)
        self._reader = asyncio.create_task(self._read(queue))
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._reader is not None:
            self._reader.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await task
        await self._client.__aexit__(*exc)

    async def sample(
        self, seconds: float, *, per_second: float
    ) -> tuple[list[float], list[float], int, int]:
        """Take samples for ``seconds``: (shouhu latencies, bare latencies, missed each).

        One SOS at a time (closed loop): each is answered, or given up after
        PAGE_TIMEOUT_S, and its incident resolved before the next, at most
        ``per_second`` a second. So the figure is one emergency's latency under
        the background load, not a queue of emergencies the bench made itself.
        """
        self.shouhu, self.bare = [], []
        missed_sos = missed_bare = 0
        loop = asyncio.get_running_loop()
        start = loop.time()
        while (begun := loop.time()) - start < seconds:
            await self._send_sos()
            await self._send_echo()
            self._check_answered()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._answered.wait(), PAGE_TIMEOUT_S)
            for resident in self._sos_sent:
                log.warning("no page for the SOS of %s within %.0f s", resident, PAGE_TIMEOUT_S)
            missed_sos += len(self._sos_sent)
            missed_bare += len(self._echo_sent)
            self._sos_sent.clear()
            self._echo_sent.clear()
            await asyncio.gather(*self._tasks, return_exceptions=True)  # the resolves
            await asyncio.sleep(max(0.0, begun + 1.0 / per_second - loop.time()))
        return list(self.shouhu), list(self.bare), missed_sos, missed_bare

    async def _send_sos(self) -> None:
        resident = self._next_free_resident()
        if resident is None:
            log.warning("every resident has an incident open; skipping a sample")
            return
        topic = device_topic(self.facility.id, self._wearable[resident], Channel.EVENT)
        payload = json.dumps({"ts": round(time.time(), 3), "type": "sos"}).encode()
        self._busy.add(resident)
        self._answered.clear()
        self._sos_sent[resident] = time.perf_counter()
        await self._client.publish(topic, payload, qos=1)
        self.sos_published += 1

    async def _send_echo(self) -> None:
        seq = next(self._echo_seq)
        payload = json.dumps({"seq": seq, "ts": round(time.time(), 3)}).encode()
        self._answered.clear()
        self._echo_sent[seq] = time.perf_counter()
        await self._client.publish(self._echo_topic, payload, qos=1)

    def _next_free_resident(self) -> str | None:
        for _ in range(len(self.facility.residents)):
            resident = next(self._residents)
            if resident not in self._busy and resident in self._wearable:
                return resident
        return None

    async def _read(self, queue: asyncio.Queue[tuple[str, bytes]]) -> None:
        while True:
            topic, payload = await queue.get()
            now = time.perf_counter()
            try:
                body = json.loads(payload)
            except ValueError:
                continue
            if topic == self._echo_topic:
                sent = self._echo_sent.pop(body.get("seq"), None)
                if sent is not None:
                    self.bare.append(now - sent)
                self._check_answered()
                continue
            resident = str((body.get("resident") or {}).get("id"))
            sent = self._sos_sent.pop(resident, None)
            if sent is not None:
                self.shouhu.append(now - sent)
                staff = topic.split("/")[-2]
                self._spawn(self._release(resident, str(body["incident_id"]), staff))
            self._check_answered()

    def _check_answered(self) -> None:
        if not self._sos_sent and not self._echo_sent:
            self._answered.set()

    async def _release(self, resident: str, incident_id: str, staff: str) -> None:
        """Resolve the incident so the resident can page again."""
        try:
            await self.resolve(incident_id, staff)
        except Exception as exc:  # a resident left busy only costs samples
            log.warning("could not resolve %s for %s: %s", incident_id, resident, exc)
            return
        self._busy.discard(resident)

    def _spawn(self, coro: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
