"""Score the fall detector on real recordings: ``evaluate_falls_dev(root)``.

Every recording goes through the real ``FallDetector`` the way a wearable
would send it: resampled to the device rate, cut into 1 s batches, with the
service's 1 s ticks in between. A recording ends a few seconds after the
fall, earlier than the detector's 10 s look at the body; the wearer is taken
to stay as they were at the end, so the last second is repeated until the
detector has decided; likewise its first second is held for a few seconds
before it, as a worn device has been streaming before anything happens. A
recording counts as detected when the detector
raised a fall alert of any priority.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from statistics import median

import numpy as np
import numpy.typing as npt

from alerting.detectors.fall import FallDetector
from alerting.detectors.fall_features import BEFORE_S, OBSERVE_S, Rule
from alerting.evaluation.falls_data import Recording, recordings, resample
from shouhu.domain import AccBatch, Alert, Reading
from shouhu.facility import Facility

DEVICE_HZ = 50.0  # SisFall's 200 Hz is sent as a 50 Hz wearable would; UMAFall stays at 20 Hz
BATCH_S = 1.0
HOLD_S = OBSERVE_S + 3.0  # how long the end of a recording is held
LEAD_S = BEFORE_S[0] + 1.0  # how long its start is held before it
START_TS = 1_700_000_000.0


@dataclass(frozen=True, slots=True)
class Outcome:
    recording: Recording
    alert: Alert | None  # the first fall alert, if any

    @property
    def detected(self) -> bool:
        return self.alert is not None


@dataclass(slots=True)
class Score:
    """Sensitivity and specificity of one dataset and placement."""

    dataset: str
    placement: str
    hz: float
    falls: int = 0
    adls: int = 0
    caught: int = 0
    false_alarms: int = 0
    missed_by_activity: Counter[str] = field(default_factory=Counter)
    false_by_activity: Counter[str] = field(default_factory=Counter)
    delays: list[float] = field(default_factory=list)  # impact to alert, s

    @property
    def n(self) -> int:
        """Recordings scored."""
        return self.falls + self.adls

    @property
    def sensitivity(self) -> float:
        return self.caught / self.falls if self.falls else float("nan")

    @property
    def specificity(self) -> float:
        return 1 - self.false_alarms / self.adls if self.adls else float("nan")

    def add(self, outcome: Outcome) -> None:
        rec = outcome.recording
        if rec.label == "fall":
            self.falls += 1
            self.caught += outcome.detected
            if not outcome.detected:
                self.missed_by_activity[rec.activity] += 1
        else:
            self.adls += 1
            self.false_alarms += outcome.detected
            if outcome.detected:
                self.false_by_activity[rec.activity] += 1
        if outcome.alert is not None and rec.label == "fall" and outcome.alert.onset is not None:
            self.delays.append(outcome.alert.ts - outcome.alert.onset)


@dataclass(frozen=True, slots=True)
class CrossCheck:
    """Thresholds tuned on some subjects, scored on the others."""

    tuned_on: tuple[str, ...]
    rule: Rule
    tuned_score: tuple[float, float]  # sensitivity, specificity on the tuning half
    held_out: Score


@dataclass(slots=True)
class FallsDevReport:
    root: Path
    found: bool
    scores: list[Score] = field(default_factory=list)
    cross: list[CrossCheck] = field(default_factory=list)
    seconds: float = 0.0

    def score(self, dataset: str, placement: str) -> Score | None:
        return next(
            (s for s in self.scores if s.dataset == dataset and s.placement == placement), None
        )

    def format_report(self) -> str:
        from alerting.evaluation.falls_report import format_report

        return format_report(self)


def default_root() -> Path:
    """Where falls-dev is: $SHOUHU_FALLS_DEV, else ../shared/data/falls-dev beside the
    checkout (as in CI), else /work/shared/data/falls-dev; the first if none exists."""
    here = Path(__file__).resolve().parents[2]
    candidates = [Path(p) for p in [os.environ.get("SHOUHU_FALLS_DEV", "")] if p] + [
        here.parent / "shared" / "data" / "falls-dev",
        Path("/work/shared/data/falls-dev"),
    ]
    return next((p for p in candidates if (p / "MANIFEST.csv").is_file()), candidates[0])


@cache
def _facility(placement: str) -> Facility:
    return Facility.model_validate(
        {
            "facility": {"id": "falls-dev", "name": "falls-dev", "address": "-"},
            "zones": [{"id": "z", "name": "z"}],
            "residents": [{"id": "r", "name": "R", "age": 80, "room": "1", "zone": "z"}],
            "devices": [{"id": "wb", "kind": "wearable", "resident": "r", "placement": placement}],
            "staff": [],
        }
    )


def held(g: npt.NDArray[np.float64], hz: float, seconds: float) -> npt.NDArray[np.float64]:
    """The samples with their first second repeated for ``LEAD_S`` before them and
    their last second repeated for ``seconds`` after them."""
    second = max(1, round(hz))
    first, last = g[:second], g[-second:]
    before = np.tile(first, (int(np.ceil(LEAD_S * hz / len(first))), 1))
    after = np.tile(last, (int(np.ceil(seconds * hz / len(last))), 1))
    return np.concatenate([before, g, after])


def run_recording(rec: Recording, *, rules: Mapping[str, Rule] | None = None) -> Outcome:
    """Feed one recording through a fresh FallDetector, as 1 s batches at its rate."""
    rate = rec.hz
    g = held(rec.g, rate, HOLD_S)
    detector = FallDetector(_facility(rec.placement), rules=rules)
    per_batch = round(rate * BATCH_S)
    first: Alert | None = None
    for k, start in enumerate(range(0, len(g) - per_batch + 1, per_batch)):
        ts = START_TS + k * BATCH_S
        batch = AccBatch(hz=rate, g=g[start : start + per_batch])
        reading = Reading(facility="falls-dev", device="wb", resident="r", ts=ts, acc=batch)
        alerts = detector.feed(reading) + detector.tick(ts + BATCH_S)
        first = first or next((a for a in alerts if a.firing), None)
    return Outcome(rec, first)


def at_device_rate(rec: Recording, device_hz: float | None = DEVICE_HZ) -> Recording:
    """The recording as a wearable would send it: at most ``device_hz`` (None: as recorded)."""
    if device_hz is None or rec.hz <= device_hz:
        return rec
    return replace(rec, hz=device_hz, g=resample(rec.g, rec.hz, device_hz))


def score_all(recs: Iterable[Recording], *, rules: Mapping[str, Rule] | None = None) -> list[Score]:
    """Run every recording (already at its device rate) through the detector."""
    scores: dict[tuple[str, str], Score] = {}
    for rec in recs:
        key = (rec.dataset, rec.placement)
        score = scores.setdefault(key, Score(rec.dataset, rec.placement, rec.hz))
        score.add(run_recording(rec, rules=rules))
    return list(scores.values())


def evaluate_falls_dev(
    root: Path,
    *,
    cross_subject: bool = True,
    subsample: int = 1,
    device_hz: float | None = DEVICE_HZ,
) -> FallsDevReport:
    """Sensitivity and specificity per dataset and placement on falls-dev.

    ``device_hz`` is the wearable rate recordings above it are resampled to
    (None: as recorded); ``subsample`` keeps every n-th file (fast checks); ``cross_subject``
    adds the SisFall waist check of thresholds tuned on half the subjects and
    scored on the other half. A missing folder gives a report that says so.
    """
    if not (root / "MANIFEST.csv").is_file():
        return FallsDevReport(root, found=False)
    started = time.perf_counter()
    recs = [at_device_rate(r, device_hz) for r in recordings(root, subsample=subsample)]
    report = FallsDevReport(root, found=True, scores=score_all(recs))
    if cross_subject:
        from alerting.evaluation.falls_tuning import cross_subject_checks

        report.cross = cross_subject_checks([r for r in recs if r.dataset == "SisFall"])
    report.seconds = time.perf_counter() - started
    return report


def median_or_nan(values: list[float]) -> float:
    return median(values) if values else float("nan")
