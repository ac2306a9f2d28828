"""Pages as JSON POSTed to an HTTP endpoint (``http://`` or ``https://`` contact URLs).

Each request carries the page id as its ``Idempotency-Key``, so a receiver
that saw a page before (a retry after a timeout) can drop it. 429 and 5xx
answers and timeouts are recoverable; ``Retry-After`` is passed on to the
dispatcher, which never retries sooner.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import time
from dataclasses import asdict
from urllib.parse import urlsplit

import httpx

from alerting.paging import Delivery, Page

log = logging.getLogger(__name__)


class WebhookChannel:
    name = "webhook"
    awaits_receipt = False

    def __init__(self, url: str, *, timeout: float = 5.0) -> None:
        self.url = url
        self.timeout = timeout
        self.host = urlsplit(url).netloc.rsplit("@", 1)[-1]  # never log credentials

    async def send(self, page: Page) -> Delivery:
        body = {**asdict(page), "title": page.title}
        headers = {"Idempotency-Key": page.page_id}
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                response = await client.post(self.url, json=body, headers=headers)
        except httpx.TimeoutException:
            return Delivery(ok=False, recoverable=True, detail=f"{self.host}: timed out")
        except httpx.HTTPError as exc:
            return Delivery(ok=False, recoverable=True, detail=f"{self.host}: {type(exc).__name__}")
        return _delivery(self.host, response)


def _delivery(host: str, response: httpx.Response) -> Delivery:
    status = response.status_code
    if 200 <= status < 300:
        return Delivery(ok=True, detail=f"{host}: HTTP {status}")
    detail = f"{host}: HTTP {status}"
    recoverable = status in (408, 425, 429) or status >= 500
    return Delivery(
        ok=False,
        recoverable=recoverable,
        detail=detail,
        retry_after=retry_after(response.headers.get("retry-after")),
    )


def retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))
