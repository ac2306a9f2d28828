"""The evaluation suite: simulated facility nights with scripted emergencies.

Each night simulates every resident of the facility file (24 in the
example: COPD, atrial fibrillation, beta-blockers, heart failure, dementia
and Parkinson's among them) from 20:00 to 07:30 with the simulator's
realistic devices (bed sensors missing 20-30 % of samples, motion
artifacts, clock skew, duplicated and late messages). On every night twelve
residents meet one scripted event each, drawn from the seed; the other
residents' nights are quiet nights. The first ``WARMUP_S`` are not scored:
a monitor has been running before any night (and the simulator's vital
signs settle from a start-up transient in their first minutes). Nights are split into groups of
residents so they run in parallel: the simulator gives every resident their
own random stream, so a group's messages are the same as in the whole night.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from shouhu.facility import Facility
from simulator.scenario import Scenario, ScriptedEvent

NIGHT_START = dt.time(20, 0)
WARMUP_S = 1800.0
NIGHT_HOURS = 11.0  # scored, after the warm-up
GROUP = 4  # residents per task
FIRST_NIGHT = dt.date(2026, 3, 2)

# (kind, earliest, latest local start); times as hours after midnight, negative before it.
# "chest_distress:gradual" is chest distress without its abrupt start (scored in its own row).
PLAN: tuple[tuple[str, float, float], ...] = (
    ("chest_distress", 0.5, 4.5),
    ("chest_distress", 0.5, 4.5),
    ("cardiac_arrest", 0.0, 5.0),
    ("fall", -1.0, 5.0),
    ("fall_cancelled", -1.0, 5.0),
    ("sos", -1.0, 5.5),
    ("deterioration", -1.5, 0.0),
    ("bed_exit", 0.0, 4.5),
    ("device_offline", -1.0, 4.0),
    ("battery_low", -1.0, 3.0),
    ("device_removed", -1.0, 4.0),
    ("chest_distress:gradual", 0.5, 4.5),
)


@dataclass(frozen=True, slots=True)
class Task:
    """One unit of work: a group of residents over one night."""

    night: int
    scenario: Scenario
    warmup_s: float = WARMUP_S

    @property
    def scored_from(self) -> float:
        return self.scenario.start + self.warmup_s

    @property
    def resident_nights(self) -> float:
        scored = self.scenario.duration_s - self.warmup_s
        return len(self.scenario.simulated) * scored / (NIGHT_HOURS * 3600)


def night_start(facility: Facility, night: int, start: dt.time = NIGHT_START) -> float:
    day = FIRST_NIGHT + dt.timedelta(days=night)
    return dt.datetime.combine(day, start, tzinfo=facility.tz).timestamp()


def events_for(facility: Facility, night: int, *, seed: int) -> list[ScriptedEvent]:
    """The night's scripted events, each on a different resident."""
    rng = np.random.default_rng([seed, night])
    order = rng.permutation(len(facility.residents))
    midnight = night_start(facility, night, dt.time(0, 0)) + 86400
    out = []
    for i, (kind, early, late) in enumerate(PLAN):
        resident = facility.residents[int(order[i % len(order)])]
        at = midnight + float(rng.uniform(early, late)) * 3600
        out.append(_event(facility, resident.id, kind, at, rng))
    return out


def _event(
    facility: Facility, resident: str, kind: str, at: float, rng: np.random.Generator
) -> ScriptedEvent:
    kind, _, course = kind.partition(":")
    fields: dict[str, object] = {"severity": float(rng.uniform(0.5, 1.0))}
    if course:
        fields["course"] = course
    if kind == "fall":
        fields["outcome"] = "still" if rng.random() < 0.5 else "struggling"
        fields["device_event"] = bool(rng.random() < 0.5)
    elif kind == "deterioration":
        fields["duration_s"] = float(rng.uniform(2, 4)) * 3600  # the rise
    elif kind == "device_offline":
        devices = [d for d in facility.devices if d.resident == resident and d.kind != "button"]
        fields["device"] = devices[int(rng.integers(len(devices)))].id
        fields["duration_s"] = float(rng.uniform(15, 45)) * 60
    return ScriptedEvent(at=at, resident=resident, kind=kind, **fields)  # type: ignore[arg-type]


def suite(facility: Facility, *, nights: int = 5, seed: int = 0, group: int = GROUP) -> list[Task]:
    """``nights`` facility nights, split into tasks of ``group`` residents."""
    tasks = []
    ids = [r.id for r in facility.residents]
    for night in range(nights):
        events = events_for(facility, night, seed=seed)
        for i in range(0, len(ids), group):
            chosen = ids[i : i + group]
            scenario = Scenario(
                facility=facility,
                start=night_start(facility, night),
                duration_s=NIGHT_HOURS * 3600 + WARMUP_S,
                seed=seed * 1000 + night,
                residents=chosen,
                events=[e for e in events if e.resident in chosen],
                name=f"night {night + 1}",
            )
            tasks.append(Task(night, scenario))
    return tasks


# The reduced suite of the test run: one of each high emergency, on residents
# with COPD, atrial fibrillation with a beta-blocker, heart failure with a
# beta-blocker and dementia (a restless sleeper), from 21:30 to 03:30.
QUICK: tuple[tuple[str, str, float], ...] = (
    ("r-003", "chest_distress", 1.0),
    ("r-004", "cardiac_arrest", 1.5),
    ("r-006", "fall", 0.5),
    ("r-007", "sos", 0.75),
)


def quick_suite(facility: Facility, *, seed: int = 0) -> list[Task]:
    """A few residents' shortened night with one of each high emergency (for tests)."""
    start = night_start(facility, 0, dt.time(21, 30))
    midnight = night_start(facility, 0, dt.time(0, 0)) + 86400
    rng = np.random.default_rng(seed)
    events = [
        _event(facility, resident, kind, midnight + hours * 3600, rng)
        for resident, kind, hours in QUICK
    ]
    scenario = Scenario(
        facility=facility,
        start=start,
        duration_s=6 * 3600,
        seed=seed,
        residents=[resident for resident, _, _ in QUICK],
        events=events,
        name="quick",
    )
    return [Task(0, scenario)]
