"""The audit log: who read or changed which resident's data, when, from where.

Append-only: this module has no update or delete, and the API exposes only
reads of it (to managers and admins of the same facility). One row per
resident touched by a request, so "who looked at 黄德福's incidents" is one
query.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

metadata = sa.MetaData()

audit = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("ts", sa.Float, nullable=False),
    sa.Column("facility", sa.String(64), nullable=False),
    sa.Column("username", sa.String(64), nullable=False),
    sa.Column("role", sa.String(16), nullable=False, server_default=""),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("resident", sa.String(64)),
    sa.Column("incident", sa.String(40)),
    sa.Column("client", sa.String(64), nullable=False, server_default=""),
    sa.Column("detail", sa.Text, nullable=False, server_default="{}"),
    sa.Index("ix_audit_facility_ts", "facility", "ts"),
    sa.Index("ix_audit_resident", "facility", "resident"),
)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    facility: str
    username: str
    action: str  # read, list, export, accept, resolve, sign_in, sign_in_failed, ...
    role: str = ""
    resident: str | None = None
    incident: str | None = None
    client: str = ""
    detail: dict[str, Any] = field(default_factory=dict)
    ts: float = 0.0


class AuditLog:
    def __init__(self, engine: AsyncEngine, *, now: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self.now = now
        self._ready = False
        self._lock = asyncio.Lock()

    async def ready(self) -> None:
        if self._ready:
            return
        async with self._lock:
            if not self._ready:
                async with self.engine.begin() as conn:
                    await conn.run_sync(metadata.create_all)
                self._ready = True

    async def record(self, entries: Iterable[AuditEntry]) -> None:
        rows = [
            {
                "ts": e.ts or self.now(),
                "facility": e.facility,
                "username": e.username,
                "role": e.role,
                "action": e.action,
                "resident": e.resident,
                "incident": e.incident,
                "client": e.client[:64],
                "detail": json.dumps(e.detail, ensure_ascii=False, default=str),
            }
            for e in entries
        ]
        if not rows:
            return
        await self.ready()
        async with self.engine.begin() as conn:
            await conn.execute(audit.insert(), rows)

    async def find(
        self,
        *,
        facility: str,
        resident: str | None = None,
        username: str | None = None,
        action: str | None = None,
        since: float | None = None,
        until: float | None = None,
        limit: int = 500,
    ) -> list[AuditEntry]:
        await self.ready()
        query = sa.select(audit).where(audit.c.facility == facility)
        for column, value in (
            (audit.c.resident, resident),
            (audit.c.username, username),
            (audit.c.action, action),
        ):
            if value is not None:
                query = query.where(column == value)
        if since is not None:
            query = query.where(audit.c.ts >= since)
        if until is not None:
            query = query.where(audit.c.ts < until)
        query = query.order_by(audit.c.id.desc()).limit(limit)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [
            AuditEntry(
                facility=r.facility,
                username=r.username,
                action=r.action,
                role=r.role,
                resident=r.resident,
                incident=r.incident,
                client=r.client,
                detail=json.loads(r.detail),
                ts=r.ts,
            )
            for r in rows
        ]
