"""Broker addresses: ``mqtt://`` URLs, and waiting for a broker to listen."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from shouhu.errors import ConfigError, TransientError

# Send each packet at once. Without this, Nagle's algorithm holds a page back
# until the broker acknowledges the previous packet, which the broker's
# delayed ACK postpones by up to 40 ms: an SOS took ~80 ms to page instead of ~5.
NO_DELAY = ((socket.IPPROTO_TCP, socket.TCP_NODELAY, 1),)


@dataclass(frozen=True, slots=True)
class BrokerAddress:
    host: str
    port: int
    tls: bool = False
    username: str | None = None
    password: str | None = None


def parse_url(url: str) -> BrokerAddress:
    """``mqtt://[user:pass@]host[:port]`` or ``mqtts://`` for TLS."""
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "mqtts", "tcp", "ssl") or not parts.hostname:
        raise ConfigError(f"MQTT URL {url!r}: expected mqtt://host:port or mqtts://host:port")
    tls = parts.scheme in ("mqtts", "ssl")
    return BrokerAddress(
        host=parts.hostname,
        port=parts.port or (8883 if tls else 1883),
        tls=tls,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


async def wait_for_broker(url: str, *, within: float = 10.0) -> None:
    """Wait until a broker accepts connections, or raise TransientError."""
    address = parse_url(url)
    deadline = asyncio.get_running_loop().time() + within
    while True:
        try:
            _, writer = await asyncio.open_connection(address.host, address.port)
            writer.close()
            return
        except OSError as exc:
            if asyncio.get_running_loop().time() > deadline:
                raise TransientError(f"no MQTT broker at {address.host}:{address.port}") from exc
            await asyncio.sleep(0.1)
