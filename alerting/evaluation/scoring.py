"""Score alerts against the simulator's ground truth.

Pure: alerts and truth events in, figures out. A nurse sees an *alarm*
when a condition opens (or an open one rises to ``medium`` or ``high``);
evidence updates and clears are not alarms. An alarm is explained when the
resident had a true event, within its time window, of a kind the alarm's
kind can stand for (a collapse in cardiac arrest may also read as chest
distress); every other ``high``/``medium`` alarm is a false alarm.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from shouhu.domain import Alert, Priority

# truth kind -> (the alert kind that detects it, alert kinds it explains)
MATCHES: dict[str, tuple[str, frozenset[str]]] = {
    "sos": ("sos", frozenset({"sos"})),
    "fall": ("fall", frozenset({"fall", "bed_exit"})),
    "fall_cancelled": ("fall", frozenset({"fall"})),
    "chest_distress": (
        "chest_distress",
        frozenset({"chest_distress", "deterioration", "no_vital_signs"}),
    ),
    "cardiac_arrest": (
        "no_vital_signs",
        frozenset({"no_vital_signs", "chest_distress", "deterioration", "fall", "bed_exit"}),
    ),
    "deterioration": ("deterioration", frozenset({"deterioration", "chest_distress"})),
    "bed_exit": ("bed_exit", frozenset({"bed_exit"})),
    "device_offline": ("device_offline", frozenset({"device_offline", "device_removed"})),
    "battery_low": ("battery_low", frozenset({"battery_low", "device_offline"})),
    "device_removed": ("device_removed", frozenset({"device_removed", "device_offline"})),
}
HIGH_EMERGENCIES = ("sos", "fall", "chest_distress", "cardiac_arrest")
BEFORE_S = 120.0  # an alarm this long before the true onset still counts
AFTER_S = 900.0  # ... and this long after the true end
# A device that died or went away stays so: its faults are explained until the night ends.
SLOWEST = 5  # detections kept per kind for the report, slowest first
LASTING = frozenset({"battery_low", "device_removed", "device_offline", "cardiac_arrest"})


class Truth(Protocol):
    @property
    def resident(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def onset(self) -> float: ...
    @property
    def end(self) -> float: ...
    @property
    def detail(self) -> str: ...
    @property
    def variant(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Alarm:
    """A condition as a nurse meets it: when it opened, and its highest priority."""

    resident: str | None
    kind: str
    opened: float
    priority: Priority
    paged: float | None  # when it first reached medium or high
    evidence: str


def alarms_of(alerts: Iterable[Alert]) -> list[Alarm]:
    """Fold an alert stream into alarms (one per opening of a condition)."""
    rank = {Priority.LOW: 1, Priority.MEDIUM: 2, Priority.HIGH: 3}
    open_: dict[tuple[str, str | None, str, str], Alarm] = {}
    done: list[Alarm] = []
    for a in alerts:
        cond = a.condition
        current = open_.get(cond)
        if not a.firing:
            if current is not None:
                done.append(open_.pop(cond))
            continue
        paged = a.ts if a.priority is not Priority.LOW else None
        if current is None:
            open_[cond] = Alarm(a.resident, a.kind.value, a.ts, a.priority, paged, a.evidence)
        elif rank[a.priority] > rank[current.priority]:
            open_[cond] = Alarm(
                current.resident,
                current.kind,
                current.opened,
                a.priority,
                current.paged if current.paged is not None else paged,
                a.evidence,
            )
    return sorted([*done, *open_.values()], key=lambda x: x.opened)


@dataclass
class KindScore:
    kind: str
    variant: str = ""
    events: int = 0
    detected: int = 0
    latencies: list[float] = field(default_factory=list)
    priorities: Counter[str] = field(default_factory=Counter)
    missed: list[str] = field(default_factory=list)
    slowest: list[tuple[float, str]] = field(default_factory=list)  # (latency, which event)

    @property
    def key(self) -> str:
        return f"{self.kind} ({self.variant})" if self.variant else self.kind

    @property
    def sensitivity(self) -> float:
        return self.detected / self.events if self.events else float("nan")


@dataclass
class Score:
    kinds: dict[str, KindScore]
    resident_nights: float
    false_alarms: list[Alarm]
    alarms: int

    @property
    def false_per_night(self) -> float:
        return len(self.false_alarms) / self.resident_nights if self.resident_nights else 0.0

    def merge(self, other: Score) -> Score:
        kinds: dict[str, KindScore] = {}
        for source in (self.kinds, other.kinds):
            for k, s in source.items():
                t = kinds.setdefault(k, KindScore(s.kind, s.variant))
                t.events += s.events
                t.detected += s.detected
                t.latencies += s.latencies
                t.priorities += s.priorities
                t.missed += s.missed
                t.slowest = sorted([*t.slowest, *s.slowest], reverse=True)[:SLOWEST]
        return Score(
            kinds,
            self.resident_nights + other.resident_nights,
            self.false_alarms + other.false_alarms,
            self.alarms + other.alarms,
        )


def _in_window(ts: float, t: Truth, *, explaining: bool = False) -> bool:
    if explaining and t.kind in LASTING:
        return t.onset - BEFORE_S <= ts
    return t.onset - BEFORE_S <= ts <= t.end + AFTER_S


def score(
    alerts: Sequence[Alert],
    truth: Sequence[Truth],
    *,
    resident_nights: float,
    scored_from: float = float("-inf"),
    label: str = "",
) -> Score:
    """Sensitivity, latency and false alarms; alarms opened before ``scored_from`` are ignored."""
    alarms = [a for a in alarms_of(alerts) if a.opened >= scored_from]
    kinds: dict[str, KindScore] = {}
    for t in truth:
        detector, _ = MATCHES[t.kind]
        ks = KindScore(t.kind, t.variant)
        ks = kinds.setdefault(ks.key, ks)
        ks.events += 1
        hits = [
            a
            for a in alarms
            if a.resident == t.resident and a.kind == detector and _in_window(a.opened, t)
        ]
        if hits:
            first = min(hits, key=lambda a: a.opened)
            ks.detected += 1
            latency = max(0.0, first.opened - t.onset)
            ks.latencies.append(latency)
            ks.slowest.append((latency, f"{label} {t.resident}: {t.detail}".strip()))
            ks.slowest = sorted(ks.slowest, reverse=True)[:SLOWEST]
            ks.priorities[max(hits, key=lambda a: a.priority.rank).priority.value] += 1
        else:
            ks.missed.append(f"{label} {t.resident}: {t.detail}".strip())
    false = [
        a
        for a in alarms
        if a.paged is not None
        and not any(
            a.resident == t.resident
            and a.kind in MATCHES[t.kind][1]
            and _in_window(a.paged, t, explaining=True)
            for t in truth
        )
    ]
    paged = sum(1 for a in alarms if a.paged is not None)
    return Score(kinds, resident_nights, false, paged)
