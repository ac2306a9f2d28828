from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from shouhu.errors import ConfigError
from simulator.scenario import load_scenario, parse_duration, parse_scenario
from tests.conftest import ROOT

SCENARIOS = sorted((ROOT / "examples" / "scenarios").glob("*.yaml"))
BASE = ROOT / "examples" / "scenarios"

GOOD = """\
name: test
facility: ../facility.yaml
start: "2026-11-29 21:00"
duration: 10h
seed: 4
events:
  - {at: "02:13", resident: r-007, kind: chest_distress, severity: 0.8}
  - {at: "+90m", resident: r-002, kind: sos}
  - {at: "2026-11-29 23:00", resident: r-005, kind: device_offline, duration: 30m}
"""


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_example_scenarios_load(path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.duration_s > 0
    assert all(scenario.start <= e.at < scenario.end for e in scenario.events)


def test_times_are_local_to_the_facility_and_follow_the_start() -> None:
    scenario = parse_scenario(GOOD, base=BASE)
    tz = scenario.facility.tz
    local = [dt.datetime.fromtimestamp(e.at, tz) for e in scenario.events]
    assert dt.datetime.fromtimestamp(scenario.start, tz) == dt.datetime(
        2026, 11, 29, 21, 0, tzinfo=tz
    )
    assert local[0] == dt.datetime(2026, 11, 30, 2, 13, tzinfo=tz)  # the next 02:13
    assert local[1] == dt.datetime(2026, 11, 29, 22, 30, tzinfo=tz)
    assert scenario.events[2].duration_s == 1800
    assert scenario.duration_s == 36000 and scenario.seed == 4


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("resident: r-007, kind: chest", "resident: r-099, kind: chest", 7, "events[0].resident"),
        ("kind: sos", "kind: heart_attack", 8, "events[1].kind"),
        ('"+90m"', '"+90 minutes"', 8, "expected a duration"),
        ('"02:13"', '"25:13"', 7, "events[0].at"),
        ("duration: 10h", "duration: ten hours", 4, "duration"),
        ("duration: 10h", "duration: 72h", 4, "at most 48 h"),
        ("severity: 0.8", "severity: 8", 7, "less than or equal to 1"),
        ("facility: ../facility.yaml", "facility: ../nowhere.yaml", 2, "cannot read facility"),
        ('start: "2026-11-29 21:00"', 'start: "tonight"', 3, "start"),
        ('"2026-11-29 23:00"', '"2026-12-30 23:00"', 9, "outside the scenario"),
    ],
)
def test_errors_name_the_file_and_line(old: str, new: str, line: int, message: str) -> None:
    text = GOOD.replace(old, new)
    assert text != GOOD
    with pytest.raises(ConfigError) as caught:
        parse_scenario(text, source="night.yaml", base=BASE)
    assert str(caught.value).startswith(f"night.yaml:{line}:"), str(caught.value)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("text", "seconds"), [("9h", 32400), ("1h30m", 5400), ("90m", 5400), ("45s", 45), (60, 60)]
)
def test_durations(text: str | int, seconds: float) -> None:
    assert parse_duration(text) == seconds
