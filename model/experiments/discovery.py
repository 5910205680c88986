"""Scenario discovery: where in the plausible parameter space the district (or a programme) fails
to pay, and the chance that it pays.

The design is a Latin hypercube over the sensitivity factors' plausible ranges (``sensitivity.factors``);
at each point the paired effect (regime minus baseline, common random numbers) comes from the
job's replications. A point *fails* when its mean effect on the outcome is at or below zero.

- **PRIM** (Friedman and Fisher 1999; Bryant and Lempert 2010), with the EMA Workbench's
  implementation (``ema_workbench.analysis.prim``, BSD licence, the reference implementation for
  scenario discovery): the peeling trajectory (coverage against density) and the box chosen on it.
  Restrictions whose quasi-p-value is 0.05 or more are dropped, one at a time, as Bryant and
  Lempert advise, so that noise does not add a spurious bound.
- **CART** (scikit-learn's decision tree) as a second view: the leaves that predict failure,
  with the conditions on their path.
- **The chance it pays**: the share of points whose mean effect is above zero, with an interval
  from a two-level bootstrap (points resampled, and each resampled point's effect drawn from its
  replication noise), so that it counts both the number of points and the noise at each point.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import stdtrit

from .sensitivity import Factor

QP_LIMIT = 0.05
"""A PRIM restriction is kept only if its quasi-p-value is below this (Bryant and Lempert 2010)."""

BOOTSTRAP = 4000
"""Resamples of the two-level bootstrap of the chance it pays."""


def latin_hypercube(fs: list[Factor], n: int, seed: int) -> np.ndarray:
    """``n`` points of a Latin hypercube over the factors' ranges (integers rounded), seeded."""
    from scipy.stats import qmc  # noqa: PLC0415 - scipy.stats is slow to import

    unit = qmc.LatinHypercube(d=len(fs), rng=np.random.default_rng(seed)).random(n)
    lo = np.array([f.low for f in fs])
    hi = np.array([f.high for f in fs])
    x = lo + unit * (hi - lo)
    for j, f in enumerate(fs):
        if f.integer:
            x[:, j] = np.round(x[:, j])
    return x


def standard_error(frame: pd.DataFrame) -> np.ndarray:
    """Each point's standard error of the mean paired effect, from its 95% t-interval and n."""
    n = frame["n"].to_numpy(dtype=float)
    half = (frame["ci_high"] - frame["ci_low"]).to_numpy(dtype=float) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        t = stdtrit(np.maximum(n - 1, 1), 0.975)
        return np.where(n > 1, half / t, np.nan)


def chance_it_pays(mean: np.ndarray, se: np.ndarray, seed: int, draws: int = BOOTSTRAP) -> dict:
    """The share of the plausible space where the effect is above zero, with a 95% interval from a
    two-level bootstrap: points resampled with replacement (the sample of the space), then each
    resampled point's true effect drawn from a normal around its mean with its standard error (the
    replication noise there; with a flat prior, a draw from the true effect's posterior).

    ``share`` is the mean of the drawn shares: where a point's sign is uncertain it counts as
    partly paying, so noise pulls it toward one half instead of being read as a finding;
    ``share_of_means`` is the plain share of points whose mean is above zero."""
    ok = np.isfinite(mean)
    mean, se = mean[ok], np.nan_to_num(se[ok])
    n = len(mean)
    if n == 0:
        return {"points": 0, "share": math.nan, "ci_low": math.nan, "ci_high": math.nan, "share_of_means": math.nan}
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(draws, n))
    drawn = mean[idx] + se[idx] * rng.standard_normal((draws, n))
    shares = (drawn > 0).mean(axis=1)
    low, high = np.quantile(shares, [0.025, 0.975])
    return {
        "points": n,
        "share": float(shares.mean()),
        "ci_low": float(low),
        "ci_high": float(high),
        "share_of_means": float((mean > 0).mean()),
    }


@dataclass(frozen=True)
class Box:
    """A PRIM box: its limits (one row per restricted parameter), coverage and density."""

    limits: pd.DataFrame  # parameter, low, high, bound ("above", "below", "between"), qp
    coverage: float
    density: float
    mass: float
    trajectory: pd.DataFrame
    chosen: int
    target_met: bool


