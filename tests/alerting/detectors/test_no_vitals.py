from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from alerting.detectors.no_vitals import NoVitalSignsDetector
from shouhu.domain import AccBatch, Priority, Reading
from tests.alerting.detectors.helpers import at, band, bed, facility, firing, run

START = at("01:00")
ARREST = 600  # seconds into the recording


def recording(
    *,
    arrest: bool = True,
    dropout: float = 0.25,
    presence: bool = True,
    moving_after: bool = False,
    bed_on: bool = True,
    band_pulse: bool = False,
    band_worn: bool = True,
    seconds: int = 900,
    seed: int = 3,
) -> Iterator[Reading]:
    rng = np.random.default_rng(seed)
    still = AccBatch(25.0, np.tile([0.0, 0.0, 1.0], (25, 1)))
    shaking = AccBatch(25.0, rng.normal(0, 0.4, (25, 3)) + np.array([0.0, 0.0, 1.0]))
    for second in range(seconds):
        ts = START + second
        alive = not (arrest and second >= ARREST)
        if bed_on:
            vitals = alive and rng.random() > dropout
            movement = 0.02  # breathing moves the bed a little, even in deep sleep
            if second >= ARREST and arrest:
                movement = 0.5 if moving_after else 0.001
            yield bed(
                "r-1",
                ts,
                presence=presence,
                hr=60.0 if vitals else None,
                rr=14.0 if vitals else None,
                movement=movement,
            )
        if band_pulse or band_worn:
            pulse = 61.0 if band_pulse and alive and rng.random() > dropout else None
            acc = shaking if moving_after and second >= ARREST else still
            yield band("r-1", ts + 0.4, worn=band_worn, hr=pulse, acc=acc)


CASES = [
    ("bed: in bed, pulse and breathing stop", {}, True),
    ("bed: 25% dropouts for fifteen minutes", {"arrest": False}, False),
    ("bed: 30% dropouts", {"arrest": False, "dropout": 0.3, "seconds": 3600}, False),
    ("bed: 95% dropouts but breathing moves the bed", {"arrest": False, "dropout": 0.95}, False),
    ("bed: nobody in bed", {"presence": False}, False),
    ("bed: vitals lost while moving", {"moving_after": True}, False),
    ("wearable only: worn, pulse stops", {"bed_on": False, "band_pulse": True}, True),
    ("wearable and bed: 60% dropouts", {"arrest": False, "band_pulse": True, "dropout": 0.6}, 0),
    ("wearable and bed: pulse stops", {"band_pulse": True}, True),
    ("wearable only: never measured a pulse", {"bed_on": False, "band_pulse": False}, False),
    ("wearable: taken off", {"bed_on": False, "band_pulse": True, "band_worn": False}, False),
]


@pytest.mark.parametrize(("name", "kwargs", "alarms"), CASES, ids=[str(c[0]) for c in CASES])
def test_no_vital_signs(name: str, kwargs: dict[str, object], alarms: bool) -> None:
    alerts = firing(run(NoVitalSignsDetector(facility()), recording(**kwargs)))  # type: ignore[arg-type]
    if not alarms:
        assert alerts == []
        return
    assert len(alerts) == 1
    latency = alerts[0].ts - (START + ARREST)
    assert alerts[0].priority is Priority.HIGH
    assert 15 <= latency <= 30, f"raised {latency:.1f} s after the arrest"


def test_detected_by_the_tick_when_no_message_brings_it() -> None:
    readings = [r for r in recording(bed_on=False, band_pulse=True) if r.ts < START + ARREST + 3]
    detector = NoVitalSignsDetector(facility())
    assert firing(run(detector, readings)) == []
    alerts = detector.tick(START + ARREST + 25)
    assert alerts == []  # the band went silent too: offline, not "no pulse"


def test_evidence_and_clearing_when_vital_signs_return() -> None:
    detector = NoVitalSignsDetector(facility())
    alerts = run(detector, recording(seconds=ARREST + 60))
    [raised] = firing(alerts)
    assert "No heart rate or breathing detected for 20 s" in raised.evidence
    assert "in bed" in raised.evidence and "heart rate 60/min" in raised.evidence
    later = START + ARREST + 60
    back = [bed("r-1", later + i, hr=58.0, rr=12.0, movement=0.05) for i in range(20)]
    cleared = [a for a in run(detector, back) if not a.firing]
    assert len(cleared) == 1
