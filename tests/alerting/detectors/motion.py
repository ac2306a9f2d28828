"""Synthetic accelerometer traces for fall-detector tests.

A trace is a list of phases (``stand``, ``walk``, ``impact``, ``lie``, ...)
rendered at any rate, in g, with a little sensor noise. Upright means gravity
along the device's y axis; lying turns it by ``angle`` degrees towards z.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]


def gravity(angle_deg: float) -> Array:
    a = np.radians(angle_deg)
    return np.array([0.0, np.cos(a), np.sin(a)])


@dataclass(frozen=True)
class Phase:
    kind: str  # still | walk | jog | free_fall | spike
    seconds: float
    angle: float = 0.0  # body posture, degrees from upright
    peak_g: float = 0.0  # for spikes


def stand(seconds: float, angle: float = 0.0) -> Phase:
    return Phase("still", seconds, angle)


def lie(seconds: float, angle: float = 90.0) -> Phase:
    return Phase("still", seconds, angle)


def walk(seconds: float) -> Phase:
    return Phase("walk", seconds)


def jog(seconds: float) -> Phase:
    return Phase("jog", seconds)


def free_fall(seconds: float = 0.4) -> Phase:
    return Phase("free_fall", seconds)


def impact(peak_g: float, angle: float) -> Phase:
    """A 60 ms hard impact; ``angle`` is the posture it lands in."""
    return Phase("spike", 0.06, angle, peak_g)


def render(phases: list[Phase], hz: float, *, seed: int = 0) -> Array:
    rng = np.random.default_rng(seed)
    parts = []
    for phase in phases:
        n = max(1, round(phase.seconds * hz))
        t = np.arange(n) / hz
        g = np.tile(gravity(phase.angle), (n, 1))
        if phase.kind == "walk":
            g[:, 1] += 0.35 * np.sin(2 * np.pi * 1.8 * t)
            g[:, 0] += 0.15 * np.sin(2 * np.pi * 0.9 * t)
        elif phase.kind == "jog":
            g[:, 1] += 1.2 * np.sin(2 * np.pi * 2.6 * t)
            g[:, 0] += 0.4 * np.sin(2 * np.pi * 1.3 * t)
        elif phase.kind == "free_fall":
            g *= 0.3
        elif phase.kind == "spike":
            g *= phase.peak_g
        g += rng.normal(0.0, 0.01, g.shape)
        parts.append(g)
    return np.concatenate(parts)


def offset_of(phases: list[Phase], kind: str) -> float:
    """Seconds from the start to the first phase of ``kind``."""
    total = 0.0
    for phase in phases:
        if phase.kind == kind:
            return total
        total += phase.seconds
    raise ValueError(kind)
