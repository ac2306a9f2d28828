"""Ground truth: what the simulator made happen to whom, and when, for scoring detectors.

One record per scripted emergency, written as JSON Lines beside the messages.
``onset`` is when a perfect observer could first know (the impact of a fall,
the press of a button, the first minute of a chest-distress course); ``end``
is when the condition stops being present in the data (the scenario's end
if nothing resolves it).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal, get_args

TruthKind = Literal[
    "sos",
    "fall",
    "fall_cancelled",
    "chest_distress",
    "cardiac_arrest",
    "deterioration",
    "bed_exit",
    "device_offline",
    "battery_low",
    "device_removed",
]
TRUTH_KINDS: tuple[str, ...] = get_args(TruthKind)


@dataclass(frozen=True, slots=True)
class TruthEvent:
    resident: str
    kind: TruthKind
    onset: float  # Unix seconds
    end: float  # Unix seconds; equal to onset for instantaneous events (an SOS press)
    severity: float  # 0..1 as scripted
    detail: str  # human-readable course, e.g. "HR +31/min, RR +9/min, SpO2 -6 % over 6 min"
    device: str | None = None  # the device concerned, for device faults and presses
    exercise: bool = False  # a drill, not a real emergency
    variant: str = ""  # how it ran, where a kind has several courses (chest distress: gradual)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)


def write_truth(path: str | Path, events: Iterable[TruthEvent]) -> int:
    """Write events as JSON Lines, ordered by onset; return how many."""
    ordered = sorted(events, key=lambda e: (e.onset, e.resident, e.kind))
    Path(path).write_text("".join(e.to_json() + "\n" for e in ordered), encoding="utf-8")
    return len(ordered)


def read_truth(path: str | Path) -> list[TruthEvent]:
    out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            out.append(TruthEvent(**json.loads(line)))
    return out
