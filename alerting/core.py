"""The alert core of one facility: observations in, alerts out.

It runs the facility's detectors and keeps each resident's recent vitals, so
an incident can carry what happened in the minutes before it. No I/O.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Sequence
from typing import Any

from alerting.detectors import Detector, default_detectors
from shouhu.domain import Alert, Observation, Reading
from shouhu.facility import Facility

log = logging.getLogger(__name__)

VITAL_FIELDS = ("hr", "rr", "spo2", "skin_temp", "presence", "movement", "worn", "battery")
SNAPSHOT_SECONDS = 600.0


def vitals_of(reading: Reading) -> dict[str, Any]:
    """The scalar measurements of a reading (accelerometer batches left out)."""
    out: dict[str, Any] = {}
    for name in VITAL_FIELDS:
        value = getattr(reading, name)
        if value is not None:
            out[name] = value
    return out


class AlertCore:
    def __init__(
        self,
        facility: Facility,
        detectors: Sequence[Detector] | None = None,
        *,
        snapshot_seconds: float = SNAPSHOT_SECONDS,
    ) -> None:
        self.facility = facility
        self.detectors = list(detectors) if detectors is not None else default_detectors(facility)
        self.snapshot_seconds = snapshot_seconds
        self._recent: dict[str, deque[tuple[float, str, dict[str, Any]]]] = {}

    def observe(self, obs: Observation) -> list[Alert]:
        if isinstance(obs, Reading) and obs.resident is not None:
            self._remember(obs)
        alerts: list[Alert] = []
        for detector in self.detectors:
            alerts.extend(detector.feed(obs))
        return alerts

    def tick(self, now: float) -> list[Alert]:
        alerts: list[Alert] = []
        for detector in self.detectors:
            alerts.extend(detector.tick(now))
        return alerts

    def _remember(self, reading: Reading) -> None:
        values = vitals_of(reading)
        if not values or reading.resident is None:
            return
        buffer = self._recent.setdefault(reading.resident, deque())
        buffer.append((reading.ts, reading.device, values))
        horizon = reading.ts - self.snapshot_seconds
        while buffer and buffer[0][0] < horizon:
            buffer.popleft()

    def recent(self, resident: str | None) -> list[tuple[float, str, dict[str, Any]]]:
        """The resident's readings of the last ``snapshot_seconds``."""
        if resident is None:
            return []
        return list(self._recent.get(resident, ()))

    def latest(self, resident: str | None) -> dict[str, Any]:
        """The newest value of each vital sign, across the resident's devices."""
        latest: dict[str, Any] = {}
        for _, _, values in self.recent(resident):
            latest.update(values)
        return latest
