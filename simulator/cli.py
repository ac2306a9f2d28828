"""``shouhu simulate``, ``shouhu drill``, ``shouhu replay``, ``shouhu nurses``.

Parsers are registered by ``add_parsers``; the work is imported lazily so that
``shouhu --help`` stays fast.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

DEFAULT_MQTT_URL = "mqtt://127.0.0.1:1883"


def add_parsers(sub: Any) -> None:
    simulate = sub.add_parser(
        "simulate",
        help="simulate a scenario: publish its messages and/or write them with the ground truth",
        description="Simulate a scenario (see docs/simulator.md). Publishes to --mqtt-url unless "
        "only --out is given.",
    )
    simulate.add_argument("scenario", type=Path, help="scenario file (examples/scenarios/*.yaml)")
    _common(simulate)
    simulate.add_argument(
        "--out", type=Path, help="write messages.jsonl and truth.jsonl into this directory"
    )
    simulate.add_argument("--seed", type=int, help="override the scenario's seed")
    simulate.add_argument(
        "--now", action="store_true", help="start now (keeping event offsets), for live runs"
    )
    simulate.set_defaults(func=_simulate)

    drill = sub.add_parser(
        "drill",
        help="send a scripted emergency into a live facility, marked as an exercise",
        description="Runs the scenario from now, in real time, for the residents its events "
        "name only; every message carries exercise: true.",
    )
    drill.add_argument("scenario", type=Path)
    _common(drill)
    drill.set_defaults(func=_drill)

    replay = sub.add_parser(
        "replay",
        help="publish a recording (CSV, SisFall, UMAFall) as one device's telemetry",
        description="See simulator/replay.py for the CSV columns.",
    )
    replay.add_argument("recording", type=Path)
    replay.add_argument("--facility", type=Path, required=True, help="facility file")
    replay.add_argument("--device", required=True, help="the wearable or bed it plays")
    replay.add_argument("--position", default="WAIST", help="UMAFall sensor: WAIST, WRIST, CHEST")
    replay.add_argument("--start", help="local date-time of the first sample (default: now)")
    replay.add_argument("--exercise", action="store_true", help="mark every message a drill")
    replay.add_argument("--out", type=Path, help="write messages.jsonl into this directory")
    _common(replay)
    replay.set_defaults(func=_replay)

    nurses = sub.add_parser(
        "nurses",
        help="virtual nurses: answer pages after set delays, or never (tests of escalation)",
    )
    nurses.add_argument("--facility", type=Path, required=True, help="facility file")
    nurses.add_argument("--mqtt-url", help=f"broker (default {DEFAULT_MQTT_URL})")
    nurses.add_argument(
        "--reply",
        action="append",
        default=[],
        metavar="STAFF=STEPS",
        help="how one nurse answers, e.g. n-e-night=received@2,accepted@20 or c-night=never",
    )
    nurses.add_argument(
        "--default", default="received@2,accepted@20", help="everyone else (default: %(default)s)"
    )
    nurses.add_argument("--log-level", default="WARNING")
    nurses.set_defaults(func=_nurses)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--mqtt-url", help=f"broker (default {DEFAULT_MQTT_URL})")
    parser.add_argument(
        "--speed", help="real-time factor (1 = real time) or 'max'; default: the scenario's"
    )
    parser.add_argument("--log-level", default="WARNING")


def _speed(text: str | None, default: float | str) -> float | None:
    value = default if text is None else text
    if value == "max":
        return None
    try:
        speed = float(value)
    except ValueError:
        speed = -1.0
    if speed <= 0:
        from shouhu.errors import ConfigError

        raise ConfigError(f"--speed {value!r}: expected a positive number or 'max'")
    return speed


def _simulate(args: argparse.Namespace) -> int:
    from simulator.scenario import load_scenario, starting_at

    scenario = load_scenario(args.scenario)
    if args.seed is not None:
        scenario = scenario.model_copy(update={"seed": args.seed})
    if args.now:
        scenario = starting_at(scenario, time.time())
    publish = args.mqtt_url or (None if args.out else DEFAULT_MQTT_URL)
    return asyncio.run(
        run(scenario, mqtt_url=publish, out=args.out, speed=_speed(args.speed, scenario.speed))
    )


def _drill(args: argparse.Namespace) -> int:
    from simulator.drill import drill_scenario

    scenario = drill_scenario(args.scenario, now=time.time())
    url = args.mqtt_url or DEFAULT_MQTT_URL
    return asyncio.run(
        run(scenario, mqtt_url=url, out=None, speed=_speed(args.speed, 1.0), title="DRILL")
    )


def _replay(args: argparse.Namespace) -> int:
    from shouhu.errors import ConfigError
    from shouhu.facility import load_facility
    from simulator.replay import read_track, replay_messages
    from simulator.scenario import parse_local

    facility = load_facility(args.facility)
    if facility.device(args.device) is None:
        raise ConfigError(f"--device {args.device!r}: not a device of {args.facility}")
    track = read_track(args.recording, position=args.position)
    try:
        start = (
            float(int(time.time())) if args.start is None else parse_local(args.start, facility.tz)
        )
    except ValueError as exc:
        raise ConfigError(f"--start: {exc}") from exc
    messages = replay_messages(
        track, facility=facility.id, device=args.device, start=start, exercise=args.exercise
    )
    url = args.mqtt_url or (None if args.out else DEFAULT_MQTT_URL)
    return asyncio.run(_send_replay(messages, url, args.out, _speed(args.speed, 1.0), start, track))


async def _send_replay(
    messages: Any, url: str | None, out: Path | None, speed: float | None, start: float, track: Any
) -> int:
    from rich.console import Console

    from simulator.publisher import send

    console = Console(stderr=True, highlight=False)
    rate = f", accelerometer at {track.hz:g} Hz" if track.hz else ""
    console.print(f"replaying {track.seconds} s{rate}")
    with _files(out) as handle:
        tally = await send(messages, mqtt_url=url, out=handle, speed=speed, start=start)
    console.print(f"sent {tally.messages:,} messages, {tally.bytes / 1e3:,.0f} kB")
    return 0 if tally.refused == 0 else 1


def _nurses(args: argparse.Namespace) -> int:
    from shouhu.errors import ConfigError
    from shouhu.facility import load_facility
    from simulator.nurses import NurseBehaviour

    facility = load_facility(args.facility)
    behaviours = {}
    for spec in args.reply:
        staff, _, steps = spec.partition("=")
        if facility.member(staff) is None:
            raise ConfigError(f"--reply {spec!r}: no staff member {staff!r} in {args.facility}")
        behaviours[staff] = NurseBehaviour.parse(steps)
    default = NurseBehaviour.parse(args.default)
    return asyncio.run(
        _answer_pages(args.mqtt_url or DEFAULT_MQTT_URL, facility.id, behaviours, default)
    )


async def _answer_pages(url: str, facility: str, behaviours: Any, default: Any) -> int:
    from rich.console import Console

    from simulator.nurses import VirtualNurses

    console = Console(highlight=False)
    async with VirtualNurses(url, facility, nurses=behaviours, default=default) as nurses:
        console.print(f"virtual nurses of {facility} answering pages on {url}; Ctrl-C stops")
        pages = replies = 0
        while True:
            await asyncio.sleep(0.2)
            for page in nurses.pages[pages:]:
                drill = " [yellow](drill)[/]" if page.page.get("exercise") else ""
                console.print(
                    f"page to [bold]{page.staff}[/]{drill}: {page.page.get('summary', '')}"
                )
            for reply in nurses.replies[replies:]:
                console.print(f"  {reply.staff} {reply.status} page {reply.page_id}")
            pages, replies = len(nurses.pages), len(nurses.replies)


@contextlib.contextmanager
def _files(out: Path | None) -> Iterator[IO[bytes] | None]:
    if out is None:
        yield None
        return
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "messages.jsonl", "wb") as handle:
        yield handle


async def run(
    scenario: Any, *, mqtt_url: str | None, out: Path | None, speed: float | None, title: str = ""
) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from simulator.engine import Simulation
    from simulator.publisher import Tally, send
    from simulator.truth import write_truth

    console = Console(stderr=True, highlight=False)
    began = time.perf_counter()
    with console.status("building the residents' courses..."):
        sim = Simulation(scenario)
    built = time.perf_counter() - began
    where = ", ".join(x for x in (mqtt_url and f"MQTT {mqtt_url}", out and f"files in {out}") if x)
    pace = "as fast as possible" if speed is None else f"{speed:g}x real time"
    console.print(
        f"[bold]{title or 'simulating'}[/] {scenario.name or 'scenario'}: "
        f"{len(sim.residents)} residents, {len(sim.renderers)} devices, "
        f"{scenario.duration_s / 3600:.2f} h from {_local(scenario, scenario.start)}, "
        f"seed {scenario.seed}; {pace} to {where}"
    )
    with (
        _files(out) as handle,
        Progress(
            TextColumn("{task.fields[clock]}"),
            BarColumn(),
            TextColumn("{task.fields[sent]:,} messages"),
            TimeRemainingColumn(),
            console=console,
        ) as bar,
    ):
        task = bar.add_task("sim", total=scenario.duration_s, clock="", sent=0)

        def progress(now: float, tally: Tally) -> None:
            done = now - scenario.start
            bar.update(task, completed=done, clock=_local(scenario, now), sent=tally.messages)

        tally = await send(
            sim.messages(),
            mqtt_url=mqtt_url,
            out=handle,
            speed=speed,
            start=scenario.start,
            progress=progress,
        )
        bar.update(task, completed=scenario.duration_s)
    if out is not None:
        write_truth(out / "truth.jsonl", sim.truth)
    _summary(console, scenario, sim, tally, time.perf_counter() - began, built, out)
    return 0 if tally.refused == 0 else 1


def _local(scenario: Any, ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, scenario.facility.tz).strftime("%Y-%m-%d %H:%M:%S")


def _summary(
    console: Any, scenario: Any, sim: Any, tally: Any, wall: float, built: float, out: Path | None
) -> None:
    from rich.table import Table

    channels = ", ".join(f"{k} {v:,}" for k, v in sorted(tally.by_channel.items()))
    console.print(
        f"sent {tally.messages:,} messages ({channels}), {tally.bytes / 1e6:,.1f} MB, "
        f"in {wall:.1f} s (building {built:.1f} s): "
        f"{scenario.duration_s / max(wall, 1e-9):,.0f}x real time"
        + (f"; [red]{tally.refused:,} refused by the broker[/]" if tally.refused else "")
    )
    if sim.truth:
        table = Table(title="ground truth", title_justify="left")
        for column in ("onset", "resident", "kind", "until", "detail"):
            table.add_column(column)
        for e in sim.truth:
            until = _local(scenario, e.end)[11:] if e.end > e.onset else ""
            table.add_row(_local(scenario, e.onset)[11:], e.resident, e.kind, until, e.detail)
        console.print(table)
    if out is not None:
        console.print(f"wrote {out / 'messages.jsonl'} and {out / 'truth.jsonl'}")
