from __future__ import annotations

import datetime as dt

import pytest

from alerting.duty import for_target, on_shift, responsible_nurses, zone_nurses
from shouhu.facility import Facility


def at(facility: Facility, day: int, hh: int, mm: int = 0) -> float:
    # 2026-11-30 is a Monday.
    monday = dt.datetime(2026, 11, 30, hh, mm, tzinfo=facility.tz)
    return (monday + dt.timedelta(days=day)).timestamp()


@pytest.mark.parametrize(
    ("hh", "mm", "expected"),
    [
        (6, 59, ["n-e-night"]),
        (7, 0, ["n-e-day1", "n-e-day2"]),
        (18, 59, ["n-e-day1", "n-e-day2"]),
        (19, 0, ["n-e-night"]),
        (23, 30, ["n-e-night"]),
        (0, 0, ["n-e-night"]),
        (2, 13, ["n-e-night"]),
    ],
)
def test_zone_nurses_across_shift_boundaries(
    facility: Facility, hh: int, mm: int, expected: list[str]
) -> None:
    assert [s.id for s in zone_nurses(facility, "east", at(facility, 0, hh, mm))] == expected


def test_overnight_shift_belongs_to_the_day_it_starts(facility: Facility) -> None:
    nurse = facility.member("n-e-night")
    assert nurse is not None
    weekdays_only = nurse.model_copy(update={"days": ["mon"]})
    assert on_shift(facility, weekdays_only, at(facility, 0, 23))  # Monday night
    assert on_shift(facility, weekdays_only, at(facility, 1, 3))  # still Monday's shift
    assert not on_shift(facility, weekdays_only, at(facility, 1, 23))  # Tuesday night
    assert not on_shift(facility, weekdays_only, at(facility, -1, 3))  # Sunday's shift


def test_resident_pages_go_to_their_zone(facility: Facility) -> None:
    assert [s.id for s in responsible_nurses(facility, "r-013", at(facility, 0, 2))] == [
        "n-w-night"
    ]


def test_without_zone_nurses_the_charge_nurse_is_paged(facility: Facility) -> None:
    no_zone_nurses = facility.model_copy(
        update={"staff": [s for s in facility.staff if s.role != "nurse"]}
    )
    assert [s.id for s in responsible_nurses(no_zone_nurses, "r-001", at(facility, 0, 2))] == [
        "c-night"
    ]


@pytest.mark.parametrize(
    ("target", "day", "hh", "mm", "expected"),
    [
        ("zone_nurses", 0, 6, 59, ["n-e-night"]),
        ("zone_nurses", 0, 7, 0, ["n-e-day1", "n-e-day2"]),
        ("charge_nurse", 0, 18, 59, ["c-day"]),
        ("charge_nurse", 0, 19, 0, ["c-night"]),
        ("charge_nurse", 1, 0, 30, ["c-night"]),  # Monday's night shift, after midnight
        ("all_nurses", 0, 2, 13, ["n-e-night", "n-w-night", "c-night"]),
        ("all_nurses", 0, 12, 0, ["n-e-day1", "n-e-day2", "n-w-day1", "n-w-day2", "c-day"]),
        ("doctor", 0, 3, 0, ["d-oncall"]),
        ("manager", 0, 12, 0, ["m-1"]),
        ("manager", 0, 23, 0, []),  # nobody: the step is recorded and the next comes at once
        ("emergency_services", 0, 3, 0, []),  # not a person
    ],
)
def test_who_each_escalation_target_names(
    facility: Facility, target: str, day: int, hh: int, mm: int, expected: list[str]
) -> None:
    found = for_target(facility, target, "r-007", at(facility, day, hh, mm))
    assert [s.id for s in found] == expected


def test_a_shift_change_at_midnight_on_a_weekday_roster(facility: Facility) -> None:
    """A Friday-only night nurse covers Saturday 03:00 but not Sunday 03:00."""
    nurse = facility.member("n-e-night")
    assert nurse is not None
    friday = nurse.model_copy(update={"days": ["fri"]})
    roster = facility.model_copy(
        update={"staff": [friday if s.id == "n-e-night" else s for s in facility.staff]}
    )
    assert [s.id for s in zone_nurses(roster, "east", at(facility, 4, 23, 59))] == ["n-e-night"]
    assert [s.id for s in zone_nurses(roster, "east", at(facility, 5, 3))] == ["n-e-night"]
    assert [s.id for s in zone_nurses(roster, "east", at(facility, 5, 7))] == [
        "n-e-day1",
        "n-e-day2",
    ]
    assert zone_nurses(roster, "east", at(facility, 6, 3)) == []
