"""Anti-flapping: one open alert per condition, hysteresis before it clears.

A detector says, each time it looks, whether a condition holds (``hold``,
with the alert it would raise) or not (``release``). The latch turns that
into what a nurse should see:

- the first ``hold`` raises the alert;
- later holds update the evidence quietly, and are passed on (to join the
  open incident, never to page again) only when the priority rises or every
  ``refresh_s`` seconds;
- the condition clears (an alert with ``firing=False``) only after it has not
  held for ``clear_after_s`` seconds.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from dataclasses import dataclass, replace

from alerting.words import english
from shouhu.domain import Alert, Fact, Priority

RANK = {Priority.LOW: 1, Priority.MEDIUM: 2, Priority.HIGH: 3}


@dataclass(slots=True)
class _Open:
    raised: Alert  # the alert that opened the condition
    latest: Alert  # the newest evidence
    last_held: float
    last_sent: float


class Latch:
    def __init__(self, *, clear_after_s: float, refresh_s: float = 300.0) -> None:
        self.clear_after_s = clear_after_s
        self.refresh_s = refresh_s
        self._open: dict[Hashable, _Open] = {}

    def hold(self, ident: Hashable, alert: Alert) -> list[Alert]:
        """The condition holds now (``alert.ts``); return what to pass on."""
        state = self._open.get(ident)
        if state is None:
            self._open[ident] = _Open(alert, alert, alert.ts, alert.ts)
            return [alert]
        update = replace(alert, onset=state.raised.onset)
        state.latest = update
        state.last_held = alert.ts
        rises = RANK[alert.priority] > RANK[state.raised.priority]
        if rises or alert.ts - state.last_sent >= self.refresh_s:
            if rises:
                state.raised = replace(state.raised, priority=alert.priority)
            state.last_sent = alert.ts
            return [update]
        return []

    def quiet(self, ident: Hashable, now: float, priority: Priority) -> bool:
        """Record that the condition holds; True if a ``hold`` now would pass nothing on.

        Lets a detector skip building an alert (and its evidence) on the hot path.
        """
        state = self._open.get(ident)
        if state is None or RANK[priority] > RANK[state.raised.priority]:
            return False
        if now - state.last_sent >= self.refresh_s:
            return False
        state.last_held = now
        return True

    def release(self, ident: Hashable, now: float, said: Fact) -> list[Alert]:
        """The condition does not hold at ``now``; clear it once hysteresis allows.

        ``said`` is what the clearing alert tells the nurse ("Back in bed.").
        """
        state = self._open.get(ident)
        if state is None or now - state.last_held < self.clear_after_s:
            return []
        del self._open[ident]
        return [_cleared(state.latest, now, said)]

    def drop(self, ident: Hashable, now: float, said: Fact) -> list[Alert]:
        """Clear at once (the condition ended for certain, e.g. a cancel)."""
        state = self._open.pop(ident, None)
        if state is None:
            return []
        return [_cleared(state.latest, now, said)]

    def is_open(self, ident: Hashable) -> bool:
        return ident in self._open

    def latest(self, ident: Hashable) -> Alert | None:
        state = self._open.get(ident)
        return state.latest if state is not None else None

    def __iter__(self) -> Iterator[Hashable]:
        return iter(list(self._open))


def _cleared(latest: Alert, now: float, said: Fact) -> Alert:
    return replace(latest, ts=now, firing=False, evidence=english((said,)), facts=(said,))
