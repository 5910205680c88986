"""Global sensitivity of the district effect: Morris screening and Sobol indices (SALib).

The uncertain parameters and their ranges come from the schema's plausible ranges
(``model/sim/params.py``); a scenario file can narrow or widen them, include stage parameters or
exclude parameters under a top-level ``sensitivity:`` block::

    sensitivity:
      ranges: {district.coordination_cost: [0.5, 6]}
      include: [stages.kiln_drying.variable_cost]
      exclude: [market.trend]

and the command line can do the same with ``--param PATH[=LO:HI]`` and ``--exclude PATH``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from pydantic import BaseModel

from ..errors import ScenarioError
from ..scenario_io import Experiment
from ..sim.params import CHOICE_ONLY, Scenario, Stage, parameter_table
from .design import Design, Point
from .stats import wilson

# Design and reporting parameters a sensitivity analysis leaves alone unless asked.
DEFAULT_EXCLUDE = frozenset(
    {
        "replications",
        "steps",
        "firms.count",
        "firms.employees_max",
        "market.noise_cv",
        "market.correlation",
        "market.season_peak_week",
        "adjacent.revenue_per_job",
        "adjacent.revenue_per_firm",
    }
)
MORRIS_LEVELS = 4


@dataclass(frozen=True)
class Factor:
    path: str
    low: float
    high: float
    integer: bool


def _schema_range(path: str, exp: Experiment) -> tuple[tuple[float, float] | None, bool]:
    """Plausible range (None if the schema gives none) and integer-ness of a parameter path."""
    parts = path.split(".")
    if parts[0] == "stages" and len(parts) == 3:
        names = exp.base.stage_names
        if parts[1] not in names and not (parts[1].isdigit() and int(parts[1]) < len(names)):
            raise ScenarioError(f"--param {path}: no stage '{parts[1]}' (have: {', '.join(names)})")
        model: type[BaseModel] = Stage
        field_name = parts[2]
    else:
        model = Scenario
        for part in parts[:-1]:
            field = model.model_fields.get(part)
            ann = field.annotation if field else None
            if not (isinstance(ann, type) and issubclass(ann, BaseModel)):
                raise ScenarioError(f"--param {path}: not a parameter of the scenario schema")
            model = ann
        field_name = parts[-1]
    field = model.model_fields.get(field_name)
    if field is None or field.annotation not in (int, float):
        raise ScenarioError(f"--param {path}: not a numeric parameter of the scenario schema")
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    plausible = extra.get("plausible")
    return (float(plausible[0]), float(plausible[1])) if plausible else None, field.annotation is int


def factors(exp: Experiment, params: list[str], excludes: list[str]) -> list[Factor]:
    """The uncertain parameters: schema defaults, then the file's block, then the command line."""
    block = exp.sensitivity or {}
    ranges: dict[str, tuple[float, float]] = {k: tuple(v) for k, v in (block.get("ranges") or {}).items()}
    include = list(block.get("include") or [])
    exclude = set(block.get("exclude") or []) | set(excludes)
    explicit: list[str] = []
    choice = exp.base.district.membership == "choice"  # a random district does not read the choice values
    for text in params:
        path, _, spec = text.partition("=")
        explicit.append(path)
        if spec:
            try:
                lo_s, hi_s = spec.split(":")
                ranges[path] = (float(lo_s), float(hi_s))
            except ValueError:
                raise ScenarioError(f"--param {text}: expected PATH or PATH=LO:HI") from None
    if explicit:
        paths = explicit
    else:
        paths = [
            r["path"]
            for r in parameter_table()
            if r["plausible"]
            and not r["path"].startswith("stages[]")
            and not r["path"].startswith("programme.")  # the programme is what is appraised, not an assumption
            and r["path"] not in DEFAULT_EXCLUDE
            and (choice or r["path"].removeprefix("district.") not in CHOICE_ONLY)
            and isinstance(r["default"], int | float)
            and not isinstance(r["default"], bool)
        ] + include
    out = []
    for path in dict.fromkeys(paths):
        if path in exclude:
            continue
        plausible, integer = _schema_range(path, exp)
        if path in ranges:
            lo, hi = ranges[path]
        elif plausible is not None:
            lo, hi = plausible
        else:
            raise ScenarioError(f"--param {path}: has no plausible range; give one as {path}=LO:HI")
        if not lo < hi:
            raise ScenarioError(f"sensitivity range of {path}: low {lo:g} must be below high {hi:g}")
        out.append(Factor(path, lo, hi, integer))
    if len(out) < 2:
        raise ScenarioError("sensitivity: needs at least two uncertain parameters")
    return out


def problem(fs: list[Factor]) -> dict:
    return {"num_vars": len(fs), "names": [f.path for f in fs], "bounds": [[f.low, f.high] for f in fs]}


def sample(fs: list[Factor], method: str, size: int, seed: int) -> np.ndarray:
    """Morris trajectories (``size`` of them) or Sobol base samples (``size``, a power of two)."""
    # SALib (and the scipy.stats it pulls in, ~1 s) is imported only by the commands that use it
    from SALib.sample import morris as morris_sample  # noqa: PLC0415
    from SALib.sample import sobol as sobol_sample  # noqa: PLC0415

    if method == "morris":
        return morris_sample.sample(problem(fs), N=size, num_levels=MORRIS_LEVELS, seed=seed)
    if size & (size - 1):
        raise ScenarioError(f"--samples {size}: Sobol sampling needs a power of two (e.g. 64, 128, 256)")
    return sobol_sample.sample(problem(fs), size, calc_second_order=False, seed=seed)


