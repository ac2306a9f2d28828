"""The FastAPI application: one router per resource, and the pages."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.accounts import AccountStore
from api.audit import AuditLog
from api.routes import (
    audit,
    board,
    escalation,
    facility,
    health,
    incidents,
    pages,
    session,
    staff,
    stats,
    users,
)
from api.routes.pages import STATIC
from api.routes.session import Throttle
from shouhu import __version__
from shouhu.service import Service

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; media-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'"
)

SHEET_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
)


def create_app(service: Service) -> FastAPI:
    app = FastAPI(
        title="Shouhu",
        version=__version__,
        description=(
            "Emergency-response monitor for elder-care facilities. Sign in with "
            "`POST /api/v1/session`; the session cookie then authenticates every call, and "
            "state-changing calls also send the returned `csrf_token` as `X-CSRF-Token`."
        ),
    )
    app.state.service = service
    app.state.accounts = AccountStore(service.store.engine)
    app.state.audit = AuditLog(service.store.engine)
    app.state.throttle = Throttle()
    app.state.closing = asyncio.Event()  # set on shutdown: live streams end
    routers = (health, session, incidents, escalation, board, stats, facility, staff, audit, users)
    for module in (*routers, pages):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    app.add_middleware(SecurityHeaders)
    return app


class SecurityHeaders:
    """Plain ASGI (streams pass straight through): hardening headers, a CSP for pages."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        policy = None if path.startswith(("/docs", "/redoc")) else PAGE_POLICY
        if path.endswith("/handover"):
            policy = SHEET_POLICY  # a printable sheet with its own <style>, and nothing else

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.update(SECURITY_HEADERS)
                if headers.get("content-type", "").startswith("text/html") and policy:
                    headers["Content-Security-Policy"] = policy
            await send(message)

        await self.app(scope, receive, send_with_headers)
