"""What a dispatcher needs: the emergency-services message, from the facility file and incident.

The same facts feed the message a channel sends (``dispatch_text``) and the
printable handover sheet for the ambulance crew (``alerting.handover``), in a
language: the facility's (a dispatcher at 120 reads Chinese), with the summary
and evidence in every language as well.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from alerting.incidents import Incident, State
from alerting.words import in_language, joined, localized, say
from shouhu.domain import Fact
from shouhu.facility import Facility, Resident

VITALS = ("hr", "rr", "spo2", "skin_temp")  # what a crew asks for, in this order


def dispatch_facts(
    facility: Facility, incident: Incident, vitals: dict[str, Any], *, language: str = "en"
) -> dict[str, Any]:
    """The structured dispatch message: where, who, what and when, latest vitals, who is there."""
    resident = facility.resident(incident.resident) if incident.resident else None
    detected = next((e for e in incident.timeline if e.type == "detected"), None)
    onset = detected.detail.get("onset") if detected else None
    with_resident = sorted(
        {e.actor for e in incident.timeline if e.type in ("accepted", "arrived")}
    )
    return {
        "language": language,
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
            "summary": in_language(incident.summary_facts, language, incident.summary),
            "evidence": in_language(incident.evidence_facts, language, incident.evidence),
            "summary_i18n": localized(incident.summary_facts, incident.summary),
            "evidence_i18n": localized(incident.evidence_facts, incident.evidence),
            "detected_at": _iso(incident.opened_at, facility),
            "onset_at": _iso(float(onset), facility) if onset is not None else None,
            "state": incident.state.value,
            "exercise": incident.exercise,
        },
        "vitals": {k: vitals[k] for k in VITALS if k in vitals},
        "with_resident": [_staff_name(facility, s, language) for s in with_resident],
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
    """The message as text, in the order a dispatcher asks for it, in the facts' language."""
    lang = facts["language"]
    place, who, what = facts["facility"], facts["resident"], facts["incident"]
    lines = [
        say("dispatch.emergency", lang, name=place["name"]),
        say("dispatch.address", lang, address=place["address"]),
    ]
    if place["access_instructions"]:
        lines.append(say("dispatch.access", lang, access=place["access_instructions"]))
    if place["phone"]:
        lines.append(say("dispatch.call_back", lang, phone=place["phone"]))
    if who is not None:
        lines += _patient_lines(who, lang)
    lines.append(say("dispatch.what", lang, summary=what["summary"], evidence=what["evidence"]))
    lines.append(say("dispatch.detected", lang, at=what["detected_at"]))
    if facts["vitals"]:
        lines.append(say("dispatch.vitals", lang, vitals=vital_facts(facts["vitals"])))
    with_resident = joined(facts["with_resident"], lang, "comma")
    names = with_resident or say("staff_on_the_way", lang)
    lines.append(say("dispatch.with_patient", lang, names=names))
    lines.append(say("dispatch.incident", lang, id=what["id"]))
    return "\n".join(lines)


def _patient_lines(who: dict[str, Any], lang: str) -> list[str]:
    key = "dispatch.patient_bed" if who["bed"] else "dispatch.patient"
    sex = Fact(f"sex.{who['sex']}")
    none_recorded, none_known = say("none_recorded", lang), say("none_known", lang)
    return [
        say(key, lang, name=who["name"], age=who["age"], sex=sex, room=who["room"], bed=who["bed"]),
        say("dispatch.dnr_yes" if who["dnr"] else "dispatch.dnr_no", lang),
        say("dispatch.conditions", lang, text=joined(who["conditions"], lang) or none_recorded),
        say("dispatch.medications", lang, text=joined(who["medications"], lang) or none_recorded),
        say("dispatch.allergies", lang, text=joined(who["allergies"], lang) or none_known),
    ]


def vital_facts(vitals: dict[str, Any]) -> tuple[Fact, ...]:
    """The latest vital signs a crew asks for, as facts: "Heart rate 92/min"."""
    return tuple(Fact(f"dispatch.vital.{k}", value=vitals[k]) for k in VITALS if k in vitals)


def _iso(ts: float, facility: Facility) -> str:
    return dt.datetime.fromtimestamp(ts, facility.tz).isoformat(timespec="seconds")


def _staff_name(facility: Facility, staff_id: str, language: str) -> str:
    member = facility.member(staff_id)
    if member is None:
        return staff_id
    return say("dispatch.staff", language, name=member.name, role=Fact(f"role.{member.role}"))
