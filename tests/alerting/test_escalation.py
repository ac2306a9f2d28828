"""The escalation ladder under an injected clock, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from alerting.incidents import Outcome, State
from alerting.paging import Delivery
from alerting.watchdog import Watchdog
from shouhu.domain import AlertKind, Priority
from shouhu.facility import EmergencyServices, Facility
from tests.alerting.escalation_harness import NIGHT, Harness, Recorder, harness

pytestmark = pytest.mark.postgres


@pytest.fixture
async def h(db_url: str, facility: Facility) -> AsyncIterator[Harness]:
    ems = EmergencyServices(name="120", channel="test://dispatch")
    async with harness(db_url, facility.model_copy(update={"emergency_services": ems})) as run:
        run.escalator.dispatcher.channels.add(
            "test://dispatch", Recorder(name="dispatch", awaits_receipt=False)
        )
        yield run


def dispatched(h: Harness) -> list[str]:
    recorder = h.escalator.dispatcher.channels.get("test://dispatch")
    assert isinstance(recorder, Recorder)
    return [p.page_id for p in recorder.sent]


async def test_nobody_accepts_zone_nurse_then_charge_then_everyone_then_ems(h: Harness) -> None:
    incident = await h.alert()
    assert [p.staff for p in h.handheld.sent] == ["n-e-night"]
    await h.receive_all()
    await h.at(29.9)
    assert len(h.handheld.sent) == 1
    await h.at(30)
    # charge nurse and every nurse at 30 s; the zone nurse who ignored it is paged again
    assert sorted(p.staff for p in h.handheld.sent[1:]) == ["c-night", "n-e-night", "n-w-night"]
    await h.receive_all()
    await h.at(89.9)
    assert dispatched(h) == []
    await h.at(90)
    assert dispatched(h) == [f"{incident.id}.4.emergency_services"]
    timeline = await h.timeline(incident.id)
    assert sorted(e for e in timeline if e[1] != "delivered") == [
        (0, "detected", "system"),
        (0, "paged", "n-e-night"),
        (30, "escalated", "system"),
        (30, "escalated", "system"),
        (30, "paged", "c-night"),
        (30, "paged", "n-e-night"),
        (30, "paged", "n-w-night"),
        (90, "ems_requested", "system"),
        (90, "ems_sent", "emergency_services"),
    ]
    assert h.alarms == []  # every page was delivered: no paging failure


async def test_acceptance_stops_the_ladder_and_reminders_follow(h: Harness) -> None:
    incident = await h.alert()
    await h.receive_all()
    page = h.handheld.sent[0]
    await h.responder.on_reply("demo-home", "n-e-night", page.page_id, "accepted")
    await h.at(100)
    assert len(h.handheld.sent) == 1 and dispatched(h) == []
    await h.at(300)
    reminders = [p for p in h.handheld.sent if p.purpose == "reminder"]
    assert [p.staff for p in reminders] == ["n-e-night"]
    await h.receive_all()
    await h.at(600)
    assert len([p for p in h.handheld.sent if p.purpose == "reminder"]) == 2
    await h.responder.resolve(incident.id, "n-e-night", outcome=Outcome.HANDLED, note="ok")
    await h.at(2000)
    assert len(h.handheld.sent) == 3
    resolved = await h.store.get(incident.id)
    assert resolved is not None and resolved.state is State.RESOLVED


async def test_a_decline_moves_on_to_the_next_step_at_once(h: Harness) -> None:
    await h.alert()
    page = h.handheld.sent[0]
    await h.responder.on_reply("demo-home", "n-e-night", page.page_id, "declined")
    await h.at(1)
    assert [p.staff for p in h.handheld.sent] == ["n-e-night", "c-night"]


async def test_no_vital_signs_calls_emergency_services_at_once(h: Harness) -> None:
    incident = await h.alert(AlertKind.NO_VITAL_SIGNS, evidence="no pulse, no breathing")
    assert dispatched(h) == [f"{incident.id}.1.emergency_services"]
    assert [p.staff for p in h.handheld.sent] == ["n-e-night"]
    recorder = h.escalator.dispatcher.channels.get("test://dispatch")
    assert isinstance(recorder, Recorder)
    message = recorder.sent[0]
    assert message.dispatch is not None
    assert message.dispatch["resident"]["allergies"] == ["penicillin"]
    assert "88 Wensan Road" in message.body and "DNR（不施行心肺复苏）：否" in message.body


async def test_a_drill_never_calls_emergency_services(h: Harness) -> None:
    incident = await h.alert(AlertKind.NO_VITAL_SIGNS, exercise=True)
    assert dispatched(h) == []
    timeline = await h.store.get(incident.id)
    assert timeline is not None
    requested = [e for e in timeline.timeline if e.type == "ems_requested"]
    assert requested[0].detail["drill"] is True


async def test_a_nurse_can_call_emergency_services_once(h: Harness) -> None:
    incident = await h.alert(priority=Priority.MEDIUM)
    await h.responder.request_emergency(incident.id, "n-e-night", note="chest pain")
    await h.escalator.drain()
    await h.responder.request_emergency(incident.id, "c-night")
    await h.escalator.drain()
    assert len(dispatched(h)) == 1
    events = [e for e in (await h.store.get(incident.id) or incident).timeline]
    requests = [e for e in events if e.type == "ems_requested"]
    assert [e.actor for e in requests] == ["n-e-night", "c-night"]
    assert requests[1].detail["already_dispatched"] is True


async def test_a_request_during_a_running_tick_is_on_the_incident_it_answers(h: Harness) -> None:
    """The board shows what the request returns: it must not race the ladder's own tick."""
    incident = await h.alert(priority=Priority.MEDIUM)
    release = asyncio.Event()

    async def ladder_tick_in_progress() -> None:
        async with h.escalator._lock:
            await release.wait()

    busy = asyncio.create_task(ladder_tick_in_progress())
    await asyncio.sleep(0)
    asking = asyncio.create_task(h.responder.request_emergency(incident.id, "n-e-night"))
    await asyncio.sleep(0.05)
    assert not asking.done()  # it waits for the tick instead of skipping its own step
    release.set()
    answered = await asking
    await busy
    assert "ems_requested" in [e.type for e in answered.timeline]
    await h.escalator.drain()
    assert len(dispatched(h)) == 1


