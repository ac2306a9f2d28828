"""The fall detector, pinned by tables of synthetic motions under an injected clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pytest

from alerting.detectors import default_detectors
from alerting.detectors.fall import DEVICE_GRACE_S, GRACE_S, UP_AGAIN_S, FallDetector
from shouhu.domain import AccBatch, Alert, DeviceEvent, Priority, Reading
from shouhu.facility import Facility, parse_facility
from tests.alerting.detectors.motion import (
    Phase,
    free_fall,
    impact,
    jog,
    lie,
    render,
    stand,
    walk,
)

T0 = 1_700_000_000.0  # 2023-11-14 22:13:20 UTC, 06:13:20 in Shanghai
FACILITY = """
facility: {id: f1, name: Test home, address: "1 Road", timezone: Asia/Shanghai}
zones: [{id: z1, name: Ward}]
residents:
  - {id: r-waist, name: Wang, age: 84, room: "101", zone: z1}
  - {id: r-pendant, name: Li, age: 88, room: "102", zone: z1}
  - {id: r-wrist, name: Zhang, age: 79, room: "103", zone: z1}
devices:
  - {id: wb-waist, kind: wearable, resident: r-waist, placement: waist}
  - {id: wb-pendant, kind: wearable, resident: r-pendant, placement: pendant}
  - {id: wb-wrist, kind: wearable, resident: r-wrist, placement: wrist}
