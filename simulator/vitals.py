"""True vital signs, second by second, from behaviour, baselines and what emergencies drive.

These are the body's values; devices (``simulator.devices``) measure them
with their own gaps, noise and artifacts. Vectorized: a resident-night costs
a few milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from simulator.behaviour import Behaviour, Posture, Stage
from simulator.physiology import Profile

F64 = npt.NDArray[np.float64]

# Multipliers of the awake resting rate by sleep stage (WAKE, N1, N2, N3, REM), lying in bed.
HR_STAGE = np.array([1.0, 0.94, 0.89, 0.87, 0.95])
RR_STAGE = np.array([1.0, 0.97, 0.92, 0.90, 1.03])
# Additions by posture (SUPINE..PRONE, SITTING, SEATED, STANDING, WALKING, FLOOR).
HR_POSTURE = np.array([0, 0, 0, 0, 2, 1, 7, 13, 0], dtype=np.float64)
RR_POSTURE = np.array([0, 0, 0, 0, 0.5, 0.5, 1.5, 4, 0], dtype=np.float64)
SKIN_ASLEEP, SKIN_AWAKE_IN_BED, SKIN_UP = 34.3, 33.6, 32.4


@dataclass
class Drives:
    """What emergencies add to the body's own values (zero by default)."""

    hr: F64
    rr: F64
    spo2: F64
    skin: F64
    pulse: npt.NDArray[np.bool_]  # False: no heartbeat and no breathing (cardiac arrest)

    @classmethod
    def none(cls, n: int) -> Drives:
        z = np.zeros
        return cls(z(n), z(n), z(n), z(n), np.ones(n, np.bool_))


@dataclass(frozen=True)
class Vitals:
    hr: F64
    rr: F64
    spo2: F64
    skin: F64
    pulse: npt.NDArray[np.bool_]


def lowpass(x: npt.ArrayLike, tau: float) -> F64:
    """Causal first-order low-pass (time constant ``tau`` samples), by FFT convolution."""
    x = np.asarray(x, dtype=np.float64)
    n = len(x)
    if n == 0 or tau <= 0:
        return x.copy()
    k = int(min(6 * tau, n)) + 1
    kernel = np.exp(-np.arange(k) / tau)
    kernel /= kernel.sum()
    padded = np.concatenate([np.full(k, x[0]), x])
    size = 1 << int(np.ceil(np.log2(len(padded) + k)))
    y = np.fft.irfft(np.fft.rfft(padded, size) * np.fft.rfft(kernel, size), size)
    return y[k : k + n]


def red_noise(rng: np.random.Generator, n: int, sd: float, tau: float) -> F64:
    """Correlated noise with standard deviation ``sd`` and time constant ``tau`` seconds."""
    warm = int(min(6 * tau, 4 * n)) + 1  # start from a settled state, not from one sample
    y = lowpass(rng.standard_normal(n + warm), tau)[warm:]
    spread = y.std()
    return y * (sd / spread) if spread > 0 else y


def circadian(start: float, n: int, utc_offset_s: float, *, nadir_h: float = 4.0) -> F64:
    """-1 at the nadir (04:00 local), +1 twelve hours later."""
    hours = (start + utc_offset_s + np.arange(n)) / 3600.0
    return np.asarray(-np.cos(2 * np.pi * (hours - nadir_h) / 24.0), dtype=np.float64)


def body_vitals(
    p: Profile, beh: Behaviour, drives: Drives, *, utc_offset_s: float, rng: np.random.Generator
) -> Vitals:
    n = beh.n
    lying = beh.posture <= Posture.PRONE
    stage = np.where(lying & beh.in_bed, beh.stage, Stage.WAKE)
    act = lowpass(beh.activity, 15)
    day = circadian(beh.start, n, utc_offset_s)

    hr = p.hr_rest * lowpass(HR_STAGE[stage], 90)
    hr += p.hr_gain * (lowpass(HR_POSTURE[beh.posture], 30) + 25.0 * act) + 2.5 * day
    hr += red_noise(rng, n, 2.0, 900) + red_noise(rng, n, 1.5, 20)
    hr += rng.normal(0.0, p.hr_beat_sd, n)

    rr = p.rr_rest * lowpass(RR_STAGE[stage], 60) + lowpass(RR_POSTURE[beh.posture], 30)
    rr += 6.0 * act + red_noise(rng, n, 0.7, 120) + rng.normal(0.0, 0.4, n)
    rr += np.where(stage == Stage.REM, rng.normal(0.0, 1.4, n), 0.0)

    desat = np.array([0.0, 0.3, 0.6, 0.6, p.rem_desat])[stage]
    spo2 = p.spo2 - lowpass(desat, 120) + red_noise(rng, n, 0.4, 300)
    skin_target = np.where(
        beh.in_bed, np.where(stage == Stage.WAKE, SKIN_AWAKE_IN_BED, SKIN_ASLEEP), SKIN_UP
    )
    skin = lowpass(skin_target, 900) + red_noise(rng, n, 0.15, 300)

    _apneas(p, stage, hr, spo2, rng)
    hr += drives.hr
    rr += drives.rr
    spo2 += drives.spo2
    skin += drives.skin
    hr = np.where(drives.pulse, np.clip(hr, 30, 220), 0.0)
    rr = np.where(drives.pulse, np.clip(rr, 4, 60), 0.0)
    spo2 = np.clip(spo2, 50, 100)
    return Vitals(hr=hr, rr=rr, spo2=spo2, skin=np.clip(skin, 20, 40), pulse=drives.pulse)


def _apneas(
    p: Profile, stage: npt.NDArray[np.int8], hr: F64, spo2: F64, rng: np.random.Generator
) -> None:
    """Obstructive events: SpO2 dips 3-7 % (lagging ~10 s), then an arousal with an HR surge.

    Candidate times are drawn over the whole span and kept where the resident
    sleeps, so the draws do not depend on the night's course: an emergency
    late in the night leaves the apnoeas before it unchanged.
    """
    n = len(stage)
    count = rng.poisson(p.apnea_per_h * n / 3600)
    times = np.sort(rng.integers(0, max(n, 1), count))
    lengths = rng.uniform(15, 40, count)
    depths = rng.uniform(3, 7, count)
    asleep = (stage == Stage.N1) | (stage == Stage.N2) | (stage == Stage.REM)
    for t, length_s, depth in zip(times, lengths, depths, strict=True):
        if not asleep[t]:
            continue
        length = int(length_s)
        dip = np.concatenate([np.linspace(0, depth, length), np.linspace(depth, 0, 12)])
        a = t + 10
        b = min(a + len(dip), len(spo2))
        if a < b:
            spo2[a:b] -= dip[: b - a]
        surge = 8.0 * p.hr_gain * np.hanning(16)
        c = min(t + length, len(hr))
        d = min(c + len(surge), len(hr))
        hr[c:d] += surge[: d - c]
