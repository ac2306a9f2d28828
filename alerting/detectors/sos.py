"""SOS: a resident pressed the button. High priority, at once."""

from __future__ import annotations

from alerting.words import english
from shouhu.domain import Alert, AlertKind, DeviceEvent, Fact, Observation, Priority
from shouhu.facility import Facility


class SosDetector:
    def __init__(self, facility: Facility) -> None:
        self.facility = facility

    def feed(self, obs: Observation) -> list[Alert]:
        if not isinstance(obs, DeviceEvent) or obs.type != "sos":
            return []
        facts = (Fact("sos.pressed"),)
        return [
            Alert(
                facility=obs.facility,
                resident=obs.resident,
                kind=AlertKind.SOS,
                priority=Priority.HIGH,
                ts=obs.ts,
                onset=obs.ts,
                device=obs.device,
                evidence=english(facts),
                facts=facts,
                exercise=obs.exercise,
            )
        ]

    def tick(self, now: float) -> list[Alert]:
        return []
