"""What a resident does, second by second: sleep stages, posture, in or out of bed, movement.

Nights follow the structure of older adults' sleep (docs/simulator.md): a
sleep latency, ~90-minute cycles with little slow-wave sleep and REM growing
towards morning, frequent brief arousals, toileting trips, posture changes
and, for restless sleepers, limb movements. Days are spent mostly seated,
with short walks and an after-lunch nap.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from simulator.physiology import Profile

MIN = 60
HOUR = 3600


class Stage(enum.IntEnum):
    WAKE = 0
    N1 = 1
    N2 = 2
    N3 = 3
    REM = 4


class Posture(enum.IntEnum):
    SUPINE = 0
    LEFT = 1
    RIGHT = 2
    PRONE = 3
    SITTING = 4  # up in bed, or on its edge
    SEATED = 5  # in a chair, on the toilet
    STANDING = 6
    WALKING = 7
    FLOOR = 8  # lying on the floor


LYING = (Posture.SUPINE, Posture.LEFT, Posture.RIGHT, Posture.PRONE)
# Movement index by sleep stage while lying in bed, and by posture otherwise.
_STAGE_ACTIVITY = np.array([0.05, 0.025, 0.012, 0.006, 0.018], dtype=np.float32)
_POSTURE_ACTIVITY = np.array([0.0, 0.0, 0.0, 0.0, 0.08, 0.07, 0.18, 0.55, 0.01], dtype=np.float32)


@dataclass
class Behaviour:
    """Per-second arrays over the simulated span; index 0 is ``start``."""

    start: float
    stage: npt.NDArray[np.int8]
    posture: npt.NDArray[np.int8]
    in_bed: npt.NDArray[np.bool_]
    bursts: list[tuple[int, int, float]] = field(default_factory=list)  # (index, length, level)
    still: list[tuple[int, int]] = field(default_factory=list)  # spans with no movement at all
    activity: npt.NDArray[np.float32] = field(default_factory=lambda: np.zeros(0, np.float32))

    @property
    def n(self) -> int:
        return len(self.stage)

    def index(self, ts: float) -> int:
        return round(ts - self.start)

    def write(
        self,
        a: int,
        b: int,
        *,
        stage: int | None = None,
        posture: int | None = None,
        in_bed: bool | None = None,
    ) -> None:
        a, b = max(a, 0), min(b, self.n)
        if a >= b:
            return
        if stage is not None:
            self.stage[a:b] = stage
        if posture is not None:
            self.posture[a:b] = posture
        if in_bed is not None:
            self.in_bed[a:b] = in_bed

    def burst(self, at: int, length: int, level: float) -> None:
        self.bursts.append((at, length, level))

    def finish(self, rng: np.random.Generator) -> None:
        """Turn stages, postures and bursts into the movement index (0..1)."""
        lying = self.posture <= Posture.PRONE
        base = np.where(lying, _STAGE_ACTIVITY[self.stage], _POSTURE_ACTIVITY[self.posture])
        noise = rng.gamma(2.0, 0.5, self.n).astype(np.float32)
        activity = base * noise
        for at, length, level in self.bursts:
            a, b = max(at, 0), min(at + length, self.n)
            if a < b:
                activity[a:b] = np.maximum(activity[a:b], level * rng.uniform(0.7, 1.3, b - a))
        for a, b in self.still:
            activity[max(a, 0) : max(min(b, self.n), 0)] = 0.0
        self.activity = np.clip(activity, 0.0, 1.0).astype(np.float32)


def daily_behaviour(
    profile: Profile, *, start: float, n: int, utc_offset_s: float, rng: np.random.Generator
) -> Behaviour:
    """A resident's behaviour over ``n`` seconds from ``start``, nights and days.

    Emergencies may rewrite it; ``finish`` then turns it into the movement index.
    """
    beh = Behaviour(
        start=start,
        stage=np.zeros(n, np.int8),
        posture=np.full(n, Posture.SEATED, np.int8),
        in_bed=np.zeros(n, np.bool_),
    )
    _day_walks(beh, rng)
    local = start + utc_offset_s
    first_midnight = int(local // 86400) * 86400 - utc_offset_s - 86400
    for day in range(n // 86400 + 3):
        midnight = first_midnight + day * 86400
        if rng.random() < 0.5:
            nap = midnight + 13 * HOUR + rng.uniform(0, 40 * MIN)
            _nap(beh, beh.index(nap), int(rng.uniform(30, 70) * MIN), rng)
        bed = midnight + profile.bedtime_h * HOUR + rng.normal(0, 15 * MIN)
        wake = midnight + 86400 + profile.wake_h * HOUR + rng.normal(0, 15 * MIN)
        if wake > start and bed < start + n:
            _night(beh, profile, beh.index(bed), beh.index(wake), rng)
    return beh


def _day_walks(beh: Behaviour, rng: np.random.Generator) -> None:
    t = int(rng.exponential(25 * MIN))
    while t < beh.n:
        walk = int(rng.uniform(1, 5) * MIN)
        beh.write(t, t + walk, posture=Posture.WALKING)
        beh.write(t + walk, t + walk + int(rng.uniform(10, 60)), posture=Posture.STANDING)
        t += walk + int(rng.exponential(25 * MIN)) + 60


def _nap(beh: Behaviour, at: int, length: int, rng: np.random.Generator) -> None:
    beh.write(at, at + length, stage=Stage.N2, posture=Posture.SUPINE, in_bed=True)
    beh.write(at, at + int(rng.uniform(5, 15) * MIN), stage=Stage.N1)


def _night(beh: Behaviour, p: Profile, bed: int, wake: int, rng: np.random.Generator) -> None:
    latency = int(rng.uniform(10, 60 if p.fragile else 40) * MIN)
    get_up = wake + int(rng.uniform(5, 20) * MIN)
    beh.write(bed, get_up, stage=Stage.WAKE, posture=Posture.SUPINE, in_bed=True)
    beh.write(bed, bed + int(rng.uniform(2, 8) * MIN), posture=Posture.SITTING)
    _cycles(beh, p, bed + latency, wake, rng)
    _postures(beh, p, bed, get_up, rng)
    _arousals(beh, p, bed + latency, wake, rng)
    _limb_movements(beh, p, bed + latency, wake, rng)
    span = wake - (bed + latency) - 65 * MIN
    for _ in range(rng.poisson(p.nocturia) if span > 0 else 0):
        toilet_trip(beh, bed + latency + 45 * MIN + int(rng.uniform(0, span)), rng)
    beh.write(wake, get_up, posture=Posture.SITTING)
    beh.write(wake, wake + int(rng.uniform(3, 10) * MIN), posture=Posture.SUPINE)


def _cycles(beh: Behaviour, p: Profile, onset: int, wake: int, rng: np.random.Generator) -> None:
    t, k = onset, 0
    while t < wake:
        length = int(rng.normal(95, 12) * MIN)
        n1 = int((4 if k == 0 else 2) * MIN)
        n3 = int(max(0.0, 30 - 12 * k) * p.n3_share * MIN * rng.uniform(0.6, 1.2))
        rem = int(min(6 + 6 * k, 25) * MIN * rng.uniform(0.6, 1.1))
        n2 = max(10 * MIN, length - n1 - n3 - rem)
        first = n2 // 2
        seq = [(Stage.N1, n1), (Stage.N2, first), (Stage.N3, n3), (Stage.N2, n2 - first)]
        for stage, span in [*seq, (Stage.REM, rem)]:
            beh.write(t, min(t + span, wake), stage=stage)
            t += span
        k += 1


def _postures(beh: Behaviour, p: Profile, a: int, b: int, rng: np.random.Generator) -> None:
    mean = (25 - 17 * p.restless) * MIN
    t = a + int(rng.exponential(mean))
    while t < b:
        lying = rng.choice(LYING, p=[0.45, 0.25, 0.25, 0.05])
        end = min(b, t + int(rng.exponential(mean)) + 60)
        mask = slice(max(t, 0), max(min(end, beh.n), 0))
        in_bed_lying = beh.in_bed[mask] & (beh.posture[mask] <= Posture.PRONE)
        beh.posture[mask] = np.where(in_bed_lying, lying, beh.posture[mask])
        beh.burst(t, int(rng.uniform(3, 9)), float(rng.uniform(0.25, 0.5)))
        t = end


def _arousals(beh: Behaviour, p: Profile, a: int, b: int, rng: np.random.Generator) -> None:
    """Brief arousals, and a few long spells awake (lying in the dark, not getting up)."""
    rate = 2.0 + (2.0 if p.fragile else 0.0) + 2.0 * p.restless
    for _ in range(rng.poisson(rate * max(0, b - a) / HOUR)):
        t = a + int(rng.uniform(0, b - a))
        length = int(np.clip(rng.exponential(70), 15, 600))
        beh.write(t, t + length, stage=Stage.WAKE)
        beh.burst(t, int(rng.uniform(2, 6)), float(rng.uniform(0.1, 0.3)))
    for _ in range(rng.poisson(2.5 if p.fragile else 1.5)):
        t = a + int(rng.uniform(0, max(1, b - a)))
        beh.write(t, t + int(rng.uniform(8, 35) * MIN), stage=Stage.WAKE)
        beh.burst(t, int(rng.uniform(3, 8)), float(rng.uniform(0.2, 0.4)))


def _limb_movements(beh: Behaviour, p: Profile, a: int, b: int, rng: np.random.Generator) -> None:
    for _ in range(rng.poisson(4 * p.restless**2)):
        t = a + int(rng.uniform(0, max(1, b - a)))
        end = t + int(rng.uniform(10, 30) * MIN)
        while t < end:
            beh.burst(t, 2, float(rng.uniform(0.1, 0.2)))
            t += int(rng.uniform(20, 40))


def toilet_trip(beh: Behaviour, t: int, rng: np.random.Generator) -> int:
    """Wake, sit up, walk to the toilet and back, settle; return the index of the bed exit."""
    steps = [
        (Stage.WAKE, Posture.SUPINE, True, rng.uniform(60, 150)),
        (Stage.WAKE, Posture.SITTING, True, rng.uniform(15, 40)),
        (Stage.WAKE, Posture.WALKING, False, rng.uniform(15, 40)),
        (Stage.WAKE, Posture.SEATED, False, rng.uniform(120, 300)),
        (Stage.WAKE, Posture.WALKING, False, rng.uniform(15, 40)),
        (Stage.WAKE, Posture.SITTING, True, rng.uniform(10, 30)),
        (Stage.WAKE, Posture.SUPINE, True, rng.uniform(5, 15) * MIN),
        (Stage.N1, Posture.SUPINE, True, rng.uniform(3, 6) * MIN),
    ]
    exit_at = t
    for i, (stage, posture, in_bed, span) in enumerate(steps):
        if i == 2:
            exit_at = t
        beh.write(t, t + int(span), stage=stage, posture=posture, in_bed=in_bed)
        if posture in (Posture.SITTING, Posture.WALKING):
            beh.burst(t, 4, 0.4)
        t += int(span)
    return exit_at
