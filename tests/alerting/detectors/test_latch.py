from __future__ import annotations

from alerting.detectors.latch import Latch
from shouhu.domain import Alert, AlertKind, Fact, Priority

SETTLED = Fact("news2.settled", score=Fact("news2.none"))
BACK = Fact("bed_exit.back")


def alert(ts: float, priority: Priority = Priority.MEDIUM, evidence: str = "e") -> Alert:
    return Alert("t", "r-1", AlertKind.DETERIORATION, priority, ts, evidence, onset=ts)


def test_raises_once_then_updates_quietly() -> None:
    latch = Latch(clear_after_s=60, refresh_s=300)
    assert latch.hold("r", alert(0)) == [alert(0)]
    assert latch.hold("r", alert(10, evidence="newer")) == []
    latest = latch.latest("r")
    assert latest is not None and latest.evidence == "newer" and latest.onset == 0


def test_a_rise_in_priority_is_passed_on_with_the_first_onset() -> None:
    latch = Latch(clear_after_s=60)
    latch.hold("r", alert(0))
    [update] = latch.hold("r", alert(30, Priority.HIGH))
    assert update.priority is Priority.HIGH and update.onset == 0 and update.firing
    assert latch.hold("r", alert(40, Priority.MEDIUM)) == []  # no flapping back down


def test_evidence_is_refreshed_at_most_every_refresh_period() -> None:
    latch = Latch(clear_after_s=60, refresh_s=300)
    latch.hold("r", alert(0))
    sent = [t for t in range(10, 1000, 10) if latch.hold("r", alert(t))]
    assert sent == [300, 600, 900]


def test_clears_only_after_the_hysteresis() -> None:
    latch = Latch(clear_after_s=60)
    latch.hold("r", alert(0))
    latch.hold("r", alert(10))
    assert latch.release("r", 50, SETTLED) == []
    [cleared] = latch.release("r", 70, SETTLED)
    assert not cleared.firing and cleared.ts == 70
    assert cleared.evidence == "Vital signs have settled: NEWS2 0." and cleared.facts == (SETTLED,)
    assert latch.release("r", 80, SETTLED) == []
    assert latch.hold("r", alert(90)) == [alert(90)]  # a new episode raises again


def test_drop_clears_at_once() -> None:
    latch = Latch(clear_after_s=600)
    latch.hold("r", alert(0))
    [cleared] = latch.drop("r", 1, BACK)
    assert not cleared.firing and cleared.evidence == "Back in bed." and cleared.facts == (BACK,)
    assert not latch.is_open("r")
