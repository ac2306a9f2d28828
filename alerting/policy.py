"""Escalation policy: which steps an incident gets. Pure functions of the facility file.

The ladder for a priority comes from ``escalation.<priority>`` in the facility
file. Kinds listed in ``immediate_emergency`` (``no_vital_signs`` by default)
add an emergency-services step at once. Drills keep every step, but the
emergency-services step is recorded and never sent (see ``escalation``).
"""

from __future__ import annotations

from alerting.incidents import PlannedStep
from shouhu.domain import AlertKind, Priority
from shouhu.facility import EscalationPolicy

EMERGENCY = "emergency_services"
REMINDER = "reminder"


def plan(policy: EscalationPolicy, kind: AlertKind, priority: Priority) -> list[PlannedStep]:
    """The ladder for an incident of ``kind`` at ``priority``, ordered by wait."""
    ladder = [
        PlannedStep(target=step.target, after_s=step.after_s)
        for step in getattr(policy, priority.value)
    ]
    if kind.value in policy.immediate_emergency and not any(
        s.target == EMERGENCY and s.after_s == 0 for s in ladder
    ):
        ladder = [s for s in ladder if s.target != EMERGENCY]
        ladder.insert(0, PlannedStep(target=EMERGENCY, after_s=0))
    return sorted(ladder, key=lambda s: s.after_s)


def reminder(policy: EscalationPolicy) -> PlannedStep:
    """The next reminder: the person who took the incident, or every nurse if nobody has."""
    return PlannedStep(target=REMINDER, after_s=policy.reminder_s, kind=REMINDER)


def emergency_request() -> PlannedStep:
    """A nurse asked for emergency services: a step due at once."""
    return PlannedStep(target=EMERGENCY, after_s=0, kind="request")
