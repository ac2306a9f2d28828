"""The handover sheet for the ambulance crew: one printable HTML page.

The same facts as the emergency-services message (``alerting.emergency``),
plus the incident's timeline and the vitals trend. Plain HTML and CSS, no
scripts, so it prints from any browser or phone.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any

from alerting.emergency import VITAL_LABELS, vital_lines
from alerting.incidents import TimelineEvent
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
    who, what, place = facts["resident"], facts["incident"], facts["facility"]
    title = f"Handover: {who['name']} ({who['room']})" if who else "Handover"
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        '<meta name=viewport content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f"<p class=alert><b>{escape(what['summary'])}</b><br>{escape(what['evidence'])}<br>"
        f"Detected {escape(what['detected_at'])}</p>",
    ]
    if who:
        parts.append(_patient(who))
    parts.append("<h2>Latest vital signs</h2>")
    parts.append(_rows([("Latest", ", ".join(vital_lines(facts["vitals"])) or "none recorded")]))
    parts.append(_trend(vitals, facility))
    parts.append("<h2>What happened</h2>")
    parts.append(_timeline(timeline, facility))
    parts.append("<h2>Facility</h2>")
    parts.append(
        _rows(
            [
                ("Name", place["name"]),
                ("Address", place["address"]),
                ("Access", place["access_instructions"]),
                ("Phone", place["phone"]),
                ("With the patient", ", ".join(facts["with_resident"]) or "staff on the way"),
            ]
        )
    )
    parts.append(f"<p class=small>Incident {escape(what['id'])}. Printed from Shouhu.</p>")
    parts.append("</body></html>")
    return "".join(parts)


def _patient(who: dict[str, Any]) -> str:
    dnr = "<span class=dnr>DNR</span>" if who["dnr"] else "No DNR order"
    contact = who.get("emergency_contact") or {}
    rows = [
        ("Patient", f"{who['name']}, {who['age']} y, {who['sex']}"),
        ("Room", f"{who['room']} {who['bed']}".strip()),
        ("Conditions", ", ".join(who["conditions"]) or "none recorded"),
        ("Medications", ", ".join(who["medications"]) or "none recorded"),
        ("Allergies", ", ".join(who["allergies"]) or "none known"),
        ("Family", " ".join(str(contact.get(k, "")) for k in ("name", "relation", "phone"))),
    ]
    return f"<h2>Patient</h2><p>{dnr}</p>" + _rows(rows)


def _rows(rows: list[tuple[str, str]]) -> str:
    body = "".join(f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in rows if v)
    return f"<table>{body}</table>"


def _trend(vitals: list[dict[str, Any]], facility: Facility) -> str:
    """One row per minute of the snapshot: the vitals a crew wants to see move."""
    by_minute: dict[int, dict[str, Any]] = {}
    for row in vitals:
        by_minute.setdefault(int(row["ts"] // 60), {}).update(row)
    if not by_minute:
        return ""
    keys = [k for k in VITAL_LABELS if any(k in r for r in by_minute.values())]
    head = "".join(f"<th>{escape(VITAL_LABELS[k][0])}</th>" for k in keys)
    lines = []
    for minute in sorted(by_minute)[-15:]:
        row = by_minute[minute]
        cells = "".join(f"<td>{escape(_fmt(row.get(k)))}</td>" for k in keys)
        lines.append(f"<tr><td>{_clock(minute * 60, facility)}</td>{cells}</tr>")
    return f"<table class=small><tr><th>Time</th>{head}</tr>{''.join(lines)}</table>"


def _timeline(timeline: tuple[TimelineEvent, ...], facility: Facility) -> str:
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
    rows = "".join(_run_row(run, facility) for run in runs)
    note = (
        f"<p class=small>({omitted} earlier lines omitted: see the incident)</p>" if omitted else ""
    )
    return f"<table class=small>{rows}</table>{note}"


def _run_row(run: list[TimelineEvent], facility: Facility) -> str:
    first, last = run[0], run[-1]
    when = _clock(first.ts, facility)
    if len(run) > 1:
        when += f"&ndash;{_clock(last.ts, facility)}"
    what = first.type.replace("_", " ") + (f" &times;{len(run)}" if len(run) > 1 else "")
    return f"<tr><td>{when}</td><td>{what}</td><td>{escape(_actor(first, facility))}</td></tr>"


def _actor(event: TimelineEvent, facility: Facility) -> str:
    member = facility.member(event.actor)
    who = member.name if member else event.actor
    return f"{who} via {event.channel}" if event.channel else who


def _clock(ts: float, facility: Facility) -> str:
    return dt.datetime.fromtimestamp(ts, facility.tz).strftime("%H:%M:%S")


def _fmt(value: Any) -> str:
    return f"{value:g}" if isinstance(value, int | float) else ""
