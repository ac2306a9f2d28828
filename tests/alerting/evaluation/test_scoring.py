from __future__ import annotations

from dataclasses import dataclass

import pytest

from alerting.evaluation.scoring import alarms_of, score
from shouhu.domain import Alert, AlertKind, Priority


@dataclass(frozen=True)
class T:
    resident: str
    kind: str
    onset: float
    end: float
    detail: str = ""
    variant: str = ""


def alert(
    ts: float,
    kind: AlertKind = AlertKind.CHEST_DISTRESS,
    priority: Priority = Priority.HIGH,
    *,
    resident: str = "r-1",
    firing: bool = True,
) -> Alert:
    return Alert("f", resident, kind, priority, ts, "e", firing=firing)


def test_updates_and_clears_are_not_new_alarms() -> None:
    alerts = [alert(10), alert(20), alert(30, firing=False), alert(40)]
    assert [a.opened for a in alarms_of(alerts)] == [10, 40]


def test_a_low_alarm_is_paged_when_it_rises() -> None:
    alerts = [
        alert(10, AlertKind.DEVICE_REMOVED, Priority.LOW),
        alert(50, AlertKind.DEVICE_REMOVED, Priority.MEDIUM),
    ]
    [alarm] = alarms_of(alerts)
    assert alarm.opened == 10 and alarm.paged == 50 and alarm.priority is Priority.MEDIUM


@pytest.mark.parametrize(
    ("alerts", "detected", "latency", "false"),
    [
        ([alert(1090)], 1, 90.0, 0),
        ([alert(1090, resident="r-2")], 0, None, 1),  # someone else's
        ([alert(500)], 0, None, 1),  # long before the onset
        ([alert(1090, AlertKind.DETERIORATION)], 0, None, 0),  # explained, but not detection
        ([alert(1090, AlertKind.BED_EXIT, Priority.MEDIUM)], 0, None, 1),
        ([alert(1090, AlertKind.DEVICE_REMOVED, Priority.LOW)], 0, None, 0),  # low: no page
    ],
)
def test_matching_alarms_to_truth(
    alerts: list[Alert], detected: int, latency: float | None, false: int
) -> None:
    s = score(alerts, [T("r-1", "chest_distress", 1000, 1600)], resident_nights=2)
    ks = s.kinds["chest_distress"]
    assert ks.detected == detected
    assert ks.latencies == ([latency] if latency is not None else [])
    assert len(s.false_alarms) == false
    assert s.false_per_night == false / 2


def test_alarms_before_the_scored_span_are_ignored() -> None:
    s = score([alert(10)], [], resident_nights=1, scored_from=100)
    assert s.false_alarms == [] and s.alarms == 0


def test_a_dead_battery_explains_the_device_offline_all_night() -> None:
    truth = [T("r-1", "battery_low", 1000, 2000)]
    late = alert(20000, AlertKind.DEVICE_OFFLINE, Priority.MEDIUM)
    assert score([late], truth, resident_nights=1).false_alarms == []


def test_a_variant_is_scored_in_its_own_row_and_the_slowest_are_kept() -> None:
    truth = [
        T("r-1", "chest_distress", 1000, 2000),
        T("r-2", "chest_distress", 1000, 2000, detail="silent build", variant="gradual"),
    ]
    alerts = [alert(1040, resident="r-1"), alert(1200, resident="r-2")]
    result = score(alerts, truth, resident_nights=2)
    assert set(result.kinds) == {"chest_distress", "chest_distress (gradual)"}
    gradual = result.kinds["chest_distress (gradual)"]
    assert gradual.latencies == [200] and gradual.slowest == [(200, "r-2: silent build")]
    assert result.kinds["chest_distress"].latencies == [40]
