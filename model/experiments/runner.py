"""Running an experiment: every regime for every replication, with common random numbers.

A run is a pure function ``(scenario, replication) -> history``: its random streams come from
``(scenario.seed, replication)`` only, so results do not depend on the number of workers, on
the order runs finish in, or on the batch a run is advanced in (replications of one regime are
advanced together in one set of arrays, ``run_batch``; ``batch=1`` runs each alone). Runs
execute wherever a backend puts them (``backends.py``): this process, a
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
from .budget import batch_size
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


def run_batch(
    scenario: Scenario, replications: list[int], panel: bool = False
) -> tuple[np.ndarray, dict[str, np.ndarray] | None]:
    """Replications of one scenario advanced together (``sim.district.run_batch``): the
    (B, steps, metrics) histories, each the same numbers as ``run_once`` gives, and with ``panel``
    the firm panels. Imports the model in the process that runs it (see ``run_once``)."""
    from ..sim.district import run_batch as advance  # noqa: PLC0415 - see run_once

    return advance(scenario, replications, panel=panel)


def batches(first: int, count: int, size: int) -> list[list[int]]:
    """Replications ``first .. first + count`` cut into consecutive batches of ``size``."""
    reps = list(range(first, first + count))
    return [reps[i : i + size] for i in range(0, count, size)]


def _replications(reps: list[int]) -> str:
    return f"replication {reps[0]}" if len(reps) == 1 else f"replications {reps[0]}-{reps[-1]}"


def _batch_task(task: tuple[int, list[int], Scenario, bool]) -> tuple[int, list[int], tuple]:
    r, reps, scenario, panel = task
    return r, reps, run_batch(scenario, reps, panel)


def run_experiment(
    exp: Experiment,
    workers: int = 1,
    on_run_done: Callable[[], None] | None = None,
    *,
    backend: Backend | None = None,
    first: int = 0,
    count: int | None = None,
    meanwhile: Callable[[], None] | None = None,
    batch: int | None = None,
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
        batch: replications advanced together in one set of arrays (``budget.batch_size``; 1: each
            run alone); results do not depend on it.
    """
    names = tuple(exp.regimes)
    count = exp.base.replications - first if count is None else count
    steps = exp.base.steps
    metrics = metrics_of(exp.base)
    data = np.empty((len(names), count, steps, len(metrics)))
    choice = exp.base.district.membership == "choice"
    tasks = [
        (r, reps, exp.regimes[name], choice)
        for r, name in enumerate(names)
        for reps in batches(first, count, batch_size(exp.regimes[name], count, batch))
    ]
    # the longest batches first (district regimes cost more), so no worker waits long at the end
    tasks.sort(key=lambda t: -run_cost(t[2]) * len(t[1]))
    done = on_run_done or (lambda: None)
    runner = backend or LocalBackend(workers)
    describe = lambda t: f"regime '{names[t[0]]}' {_replications(t[1])}"  # noqa: E731
    panels: dict[tuple[int, int], dict[str, np.ndarray]] | None = {} if choice else None
    results = runner.map_unordered(_batch_task, tasks, describe, meanwhile, runs_of=lambda t: len(t[1]))
    for _, (r, reps, (history, panel)) in results:
        for j, rep in enumerate(reps):
            data[r, rep - first] = history[j]
            if panels is not None:
                panels[(r, rep - first)] = {k: v[j] for k, v in panel.items()}
            done()
    return Results(regimes=names, baseline=exp.baseline, data=data, metrics=metrics, panels=panels)


def run_cost(scenario: Scenario) -> float:
    """Rough relative cost of one run, for ordering: firm-weeks, doubled where firms can join.

    Members trade, share and review partners, so a district run of the pilots costs 1.3 to 1.9
    times its standalone twin.
    """
    return scenario.steps * scenario.firms.count * (2.0 if scenario.district.membership_share > 0 else 1.0)


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
    batch: int | None = None,
) -> tuple[Results, str | None]:
    """Run the file's replications; with ``precision``, keep doubling them (up to
    ``max_replications``) until the 95% half-width of the profit effect is at most ``precision``
    times its size. Returns the results and a note on the precision (None without ``precision``).

    ``on_more(new_runs, replications)`` is called before each extension (progress bars).
    """
    results = run_experiment(exp, on_run_done=on_run_done, backend=backend, meanwhile=meanwhile, batch=batch)
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
        more_results = run_experiment(
            exp, on_run_done=on_run_done, backend=backend, first=done, count=more, batch=batch
        )
        results = results.extend(more_results)
    return results, note
