"""Real channels against real servers: email to an SMTP server (aiosmtpd), webhooks to an
HTTP server that answers 500, 429 with Retry-After, or not at all."""

from __future__ import annotations

import email
import email.policy
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from alerting.channels.webhook import retry_after
from shouhu.broker import free_port
from shouhu.domain import AlertKind
from shouhu.facility import Facility
from tests.alerting.escalation_harness import NIGHT, Harness, harness

NURSE = "n-e-night"


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )  # type: ignore[attr-defined]
        return "250 OK"


class Refusing:
    """An SMTP server that refuses every message (a mail relay that is down)."""

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        return "451 Requested action aborted: local error"


class Webhook(ThreadingHTTPServer):
    """Answers each request with the next scripted reply: 200, 500, '429:7', or 'hang'."""

    def __init__(self, script: list[str]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.script = list(script)
        self.requests: list[tuple[str, str, dict[str, object]]] = []  # key, answer, body
        self.daemon_threads = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/page"

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def delivered(self) -> list[str]:
        return [key for key, answer, _ in self.requests if answer == "200"]


class _Handler(BaseHTTPRequestHandler):
    server: Webhook

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        answer = self.server.script.pop(0) if self.server.script else "200"
        self.server.requests.append((self.headers["idempotency-key"], answer, body))
        if answer == "hang":
            time.sleep(1.5)  # longer than the channel's timeout
            return
        status, _, wait = answer.partition(":")
        self.send_response(int(status))
        if wait:
            self.send_header("Retry-After", wait)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def refusing_smtp() -> Iterator[int]:
    port = free_port()
    controller = Controller(Refusing(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def serve(script: list[str]) -> Webhook:
    server = Webhook(script)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def mailto(port: int) -> str:
    return f"mailto://127.0.0.1:{port}?from=shouhu@example.org&to=night-nurse@example.org"


@asynccontextmanager
async def with_contacts(
    facility: Facility, db_url: str, contacts: list[str]
) -> AsyncIterator[Harness]:
    staff = [
        s.model_copy(update={"contacts": contacts}) if s.id == NURSE else s for s in facility.staff
    ]
    async with harness(
        db_url, facility.model_copy(update={"staff": staff}), handheld=False, webhook_timeout=0.5
    ) as h:
        yield h


async def page_events(h: Harness, incident_id: str) -> list[tuple[float, str, str]]:
    incident = await h.store.get(incident_id)
    assert incident is not None
    return [
        (round(e.ts - NIGHT, 1), e.type, e.channel)
        for e in incident.timeline
        if str(e.detail.get("page_id", "")).endswith(f".1.{NURSE}")
    ]


async def test_webhook_retries_back_off_and_honour_retry_after(
    facility: Facility, sqlite_url: str
) -> None:
    hook = serve(["500", "429:7", "200"])
    try:
        async with with_contacts(facility, sqlite_url, [hook.url]) as h:
            incident = await h.alert()
            await h.at(2)  # 500 at 0 s: back off 2 s; 429 at 2 s asks for 7 s, not 4 s
            await h.at(8.9)
            assert [answer for _, answer, _ in hook.requests] == ["500", "429:7"]
            await h.at(9)
            page_id = f"{incident.id}.1.{NURSE}"
            assert [key for key, _, _ in hook.requests] == [page_id] * 3  # one idempotency key
            assert hook.delivered() == [page_id]
            sent = hook.requests[-1][2]  # in the facility's language
            assert sent["summary"] == "SOS 呼叫：黄德福，207 房" and sent["language"] == "zh-CN"
            assert sent["title"] == "[高] SOS 呼叫：黄德福，207 房"
            assert await page_events(h, incident.id) == [
                (0, "page_retry", "webhook"),
                (2, "page_retry", "webhook"),
                (9, "paged", "webhook"),
            ]
            assert h.alarms == []
    finally:
        hook.stop()


async def test_a_webhook_that_times_out_falls_back_to_email_once(
    facility: Facility, sqlite_url: str, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    hook = serve(["hang", "hang", "hang"])
    try:
        async with with_contacts(facility, sqlite_url, [hook.url, mailto(port)]) as h:
            incident = await h.alert()
            await h.at(2)
            await h.at(6)  # third timeout: the webhook is given up, email is next
            await h.at(20)
            page_id = f"{incident.id}.1.{NURSE}"
            assert hook.delivered() == []
            assert len(inbox.messages) == 1  # fallback delivered once, never duplicated
            message = inbox.messages[0]
            assert "SOS 呼叫" in str(message["subject"])  # the facility's language
            body = message.get_body(preferencelist=("plain",))  # type: ignore[attr-defined]
            text = body.get_content()
            assert page_id in text and "优先级：高" in text and f"事件：{incident.id}" in text
            assert "黄德福" in str(message["subject"])
            assert [kind for _, kind, _ in await page_events(h, incident.id)] == [
                "page_retry",
                "page_retry",
                "page_failed",
                "paged",
            ]
            assert h.alarms == []
    finally:
        hook.stop()


async def test_a_retry_after_beyond_the_deadline_falls_back_at_once(
    facility: Facility, sqlite_url: str, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    hook = serve(["429:120"])
    try:
        async with with_contacts(facility, sqlite_url, [hook.url, mailto(port)]) as h:
            await h.alert()
            assert len(hook.requests) == 1 and len(inbox.messages) == 1
    finally:
        hook.stop()


async def test_when_every_channel_fails_it_is_a_paging_failure_alarm(
    facility: Facility, sqlite_url: str, refusing_smtp: int
) -> None:
    hook = serve(["500"] * 1000)  # down for the whole test: the alarm's own pages fail too
    try:
        async with with_contacts(facility, sqlite_url, [hook.url, mailto(refusing_smtp)]) as h:
            incident = await h.alert()
            for t in (2, 6, 8, 12):
                await h.at(t)
            record = (await h.escalator.pages.pages_of(incident.id))[0]
            assert record.status == "failed"
            assert h.alarms[0].kind is AlertKind.PAGING_FAILURE
            assert f"page to {NURSE}" in h.alarms[0].evidence
            kinds = [kind for _, kind, _ in await page_events(h, incident.id)]
            assert kinds.count("page_failed") == 2 and kinds[-1] == "page_undelivered"
            # the alarm is an incident of its own, on every dashboard
            await h.responder.handle(h.alarms[0])
            failures = await h.store.find(facilities=["demo-home"], kind="paging_failure")
            assert len(failures) == 1 and "n-e-night" in failures[0].evidence
            assert hook.delivered() == []
    finally:
        hook.stop()


@pytest.mark.parametrize(
    ("header", "expected"),
    [("7", 7.0), ("0", 0.0), (None, None), ("soon", None), ("Wed, 21 Oct 2015 07:28:10 GMT", 0.0)],
)
def test_retry_after_header(header: str | None, expected: float | None) -> None:
    assert retry_after(header) == expected
