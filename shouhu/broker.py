"""A broker for ``shouhu demo`` when none is given: Mosquitto if installed, else amqtt.

Production runs against a real broker (docs/deployment); this module only
serves the demo and development.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import socket
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

log = logging.getLogger(__name__)


def free_port(preferred: int = 0, host: str = "127.0.0.1") -> int:
    """``preferred`` if it is free, else any free port."""
    for port in ([preferred] if preferred else []) + [0]:
        with socket.socket() as sock:
            try:
                sock.bind((host, port))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise OSError("no free port")


def mosquitto_config(port: int, *, persistence_dir: Path | None = None) -> str:
    lines = [
        f"listener {port} 127.0.0.1",
        "allow_anonymous true",
        # At the default of 1000, a 100k-message burst lost over half its messages.
        "max_queued_messages 1000000",
        "max_inflight_messages 1000",
        "max_packet_size 1048576",
        # Send pages at once: Nagle's algorithm with delayed ACKs held them up to 40 ms.
        "set_tcp_nodelay true",
    ]
    if persistence_dir is not None:
        lines += ["persistence true", f"persistence_location {persistence_dir}/"]
    return "\n".join(lines) + "\n"


def find_mosquitto() -> str | None:
    """Mosquitto's path; Debian puts it in /usr/sbin, often off a user's PATH."""
    return shutil.which("mosquitto") or shutil.which("mosquitto", path="/usr/sbin:/usr/local/sbin")


@contextlib.asynccontextmanager
async def embedded_broker(port: int) -> AsyncIterator[str]:
    """Run a local broker on ``port``; yields its URL and a description."""
    mosquitto = find_mosquitto()
    if mosquitto:
        with tempfile.TemporaryDirectory(prefix="shouhu-mosquitto-") as tmp:
            conf = Path(tmp) / "mosquitto.conf"
            conf.write_text(mosquitto_config(port))
            proc = await asyncio.create_subprocess_exec(
                mosquitto,
                "-c",
                str(conf),
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )
            try:
                await _wait_port(port, proc)
                log.info("started Mosquitto on 127.0.0.1:%d", port)
                yield f"mqtt://127.0.0.1:{port}"
            finally:
                if proc.returncode is None:
                    proc.terminate()
                    await proc.wait()
        return
    from amqtt.broker import Broker  # only here: amqtt is the fallback broker

    broker = Broker(
        {
            "listeners": {"default": {"type": "tcp", "bind": f"127.0.0.1:{port}"}},
            "auth": {"allow-anonymous": True},
        }
    )
    await broker.start()
    log.info("started the embedded amqtt broker on 127.0.0.1:%d (Mosquitto not installed)", port)
    try:
        yield f"mqtt://127.0.0.1:{port}"
    finally:
        await broker.shutdown()


async def _wait_port(port: int, proc: asyncio.subprocess.Process) -> None:
    for _ in range(100):
        if proc.returncode is not None:
            err = (await proc.stderr.read()).decode() if proc.stderr else ""
            raise RuntimeError(f"mosquitto exited at start: {err.strip()}")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.05)
    raise RuntimeError(f"mosquitto did not listen on port {port}")


def main() -> None:
    """``python -m shouhu.broker PORT``: run the fallback broker until killed (tests)."""
    import sys

    port = int(sys.argv[1])

    async def serve() -> None:
        async with embedded_broker(port):
            await asyncio.Event().wait()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
