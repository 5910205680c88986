"""Running an experiment: every regime for every replication, with common random numbers.

A run is a pure function ``(scenario, replication) -> history``: its random streams come from
``(scenario.seed, replication)`` only, so results do not depend on the number of workers or on
the order runs finish in. Runs execute in this process (``workers=1``) or in a standard-library
process pool.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass

import numpy as np

from .core import DistrictModel
from .observers import Metric, metric_list
from .params import Scenario
from .scenario_io import Experiment, ScenarioError


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

    def extend(self, more: Results) -> Results:
        """These runs followed by more replications of the same regimes."""
        return Results(self.regimes, self.baseline, np.concatenate((self.data, more.data), axis=1), self.metrics)

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


class LocalBackend:
    """Runs in this process (workers=1) or in a standard-library process pool."""

    def __init__(self, workers: int = 1) -> None:
        self.workers = workers

    def map_unordered(self, fn: Callable, items: list) -> Iterator[tuple[int, object]]:
        """Yield ``(index, fn(item))`` as runs finish; on interruption, pending runs are cancelled."""
        if self.workers <= 1:
            for i, item in enumerate(items):
                yield i, fn(item)
            return
        with ProcessPoolExecutor(max_workers=self.workers, initializer=_ignore_interrupts) as pool:
            futures: dict[Future, int] = {pool.submit(fn, item): i for i, item in enumerate(items)}
            pending = set(futures)
            try:
                while pending:
                    finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for fut in finished:
                        yield futures[fut], fut.result()
            except BaseException:
                for fut in pending:
                    fut.cancel()
                raise

    def close(self) -> None:
        """Nothing to release."""


class DaskBackend:
    """Runs on a Dask cluster: ``address`` of a running scheduler, or ``local`` for one on this machine.

    Needs the optional extra: ``pip install 'district-sim[dask]'`` (and the project installed on
    every worker machine).
    """

    def __init__(self, address: str, workers: int = 1) -> None:
        try:
            from distributed import Client, LocalCluster  # noqa: PLC0415 - optional extra
        except ImportError:
            raise ScenarioError(
                "--dask needs Dask: pip install 'dask[distributed]' (or the project's dask extra)"
            ) from None
        self._cluster = None
        try:
            if address == "local":
                self._cluster = LocalCluster(
                    n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
                )
                self._client = Client(self._cluster)
            else:
                self._client = Client(address, timeout="10s")
        except OSError as exc:
            raise ScenarioError(f"--dask {address}: cannot reach the scheduler ({exc})") from None

    def map_unordered(self, fn: Callable, items: list) -> Iterator[tuple[int, object]]:
        from distributed import as_completed  # noqa: PLC0415 - optional extra

        futures = self._client.map(fn, items, pure=False)
        index = {fut.key: i for i, fut in enumerate(futures)}
        try:
            for fut in as_completed(futures):
                yield index[fut.key], fut.result()
        except BaseException:
            self._client.cancel(futures)
            raise

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


Backend = LocalBackend | DaskBackend


def make_backend(workers: int, dask: str | None = None) -> Backend:
    return DaskBackend(dask, workers) if dask else LocalBackend(workers)


def run_experiment(
    exp: Experiment,
    workers: int = 1,
    on_run_done: Callable[[], None] | None = None,
    *,
    backend: Backend | None = None,
    first: int = 0,
    count: int | None = None,
) -> Results:
    """Run every regime for replications ``first .. first + count`` (default: all of the file's).

    Args:
        exp: the validated experiment.
        workers: processes to use when no backend is given; 1 runs in this process.
        on_run_done: called once after each finished run (for progress bars).
        backend: where runs execute (local processes or Dask); results do not depend on it.
        first, count: which replications to run; a replication's numbers do not depend on which
            others are run with it.
    """
    names = tuple(exp.regimes)
    count = exp.base.replications - first if count is None else count
    steps = exp.base.steps
    metrics = metric_list(exp.base.stage_names)
    data = np.empty((len(names), count, steps, len(metrics)))
    tasks = [(r, rep, exp.regimes[name]) for rep in range(first, first + count) for r, name in enumerate(names)]
    done = on_run_done or (lambda: None)
    runner = backend or LocalBackend(workers)
    for _, (r, rep, hist) in runner.map_unordered(_run_task, tasks):
        data[r, rep - first] = hist
        done()
    return Results(regimes=names, baseline=exp.baseline, data=data, metrics=metrics)