async def test_live_pages_hear_of_every_step_and_page_of_the_ladder(h: Harness) -> None:
    feed = h.responder.subscribe()
    incident = await h.alert()
    await h.receive_all()
    await h.at(30)
    heard: list[str] = []
    while not feed.empty():
        seen = feed.get_nowait()
        if seen.id == incident.id:
            heard.extend(e.type for e in seen.timeline[len(heard) :])
    stored = await h.store.get(incident.id)
    assert stored is not None
    # the last change a board heard of is the incident as stored: paged, escalated, paged again
    assert heard == [e.type for e in stored.timeline]
    assert heard.count("escalated") == 2 and heard.count("paged") == 4


async def test_an_unconfirmed_page_falls_back_and_then_is_a_paging_failure(
    h: Harness, facility: Facility
) -> None:
    incident = await h.alert()
    await h.at(10)  # no receipt from the handheld within receipt_timeout_s
    kinds = [e[1] for e in await h.timeline(incident.id)]
    assert kinds[:5] == ["detected", "paged", "no_receipt", "page_undelivered", "escalated"]
    assert [a.kind for a in h.alarms] == [AlertKind.PAGING_FAILURE]
    assert "n-e-night" in h.alarms[0].evidence
    # the failure brought the next step forward: the charge nurse is paged at 10 s, not 30 s
    assert [p.staff for p in h.handheld.sent][:2] == ["n-e-night", "c-night"]


async def test_retries_back_off_then_every_channel_failing_is_an_alarm(h: Harness) -> None:
    h.handheld.fail = Delivery(ok=False, recoverable=True, detail="broker down")
    incident = await h.alert()
    await h.at(1.9)
    await h.at(2)  # 2nd attempt after 2 s
    await h.at(6)  # 3rd attempt after 4 s more: the channel is given up, no contacts left
    record = (await h.escalator.pages.pages_of(incident.id))[0]
    assert record.status == "failed" and record.failure_reported
    stored = await h.store.get(incident.id)
    assert stored is not None
    mine = [e for e in stored.timeline if e.detail.get("page_id") == record.page_id]
    assert [(round(e.ts - NIGHT), e.type) for e in mine] == [
        (0, "page_retry"),
        (2, "page_retry"),
        (6, "page_failed"),
        (6, "page_undelivered"),
    ]
    assert [a.kind for a in h.alarms] == [AlertKind.PAGING_FAILURE]


