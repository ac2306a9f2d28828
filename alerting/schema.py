"""The database tables, shared by the incident store and the escalation outbox.

One schema for SQLite and PostgreSQL (SQLAlchemy Core). ``steps`` and
``pages`` are the transactional outbox: an escalation step is committed with
its due time before it runs, and a page is committed before it is sent, so a
restarted core finds every piece of unfinished work in these two tables.

``create_all`` makes missing tables; ``add_missing_columns`` adds a column
this code knows and an older database lacks (every such column is nullable or
has a server default), so a database made by an earlier Shouhu opens as is.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa

log = logging.getLogger(__name__)

metadata = sa.MetaData()

incidents = sa.Table(
    "incidents",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("facility", sa.String(64), nullable=False),
    sa.Column("resident", sa.String(64)),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("priority", sa.String(8), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("condition_key", sa.String(200), nullable=False),
    sa.Column("device", sa.String(64)),
    sa.Column("opened_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
    sa.Column("resolved_at", sa.Float),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("evidence", sa.Text, nullable=False),
    sa.Column("accepted_by", sa.String(64)),
    sa.Column("outcome", sa.String(32)),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Column("exercise", sa.Boolean, nullable=False, server_default=sa.false()),
    # The summary and the newest evidence as facts (JSON, alerting.words.codec): the English
    # text above is kept for logs and exports; pages and views render these in a language.
    sa.Column("summary_facts", sa.Text, nullable=False, server_default="[]"),
    sa.Column("evidence_facts", sa.Text, nullable=False, server_default="[]"),
    # Non-null only while open: one open incident per condition, enforced by the database.
    sa.Column("open_key", sa.String(240), unique=True),
    sa.Index("ix_incidents_facility_opened", "facility", "opened_at"),
)

timeline = sa.Table(
    "timeline",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("incident_id", sa.String(40), sa.ForeignKey("incidents.id"), nullable=False),
    sa.Column("ts", sa.Float, nullable=False),
    sa.Column("type", sa.String(32), nullable=False),
    sa.Column("actor", sa.String(64), nullable=False, server_default=""),
    sa.Column("channel", sa.String(32), nullable=False, server_default=""),
    sa.Column("detail", sa.Text, nullable=False, server_default="{}"),
    sa.Index("ix_timeline_incident", "incident_id", "id"),
)

# One row per escalation step, reminder or emergency request: what to do, and when.
steps = sa.Table(
    "steps",
    metadata,
    sa.Column("incident_id", sa.String(40), sa.ForeignKey("incidents.id"), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("facility", sa.String(64), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),  # escalation, reminder, request
    sa.Column("target", sa.String(32), nullable=False),
    sa.Column("due_at", sa.Float, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # pending, done, cancelled
    sa.Column("ran_at", sa.Float),
    sa.Column("actor", sa.String(64), nullable=False, server_default="system"),
    sa.Index("ix_steps_status_due", "status", "due_at"),
)

# One row per page: the idempotency key is the primary key, so a step never pages twice.
pages = sa.Table(
    "pages",
    metadata,
    sa.Column("page_id", sa.String(120), primary_key=True),
    sa.Column("incident_id", sa.String(40), sa.ForeignKey("incidents.id"), nullable=False),
    sa.Column("facility", sa.String(64), nullable=False),
    sa.Column("staff", sa.String(64), nullable=False),  # or "emergency_services"
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("purpose", sa.String(16), nullable=False, server_default="escalation"),
    sa.Column("channel", sa.String(32), nullable=False, server_default=""),
    sa.Column("channel_index", sa.Integer, nullable=False, server_default="0"),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    # pending, sent (awaiting receipt), delivered, accepted, declined, failed, cancelled
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("next_at", sa.Float),  # next attempt, or end of the wait for a receipt
    sa.Column("deadline", sa.Float, nullable=False),  # delivered by then, or it is a failure
    sa.Column("failure_reported", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("last_error", sa.Text, nullable=False, server_default=""),
    sa.Index("ix_pages_incident", "incident_id"),
    sa.Index("ix_pages_status_next", "status", "next_at"),
)

vitals = sa.Table(
    "vitals",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("incident_id", sa.String(40), sa.ForeignKey("incidents.id"), nullable=False),
    sa.Column("ts", sa.Float, nullable=False),
    sa.Column("device", sa.String(64), nullable=False),
    sa.Column("data", sa.Text, nullable=False),
    sa.Index("ix_vitals_incident_ts", "incident_id", "ts"),
)

# Staff and shift changes made through the API, over the facility file's roster.
rosters = sa.Table(
    "rosters",
    metadata,
    sa.Column("facility", sa.String(64), primary_key=True),
    sa.Column("staff", sa.Text, nullable=False),  # JSON list of staff members
    sa.Column("shifts", sa.Text, nullable=False),  # JSON list of shifts
    sa.Column("updated_at", sa.Float, nullable=False),
    sa.Column("updated_by", sa.String(64), nullable=False, server_default=""),
)


def add_missing_columns(conn: sa.Connection) -> None:
    """Add the columns an older database lacks (run after ``metadata.create_all``)."""
    inspector = sa.inspect(conn)
    for table in metadata.sorted_tables:
        have = {c["name"] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in have:
                continue
            if not (column.nullable or column.server_default is not None):
                raise RuntimeError(f"cannot add {table.name}.{column.name}: no default")
            spec = sa.schema.CreateColumn(column).compile(dialect=conn.dialect)
            conn.execute(sa.text(f"ALTER TABLE {table.name} ADD COLUMN {spec}"))
            log.info("database: added column %s.%s", table.name, column.name)
