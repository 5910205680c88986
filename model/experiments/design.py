"""Experiment designs: many scenario variants, each run for all regimes with common random numbers.

A design is a list of *points*; each point is a set of ``--set`` overrides on the scenario file
and is run for every regime and replication. Each finished run is written to disk at once as a
small Parquet part (its horizon statistics) and listed in ``index.jsonl``, so an interrupted
design keeps what it finished and ``resume`` runs only what is missing, with the same numbers.
Identical runs are run once and shared: the same resolved scenario and replication, where a
regime that nobody joins ignores the values only members read (``MEMBER_ONLY``), so the
standalone regime of points that differ only in a district parameter is one run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..scenario_io import Experiment, load_experiment, set_path
from ..sim.metrics import metrics_of
from ..sim.params import MEMBER_ONLY, Scenario
from .backends import Backend
from .budget import batch_size
from .files import remove_dead_temporaries, replace_durably, temporary_name, write_text_durably
from .runner import run_batch, run_cost
from .stats import bound, horizon_of_history, share_bounds, t_interval


@dataclass(frozen=True)
class Point:
    """One design point: a label and its overrides (KEY.PATH=VALUE strings)."""

    pid: int
    sets: tuple[str, ...]
    values: dict[str, object] = field(default_factory=dict)


@dataclass
class Design:
    """Points of a design, each resolved into one validated experiment."""

    source: Path
    base_sets: tuple[str, ...]
    points: list[Point]
    experiments: dict[int, Experiment] = field(default_factory=dict)

    def resolve(self) -> None:
        """Validate every point before any run starts (bad values fail fast, with their --set)."""
        for pt in self.points:
            self.experiments[pt.pid] = load_experiment(self.source, [*self.base_sets, *pt.sets])

    @property
    def first(self) -> Experiment:
        return self.experiments[self.points[0].pid]


def run_identity(scenario: Scenario) -> dict:
    """What a run depends on: the resolved scenario, without member-only values when nobody joins."""
    data = scenario.model_dump(mode="json")
    if scenario.district.membership_share == 0:
        for path in MEMBER_ONLY:
            if _present(data, path):  # choice-only keys are not in a random district's dump
                set_path(data, path, None, "MEMBER_ONLY")
    return data


def _present(data: dict, path: str) -> bool:
    cur: Any = data
    for part in path.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return False
        cur = cur[part]
    return True


def scenario_key(scenario: Scenario, replication: int) -> str:
    """Identity of one run: what the run depends on (``run_identity``) and the replication."""
    text = json.dumps(run_identity(scenario), sort_keys=True)
    return hashlib.sha256(f"{text}|{replication}".encode()).hexdigest()[:20]


def _run_keys(args: tuple[Scenario, list[int]]) -> list[np.ndarray]:
    """Horizon statistics of a batch of replications of one scenario."""
    scenario, reps = args
    histories, _ = run_batch(scenario, reps)
    metrics = metrics_of(scenario)
    return [horizon_of_history(h, metrics) for h in histories]


class RunStore:
    """A folder of finished runs: ``runs/<key>.parquet`` parts and an ``index.jsonl``.

    A part is written durably (flushed, then renamed into place), so after any crash a part that
    exists is whole; one that still cannot be read (a damaged disk, a copy cut short) is removed
    and run again when the job resumes. ``index.jsonl`` lists the parts as they finish while the
    job runs, and is rewritten in the design's order (point, regime, replication) once every run
    is done, so a finished job's folder does not depend on which run finished first.
    """

    def __init__(self, folder: Path, metric_names: list[str]) -> None:
        self.folder = folder
        self.parts = folder / "runs"
        self.parts.mkdir(parents=True, exist_ok=True)
        self.index = folder / "index.jsonl"
        self.metric_names = metric_names
        for where in (folder, self.parts, folder / "charts"):  # what a job killed outright left half-written
            remove_dead_temporaries(where)

    def done(self) -> set[str]:
        return {p.stem for p in self.parts.glob("*.parquet")}

    def save(self, key: str, values: np.ndarray) -> None:
        tmp = temporary_name(self.parts / key)
        table = pa.table({name: pa.array([float(v)]) for name, v in zip(self.metric_names, values, strict=True)})
        try:
            pq.write_table(table, tmp)
            replace_durably(tmp, self.parts / f"{key}.parquet")  # a part exists only when complete
        except BaseException:
            tmp.unlink(missing_ok=True)  # a full disk leaves no half-written part behind
            raise
        with self.index.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps({"key": key}) + "\n")

    def load(self, key: str) -> np.ndarray:
        table = pq.read_table(self.parts / f"{key}.parquet")
        return np.array([table.column(name)[0].as_py() for name in self.metric_names], dtype=float)

    def load_readable(self, keys: set[str]) -> tuple[dict[str, np.ndarray], list[str]]:
        """The finished runs among ``keys`` that can be read, and one line per part that cannot
        (removed, so that it is run again)."""
        values: dict[str, np.ndarray] = {}
        damaged = []
        for key in sorted(keys & self.done()):
            path = self.parts / f"{key}.parquet"
            try:
                values[key] = self.load(key)
            except (OSError, ValueError, KeyError, IndexError, pa.ArrowException) as exc:
                reason = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
                damaged.append(f"{path} cannot be read ({reason}); it is run again")
                path.unlink(missing_ok=True)
        return values, damaged

    def write_index(self, cells: dict[tuple[int, str, int], str]) -> None:
        """``index.jsonl`` in the design's order (``cells`` as built by ``run_design``): one line per
        (point, regime, replication) and its part."""
        lines = [
            json.dumps({"point": pid, "regime": regime, "replication": rep, "key": key})
            for (pid, regime, rep), key in cells.items()
        ]
        write_text_durably(self.index, "".join(f"{line}\n" for line in lines))


def run_design(  # noqa: PLR0917 - the design, where runs go and are kept, and three callbacks
    design: Design,
    store: RunStore,
    backend: Backend,
    on_done: Callable[[], None] | None = None,
    meanwhile: Callable[[], None] | None = None,
    on_note: Callable[[str], None] | None = None,
    batch: int | None = None,
) -> dict[tuple[int, str, int], np.ndarray]:
    """Run every (point, regime, replication) not yet in the store; return all horizon statistics.

    Missing replications of one scenario run in batches (``batch_tasks``; ``batch=1``: each alone).
    ``meanwhile``: this process's own work, overlapped with the runs (``LocalBackend.map_unordered``).
    ``on_note``: told, one line each, of finished runs whose part could not be read (run again).
    """
    wanted: dict[tuple[int, str, int], str] = {}
    jobs: dict[str, tuple[Scenario, int]] = {}
    for pt in design.points:
        exp = design.experiments[pt.pid]
        for regime, scenario in exp.regimes.items():
            for rep in range(exp.base.replications):
                key = scenario_key(scenario, rep)
                wanted[(pt.pid, regime, rep)] = key
                jobs.setdefault(key, (scenario, rep))
    cache, damaged = store.load_readable(set(jobs))
    for line in damaged:
        (on_note or (lambda _: None))(line)
    missing = set(jobs) - set(cache)
    done = on_done or (lambda: None)
    for _ in range(len(jobs) - len(missing)):
        done()
    where = {key: cell for cell, key in wanted.items()}
    tasks = batch_tasks(jobs, missing, batch)

    def describe(task: tuple[Scenario, list[int]]) -> str:
        scenario, reps = task
        pid, regime, _ = where[scenario_key(scenario, reps[0])]
        sets = ", ".join(next(pt for pt in design.points if pt.pid == pid).sets)
        runs = f"replication {reps[0]}" if len(reps) == 1 else f"replications {reps[0]}-{reps[-1]}"
        return f"point {pid} ({sets or 'as in the file'}) regime '{regime}' {runs}"

    items = [t for t, _ in tasks]
    for i, results in backend.map_unordered(_run_keys, items, describe, meanwhile, runs_of=lambda t: len(t[1])):
        for key, values in zip(tasks[i][1], results, strict=True):
            store.save(key, values)
            cache[key] = values
            done()
    store.write_index(wanted)
    return {cell: cache[key] for cell, key in wanted.items()}


def batch_tasks(
    jobs: dict[str, tuple[Scenario, int]], missing: set[str], batch: int | None
) -> list[tuple[tuple[Scenario, list[int]], list[str]]]:
    """The missing runs as batches: replications of one run identity (``run_identity``), in
    ascending order, cut into ``budget.batch_size`` runs; each with the keys of its runs. The
    longest batches come first, so the last to start are short and no worker waits long for
    another's at the end; ties by first key, for a fixed order. The batches are a function of
    the job and of what is missing, never of the workers."""
    groups: dict[str, list[tuple[int, str]]] = {}
    scenario_of: dict[str, Scenario] = {}
    for key in missing:
        scenario, rep = jobs[key]
        ident = json.dumps(run_identity(scenario), sort_keys=True)
        groups.setdefault(ident, []).append((rep, key))
        scenario_of.setdefault(ident, scenario)
    tasks = []
    for ident, runs in groups.items():
        runs.sort()
        scenario = scenario_of[ident]
        size = batch_size(scenario, len(runs), batch)
        for i in range(0, len(runs), size):
            part = runs[i : i + size]
            tasks.append(((scenario, [r for r, _ in part]), [k for _, k in part]))
    tasks.sort(key=lambda t: (-run_cost(t[0][0]) * len(t[1]), t[1][0]))
    return tasks


def count_runs(design: Design) -> int:
    """Distinct runs a design needs (shared scenarios counted once)."""
    keys = set()
    for pt in design.points:
        exp = design.experiments[pt.pid]
        for scenario in exp.regimes.values():
            keys.update(scenario_key(scenario, rep) for rep in range(exp.base.replications))
    return len(keys)


def paired_effects(
    design: Design, values: dict[tuple[int, str, int], np.ndarray], metric_names: list[str]
) -> pd.DataFrame:
    """Per point, non-baseline regime and metric: paired difference with 95% interval."""
    rows = []
    unit_of = {m.name: m.unit for m in metrics_of(design.first.base)}
    units = [unit_of.get(name) for name in metric_names]
    for pt in design.points:
        exp = design.experiments[pt.pid]
        reps = exp.base.replications
        base = np.array([values[(pt.pid, exp.baseline, r)] for r in range(reps)])
        base_mean = t_interval(base)[0]
        for regime in exp.regimes:
            if regime == exp.baseline:
                continue
            diff = np.array([values[(pt.pid, regime, r)] for r in range(reps)]) - base
            mean, lo, hi, n = t_interval(diff)
            share_bounds(units, diff, base, lo, hi)
            for j, name in enumerate(metric_names):
                lo[j], hi[j] = bound(units[j], lo[j], hi[j], difference=True)
                bm = base_mean[j]
                rows.append(
                    {
                        "point": pt.pid,
                        **pt.values,
                        "regime": regime,
                        "metric": name,
                        "baseline_mean": bm,
                        "diff_mean": mean[j],
                        "ci_low": lo[j],
                        "ci_high": hi[j],
                        "rel_diff": mean[j] / abs(bm) if np.isfinite(bm) and bm != 0 else np.nan,
                        "n": int(n[j]),
                    }
                )
    return pd.DataFrame(rows)
