"""The plan of one resident's simulated span: behaviour, what drives the body, what devices do.

Emergencies (``simulator.emergencies``) edit a ``Course``; the engine then
computes vitals and renders each device's messages from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from shouhu.facility import Device, Resident
from simulator.behaviour import Behaviour
from simulator.physiology import Profile
from simulator.scenario import Scenario
from simulator.vitals import Drives

F64 = npt.NDArray[np.float64]


@dataclass
class DeviceScript:
    """What happens to one device beyond measuring its resident."""

    device: Device
    offline: list[tuple[int, int]] = field(default_factory=list)  # [a, b) second indices
    removed: list[tuple[int, int]] = field(default_factory=list)  # taken off (wearables)
    battery: tuple[float, float] | None = None  # (level at index 0 in %, drain in %/s)
    events: list[tuple[float, str]] = field(default_factory=list)  # (true Unix ts, type)
    impacts: list[tuple[float, float]] = field(default_factory=list)  # (true Unix ts, peak g)
    exercise: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class Course:
    scenario: Scenario
    resident: Resident
    profile: Profile
    beh: Behaviour
    drives: Drives
    scripts: dict[str, DeviceScript]
    rng: np.random.Generator

    @property
    def n(self) -> int:
        return self.beh.n

    @property
    def start(self) -> float:
        return self.scenario.start

    def ts(self, index: int) -> float:
        return self.scenario.start + index

    def device_of(self, *kinds: str, chosen: str | None = None) -> DeviceScript | None:
        """The scripted device, or the resident's first device of these kinds."""
        if chosen is not None:
            return self.scripts.get(chosen)
        for kind in kinds:
            for script in self.scripts.values():
                if script.device.kind == kind:
                    return script
        return None


def ramp(n: int, a: int, rise: int, *, end: int | None = None) -> F64:
    """0 before ``a``, a smooth rise to 1 over ``rise`` seconds, 1 until ``end`` (then 0)."""
    out = np.zeros(n)
    if a >= n:
        return out
    x = (np.arange(max(a, 0), n) - a) / max(rise, 1)
    x = np.clip(x, 0.0, 1.0)
    out[max(a, 0) :] = x * x * (3 - 2 * x)
    if end is not None:
        out[max(end, 0) :] = 0.0
    return out
