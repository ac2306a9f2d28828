"""Delivering one page: its recipient's channel chain, retries with backoff, fallback.

Called by the escalator for each page that is due. Every outcome is written
to the page's row (guarded by its status) with a timeline event, so a
restarted core resumes a page exactly where it stood. A page that cannot be
delivered by its deadline, or whose every channel failed, is reported once
through ``on_failure`` (the escalator escalates and raises a technical alarm).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from alerting.channels import Channels
from alerting.incidents import State, TimelineEvent
from alerting.page_outbox import PageOutbox, PageRecord
from alerting.paging import EMERGENCY_SERVICES, Channel, Delivery, Page
from shouhu.clock import Clock
from shouhu.errors import ConfigError
from shouhu.facility import Facility

log = logging.getLogger(__name__)

Compose = Callable[[PageRecord], Awaitable[Page | None]]
OnFailure = Callable[[PageRecord, str], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 3  # per channel, before falling back to the next one
    backoff_s: float = 2.0
    max_backoff_s: float = 30.0
    send_timeout_s: float = 15.0

    def wait(self, attempt: int, retry_after: float | None) -> float:
        """Seconds before attempt ``attempt + 1``; never sooner than Retry-After asks."""
        backoff = min(self.max_backoff_s, self.backoff_s * 2.0 ** (attempt - 1))
        return float(max(backoff, retry_after or 0.0))


@dataclass
class DispatchCounters:
    attempts: int = 0
    sent: int = 0
    retries: int = 0
    fallbacks: int = 0
    failed: int = 0


class Dispatcher:
    def __init__(
        self,
        *,
        pages: PageOutbox,
        channels: Channels,
        facilities: Mapping[str, Facility],
        clock: Clock,
        compose: Compose,
        on_failure: OnFailure,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.pages = pages
        self.channels = channels
        self.facilities = facilities
        self.clock = clock
        self.compose = compose
        self.on_failure = on_failure
        self.retry = retry or RetryPolicy()
        self.counters = DispatchCounters()

    async def deliver(self, record: PageRecord) -> None:
        """Attempt the page now, moving down its channel chain while channels fail outright."""
        current: PageRecord | None = record
        while (
            current is not None
            and current.status == "pending"
            and (current.next_at or 0.0) <= self.clock.now()
        ):
            current = await self._attempt(current)

    async def receipt_overdue(self, record: PageRecord) -> None:
        """The handheld never confirmed: try the person's next channel."""
        channel = self._chain(record)[record.channel_index : record.channel_index + 1]
        event = self._event(record, "no_receipt", channel[0] if channel else "", "no receipt")
        moved = await self._next_channel(record, event, only_if=("sent", "sending"))
        if moved is not None:
            await self.deliver(moved)

    async def deadline_passed(self, record: PageRecord) -> None:
        wait = record.deadline - record.created_at
        await self._report(record, f"not delivered within {wait:.0f} s")

    # -- one attempt --------------------------------------------------------------

    async def _attempt(self, record: PageRecord) -> PageRecord | None:
        chain = self._chain(record)
        if record.channel_index >= len(chain):
            return await self._exhausted(record, record.last_error or "no channel to page on")
        spec = chain[record.channel_index]
        page = await self.compose(record)
        if page is None:  # the incident is gone or resolved
            return await self.pages.update_page(
                record.page_id, only_if=("pending",), status="cancelled"
            )
        try:
            channel = self.channels.get(spec)
        except ConfigError as exc:
            return await self._failed(record, "config", Delivery(ok=False, detail=str(exc)))
        claimed = await self._claim(record, channel)
        if claimed is None:
            return None
        delivery = await self._send(channel, page)
        self.counters.attempts += 1
        if delivery.ok:
            await self._sent(claimed, channel, delivery)
            return None
        return await self._failed(claimed, channel.name, delivery)

    async def _claim(self, record: PageRecord, channel: Channel) -> PageRecord | None:
        """Commit "sending" before the channel is called: a crash leaves the page in doubt."""
        wait = self.facilities[record.facility].escalation.receipt_timeout_s
        return await self.pages.update_page(
            record.page_id,
            only_if=("pending",),
            status="sending",
            channel=channel.name,
            next_at=self.clock.now() + max(wait, self.retry.send_timeout_s),
        )

    async def in_doubt(self, record: PageRecord) -> None:
        """A page left "sending" by a crashed core (found after its send could have ended).

        On a channel with receipts the recipient's reply settles it: a receipt marks
        it delivered; without one, the next channel is tried, never the same one
        again (no duplicate on the handheld). On other channels it is sent again
        with the same idempotency key: a duplicate is better than a lost page.
        """
        chain = self._chain(record)
        spec = chain[record.channel_index] if record.channel_index < len(chain) else None
        if spec is not None and self.channels.get(spec).awaits_receipt:
            await self.receipt_overdue(record)
            return
        retry = await self.pages.update_page(
            record.page_id, only_if=("sending",), status="pending", next_at=self.clock.now()
        )
        if retry is not None:
            await self.deliver(retry)

    async def _send(self, channel: Channel, page: Page) -> Delivery:
        try:
            return await asyncio.wait_for(channel.send(page), self.retry.send_timeout_s)
        except TimeoutError:
            return Delivery(ok=False, recoverable=True, detail=f"{channel.name}: no answer")
        except Exception as exc:  # a channel bug must not stop the page: fall back
            log.exception("page %s: channel %s raised", page.page_id, channel.name)
            return Delivery(ok=False, recoverable=True, detail=f"{channel.name}: {exc!r}")

    async def _sent(self, record: PageRecord, channel: Channel, delivery: Delivery) -> None:
        now = self.clock.now()
        waits = channel.awaits_receipt
        ems = record.staff == EMERGENCY_SERVICES
        kind = "ems_sent" if ems else "paged"
        event = TimelineEvent(
            ts=now,
            type=kind,
            actor=record.staff,
            channel=channel.name,
            detail={"page_id": record.page_id, "step": record.seq, "purpose": record.purpose},
        )
        state = None if ems else (State.PAGED if waits else State.DELIVERED)
        facility = self.facilities[record.facility]
        await self.pages.update_page(
            record.page_id,
            only_if=("sending",),
            events=[event],
            state=state,
            status="sent" if waits else "delivered",
            channel=channel.name,
            next_at=now + facility.escalation.receipt_timeout_s if waits else None,
            last_error="",
        )
        self.counters.sent += 1
        log.info(
            "incident %s: %s via %s (%s)", record.incident_id, kind, channel.name, record.page_id
        )

    async def _failed(
        self, record: PageRecord, channel: str, delivery: Delivery
    ) -> PageRecord | None:
        now = self.clock.now()
        attempt = record.attempts + 1
        wait = self.retry.wait(attempt, delivery.retry_after)
        before_deadline = now + wait < record.deadline or record.failure_reported
        log.warning("page %s via %s failed: %s", record.page_id, channel, delivery.detail)
        if delivery.recoverable and attempt < self.retry.attempts and before_deadline:
            self.counters.retries += 1
            event = self._event(record, "page_retry", channel, delivery.detail)
            event.detail.update(attempt=attempt, retry_in=wait)
            return await self.pages.update_page(
                record.page_id,
                only_if=("pending", "sending"),
                events=[event],
                status="pending",
                attempts=attempt,
                next_at=now + wait,
                last_error=delivery.detail,
                channel=channel,
            )
        event = self._event(record, "page_failed", channel, delivery.detail)
        event.detail["attempts"] = attempt
        return await self._next_channel(record, event, only_if=("pending", "sending"))

    async def _next_channel(
        self, record: PageRecord, event: TimelineEvent, *, only_if: tuple[str, ...]
    ) -> PageRecord | None:
        index = record.channel_index + 1
        moved = await self.pages.update_page(
            record.page_id,
            only_if=only_if,
            events=[event],
            status="pending",
            channel_index=index,
            attempts=0,
            next_at=self.clock.now(),
            last_error=str(event.detail.get("error", "")),
        )
        if moved is None:
            return None
        if index >= len(self._chain(record)):
            return await self._exhausted(moved, moved.last_error)
        self.counters.fallbacks += 1
        return moved

    async def _exhausted(self, record: PageRecord, reason: str) -> PageRecord | None:
        self.counters.failed += 1
        failed = await self.pages.update_page(
            record.page_id,
            only_if=("pending", "sending", "sent"),
            status="failed",
            last_error=reason,
        )
        await self._report(failed or record, f"every channel failed: {reason}")
        return None

    async def _report(self, record: PageRecord, reason: str) -> None:
        """Report a paging failure once per page."""
        kind = "ems_failed" if record.staff == EMERGENCY_SERVICES else "page_undelivered"
        event = self._event(record, kind, record.channel, reason)
        marked = await self.pages.update_page(
            record.page_id,
            only_if=("pending", "sending", "sent", "failed"),
            unreported=True,
            events=[event],
            failure_reported=True,
        )
        if marked is not None:
            log.error("incident %s: %s to %s: %s", record.incident_id, kind, record.staff, reason)
            await self.on_failure(marked, reason)

    def _chain(self, record: PageRecord) -> list[str]:
        return self.channels.chain(self.facilities[record.facility], record.staff)

    def _event(self, record: PageRecord, kind: str, channel: str, error: str) -> TimelineEvent:
        return TimelineEvent(
            ts=self.clock.now(),
            type=kind,
            actor=record.staff,
            channel=channel,
            detail={"page_id": record.page_id, "step": record.seq, "error": error},
        )
