"""The incident store seam, on SQLite (default) or PostgreSQL.

One implementation over SQLAlchemy Core, so the same SQL and the same test
suite serve both databases. Every write is one transaction: an incident is
committed, with its first timeline event, before anything is paged.
SQLite runs in WAL mode with ``synchronous=FULL``, so a committed incident
survives a crash or power loss.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from alerting.incidents import Incident, State, TimelineEvent
from alerting.outbox import Planner, append_event, no_steps, replan_steps, schedule_steps
from alerting.rows import evidence_detail, incident_of, insert_incident
from alerting.schema import add_missing_columns, incidents, metadata, timeline, vitals
from alerting.words import dump_facts
from shouhu.domain import Alert, Fact, Priority
from shouhu.errors import ConfigError

log = logging.getLogger(__name__)


def database_url(url: str) -> str:
    """Accept plain ``sqlite:///file`` and ``postgresql://`` URLs; pick the async driver."""
    try:
        parsed = make_url(url)
    except sa.exc.ArgumentError as exc:
        raise ConfigError(f"database URL {url!r} is not a URL: {exc}") from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        return str(parsed.set(drivername="sqlite+aiosqlite"))
    if backend == "postgresql":
        return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    raise ConfigError(f"database URL {url!r}: use sqlite:///path or postgresql://...")


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # The driver's own transaction handling off: ``_sqlite_begin`` starts every transaction.
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    """Take the write lock when a transaction begins, so busy_timeout applies.

    A deferred transaction that reads, then writes, cannot wait for the lock
    when another connection committed in between: SQLite answers "database is
    locked" at once, whatever the busy_timeout.
    """
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _open_key(alert_condition: tuple[str, str | None, str, str]) -> str:
    facility, resident, kind, key = alert_condition
    return f"{facility}|{resident or ''}|{kind}|{key}"


