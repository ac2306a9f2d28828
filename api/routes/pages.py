"""The web pages: sign-in, the nurse board, the manager's review, the audit log.

Plain HTML, CSS and JavaScript from ``api/static`` (no build step). A page
that needs a signed-in user redirects to the sign-in page instead.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from api.access import COOKIE, accounts_of
from api.accounts import Role, User

router = APIRouter(include_in_schema=False)

STATIC = Path(__file__).resolve().parent.parent / "static"
HOME = {
    Role.NURSE: "/board",
    Role.CHARGE_NURSE: "/board",
    Role.MANAGER: "/review",
    Role.ADMIN: "/audit",
}
PAGES = {  # path -> (file, roles allowed)
    "/board": ("board.html", (Role.NURSE, Role.CHARGE_NURSE, Role.MANAGER)),
    "/review": ("review.html", (Role.CHARGE_NURSE, Role.MANAGER)),
    "/audit": ("audit.html", (Role.MANAGER, Role.ADMIN)),
}


async def _user(request: Request) -> User | None:
    token = request.cookies.get(COOKIE)
    found = await accounts_of(request).session_user(token) if token else None
    return found[0] if found else None


def _page(name: str) -> FileResponse:
    return FileResponse(
        STATIC / name, media_type="text/html", headers={"Cache-Control": "no-store"}
    )


def _to_login(request: Request) -> RedirectResponse:
    return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)


@router.get("/")
async def home(request: Request) -> Response:
    user = await _user(request)
    return RedirectResponse(HOME[user.role] if user else "/login", status_code=303)


@router.get("/login")
async def login_page() -> Response:
    return _page("login.html")


async def _guarded(request: Request, path: str) -> Response:
    user = await _user(request)
    if user is None:
        return _to_login(request)
    name, roles = PAGES[path]
    if user.role not in roles:
        return RedirectResponse(HOME[user.role], status_code=303)
    return _page(name)


@router.get("/board")
async def board_page(request: Request) -> Response:
    return await _guarded(request, "/board")


@router.get("/review")
async def review_page(request: Request) -> Response:
    return await _guarded(request, "/review")


@router.get("/review/{incident_id}")
async def incident_page(request: Request, incident_id: str) -> Response:
    user = await _user(request)
    if user is None:
        return _to_login(request)
    if user.role is Role.ADMIN:
        return RedirectResponse(HOME[user.role], status_code=303)
    return _page("incident.html")


@router.get("/audit")
async def audit_page(request: Request) -> Response:
    return await _guarded(request, "/audit")
