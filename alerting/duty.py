"""Who is on duty for a resident at a moment: a pure function of the roster."""

from __future__ import annotations

import datetime as dt

from shouhu.facility import WEEKDAYS, Facility, Staff


def on_shift(facility: Facility, member: Staff, at: float) -> bool:
    """Whether ``member`` works at Unix time ``at`` (facility's local time).

    An overnight shift (19:00-07:00) belongs to the day it starts: Monday's
    night shift covers Tuesday 03:00.
    """
    local = dt.datetime.fromtimestamp(at, facility.tz)
    shifts = {s.id: s for s in facility.shifts}
    for shift_id in member.shifts:
        shift = shifts[shift_id]
        span = shift.span
        if not span.contains(local.time()):
            continue
        start = dt.time.fromisoformat(shift.start)
        overnight = dt.time.fromisoformat(shift.end) <= start
        day = local.date()
        if overnight and local.time() < start:
            day -= dt.timedelta(days=1)
        if WEEKDAYS[day.weekday()] in member.days:
            return True
    return False


def zone_nurses(facility: Facility, zone: str, at: float) -> list[Staff]:
    """Nurses on duty in ``zone`` at ``at``."""
    return [
        s
        for s in facility.staff
        if s.role == "nurse" and zone in s.zones and on_shift(facility, s, at)
    ]


def on_duty(facility: Facility, at: float, *, roles: tuple[str, ...]) -> list[Staff]:
    return [s for s in facility.staff if s.role in roles and on_shift(facility, s, at)]


def responsible_nurses(facility: Facility, resident_id: str | None, at: float) -> list[Staff]:
    """The first people to page: the zone's nurses, else the charge nurse, else any nurse."""
    resident = facility.resident(resident_id) if resident_id else None
    if resident is not None:
        nurses = zone_nurses(facility, resident.zone, at)
        if nurses:
            return nurses
    return on_duty(facility, at, roles=("charge_nurse",)) or on_duty(facility, at, roles=("nurse",))


def for_target(facility: Facility, target: str, resident_id: str | None, at: float) -> list[Staff]:
    """The people an escalation step's ``target`` names at ``at`` (empty if nobody is on).

    ``emergency_services`` is not a person and gives an empty list here.
    """
    if target == "zone_nurses":
        return responsible_nurses(facility, resident_id, at)
    if target == "charge_nurse":
        return on_duty(facility, at, roles=("charge_nurse",))
    if target == "all_nurses":
        return on_duty(facility, at, roles=("nurse", "charge_nurse"))
    if target == "doctor":
        return on_duty(facility, at, roles=("doctor",))
    if target == "manager":
        return on_duty(facility, at, roles=("manager",))
    return []
