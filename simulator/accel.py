"""Wearable accelerometer samples: gravity by posture, everyday movement, walking, impacts.

Device frame for a trunk-worn device (pendant, waist): x to the wearer's
left, y up along the body, z out of the chest. At rest an accelerometer
reads +1 g pointing away from the ground, so a standing wearer reads about
(0, 1, 0) and one lying on the back (0, 0, 1). A wrist device follows the
forearm, so its orientation is drawn afresh whenever the wearer moves.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from simulator.behaviour import Posture

F64 = npt.NDArray[np.float64]

# Up-vector in the device frame, by posture (SUPINE..FLOOR); FLOOR is drawn per device.
_TRUNK_UP = np.array(
    [
        [0.0, 0.0, 1.0],  # supine
        [-1.0, 0.0, 0.0],  # on the left side
        [1.0, 0.0, 0.0],  # on the right side
        [0.0, 0.0, -1.0],  # prone
        [0.0, 0.70, 0.71],  # sitting up in bed
        [0.0, 0.94, 0.34],  # seated
        [0.0, 1.0, 0.0],  # standing
        [0.0, 1.0, 0.0],  # walking
        [0.0, 0.0, 1.0],  # floor (replaced per device)
    ]
)
TABLE = np.array([0.0, 0.0, 1.0])  # a wearable lying on the bedside table


def _unit(v: F64) -> F64:
    norm = np.linalg.norm(v, axis=-1, keepdims=True)
    return np.asarray(v / np.where(norm == 0, 1.0, norm), dtype=np.float64)


@dataclass
class Accelerometer:
    """Per-second orientation and movement of one wearable; samples made chunk by chunk."""

    hz: int
    up: F64  # (n, 3) unit up-vector per second
    activity: npt.NDArray[np.float32]
    walking: npt.NDArray[np.bool_]
    step_hz: float
    rng: np.random.Generator
    impacts: list[tuple[int, float]] = field(default_factory=list)  # (sample index, peak g)

    def samples(self, a: int, b: int) -> F64:
        """Samples for seconds [a, b), shape ((b - a) * hz, 3), in g, 3 decimals."""
        h, n = self.hz, len(self.up)
        m = (b - a) * h
        t = a + (np.arange(m) + 0.5) / h
        knots = np.arange(max(a - 1, 0), min(b + 1, n))
        g = np.empty((m, 3))
        for axis in range(3):
            g[:, axis] = np.interp(t, knots + 0.5, self.up[knots, axis])
        g = _unit(g)
        act = np.repeat(self.activity[a:b].astype(np.float64), h)
        acc = g + self.rng.standard_normal((m, 3)) * (0.004 + 0.2 * act)[:, None]
        walk = np.repeat(self.walking[a:b], h)
        if walk.any():
            phase = 2 * np.pi * self.step_hz * t
            bounce = 0.18 * np.sin(phase) + 0.05 * np.sin(2 * phase)
            sway = 0.06 * np.sin(phase / 2)
            acc += walk[:, None] * (bounce[:, None] * g + sway[:, None] * np.array([1.0, 0, 0]))
        for at, peak in self.impacts:
            self._impact(acc, g, a * h, at, peak)
        return np.round(acc, 3)

    def _impact(self, acc: F64, g: F64, offset: int, at: int, peak: float) -> None:
        """Free fall for ~0.4 s before ``at``, then a damped spike of ``peak`` g."""
        h = self.hz
        fall = int(0.4 * h)
        ring = np.arange(int(0.4 * h)) / h
        spike = peak * np.exp(-ring / 0.05) * np.cos(2 * np.pi * 9 * ring)
        rng = np.random.default_rng(at)  # the same impact whichever chunk draws it
        direction = _unit(np.array([rng.normal(0, 0.5), 1.0, rng.normal(0, 0.5)]))
        for k in range(-fall, len(spike)):
            i = at + k - offset
            if 0 <= i < len(acc):
                if k < 0:
                    acc[i] *= 0.3 + 0.7 * (-k / fall)
                else:
                    acc[i] += spike[k] * direction


def orientations(
    posture: npt.NDArray[np.int8],
    activity: npt.NDArray[np.float32],
    *,
    placement: str,
    rng: np.random.Generator,
) -> F64:
    """Per-second up-vectors for a device worn at ``placement``."""
    table = _TRUNK_UP.copy()
    theta = rng.uniform(0, 2 * np.pi)
    table[Posture.FLOOR] = _unit(np.array([np.sin(theta), rng.normal(0, 0.2), np.cos(theta)]))
    up = table[posture]
    moved = np.concatenate([[True], (np.diff(posture) != 0) | (activity[1:] > 0.2)])
    segment = np.cumsum(moved) - 1
    spread = 0.6 if placement == "wrist" else 0.08
    tilt = rng.normal(0.0, spread, (int(segment[-1]) + 1 if len(segment) else 0, 3))
    if placement == "wrist":
        tilt[:, 0] -= 0.4  # the forearm rests across the body more often than not
    return _unit(up + tilt[segment])
