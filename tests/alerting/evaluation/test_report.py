from __future__ import annotations

import pytest

from alerting.evaluation.report import format_report
from alerting.evaluation.scoring import Alarm, KindScore, Score
from shouhu.cli import main
from shouhu.domain import Priority
from shouhu.facility import Facility


def test_the_report_names_figures_targets_and_false_alarms(facility: Facility) -> None:
    chest = KindScore("chest_distress", events=2, detected=2, latencies=[150.0, 200.0])
    arrest = KindScore("cardiac_arrest", events=1, detected=1, latencies=[22.0])
    chest.priorities["high"] = 2
    false = Alarm("r-001", "bed_exit", 1_772_400_000.0, Priority.MEDIUM, 1_772_400_000.0, "Out")
    score = Score({"chest_distress": chest, "cardiac_arrest": arrest}, 20.0, [false], 5)
    text = format_report(
        score, facility=facility, nights=1, residents=20, messages=10, rejected=0, seconds=1
    )
    assert "chest_distress" in text and "2.9 min" in text and "3.3 min" in text
    assert "cardiac_arrest (no_vital_signs)" in text and "22.0 s" in text
    assert "1 in 20 resident-nights = 0.050 per resident-night" in text
    assert "[NOT MET] chest_distress within 60.0 s: max 3.3 min" in text
    assert "[ok] cardiac_arrest within 30.0 s" in text
    assert "r-001 bed_exit medium" in text
    assert "high 2" in text
    assert "sos within" not in text  # no SOS in this run: no target to judge


@pytest.mark.parametrize("args", [["--nights", "0"], ["--workers", "0"]])
def test_evaluate_refuses_nonsense_counts(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["evaluate", *args]) == 2
    assert "at least 1" in capsys.readouterr().err
