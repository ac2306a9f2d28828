"""Night hours, answered cheaply on the hot path.

``Facility.is_night`` converts to local time on every call; detectors ask
for every reading, so the answer is cached per minute (night boundaries are
whole minutes in every time zone Shouhu serves).
"""

from __future__ import annotations

import datetime as dt

from shouhu.facility import Facility


class NightHours:
    __slots__ = ("_facility", "_minute", "_night")

    def __init__(self, facility: Facility) -> None:
        self._facility = facility
        self._minute = -1
        self._night = False

    def __call__(self, ts: float) -> bool:
        minute = int(ts // 60)
        if minute != self._minute:
            self._minute = minute
            self._night = self._facility.is_night(minute * 60.0)
        return self._night

    def left(self, ts: float) -> float:
        """Seconds from ``ts`` until the night ends (0 outside night hours)."""
        if not self(ts):
            return 0.0
        hours, minutes = (int(p) for p in self._facility.facility.night.end.split(":"))
        local = dt.datetime.fromtimestamp(ts, self._facility.tz)
        end = local.replace(hour=hours, minute=minutes, second=0, microsecond=0)
        if end <= local:
            end = dt.datetime.combine(local.date() + dt.timedelta(days=1), end.timetz())
        return end.timestamp() - ts
