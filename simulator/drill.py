"""Drills: a scripted emergency sent into a live facility, marked as an exercise end to end.

A drill runs its scenario from now, in real time, for the residents its events
name and nobody else. Every message of theirs carries ``exercise: true``, so
Shouhu's pages say it is a drill, emergency services are never called, and
response figures are kept apart. Drill a resident whose real devices are not
reporting at the same time (a training resident and device in the facility
file, e.g. ``r-drill`` with ``wb-drill``), or their real and simulated
readings will mix.
"""

from __future__ import annotations

from pathlib import Path

from shouhu.errors import ConfigError
from simulator.scenario import Scenario, load_scenario, starting_at


def as_drill(scenario: Scenario, *, now: float) -> Scenario:
    """``scenario`` from ``now`` (whole seconds), only its events' residents, all exercise."""
    if not scenario.events:
        raise ConfigError("a drill needs at least one scripted event")
    moved = starting_at(scenario, now)
    events = [e.model_copy(update={"exercise": True}) for e in moved.events]
    residents = sorted({e.resident for e in events})
    return moved.model_copy(update={"events": events, "residents": residents, "speed": 1.0})


def drill_scenario(path: str | Path, *, now: float) -> Scenario:
    return as_drill(load_scenario(path), now=now)
