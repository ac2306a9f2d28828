"""End-to-end latency benchmark (placeholder until the full benchmark lands)."""

from __future__ import annotations


async def run_bench(*, mqtt_url: str | None, rates: list[int], seconds: float) -> int:
    raise NotImplementedError("the latency benchmark is not written yet")
