"""The simulation: a scenario in, time-ordered protocol messages and ground truth out.

    sim = Simulation(scenario)       # builds every resident's course; deterministic by seed
    sim.truth                        # list[TruthEvent], one per scripted emergency
    for message in sim.messages():   # simulator.stream.Message, in the order they are sent
        ...

Each resident and each device draws from its own random stream (seeded by
the scenario seed and its position in the facility file), so adding an
emergency to one resident leaves everyone else's messages unchanged.
"""

from __future__ import annotations

import bisect
import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from shouhu.facility import Resident
from simulator.behaviour import Behaviour, daily_behaviour
from simulator.course import Course, DeviceScript
from simulator.devices import BedRenderer, Renderer, WearableRenderer
from simulator.emergencies import apply
from simulator.physiology import Profile, profile_for
from simulator.scenario import Scenario
from simulator.stream import Message
from simulator.truth import TruthEvent
from simulator.vitals import Drives, Vitals, body_vitals

log = logging.getLogger(__name__)

CHUNK_S = 300
_PROFILE, _BEHAVIOUR, _VITALS, _COURSE, _DEVICE = range(5)


@dataclass(frozen=True)
class ResidentState:
    """One resident's simulated span, kept for plots and tests."""

    profile: Profile
    behaviour: Behaviour
    vitals: Vitals


class Simulation:
    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.n = int(np.ceil(scenario.duration_s))
        facility = scenario.facility
        offset = dt.datetime.fromtimestamp(scenario.start, facility.tz).utcoffset()
        self.utc_offset_s = offset.total_seconds() if offset else 0.0
        self.residents: dict[str, ResidentState] = {}
        self.truth: list[TruthEvent] = []
        self.renderers: list[Renderer] = []
        simulated = set(scenario.simulated)
        for index, resident in enumerate(facility.residents):
            if resident.id in simulated:
                self._build(index, resident)
        self.truth.sort(key=lambda e: (e.onset, e.resident, e.kind))

    def _rng(self, *key: int) -> np.random.Generator:
        return np.random.default_rng([self.scenario.seed, *key])

    def _build(self, index: int, resident: Resident) -> None:
        sc = self.scenario
        profile = profile_for(resident, self._rng(index, _PROFILE))
        beh = daily_behaviour(
            profile,
            start=sc.start,
            n=self.n,
            utc_offset_s=self.utc_offset_s,
            rng=self._rng(index, _BEHAVIOUR),
        )
        devices = [d for d in sc.facility.devices if d.resident == resident.id]
        scripts = {d.id: DeviceScript(d) for d in devices}
        course = Course(
            sc, resident, profile, beh, Drives.none(self.n), scripts, self._rng(index, _COURSE)
        )
        for event in sc.events:
            if event.resident == resident.id:
                self.truth.append(apply(course, event))
                if event.exercise:  # nothing about a drilled resident is real
                    for script in scripts.values():
                        script.exercise.append((0, self.n))
        beh.finish(self._rng(index, _BEHAVIOUR, 1))
        vitals = body_vitals(
            profile,
            beh,
            course.drives,
            utc_offset_s=self.utc_offset_s,
            rng=self._rng(index, _VITALS),
        )
        self.residents[resident.id] = ResidentState(profile, beh, vitals)
        for script in scripts.values():
            position = next(i for i, d in enumerate(sc.facility.devices) if d is script.device)
            self.renderers.append(
                self._renderer(script, beh, vitals, self._rng(1000 + position, _DEVICE))
            )

    def _renderer(
        self, script: DeviceScript, beh: Behaviour, vitals: Vitals, rng: np.random.Generator
    ) -> Renderer:
        sc = self.scenario
        kind = script.device.kind
        if kind == "wearable":
            return WearableRenderer(
                sc.facility.id, script, beh, vitals, realism=sc.devices, rng=rng
            )
        if kind == "bed":
            return BedRenderer(sc.facility.id, script, beh, vitals, realism=sc.devices, rng=rng)
        return Renderer(
            sc.facility.id, script, start=sc.start, n=self.n, realism=sc.devices, rng=rng
        )

    def messages(self) -> Iterator[Message]:
        """Every message, in the order the devices send them (by ``Message.ts``).

        Can be iterated once per Simulation; build a new one to replay.
        """
        carry: list[Message] = []
        for a in range(0, self.n, CHUNK_S):
            b = min(a + CHUNK_S, self.n)
            batch = carry
            for renderer in self.renderers:
                batch.extend(renderer.chunk(a, b))
            batch.sort(key=_sent)
            boundary = self.scenario.start + b if b < self.n else float("inf")
            cut = bisect.bisect_left(batch, boundary, key=_sent)
            yield from batch[:cut]
            carry = batch[cut:]


def _sent(message: Message) -> float:
    return message.ts
