"""Pages through Apprise: email, SMS gateways, DingTalk, WeCom, Feishu, voice, ...

One channel per Apprise URL (``mailto://``, ``dingtalk://``, ``json://``, ...),
from ``Staff.contacts`` or ``emergency_services.channel``. Apprise is
synchronous and reports only success or failure, so a failure counts as
recoverable and its log lines become the delivery's detail.
"""

from __future__ import annotations

import asyncio
import logging

import apprise

from alerting.paging import Delivery, Page
from shouhu.errors import ConfigError

log = logging.getLogger(__name__)


class AppriseChannel:
    awaits_receipt = False

    def __init__(self, url: str) -> None:
        self.name = url.split("://", 1)[0].lower() if "://" in url else "apprise"
        plugin = apprise.Apprise.instantiate(url)
        if plugin is None:
            raise ConfigError(f"not a usable Apprise URL (scheme {self.name!r})")
        # Apprise spaces notifications to one URL 5.5 s apart by sleeping; a page must not
        # wait behind the previous one. Pacing retries is the dispatcher's job.
        plugin.request_rate_per_sec = 0
        self._apprise = apprise.Apprise()
        self._apprise.add(plugin)

    async def send(self, page: Page) -> Delivery:
        return await asyncio.to_thread(self._send, page)

    def _send(self, page: Page) -> Delivery:
        with apprise.LogCapture(  # type: ignore[no-untyped-call]
            level=logging.WARNING, fmt="%(message)s"
        ) as captured:
            ok = self._apprise.notify(body=page.body or page.summary, title=page.title)
            lines = captured.getvalue().strip().splitlines()
        if ok:
            return Delivery(ok=True, detail=self.name)
        reason = lines[-1] if lines else "notification failed"
        return Delivery(ok=False, recoverable=True, detail=f"{self.name}: {reason[:200]}")