def prim_box(x: pd.DataFrame, fails: np.ndarray, min_density: float | None = None) -> Box | None:
    """The PRIM box of the failures, chosen on the peeling trajectory: by default the box with the
    best balance of coverage and density (their harmonic mean, as an F1 score); with
    ``min_density``, the box with the largest coverage whose density is at least that (else the
    densest). Then restrictions with a quasi-p-value of ``QP_LIMIT`` or more are dropped, the
    least significant first. None without failures."""
    if not fails.any():
        return None
    # the EMA Workbench warns at import about optional extras and, in PRIM, about a pandas
    # deprecation: the library's matters, not the user's, so they are not shown
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim  # noqa: PLC0415 - slow to import; only discover needs it

        finder = prim.Prim(x.reset_index(drop=True), fails.astype(bool))
        box = finder.find_box()
        trajectory = box.peeling_trajectory.copy()
        if min_density is None:
            c, d = trajectory["coverage"].astype(float), trajectory["density"].astype(float)
            chosen, met = int((2 * c * d / (c + d)).idxmax()), True
        else:
            dense = trajectory[trajectory["density"] >= min_density]
            met = not dense.empty
            chosen = int(dense["coverage"].idxmax()) if met else int(trajectory["density"].idxmax())
        box.select(chosen)
        while True:
            qp = _restricted(box, finder)
            weak = {k: v for k, v in qp.items() if not v < QP_LIMIT}
            if not weak:
                break
            box.drop_restriction(max(weak, key=weak.get))
        init = finder.box_init
        lims = box.box_lims[box._cur_box]
        rows = []
        for name, value in _restricted(box, finder).items():
            low, high = float(lims.loc[0, name]), float(lims.loc[1, name])
            cut_low, cut_high = low > float(init.loc[0, name]), high < float(init.loc[1, name])
            bound = "between" if cut_low and cut_high else "above" if cut_low else "below"
            rows.append({"parameter": name, "low": low, "high": high, "bound": bound, "qp": value})
        stats = box.peeling_trajectory.iloc[box._cur_box]
        return Box(
            limits=pd.DataFrame(rows, columns=["parameter", "low", "high", "bound", "qp"]),
            coverage=float(stats["coverage"]),
            density=float(stats["density"]),
            mass=float(stats["mass"]),
            trajectory=trajectory[["coverage", "density", "mass", "res_dim"]].reset_index(names="step"),
            chosen=chosen,
            target_met=met,
        )


def _restricted(box, finder) -> dict[str, float]:
    """Quasi-p-value of each parameter the selected box restricts (the larger of its two ends')."""
    lims = box.box_lims[box._cur_box]
    init = finder.box_init
    qp = box.p_values[box._cur_box] if box._cur_box < len(box.p_values) else {}
    out = {}
    for name in lims.columns:
        if float(lims.loc[0, name]) > float(init.loc[0, name]) or float(lims.loc[1, name]) < float(init.loc[1, name]):
            values = [v for v in qp.get(name, [1.0]) if v is not None and v >= 0] or [1.0]
            out[name] = float(max(values))
    return out


def cart_rules(x: pd.DataFrame, fails: np.ndarray, max_depth: int = 3, seed: int = 0) -> pd.DataFrame:
    """CART's view: the leaves of a shallow classification tree that predict failure, each with
    its conditions, points, density (failures among its points) and coverage (of all failures)."""
    from sklearn.tree import DecisionTreeClassifier  # noqa: PLC0415 - only discover needs it

    columns = ["rule", "points", "density", "coverage"]
    if not fails.any() or fails.all():
        return pd.DataFrame(columns=columns)
    leaf = max(5, int(0.05 * len(x)))
    tree = DecisionTreeClassifier(max_depth=max_depth, min_samples_leaf=leaf, random_state=seed)
    tree.fit(x.to_numpy(), fails.astype(int))
    t = tree.tree_
    rows = []

    def walk(node: int, path: list[str]) -> None:
        if t.children_left[node] == t.children_right[node]:  # a leaf
            counts = t.value[node][0] * t.weighted_n_node_samples[node]
            n, k = float(counts.sum()), float(counts[1]) if len(counts) > 1 else 0.0
            if k / n > 0.5:
                rows.append(
                    {"rule": " and ".join(path) or "everywhere", "points": round(n), "density": k / n,
                     "coverage": k / float(fails.sum())}
                )  # fmt: skip
            return
        name, cut = x.columns[t.feature[node]], float(t.threshold[node])
        walk(int(t.children_left[node]), [*path, f"{name} <= {cut:.4g}"])
        walk(int(t.children_right[node]), [*path, f"{name} > {cut:.4g}"])

    walk(0, [])
    return pd.DataFrame(rows, columns=columns).sort_values("coverage", ascending=False, ignore_index=True)
