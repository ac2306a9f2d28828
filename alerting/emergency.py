"""What a dispatcher needs: the emergency-services message, from the facility file and incident.

The same facts feed the message a channel sends (``dispatch_text``) and the
printable handover sheet for the ambulance crew (``alerting.handover``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from alerting.incidents import Incident, State
from shouhu.facility import Facility, Resident

VITAL_LABELS = {
    "hr": ("Heart rate", "/min"),
    "rr": ("Respiration", "/min"),
    "spo2": ("SpO2", "%"),
    "skin_temp": ("Skin temperature", "°C"),
}


def dispatch_facts(
    facility: Facility, incident: Incident, vitals: dict[str, Any]
) -> dict[str, Any]:
    """The structured dispatch message: where, who, what and when, latest vitals, who is there."""
    resident = facility.resident(incident.resident) if incident.resident else None
    detected = next((e for e in incident.timeline if e.type == "detected"), None)
    onset = detected.detail.get("onset") if detected else None
    with_resident = sorted(
        {e.actor for e in incident.timeline if e.type in ("accepted", "arrived")}
    )
    return {
        "facility": {
            "name": facility.facility.name,
            "address": facility.facility.address,
            "access_instructions": facility.facility.access_instructions,
            "phone": facility.facility.phone,
        },
        "resident": _resident_facts(resident) if resident is not None else None,
        "incident": {
            "id": incident.id,
            "kind": incident.kind.value,
            "priority": incident.priority.value,
            "summary": incident.summary,
            "evidence": incident.evidence,
            "detected_at": _iso(incident.opened_at, facility),
            "onset_at": _iso(float(onset), facility) if onset is not None else None,
            "state": incident.state.value,
            "exercise": incident.exercise,
        },
        "vitals": {k: vitals[k] for k in VITAL_LABELS if k in vitals},
        "with_resident": [_staff_name(facility, s) for s in with_resident],
        "staff_on_scene": incident.state in (State.ARRIVED,),
    }


def _resident_facts(resident: Resident) -> dict[str, Any]:
    contact = resident.emergency_contact
    return {
        "id": resident.id,
        "name": resident.name,
        "age": resident.age,
        "sex": resident.sex,
        "room": resident.room,
        "bed": resident.bed,
        "conditions": list(resident.conditions),
        "medications": list(resident.medications),
        "allergies": list(resident.allergies),
        "dnr": resident.dnr,
        "emergency_contact": contact.model_dump() if contact else None,
    }


def dispatch_text(facts: dict[str, Any]) -> str:
    """The message as text, in the order a dispatcher asks for it."""
    place, who, what = facts["facility"], facts["resident"], facts["incident"]
    lines = [
        f"EMERGENCY at {place['name']}",
        f"Address: {place['address']}",
    ]
    if place["access_instructions"]:
        lines.append(f"Access: {place['access_instructions']}")
    if place["phone"]:
        lines.append(f"Call back: {place['phone']}")
    if who is not None:
        lines += [
            f"Patient: {who['name']}, {who['age']}, {who['sex']}, room {who['room']}"
            + (f" bed {who['bed']}" if who["bed"] else ""),
            f"DNR: {'YES' if who['dnr'] else 'no'}",
            f"Conditions: {', '.join(who['conditions']) or 'none recorded'}",
            f"Medications: {', '.join(who['medications']) or 'none recorded'}",
            f"Allergies: {', '.join(who['allergies']) or 'none known'}",
        ]
    lines.append(f"What: {what['summary']} ({what['evidence']})")
    lines.append(f"Detected: {what['detected_at']}")
    if facts["vitals"]:
        lines.append("Latest vitals: " + ", ".join(vital_lines(facts["vitals"])))
    lines.append(f"With the patient: {', '.join(facts['with_resident']) or 'staff on the way'}")
    lines.append(f"Incident: {what['id']}")
    return "\n".join(lines)


def vital_lines(vitals: dict[str, Any]) -> list[str]:
    out = []
    for key, (label, unit) in VITAL_LABELS.items():
        if key in vitals:
            out.append(f"{label} {vitals[key]:g}{unit}")
    return out


def _iso(ts: float, facility: Facility) -> str:
    return dt.datetime.fromtimestamp(ts, facility.tz).isoformat(timespec="seconds")


def _staff_name(facility: Facility, staff_id: str) -> str:
    member = facility.member(staff_id)
    return f"{member.name} ({member.role.replace('_', ' ')})" if member else staff_id
