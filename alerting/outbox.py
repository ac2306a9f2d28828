"""The transactional outbox: escalation steps and pages, committed before they run.

A step row (incident, seq, target, due time) is written in the same
transaction as the incident it belongs to; running it writes its page rows
(the page id is the idempotency key) in one transaction with the step's
``done`` mark. Sending a page only ever reads and updates its row. So a core
killed at any moment leaves either a pending step or a pending page, and the
restarted core carries on from there; nothing is paged twice for one step.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from alerting.incidents import PlannedStep, State, TimelineEvent
from alerting.schema import incidents, pages, steps, timeline
from shouhu.domain import Priority

Planner = Callable[[Priority], Sequence[PlannedStep]]

# Pages still being delivered. "sending" is committed before a channel is called, so a
# page caught mid-send by a crash is known to be in doubt (see Dispatcher.in_doubt).
LIVE = ("pending", "sending", "sent")


@dataclass(frozen=True, slots=True)
class Step:
    incident_id: str
    seq: int
    facility: str
    kind: str
    target: str
    due_at: float
    status: str
    actor: str = "system"


@dataclass(frozen=True, slots=True)
class NewPage:
    page_id: str
    staff: str
    deadline: float
    purpose: str = "escalation"


def no_steps(_priority: Priority) -> Sequence[PlannedStep]:
    return ()


async def append_event(conn: AsyncConnection, incident_id: str, entry: TimelineEvent) -> None:
    await conn.execute(
        timeline.insert().values(
            incident_id=incident_id,
            ts=entry.ts,
            type=entry.type,
            actor=entry.actor,
            channel=entry.channel,
            detail=json.dumps(entry.detail, ensure_ascii=False, default=str),
        )
    )


async def advance_state(conn: AsyncConnection, incident_id: str, state: State, ts: float) -> None:
    """Move an open incident forward to ``state``; never backwards, never out of resolved."""
    earlier = [s.value for s in State if s.order < state.order]
    await conn.execute(
        incidents.update()
        .where(incidents.c.id == incident_id, incidents.c.state.in_(earlier))
        .values(state=state.value, updated_at=ts)
    )


async def schedule_steps(
    conn: AsyncConnection,
    incident_id: str,
    facility: str,
    planned: Sequence[PlannedStep],
    opened_at: float,
    *,
    first_seq: int = 1,
    not_before: float | None = None,
    actor: str = "system",
) -> None:
    rows = [
        {
            "incident_id": incident_id,
            "seq": first_seq + i,
            "facility": facility,
            "kind": step.kind,
            "target": step.target,
            "due_at": max(opened_at + step.after_s, not_before or 0.0),
            "status": "pending",
            "actor": actor,
        }
        for i, step in enumerate(planned)
    ]
    if rows:
        await conn.execute(steps.insert(), rows)


async def _next_seq(conn: AsyncConnection, incident_id: str) -> int:
    top = await conn.scalar(
        sa.select(sa.func.max(steps.c.seq)).where(steps.c.incident_id == incident_id)
    )
    return int(top or 0) + 1


async def replan_steps(
    conn: AsyncConnection, incident_id: str, planned: Sequence[PlannedStep], now: float
) -> None:
    """A more urgent alert joined: pending ladder steps follow the new priority's plan."""
    row = (
        await conn.execute(
            sa.select(incidents.c.facility, incidents.c.opened_at).where(
                incidents.c.id == incident_id
            )
        )
    ).one()
    done = set(
        (
            await conn.execute(
                sa.select(steps.c.target).where(
                    steps.c.incident_id == incident_id, steps.c.status == "done"
                )
            )
        ).scalars()
    )
    await conn.execute(
        steps.update()
        .where(
            steps.c.incident_id == incident_id,
            steps.c.status == "pending",
            steps.c.kind == "escalation",
        )
        .values(status="cancelled")
    )
    await schedule_steps(
        conn,
        incident_id,
        row.facility,
        [p for p in planned if p.target not in done],
        row.opened_at,
        first_seq=await _next_seq(conn, incident_id),
        not_before=now,
    )


