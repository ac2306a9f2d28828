"""Run simulated scenarios through the real decode path and AlertCore, in process.

As in ``shouhu.service``: every message is decoded by ``gateway.ingest.decode``
against the facility's device registry, an ``EventClock`` follows message
timestamps, and the core is ticked whenever time moves. No broker, no store:
the alerts are collected and scored against the simulator's ground truth.
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from alerting.core import AlertCore
from alerting.evaluation.scoring import Score, score
from alerting.evaluation.suite import Task
from gateway.ingest import StaffReply, decode
from gateway.registry import DeviceRegistry
from shouhu.clock import EventClock
from shouhu.domain import Alert
from shouhu.errors import RejectedMessage
from simulator.engine import Simulation
from simulator.truth import TruthEvent

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TaskResult:
    task: Task
    alerts: list[Alert]
    truth: list[TruthEvent]
    messages: int
    rejected: int
    seconds: float

    @property
    def score(self) -> Score:
        label = self.task.scenario.name
        return score(
            self.alerts,
            self.truth,
            resident_nights=self.task.resident_nights,
            scored_from=self.task.scored_from,
            label=label,
        )


def run_task(task: Task) -> TaskResult:
    began = time.perf_counter()
    scenario = task.scenario
    sim = Simulation(scenario)
    registry = DeviceRegistry([scenario.facility])
    clock = EventClock(scenario.start)
    core = AlertCore(scenario.facility)
    alerts: list[Alert] = []
    messages = rejected = 0
    for message in sim.messages():
        messages += 1
        try:
            inbound = decode(message.topic, message.payload, registry, received=clock.now())
        except RejectedMessage as exc:
            rejected += 1
            log.warning("rejected simulated message on %s: %s", message.topic, exc.reason)
            continue
        if isinstance(inbound, StaffReply):
            continue
        moved = clock.observe(inbound.ts)
        alerts.extend(core.observe(inbound))
        if moved:
            alerts.extend(core.tick(clock.now()))
    alerts.extend(core.tick(scenario.end))
    simulated = set(scenario.simulated)
    mine = [a for a in alerts if a.resident in simulated]  # devices of others never report
    return TaskResult(task, mine, sim.truth, messages, rejected, time.perf_counter() - began)


def run_tasks(
    tasks: Sequence[Task],
    *,
    workers: int = 1,
    progress: Callable[[TaskResult], None] | None = None,
) -> list[TaskResult]:
    """Run every task, on ``workers`` processes; ``progress`` hears of each as it ends."""
    if workers <= 1:
        results: list[TaskResult] = []
        for task in tasks:
            results.append(run_task(task))
            if progress:
                progress(results[-1])
        return results
    done: dict[int, TaskResult] = {}
    with cf.ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(run_task, task): i for i, task in enumerate(tasks)}
        for future in cf.as_completed(futures):
            done[futures[future]] = result = future.result()
            if progress:
                progress(result)
    return [done[i] for i in range(len(tasks))]
