"""The ``shouhu`` command: demo, run, simulate, drill, load, bench, evaluate, schemas."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from shouhu.clock import make_clock
from shouhu.errors import ConfigError, ShouhuError
from shouhu.facility import load_facility
from shouhu.settings import load_settings
from simulator.cli import add_parsers as add_simulator_parsers

EXAMPLE_FACILITY = Path(__file__).resolve().parent.parent / "examples" / "facility.yaml"


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help()
        return 2
    level = getattr(args, "log_level", None) or os.environ.get("SHOUHU_LOG_LEVEL") or "INFO"
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
    )
    try:
        result: int = args.func(args)
        return result
    except ConfigError as exc:
        print(f"shouhu: configuration error: {exc}", file=sys.stderr)
        return 2
    except ShouhuError as exc:
        print(f"shouhu: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="shouhu",
        description="守护 Shouhu: emergency-response monitor for elder-care facilities.",
    )
    sub = parser.add_subparsers(metavar="COMMAND")

    demo = sub.add_parser("demo", help="run everything on embedded defaults and show an incident")
    demo.add_argument("--mqtt-url", help="use this broker instead of starting one")
    demo.add_argument("--facility", type=Path, default=EXAMPLE_FACILITY)
    demo.add_argument("--db-url", default="sqlite:///var/demo.db")
    demo.add_argument("--api-port", type=int, default=8000)
    demo.add_argument("--duration", type=float, help="stop after this many seconds")
    demo.add_argument(
        "--sos-after", type=float, default=10.0, help="seconds before the scripted SOS (default 10)"
    )
    demo.add_argument("--log-level", default="WARNING")
    demo.set_defaults(func=_demo)

    run = sub.add_parser("run", help="run the service against an existing broker")
    run.add_argument(
        "--facility",
        type=Path,
        action="append",
        help="facility file (repeat for several; env SHOUHU_FACILITY)",
    )
    run.add_argument("--mqtt-url", help="env SHOUHU_MQTT_URL (default mqtt://127.0.0.1:1883)")
    run.add_argument("--db-url", help="env SHOUHU_DB_URL (default sqlite:///var/shouhu.db)")
    run.add_argument("--api-port", type=int, help="env SHOUHU_API_PORT (default 8000)")
    run.add_argument("--api-host", help="env SHOUHU_API_HOST (default 127.0.0.1)")
    run.add_argument(
        "--clock",
        choices=["wall", "event"],
        help="'event' follows message timestamps (simulated nights)",
    )
    run.add_argument("--client-id", help="MQTT client id; stable for a persistent session")
    run.add_argument("--log-level", help="env SHOUHU_LOG_LEVEL (default INFO)")
    run.set_defaults(func=_run)

    add_simulator_parsers(sub)
    _add_load_parser(sub)

    bench = sub.add_parser(
        "bench", help="measure alert latency and throughput against bare MQTT (see bench/)"
    )
    bench.add_argument("--mqtt-url", help="broker to use (default: start a Mosquitto)")
    bench.add_argument("--rates", default="1000,5000", help="background readings/s")
    bench.add_argument("--seconds", type=float, default=15.0, help="latency sampling per rate")
    bench.add_argument("--residents", type=int, default=500, help="simulated residents")
    bench.add_argument(
        "--ramp", help="telemetry rates to step through (default 2000,4000,...,21000; 0: skip)"
    )
    bench.add_argument("--ramp-seconds", type=float, default=4.0, help="per ramp step")
    bench.add_argument("--samples", type=float, default=20.0, help="latency samples/s per path")
    bench.add_argument(
        "--client-messages", type=int, default=20_000, help="per client library (0: skip)"
    )
    bench.add_argument("--json", type=Path, metavar="FILE", help="also write the figures here")
    bench.add_argument("--log-level", default="WARNING")
    bench.set_defaults(func=_bench)

    evaluate = sub.add_parser(
        "evaluate", help="score the detectors on simulated nights and real fall recordings"
    )
    evaluate.add_argument("--facility", type=Path, default=EXAMPLE_FACILITY)
    evaluate.add_argument("--nights", type=int, default=5, help="facility nights (default 5)")
    evaluate.add_argument("--seed", type=int, default=0)
    evaluate.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    evaluate.add_argument("--falls-dev", type=Path, help="falls-dev folder (default: found)")
    evaluate.add_argument("--no-falls-dev", action="store_true", help="skip the recordings")
    evaluate.add_argument("--log-level", default="ERROR")
    evaluate.set_defaults(func=_evaluate)

    schemas = sub.add_parser("schemas", help="write the protocol's JSON Schemas")
    schemas.add_argument("--out", type=Path, default=Path("docs/schemas"))
    schemas.set_defaults(func=_schemas)

    falls = sub.add_parser(
        "evaluate-falls", help="score the fall detector on the real falls-dev recordings"
    )
    falls.add_argument("--root", type=Path, help="falls-dev folder (default ../shared/data/...)")
    falls.add_argument("--rate", default="50", help="wearable rate in Hz, or 'native' (default 50)")
    falls.add_argument("--subsample", type=int, default=1, help="keep every n-th file")
    falls.add_argument("--no-cross-subject", action="store_true", help="skip the tuning check")
    falls.set_defaults(func=_evaluate_falls)

    from api.cli import add_user_parser

    add_user_parser(sub)
    return parser


def _run_async(make: Callable[[], Awaitable[int]]) -> int:
    """Run a coroutine until it ends or SIGINT/SIGTERM asks it to stop cleanly."""

    async def runner() -> int:
        task = asyncio.ensure_future(make())
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, task.cancel)
        try:
            return await task
        except asyncio.CancelledError:
            print("\nshouhu: stopped.", file=sys.stderr)
            return 0

    return asyncio.run(runner())


def _run(args: argparse.Namespace) -> int:
    from shouhu.runtime import running

    settings = load_settings(
        facility=args.facility,
        mqtt_url=args.mqtt_url,
        db_url=args.db_url,
        api_port=args.api_port,
        api_host=args.api_host,
        clock=args.clock,
        client_id=args.client_id,
    )
    if not settings.facility:
        raise ConfigError("no facility file: give --facility FILE or set SHOUHU_FACILITY")
    facilities = [load_facility(p) for p in settings.facility]

    async def serve() -> int:
        async with running(
            facilities=facilities,
            mqtt_url=settings.mqtt_url,
            db_url=settings.db_url,
            clock=make_clock(settings.clock),
            api_host=settings.api_host,
            api_port=settings.api_port,
            client_id=settings.client_id,
        ) as run:
            logging.getLogger("shouhu").info(
                "serving %s; MQTT %s; API %s",
                ", ".join(run.service.facilities),
                settings.mqtt_url,
                run.api_url,
            )
            # What start-up built lives as long as the process: keep it out of the
            # collector's full passes, which otherwise stalled the alert path ~0.1 s.
            gc.collect()
            gc.freeze()
            await asyncio.Event().wait()
        return 0

    return _run_async(serve)


def _demo(args: argparse.Namespace) -> int:
    from shouhu.demo import run_demo

    facility = load_facility(args.facility)
    return _run_async(
        lambda: run_demo(
            facility,
            mqtt_url=args.mqtt_url,
            db_url=args.db_url,
            api_port=args.api_port,
            duration=args.duration,
            sos_after=args.sos_after,
        )
    )


def _bench(args: argparse.Namespace) -> int:
    from bench.latency import run_bench

    def ints(text: str) -> list[int]:
        try:
            return [int(r) for r in text.split(",") if r.strip() and int(r) > 0]
        except ValueError as exc:
            raise ConfigError(f"expected rates like 1000,5000, got {text!r}") from exc

    return _run_async(
        lambda: run_bench(
            mqtt_url=args.mqtt_url,
            rates=ints(args.rates),
            seconds=args.seconds,
            residents=args.residents,
            ramp=None if args.ramp is None else ints(args.ramp),
            ramp_seconds=args.ramp_seconds,
            samples_per_second=args.samples,
            client_messages=args.client_messages,
            json_out=args.json,
        )
    )


def _add_load_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    load = sub.add_parser(
        "load", help="publish N residents' telemetry at a given total rate (benchmarks)"
    )
    load.add_argument("--mqtt-url", help="env SHOUHU_MQTT_URL (default mqtt://127.0.0.1:1883)")
    load.add_argument("--residents", type=int, default=500, help="each has a wearable and a bed")
    load.add_argument("--rate", type=float, default=5000, help="messages/s in total")
    load.add_argument("--seconds", type=float, default=10.0)
    load.add_argument("--qos", type=int, choices=[0, 1], default=1)
    load.add_argument("--facility", type=Path, help="use this facility's residents")
    load.add_argument(
        "--write-facility", type=Path, metavar="FILE", help="write the generated facility file"
    )
    load.add_argument("--json", action="store_true", help="print the report as JSON")
    load.add_argument("--seed", type=int, default=0)
    load.add_argument("--log-level", default="WARNING")
    load.set_defaults(func=_load)


def _load(args: argparse.Namespace) -> int:
    from simulator.load_cli import run_load_command

    return _run_async(lambda: run_load_command(args))


def _evaluate(args: argparse.Namespace) -> int:
    from alerting.evaluation.command import run_evaluate

    if args.nights < 1 or args.workers < 1:
        raise ConfigError("--nights and --workers must be at least 1")
    return run_evaluate(
        load_facility(args.facility),
        nights=args.nights,
        seed=args.seed,
        workers=args.workers,
        falls_dev=args.falls_dev,
        skip_falls=args.no_falls_dev,
    )


def _schemas(args: argparse.Namespace) -> int:
    from gateway.schemas import write_schemas

    for path in write_schemas(args.out):
        print(path)
    return 0


def _evaluate_falls(args: argparse.Namespace) -> int:
    from alerting.evaluation.falls_dev import default_root, evaluate_falls_dev

    rate = None if args.rate == "native" else float(args.rate)
    report = evaluate_falls_dev(
        args.root or default_root(),
        cross_subject=not args.no_cross_subject,
        subsample=max(1, args.subsample),
        device_hz=rate,
    )
    print(report.format_report())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
