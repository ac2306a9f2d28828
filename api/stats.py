"""Response figures for the manager's review: pure functions over incidents.

Times are seconds from the incident opening to the first time each
milestone appears on its timeline. Incidents group by the facility's shift
(local time; an overnight shift belongs to the day it starts) or by ISO week.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from alerting.incidents import Incident
from shouhu.facility import Facility

MILESTONES = ("delivered", "accepted", "arrived", "resolved")
TECHNICAL_KINDS = frozenset({"device_offline", "battery_low", "device_removed", "paging_failure"})


def milestones(incident: Incident) -> dict[str, float | None]:
    """Seconds from opening to the first delivered, accepted, arrived and resolved event."""
    out: dict[str, float | None] = dict.fromkeys(MILESTONES)
    for event in incident.timeline:
        if event.type in out and out[event.type] is None:
            out[event.type] = max(0.0, event.ts - incident.opened_at)
    if out["resolved"] is None and incident.resolved_at is not None:
        out["resolved"] = max(0.0, incident.resolved_at - incident.opened_at)
    return out


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100) with linear interpolation; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100.0
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def shift_of(facility: Facility, ts: float) -> tuple[str, str]:
    """(the date the shift started, the shift id) for a moment, in facility time."""
    local = dt.datetime.fromtimestamp(ts, facility.tz)
    for shift in facility.shifts:
        if not shift.span.contains(local.time()):
            continue
        start = dt.time.fromisoformat(shift.start)
        day = local.date()
        if dt.time.fromisoformat(shift.end) <= start and local.time() < start:
            day -= dt.timedelta(days=1)
        return day.isoformat(), shift.id
    return local.date().isoformat(), "off-shift"


def week_of(facility: Facility, ts: float) -> str:
    year, week, _ = dt.datetime.fromtimestamp(ts, facility.tz).isocalendar()
    return f"{year}-W{week:02d}"


@dataclass
class Figures:
    group: str
    incidents: int = 0
    clinical: int = 0
    resolved: int = 0
    false_alarms: int = 0
    night_alarms: int = 0
    nights: float = 0.0
    times: dict[str, list[float]] = field(default_factory=lambda: {m: [] for m in MILESTONES})

    def as_dict(self, residents: int) -> dict[str, object]:
        resident_nights = residents * self.nights
        return {
            "group": self.group,
            "incidents": self.incidents,
            "clinical": self.clinical,
            "resolved": self.resolved,
            **{
                f"{m}_{name}_s": _round(percentile(self.times[m], q))
                for m in MILESTONES
                for name, q in (("median", 50), ("p90", 90))
            },
            "alarms_per_resident_night": (
                round(self.night_alarms / resident_nights, 4) if resident_nights else None
            ),
            "false_alarm_share": (
                round(self.false_alarms / self.resolved, 4) if self.resolved else None
            ),
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def figures(
    facility: Facility,
    incidents: Iterable[Incident],
    *,
    by: str,
    since: float,
    until: float,
    residents: int | None = None,
) -> list[dict[str, object]]:
    """Figures per shift (``by="shift"``) or ISO week (``by="week"``), oldest first."""
    groups: dict[str, Figures] = {}
    for incident in incidents:
        key = _group_key(facility, incident.opened_at, by)
        figs = groups.setdefault(key, Figures(key))
        figs.incidents += 1
        if incident.kind.value in TECHNICAL_KINDS:
            continue
        figs.clinical += 1
        if incident.outcome is not None:
            figs.resolved += 1
            figs.false_alarms += incident.outcome == "false_alarm"
        if facility.is_night(incident.opened_at):
            figs.night_alarms += 1
        for name, seconds in milestones(incident).items():
            if seconds is not None:
                figs.times[name].append(seconds)
    if by == "week":
        for key, nights in _nights_per_week(facility, since, until).items():
            groups.setdefault(key, Figures(key)).nights = nights
    else:
        for key, figs in groups.items():
            figs.nights = 1.0 if _overlaps_night(facility, key.split(" ")[-1]) else 0.0
    count = len(facility.residents) if residents is None else residents
    return [groups[k].as_dict(count) for k in sorted(groups)]


def _group_key(facility: Facility, ts: float, by: str) -> str:
    if by == "week":
        return week_of(facility, ts)
    day, shift = shift_of(facility, ts)
    return f"{day} {shift}"


def _overlaps_night(facility: Facility, shift_id: str) -> bool:
    """Whether a shift covers the facility's night (then a shift holds one night)."""
    shift = next((s for s in facility.shifts if s.id == shift_id), None)
    if shift is None:
        return False
    night = facility.facility.night
    return shift.span.contains(dt.time.fromisoformat(night.start)) or night.contains(
        dt.time.fromisoformat(shift.start)
    )


def _nights_per_week(facility: Facility, since: float, until: float) -> dict[str, float]:
    """How many facility nights start in each ISO week of [since, until)."""
    out: dict[str, float] = {}
    start = dt.datetime.fromtimestamp(since, facility.tz).date()
    end = dt.datetime.fromtimestamp(until, facility.tz).date()
    night = dt.time.fromisoformat(facility.facility.night.start)
    day = start
    while day <= end and (day - start).days <= 3700:
        begins = dt.datetime.combine(day, night, facility.tz).timestamp()
        if since <= begins < until:
            key = week_of(facility, begins)
            out[key] = out.get(key, 0.0) + 1
        day += dt.timedelta(days=1)
    return out
