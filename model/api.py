"""The Python face of district-sim: what the command line is built on, for notebooks, scripts and
the tools of the field (EMA Workbench, SALib, Mesa's own). README section "From Python".

    import district_sim as ds

    exp = ds.load("woodworking_kaluga", {"district.coordination_cost": 2.0})
    results = ds.run(exp, replications=10, steps=104)
    ds.effects_frame(results)                 # paired district - standalone effects, 95% intervals
    ds.district_effect("woodworking_kaluga", {"sharing.failure_prob": 0.1}, replications=10)

Every function takes a scenario as a file path, the name of a packaged scenario
(``pilot_names()``) or a loaded ``Experiment``, and overrides as a mapping of dotted key paths
(the names ``--set`` takes). Results are tidy pandas frames: one row per observation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd

from .experiments.results import Results
from .experiments.runner import run_experiment
from .experiments.stats import effects_table, horizon, summary_table, timeseries_frame
from .scenario_io import Experiment, load_experiment, pilot_names, with_overrides
from .sim.district import DistrictModel
from .sim.params import MECHANISMS

__all__ = [
    "DEFAULT_OUTCOMES",
    "PilotModel",
    "district_effect",
    "effects_frame",
    "history_frame",
    "load",
    "pilot_names",
    "run",
    "runs_frame",
    "summary_frame",
]

DEFAULT_OUTCOMES = ("profit_per_firm", "employment", "roa", "firms_active", "unit_cost", "lost_sales")
"""What ``district_effect`` reports unless told: profit per firm, jobs, return on assets,
firms still trading at the horizon, unit cost and sales lost (docs/ODD.md section 7.11 defines each)."""


def load(
    scenario: str | Path | Experiment = "woodworking_kaluga", overrides: Mapping[str, Any] | None = None
) -> Experiment:
    """A validated experiment (one ``Scenario`` per regime) from a file or a packaged scenario's
    name, with ``overrides`` such as ``{"district.coordination_cost": 2.0, "steps": 104}``.

    Raises ``model.errors.ScenarioError`` with one line naming the file or override and the key.
    """
    if isinstance(scenario, Experiment):
        return with_overrides(scenario, overrides) if overrides else scenario
    return load_experiment(scenario, dict(overrides or {}))


def run(
    scenario: str | Path | Experiment = "woodworking_kaluga",
    overrides: Mapping[str, Any] | None = None,
    *,
    replications: int | None = None,
    steps: int | None = None,
    workers: int = 1,
    batch: int | None = None,
) -> Results:
    """Run every regime of the scenario for its replications (or ``replications``) over its horizon
    (or ``steps`` weeks), district and standalone twins on common random numbers.

    ``workers`` processes (1: this process); results do not depend on ``workers`` or ``batch``.
    Returns ``Results`` (``data[regime, replication, week, metric]``); the ``*_frame`` functions
    turn it into tables.
    """
    extra = {k: v for k, v in (("replications", replications), ("steps", steps)) if v is not None}
    exp = load(scenario, {**(overrides or {}), **extra} or None)
    return run_experiment(exp, workers=workers, batch=batch)


def history_frame(results: Results) -> pd.DataFrame:
    """Week by week: one row per regime, replication and week, one column per metric."""
    frame = timeseries_frame(results)
    return frame.rename(columns={"step": "week"})


def runs_frame(results: Results) -> pd.DataFrame:
    """One row per regime and replication: each metric's horizon statistic (the mean over the
    weeks, or the last week's value for stocks), the numbers the intervals are built from."""
    hs = horizon(results)
    reg, rep, _ = hs.shape
    idx = np.indices((reg, rep)).reshape(2, -1)
    frame = pd.DataFrame(hs.reshape(reg * rep, -1), columns=[m.name for m in results.metrics])
    frame.insert(0, "replication", idx[1])
    frame.insert(0, "regime", np.array(results.regimes)[idx[0]])
    return frame


def summary_frame(results: Results) -> pd.DataFrame:
    """Per regime and metric: mean over replications with its 95% interval."""
    return summary_table(results)


def effects_frame(results: Results) -> pd.DataFrame:
    """Per regime (against the baseline) and metric: the paired difference ``diff_mean`` with its
    95% interval ``ci_low``..``ci_high`` over replications, and ``rel_diff`` (0.05 is 5%)."""
    return effects_table(results)


