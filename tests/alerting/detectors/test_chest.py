from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pytest

from alerting.baselines import BaselineBook
from alerting.detectors.chest import ChestDistressDetector
from shouhu.domain import Priority, Reading
from tests.alerting.detectors.helpers import at, band, bed, facility, firing, run

USUAL = {"hr": 62.0, "rr": 15.0, "spo2": 96.0, "movement": 0.03}
EPISODE_START = 45 * 60  # seconds into the night: baselines learned by then


@dataclass
class Night:
    resident: str = "r-1"
    usual: dict[str, float] = field(default_factory=lambda: dict(USUAL))
    episode: dict[str, float] = field(default_factory=dict)  # signal -> value during it
    episode_s: float = 120.0
    ramp_s: float = 20.0
    seconds: float = EPISODE_START + 600
    seed: int = 1
    blind_while_moving: bool = False  # the bed reads no hr/rr while the body moves (bursts)

    def readings(self) -> Iterator[Reading]:
        rng = np.random.default_rng(self.seed)
        start = at("23:00")
        for second in range(int(self.seconds)):
            ts = start + second
            v = self.values(second)
            if rng.random() > 0.2:  # bed sensors miss a fifth of their samples
                movement = abs(v["movement"] + rng.normal(0, 0.02))
                bursting = (second - EPISODE_START) % 30 < 20
                if self.blind_while_moving and 0 <= second - EPISODE_START < self.episode_s:
                    movement = 0.5 if bursting else 0.04
                vitals = (
                    {}
                    if self.blind_while_moving and movement > 0.25
                    else {
                        "hr": v["hr"] + rng.normal(0, 2),
                        "rr": v["rr"] + rng.normal(0, 0.7),
                    }
                )
                yield bed(self.resident, ts, movement=movement, **vitals)
            moving = self.blind_while_moving and 0 <= second - EPISODE_START < self.episode_s
            if moving and (second - EPISODE_START) % 30 < 20:  # motion artifacts: no pulse
                yield band(self.resident, ts + 0.5, spo2=v["spo2"])
            else:
                yield band(self.resident, ts + 0.5, hr=v["hr"] + rng.normal(0, 2), spo2=v["spo2"])

    def values(self, second: int) -> dict[str, float]:
        into = second - EPISODE_START
        if not 0 <= into < self.episode_s:
            return self.usual
        share = min(1.0, into / self.ramp_s) if self.ramp_s else 1.0
        return {
            k: self.usual[k] + share * (self.episode.get(k, self.usual[k]) - self.usual[k])
            for k in self.usual
        }


def alerts_of(night: Night) -> list:  # type: ignore[type-arg]
    detector = ChestDistressDetector(facility(), BaselineBook(facility()))
    return run(detector, night.readings())


CASES = [
    ("a quiet night", {}, None),
    ("heart rate alone", {"hr": 100}, None),
    ("fast breathing alone", {"rr": 28}, None),
    ("falling SpO2 alone", {"spo2": 89}, None),
    ("restless alone", {"movement": 0.6}, None),
    ("heart rate and fast breathing", {"hr": 100, "rr": 28}, Priority.MEDIUM),
    ("breathless and restless, the pulse held down", {"rr": 28, "movement": 0.3}, Priority.HIGH),
    ("somewhat fast breathing and restless", {"rr": 20, "movement": 0.3}, None),
    ("three signs", {"hr": 100, "rr": 28, "spo2": 90}, Priority.HIGH),
    ("all four signs", {"hr": 105, "rr": 30, "spo2": 89, "movement": 0.6}, Priority.HIGH),
]


@pytest.mark.parametrize(("name", "episode", "expected"), CASES, ids=[c[0] for c in CASES])
def test_concordant_signs(name: str, episode: dict[str, float], expected: Priority | None) -> None:
    alerts = firing(alerts_of(Night(episode=episode)))
    if expected is None:
        assert alerts == []
        return
    assert alerts, f"{name}: no alert"
    first = alerts[0]
    assert first.priority is expected
    latency = first.ts - (at("23:00") + EPISODE_START)
    limit = 60 if expected is Priority.HIGH else 90
    assert latency <= limit, f"{name}: raised {latency:.0f} s after onset"


def test_arousal_with_movement_and_a_faster_pulse_does_not_alarm() -> None:
    night = Night(episode={"hr": 90, "movement": 0.6}, episode_s=40, ramp_s=5)
    assert firing(alerts_of(night)) == []


def test_one_low_spo2_sample_is_an_artifact() -> None:
    readings = list(Night().readings())
    i = next(i for i, r in enumerate(readings) if r.spo2 and r.ts > at("23:50"))
    readings[i] = band("r-1", readings[i].ts, hr=110, spo2=70)
    detector = ChestDistressDetector(facility())
    assert firing(run(detector, readings)) == []


def test_measured_against_the_residents_own_blunted_heart_rate() -> None:
    usual = {"hr": 50.0, "rr": 14.0, "spo2": 95.0, "movement": 0.03}
    night = Night("r-beta", usual=usual, episode={"hr": 72, "rr": 24, "spo2": 90})
    alerts = firing(alerts_of(night))
    assert alerts and alerts[0].priority is Priority.HIGH
    assert re.search(r"heart rate 7\d/min \(usual asleep 5\d\)", alerts[0].evidence)


def test_chronic_low_spo2_does_not_alarm_all_night() -> None:
    usual = {"hr": 75.0, "rr": 19.0, "spo2": 89.0, "movement": 0.05}
    assert firing(alerts_of(Night("r-copd", usual=usual, seconds=4 * 3600))) == []


def test_evidence_names_signals_values_and_durations() -> None:
    alerts = alerts_of(Night(episode={"hr": 105, "rr": 30, "spo2": 89, "movement": 0.6}))
    text = firing(alerts)[0].evidence
    assert "heart rate" in text and "breathing" in text and "SpO2" in text
    assert re.search(r"heart rate 10\d/min \(usual asleep 6\d\) for \d+ s", text)


def test_one_alert_per_episode_and_it_clears_afterwards() -> None:
    alerts = alerts_of(Night(episode={"hr": 105, "rr": 30, "spo2": 89}, episode_s=300))
    raised = [a for a in alerts if a.firing]
    assert raised[0].priority is Priority.HIGH
    assert all(a.onset == raised[0].onset for a in raised)
    assert len(raised) <= 2  # the raise, and at most one evidence refresh
    cleared = [a for a in alerts if not a.firing]
    assert len(cleared) == 1 and cleared[0].ts > raised[-1].ts


def test_signs_hold_while_the_bed_cannot_read_a_moving_body() -> None:
    """20 s of movement in every 30 s blank the rates: no data is not a normal reading."""
    night = Night(episode={"hr": 104, "rr": 29, "spo2": 96}, episode_s=300, blind_while_moving=True)
    night.usual = dict(USUAL)
    alerts = alerts_of(night)
    raised = [a for a in alerts if a.firing]
    assert raised and raised[0].priority is Priority.HIGH
    assert raised[0].ts - (at("23:00") + EPISODE_START) <= 60
    cleared = [a for a in alerts if not a.firing]
    assert all(c.ts > at("23:00") + EPISODE_START + 300 for c in cleared)  # never mid-episode
