"""Start and stop a whole Shouhu process: store, service and API server."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

import uvicorn

from alerting.paging import Channel
from alerting.store import IncidentStore
from api.app import create_app
from shouhu.clock import Clock
from shouhu.facility import Facility
from shouhu.service import Service

log = logging.getLogger(__name__)


@dataclass
class Running:
    service: Service
    api_url: str | None


@contextlib.asynccontextmanager
async def running(
    *,
    facilities: Sequence[Facility],
    mqtt_url: str,
    db_url: str,
    clock: Clock,
    api_host: str = "127.0.0.1",
    api_port: int | None = 8000,
    client_id: str = "shouhu-core",
    channel: Channel | None = None,
) -> AsyncIterator[Running]:
    """Run the service (and the API unless ``api_port`` is None) for the block's duration."""
    store = await IncidentStore.connect(db_url)
    service = Service(
        facilities=facilities,
        mqtt_url=mqtt_url,
        store=store,
        clock=clock,
        client_id=client_id,
        channel=channel,
    )
    server: uvicorn.Server | None = None
    server_task: asyncio.Task[None] | None = None
    try:
        await service.start()
        api_url = None
        if api_port is not None:
            app = create_app(service)
            config = uvicorn.Config(
                app,
                host=api_host,
                port=api_port,
                log_level="warning",
                lifespan="off",
            )
            server = uvicorn.Server(config)
            server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign,assignment]  # we own signals
            server_task = asyncio.create_task(server.serve())
            while not server.started:
                if server_task.done():
                    server_task.result()
                    raise RuntimeError(f"API server did not start on {api_host}:{api_port}")
                await asyncio.sleep(0.02)
            api_url = f"http://{api_host}:{api_port}"
        yield Running(service, api_url)
    finally:
        if server is not None and server_task is not None:
            app.state.closing.set()  # end live streams, or shutdown waits for them
            server.should_exit = True
            with contextlib.suppress(Exception):
                await server_task
        await service.stop()
        await store.close()
