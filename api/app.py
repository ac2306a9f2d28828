"""The FastAPI application: one router per resource."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from api.routes import escalation, facility, health, incidents, staff
from shouhu import __version__
from shouhu.service import Service


def create_app(service: Service) -> FastAPI:
    app = FastAPI(
        title="Shouhu",
        version=__version__,
        description="Emergency-response monitor for elder-care facilities.",
    )
    app.state.service = service
    app.include_router(health.router)
    app.include_router(incidents.router)
    app.include_router(facility.router)
    app.include_router(escalation.router)
    app.include_router(staff.router)

    @app.get("/", include_in_schema=False)
    async def root() -> RedirectResponse:
        return RedirectResponse("/docs")

    return app
