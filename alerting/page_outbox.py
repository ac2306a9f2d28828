"""The page half of the outbox: one row per page, its channel, attempts and deadline.

A page row is written by the step that creates it (``Outbox.run_step``);
from then on delivery only updates the row, guarded by its status, so two
ticks or a restarted core never deliver one page twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from alerting.incidents import State, TimelineEvent
from alerting.outbox import LIVE, advance_state, append_event
from alerting.schema import pages


@dataclass(frozen=True, slots=True)
class PageRecord:
    page_id: str
    incident_id: str
    facility: str
    staff: str
    seq: int
    purpose: str
    channel: str
    channel_index: int
    attempts: int
    status: str
    created_at: float
    next_at: float | None
    deadline: float
    failure_reported: bool
    last_error: str


class PageOutbox:
    """Pages of open incidents: which are due, and recording each attempt's result."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def due_pages(self, now: float, facilities: Sequence[str]) -> list[PageRecord]:
        live = pages.c.status.in_(LIVE)
        query = (
            sa.select(pages)
            .where(
                pages.c.facility.in_(list(facilities)),
                live,
                sa.or_(
                    pages.c.next_at <= now,
                    sa.and_(pages.c.deadline <= now, pages.c.failure_reported.is_(sa.false())),
                ),
            )
            .order_by(pages.c.created_at)
            .limit(500)
        )
        async with self.engine.connect() as conn:
            return [_page(r) for r in (await conn.execute(query)).all()]

    async def page(self, page_id: str) -> PageRecord | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(sa.select(pages).where(pages.c.page_id == page_id))).first()
            return _page(row) if row is not None else None

    async def pages_of(self, incident_id: str) -> list[PageRecord]:
        query = (
            sa.select(pages)
            .where(pages.c.incident_id == incident_id)
            .order_by(pages.c.created_at, pages.c.page_id)
        )
        async with self.engine.connect() as conn:
            return [_page(r) for r in (await conn.execute(query)).all()]

    async def update_page(
        self,
        page_id: str,
        *,
        only_if: Sequence[str] | None = None,
        unreported: bool = False,
        events: Sequence[TimelineEvent] = (),
        state: State | None = None,
        **values: Any,
    ) -> PageRecord | None:
        """Update a page (if its status is one of ``only_if``) with its timeline events."""
        async with self.engine.begin() as conn:
            query = pages.update().where(pages.c.page_id == page_id)
            if only_if is not None:
                query = query.where(pages.c.status.in_(list(only_if)))
            if unreported:
                query = query.where(pages.c.failure_reported.is_(sa.false()))
            if (await conn.execute(query.values(**values))).rowcount != 1:
                return None
            row = (await conn.execute(sa.select(pages).where(pages.c.page_id == page_id))).one()
            for entry in events:
                await append_event(conn, row.incident_id, entry)
            if state is not None and events:
                await advance_state(conn, row.incident_id, state, events[-1].ts)
            return _page(row)

    async def cancel_pages(self, incident_id: str, *, staff: str | None = None) -> None:
        """Stop delivering the incident's pages (it was taken or resolved)."""
        query = pages.update().where(pages.c.incident_id == incident_id, pages.c.status.in_(LIVE))
        if staff is not None:
            query = query.where(pages.c.staff != staff)
        async with self.engine.begin() as conn:
            await conn.execute(query.values(status="cancelled"))


def _page(row: Any) -> PageRecord:
    return PageRecord(
        page_id=row.page_id,
        incident_id=row.incident_id,
        facility=row.facility,
        staff=row.staff,
        seq=row.seq,
        purpose=row.purpose,
        channel=row.channel,
        channel_index=row.channel_index,
        attempts=row.attempts,
        status=row.status,
        created_at=row.created_at,
        next_at=row.next_at,
        deadline=row.deadline,
        failure_reported=bool(row.failure_reported),
        last_error=row.last_error,
    )