class Outbox:
    """Steps and pages of open incidents: what is due, and recording what came of it."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    # -- steps ------------------------------------------------------------------

    async def due_steps(self, now: float, facilities: Sequence[str]) -> list[Step]:
        """Pending steps due by ``now``, the latest-overdue first."""
        query = (
            sa.select(steps)
            .where(
                steps.c.status == "pending",
                steps.c.due_at <= now,
                steps.c.facility.in_(list(facilities)),
            )
            .order_by(steps.c.due_at, steps.c.seq)
            .limit(500)
        )
        async with self.engine.connect() as conn:
            return [_step(r) for r in (await conn.execute(query)).all()]

    async def steps_of(self, incident_id: str) -> list[Step]:
        query = sa.select(steps).where(steps.c.incident_id == incident_id).order_by(steps.c.seq)
        async with self.engine.connect() as conn:
            return [_step(r) for r in (await conn.execute(query)).all()]

    async def run_step(
        self,
        step: Step,
        *,
        now: float,
        new_pages: Sequence[NewPage] = (),
        events: Sequence[TimelineEvent] = (),
        follow_up: tuple[PlannedStep, float] | None = None,
        status: str = "done",
    ) -> bool:
        """Mark the step run and write its pages, atomically. False if it already ran."""
        async with self.engine.begin() as conn:
            marked = await conn.execute(
                steps.update()
                .where(
                    steps.c.incident_id == step.incident_id,
                    steps.c.seq == step.seq,
                    steps.c.status == "pending",
                )
                .values(status=status, ran_at=now)
            )
            if marked.rowcount != 1:
                return False
            await self._insert_pages(conn, step, new_pages, now)
            for entry in events:
                await append_event(conn, step.incident_id, entry)
            if follow_up is not None:
                planned, due = follow_up
                await schedule_steps(
                    conn,
                    step.incident_id,
                    step.facility,
                    [planned],
                    due,
                    first_seq=await _next_seq(conn, step.incident_id),
                )
        return True

    @staticmethod
    async def _insert_pages(
        conn: AsyncConnection, step: Step, new_pages: Sequence[NewPage], now: float
    ) -> None:
        ids = [p.page_id for p in new_pages]
        if not ids:
            return
        existing = set(
            (await conn.execute(sa.select(pages.c.page_id).where(pages.c.page_id.in_(ids))))
            .scalars()
            .all()
        )
        rows = [
            {
                "page_id": p.page_id,
                "incident_id": step.incident_id,
                "facility": step.facility,
                "staff": p.staff,
                "seq": step.seq,
                "purpose": p.purpose,
                "status": "pending",
                "created_at": now,
                "next_at": now,
                "deadline": p.deadline,
            }
            for p in new_pages
            if p.page_id not in existing
        ]
        if rows:
            await conn.execute(pages.insert(), rows)

    async def add_step(
        self,
        incident_id: str,
        facility: str,
        planned: PlannedStep,
        due_at: float,
        *,
        actor: str = "system",
        event: TimelineEvent | None = None,
    ) -> None:
        async with self.engine.begin() as conn:
            await schedule_steps(
                conn,
                incident_id,
                facility,
                [planned],
                due_at,
                first_seq=await _next_seq(conn, incident_id),
                actor=actor,
            )
            if event is not None:
                await append_event(conn, incident_id, event)

    async def cancel_steps(self, incident_id: str, kinds: Sequence[str]) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                steps.update()
                .where(
                    steps.c.incident_id == incident_id,
                    steps.c.status == "pending",
                    steps.c.kind.in_(list(kinds)),
                )
                .values(status="cancelled")
            )

    async def pull_forward(self, incident_id: str, now: float) -> bool:
        """Bring the earliest pending step of the incident forward to ``now``."""
        async with self.engine.begin() as conn:
            first = (
                await conn.execute(
                    sa.select(steps.c.seq, steps.c.due_at)
                    .where(steps.c.incident_id == incident_id, steps.c.status == "pending")
                    .order_by(steps.c.due_at, steps.c.seq)
                    .limit(1)
                )
            ).first()
            if first is None:
                return False
            if first.due_at > now:
                await conn.execute(
                    steps.update()
                    .where(steps.c.incident_id == incident_id, steps.c.seq == first.seq)
                    .values(due_at=now)
                )
            return True

    async def overdue_steps(self, before: float, facilities: Sequence[str]) -> list[Step]:
        """Pending steps that should have run before ``before`` (the watchdog's question)."""
        return [s for s in await self.due_steps(before, facilities) if s.due_at < before]

    # -- timers -----------------------------------------------------------------

    async def next_due(self, facilities: Sequence[str]) -> float | None:
        """The earliest moment any step or page needs attention."""
        mine = list(facilities)
        live = sa.and_(pages.c.facility.in_(mine), pages.c.status.in_(LIVE))
        async with self.engine.connect() as conn:
            candidates = [
                await conn.scalar(
                    sa.select(sa.func.min(steps.c.due_at)).where(
                        steps.c.status == "pending", steps.c.facility.in_(mine)
                    )
                ),
                await conn.scalar(sa.select(sa.func.min(pages.c.next_at)).where(live)),
                await conn.scalar(
                    sa.select(sa.func.min(pages.c.deadline)).where(
                        live, pages.c.failure_reported.is_(sa.false())
                    )
                ),
            ]
        found = [float(c) for c in candidates if c is not None]
        return min(found) if found else None


def _step(row: Any) -> Step:
    return Step(
        incident_id=row.incident_id,
        seq=row.seq,
        facility=row.facility,
        kind=row.kind,
        target=row.target,
        due_at=row.due_at,
        status=row.status,
        actor=row.actor,
    )
