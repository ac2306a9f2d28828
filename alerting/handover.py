"""The handover sheet for the ambulance crew: one printable HTML page.

The same facts as the emergency-services message (``alerting.emergency``),
plus the incident's timeline and the vitals trend, in the facts' language.
Plain HTML and CSS, no scripts, so it prints from any browser or phone.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from html import escape
from typing import Any

from alerting.emergency import VITALS, vital_facts
from alerting.incidents import TimelineEvent
from alerting.words import joined, render, say
from shouhu.domain import Fact
from shouhu.facility import Facility

MAX_EVENTS = 18  # the sheet stays one page
KEY_EVENTS = {
    "detected", "updated", "paged", "accepted", "arrived", "escalated", "ems_requested",
    "ems_sent", "ems_failed", "ems_confirmed", "condition_cleared", "resolved",
}  # fmt: skip

STYLE = """
body { font: 14px/1.35 system-ui, "Noto Sans CJK SC", sans-serif; margin: 1.2em; color: #111; }
h1 { font-size: 20px; margin: 0 0 .2em; } h2 { font-size: 15px; margin: 1em 0 .3em;
  border-bottom: 1px solid #999; } .alert { background: #fde2e1; padding: .4em .6em;
  border-left: 6px solid #c00; } .dnr { color: #fff; background: #c00; padding: 0 .4em;
  font-weight: bold; } table { border-collapse: collapse; width: 100%; }
td, th { text-align: left; padding: .15em .5em .15em 0; vertical-align: top; }
th { width: 11em; color: #444; font-weight: 600; } .small { font-size: 12px; color: #444; }
@media print { body { margin: 0; } @page { size: A4; margin: 12mm; } a { color: inherit; } }
"""


def handover_html(
    facts: dict[str, Any],
    facility: Facility,
    timeline: tuple[TimelineEvent, ...],
    vitals: list[dict[str, Any]],
) -> str:
    """Render the sheet; every value is escaped."""
    lang = facts["language"]
    w = partial(say, language=lang)
    who, what, place = facts["resident"], facts["incident"], facts["facility"]
    title = (
        w("sheet.title_patient", name=who["name"], room=who["room"]) if who else w("sheet.title")
    )
    parts = [
        f"<!doctype html><html lang={lang}><head><meta charset=utf-8>",
        '<meta name=viewport content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f"<p class=alert><b>{escape(what['summary'])}</b><br>{escape(what['evidence'])}<br>"
        f"{escape(w('sheet.detected', at=what['detected_at']))}</p>",
    ]
    if who:
        parts.append(_patient(who, lang))
    parts.append(f"<h2>{escape(w('sheet.latest_vitals'))}</h2>")
    parts.append(_rows([(w("sheet.latest"), _latest(facts["vitals"], lang))]))
    parts.append(_trend(vitals, facility, lang))
    parts.append(f"<h2>{escape(w('sheet.what_happened'))}</h2>")
    parts.append(_timeline(timeline, facility, lang))
    parts.append(f"<h2>{escape(w('sheet.facility'))}</h2>")
    parts.append(_place(place, facts["with_resident"], lang))
    parts.append(f"<p class=small>{escape(w('sheet.footer', id=what['id']))}</p>")
    parts.append("</body></html>")
    return "".join(parts)


def _place(place: dict[str, Any], with_resident: list[str], lang: str) -> str:
    w = partial(say, language=lang)
    with_patient = joined(with_resident, lang, "comma") or w("staff_on_the_way")
    return _rows(
        [
            (w("sheet.name"), place["name"]),
            (w("sheet.address"), place["address"]),
            (w("sheet.access"), place["access_instructions"]),
            (w("sheet.phone"), place["phone"]),
            (w("sheet.with_patient"), with_patient),
        ]
    )


def _latest(vitals: dict[str, Any], lang: str) -> str:
    shown = [render((f,), lang) for f in vital_facts(vitals)]
    return joined(shown, lang, "comma") or say("none_recorded", lang)


def _patient(who: dict[str, Any], lang: str) -> str:
    w = partial(say, language=lang)
    dnr = "<span class=dnr>DNR</span>" if who["dnr"] else escape(w("sheet.no_dnr"))
    contact = who.get("emergency_contact") or {}
    line = w("sheet.patient_line", name=who["name"], age=who["age"], sex=Fact(f"sex.{who['sex']}"))
    rows = [
        (w("sheet.patient"), line),
        (w("sheet.room"), f"{who['room']} {who['bed']}".strip()),
        (w("sheet.conditions"), joined(who["conditions"], lang) or w("none_recorded")),
        (w("sheet.medications"), joined(who["medications"], lang) or w("none_recorded")),
        (w("sheet.allergies"), joined(who["allergies"], lang) or w("none_known")),
        (
            w("sheet.family"),
            " ".join(str(contact.get(k, "")) for k in ("name", "relation", "phone")),
        ),
    ]
    return f"<h2>{escape(w('sheet.patient'))}</h2><p>{dnr}</p>" + _rows(rows)


def _rows(rows: list[tuple[str, str]]) -> str:
    body = "".join(f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in rows if v)
    return f"<table>{body}</table>"


def _trend(vitals: list[dict[str, Any]], facility: Facility, lang: str) -> str:
    """One row per minute of the snapshot: the vitals a crew wants to see move."""
    by_minute: dict[int, dict[str, Any]] = {}
    for row in vitals:
        by_minute.setdefault(int(row["ts"] // 60), {}).update(row)
    if not by_minute:
        return ""
    keys = [k for k in VITALS if any(k in r for r in by_minute.values())]
    head = "".join(f"<th>{escape(say(f'vital_label.{k}', lang))}</th>" for k in keys)
    lines = []
    for minute in sorted(by_minute)[-15:]:
        row = by_minute[minute]
        cells = "".join(f"<td>{escape(_fmt(row.get(k)))}</td>" for k in keys)
        lines.append(f"<tr><td>{_clock(minute * 60, facility)}</td>{cells}</tr>")
    time = escape(say("sheet.time", lang))
    return f"<table class=small><tr><th>{time}</th>{head}</tr>{''.join(lines)}</table>"


def _timeline(timeline: tuple[TimelineEvent, ...], facility: Facility, lang: str) -> str:
    """Key events, repeats folded into one line ("updated x18"), at most MAX_EVENTS lines."""
    shown = [e for e in timeline if e.type in KEY_EVENTS and e.detail.get("purpose") != "reminder"]
    runs: list[list[TimelineEvent]] = []
    for event in shown:
        last = runs[-1][-1] if runs else None
        if last is not None and (last.type, last.actor) == (event.type, event.actor):
            runs[-1].append(event)
        else:
            runs.append([event])
    omitted = max(0, len(runs) - MAX_EVENTS)
    if omitted:
        runs = runs[:1] + runs[len(runs) - MAX_EVENTS + 1 :]
    rows = "".join(_run_row(run, facility, lang) for run in runs)
    note = f"<p class=small>{escape(say('sheet.omitted', lang, count=omitted))}</p>"
    return f"<table class=small>{rows}</table>{note if omitted else ''}"


def _run_row(run: list[TimelineEvent], facility: Facility, lang: str) -> str:
    first, last = run[0], run[-1]
    when = _clock(first.ts, facility)
    if len(run) > 1:
        when += f"&ndash;{_clock(last.ts, facility)}"
    what = escape(say(f"event.{first.type}", lang))
    what += f" &times;{len(run)}" if len(run) > 1 else ""
    actor = escape(_actor(first, facility, lang))
    return f"<tr><td>{when}</td><td>{what}</td><td>{actor}</td></tr>"


def _actor(event: TimelineEvent, facility: Facility, lang: str) -> str:
    member = facility.member(event.actor)
    who = member.name if member else event.actor
    if event.actor == "system":
        who = say("sheet.system", lang)
    return say("sheet.via", lang, who=who, channel=event.channel) if event.channel else who


def _clock(ts: float, facility: Facility) -> str:
    return dt.datetime.fromtimestamp(ts, facility.tz).strftime("%H:%M:%S")


def _fmt(value: Any) -> str:
    return f"{value:g}" if isinstance(value, int | float) else ""
