"""Real pages in Debian's headless Chromium against a real Shouhu on a real Mosquitto.

The simulator streams every device of the example facility at 1 Hz (with two
minutes of history published up front, so incidents carry a vitals snapshot).
Screenshots go to ``test-artifacts/screenshots`` (``SHOUHU_SCREENSHOTS``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from api.accounts import AccountStore, Role
from gateway.mqtt import MqttClient
from shouhu.broker import free_port
from shouhu.clock import WallClock
from shouhu.facility import Facility, parse_facility
from shouhu.runtime import Running, running
from simulator.engine import Simulation
from simulator.live import live_seconds
from simulator.publisher import publish_all, sleep_until
from simulator.scenario import Scenario, ScriptedEvent
from tests.conftest import EXAMPLE, ROOT

CHROMIUM = os.environ.get("SHOUHU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-sync",
    "--no-first-run",
    "--mute-audio",  # sound is produced (Web Audio runs) but not played on the test machine
]
SHOTS = Path(os.environ.get("SHOUHU_SCREENSHOTS", ROOT / "test-artifacts" / "screenshots"))
PASSWORD = "night shift 2am"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
ACCOUNTS = {
    "li.jing": (Role.NURSE, "n-e-night"),  # east wing, where r-007 lives
    "huang": (Role.MANAGER, "m-1"),
}


@dataclass
class Site:
    run: Running
    url: str
    facility: Facility
    sim: MqttClient

    async def sos(self, resident: str) -> float:
        """Press the resident's SOS button through the simulator; returns the wall time."""
        now = time.time()
        press = ScriptedEvent(at=now, resident=resident, kind="sos")
        scenario = Scenario(facility=self.facility, start=now, duration_s=2, events=[press])
        events = [m for m in Simulation(scenario).messages() if m.topic.endswith("/event")]
        assert events, "the simulator sent no SOS"
        await publish_all(self.sim, events)
        return now


async def _handhelds(mqtt_url: str, facility: Facility) -> None:
    """Every nurse's handheld confirms receipt of each page, as the protocol asks."""
    async with MqttClient(mqtt_url, client_id=f"browser-handhelds-{free_port()}") as handhelds:
        await handhelds.subscribe(f"shouhu/v1/{facility.id}/staff/+/pages")
        pages = await handhelds.messages()
        while True:
            topic, payload = await pages.get()
            page = json.loads(payload)
            receipt = {"page_id": page["page_id"], "status": "received", "ts": time.time()}
            replies = topic.rsplit("/", 1)[0] + "/replies"
            await handhelds.publish(replies, json.dumps(receipt).encode(), qos=1)


async def _simulate(site: Site) -> None:
    """Two minutes of history at once, then every device's messages second by second."""
    start = float(int(time.time()) - 120)
    for second, batch in enumerate(live_seconds(site.facility, start=start, seed=7)):
        await sleep_until(start + second)
        await publish_all(site.sim, batch)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def site(mqtt_url: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Site]:
    # Each module's own facility id: no retained message of another test reaches it.
    unique = f"home-{uuid.uuid4().hex[:6]}"
    text = EXAMPLE.read_text(encoding="utf-8").replace("id: demo-home", f"id: {unique}", 1)
    facility = parse_facility(text, source=str(EXAMPLE))
    db = Path(tmp_path_factory.mktemp("browser")) / "shouhu.db"
    port = free_port()
    async with (
        running(
            facilities=[facility],
            mqtt_url=mqtt_url,
            db_url=f"sqlite:///{db}",
            clock=WallClock(),
            api_port=port,
            client_id=f"browser-core-{port}",
        ) as run,
        MqttClient(mqtt_url, client_id=f"browser-sim-{port}") as sim,
    ):
        await run.service.wait_connected()
        accounts = AccountStore(run.service.store.engine)
        for username, (role, staff) in ACCOUNTS.items():
            await accounts.add(username, PASSWORD, facility=facility.id, role=role, staff=staff)
        assert run.api_url is not None
        site = Site(run, run.api_url, facility, sim)
        tasks = [
            asyncio.create_task(_simulate(site)),
            asyncio.create_task(_handhelds(mqtt_url, facility)),
        ]
        try:
            yield site
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser() -> AsyncIterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"headless Chromium is required at {CHROMIUM} (apt-get install chromium)")
    async with async_playwright() as p:
        launched = await p.chromium.launch(
            executable_path=CHROMIUM,
            args=[*CHROMIUM_ARGS, "--autoplay-policy=no-user-gesture-required"],
        )
        try:
            yield launched
        finally:
            await launched.close()


@contextlib.asynccontextmanager
async def new_page(
    browser: Browser, *, viewport: dict[str, int], locale: str = "zh-CN"
) -> AsyncIterator[tuple[BrowserContext, Page, list[str]]]:
    """A fresh context (no cookies) and page; the list collects console lines."""
    context = await browser.new_context(
        viewport=viewport, locale=locale, timezone_id="Asia/Shanghai", device_scale_factor=1
    )
    page = await context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
    try:
        yield context, page, console
    finally:
        await context.close()


async def sign_in(page: Page, url: str, username: str, *, expect_path: str) -> None:
    await page.goto(f"{url}/login")
    await page.fill("#username", username)
    await page.fill("#password", PASSWORD)
    await page.click("#sign-in")
    await page.wait_for_url(f"{url}{expect_path}")


async def shoot(page: Page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path


async def console_says(console: list[str], line: str, within: float = 5.0) -> None:
    """Wait for the page to log ``line``: reads the console, never touches the page."""
    deadline = time.monotonic() + within
    while line not in console:
        if time.monotonic() > deadline:
            raise AssertionError(f"the page never logged {line!r}; it logged {console}")
        await asyncio.sleep(0.02)
