"""A small facility and reading factories for detector tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from shouhu.domain import Alert, Observation, Reading
from shouhu.facility import Facility, parse_facility

FACILITY = """
facility:
  {id: t, name: Test home, address: here, timezone: UTC, night: {start: "22:00", end: "07:00"}}
zones: [{id: z, name: Zone}]
residents:
  - {id: r-1, name: One, age: 80, room: "1", zone: z}
  - {id: r-copd, name: Copd, age: 80, room: "2", zone: z, conditions: [COPD], baselines: {spo2: 90}}
  - {id: r-beta, name: Beta, age: 80, room: "3", zone: z, medications: [metoprolol]}
  - {id: r-low, name: Low, age: 80, room: "4", zone: z, baselines: {spo2: 91}}
  - {id: r-cfg, name: Cfg, age: 80, room: "5", zone: z, baselines: {hr_sleep: 55}}
  - {id: r-10, name: Ten, age: 80, room: "6", zone: z, bed_exit_minutes: 10}
devices:
  - {id: wb-1, kind: wearable, resident: r-1, placement: wrist}
  - {id: bed-1, kind: bed, resident: r-1}
  - {id: wb-copd, kind: wearable, resident: r-copd, placement: wrist}
  - {id: bed-copd, kind: bed, resident: r-copd}
  - {id: wb-beta, kind: wearable, resident: r-beta, placement: wrist}
  - {id: bed-beta, kind: bed, resident: r-beta}
  - {id: bed-10, kind: bed, resident: r-10}
  - {id: btn-1, kind: button, resident: r-1, placement: wall}
staff: []
"""


def facility() -> Facility:
    return parse_facility(FACILITY)


def at(hhmm: str, day: int = 2) -> float:
    """Unix seconds of HH:MM UTC on 2026-03-``day``."""
    hours, minutes = (int(p) for p in hhmm.split(":"))
    return dt.datetime(2026, 3, day, hours, minutes, tzinfo=dt.UTC).timestamp()


def bed(resident: str, ts: float, **values: object) -> Reading:
    values.setdefault("presence", True)
    return Reading("t", f"bed-{resident[2:]}", resident, ts, **values)  # type: ignore[arg-type]


def band(resident: str, ts: float, **values: object) -> Reading:
    values.setdefault("worn", True)
    return Reading("t", f"wb-{resident[2:]}", resident, ts, **values)  # type: ignore[arg-type]


def run(detector: object, observations: Iterable[Observation], *, tick: bool = True) -> list[Alert]:
    """Feed observations in order, ticking the clock as a service would."""
    out: list[Alert] = []
    for obs in observations:
        out.extend(detector.feed(obs))  # type: ignore[attr-defined]
        if tick:
            out.extend(detector.tick(obs.ts))  # type: ignore[attr-defined]
    return out


def firing(alerts: Sequence[Alert]) -> list[Alert]:
    return [a for a in alerts if a.firing]
