"""``shouhu load``: the load mode on the command line."""

from __future__ import annotations

import argparse
import os
import sys

from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from shouhu.facility import load_facility
from simulator.load import facility_yaml, report_json, run_load, synthetic_facility

DEFAULT_MQTT_URL = "mqtt://127.0.0.1:1883"


async def run_load_command(args: argparse.Namespace) -> int:
    """Publish the load; exit 1 if any message was not sent."""
    url = args.mqtt_url or os.environ.get("SHOUHU_MQTT_URL") or DEFAULT_MQTT_URL
    if args.facility is not None:
        facility = load_facility(args.facility)
    else:
        facility = synthetic_facility(args.residents)
    if args.write_facility is not None:
        args.write_facility.parent.mkdir(parents=True, exist_ok=True)
        args.write_facility.write_text(facility_yaml(facility), encoding="utf-8")
        if not args.json:
            print(f"wrote {args.write_facility} (facility {facility.id})", file=sys.stderr)
    if args.seconds == 0:
        return 0
    options = {"residents": args.residents, "rate": args.rate, "seconds": args.seconds}
    if args.json or not sys.stderr.isatty():
        report = await run_load(url, facility, qos=args.qos, seed=args.seed, **options)
    else:
        with Progress(
            TextColumn(f"load {args.rate:,.0f} msg/s"),
            BarColumn(),
            TextColumn("{task.fields[sent]:,} published"),
            TimeRemainingColumn(),
        ) as bar:
            task = bar.add_task("load", total=args.seconds, sent=0)
            report = await run_load(
                url,
                facility,
                qos=args.qos,
                seed=args.seed,
                progress=lambda sent, elapsed: bar.update(task, completed=elapsed, sent=sent),
                **options,
            )
    print(report_json(report) if args.json else report.summary())
    return 0 if report.errors == 0 else 1
