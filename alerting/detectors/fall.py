"""Fall: a hard impact, then the body stays down -- or the wearable says so.

Two ways in, one alert per resident:

- the wearable's accelerometer batches: ``fall_features`` finds each hard
  impact and, ``OBSERVE_S`` (10 s) later, judges it: a fall when the body has
  turned well away from its posture before the impact (or, at the wrist, lies
  still after a very hard knock) and the wearer is not up and about;
- a ``fall`` event from the wearable's own detector.

Either way the resident may press cancel: until the impact is judged
(``GRACE_S``, 10 s after it), or within ``DEVICE_GRACE_S`` (5 s) of the
wearable's own fall alarm, whose detection already took some seconds. A
cancel in time does not drop the alert -- a resident who fell may be hurt
and still say "I'm fine" -- it lowers it to ``medium``; otherwise it is
``high``. The alert goes out when the grace period ends: about 11 s after the
impact with 1 s batches (the target is 15 s), 5 s after a device-side event.

A bed sensor that felt the resident in bed all along, from the impact to the
decision, makes it ``low``: a hard turn in bed, not a fall out of it.

While a fall is open for a resident, further falls and a late cancel update
its evidence; it clears once the wearer has been upright again for
``UP_AGAIN_S``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from alerting.detectors.fall_buffer import MAX_GAP_S, Decision, Placement, Segment
from alerting.detectors.fall_evidence import clock_time, impact_detail, impact_evidence
from alerting.detectors.fall_features import (
    OBSERVE_S,
    RULES,
    Rule,
    Verdict,
    angle_deg,
    rule_for,
)
from alerting.detectors.fall_state import BedPresence, DeviceFall, Wearer
from alerting.words import english
from shouhu.domain import Alert, AlertKind, DeviceEvent, Fact, Observation, Priority, Reading
from shouhu.facility import Facility

log = logging.getLogger(__name__)

GRACE_S = OBSERVE_S  # the resident may cancel until the impact is judged
DEVICE_GRACE_S = 5.0  # ... or until 5 s after the wearable's own fall alarm
MIN_HZ = 10.0  # below this an impact cannot be told from a step
FALL_BUDGET_S = 15.0  # impact to alert, grace included
CANCEL_SLACK_S = 1.0  # a cancel stamped this much before the impact still counts
UP_AGAIN_S = 30.0  # upright this long clears an open fall
UP_AGAIN_DEG = 30.0  # within this of the posture before the fall counts as upright
LATE_CANCEL_S = 120.0  # a cancel this long after the alarm is still noted
MERGE_S = 60.0  # evidence arriving this soon after the alert is added to it


class FallDetector:
    def __init__(self, facility: Facility, *, rules: Mapping[str, Rule] | None = None) -> None:
        self.facility = facility
        self.rules = dict(RULES if rules is None else rules)
        self._wearers: dict[str, Wearer] = {}
        self._open: dict[str, Alert] = {}  # resident (or device) -> newest alert
        self._bed = BedPresence()
        self._unusable: set[str] = set()  # devices warned about unusable batches

    def feed(self, obs: Observation) -> list[Alert]:
        if isinstance(obs, Reading) and obs.presence is not None and obs.resident is not None:
            self._bed.note(obs.resident, obs.ts, obs.presence)
        if isinstance(obs, Reading) and obs.acc is not None and len(obs.acc.g):
            return self._on_batch(obs)
        if isinstance(obs, DeviceEvent) and obs.type in ("fall", "cancel"):
            wearer = self._wearer(obs.device, obs.facility, obs.resident, obs.exercise)
            if obs.type == "fall":
                if wearer.event is None:
                    impact = None
                    if wearer.segment is not None:
                        impact = wearer.segment.impact_before(obs.ts, FALL_BUDGET_S)
                    wearer.event = DeviceFall(obs.ts, impact, DEVICE_GRACE_S, FALL_BUDGET_S)
                return self._event_due(obs.device, wearer, obs.ts)
            return self._on_cancel(obs.device, wearer, obs.ts)
        return []

    def tick(self, now: float) -> list[Alert]:
        """Time passes on the service's clock. A wearable's clock may be off by
        minutes, so only elapsed service time is compared with its timestamps."""
        alerts: list[Alert] = []
        for device, wearer in list(self._wearers.items()):
            segment = wearer.segment
            if segment is not None:
                if segment.end_ts != wearer.seen_end:
                    wearer.seen_end, wearer.progress_at = segment.end_ts, now
                elif now - wearer.progress_at >= MAX_GAP_S:
                    silent_until = segment.end_ts + now - wearer.progress_at
                    alerts.extend(self._judge(device, wearer, segment.flush(silent_until)))
                    wearer.segment = None
            if wearer.event is not None:
                if wearer.event_noticed is None:
                    wearer.event_noticed = now
                device_now = wearer.event.at + now - wearer.event_noticed
                alerts.extend(self._event_due(device, wearer, device_now))
        return alerts

    def _wearer(self, device: str, facility: str, resident: str | None, exercise: bool) -> Wearer:
        wearer = self._wearers.get(device)
        if wearer is None:
            wearer = self._wearers[device] = Wearer(facility, resident)
        wearer.resident, wearer.exercise = resident, exercise
        return wearer

    # -- accelerometer -------------------------------------------------------------

    def _on_batch(self, reading: Reading) -> list[Alert]:
        acc = reading.acc
        assert acc is not None
        wearer = self._wearer(reading.device, reading.facility, reading.resident, reading.exercise)
        if acc.hz < MIN_HZ or acc.g.ndim != 2 or not np.isfinite(acc.g).all():
            if reading.device not in self._unusable:
                self._unusable.add(reading.device)
                log.warning(
                    "device %s: accelerometer batch unusable for fall detection"
                    " (%.1f Hz, shape %s, non-finite values: %s); such batches are skipped",
                    reading.device,
                    acc.hz,
                    acc.g.shape,
                    not np.isfinite(acc.g).all(),
                )
            return []
        alerts: list[Alert] = []
        segment = wearer.segment
        placed = Placement.BREAKS
        if segment is not None and abs(segment.hz - acc.hz) < 1e-6:
            placed = segment.place(reading.ts, acc.g)
        if placed is Placement.TOO_OLD:
            log.debug("device %s: batch at %.3f older than its buffer", reading.device, reading.ts)
            return []
        if placed is Placement.BREAKS:
            if segment is not None:
                alerts.extend(self._judge(reading.device, wearer, segment.flush(reading.ts)))
            record = self.facility.device(reading.device)
            placement = record.placement if record is not None else None
            part = "wrist" if placement == "wrist" else "body"
            rule = rule_for(placement, self.rules)
            segment = wearer.segment = Segment(reading.ts, acc.hz, rule, part=part)
            segment.place(reading.ts, acc.g)
        assert segment is not None
        alerts.extend(self._judge(reading.device, wearer, segment.decide()))
        alerts.extend(self._up_again(reading.device, wearer, segment))
        alerts.extend(self._event_due(reading.device, wearer, segment.end_ts))
        return alerts

    def _judge(self, device: str, wearer: Wearer, decisions: list[Decision]) -> list[Alert]:
        segment = wearer.segment
        alerts: list[Alert] = []
        for decision in decisions:
            impact = decision.impact
            if segment is None or (
                impact is not None and impact.verdict(segment.rule) is not Verdict.FALL
            ):
                continue
            priority = Priority.HIGH if impact is not None else Priority.MEDIUM
            facts: tuple[Fact, ...] = (impact_evidence(decision, self.facility, part=segment.part),)
            if self._bed.stayed_in_bed(wearer.resident, decision.at, decision.now):
                priority = Priority.LOW
                facts += (Fact("fall.in_bed"),)
            alert = self._alert(
                wearer,
                device,
                decision.now,
                onset=decision.at,
                priority=priority,
                facts=facts,
                cancelled=self._cancel_in(wearer, decision.at, GRACE_S),
                detail=impact_detail(decision),
            )
            wearer.before_fall = segment.direction_before(decision.at)
            wearer.upright_since = None
            alerts.extend(self._raise(alert))
        return alerts

    def _up_again(self, device: str, wearer: Wearer, segment: Segment) -> list[Alert]:
        key = _key(wearer.resident, device)
        opened = self._open.get(key)
        if opened is None or wearer.before_fall is None:
            return []
        now_dir = segment.direction(1.0)
        if now_dir is None or angle_deg(now_dir, wearer.before_fall) > UP_AGAIN_DEG:
            wearer.upright_since = None
            return []
        if wearer.upright_since is None:
            wearer.upright_since = segment.end_ts - 1.0
        if segment.end_ts - wearer.upright_since < UP_AGAIN_S:
            return []
        del self._open[key]
        wearer.before_fall = None
        up = (Fact("fall.up_again", since=clock_time(wearer.upright_since, self.facility)),)
        return [replace(opened, ts=segment.end_ts, firing=False, evidence=english(up), facts=up)]

    # -- device events -------------------------------------------------------------

    def _on_cancel(self, device: str, wearer: Wearer, ts: float) -> list[Alert]:
        wearer.cancels = [c for c in wearer.cancels if ts - c < 2 * GRACE_S] + [ts]
        alerts = self._event_due(device, wearer, ts)
        opened = self._open.get(_key(wearer.resident, device))
        if (
            opened is not None
            and not opened.detail.get("cancelled")
            and opened.device == device
            and 0 <= ts - opened.ts <= LATE_CANCEL_S
        ):
            facts = (*opened.facts, Fact("fall.late_cancel", at=clock_time(ts, self.facility)))
            detail = {**opened.detail, "cancelled": True, "late_cancel": True}
            late = replace(opened, ts=ts, evidence=english(facts), facts=facts, detail=detail)
            alerts.extend(self._raise(late))
        return alerts

    def _event_due(self, device: str, wearer: Wearer, now: float) -> list[Alert]:
        event = wearer.event
        if event is None:
            return []
        cancelled = self._cancel_in(wearer, event.at, event.deadline - event.at)
        if now < event.deadline and cancelled is None:
            return []
        wearer.event, wearer.event_noticed = None, None
        at = clock_time(event.at, self.facility)
        said = Fact("fall.device", at=at)
        onset = event.at
        if event.impact is not None:
            onset, peak = event.impact
            impact_at = clock_time(onset, self.facility)
            said = Fact("fall.device_impact", at=at, peak=peak, impact_at=impact_at)
        alert = self._alert(
            wearer,
            device,
            max(now, event.at),
            onset=onset,
            priority=Priority.HIGH,
            facts=(said,),
            cancelled=cancelled,
            detail={"source": "device"},
        )
        return self._raise(alert)

    def _cancel_in(self, wearer: Wearer, at: float, grace: float) -> float | None:
        start, end = at - CANCEL_SLACK_S, at + grace
        return next((c for c in wearer.cancels if start <= c <= end), None)

    # -- alerts ----------------------------------------------------------------------

    def _alert(
        self,
        wearer: Wearer,
        device: str,
        now: float,
        *,
        onset: float,
        priority: Priority,
        facts: tuple[Fact, ...],
        cancelled: float | None,
        detail: dict[str, object],
    ) -> Alert:
        if cancelled is not None:
            priority = min(priority, Priority.MEDIUM, key=lambda p: p.rank)
            facts += (Fact("fall.cancelled", at=clock_time(cancelled, self.facility)),)
        return Alert(
            facility=wearer.facility,
            resident=wearer.resident,
            kind=AlertKind.FALL,
            priority=priority,
            ts=now,
            evidence=english(facts),
            facts=facts,
            onset=onset,
            device=device,
            detail={**detail, "cancelled": cancelled is not None},
            exercise=wearer.exercise,
        )

    def _raise(self, alert: Alert) -> list[Alert]:
        """One open alert per resident: a repeat carries the first onset and the
        higher priority, so it updates the open incident instead of a new one."""
        key = _key(alert.resident, alert.device)
        opened = self._open.get(key)
        if opened is not None:
            priority = max(opened.priority, alert.priority, key=lambda p: p.rank)
            facts = alert.facts
            recent = alert.ts - opened.ts <= MERGE_S
            if recent and facts[: len(opened.facts)] != opened.facts:
                facts = opened.facts + facts  # both ways in saw it
            alert = replace(
                alert, onset=opened.onset, priority=priority, evidence=english(facts), facts=facts
            )
        self._open[key] = alert
        return [alert]


def _key(resident: str | None, device: str | None) -> str:
    return resident if resident is not None else f"device:{device}"
