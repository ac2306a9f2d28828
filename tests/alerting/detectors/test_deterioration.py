from __future__ import annotations

import pytest

from alerting.detectors.deterioration import DeteriorationDetector
from shouhu.domain import Alert, Priority, Reading
from tests.alerting.detectors.helpers import at, band, bed, facility, firing, run

START = at("14:00")


def minutes(resident: str, n: int, *, start: float = START, **values: float) -> list[Reading]:
    """``n`` minutes of 1 Hz readings holding ``values`` (rr from the bed, the rest the band)."""
    out: list[Reading] = []
    for second in range(n * 60):
        ts = start + second
        if "rr" in values:
            out.append(bed(resident, ts, rr=values["rr"]))
        band_values = {k: v for k, v in values.items() if k != "rr"}
        if band_values:
            out.append(band(resident, ts + 0.5, **band_values))
    return out


def alerts(resident: str, n: int = 10, **values: float) -> list[Alert]:
    return firing(run(DeteriorationDetector(facility()), minutes(resident, n, **values)))


CASES = [
    ("normal", "r-1", {"rr": 16, "spo2": 97, "hr": 70}, None),
    ("NEWS2 4", "r-1", {"rr": 22, "spo2": 95, "hr": 95}, None),
    ("single 3: breathing 25", "r-1", {"rr": 25, "spo2": 97, "hr": 70}, Priority.MEDIUM),
    ("single 3: pulse 40", "r-beta", {"rr": 16, "spo2": 97, "hr": 40}, Priority.MEDIUM),
    ("NEWS2 6", "r-1", {"rr": 22, "spo2": 93, "hr": 112}, Priority.MEDIUM),
    ("NEWS2 7", "r-1", {"rr": 22, "spo2": 92, "hr": 131}, Priority.HIGH),
    ("NEWS2 8", "r-1", {"rr": 26, "spo2": 91, "hr": 115}, Priority.HIGH),
    ("COPD at their usual 88%", "r-copd", {"rr": 18, "spo2": 88, "hr": 80}, None),
    ("COPD falling to 83%", "r-copd", {"rr": 18, "spo2": 83, "hr": 80}, Priority.MEDIUM),
    ("configured low baseline: Scale 2", "r-low", {"rr": 18, "spo2": 90, "hr": 80}, None),
    ("blunted pulse 48", "r-beta", {"rr": 16, "spo2": 96, "hr": 48}, None),
    ("only the pulse measured", "r-1", {"hr": 70}, None),
]


@pytest.mark.parametrize(
    ("name", "resident", "values", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_news2_levels(
    name: str, resident: str, values: dict[str, float], expected: Priority | None
) -> None:
    raised = alerts(resident, **values)
    if expected is None:
        assert raised == []
    else:
        assert raised and raised[0].priority is expected
        assert raised[0].ts - START <= 6 * 60  # three minutes to measure, two to persist


def test_unmeasured_parameters_are_named_in_the_evidence() -> None:
    alert = alerts("r-1", rr=26, hr=70)[0]
    assert "not measured: SpO2, temperature, systolic blood pressure" in alert.evidence
    assert "respiration rate 26/min (3)" in alert.evidence


def test_a_brief_spike_does_not_alarm() -> None:
    readings = minutes("r-1", 5, rr=16, spo2=97, hr=70)
    readings += minutes("r-1", 1, start=START + 300, rr=30, spo2=88, hr=140)
    readings += minutes("r-1", 10, start=START + 360, rr=16, spo2=97, hr=70)
    assert firing(run(DeteriorationDetector(facility()), readings)) == []


def test_clears_after_ten_minutes_of_normal_values() -> None:
    readings = minutes("r-1", 8, rr=26, spo2=97, hr=70)
    readings += minutes("r-1", 20, start=START + 480, rr=16, spo2=97, hr=70)
    out = run(DeteriorationDetector(facility()), readings)
    raised, cleared = [a for a in out if a.firing], [a for a in out if not a.firing]
    assert len({a.onset for a in raised}) == 1  # one episode: the raise and evidence updates
    assert len(cleared) == 1 and cleared[0] == out[-1] and "settled" in cleared[0].evidence
    assert cleared[0].ts - (START + 480) >= 600
