"""The escalation watchdog: a due step that has not run is itself an alarm.

It asks the database, not the escalator, so it sees a stuck or crashed
escalator too. Run by the service's housekeeping every few seconds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from alerting.outbox import Outbox, Step
from alerting.words import english
from shouhu.domain import Alert, AlertKind, Fact, Priority

log = logging.getLogger(__name__)

GRACE_S = 10.0


class Watchdog:
    def __init__(
        self,
        outbox: Outbox,
        facilities: Sequence[str],
        raise_alarm: Callable[[Alert], None],
        *,
        grace_s: float = GRACE_S,
    ) -> None:
        self.outbox = outbox
        self.facilities = list(facilities)
        self.raise_alarm = raise_alarm
        self.grace_s = grace_s
        self.overdue: list[Step] = []
        self._alarmed: set[tuple[str, int]] = set()

    async def check(self, now: float) -> list[Step]:
        """Steps due more than ``grace_s`` ago and still pending; alarm once for each."""
        self.overdue = await self.outbox.overdue_steps(now - self.grace_s, self.facilities)
        fresh = [s for s in self.overdue if (s.incident_id, s.seq) not in self._alarmed]
        by_facility: dict[str, list[Step]] = {}
        for step in fresh:
            self._alarmed.add((step.incident_id, step.seq))
            by_facility.setdefault(step.facility, []).append(step)
        for facility, steps in by_facility.items():
            late = max(now - s.due_at for s in steps)
            about = Fact("paging.watchdog")
            facts = (Fact("paging.overdue", count=len(steps), late=late, about=about),)
            log.error("watchdog: %d escalation steps overdue in %s", len(steps), facility)
            self.raise_alarm(
                Alert(
                    facility=facility,
                    resident=None,
                    kind=AlertKind.PAGING_FAILURE,
                    priority=Priority.HIGH,
                    ts=now,
                    evidence=english(facts),
                    facts=facts,
                    key="watchdog",
                    detail={
                        "about": english((about,)),
                        "incidents": sorted({s.incident_id for s in steps}),
                    },
                )
            )
        return self.overdue
