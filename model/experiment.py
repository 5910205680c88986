"""Running an experiment: every regime for every replication, with common random numbers.

A run is a pure function ``(scenario, replication) -> history``: its random streams come from
``(scenario.seed, replication)`` only, so results do not depend on the number of workers or on
the order runs finish in. Runs execute in this process (``workers=1``) or in a standard-library
process pool.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass

import numpy as np

from .core import DistrictModel
from .observers import Metric, metric_list
from .params import Scenario
from .scenario_io import Experiment


@dataclass(frozen=True)
class Results:
    """Histories of all runs: ``data[regime, replication, step, metric]``."""

    regimes: tuple[str, ...]
    baseline: str
    data: np.ndarray
    metrics: tuple[Metric, ...]

    def index(self, name: str) -> int:
        """Position of a metric in the last axis of ``data``."""
        return next(i for i, m in enumerate(self.metrics) if m.name == name)

    @property
    def replications(self) -> int:
        return self.data.shape[1]

    @property
    def steps(self) -> int:
        return self.data.shape[2]


def run_once(scenario: Scenario, replication: int) -> np.ndarray:
    """One model run: the (steps, metrics) history."""
    return DistrictModel(scenario, replication).run()


def _ignore_interrupts() -> None:
    """Worker initialiser: Ctrl-C reaches the whole process group; only the parent handles it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_task(task: tuple[int, int, Scenario]) -> tuple[int, int, np.ndarray]:
    r, rep, scenario = task
    return r, rep, run_once(scenario, rep)


def run_experiment(
    exp: Experiment,
    workers: int = 1,
    on_run_done: Callable[[], None] | None = None,
) -> Results:
    """Run every regime for ``exp.base.replications`` replications.

    Args:
        exp: the validated experiment.
        workers: processes to use; 1 runs in this process.
        on_run_done: called once after each finished run (for progress bars).
    """
    names = tuple(exp.regimes)
    reps = exp.base.replications
    steps = exp.base.steps
    metrics = metric_list(exp.base.stage_names)
    data = np.empty((len(names), reps, steps, len(metrics)))
    tasks = [(r, rep, exp.regimes[name]) for rep in range(reps) for r, name in enumerate(names)]
    done = on_run_done or (lambda: None)
    if workers <= 1:
        for task in tasks:
            r, rep, hist = _run_task(task)
            data[r, rep] = hist
            done()
    else:
        with ProcessPoolExecutor(max_workers=workers, initializer=_ignore_interrupts) as pool:
            pending: set[Future] = {pool.submit(_run_task, t) for t in tasks}
            try:
                while pending:
                    finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for fut in finished:
                        r, rep, hist = fut.result()
                        data[r, rep] = hist
                        done()
            except BaseException:
                for fut in pending:
                    fut.cancel()
                raise
    return Results(regimes=names, baseline=exp.baseline, data=data, metrics=metrics)