def design_from_sample(source, base_sets: list[str], fs: list[Factor], x: np.ndarray) -> Design:
    points = []
    for i, row in enumerate(x):
        values = {f.path: (round(v) if f.integer else float(v)) for f, v in zip(fs, row, strict=True)}
        points.append(Point(pid=i, sets=tuple(f"{k}={v!r}" for k, v in values.items()), values=values))
    return Design(source=source, base_sets=tuple(base_sets), points=points)


def analyse(fs: list[Factor], method: str, x: np.ndarray, y: np.ndarray, seed: int) -> pd.DataFrame:
    """Morris mu*, its 95% interval and sigma, or Sobol S1 and ST with 95% intervals, ranked."""
    from SALib.analyze import morris as morris_analyze  # noqa: PLC0415
    from SALib.analyze import sobol as sobol_analyze  # noqa: PLC0415

    pb = problem(fs)
    if method == "morris":
        res = morris_analyze.analyze(pb, x, y, num_levels=MORRIS_LEVELS, conf_level=0.95, seed=seed)
        frame = pd.DataFrame(
            {
                "parameter": pb["names"],
                "mu_star": np.asarray(res["mu_star"], dtype=float),
                "mu_star_conf": np.asarray(res["mu_star_conf"], dtype=float),
                "sigma": np.asarray(res["sigma"], dtype=float),
                "mu": np.asarray(res["mu"], dtype=float),
            }
        )
        # mu* is a mean of absolute effects: never below 0. A parameter whose interval reaches 0
        # (mu*_conf at least mu*) cannot be told from no influence: its rank is within noise.
        frame["mu_star_low"] = np.maximum(frame["mu_star"] - frame["mu_star_conf"], 0.0)
        frame["mu_star_high"] = frame["mu_star"] + frame["mu_star_conf"]
        frame["within_noise"] = frame["mu_star_conf"] >= frame["mu_star"]
        return frame.sort_values("mu_star", ascending=False, ignore_index=True)
    # SALib's Sobol analysis tests ``if seed:``, so seed 0 would draw its bootstrap from NumPy's
    # global state (intervals differing between identical runs); a Generator seeded the same way is
    # always honoured and gives the same draws as the integer for every other seed
    rng = np.random.default_rng(seed)
    res = sobol_analyze.analyze(pb, y, calc_second_order=False, conf_level=0.95, seed=rng)
    frame = pd.DataFrame(
        {
            "parameter": pb["names"],
            "S1": res["S1"],
            "S1_conf": res["S1_conf"],
            "ST": res["ST"],
            "ST_conf": res["ST_conf"],
        }
    )
    # Sobol indices are shares of variance: the estimates can stray outside 0..1 from sampling
    # noise, their intervals are cut to it. A total index whose interval reaches 0 cannot be told
    # from no influence: its rank is within noise.
    for name in ("S1", "ST"):
        frame[f"{name}_low"] = np.clip(frame[name] - frame[f"{name}_conf"], 0.0, 1.0)
        frame[f"{name}_high"] = np.clip(frame[name] + frame[f"{name}_conf"], 0.0, 1.0)
    frame["within_noise"] = frame["ST_low"] <= 0.0
    return frame.sort_values("ST", ascending=False, ignore_index=True)


def chance_pays(effects: pd.DataFrame, regime: str, outcome: str) -> dict:
    """Over the sampled points of the plausible ranges: the share at which the paired effect on
    ``outcome`` is above zero (its mean), with a 95% Wilson interval over the points, and the shares
    at which the point's own 95% interval lies above zero, below zero, or includes it.

    The Wilson interval counts the points as independent draws and ignores the replication noise
    at each point (the shares of clear gains and losses show that noise); Morris trajectories are
    not a uniform sample, so with Morris the share describes the sampled points, not the space."""
    rows = effects[(effects["metric"] == outcome) & (effects["regime"] == regime)]
    mean = rows["diff_mean"].to_numpy(dtype=float)
    lo, hi = rows["ci_low"].to_numpy(dtype=float), rows["ci_high"].to_numpy(dtype=float)
    valid = np.isfinite(mean)
    n = int(valid.sum())
    share = float((mean[valid] > 0).mean()) if n else float("nan")
    low, high = wilson(np.array(share), np.array(n)) if n else (np.nan, np.nan)
    return {
        "regime": regime,
        "outcome": outcome,
        "points": n,
        "share_positive": share,
        "ci_low": float(low),
        "ci_high": float(high),
        "share_clearly_above": float((lo[valid] > 0).mean()) if n else float("nan"),
        "share_clearly_below": float((hi[valid] < 0).mean()) if n else float("nan"),
    }


def pays_sentence(row: dict, method: str) -> str:
    """The chance it pays in words, with its interval and what the points' own intervals say."""
    pct = lambda v: f"{100 * v:.0f}%"  # noqa: E731 - a local formatter
    text = (
        f"{row['outcome']}: the '{row['regime']}' effect is above zero at {pct(row['share_positive'])} of the "
        f"{row['points']} sampled points (95% interval {pct(row['ci_low'])} to {pct(row['ci_high'])}); "
        f"its own 95% interval is above zero at {pct(row['share_clearly_above'])} of them and below zero at "
        f"{pct(row['share_clearly_below'])}."
    )
    if method == "morris":
        text += " Morris points follow trajectories, not a uniform sample: read the share as indicative."
    elif method == "discover":  # the share of the space, from the two-level bootstrap
        text = (
            f"{row['outcome']}: the '{row['regime']}' effect is above zero over an estimated "
            f"{pct(row['share_positive'])} of the plausible space (95% interval {pct(row['ci_low'])} to "
            f"{pct(row['ci_high'])}, counting the {row['points']} sampled points and the replication noise at each); "
            f"its own 95% interval is above zero at {pct(row['share_clearly_above'])} of the points and below zero at "
            f"{pct(row['share_clearly_below'])}."
        )
    return text
