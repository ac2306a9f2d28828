"""Real pages in Debian's headless Chromium against a real Shouhu on a real Mosquitto.

The simulator streams every device of the example facility at 1 Hz (with two
minutes of history published up front, so incidents carry a vitals snapshot).
Screenshots go to ``test-artifacts/screenshots`` (``SHOUHU_SCREENSHOTS``).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
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
from shouhu.facility import Facility, load_facility
from shouhu.runtime import Running, running
from simulator.publisher import publish_all, sleep_until
from simulator.stream import SteadyStream
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
    stream: SteadyStream
    sim: MqttClient

    async def sos(self, resident: str) -> float:
        """Press the resident's SOS button through the simulator; returns the wall time."""
        ts = time.time()
        device = self.stream.wearable_of(resident)
        await publish_all(self.sim, [self.stream.event(device, ts, "sos")])
        return ts


async def _simulate(site: Site) -> None:
    """Two minutes of history at once, then one reading per device per second."""
    now = time.time()
    for second in range(120, 0, -1):
        await publish_all(site.sim, site.stream.second(now - second))
    tick = now
    while True:
        await publish_all(site.sim, site.stream.second(tick))
        tick += 1
        await sleep_until(tick)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def site(mqtt_url: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Site]:
    facility = load_facility(EXAMPLE)
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
        site = Site(run, run.api_url, facility, SteadyStream(facility, seed=7), sim)
        simulator = asyncio.create_task(_simulate(site))
        try:
            yield site
        finally:
            simulator.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await simulator


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
