from __future__ import annotations

import pytest

from alerting.detectors.news2 import (
    score_hr,
    score_news2,
    score_rr,
    score_spo2,
    score_temp,
)
from shouhu.domain import Priority


@pytest.mark.parametrize(
    ("rr", "points"),
    [
        (4, 3),
        (8, 3),
        (8.4, 3),
        (8.5, 1),
        (9, 1),
        (11, 1),
        (12, 0),
        (20, 0),
        (20.4, 0),
        (20.5, 2),
        (21, 2),
        (24, 2),
        (25, 3),
        (40, 3),
    ],
)
def test_respiration_rate(rr: float, points: int) -> None:
    assert score_rr(rr) == points


@pytest.mark.parametrize(
    ("spo2", "points"),
    [(80, 3), (91, 3), (91.4, 3), (91.5, 2), (92, 2), (93, 2), (94, 1), (95, 1), (96, 0), (100, 0)],
)
def test_spo2_scale_1(spo2: float, points: int) -> None:
    assert score_spo2(spo2, scale=1) == points


@pytest.mark.parametrize(
    ("spo2", "points"),
    [(75, 3), (83, 3), (84, 2), (85, 2), (86, 1), (87, 1), (88, 0), (90, 0), (92, 0), (93, 0)],
)
def test_spo2_scale_2_on_air(spo2: float, points: int) -> None:
    assert score_spo2(spo2, scale=2) == points


@pytest.mark.parametrize(
    ("hr", "points"),
    [
        (30, 3),
        (40, 3),
        (41, 1),
        (50, 1),
        (51, 0),
        (90, 0),
        (91, 1),
        (110, 1),
        (111, 2),
        (130, 2),
        (131, 3),
        (180, 3),
    ],
)
def test_pulse(hr: float, points: int) -> None:
    assert score_hr(hr) == points


@pytest.mark.parametrize(
    ("temp", "points"),
    [
        (34.0, 3),
        (35.0, 3),
        (35.04, 3),
        (35.05, 1),
        (35.1, 1),
        (36.0, 1),
        (36.1, 0),
        (38.0, 0),
        (38.1, 1),
        (39.0, 1),
        (39.1, 2),
        (41.0, 2),
    ],
)
def test_temperature(temp: float, points: int) -> None:
    assert score_temp(temp) == points


@pytest.mark.parametrize(
    ("values", "total", "priority"),
    [
        ({"rr": 16, "spo2": 97, "hr": 70, "temp": 37.0}, 0, None),
        ({"rr": 22, "spo2": 95, "hr": 95}, 4, None),
        ({"rr": 22, "spo2": 94, "hr": 95, "temp": 38.5}, 5, Priority.MEDIUM),
        ({"rr": 25, "spo2": 97, "hr": 70}, 3, Priority.MEDIUM),  # a single 3
        ({"rr": 22, "spo2": 93, "hr": 112}, 6, Priority.MEDIUM),
        ({"rr": 22, "spo2": 93, "hr": 112, "temp": 38.5}, 7, Priority.HIGH),
        ({"rr": 26, "spo2": 91, "hr": 115}, 8, Priority.HIGH),
        ({"spo2": 90, "hr": 70}, 3, Priority.MEDIUM),
    ],
)
def test_aggregate_and_priority(
    values: dict[str, float], total: int, priority: Priority | None
) -> None:
    news = score_news2(**values)
    assert news.total == total
    assert news.priority == priority


def test_scale_2_spares_a_copd_resident_at_their_usual_saturation() -> None:
    assert score_news2(rr=18, spo2=89, hr=80, scale=2).priority is None
    assert score_news2(rr=18, spo2=89, hr=80, scale=1).priority is Priority.MEDIUM


def test_parameters_not_measured_are_named_never_scored_as_normal() -> None:
    news = score_news2(hr=72)
    assert news.points == {"hr": 0}
    for missing in ("respiration rate", "SpO2", "temperature", "systolic blood pressure"):
        assert missing in news.missing
    text = news.describe()
    assert "pulse 72/min (0)" in text and "not measured: respiration rate" in text
