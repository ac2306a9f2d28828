"""Who is asking, and what they may see and do.

Every API route depends on one of the aliases below. A session cookie
(HttpOnly, SameSite=Strict) identifies the user; state-changing requests also
need the session's CSRF token in ``X-CSRF-Token`` and, when the browser sends
one, a same-origin ``Origin``. Anything of another facility is answered with
404, exactly as if it did not exist, so ids cannot be probed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from alerting.incidents import Incident
from api.accounts import AccountStore, Role, User
from api.audit import AuditEntry, AuditLog
from shouhu.facility import Facility
from shouhu.service import Service

COOKIE = "shouhu_session"
CSRF_HEADER = "X-CSRF-Token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

READERS = (Role.NURSE, Role.CHARGE_NURSE, Role.MANAGER)  # residents' data
RESPONDERS = (Role.NURSE, Role.CHARGE_NURSE)  # act on incidents
REVIEWERS = (Role.CHARGE_NURSE, Role.MANAGER)  # response figures
EVERYONE = tuple(Role)


@dataclass(frozen=True, slots=True)
class Principal:
    user: User
    facility: Facility
    zones: frozenset[str]  # the zones whose board this user watches
    csrf: str
    client: str

    @property
    def actor(self) -> str:
        """The name on the timeline: the staff id where the account has one."""
        return self.user.staff or self.user.username

    def audit(self, action: str, **fields: object) -> AuditEntry:
        return AuditEntry(
            facility=self.facility.id,
            username=self.user.username,
            role=self.user.role.value,
            action=action,
            client=self.client,
            **fields,  # type: ignore[arg-type]
        )


def accounts_of(request: Request) -> AccountStore:
    store: AccountStore = request.app.state.accounts
    return store


def audit_log_of(request: Request) -> AuditLog:
    log: AuditLog = request.app.state.audit
    return log


def service_of(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


def client_of(request: Request) -> str:
    return request.client.host if request.client else ""


def zones_of(user: User, facility: Facility) -> frozenset[str]:
    if user.role is Role.NURSE and user.staff:
        member = facility.member(user.staff)
        if member is not None and member.zones:
            return frozenset(member.zones)
    return frozenset(z.id for z in facility.zones)


def _check_csrf(request: Request, csrf: str) -> None:
    if request.method not in UNSAFE:
        return
    origin = request.headers.get("origin")
    if origin is not None and origin.split("://", 1)[-1] != request.headers.get("host"):
        raise HTTPException(403, "cross-origin request refused")
    if request.headers.get(CSRF_HEADER) != csrf:
        raise HTTPException(403, f"missing or wrong {CSRF_HEADER} header")


async def signed_in(request: Request) -> Principal:
    token = request.cookies.get(COOKIE)
    found = await accounts_of(request).session_user(token) if token else None
    if found is None:
        raise HTTPException(401, "sign in first", headers={"WWW-Authenticate": "Cookie"})
    user, csrf = found
    _check_csrf(request, csrf)
    facility = service_of(request).facilities.get(user.facility)
    if facility is None:
        raise HTTPException(403, f"facility {user.facility} is not served here")
    return Principal(user, facility, zones_of(user, facility), csrf, client_of(request))


def require(*roles: Role) -> object:
    async def dependency(principal: Annotated[Principal, Depends(signed_in)]) -> Principal:
        if principal.user.role not in roles:
            raise HTTPException(403, f"a {principal.user.role.value} may not do this")
        return principal

    return Depends(dependency)


AnyUser = Annotated[Principal, require(*EVERYONE)]
Reader = Annotated[Principal, require(*READERS)]
Responder = Annotated[Principal, require(*RESPONDERS)]
Reviewer = Annotated[Principal, require(*REVIEWERS)]
Manager = Annotated[Principal, require(Role.MANAGER)]
Auditor = Annotated[Principal, require(Role.MANAGER, Role.ADMIN)]
RosterEditor = Annotated[Principal, require(Role.MANAGER, Role.ADMIN)]
Admin = Annotated[Principal, require(Role.ADMIN)]
Accounts = Annotated[AccountStore, Depends(accounts_of)]
Audit = Annotated[AuditLog, Depends(audit_log_of)]


def own_facility(principal: Principal, facility: str | None) -> Facility:
    """The principal's facility; another facility's id is answered like an unknown one."""
    if facility is not None and facility != principal.facility.id:
        raise HTTPException(404, f"no facility {facility}")
    return principal.facility


async def incident_in_reach(service: Service, principal: Principal, incident_id: str) -> Incident:
    incident = await service.store.get(incident_id)
    if incident is None or incident.facility != principal.facility.id:
        raise HTTPException(404, f"no incident {incident_id}")
    return incident
