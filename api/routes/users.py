"""Accounts of the admin's own facility: list, create, change password, disable."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from api.access import Accounts, Admin, Audit
from api.account_schemas import UserCreate, UserPublic, UserUpdate
from api.accounts import AccountError, check_staff_link

router = APIRouter(prefix="/api/v1/users", tags=["users"])


@router.get("")
async def list_users(principal: Admin, accounts: Accounts) -> list[UserPublic]:
    return [UserPublic.of(u) for u in await accounts.list(principal.facility.id)]


@router.post("", status_code=201, responses={409: {"description": "username taken"}})
async def create_user(
    body: UserCreate, principal: Admin, accounts: Accounts, audit: Audit
) -> UserPublic:
    try:
        check_staff_link(principal.facility, body.role, body.staff)
    except AccountError as exc:
        raise HTTPException(422, str(exc)) from exc
    try:
        user = await accounts.add(
            body.username,
            body.password,
            facility=principal.facility.id,
            role=body.role,
            staff=body.staff,
            name=body.name,
        )
    except AccountError as exc:
        raise HTTPException(409, str(exc)) from exc
    await audit.record(
        [principal.audit("user_created", detail={"user": user.username, "role": user.role})]
    )
    return UserPublic.of(user)


@router.patch("/{username}")
async def update_user(
    username: str, body: UserUpdate, principal: Admin, accounts: Accounts, audit: Audit
) -> UserPublic:
    user = await accounts.get(username)
    if user is None or user.facility != principal.facility.id:
        raise HTTPException(404, f"no account {username}")
    if body.password is not None:
        await accounts.set_password(username, body.password)
    if body.disabled is not None:
        if username == principal.user.username and body.disabled:
            raise HTTPException(409, "you cannot disable your own account")
        await accounts.set_disabled(username, body.disabled)
    changed = [k for k, v in body.model_dump().items() if v is not None]
    await audit.record(
        [principal.audit("user_changed", detail={"user": username, "changed": changed})]
    )
    updated = await accounts.get(username)
    assert updated is not None
    return UserPublic.of(updated)