def district_effect(
    scenario: str | Path | Experiment = "woodworking_kaluga",
    overrides: Mapping[str, Any] | None = None,
    replications: int | None = None,
    steps: int | None = None,
    *,
    outcomes: Sequence[str] = DEFAULT_OUTCOMES,
    regime: str | None = None,
    workers: int = 1,
    **parameters: Any,
) -> dict[str, float]:
    """The district's effect on each outcome, with its interval, as one flat dict of floats:
    ``{"profit_per_firm": mean paired difference, "profit_per_firm_low": ..., "profit_per_firm_high": ...}``.

    Built to be called directly by EMA Workbench (``Model("district", function=district_effect)``
    with parameters named by key path, ``__`` for the dots, as EMA wants Python names:
    ``RealParameter("district__coordination_cost", 0.5, 5)``) or in a SALib loop: every keyword
    beyond the named ones is an override (``sharing__failure_prob=0.1`` or
    ``**{"sharing.failure_prob": 0.1}``), as are the entries of ``overrides``. ``regime``: the
    regime compared with the baseline (default: the first that is not the baseline, ``district``
    in the pilots). The interval is the 95% Student-t interval of the paired differences over
    replications (common random numbers).
    """
    named = {key.replace("__", "."): value for key, value in parameters.items()}
    results = run(scenario, {**(overrides or {}), **named}, replications=replications, steps=steps, workers=workers)
    table = effects_table(results)
    regime = regime or next(r for r in results.regimes if r != results.baseline)
    if regime not in results.regimes or regime == results.baseline:
        raise ValueError(
            f"regime must be one of {[r for r in results.regimes if r != results.baseline]}, not {regime!r}"
        )
    rows = table[table["regime"] == regime].set_index("metric")
    missing = [o for o in outcomes if o not in rows.index]
    if missing:
        raise ValueError(f"unknown outcome(s) {missing}; have: {', '.join(rows.index)}")
    out: dict[str, float] = {}
    for name in outcomes:
        row = rows.loc[name]
        out[name] = float(row["diff_mean"])
        out[f"{name}_low"] = float(row["ci_low"])
        out[f"{name}_high"] = float(row["ci_high"])
    return out


# the assumptions a dashboard or Mesa's batch_run sets by keyword, and the key path of each
KEYWORDS = {
    "membership_share": "district.membership_share",
    "membership": "district.membership",
    "coordination_cost": "district.coordination_cost",
    "failure_prob": "sharing.failure_prob",
    "load": "market.load",
    "steps": "steps",
}


class PilotModel(DistrictModel):
    """The model built from keyword parameters, as Mesa's tools build models (``mesa.batch_run``,
    ``SolaraViz``): a scenario file or packaged scenario by name, one of its regimes, the
    assumptions that matter most by name (None: as the file says), each mechanism switched on or
    off by its name (``sharing=False``), and any other ``overrides`` by key path. ``rng`` is the
    root seed (None: the file's), so a district model and its standalone twin built with the same
    ``rng`` and ``replication`` see the same demand.

    It keeps a ``mesa.DataCollector`` of the headline metrics (``datacollector``) for Mesa's plots.
    """

    def __init__(
        self,
        pilot: str = "woodworking_kaluga",
        regime: str = "district",
        replication: int = 0,
        *,
        rng: int | np.random.Generator | None = None,
        membership_share: float | None = None,
        membership: str | None = None,
        coordination_cost: float | None = None,
        failure_prob: float | None = None,
        load: float | None = None,
        steps: int | None = None,
        sharing: bool | None = None,
        asset_light: bool | None = None,
        specialization: bool | None = None,
        spillovers: bool | None = None,
        adjacent: bool | None = None,
        export: bool | None = None,
        trust: bool | None = None,
        entry_exit: bool | None = None,
        overrides: Mapping[str, Any] | None = None,
    ) -> None:
        given = locals()
        sets = {path: given[k] for k, path in KEYWORDS.items() if given[k] is not None}
        sets |= {f"mechanisms.{m}": bool(given[m]) for m in MECHANISMS if given[m] is not None}
        exp = load_experiment(pilot, {**sets, **(overrides or {})})
        if regime not in exp.regimes:
            raise ValueError(f"regime must be one of {list(exp.regimes)}, not {regime!r}")
        super().__init__(exp.regimes[regime], replication, rng=rng)
        self.datacollector = mesa.DataCollector(model_reporters=DistrictModel.reporters(DEFAULT_OUTCOMES))

    def step(self) -> None:
        """One week (``DistrictModel.step``), then the headline metrics collected."""
        super().step()
        self.datacollector.collect(self)
