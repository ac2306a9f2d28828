from __future__ import annotations

from alerting.detectors.devices import DeviceFaultDetector
from shouhu.domain import Alert, AlertKind, DeviceEvent, DeviceStatus, Priority, Reading
from tests.alerting.detectors.helpers import at, band, bed, facility, firing, run


def both(start: float, seconds: int, *, in_bed: bool = True, worn: bool = True) -> list[Reading]:
    out = []
    for i in range(seconds):
        out.append(bed("r-1", start + i, presence=in_bed))
        out.append(band("r-1", start + i + 0.5, worn=worn, battery=80.0))
    return out


def mine(alerts: list[Alert]) -> list[Alert]:
    """r-1's wearable and bed only (the test facility's other devices stay silent)."""
    return [a for a in alerts if a.device in ("wb-1", "bed-1")]


def test_last_will_at_night_with_the_resident_unwatched_is_medium() -> None:
    t = at("02:00")
    d = DeviceFaultDetector(facility())
    readings = both(t, 60, in_bed=False)
    alerts = run(d, readings)
    alerts += d.feed(DeviceStatus("t", "wb-1", "r-1", t + 61, online=False))
    alerts += d.tick(t + 62)
    [alert] = firing(mine(alerts))
    assert alert.kind is AlertKind.DEVICE_OFFLINE and alert.device == "wb-1"
    assert alert.priority is Priority.MEDIUM
    assert "last will" in alert.evidence and "Nothing else is monitoring" in alert.evidence


def test_last_will_while_the_bed_watches_is_low() -> None:
    t = at("02:00")
    d = DeviceFaultDetector(facility())
    alerts = run(d, both(t, 60, in_bed=True))
    alerts += d.feed(DeviceStatus("t", "wb-1", "r-1", t + 61, online=False))
    alerts += run(d, [bed("r-1", t + 61 + i) for i in range(10)])
    [alert] = firing(mine(alerts))
    assert alert.priority is Priority.LOW


def test_silence_counts_after_two_minutes_and_clears_when_heard_again() -> None:
    t = at("14:00")
    d = DeviceFaultDetector(facility())
    run(d, both(t, 10))
    beds = [bed("r-1", t + 10 + i) for i in range(200)]
    alerts = run(d, beds)
    [offline] = firing(mine(alerts))
    assert offline.device == "wb-1" and 120 <= offline.ts - (t + 9.5) <= 126  # 5 s scans
    assert offline.priority is Priority.LOW  # daytime
    back = run(d, both(t + 210, 40))
    assert [a.firing for a in mine(back)] == [False]


def test_battery_low_with_hysteresis() -> None:
    t = at("14:00")
    d = DeviceFaultDetector(facility())
    levels = [40, 21, 20, 19, 25, 29, 31, 12]
    alerts = run(d, [band("r-1", t + i, battery=float(b)) for i, b in enumerate(levels)])
    assert [(a.kind, a.firing) for a in mine(alerts)] == [
        (AlertKind.BATTERY_LOW, True),
        (AlertKind.BATTERY_LOW, False),
        (AlertKind.BATTERY_LOW, True),
    ]
    assert "battery at 19 %" in alerts[0].evidence and alerts[0].priority is Priority.LOW


def test_removed_in_bed_is_low_and_out_of_bed_at_night_medium() -> None:
    t = at("02:00")
    d = DeviceFaultDetector(facility())
    alerts = run(d, both(t, 45, in_bed=True, worn=False))
    [low] = firing(mine(alerts))
    assert low.kind is AlertKind.DEVICE_REMOVED and low.priority is Priority.LOW
    assert 30 <= low.ts - t <= 36  # confirmed after 30 s, on the next 5 s scan
    alerts = run(d, both(t + 45, 60, in_bed=False, worn=False))
    [medium] = firing(mine(alerts))
    assert medium.priority is Priority.MEDIUM and medium.onset == low.onset


def test_removed_event_is_immediate_and_worn_clears() -> None:
    t = at("14:00")
    d = DeviceFaultDetector(facility())
    run(d, both(t, 5))
    alerts = d.feed(DeviceEvent("t", "wb-1", "r-1", t + 5, "removed")) + d.tick(t + 5)
    assert [(a.kind, a.firing) for a in mine(alerts)] == [(AlertKind.DEVICE_REMOVED, True)]
    alerts = d.feed(DeviceEvent("t", "wb-1", "r-1", t + 9, "worn")) + d.tick(t + 9)
    assert [(a.kind, a.firing) for a in mine(alerts)] == [(AlertKind.DEVICE_REMOVED, False)]


def test_monitoring_starts_with_the_first_message_not_the_clock() -> None:
    d = DeviceFaultDetector(facility())
    assert d.tick(0.0) == []  # an event clock before any message
    t = at("02:00")
    alerts = run(d, both(t, 150))
    silent = {a.device for a in firing(alerts)}
    assert silent == {"wb-copd", "bed-copd", "wb-beta", "bed-beta", "bed-10"}
    assert all(a.ts - t >= 120 for a in firing(alerts))
