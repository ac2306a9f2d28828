"""Sign in, who am I, sign out."""

from __future__ import annotations

import time
from collections import deque

from fastapi import APIRouter, HTTPException, Request, Response

from api.access import COOKIE, Accounts, AnyUser, Audit, client_of, service_of
from api.account_schemas import SessionPublic, SignInBody
from api.accounts import SESSION_SECONDS
from api.audit import AuditEntry

router = APIRouter(prefix="/api/v1/session", tags=["session"])

FAILURES_ALLOWED = 5
FAILURE_WINDOW_S = 300.0


class Throttle:
    """Refuse a username for a while after repeated wrong passwords."""

    def __init__(self) -> None:
        self._failures: dict[str, deque[float]] = {}

    def blocked_for(self, username: str, now: float) -> float:
        recent = self._failures.get(username)
        while recent and recent[0] < now - FAILURE_WINDOW_S:
            recent.popleft()
        if recent is None or len(recent) < FAILURES_ALLOWED:
            return 0.0
        return recent[0] + FAILURE_WINDOW_S - now

    def failed(self, username: str, now: float) -> None:
        self._failures.setdefault(username, deque()).append(now)
        if len(self._failures) > 10_000:  # bounded memory under a spray of names
            self._failures.pop(next(iter(self._failures)))

    def succeeded(self, username: str) -> None:
        self._failures.pop(username, None)


def _throttle(request: Request) -> Throttle:
    throttle: Throttle = request.app.state.throttle
    return throttle


@router.post("", responses={401: {"description": "wrong username or password"}})
async def sign_in(
    body: SignInBody, request: Request, response: Response, accounts: Accounts, audit: Audit
) -> SessionPublic:
    origin = request.headers.get("origin")
    if origin is not None and origin.split("://", 1)[-1] != request.headers.get("host"):
        raise HTTPException(403, "cross-origin sign-in refused")
    throttle, now = _throttle(request), time.monotonic()
    wait = throttle.blocked_for(body.username, now)
    if wait > 0:
        raise HTTPException(
            429, "too many wrong passwords; try again later", {"Retry-After": f"{wait:.0f}"}
        )
    user = await accounts.authenticate(body.username, body.password)
    if user is None or user.facility not in service_of(request).facilities:
        throttle.failed(body.username, now)
        known = await accounts.get(body.username)
        if known is not None:
            await audit.record([_entry(known.facility, body.username, "sign_in_failed", request)])
        raise HTTPException(401, "wrong username or password")
    throttle.succeeded(body.username)
    session = await accounts.start_session(user.username)
    response.set_cookie(
        COOKIE,
        session.token,
        max_age=int(SESSION_SECONDS),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    await audit.record([_entry(user.facility, user.username, "sign_in", request)])
    facility = service_of(request).facilities[user.facility]
    return SessionPublic.of(user, facility, session.csrf)


@router.get("")
async def whoami(principal: AnyUser) -> SessionPublic:
    return SessionPublic.of(principal.user, principal.facility, principal.csrf)


@router.delete("", status_code=204)
async def sign_out(
    principal: AnyUser, request: Request, response: Response, accounts: Accounts, audit: Audit
) -> None:
    token = request.cookies.get(COOKIE)
    if token:
        await accounts.end_session(token)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    await audit.record([principal.audit("sign_out")])


def _entry(facility: str, username: str, action: str, request: Request) -> AuditEntry:
    return AuditEntry(
        facility=facility, username=username, action=action, client=client_of(request)
    )
