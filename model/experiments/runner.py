"""Running an experiment: every regime for every replication, with common random numbers.

A run is a pure function ``(scenario, replication) -> history``: its random streams come from
``(scenario.seed, replication)`` only, so results do not depend on the number of workers or on
the order runs finish in. Runs execute wherever a backend puts them (``backends.py``): this process, a
process pool or a Dask cluster.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ..scenario_io import Experiment
from ..sim.metrics import metrics_of
from ..sim.params import Scenario
from .backends import Backend, LocalBackend
from .results import Results
from .stats import effects_table


def run_once(scenario: Scenario, replication: int) -> np.ndarray:
    """One model run: the (steps, metrics) history.

    The model (and Mesa, over a second to import) is imported by the process that runs it: the
    parent of a process pool never imports it, and each worker does so at its first run, on its
    own core, instead of one after the other before the pool starts.
    """
    from ..sim.district import DistrictModel  # noqa: PLC0415 - see above

    return DistrictModel(scenario, replication).run()


def run_with_panel(scenario: Scenario, replication: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """One model run: the history and the firm panel (profit, membership, activity per week and slot)."""
    from ..sim.district import DistrictModel  # noqa: PLC0415 - see run_once

    model = DistrictModel(scenario, replication, panel=True)
    return model.run(), model.panel


def _run_task(task: tuple[int, int, Scenario]) -> tuple[int, int, np.ndarray]:
    r, rep, scenario = task
    return r, rep, run_once(scenario, rep)


def _run_panel_task(task: tuple[int, int, Scenario]) -> tuple[int, int, tuple[np.ndarray, dict]]:
    r, rep, scenario = task
    return r, rep, run_with_panel(scenario, rep)


def run_experiment(
    exp: Experiment,
    workers: int = 1,
    on_run_done: Callable[[], None] | None = None,
    *,
    backend: Backend | None = None,
    first: int = 0,
    count: int | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> Results:
    """Run every regime for replications ``first .. first + count`` (default: all of the file's).

    Args:
        exp: the validated experiment.
        workers: processes to use when no backend is given; 1 runs in this process.
        on_run_done: called once after each finished run (for progress bars).
        backend: where runs execute (local processes or Dask); results do not depend on it.
        first, count: which replications to run; a replication's numbers do not depend on which
            others are run with it.
        meanwhile: this process's own work, overlapped with the runs (``LocalBackend.map_unordered``).
    """
    names = tuple(exp.regimes)
    count = exp.base.replications - first if count is None else count
    steps = exp.base.steps
    metrics = metrics_of(exp.base)
    data = np.empty((len(names), count, steps, len(metrics)))
    tasks = [(r, rep, exp.regimes[name]) for rep in range(first, first + count) for r, name in enumerate(names)]
    done = on_run_done or (lambda: None)
    runner = backend or LocalBackend(workers)
    describe = lambda t: f"regime '{names[t[0]]}' replication {t[1]}"  # noqa: E731
    choice = exp.base.district.membership == "choice"
    panels: dict[tuple[int, int], dict[str, np.ndarray]] | None = {} if choice else None
    task = _run_panel_task if choice else _run_task
    for _, (r, rep, out) in runner.map_unordered(task, tasks, describe, meanwhile):
        if panels is not None:
            data[r, rep - first], panels[(r, rep - first)] = out
        else:
            data[r, rep - first] = out
        done()
    return Results(regimes=names, baseline=exp.baseline, data=data, metrics=metrics, panels=panels)


def relative_half_width(results: Results) -> float:
    """Half-width of the 95% interval of the first regime's paired profit effect, over its size."""
    eff = effects_table(results)
    row = eff[eff["metric"] == "profit"].iloc[0]
    half = (row["ci_high"] - row["ci_low"]) / 2
    return float(half / abs(row["diff_mean"])) if row["diff_mean"] != 0 else math.inf


def run_to_precision(
    exp: Experiment,
    precision: float | None,
    max_replications: int,
    *,
    backend: Backend,
    on_run_done: Callable[[], None] | None = None,
    on_more: Callable[[int, int], None] | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> tuple[Results, str | None]:
    """Run the file's replications; with ``precision``, keep doubling them (up to
    ``max_replications``) until the 95% half-width of the profit effect is at most ``precision``
    times its size. Returns the results and a note on the precision (None without ``precision``).

    ``on_more(new_runs, replications)`` is called before each extension (progress bars).
    """
    results = run_experiment(exp, on_run_done=on_run_done, backend=backend, meanwhile=meanwhile)
    note = None
    while precision is not None and len(exp.regimes) > 1:
        width = relative_half_width(results)
        if width <= precision:
            note = f"precision {precision} reached: half-width {width:.3f} of the profit effect"
            break
        done = results.replications
        if done >= max_replications:
            note = (
                f"warning: precision {precision} not reached after {done} replications "
                f"(half-width {width:.3f} of the profit effect); raise --max-replications"
            )
            break
        more = min(done, max_replications - done)  # double, up to the cap
        if on_more is not None:
            on_more(more * len(exp.regimes), done + more)
        results = results.extend(run_experiment(exp, on_run_done=on_run_done, backend=backend, first=done, count=more))
    return results, note