staff: []
"""
RESIDENT = {"wb-waist": "r-waist", "wb-pendant": "r-pendant", "wb-wrist": "r-wrist"}


@pytest.fixture(scope="module")
def facility() -> Facility:
    return parse_facility(FACILITY)


def fall(peak_g: float = 4.0, *, angle: float = 90.0, then: float = 20.0) -> list[Phase]:
    return [walk(6), free_fall(), impact(peak_g, angle), lie(then, angle)]


def stream(
    detector: FallDetector,
    phases: list[Phase],
    *,
    device: str = "wb-waist",
    hz: float = 50.0,
    events: tuple[tuple[float, str], ...] = (),
    skew: float = 0.0,
) -> list[Alert]:
    """Send the motion as 1 s batches with 1 s ticks; events at their offsets.

    ``skew``: the wearable's clock runs this far ahead of the service's."""
    g = render(phases, hz)
    alerts: list[Alert] = []
    pending = sorted(events)
    per = round(hz)
    for k in range(len(g) // per):
        ts = T0 + k
        while pending and pending[0][0] <= k:
            at, kind = pending.pop(0)
            event = DeviceEvent("f1", device, RESIDENT[device], T0 + at + skew, kind)
            alerts += detector.feed(event)
        batch = AccBatch(hz=hz, g=g[k * per : (k + 1) * per])
        alerts += detector.feed(Reading("f1", device, RESIDENT[device], ts + skew, acc=batch))
        alerts += detector.tick(ts + 1)
    return alerts


def impact_ts(phases: list[Phase]) -> float:
    return T0 + sum(
        p.seconds for p in phases[: next(i for i, p in enumerate(phases) if p.kind == "spike")]
    )


CASES = [
    # (what happens, motion, device, rate, expected priority or None)
    ("hard impact, then lying still", fall(), "wb-waist", 50, Priority.HIGH),
    ("the same at 20 Hz", fall(), "wb-waist", 20, Priority.HIGH),
    ("the same at 200 Hz", fall(), "wb-waist", 200, Priority.HIGH),
    ("the same at 33 Hz", fall(), "wb-waist", 33, Priority.HIGH),
    ("pendant", fall(3.0), "wb-pendant", 50, Priority.HIGH),
    ("wrist, harder impact", fall(5.0, angle=80), "wb-wrist", 50, Priority.HIGH),
    ("wrist at 20 Hz", fall(5.0, angle=80), "wb-wrist", 20, Priority.HIGH),
    ("fall onto the side, 70 degrees", fall(3.0, angle=70), "wb-waist", 50, Priority.HIGH),
    (
        "impact, then up again and walking",
        [walk(6), free_fall(), impact(5.0, 90), lie(1.5), stand(1), walk(20)],
        "wb-waist",
        50,
        None,
    ),
    (
        "jump: hard landing, standing after",
        [stand(5), free_fall(0.3), impact(4.5, 0), stand(20)],
        "wb-waist",
        50,
        None,
    ),
    (
        "dropping hard onto a chair",
        [walk(5), free_fall(0.3), impact(3.5, 20), stand(20, 20)],
        "wb-waist",
        50,
        None,
    ),
    (
        "stumble, then walking on",
        [walk(6), impact(4.0, 10), walk(20)],
        "wb-waist",
        200,
        None,
    ),
    ("jogging", [jog(30)], "wb-waist", 50, None),
    ("lying down gently on the bed", [stand(6), lie(20)], "wb-waist", 50, None),
    ("soft impact, then lying (below 2 g)", fall(1.7), "wb-waist", 50, None),
    ("wrist: clap-like 2.5 g knock", fall(2.5, angle=80), "wb-wrist", 50, None),
    (
        "wrist: 6 g, forearm ends as it was, lying still",
        [walk(6), free_fall(), impact(6.0, 10), stand(20, 10)],
        "wb-wrist",
        50,
        Priority.HIGH,
    ),
    (
        "waist: 6 g, trunk stays upright and still (collapsing into a chair)",
        [walk(6), free_fall(), impact(6.0, 10), stand(20, 10)],
        "wb-waist",
        50,
        None,
    ),
    (
        "wrist: 4 g, forearm ends as it was",
        [walk(6), free_fall(), impact(4.0, 10), stand(20, 10)],
        "wb-wrist",
        50,
        None,
    ),
]


@pytest.mark.parametrize(
    ("motion", "device", "hz", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_motion_table(
    facility: Facility, motion: list[Phase], device: str, hz: float, expected: Priority | None
) -> None:
    alerts = [a for a in stream(FallDetector(facility), motion, device=device, hz=hz) if a.firing]
    if expected is None:
        assert alerts == []
        return
    assert alerts, "no fall alert"
    first = alerts[0]
    assert first.priority is expected
    assert first.resident == RESIDENT[device]
    assert first.ts - impact_ts(motion) <= 15.0  # impact to alert, grace included
    assert abs((first.onset or 0) - impact_ts(motion)) < 0.1


CANCELS = [
    # (cancel pressed at this many seconds after the impact, priority, evidence mentions)
    (None, Priority.HIGH, "lying still"),
    (3.0, Priority.MEDIUM, "pressed cancel at 06:13:29; check on them anyway"),
    (GRACE_S - 1.0, Priority.MEDIUM, "check on them anyway"),
]


@pytest.mark.parametrize(("after", "priority", "words"), CANCELS)
def test_cancel_within_grace_downgrades(
    facility: Facility, after: float | None, priority: Priority, words: str
) -> None:
    motion = fall()
    at = impact_ts(motion) - T0
    events = () if after is None else ((round(at + after), "cancel"),)
    alerts = [a for a in stream(FallDetector(facility), motion, events=events) if a.firing]
    assert [a.priority for a in alerts] == [priority]
    assert words in alerts[0].evidence
    assert alerts[0].ts - impact_ts(motion) <= 15.0


def test_cancel_after_the_alarm_is_noted_but_keeps_it_high(facility: Facility) -> None:
    motion = fall(then=30)
    late = round(impact_ts(motion) - T0 + GRACE_S + 5)
    alerts = stream(FallDetector(facility), motion, events=((late, "cancel"),))
    assert [a.priority for a in alerts] == [Priority.HIGH, Priority.HIGH]
    assert "after the alarm had gone out" in alerts[1].evidence
    assert alerts[1].onset == alerts[0].onset


def test_evidence_in_words(facility: Facility) -> None:
    (alert,) = stream(FallDetector(facility), fall(4.0))
    local = dt.datetime.fromtimestamp(alert.onset or 0, facility.tz).strftime("%H:%M:%S")
    assert alert.evidence.startswith(f"Hard impact (4.0 g) at {local}, then lying still for 8 s")
    assert alert.detail["source"] == "accelerometer"


DEVICE_EVENTS = [
    # (events as (seconds, type), expected priorities, alert time after the fall event)
    (((2, "fall"),), [Priority.HIGH], DEVICE_GRACE_S),
    (((2, "fall"), (5, "cancel")), [Priority.MEDIUM], 3.0),
    (((2, "cancel"), (2, "fall")), [Priority.MEDIUM], 0.0),
    (((2, "fall"), (2 + DEVICE_GRACE_S + 3, "cancel")), [Priority.HIGH, Priority.HIGH], 5.0),
]


@pytest.mark.parametrize(("events", "priorities", "delay"), DEVICE_EVENTS)
def test_device_side_fall_event(
    facility: Facility,
    events: tuple[tuple[float, str], ...],
    priorities: list[Priority],
    delay: float,
) -> None:
    detector = FallDetector(facility)
    alerts: list[Alert] = []
    for second in range(40):
        for at, kind in events:
            if at == second:
                alerts += detector.feed(DeviceEvent("f1", "wb-wrist", "r-wrist", T0 + at, kind))
        alerts += detector.tick(T0 + second + 1)
    assert [a.priority for a in alerts] == priorities
    first = alerts[0]
    assert first.onset == T0 + 2
    assert first.ts - (T0 + 2) <= max(delay, 0) + 1.0
    assert "The wearable detected a fall at" in first.evidence


def test_a_second_fall_updates_the_open_alert(facility: Facility) -> None:
    motion = [*fall(then=12), stand(5), free_fall(), impact(5.0, 80), lie(20, 80)]
    alerts = stream(FallDetector(facility), motion)
    assert len(alerts) == 2
    assert {a.condition for a in alerts} == {alerts[0].condition}
    assert alerts[1].onset == alerts[0].onset
    assert "5.0 g" in alerts[1].evidence


def test_up_again_clears_the_fall(facility: Facility) -> None:
    motion = [*fall(then=15), stand(UP_AGAIN_S + 5)]
    alerts = stream(FallDetector(facility), motion)
    assert [a.firing for a in alerts] == [True, False]
    assert alerts[1].evidence.startswith("Up again: upright since")


def test_wearable_silent_after_a_hard_impact(facility: Facility) -> None:
    detector = FallDetector(facility)
    g = render([walk(6), free_fall(), impact(5.0, 90), lie(1.0)], 50)
    alerts: list[Alert] = []
    for k in range(len(g) // 50):
        alerts += detector.feed(
            Reading("f1", "wb-waist", "r-waist", T0 + k, acc=AccBatch(50, g[k * 50 : (k + 1) * 50]))
        )
    for second in range(20):
        alerts += detector.tick(T0 + 8 + second)
    assert [a.priority for a in alerts] == [Priority.MEDIUM]
    assert "went silent" in alerts[0].evidence


def test_residents_are_judged_separately(facility: Facility) -> None:
    detector = FallDetector(facility)
    falls = stream(detector, fall(), device="wb-waist")
    calm = stream(detector, [walk(30)], device="wb-pendant")
    assert [a.resident for a in falls] == ["r-waist"]
    assert calm == []


def test_a_batch_from_the_past_is_ignored(facility: Facility) -> None:
    detector = FallDetector(facility)
    g = render([stand(3)], 50)
    for k in range(3):
        detector.feed(
            Reading("f1", "wb-waist", "r-waist", T0 + k, acc=AccBatch(50, g[k * 50 : (k + 1) * 50]))
        )
    spike = np.tile([0.0, 6.0, 0.0], (50, 1))
    assert (
        detector.feed(Reading("f1", "wb-waist", "r-waist", T0 - 30, acc=AccBatch(50, spike))) == []
    )


def test_registered_in_default_detectors(facility: Facility) -> None:
    assert any(isinstance(d, FallDetector) for d in default_detectors(facility))


BED = [
    # (bed presence reported each second after the impact, expected priority)
    (None, Priority.HIGH),  # no bed sensor
    (True, Priority.LOW),  # felt in bed all along: a hard turn in bed
    (False, Priority.HIGH),  # out of bed: a fall out of it
]


@pytest.mark.parametrize(("present", "priority"), BED)
def test_bed_presence_tells_a_turn_in_bed_from_a_fall(
    facility: Facility, present: bool | None, priority: Priority
) -> None:
    detector = FallDetector(facility)
    motion = fall()
    at = impact_ts(motion)
    if present is not None:
        for k in range(-5, 12, 2):  # a bed sensor that loses some samples
            detector.feed(Reading("f1", "bed-1", "r-waist", at + k, presence=present))
    alerts = stream(detector, motion)
    assert [a.priority for a in alerts] == [priority]


def _batches(g: np.ndarray, hz: int) -> list[Reading]:
    return [
        Reading("f1", "wb-waist", "r-waist", T0 + k, acc=AccBatch(hz, g[k * hz : (k + 1) * hz]))
        for k in range(len(g) // hz)
    ]


NETWORK = [
    # (what the network does to the batches, as a function of the list of batches)
    ("in order", lambda b: b),
    ("one batch lost after the impact", lambda b: b[:8] + b[9:]),
    ("two batches lost", lambda b: b[:9] + b[11:]),
    ("the impact's batch arrives 2 s late", lambda b: b[:6] + b[7:9] + [b[6]] + b[9:]),
    ("every batch twice", lambda b: [x for pair in zip(b, b, strict=True) for x in pair]),
    (
        "timestamps jitter by 0.1 s",
        lambda b: [replace(x, ts=x.ts + 0.1 * (i % 2)) for i, x in enumerate(b)],
    ),
]


@pytest.mark.parametrize("network", [n[1] for n in NETWORK], ids=[n[0] for n in NETWORK])
def test_lost_late_and_repeated_batches(
    facility: Facility, network: Callable[[list[Reading]], list[Reading]]
) -> None:
    motion = fall()
    detector = FallDetector(facility)
    alerts: list[Alert] = []
    for reading in network(_batches(render(motion, 50), 50)):
        alerts += detector.feed(reading)
        alerts += detector.tick(reading.ts + 1)
    assert [a.priority for a in alerts] == [Priority.HIGH]
    assert abs((alerts[0].onset or 0) - impact_ts(motion)) < 0.1
    assert "lying still" in alerts[0].evidence


def test_no_alarm_from_a_quiet_stream_with_losses(facility: Facility) -> None:
    detector = FallDetector(facility)
    batches = _batches(render([walk(20), stand(20), walk(20)], 50), 50)
    alerts: list[Alert] = []
    for k, reading in enumerate(batches):
        if k % 7 != 3:
            alerts += detector.feed(reading)
        alerts += detector.tick(reading.ts + 1)
    assert alerts == []


@pytest.mark.parametrize(
    ("event_after", "cancel_after", "priority"),
    [(4, None, Priority.HIGH), (12, None, Priority.HIGH), (12, 12.5, Priority.MEDIUM)],
)
def test_a_late_device_event_still_alerts_within_15_s_of_the_impact(
    facility: Facility, event_after: float, cancel_after: float | None, priority: Priority
) -> None:
    # the wrist stayed in the same orientation, so only the device's own algorithm saw a fall
    motion = [walk(6), free_fall(), impact(4.0, 10), stand(25, 10)]
    at = impact_ts(motion) - T0
    events = [(at + event_after, "fall")]
    if cancel_after is not None:
        events.append((at + cancel_after, "cancel"))
    alerts = stream(FallDetector(facility), motion, device="wb-wrist", events=tuple(events))
    assert [a.priority for a in alerts] == [priority]
    assert alerts[0].ts - impact_ts(motion) <= 15.0
    assert abs((alerts[0].onset or 0) - impact_ts(motion)) < 0.1
    assert "(hard impact 4.0 g at" in alerts[0].evidence


@pytest.mark.parametrize("skew", [-120.0, -2.0, 3.0, 600.0])
def test_a_wearable_clock_off_by_minutes(facility: Facility, skew: float) -> None:
    motion = fall()
    alerts = stream(FallDetector(facility), motion, skew=skew)
    assert [a.priority for a in alerts] == [Priority.HIGH]
    assert "lying still" in alerts[0].evidence
    assert alerts[0].ts - (impact_ts(motion) + skew) <= 15.0


@pytest.mark.parametrize("skew", [-120.0, 600.0])
def test_a_device_event_from_a_wearable_clock_off_by_minutes(
    facility: Facility, skew: float
) -> None:
    detector = FallDetector(facility)
    alerts = detector.feed(DeviceEvent("f1", "wb-wrist", "r-wrist", T0 + skew, "fall"))
    waited = 0
    while not alerts and waited < 60:
        waited += 1
        alerts = detector.tick(T0 + waited)
    assert [a.priority for a in alerts] == [Priority.HIGH]
    assert waited <= DEVICE_GRACE_S + 1


UNUSABLE = [
    ("a 5 Hz stream", 5.0, [[0.0, 6.0, 0.0]] * 5),
    ("a NaN in the batch", 50.0, [[0.0, 1.0, 0.0]] * 49 + [[float("nan"), 6.0, 0.0]]),
    ("an infinite value", 50.0, [[0.0, float("inf"), 0.0]] * 50),
]


@pytest.mark.parametrize(("hz", "g"), [u[1:] for u in UNUSABLE], ids=[u[0] for u in UNUSABLE])
def test_unusable_batches_are_skipped_with_a_warning(
    facility: Facility, hz: float, g: list[list[float]], caplog: pytest.LogCaptureFixture
) -> None:
    detector = FallDetector(facility)
    batch = AccBatch(hz=hz, g=np.array(g))
    for k in range(3):
        assert detector.feed(Reading("f1", "wb-waist", "r-waist", T0 + k, acc=batch)) == []
    assert len([r for r in caplog.records if "unusable" in r.getMessage()]) == 1
    # the stream's good batches still work
    assert [a.priority for a in stream(detector, fall())] == [Priority.HIGH]


def test_the_stream_and_the_device_event_make_one_alert_with_both_evidences(
    facility: Facility,
) -> None:
    motion = fall()
    at = impact_ts(motion) - T0
    alerts = stream(FallDetector(facility), motion, events=((round(at + 9), "fall"),))
    assert {a.condition for a in alerts} == {alerts[0].condition}
    assert {a.onset for a in alerts} == {alerts[0].onset}
    last = alerts[-1].evidence
    assert "lying still" in last and "The wearable detected a fall" in last


def test_a_cancel_never_raises_a_turn_in_bed(facility: Facility) -> None:
    detector = FallDetector(facility)
    motion = fall()
    at = impact_ts(motion)
    for k in range(0, 12, 2):
        detector.feed(Reading("f1", "bed-1", "r-waist", at + k, presence=True))
    alerts = stream(detector, motion, events=((round(at - T0 + 3), "cancel"),))
    assert [a.priority for a in alerts] == [Priority.LOW]
