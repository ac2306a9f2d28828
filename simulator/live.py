"""A facility's messages second by second from now on, for live use (``shouhu demo``)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence

from shouhu.facility import Facility
from simulator.engine import Simulation
from simulator.scenario import Scenario, ScriptedEvent
from simulator.stream import Message

BLOCK_S = 6 * 3600


def live_seconds(
    facility: Facility,
    *,
    start: float,
    seed: int = 0,
    events: Sequence[ScriptedEvent] = (),
    duration_s: float | None = None,
) -> Iterator[list[Message]]:
    """Batches of the messages sent in each second from ``start`` (whole seconds), for ever
    unless ``duration_s`` is given. Spans are simulated six hours at a time."""
    start = float(int(start))
    for block in itertools.count():
        a = start + block * BLOCK_S
        length = float(BLOCK_S) if duration_s is None else min(BLOCK_S, start + duration_s - a)
        if length <= 0:
            return
        scenario = Scenario(
            facility=facility,
            start=a,
            duration_s=length,
            seed=seed + block,
            events=[e for e in events if a <= e.at < a + length],
        )
        batch: list[Message] = []
        second = a
        for message in Simulation(scenario).messages():
            while message.ts >= second + 1:
                yield batch
                batch = []
                second += 1
            batch.append(message)
        while second < a + length:
            yield batch
            batch = []
            second += 1
