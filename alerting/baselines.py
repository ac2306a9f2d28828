"""Personal baselines: each resident's own sleeping vital signs.

Learned from calm epochs in bed over recent nights, with robust
statistics (median of epoch medians; spread as the median absolute
deviation of samples within an epoch), so a resident with chronic low SpO2
or a heart rate blunted by beta-blockers is compared with themself, not with
a textbook. Values configured in the facility file (``baselines:``) take
precedence over what is learned; until enough has been learned, learned
values are shrunk towards a prior: the population's, adjusted for what the
facility file says of the resident (COPD: faster breathing and SpO2 near
90 %; a beta-blocker: a slower heart).

Per sample the cost is one list append; numpy runs once per epoch.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from shouhu.facility import Facility, Resident

SIGNALS = ("hr", "rr", "spo2", "movement")
PRIOR = {"hr": 64.0, "rr": 15.0, "spo2": 95.0, "movement": 0.05}
PRIOR_SPREAD = {"hr": 3.0, "rr": 1.5, "spo2": 1.0, "movement": 0.03}
MAD_TO_SD = 1.4826
BETA_BLOCKERS = ("metoprolol", "bisoprolol", "atenolol", "carvedilol", "propranolol", "nebivolol")


def prior_for(resident: Resident | None) -> dict[str, float]:
    prior = dict(PRIOR)
    if resident is None:
        return prior
    if resident.hypercapnic:
        prior["rr"], prior["spo2"] = 18.0, 91.0
    medications = " ".join(resident.medications).lower()
    if any(drug in medications for drug in BETA_BLOCKERS):
        prior["hr"] = 56.0
    return prior


@dataclass(frozen=True, slots=True)
class Baseline:
    """A resident's usual sleeping values, and how they vary within minutes."""

    value: dict[str, float]
    spread: dict[str, float]  # robust SD of samples around the epoch median
    source: dict[str, str]  # "configured", "learned" or "default"
    hr_max: float | None = None  # configured absolute heart-rate limit
    epochs: dict[str, int] = field(default_factory=dict)  # learned epochs per signal

    def known(self, *, epochs: int = 3) -> bool:
        """Whether HR, RR and SpO2 are configured or learned from ``epochs`` epochs or more."""
        return all(
            self.source[s] == "configured" or self.epochs.get(s, 0) >= epochs
            for s in ("hr", "rr", "spo2")
        )

    def __getitem__(self, signal: str) -> float:
        return self.value[signal]


@dataclass(slots=True)
class _Learner:
    epoch: int = -1
    samples: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in SIGNALS})
    medians: dict[str, deque[float]] = field(default_factory=dict)
    spreads: dict[str, deque[float]] = field(default_factory=dict)
    version: int = 0


class BaselineBook:
    """Baselines of every resident of one facility."""

    def __init__(
        self,
        facility: Facility,
        *,
        epoch_s: float = 300.0,
        keep_epochs: int = 7 * 9 * 12,  # a week of nine-hour nights
        min_samples: int = 60,
        shrink_epochs: float = 3.0,
    ) -> None:
        self.epoch_s = epoch_s
        self.keep_epochs = keep_epochs
        self.min_samples = min_samples
        self.shrink_epochs = shrink_epochs
        self._configured = {r.id: r.baselines for r in facility.residents}
        self._priors = {r.id: prior_for(r) for r in facility.residents}
        self._learners: dict[str, _Learner] = {}
        self._cache: dict[str, tuple[int, Baseline]] = {}

    def add(self, resident: str, ts: float, signal: str, value: float) -> None:
        """One calm in-bed sample at night (the caller decides what is calm)."""
        learner = self._learners.get(resident)
        if learner is None:
            learner = self._learners[resident] = _Learner()
        epoch = int(ts // self.epoch_s)
        if epoch != learner.epoch:
            self._close(learner)
            learner.epoch = epoch
        learner.samples[signal].append(value)

    def discard_epoch(self, resident: str) -> None:
        """Forget the current epoch (something abnormal is going on)."""
        learner = self._learners.get(resident)
        if learner is not None:
            for values in learner.samples.values():
                values.clear()

    def version(self, resident: str) -> int:
        learner = self._learners.get(resident)
        return learner.version if learner is not None else 0

    def _close(self, learner: _Learner) -> None:
        for signal, values in learner.samples.items():
            if len(values) >= self.min_samples:
                arr = np.asarray(values, dtype=np.float64)
                median = float(np.median(arr))
                mad = float(np.median(np.abs(arr - median)))
                learner.medians.setdefault(signal, deque(maxlen=self.keep_epochs)).append(median)
                learner.spreads.setdefault(signal, deque(maxlen=self.keep_epochs)).append(mad)
                learner.version += 1
            values.clear()

    def baseline(self, resident: str) -> Baseline:
        version = self.version(resident)
        cached = self._cache.get(resident)
        if cached is not None and cached[0] == version:
            return cached[1]
        built = self._build(resident)
        self._cache[resident] = (version, built)
        return built

    def _build(self, resident: str) -> Baseline:
        learner = self._learners.get(resident) or _Learner()
        configured = self._configured.get(resident)
        prior = self._priors.get(resident, PRIOR)
        overrides = {
            "hr": configured.hr_sleep if configured else None,
            "rr": configured.rr_sleep if configured else None,
            "spo2": configured.spo2 if configured else None,
        }
        value: dict[str, float] = {}
        spread: dict[str, float] = {}
        source: dict[str, str] = {}
        for signal in SIGNALS:
            medians = learner.medians.get(signal)
            n = len(medians) if medians else 0
            if n:
                learned = float(np.median(np.asarray(medians)))
                weight = n / (n + self.shrink_epochs)
                value[signal] = weight * learned + (1 - weight) * prior[signal]
                spreads = np.asarray(learner.spreads[signal])
                spread[signal] = max(float(np.median(spreads)) * MAD_TO_SD, 1e-3)
                source[signal] = "learned"
            else:
                value[signal] = prior[signal]
                spread[signal] = PRIOR_SPREAD[signal]
                source[signal] = "default"
            override = overrides.get(signal)
            if override is not None:
                value[signal] = override
                source[signal] = "configured"
        epochs = {signal: len(learner.medians.get(signal, ())) for signal in SIGNALS}
        hr_max = configured.hr_max if configured else None
        return Baseline(value, spread, source, hr_max, epochs)
