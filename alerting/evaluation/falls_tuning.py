"""A cross-subject check of the fall thresholds (SisFall, waist).

The development recordings come from 11 SisFall subjects; other subjects are
held out for an independent evaluation. To see how much the thresholds owe to
the subjects they were looked at on, tune them on half the subjects (a small
grid over the impact and posture thresholds, judged by the same
``fall_features`` code the detector runs), then score the other half through
the real detector -- and the other way round.
"""

from __future__ import annotations

import itertools

from alerting.detectors.fall_features import (
    RULES,
    Impact,
    Rule,
    describe,
    find_impacts,
    magnitude,
)
from alerting.evaluation.falls_data import Recording
from alerting.evaluation.falls_dev import HOLD_S, CrossCheck, held, score_all

IMPACT_GRID = (1.5, 1.75, 2.0, 2.25, 2.5, 2.75, 3.0, 3.5)
TILT_GRID = (30.0, 40.0, 50.0, 60.0, 70.0)
ACTIVITY_GRID = (0.2, 0.3, 0.5)


def impacts_of(rec: Recording) -> list[Impact]:
    """Every impact above the lowest grid threshold, measured as the detector would."""
    g = held(rec.g, rec.hz, HOLD_S)
    found = (describe(g, rec.hz, i) for i in find_impacts(magnitude(g), rec.hz, IMPACT_GRID[0]))
    return [impact for impact in found if impact is not None]


def _rate(described: list[tuple[Recording, list[Impact]]], rule: Rule) -> tuple[float, float]:
    falls = adls = caught = false = 0
    for rec, impacts in described:
        hit = any(i.peak_g >= rule.impact_g and i.verdict(rule).value == "fall" for i in impacts)
        if rec.label == "fall":
            falls, caught = falls + 1, caught + hit
        else:
            adls, false = adls + 1, false + hit
    return caught / max(falls, 1), 1 - false / max(adls, 1)


def tune(described: list[tuple[Recording, list[Impact]]]) -> tuple[Rule, tuple[float, float]]:
    """The grid's rule with the best worse-of sensitivity and specificity."""
    best: tuple[tuple[float, float], Rule, tuple[float, float]] | None = None
    for impact_g, tilt, activity in itertools.product(IMPACT_GRID, TILT_GRID, ACTIVITY_GRID):
        rule = Rule(impact_g=impact_g, tilt_deg=tilt, activity_g=activity)
        se, sp = _rate(described, rule)
        merit = (min(se, sp), se + sp)
        if best is None or merit > best[0]:
            best = (merit, rule, (se, sp))
    assert best is not None
    return best[1], best[2]


def cross_subject_checks(recs: list[Recording]) -> list[CrossCheck]:
    """Tune on one half of the subjects, score the other half; both ways."""
    subjects = sorted({rec.subject for rec in recs})
    if len(subjects) < 2:
        return []
    halves = (tuple(subjects[::2]), tuple(subjects[1::2]))
    described = [(rec, impacts_of(rec)) for rec in recs]
    checks = []
    for tuned_on, scored_on in (halves, halves[::-1]):
        rule, tuned = tune([d for d in described if d[0].subject in tuned_on])
        rules = {**RULES, "waist": rule}
        held_out = [rec for rec in recs if rec.subject in scored_on]
        (score,) = score_all(held_out, rules=rules)
        checks.append(CrossCheck(tuned_on, rule, tuned, score))
    return checks
