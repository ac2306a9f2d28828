"""Detectors: pure functions of readings and time that return alerts.

Each detector has ``feed(observation) -> list[Alert]`` and
``tick(now) -> list[Alert]`` (for conditions defined by silence or elapsed
time). No I/O, no settings import; time comes only from the observations and
from ``tick``. ``default_detectors`` is the one place that lists them.
"""

from __future__ import annotations

from alerting.baselines import BaselineBook
from alerting.detectors.base import Detector
from alerting.detectors.bed_exit import BedExitDetector
from alerting.detectors.chest import ChestDistressDetector
from alerting.detectors.deterioration import DeteriorationDetector
from alerting.detectors.devices import DeviceFaultDetector
from alerting.detectors.fall import FallDetector
from alerting.detectors.no_vitals import NoVitalSignsDetector
from alerting.detectors.sos import SosDetector
from shouhu.facility import Facility


def default_detectors(facility: Facility) -> list[Detector]:
    return [
        SosDetector(facility),
        FallDetector(facility),
        NoVitalSignsDetector(facility),
        ChestDistressDetector(facility, BaselineBook(facility)),
        DeteriorationDetector(facility),
        BedExitDetector(facility),
        DeviceFaultDetector(facility),
    ]


__all__ = ["Detector", "default_detectors"]