class IncidentStore:
    """Durable incidents, timelines, pages and vitals snapshots."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @classmethod
    async def connect(cls, url: str) -> IncidentStore:
        engine = create_async_engine(database_url(url), pool_pre_ping=True)
        if engine.dialect.name == "sqlite":
            event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
            event.listen(engine.sync_engine, "begin", _sqlite_begin)
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
            await conn.run_sync(add_missing_columns)
        return cls(engine)

    async def close(self) -> None:
        await self.engine.dispose()

    # -- writes ---------------------------------------------------------------

    async def open_or_join(
        self,
        alert: Alert,
        *,
        summary: str | Fact,
        now: float,
        plan: Planner | None = None,
    ) -> tuple[Incident, bool]:
        """Open an incident for the alert's condition, or join the open one.

        Returns the incident and whether it was created. A summary given as a fact
        (``alerting.words``) is kept as one, with its English text. ``plan(priority)``
        gives the escalation steps; they are committed with their due times
        in the same transaction as the incident (the outbox). Joining appends
        an ``updated`` event with the new evidence; a more urgent alert raises
        the priority and re-plans the steps not yet run.
        """
        plan = plan or no_steps
        open_key = _open_key(alert.condition)
        for _ in range(3):
            async with self.engine.begin() as conn:
                row = (
                    await conn.execute(
                        sa.select(incidents.c.id, incidents.c.priority).where(
                            incidents.c.open_key == open_key
                        )
                    )
                ).first()
                if row is not None:
                    await self._join(conn, row.id, Priority(row.priority), alert, now, plan)
                    return await self._get(conn, row.id), False
                try:
                    incident_id = await insert_incident(
                        conn, alert, now=now, open_key=open_key, summary=summary
                    )
                except IntegrityError:
                    continue  # another writer opened it first: join theirs
                await schedule_steps(conn, incident_id, alert.facility, plan(alert.priority), now)
                return await self._get(conn, incident_id), True
        raise RuntimeError(f"could not open or join an incident for {open_key}")

    async def _join(
        self,
        conn: AsyncConnection,
        incident_id: str,
        current: Priority,
        alert: Alert,
        now: float,
        plan: Planner,
    ) -> None:
        values: dict[str, Any] = {
            "updated_at": now,
            "evidence": alert.evidence,
            "evidence_facts": dump_facts(alert.facts),
        }
        if alert.priority.rank > current.rank:
            values["priority"] = alert.priority.value
            await replan_steps(conn, incident_id, plan(alert.priority), now)
        await conn.execute(incidents.update().where(incidents.c.id == incident_id).values(**values))
        await append_event(
            conn,
            incident_id,
            TimelineEvent(
                ts=now,
                type="updated",
                actor="system",
                detail={**evidence_detail(alert), "priority": alert.priority.value},
            ),
        )

    async def append(
        self,
        incident_id: str,
        entry: TimelineEvent,
        *,
        state: State | None = None,
        **fields: Any,
    ) -> Incident:
        """Append a timeline event, optionally moving the incident's state."""
        async with self.engine.begin() as conn:
            values: dict[str, Any] = {"updated_at": entry.ts, **fields}
            if state is not None:
                values["state"] = state.value
                if state is State.RESOLVED:
                    values["open_key"] = None
                    values["resolved_at"] = entry.ts
            await conn.execute(
                incidents.update().where(incidents.c.id == incident_id).values(**values)
            )
            await append_event(conn, incident_id, entry)
            return await self._get(conn, incident_id)

    async def add_vitals(
        self, incident_id: str, rows: Sequence[tuple[float, str, dict[str, Any]]]
    ) -> None:
        if not rows:
            return
        async with self.engine.begin() as conn:
            await conn.execute(
                vitals.insert(),
                [
                    {
                        "incident_id": incident_id,
                        "ts": ts,
                        "device": device,
                        "data": json.dumps(data, separators=(",", ":")),
                    }
                    for ts, device, data in rows
                ],
            )

    # -- reads ----------------------------------------------------------------

    async def get(self, incident_id: str) -> Incident | None:
        async with self.engine.connect() as conn:
            try:
                return await self._get(conn, incident_id)
            except KeyError:
                return None

    async def _get(self, conn: AsyncConnection, incident_id: str) -> Incident:
        row = (
            await conn.execute(sa.select(incidents).where(incidents.c.id == incident_id))
        ).first()
        if row is None:
            raise KeyError(incident_id)
        events = (
            await conn.execute(
                sa.select(timeline)
                .where(timeline.c.incident_id == incident_id)
                .order_by(timeline.c.id)
            )
        ).all()
        return incident_of(row, events)

    async def find(
        self,
        *,
        facilities: Sequence[str],
        open_only: bool = False,
        limit: int = 200,
        since: float | None = None,
        until: float | None = None,
        resident: str | None = None,
        kind: str | None = None,
        priority: str | None = None,
    ) -> list[Incident]:
        query = sa.select(incidents).where(incidents.c.facility.in_(list(facilities)))
        if open_only:
            query = query.where(incidents.c.open_key.is_not(None))
        if since is not None:
            query = query.where(incidents.c.opened_at >= since)
        if until is not None:
            query = query.where(incidents.c.opened_at < until)
        if resident is not None:
            query = query.where(incidents.c.resident == resident)
        if kind is not None:
            query = query.where(incidents.c.kind == kind)
        if priority is not None:
            query = query.where(incidents.c.priority == priority)
        query = query.order_by(incidents.c.opened_at.desc()).limit(limit)
        async with self.engine.connect() as conn:
            return [incident_of(row, ()) for row in (await conn.execute(query)).all()]

    async def vitals_of(self, incident_id: str) -> list[dict[str, Any]]:
        async with self.engine.connect() as conn:
            rows = (
                await conn.execute(
                    sa.select(vitals)
                    .where(vitals.c.incident_id == incident_id)
                    .order_by(vitals.c.ts)
                )
            ).all()
        return [{"ts": r.ts, "device": r.device, **json.loads(r.data)} for r in rows]
