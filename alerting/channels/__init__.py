"""Paging channels, one module each, and the chain of channels for each recipient.

A staff member is paged on their handheld (MQTT) first, then on each of
their ``contacts`` in order. Emergency services use
``emergency_services.channel`` and then its ``fallback`` list. A contact
``http(s)://`` URL is a webhook; any other URL goes through Apprise.
"""

from __future__ import annotations

from alerting.paging import EMERGENCY_SERVICES, Channel
from shouhu.errors import ConfigError
from shouhu.facility import Facility

MQTT = "mqtt"


def make_channel(spec: str, *, timeout: float = 5.0) -> Channel:
    if spec.startswith(("http://", "https://")):
        from alerting.channels.webhook import WebhookChannel

        return WebhookChannel(spec, timeout=timeout)
    from alerting.channels.apprise import AppriseChannel

    return AppriseChannel(spec)


class Channels:
    """Channel objects by spec (created once), and each recipient's chain of specs."""

    def __init__(self, mqtt: Channel | None = None, *, webhook_timeout: float = 5.0) -> None:
        self.webhook_timeout = webhook_timeout
        self._made: dict[str, Channel] = {}
        if mqtt is not None:
            self._made[MQTT] = mqtt

    def get(self, spec: str) -> Channel:
        channel = self._made.get(spec)
        if channel is None:
            channel = self._made[spec] = make_channel(spec, timeout=self.webhook_timeout)
        return channel

    def add(self, spec: str, channel: Channel) -> None:
        """Use ``channel`` for ``spec`` (tests: a channel that records what it sent)."""
        self._made[spec] = channel

    def chain(self, facility: Facility, recipient: str) -> list[str]:
        if recipient == EMERGENCY_SERVICES:
            ems = facility.emergency_services
            return [s for s in [ems.channel, *ems.fallback] if s]
        member = facility.member(recipient)
        contacts = list(member.contacts) if member is not None else []
        return ([MQTT] if MQTT in self._made else []) + contacts

    def validate(self, facility: Facility) -> None:
        """Fail at start on a contact URL no channel can use, naming whose it is."""
        for member in facility.staff:
            for i, spec in enumerate(member.contacts):
                self._check(spec, f"{facility.id}: staff {member.id} contacts[{i}]")
        ems = facility.emergency_services
        for spec in [ems.channel, *ems.fallback]:
            if spec:
                self._check(spec, f"{facility.id}: emergency_services")

    def _check(self, spec: str, where: str) -> None:
        try:
            self.get(spec)
        except ConfigError as exc:
            raise ConfigError(f"{where}: {exc}") from exc
