"""Request and response bodies for sign-in, accounts and the audit log."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from api.accounts import Role, User
from api.audit import AuditEntry
from shouhu.facility import Facility

Username = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")


class SignInBody(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class UserPublic(BaseModel):
    username: str
    facility: str
    role: Role
    staff: str | None
    name: str
    disabled: bool

    @classmethod
    def of(cls, user: User) -> UserPublic:
        return cls(
            username=user.username,
            facility=user.facility,
            role=user.role,
            staff=user.staff,
            name=user.name,
            disabled=user.disabled,
        )


class SessionPublic(BaseModel):
    user: UserPublic
    facility_name: str
    zones: list[dict[str, str]]
    csrf_token: str = Field(description="send as X-CSRF-Token with every POST, PUT, DELETE")

    @classmethod
    def of(cls, user: User, facility: Facility, csrf: str) -> SessionPublic:
        return cls(
            user=UserPublic.of(user),
            facility_name=facility.facility.name,
            zones=[{"id": z.id, "name": z.name} for z in facility.zones],
            csrf_token=csrf,
        )


class UserCreate(BaseModel):
    username: str = Username
    password: str = Field(min_length=8, max_length=256)
    role: Role
    staff: str | None = Field(None, max_length=64, description="the staff id in the facility file")
    name: str = Field("", max_length=200)


class UserUpdate(BaseModel):
    password: str | None = Field(None, min_length=8, max_length=256)
    disabled: bool | None = None


class AuditPublic(BaseModel):
    ts: float
    username: str
    role: str
    action: str
    resident: str | None
    incident: str | None
    client: str
    detail: dict[str, Any]

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditPublic:
        return cls(
            ts=entry.ts,
            username=entry.username,
            role=entry.role,
            action=entry.action,
            resident=entry.resident,
            incident=entry.incident,
            client=entry.client,
            detail=entry.detail,
        )
