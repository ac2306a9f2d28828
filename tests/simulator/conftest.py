"""Shared scenarios for the simulator's tests."""

from __future__ import annotations

import datetime as dt

from shouhu.facility import Facility
from simulator.scenario import Scenario, ScriptedEvent


def night_start(facility: Facility, hour: int = 21) -> float:
    return dt.datetime(2026, 11, 29, hour, 0, tzinfo=facility.tz).timestamp()


def scenario(
    facility: Facility,
    *,
    hours: float = 1.0,
    seed: int = 7,
    events: list[ScriptedEvent] | None = None,
    residents: list[str] | None = None,
    start_hour: int = 1,
) -> Scenario:
    start = dt.datetime(2026, 11, 30, start_hour, 0, tzinfo=facility.tz).timestamp()
    return Scenario(
        facility=facility,
        start=start,
        duration_s=hours * 3600,
        seed=seed,
        events=events or [],
        residents=residents,
    )
