"""``shouhu demo``: the whole system on embedded defaults, with a scripted SOS."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path

from rich.console import Console

from gateway.mqtt import MqttClient, wait_for_broker
from shouhu.broker import embedded_broker, free_port
from shouhu.clock import WallClock
from shouhu.facility import Facility
from shouhu.runtime import running
from shouhu.service import Service
from simulator.live import live_seconds
from simulator.publisher import publish_all, sleep_until
from simulator.scenario import ScriptedEvent

console = Console(highlight=False, soft_wrap=True)


def _fresh_sqlite(db_url: str) -> None:
    """The demo starts from an empty database each time, so its SOS opens a new incident."""
    prefix = "sqlite:///"
    if db_url.startswith(prefix):
        for suffix in ("", "-wal", "-shm"):
            Path(db_url[len(prefix) :] + suffix).unlink(missing_ok=True)


@contextlib.asynccontextmanager
async def _broker(mqtt_url: str | None) -> AsyncIterator[str]:
    if mqtt_url:
        await wait_for_broker(mqtt_url)
        console.print(f"• MQTT broker: [bold]{mqtt_url}[/] (given)")
        yield mqtt_url
        return
    port = free_port(1883)
    note = "" if port == 1883 else f" (port 1883 is taken, so port {port})"
    async with embedded_broker(port) as url:
        console.print(f"• MQTT broker: [bold]{url}[/] embedded{note}")
        yield url


async def _sign_in_help(api_url: str, service: Service, facility: Facility) -> None:
    """Demo accounts, and who to sign in as to see the SOS arrive."""
    from alerting import duty
    from api.accounts import AccountStore
    from api.cli import DEMO_PASSWORD, add_demo_accounts

    made = await add_demo_accounts(AccountStore(service.store.engine), facility)
    resident = facility.residents[min(6, len(facility.residents) - 1)]
    on_duty = duty.zone_nurses(facility, resident.zone, time.time())
    nurse = on_duty[0].id if on_duty else next(u for u, r, _ in made if r == "charge_nurse")
    manager = next((u for u, r, _ in made if r == "manager"), "admin")
    console.print(
        f"• pages: [bold]{api_url}/login[/]   password for every demo account: "
        f"[bold]{DEMO_PASSWORD}[/]\n"
        f"    nurse board: sign in as [bold]{nurse}[/] (on duty for {resident.name}'s wing); "
        f"review: [bold]{manager}[/]; audit log: [bold]admin[/]; "
        f"all accounts: {', '.join(u for u, _, _ in made)}"
    )


async def run_demo(
    facility: Facility,
    *,
    mqtt_url: str | None,
    db_url: str,
    api_port: int,
    duration: float | None,
    sos_after: float,
) -> int:
    console.print("[bold]守护 Shouhu demo[/]: a simulated facility, its alert core and the API")
    console.print(
        f"• facility: {facility.facility.name}, {len(facility.residents)} residents, "
        f"{len(facility.devices)} devices"
    )
    _fresh_sqlite(db_url)
    port = free_port(api_port)
    if port != api_port:
        console.print(f"• port {api_port} is taken; the API uses port {port}")
    async with (
        _broker(mqtt_url) as url,
        running(
            facilities=[facility],
            mqtt_url=url,
            db_url=db_url,
            clock=WallClock(),
            api_port=port,
            client_id="shouhu-demo",
        ) as run,
    ):
        service = run.service
        await service.wait_connected()
        console.print(f"• database: {db_url}")
        console.print(
            f"• API: [bold]{run.api_url}/docs[/]   incidents: "
            f"{run.api_url}/api/v1/incidents   health: {run.api_url}/healthz"
        )
        await _sign_in_help(run.api_url or "", service, facility)
        resident = facility.residents[min(6, len(facility.residents) - 1)]
        start = float(int(time.time()) + 1)
        press = ScriptedEvent(at=start + int(sos_after), resident=resident.id, kind="sos")
        stream = live_seconds(facility, start=start, seed=1, events=[press], duration_s=duration)
        async with (
            MqttClient(url, client_id="shouhu-demo-sim") as sim,
            MqttClient(url, client_id="shouhu-demo-nurse") as nurse,
        ):
            await nurse.subscribe(f"shouhu/v1/{facility.id}/staff/+/pages")
            pages = await nurse.messages()
            console.print(
                f"• simulator: {len(facility.devices)} devices at 1 Hz; SOS from "
                f"{resident.name} (room {resident.room}) in {sos_after:.0f} s. "
                "Ctrl-C stops."
            )
            second = 0
            pressed_at: float | None = None
            while duration is None or second < duration:
                ts = start + second
                await sleep_until(ts)
                await publish_all(sim, next(stream))
                if second == int(sos_after):
                    pressed_at = time.time()
                    console.print(
                        f"[{second:>4d} s] [bold red]SOS[/] pressed by "
                        f"{resident.name} ({resident.id})"
                    )
                while True:
                    try:
                        topic, payload = await asyncio.wait_for(
                            pages.get(), max(0.0, ts + 0.95 - time.time())
                        )
                    except TimeoutError:
                        break
                    page = json.loads(payload)
                    staff = topic.split("/")[4]
                    # the nurse's handheld confirms receipt, as the protocol asks
                    receipt = {"page_id": page["page_id"], "status": "received", "ts": time.time()}
                    await nurse.publish(
                        topic.rsplit("/", 1)[0] + "/replies", json.dumps(receipt).encode(), qos=1
                    )
                    after = (
                        f" {1000 * (time.time() - pressed_at):.0f} ms after the press"
                        if pressed_at
                        else ""
                    )
                    console.print(
                        f"[{second:>4d} s] page to nurse [bold]{staff}[/]{after}: {page['summary']}"
                    )
                    console.print(
                        f"         see {run.api_url}/review/{page['incident_id']}"
                    )
                if second % 10 == 0:
                    c = service.counters
                    console.print(
                        f"[{second:>4d} s] ingested {c.messages} messages, "
                        f"{service.responder.counters.incidents_opened} incidents, "
                        f"{c.rejected} dead-lettered",
                        style="dim",
                    )
                second += 1
    console.print("demo finished.")
    return 0
