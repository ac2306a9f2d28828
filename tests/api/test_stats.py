"""Response figures: medians, 90th percentiles, alarms per resident-night, false alarms."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from alerting.incidents import Incident, State, TimelineEvent
from api.stats import figures, milestones, percentile, shift_of, week_of
from shouhu.domain import Alert, AlertKind, Priority
from shouhu.facility import Facility
from tests.api.test_escalation_routes import api, sign_in

TZ = dt.timezone(dt.timedelta(hours=8))


def at(day: int, hour: int, minute: int = 0) -> float:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=TZ).timestamp()


def incident(
    opened: float,
    *,
    steps: dict[str, float] | None = None,
    outcome: str | None = "handled",
    kind: AlertKind = AlertKind.SOS,
) -> Incident:
    events = [TimelineEvent(opened, "detected", "system")]
    events += [TimelineEvent(opened + s, t, "n-e-night") for t, s in (steps or {}).items()]
    resolved = (steps or {}).get("resolved")
    return Incident(
        id=f"inc-{opened}",
        facility="demo-home",
        resident="r-007",
        kind=kind,
        priority=Priority.HIGH,
        state=State.RESOLVED if outcome else State.PAGED,
        opened_at=opened,
        updated_at=opened,
        summary="",
        evidence="",
        resolved_at=opened + resolved if resolved is not None else None,
        outcome=outcome,
        timeline=tuple(events),
    )


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [([], 50, None), ([4.0], 90, 4.0), ([1, 2, 3, 4], 50, 2.5), ([*range(1, 11)], 90, 9.1)],
)
def test_percentile_interpolates_between_ranks(
    values: list[float], q: float, expected: float | None
) -> None:
    assert percentile(values, q) == (pytest.approx(expected) if expected is not None else None)


def test_milestones_are_the_first_of_each_step() -> None:
    i = incident(at(30, 2), steps={"delivered": 2, "accepted": 20, "arrived": 95, "resolved": 600})
    assert milestones(i) == {"delivered": 2, "accepted": 20, "arrived": 95, "resolved": 600}
    assert milestones(incident(at(30, 2), steps={}, outcome=None)) == dict.fromkeys(
        ("delivered", "accepted", "arrived", "resolved")
    )


def test_an_overnight_shift_belongs_to_the_day_it_started(facility: Facility) -> None:
    assert shift_of(facility, at(30, 2, 13)) == ("2026-11-29", "night")
    assert shift_of(facility, at(30, 7, 0)) == ("2026-11-30", "day")
    assert shift_of(facility, at(30, 19, 0)) == ("2026-11-30", "night")
    assert week_of(facility, at(30, 2)) == "2026-W49"  # Monday


def test_figures_per_week(facility: Facility) -> None:
    found = [
        incident(at(24, 2), steps={"delivered": 1, "accepted": 10, "arrived": 60, "resolved": 300}),
        incident(at(25, 3), steps={"delivered": 3, "accepted": 30, "arrived": 90, "resolved": 500}),
        incident(at(26, 14), steps={"accepted": 50, "resolved": 100}, outcome="false_alarm"),
        incident(at(27, 1), kind=AlertKind.DEVICE_OFFLINE, outcome=None),  # technical
    ]
    (week,) = figures(facility, found, by="week", since=at(23, 12), until=at(30, 12))
    assert week["group"] == "2026-W48"
    assert week["incidents"] == 4 and week["clinical"] == 3 and week["resolved"] == 3
    assert week["accepted_median_s"] == 30.0 and week["accepted_p90_s"] == 46.0
    assert week["delivered_median_s"] == 2.0 and week["arrived_p90_s"] == 87.0
    assert week["false_alarm_share"] == round(1 / 3, 4)
    # nights starting 23..29 Nov: 7 nights x 24 residents; 2 night-time clinical alarms
    assert week["alarms_per_resident_night"] == round(2 / (7 * 24), 4)


def test_figures_per_shift(facility: Facility) -> None:
    found = [incident(at(30, 2), steps={"accepted": 12}), incident(at(30, 10), steps={})]
    groups = figures(facility, found, by="shift", since=at(29, 12), until=at(30, 12))
    assert [g["group"] for g in groups] == ["2026-11-29 night", "2026-11-30 day"]
    night, day = groups
    assert night["alarms_per_resident_night"] == round(1 / 24, 4)
    assert day["alarms_per_resident_night"] is None  # a day shift holds no night
    assert night["accepted_median_s"] == 12.0 and day["accepted_median_s"] is None


@pytest.mark.mqtt
async def test_the_default_range_and_the_export_stamp_follow_the_services_clock(
    mqtt_url: str, facility: Facility, tmp_path: Path
) -> None:
    """Under ``--clock event`` "now" is the messages' time, years from the OS clock here."""
    sos = dt.datetime(2031, 3, 10, 2, 13, tzinfo=facility.tz).timestamp()  # a Monday night
    async with api(mqtt_url, facility, tmp_path / "stats.db", at=sos) as (run, client):
        alert = Alert("demo-home", "r-007", AlertKind.SOS, Priority.HIGH, sos, "SOS")
        await run.service.responder.handle(alert)
        await run.service.responder.drain()
        run.service.clock.observe(sos + 60)  # a minute of messages later
        await sign_in(client, "manager")
        stats = (await client.get("/api/v1/stats", params={"by": "shift"})).json()
        assert stats["until"] == sos + 60 and stats["since"] == sos + 60 - 28 * 86400
        assert [(g["group"], g["incidents"]) for g in stats["groups"]] == [
            ("2031-03-09 night", 1)  # Sunday's night shift
        ]
        export = await client.get("/api/v1/incidents/export")
        assert 'filename="incidents-20310310-0214.csv"' in export.headers["content-disposition"]
