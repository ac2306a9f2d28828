"""The manager's review in Chromium: find an incident, open its timeline, see the vitals chart."""

from __future__ import annotations

import asyncio

import pytest
from playwright.async_api import Browser, expect

from alerting.incidents import Incident, Outcome
from api.stats import week_of
from tests.browser.conftest import DESKTOP, PHONE, Site, new_page, shoot, sign_in
from tests.conftest import eventually

pytestmark = [pytest.mark.browser, pytest.mark.mqtt, pytest.mark.asyncio(loop_scope="module")]
SOS_ZH = "住户按下了 SOS 求助按钮。"
SOS_EN = "The resident pressed the SOS button."


async def _handled_sos(site: Site, resident: str) -> Incident:
    """An SOS from the simulator, taken and closed by the night nurse a few seconds later."""
    await site.sos(resident)
    store = site.run.service.store

    async def opened() -> Incident | None:
        found = await store.find(
            facilities=[site.facility.id], resident=resident, kind="sos", open_only=True
        )
        return found[0] if found else None

    incident: Incident = await eventually(opened)
    responder = site.run.service.responder
    await asyncio.sleep(1.5)
    await responder.accept(incident.id, "n-e-night")
    await asyncio.sleep(2.5)  # vitals keep arriving while it is open
    await responder.resolve(incident.id, "n-e-night", outcome=Outcome.HANDLED, note="扶起，无外伤")
    return incident


@pytest.fixture(scope="module")
def viewports() -> dict[str, dict[str, int]]:
    return {"phone": PHONE, "desktop": DESKTOP}


async def test_a_manager_opens_an_incidents_timeline_and_sees_the_vitals_chart(
    site: Site, browser: Browser, viewports: dict[str, dict[str, int]]
) -> None:
    incident = await _handled_sos(site, "r-007")
    for size, viewport in viewports.items():
        async with new_page(browser, viewport=viewport) as (_, page, console):
            await sign_in(page, site.url, "huang", expect_path="/review")
            row = page.locator(f"#incident-table tr[data-id='{incident.id}']")
            await expect(row).to_contain_text("黄德福")
            await expect(row).to_contain_text("已妥善处理")
            # The default week view spans the last seven days: one row per ISO week they touch.
            week = week_of(site.facility, incident.opened_at)
            this_week = page.locator("#figures-table tbody tr", has_text=week)
            await expect(this_week).to_have_count(1)
            await expect(this_week.locator("td").nth(1)).not_to_have_text("0")
            await shoot(page, f"review-{size}-zh")

            await row.locator("a").click()
            await page.wait_for_url(f"{site.url}/review/{incident.id}")
            chart = page.locator("#vitals-chart")
            await expect(chart).to_be_visible()
            snapshot = (await page.request.get(f"{site.url}/api/v1/incidents/{incident.id}")).json
            measured = {k for row in (await snapshot())["vitals"] for k in row}
            assert {"hr", "spo2"} <= measured  # the wearable's, at least
            for vital in ("hr", "spo2", "rr", "skin_temp"):
                drawn = await chart.locator(f"polyline[data-series={vital}]").count()
                assert (drawn >= 1) == (vital in measured), vital
            points = await chart.locator("polyline[data-series=hr]").first.get_attribute("points")
            assert points is not None and len(points.split()) > 60  # minutes around the alert
            await expect(chart.locator(".alert-line")).to_have_count(1)
            steps = page.locator("#timeline li")
            await expect(steps.first).to_have_attribute("data-type", "detected")
            await expect(steps.last).to_have_attribute("data-type", "resolved")
            await expect(page.locator("#timeline")).to_contain_text("已接受")
            await expect(page.locator("[data-fact=note]")).to_have_text("扶起，无外伤")
            await expect(page.locator("[data-fact=evidence]")).to_have_text(SOS_ZH)
            await expect(steps.first.locator(".t-detail")).to_have_text(SOS_ZH)
            await shoot(page, f"incident-{size}-zh")
            assert not [line for line in console if line.startswith("pageerror")]


async def test_the_language_switch_turns_every_label_to_english_and_back(
    site: Site, browser: Browser
) -> None:
    incident = await _handled_sos(site, "r-008")
    async with new_page(browser, viewport=DESKTOP) as (_, page, _console):
        await sign_in(page, site.url, "huang", expect_path="/review")
        await expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
        await expect(page.locator("h1.page")).to_have_text("事件回顾")
        await page.click("#lang")
        await expect(page.locator("html")).to_have_attribute("lang", "en")
        await expect(page.locator("h1.page")).to_have_text("Review")
        row = page.locator(f"#incident-table tr[data-id='{incident.id}']")
        await expect(row).to_contain_text("SOS call")
        await expect(row).to_contain_text("Handled")
        await expect(page.locator("#figures-table thead")).to_contain_text("Accept median")
        await shoot(page, "review-desktop-en")

        await page.goto(f"{site.url}/review/{incident.id}")  # the choice is remembered
        await expect(page.locator("#timeline")).to_contain_text("Accepted")
        await expect(page.locator("[data-fact=evidence]")).to_have_text(SOS_EN)
        await expect(page.locator("#timeline li").first.locator(".t-detail")).to_have_text(SOS_EN)
        await expect(page.locator("#vitals-chart")).to_be_visible()
        await shoot(page, "incident-desktop-en")
        await page.goto(f"{site.url}/board")
        await expect(page.locator("#empty")).to_contain_text("No open incidents")
        await shoot(page, "board-quiet-desktop-en")
        await page.click("#lang")
        await expect(page.locator("#empty")).to_contain_text("目前没有未处理的事件")


async def test_the_csv_export_holds_the_filtered_incidents(site: Site, browser: Browser) -> None:
    incident = await _handled_sos(site, "r-009")
    async with new_page(browser, viewport=DESKTOP) as (context, page, _console):
        await sign_in(page, site.url, "huang", expect_path="/review")
        await page.select_option("#f-resident", "r-009")
        await page.click("#apply")
        await expect(page.locator("#incident-table tbody tr")).to_have_count(1)
        href = await page.locator("#export").get_attribute("href")
        assert href is not None and "resident=r-009" in href
        response = await context.request.get(f"{site.url}{href}")
        assert response.ok and response.headers["content-type"].startswith("text/csv")
        text = (await response.body()).decode("utf-8-sig")
        lines = text.strip().splitlines()
        assert lines[0].startswith("id,opened_at,zone,resident,resident_name")
        assert len(lines) == 2 and incident.id in lines[1] and "handled" in lines[1]