async def test_a_failing_handheld_falls_back_to_the_next_contact(
    db_url: str, facility: Facility
) -> None:
    staff = [
        s.model_copy(update={"contacts": ["test://sms"]}) if s.id == "n-e-night" else s
        for s in facility.staff
    ]
    async with harness(db_url, facility.model_copy(update={"staff": staff})) as h:
        sms = Recorder(name="sms", awaits_receipt=False)
        h.escalator.dispatcher.channels.add("test://sms", sms)
        h.handheld.fail = Delivery(ok=False, recoverable=False, detail="no such topic")
        incident = await h.alert()
        assert [p.page_id for p in sms.sent] == [f"{incident.id}.1.n-e-night"]
        await h.at(29)  # past the page deadline: delivered, so no paging failure
        assert h.alarms == []
        stored = await h.store.get(incident.id)
        assert stored is not None and stored.state is State.DELIVERED


async def test_a_restarted_escalator_runs_late_steps_first_and_pages_nobody_twice(
    h: Harness, db_url: str, facility: Facility
) -> None:
    first = await h.alert()
    await h.receive_all()
    h.clock.set(NIGHT + 5)
    second = await h.alert(resident="r-013")
    await h.receive_all()
    before = {p.page_id for p in h.handheld.sent}
    async with harness(db_url, h.facility) as restarted:  # a new process on the same database
        restarted.escalator.dispatcher.channels.add("test://dispatch", Recorder(name="dispatch"))
        due = await restarted.escalator.outbox.due_steps(NIGHT + 120, ["demo-home"])
        assert [(s.incident_id, s.due_at - NIGHT) for s in due] == [
            (first.id, 30),  # the most overdue first
            (first.id, 30),
            (second.id, 35),
            (second.id, 35),
            (first.id, 90),
            (second.id, 95),
        ]
        restarted.clock.set(NIGHT + 120)
        await restarted.at(120)
        ids = [p.page_id for p in restarted.handheld.sent]
        assert not before & set(ids)  # nothing paged before was paged again
        assert len(ids) == len(set(ids))
        assert {i.split(".")[1] for i in ids} == {"2", "3"}  # the steps not yet run


async def test_the_watchdog_raises_an_alarm_when_a_due_step_has_not_run(h: Harness) -> None:
    incident = await h.alert()
    await h.receive_all()
    dog = Watchdog(h.escalator.outbox, ["demo-home"], h.alarms.append, grace_s=10)
    assert await dog.check(NIGHT + 39) == []  # due at 30 s: within the grace
    late = await dog.check(NIGHT + 45)  # the escalator did not tick: stuck
    assert [(s.incident_id, s.target) for s in late] == [
        (incident.id, "charge_nurse"),
        (incident.id, "all_nurses"),
    ]
    assert [(a.kind, a.key) for a in h.alarms] == [(AlertKind.PAGING_FAILURE, "watchdog")]
    await dog.check(NIGHT + 50)
    assert len(h.alarms) == 1  # one alarm per overdue step, not one per check
    await h.at(50)
    assert await dog.check(NIGHT + 50) == []


async def test_a_page_caught_mid_send_by_a_crash_never_reaches_the_handheld_twice(
    h: Harness, db_url: str
) -> None:
    incident = await h.alert()
    page_id = h.handheld.sent[0].page_id
    # as if the core died after publishing but before recording it: the row says "sending"
    await h.escalator.pages.update_page(page_id, status="sending", next_at=NIGHT + 15)
    async with harness(db_url, h.facility) as restarted:
        restarted.escalator.dispatcher.channels.add("test://dispatch", Recorder(name="dispatch"))
        await restarted.at(5)
        await restarted.responder.on_reply("demo-home", "n-e-night", page_id, "received")
        await restarted.at(16)
        assert restarted.handheld.to("n-e-night") == []  # not paged again on the handheld
        record = await restarted.escalator.pages.page(page_id)
        assert record is not None and record.status == "delivered"
        assert restarted.alarms == []
    stored = await h.store.get(incident.id)
    assert stored is not None and stored.state is State.DELIVERED


async def test_a_more_urgent_alert_brings_the_high_ladder(h: Harness) -> None:
    incident = await h.alert(AlertKind.FALL, priority=Priority.MEDIUM, evidence="impact")
    await h.receive_all()
    h.clock.set(NIGHT + 20)
    await h.alert(AlertKind.FALL, priority=Priority.HIGH, evidence="lying still for 20 s")
    steps = await h.escalator.outbox.steps_of(incident.id)
    pending = [(s.target, s.due_at - NIGHT) for s in steps if s.status == "pending"]
    # the high ladder, counted from the fall: charge nurse and everyone at 30 s, 120 at 90 s
    assert pending == [("charge_nurse", 30), ("all_nurses", 30), ("emergency_services", 90)]
    await h.at(30)
    assert sorted(p.staff for p in h.handheld.sent[1:]) == ["c-night", "n-e-night", "n-w-night"]
