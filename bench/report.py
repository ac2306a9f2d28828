"""The bench's results as values, and as the Markdown tables it prints."""

from __future__ import annotations

import datetime as dt
import os
import platform
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

PERCENTILES = (50.0, 99.0, 99.9)


def load_average() -> float:
    """The 1-minute load average (what else runs on the machine right now)."""
    return round(os.getloadavg()[0], 2)


def cpu_pressure() -> float | None:
    """Share of the last 10 s in which some runnable task waited for a CPU (Linux PSI), %."""
    try:
        with open("/proc/pressure/cpu", encoding="ascii") as psi:
            some = psi.readline().split()
    except OSError:
        return None
    fields = dict(part.split("=", 1) for part in some[1:] if "=" in part)
    try:
        return float(fields["avg10"])
    except (KeyError, ValueError):
        return None


def _psi(value: float | None) -> str:
    return "" if value is None else f" · {value:.0f}%"


@dataclass(frozen=True, slots=True)
class Latency:
    """Latency samples of one path, in milliseconds."""

    samples: int
    missed: int
    p50: float | None
    p99: float | None
    p999: float | None
    max: float | None

    @classmethod
    def of(cls, seconds: list[float], *, missed: int = 0) -> Latency:
        if not seconds:
            return cls(0, missed, None, None, None, None)
        ms = np.asarray(seconds) * 1000.0
        p50, p99, p999 = (float(v) for v in np.percentile(ms, PERCENTILES))
        return cls(len(ms), missed, p50, p99, p999, float(ms.max()))


@dataclass(frozen=True, slots=True)
class ClientRate:
    library: str
    messages: int
    received: int
    rate: float  # messages/s
    load: float
    pressure: float | None = None


@dataclass(frozen=True, slots=True)
class LatencyPhase:
    target_rate: float
    achieved_rate: float
    telemetry_sent: int
    telemetry_lost: int
    shouhu: Latency
    bare: Latency
    load_start: float
    load_end: float
    pressure: float | None = None


@dataclass(frozen=True, slots=True)
class RampStep:
    target_rate: float
    achieved_rate: float
    sent: int
    received: int
    lag_first_s: float
    lag_last_s: float
    drain_s: float
    sustained: bool
    generator_limited: bool
    load: float
    pressure: float | None = None

    @property
    def lost(self) -> int:
        return self.sent - self.received


@dataclass
class BenchResults:
    broker: str
    residents: int
    qos: int
    started: str = field(
        default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    )
    machine: str = field(
        default_factory=lambda: (
            f"{os.cpu_count()} CPUs, {platform.machine()}, Python {platform.python_version()}"
        )
    )
    load_at_start: tuple[float, float, float] = field(default_factory=os.getloadavg)
    pressure_at_start: float | None = field(default_factory=cpu_pressure)
    clients: list[ClientRate] = field(default_factory=list)
    latency: list[LatencyPhase] = field(default_factory=list)
    ramp: list[RampStep] = field(default_factory=list)

    @property
    def sustained_rate(self) -> float | None:
        """The highest achieved rate of a step that lost nothing and kept up."""
        rates = [s.achieved_rate for s in self.ramp if s.sustained]
        return max(rates) if rates else None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"sustained_rate": self.sustained_rate}


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _ratio(a: float | None, b: float | None) -> str:
    return "–" if a is None or b is None or b <= 0 else f"{a / b:.1f}×"


def render(results: BenchResults) -> str:
    """Markdown: paste straight into docs/performance.md."""
    la = " / ".join(f"{v:.2f}" for v in results.load_at_start)
    lines = [
        f"Shouhu bench, {results.started}: {results.machine}; broker {results.broker}; "
        f"{results.residents} residents (a wearable and a bed sensor each), telemetry QoS "
        f"{results.qos}. Load average at start (1/5/15 min): {la}"
        + (
            f"; CPU pressure {results.pressure_at_start:.0f}%"
            if results.pressure_at_start is not None
            else ""
        )
        + ".",
        "",
        "Load columns: 1-minute load average · CPU pressure (share of the last 10 s in which "
        "a runnable task waited for a CPU). Figures taken above ~1 load per core are noisy.",
        "",
    ]
    if results.clients:
        lines += [
            "Bare QoS 1 receive rate of one Python subscriber (messages queued at the broker):",
            "",
            "| library | messages/s | received | load |",
            "|---|---:|---:|---:|",
        ]
        lines += [
            f"| {c.library} | {c.rate:,.0f} | {c.received:,}/{c.messages:,} | "
            f"{c.load:.2f}{_psi(c.pressure)} |"
            for c in results.clients
        ]
        lines.append("")
    if results.latency:
        lines += _latency_table(results.latency)
    if results.ramp:
        lines += _ramp_table(results)
    return "\n".join(lines)


def _latency_table(phases: list[LatencyPhase]) -> list[str]:
    lines = [
        "SOS published → page received on the nurse's topic, against a bare MQTT publish → "
        "subscribe in the same moments (ms):",
        "",
        "| background msg/s (sent) | path | n | p50 | p99 | p99.9 | max | missed | load |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for p in phases:
        load = f"{p.load_start:.2f}→{p.load_end:.2f}{_psi(p.pressure)}"
        bg = f"{p.target_rate:,.0f} ({p.achieved_rate:,.0f}, lost {p.telemetry_lost:,})"
        for name, lat in (("Shouhu SOS → page", p.shouhu), ("bare MQTT", p.bare)):
            lines.append(
                f"| {bg} | {name} | {lat.samples} | {_ms(lat.p50)} | {_ms(lat.p99)} | "
                f"{_ms(lat.p999)} | {_ms(lat.max)} | {lat.missed} | {load} |"
            )
        s, b = p.shouhu, p.bare
        lines.append(
            f"| {bg} | ratio | | {_ratio(s.p50, b.p50)} | {_ratio(s.p99, b.p99)} | "
            f"{_ratio(s.p999, b.p999)} | {_ratio(s.max, b.max)} | | |"
        )
    lines += ["", "(p99.9 of fewer than 1,000 samples is close to the maximum.)", ""]
    return lines


def _ramp_table(results: BenchResults) -> list[str]:
    lines = [
        "Telemetry ramp into one Shouhu process (lag = receive time − message ts):",
        "",
        "| target msg/s | sent msg/s | sent | received | lost | lag 1st s | lag last s "
        "| drain s | verdict | load |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for s in results.ramp:
        verdict = "sustained" if s.sustained else "falls behind"
        if s.generator_limited:
            verdict += " (generator limited)"
        lines.append(
            f"| {s.target_rate:,.0f} | {s.achieved_rate:,.0f} | {s.sent:,} | {s.received:,} | "
            f"{s.lost:,} | {s.lag_first_s:.3f} | {s.lag_last_s:.3f} | {s.drain_s:.2f} | "
            f"{verdict} | {s.load:.2f}{_psi(s.pressure)} |"
        )
    best = results.sustained_rate
    last = results.ramp[-1]
    if best is None:
        lines.append("\nNo step was sustained.")
    elif last.sustained:
        lines.append(
            f"\nSustained at least {best:,.0f} msg/s; the ramp ended before Shouhu fell behind."
        )
    else:
        lines.append(f"\nHighest rate sustained without loss or growing lag: {best:,.0f} msg/s.")
    return lines
