from __future__ import annotations

import pytest

from alerting.detectors.bed_exit import BedExitDetector
from shouhu.domain import Priority, Reading
from tests.alerting.detectors.helpers import at, bed, facility, firing, run


def presence(
    resident: str, spans: list[tuple[str, str, bool | None]], day: int = 2
) -> list[Reading]:
    """1 Hz bed readings: (from HH:MM, to HH:MM, presence) spans; None = no presence field."""
    out = []
    for start, end, present in spans:
        t0, t1 = at(start, day), at(end, day)
        if t1 <= t0:
            t1 = at(end, day + 1)
        for second in range(int(t1 - t0)):
            out.append(bed(resident, t0 + second, presence=present, hr=60.0))
    return out


CASES = [
    (
        "out 21 min at night",
        "r-1",
        [("01:50", "02:00", True), ("02:00", "02:21", False)],
        2 * 3600 + 20 * 60,
    ),
    (
        "back after 10 min",
        "r-1",
        [("01:50", "02:00", True), ("02:00", "02:10", False), ("02:10", "02:40", True)],
        None,
    ),
    (
        "own limit of 10 min",
        "r-10",
        [("01:50", "02:00", True), ("02:00", "02:11", False)],
        2 * 3600 + 10 * 60,
    ),
    ("left before night falls", "r-1", [("20:50", "21:00", True), ("21:00", "22:40", False)], None),
    ("up for the day at 06:55", "r-1", [("06:40", "06:55", True), ("06:55", "07:30", False)], None),
    ("turning over at the edge", "r-1", [("01:50", "02:00", True), ("02:00", "02:00", True)], None),
    ("sensor stops saying", "r-1", [("01:50", "02:00", True), ("02:00", "02:40", None)], None),
]


@pytest.mark.parametrize(("name", "resident", "spans", "due"), CASES, ids=[c[0] for c in CASES])
def test_bed_exit(name: str, resident: str, spans: list, due: float | None) -> None:  # type: ignore[type-arg]
    alerts = firing(run(BedExitDetector(facility()), presence(resident, spans)))
    if due is None:
        assert alerts == []
        return
    [alert] = alerts
    assert alert.priority is Priority.MEDIUM
    assert 0 <= alert.ts - (at("00:00") + due) <= 1
    assert "Out of bed since 02:00" in alert.evidence


def test_a_short_flicker_is_not_an_exit() -> None:
    readings = presence("r-1", [("01:50", "02:00", True)])
    readings += [bed("r-1", at("02:00") + i, presence=False) for i in range(5)]
    readings += presence("r-1", [("02:00", "02:40", True)])[5:]
    assert firing(run(BedExitDetector(facility()), readings)) == []


def test_cleared_when_back_in_bed() -> None:
    spans = [("01:50", "02:00", True), ("02:00", "02:30", False), ("02:30", "02:35", True)]
    alerts = run(BedExitDetector(facility()), presence("r-1", spans))
    assert [a.firing for a in alerts] == [True, False]
    assert alerts[1].evidence == "Back in bed."
