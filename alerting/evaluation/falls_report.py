"""The falls-dev report as text for a terminal (``shouhu evaluate``)."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alerting.evaluation.falls_dev import FallsDevReport, Score

TARGET = 0.95  # waist: sensitivity and specificity


def _pct(value: float) -> str:
    return "   n/a" if value != value else f"{100 * value:5.1f}%"


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{k} x{v}" if v > 1 else k for k, v in sorted(counter.items())) or "none"


def _row(score: Score) -> str:
    delays = sorted(score.delays)
    delay = f"{delays[len(delays) // 2]:4.1f} / {delays[-1]:4.1f} s" if delays else "-"
    return (
        f"  {score.dataset:<8} {score.placement:<8} {score.hz:5.0f} Hz"
        f" {score.falls:6d} {score.adls:6d}   {_pct(score.sensitivity)}"
        f"      {_pct(score.specificity)}     {delay}"
    )


def format_report(report: FallsDevReport) -> str:
    if not report.found:
        return (
            f"Falls (real recordings): {report.root} not found -- skipped.\n"
            "  Put the falls-dev data set there (see docs/detection.md) to score the fall"
            " detector on it."
        )
    lines = [
        f"Falls (real recordings in {report.root}), through FallDetector in 1 s batches:",
        "  dataset  placement   rate  falls   ADLs   sensitivity  specificity"
        "  impact->alert median / max",
    ]
    lines += [_row(score) for score in report.scores]
    for score in report.scores:
        if score.missed_by_activity or score.false_by_activity:
            lines.append(
                f"  {score.dataset} {score.placement}: missed {_counts(score.missed_by_activity)};"
                f" false alarms {_counts(score.false_by_activity)}"
            )
    for check in report.cross:
        rule, held = check.rule, check.held_out
        lines.append(
            f"  cross-subject: tuned on {' '.join(check.tuned_on)}"
            f" (impact >= {rule.impact_g:g} g, turn >= {rule.tilt_deg:g} deg,"
            f" movement <= {rule.activity_g:g} g:"
            f" {_pct(check.tuned_score[0]).strip()} / {_pct(check.tuned_score[1]).strip()}),"
            f" on the other subjects {_pct(held.sensitivity).strip()}"
            f" / {_pct(held.specificity).strip()}"
        )
    waist = [s for s in report.scores if s.placement == "waist" and s.dataset == "SisFall"]
    for score in waist:
        met = score.sensitivity >= TARGET and score.specificity >= TARGET
        lines.append(
            f"  target (SisFall waist, both >= {TARGET:.0%}): {'met' if met else 'NOT met'}"
        )
    lines.append(f"  ({report.seconds:.0f} s)")
    return "\n".join(lines)
