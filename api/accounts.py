"""Accounts and sign-in sessions, in the incident store's database.

Passwords are hashed with Argon2id (pwdlib); a session is a random token whose
SHA-256 alone is stored, so a copy of the database signs nobody in. Tables
are created on first use, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import asyncio
import enum
import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from shouhu.errors import ShouhuError
from shouhu.facility import Facility

SESSION_SECONDS = 12 * 3600.0  # one shift and some
MIN_PASSWORD = 8

metadata = sa.MetaData()

users = sa.Table(
    "users",
    metadata,
    sa.Column("username", sa.String(64), primary_key=True),
    sa.Column("facility", sa.String(64), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("staff", sa.String(64)),
    sa.Column("name", sa.String(200), nullable=False, server_default=""),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", sa.Float, nullable=False),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("username", sa.String(64), sa.ForeignKey("users.username"), nullable=False),
    sa.Column("csrf", sa.String(64), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False),
)


class Role(enum.StrEnum):
    NURSE = "nurse"
    CHARGE_NURSE = "charge_nurse"
    MANAGER = "manager"
    ADMIN = "admin"


class AccountError(ShouhuError):
    """An account cannot be created or changed as asked (the message says why)."""


@dataclass(frozen=True, slots=True)
class User:
    username: str
    facility: str
    role: Role
    staff: str | None
    name: str
    disabled: bool = False


@dataclass(frozen=True, slots=True)
class Session:
    token: str  # only ever in the cookie; the database has its hash
    csrf: str
    expires_at: float


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class AccountStore:
    """Users and their sessions; ``now`` is wall time (sessions outlive simulated clocks)."""

    def __init__(self, engine: AsyncEngine, *, now: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self.now = now
        self.hasher = PasswordHash((Argon2Hasher(),))
        self._dummy = self.hasher.hash("not a real password")
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

    # -- accounts ---------------------------------------------------------------

    async def add(
        self,
        username: str,
        password: str,
        *,
        facility: str,
        role: Role,
        staff: str | None = None,
        name: str = "",
    ) -> User:
        if len(password) < MIN_PASSWORD:
            raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")
        await self.ready()
        user = User(username, facility, role, staff, name or username)
        hashed = await asyncio.to_thread(self.hasher.hash, password)
        try:
            async with self.engine.begin() as conn:
                await conn.execute(
                    users.insert().values(
                        username=username,
                        facility=facility,
                        role=role.value,
                        staff=staff,
                        name=user.name,
                        password_hash=hashed,
                        created_at=self.now(),
                    )
                )
        except IntegrityError as exc:
            raise AccountError(f"there is already an account {username!r}") from exc
        return user

    async def get(self, username: str) -> User | None:
        await self.ready()
        async with self.engine.connect() as conn:
            row = (await conn.execute(sa.select(users).where(users.c.username == username))).first()
        return _user(row) if row is not None else None

    async def list(self, facility: str) -> list[User]:
        await self.ready()
        async with self.engine.connect() as conn:
            rows = (
                await conn.execute(
                    sa.select(users).where(users.c.facility == facility).order_by(users.c.username)
                )
            ).all()
        return [_user(r) for r in rows]

    async def set_password(self, username: str, password: str) -> None:
        if len(password) < MIN_PASSWORD:
            raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")
        hashed = await asyncio.to_thread(self.hasher.hash, password)
        await self._update(username, password_hash=hashed)
        await self.end_sessions(username)

    async def set_disabled(self, username: str, disabled: bool) -> None:
        await self._update(username, disabled=disabled)
        if disabled:
            await self.end_sessions(username)

    async def _update(self, username: str, **values: object) -> None:
        await self.ready()
        async with self.engine.begin() as conn:
            result = await conn.execute(
                users.update().where(users.c.username == username).values(**values)
            )
        if result.rowcount == 0:
            raise AccountError(f"no account {username!r}")

    async def authenticate(self, username: str, password: str) -> User | None:
        """The user if the password is right and the account enabled, else None."""
        await self.ready()
        async with self.engine.connect() as conn:
            row = (await conn.execute(sa.select(users).where(users.c.username == username))).first()
        stored = row.password_hash if row is not None else self._dummy  # same work either way
        ok, rehashed = await asyncio.to_thread(self.hasher.verify_and_update, password, stored)
        if row is None or not ok or row.disabled:
            return None
        if rehashed is not None:
            await self._update(username, password_hash=rehashed)
        return _user(row)

    # -- sessions -----------------------------------------------------------------

    async def start_session(self, username: str) -> Session:
        await self.ready()
        now = self.now()
        session = Session(
            token=secrets.token_urlsafe(32),
            csrf=secrets.token_urlsafe(24),
            expires_at=now + SESSION_SECONDS,
        )
        async with self.engine.begin() as conn:
            await conn.execute(sessions.delete().where(sessions.c.expires_at < now))
            await conn.execute(
                sessions.insert().values(
                    token_hash=_digest(session.token),
                    username=username,
                    csrf=session.csrf,
                    created_at=now,
                    expires_at=session.expires_at,
                )
            )
        return session

    async def session_user(self, token: str) -> tuple[User, str] | None:
        """The signed-in, enabled user of a session token and its CSRF token."""
        await self.ready()
        query = (
            sa.select(users, sessions.c.csrf)
            .join(sessions, sessions.c.username == users.c.username)
            .where(sessions.c.token_hash == _digest(token))
            .where(sessions.c.expires_at > self.now())
            .where(users.c.disabled.is_(False))
        )
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).first()
        return (_user(row), row.csrf) if row is not None else None

    async def end_session(self, token: str) -> None:
        await self.ready()
        async with self.engine.begin() as conn:
            await conn.execute(sessions.delete().where(sessions.c.token_hash == _digest(token)))

    async def end_sessions(self, username: str) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(sessions.delete().where(sessions.c.username == username))


def _user(row: sa.Row[tuple[object, ...]]) -> User:
    m = row._mapping
    return User(
        username=str(m["username"]),
        facility=str(m["facility"]),
        role=Role(m["role"]),
        staff=str(m["staff"]) if m["staff"] is not None else None,
        name=str(m["name"]),
        disabled=bool(m["disabled"]),
    )


def check_staff_link(facility: Facility, role: Role, staff: str | None) -> None:
    """Nurses' accounts name their staff record, so pages and timelines name them."""
    if staff is None:
        if role in (Role.NURSE, Role.CHARGE_NURSE):
            raise AccountError(f"a {role.value}'s account needs their staff id (--staff)")
        return
    member = facility.member(staff)
    if member is None:
        raise AccountError(f"facility {facility.id} has no staff member {staff!r}")
    if role in (Role.NURSE, Role.CHARGE_NURSE) and member.role != role.value:
        raise AccountError(f"staff member {staff} is a {member.role}, not a {role.value}")
