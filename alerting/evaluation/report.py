"""The evaluation as text for a terminal (``shouhu evaluate``)."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Sequence
from statistics import median

from alerting.evaluation.scoring import HIGH_EMERGENCIES, MATCHES, KindScore, Score
from shouhu.facility import Facility

# target latencies from the true onset, in seconds
TARGETS = {"sos": 1.0, "cardiac_arrest": 30.0, "fall": 15.0, "chest_distress": 60.0}
TARGET_FALSE_PER_NIGHT = 0.1
ORDER = (
    "sos",
    "fall",
    "fall_cancelled",
    "chest_distress",
    "chest_distress (gradual)",
    "cardiac_arrest",
    "deterioration",
    "bed_exit",
    "device_offline",
    "battery_low",
    "device_removed",
)


def _duration(seconds: float) -> str:
    if math.isnan(seconds):
        return "-"
    if seconds < 120:
        return f"{seconds:.1f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def _row(ks: KindScore, score: Score, *, own_false: bool = True) -> str:
    lat = sorted(ks.latencies)
    med = _duration(median(lat)) if lat else "-"
    worst = _duration(lat[-1]) if lat else "-"
    raised = ", ".join(f"{p} {n}" for p, n in sorted(ks.priorities.items())) or "-"
    detector = MATCHES[ks.kind][0]
    name = ks.key if detector == ks.kind else f"{ks.key} ({detector})"
    sens = f"{100 * ks.sensitivity:5.1f}%" if ks.events else "  n/a"
    false = sum(1 for a in score.false_alarms if a.kind == detector)
    per_night = false / score.resident_nights if score.resident_nights else 0.0
    shown = f"{false:3d} {per_night:6.3f}" if own_false else f"{'(as ' + detector + ')':>10}"
    return (
        f"  {name:<30} {ks.events:5d} {ks.detected:8d}   {sens}   {med:>10} {worst:>10}"
        f"   {shown}   {raised}"
    )


def _targets(score: Score) -> list[tuple[str, bool, str]]:
    out = []
    highs = [k for k in score.kinds.values() if k.kind in HIGH_EMERGENCIES]
    missed = sum(k.events - k.detected for k in highs)
    out.append(("every high emergency detected", missed == 0, f"{missed} missed"))
    for kind, limit in TARGETS.items():
        ks = score.kinds.get(kind)
        if ks is None:
            continue  # no such event in this run
        if not ks.latencies:
            out.append((f"{kind} within {_duration(limit)}", False, "no detections"))
            continue
        worst = max(ks.latencies)
        out.append((f"{kind} within {_duration(limit)}", worst <= limit, f"max {_duration(worst)}"))
    rate = score.false_per_night
    out.append(
        (
            f"<= {TARGET_FALSE_PER_NIGHT} false high/medium alarms per resident-night",
            rate <= TARGET_FALSE_PER_NIGHT,
            f"{rate:.3f}",
        )
    )
    return out


def format_report(
    score: Score,
    *,
    facility: Facility,
    nights: int,
    residents: int,
    messages: int,
    rejected: int,
    seconds: float,
) -> str:
    lines = [
        f"Simulated nights: {nights} x {residents} residents = "
        f"{score.resident_nights:.0f} resident-nights (20:30-07:30 scored), "
        f"{messages:,} messages through gateway decode and AlertCore "
        f"({rejected} rejected) in {seconds:.0f} s",
        "",
        f"  {'event (detected by)':<30} {'count':>5} {'detected':>8}   sensitivity"
        f"  {'median':>10} {'max':>10}   false /night   raised as",
    ]
    for kind in ORDER:
        if kind in score.kinds:
            # a variant's false alarms are its kind's, a cancelled fall's are the fall row's
            own = kind != "fall_cancelled" and score.kinds[kind].variant == ""
            lines.append(_row(score.kinds[kind], score, own_false=own))
    lines.append(
        "  (latency: from the true onset to the first alert of the detecting kind;"
        " false: high/medium alarms of that kind matching no true event, per resident-night)"
    )
    lines += ["", *_false_alarms(score, facility), "", "Targets:"]
    for name, ok, figure in _targets(score):
        lines.append(f"  [{'ok' if ok else 'NOT MET'}] {name}: {figure}")
    for kind, limit in TARGETS.items():
        slowest = score.kinds.get(kind, KindScore(kind)).slowest
        late = [(x, what) for x, what in slowest if x > limit]
        if late:
            lines += ["", f"Slower than {_duration(limit)} ({kind}):"]
            lines += [f"  {_duration(x)}  {what}" for x, what in late]
    missed = [m for k in ORDER if k in score.kinds for m in score.kinds[k].missed]
    if missed:
        lines += ["", "Missed:", *(f"  {m}" for m in missed)]
    return "\n".join(lines)


def _false_alarms(score: Score, facility: Facility) -> Sequence[str]:
    false = score.false_alarms
    by_kind = Counter(f"{a.kind} ({a.priority.value})" for a in false)
    lines = [
        f"False high/medium alarms: {len(false)} in {score.resident_nights:.0f} resident-nights"
        f" = {score.false_per_night:.3f} per resident-night"
        f" (of {score.alarms} high/medium alarms raised)"
    ]
    if by_kind:
        lines.append("  by kind: " + ", ".join(f"{k} x{n}" for k, n in sorted(by_kind.items())))
    for a in false[:20]:
        at = dt.datetime.fromtimestamp(a.paged or a.opened, facility.tz).strftime("%a %H:%M")
        lines.append(f"  {at} {a.resident} {a.kind} {a.priority.value}: {a.evidence[:140]}")
    if len(false) > 20:
        lines.append(f"  ... and {len(false) - 20} more")
    return lines
