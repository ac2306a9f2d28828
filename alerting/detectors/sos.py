"""SOS: a resident pressed the button. High priority, at once."""

from __future__ import annotations

from shouhu.domain import Alert, AlertKind, DeviceEvent, Observation, Priority
from shouhu.facility import Facility


class SosDetector:
    def __init__(self, facility: Facility) -> None:
        self.facility = facility

    def feed(self, obs: Observation) -> list[Alert]:
        if not isinstance(obs, DeviceEvent) or obs.type != "sos":
            return []
        return [
            Alert(
                facility=obs.facility,
                resident=obs.resident,
                kind=AlertKind.SOS,
                priority=Priority.HIGH,
                ts=obs.ts,
                onset=obs.ts,
                device=obs.device,
                evidence="The resident pressed the SOS button.",
                exercise=obs.exercise,
            )
        ]

    def tick(self, now: float) -> list[Alert]:
        return []
