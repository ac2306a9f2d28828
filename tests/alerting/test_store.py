"""The incident store, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
import sqlalchemy as sa

from alerting.incidents import PlannedStep, State, TimelineEvent
from alerting.outbox import NewPage, Outbox
from alerting.page_outbox import PageOutbox
from alerting.store import IncidentStore
from alerting.words import english, facts_from_json, localized, render
from shouhu.domain import Alert, AlertKind, Fact, Priority

pytestmark = pytest.mark.postgres


@pytest.fixture
async def store(db_url: str) -> AsyncIterator[IncidentStore]:
    store = await IncidentStore.connect(db_url)
    yield store
    await store.close()


def alert(
    kind: AlertKind = AlertKind.FALL,
    priority: Priority = Priority.MEDIUM,
    resident: str = "r-001",
    evidence: str = "impact",
) -> Alert:
    return Alert(
        facility="f1", resident=resident, kind=kind, priority=priority, ts=100.0, evidence=evidence
    )


async def test_one_open_incident_per_condition(store: IncidentStore) -> None:
    first, created = await store.open_or_join(alert(), summary="Fall", now=100.0)
    again, created_again = await store.open_or_join(
        alert(priority=Priority.HIGH, evidence="lying still"), summary="Fall", now=110.0
    )
    assert created and not created_again
    assert again.id == first.id
    assert again.priority is Priority.HIGH  # a more urgent alert raises the incident
    assert again.evidence == "lying still"
    assert [e.type for e in again.timeline] == ["detected", "updated"]
    other, created_other = await store.open_or_join(alert(resident="r-002"), summary="x", now=111)
    assert created_other and other.id != first.id


async def test_a_resolved_condition_opens_a_new_incident(store: IncidentStore) -> None:
    first, _ = await store.open_or_join(alert(), summary="Fall", now=100.0)
    resolved = await store.append(
        first.id,
        TimelineEvent(ts=200.0, type="resolved", actor="n1"),
        state=State.RESOLVED,
        outcome="handled",
    )
    assert resolved.state is State.RESOLVED and resolved.resolved_at == 200.0
    second, created = await store.open_or_join(alert(), summary="Fall", now=300.0)
    assert created and second.id != first.id
    assert [i.id for i in await store.find(facilities=["f1"], open_only=True)] == [second.id]


async def test_concurrent_alerts_for_one_condition_open_one_incident(store: IncidentStore) -> None:
    results = await asyncio.gather(
        *[store.open_or_join(alert(), summary="Fall", now=100.0 + i) for i in range(5)]
    )
    assert len({incident.id for incident, _ in results}) == 1
    assert sum(created for _, created in results) == 1


async def test_many_writers_at_once_never_see_a_locked_database(store: IncidentStore) -> None:
    """Pages, replies and alerts write concurrently: each waits its turn, none fails."""
    opened = await asyncio.gather(
        *[
            store.open_or_join(alert(resident=f"r-{i:03d}"), summary="Fall", now=100.0)
            for i in range(20)
        ]
    )
    appended = await asyncio.gather(
        *[
            store.append(incident.id, TimelineEvent(ts=101.0 + k, type="paged", actor=f"n{k}"))
            for incident, _ in opened
            for k in range(5)
        ]
    )
    assert len(appended) == 100
    for incident, _ in opened:
        stored = await store.get(incident.id)
        assert stored is not None and len(stored.timeline) == 6


async def test_timeline_vitals_and_pages_survive_reconnect(
    store: IncidentStore, db_url: str
) -> None:
    incident, _ = await store.open_or_join(
        alert(kind=AlertKind.SOS, priority=Priority.HIGH),
        summary="SOS",
        now=100.0,
        plan=lambda _p: [PlannedStep("zone_nurses", 0), PlannedStep("charge_nurse", 30)],
    )
    first = (await Outbox(store.engine).due_steps(100.0, ["f1"]))[0]
    await Outbox(store.engine).run_step(
        first, now=100.5, new_pages=[NewPage("p1", "n1", deadline=130.5)]
    )
    await store.add_vitals(incident.id, [(95.0, "wb-1", {"hr": 120}), (99.0, "bed-1", {"rr": 28})])
    await store.close()
    reopened = await IncidentStore.connect(db_url)
    try:
        again = await reopened.get(incident.id)
        assert again is not None and again.timeline[0].type == "detected"
        page = await PageOutbox(reopened.engine).page("p1")
        assert page is not None and (page.staff, page.status) == ("n1", "pending")
        steps = await Outbox(reopened.engine).steps_of(incident.id)
        assert [(s.target, s.status, s.due_at) for s in steps] == [
            ("zone_nurses", "done", 100.0),
            ("charge_nurse", "pending", 130.0),
        ]
        assert await reopened.vitals_of(incident.id) == [
            {"ts": 95.0, "device": "wb-1", "hr": 120},
            {"ts": 99.0, "device": "bed-1", "rr": 28},
        ]
    finally:
        await reopened.close()


async def test_facilities_are_kept_apart(store: IncidentStore) -> None:
    mine, _ = await store.open_or_join(alert(), summary="Fall", now=100.0)
    theirs = Alert(
        facility="f2",
        resident="r-001",
        kind=AlertKind.FALL,
        priority=Priority.MEDIUM,
        ts=100.0,
        evidence="impact",
    )
    other, created = await store.open_or_join(theirs, summary="Fall", now=100.0)
    assert created and other.id != mine.id
    assert [i.id for i in await store.find(facilities=["f2"])] == [other.id]


FALL = (
    Fact(
        "fall.impact", peak=4.06, at="02:13:05", how=Fact("fall.still"), still=8.0,
        part=Fact("fall.wrist"), tilt=71.5,
    ),
    Fact("fall.cancelled", at="02:13:09"),
)  # fmt: skip
SUMMARY = Fact("summary.room", what=Fact("kind.fall"), who="黄德福", room="207")


async def test_summary_and_evidence_facts_survive_the_database(db_url: str) -> None:
    store = await IncidentStore.connect(db_url)
    try:
        said = Alert("f1", "r-001", AlertKind.FALL, Priority.HIGH, 100.0, english(FALL), facts=FALL)
        opened, _ = await store.open_or_join(said, summary=SUMMARY, now=100.0)
        up = (Fact("fall.up_again", since="02:14:00"),)
        later = replace(said, ts=130.0, evidence=english(up), facts=up)
        await store.open_or_join(later, summary="ignored when joining", now=130.0)
    finally:
        await store.close()
    store = await IncidentStore.connect(db_url)  # a restart reads what was written
    try:
        incident = await store.get(opened.id)
        assert incident is not None
        assert incident.summary_facts == (SUMMARY,) and incident.evidence_facts == up
        assert incident.summary == "Fall detected: 黄德福, room 207"
        assert render(incident.summary_facts, "zh-CN") == "检测到跌倒：黄德福，207 房"
        detected, updated = incident.timeline
        assert facts_from_json(detected.detail["facts"]) == FALL
        assert detected.detail["evidence"] == english(FALL)  # the English, as before
        assert facts_from_json(updated.detail["facts"]) == up
        [listed] = await store.find(facilities=["f1"])
        assert listed.evidence_facts == up and listed.summary_facts == (SUMMARY,)
    finally:
        await store.close()


async def test_a_database_from_before_the_facts_opens_and_reads_as_english(db_url: str) -> None:
    store = await IncidentStore.connect(db_url)
    old, _ = await store.open_or_join(alert(evidence="lying still"), summary="Fall", now=100.0)
    async with store.engine.begin() as conn:  # as an earlier Shouhu made it
        for column in ("summary_facts", "evidence_facts"):
            await conn.execute(sa.text(f"ALTER TABLE incidents DROP COLUMN {column}"))
    await store.close()
    store = await IncidentStore.connect(db_url)
    try:
        incident = await store.get(old.id)
        assert incident is not None and incident.evidence == "lying still"
        assert incident.summary_facts == () and incident.evidence_facts == ()
        assert localized(incident.evidence_facts, incident.evidence) == {
            "en": "lying still",
            "zh-CN": "lying still",
        }
        joined, created = await store.open_or_join(
            replace(alert(), facts=FALL, evidence=english(FALL)), summary="Fall", now=120.0
        )
        assert not created and joined.evidence_facts == FALL
    finally:
        await store.close()
