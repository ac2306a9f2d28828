"""``shouhu evaluate``: the simulated suite, then the falls-dev recordings."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from alerting.evaluation.report import format_report
from alerting.evaluation.runner import TaskResult, run_tasks
from alerting.evaluation.scoring import Score
from alerting.evaluation.suite import suite
from shouhu.facility import Facility


def evaluate_suite(
    facility: Facility, *, nights: int, seed: int, workers: int, console: Console
) -> tuple[Score, str]:
    tasks = suite(facility, nights=nights, seed=seed)
    total = sum(t.resident_nights for t in tasks)
    results: list[TaskResult] = []
    began = time.perf_counter()
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:.0f}/{task.total:.0f} resident-nights"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        job = bar.add_task(f"simulating on {workers} process(es)", total=total)

        def advance(result: TaskResult) -> None:
            results.append(result)
            bar.advance(job, result.task.resident_nights)

        run_tasks(tasks, workers=workers, progress=advance)
    score = results[0].score
    for result in results[1:]:
        score = score.merge(result.score)
    text = format_report(
        score,
        facility=facility,
        nights=nights,
        residents=len(facility.residents),
        messages=sum(r.messages for r in results),
        rejected=sum(r.rejected for r in results),
        seconds=time.perf_counter() - began,
    )
    return score, text


def falls_dev_report(root: Path | None) -> str:
    """The fall detector on the real recordings, or why it could not run."""
    try:
        from alerting.evaluation import falls_dev
    except ImportError as exc:  # pragma: no cover - the fall evaluation is part of the tree
        return f"Falls (real recordings): not available ({exc})."
    if root is None:
        find = getattr(falls_dev, "default_root", None)
        root = find() if find is not None else _default_falls_root()
    report = falls_dev.evaluate_falls_dev(root)
    return report.format_report()


def _default_falls_root() -> Path:
    here = Path(__file__).resolve().parents[2]
    candidates = [Path(p) for p in [os.environ.get("SHOUHU_FALLS_DEV", "")] if p]
    candidates += [here.parent / "shared" / "data" / "falls-dev"]
    candidates += [Path("/work/shared/data/falls-dev")]
    return next((p for p in candidates if p.is_dir()), candidates[0])


def run_evaluate(
    facility: Facility,
    *,
    nights: int,
    seed: int,
    workers: int,
    falls_dev: Path | None,
    skip_falls: bool,
) -> int:
    console = Console(stderr=True)
    _, text = evaluate_suite(facility, nights=nights, seed=seed, workers=workers, console=console)
    print(text)
    if not skip_falls:
        print()
        with console.status("scoring the fall detector on falls-dev recordings"):
            falls = falls_dev_report(falls_dev)
        print(falls)
    sys.stdout.flush()
    return 0
