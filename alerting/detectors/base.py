"""The detector contract."""

from __future__ import annotations

from typing import Protocol

from shouhu.domain import Alert, Observation


class Detector(Protocol):
    def feed(self, obs: Observation) -> list[Alert]:
        """Consume one observation; return alerts it raises or clears."""
        ...

    def tick(self, now: float) -> list[Alert]:
        """Time has reached ``now``; return alerts due to elapsed time."""
        ...
