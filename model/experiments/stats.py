"""Statistics over replications: horizon statistics, t-intervals, paired effects."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import stdtrit  # scipy.special: scipy.stats costs ~0.8 s to import

from ..sim.metrics import RUN_SHARE
from .results import Results

CONFIDENCE = 0.95


def horizon_of_history(history: np.ndarray, metrics) -> np.ndarray:
    """Horizon statistic per metric of histories ``[..., step, metric]``: returns ``[..., metric]``.

    ``mean`` metrics average the weekly values over the horizon (weeks with no value, such as
    trust without links, are skipped); ``final`` metrics take the last week.
    """
    out = np.empty((*history.shape[:-2], len(metrics)))
    for j, metric in enumerate(metrics):
        col = history[..., j]
        if metric.horizon == "final":
            out[..., j] = col[..., -1]
        else:
            valid = ~np.isnan(col)
            count = valid.sum(axis=-1)
            total = np.where(valid, col, 0.0).sum(axis=-1)
            out[..., j] = np.divide(total, count, out=np.full(total.shape, np.nan), where=count > 0)
    return out


def horizon(results: Results) -> np.ndarray:
    """Each run's horizon statistic per metric: ``[regime, replication, metric]``."""
    return horizon_of_history(results.data, results.metrics)


def t_interval(x: np.ndarray, axis: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Mean and 95% Student-t interval along ``axis``, ignoring NaN; returns mean, low, high, n."""
    valid = ~np.isnan(x)
    n = valid.sum(axis=axis)
    filled = np.where(valid, x, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = filled.sum(axis=axis) / n
        dev = np.where(valid, x - np.expand_dims(mean, axis), 0.0)
        var = (dev**2).sum(axis=axis) / (n - 1)
        half = stdtrit(np.maximum(n - 1, 1), 0.5 + CONFIDENCE / 2) * np.sqrt(var / n)
    half = np.where(n > 1, half, np.nan)
    mean = np.where(n > 0, mean, np.nan)
    return mean, mean - half, mean + half, n


Z95 = 1.959963984540054


def wilson(p: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """95% Wilson score interval of a share ``p`` of ``n`` runs (exact 0 and 1 stay inside 0..1)."""
    n = np.maximum(n, 1)
    centre = (p + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
    half = Z95 * np.sqrt(p * (1 - p) / n + Z95**2 / (4 * n**2)) / (1 + Z95**2 / n)
    return centre - half, centre + half


def share_interval(x: np.ndarray) -> tuple[float, float]:
    """Wilson bounds of the share of runs whose 0/1 value is 1 (NaN ignored)."""
    valid = x[~np.isnan(x)]
    lo, hi = wilson(np.array(valid.mean() if valid.size else np.nan), np.array(valid.size))
    return float(lo), float(hi)


def share_bounds(units: list[str | None], diff: np.ndarray, base: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> None:
    """In place: a share of runs (``RUN_SHARE``) against a baseline where it is 0 in every run gets
    Wilson bounds, not Student-t ones: the paired difference is then the regime's own share."""
    for j, u in enumerate(units):
        if u == RUN_SHARE and not np.nan_to_num(base[:, j]).any():
            lo[j], hi[j] = share_interval(diff[:, j])


BOUNDED_UNITS = {"fraction": (0.0, 1.0), "0..1": (0.0, 1.0), "fraction of weeks": (0.0, 1.0)}
"""Units whose values cannot leave a range: intervals of their means are cut to it (a survival
share's interval never reaches above 100%), and intervals of paired differences to the range of a
difference (-1 to 1)."""


def bound(unit: str | None, lo: float, hi: float, *, difference: bool = False) -> tuple[float, float]:
    """An interval cut to what a metric of ``unit`` can take (its level, or a difference of two)."""
    if unit not in BOUNDED_UNITS:
        return lo, hi
    a, b = BOUNDED_UNITS[unit]
    if difference:
        a, b = a - b, b - a
    return min(max(lo, a), b), max(min(hi, b), a)


def summary_table(results: Results) -> pd.DataFrame:
    """Per regime and metric: mean, ci_low, ci_high, n of the horizon statistic; a share's interval
    stays inside 0..1 (``bound``), a share of runs has a Wilson interval."""
    hs = horizon(results)
    rows = []
    for r, regime in enumerate(results.regimes):
        mean, lo, hi, n = t_interval(hs[r], axis=0)
        for j, m in enumerate(results.metrics):
            lo[j], hi[j] = bound(m.unit, lo[j], hi[j])
            if m.unit == RUN_SHARE:  # a share of runs: Wilson, not Student-t
                lo[j], hi[j] = share_interval(hs[r][:, j])
            rows.append(
                {
                    "regime": regime,
                    "metric": m.name,
                    "label": m.label,
                    "unit": m.unit,
                    "statistic": m.horizon,
                    "mean": mean[j],
                    "ci_low": lo[j],
                    "ci_high": hi[j],
                    "n": int(n[j]),
                }
            )
    return pd.DataFrame(rows)


def effects_table(results: Results) -> pd.DataFrame:
    """Per non-baseline regime and metric: paired difference against the baseline.

    ``diff_mean`` and its interval come from the per-replication differences (common random
    numbers); ``rel_diff`` divides by the baseline mean (0.05 is 5%).
    """
    hs = horizon(results)
    b = results.regimes.index(results.baseline)
    base_mean = t_interval(hs[b], axis=0)[0]
    rows = []
    for r, regime in enumerate(results.regimes):
        if r == b:
            continue
        diff = hs[r] - hs[b]
        mean, lo, hi, n = t_interval(diff, axis=0)
        share_bounds([m.unit for m in results.metrics], diff, hs[b], lo, hi)
        for j, m in enumerate(results.metrics):
            lo[j], hi[j] = bound(m.unit, lo[j], hi[j], difference=True)
            bm = base_mean[j]
            rel = mean[j] / abs(bm) if np.isfinite(bm) and bm != 0 else np.nan
            rows.append(
                {
                    "regime": regime,
                    "baseline": results.baseline,
                    "metric": m.name,
                    "label": m.label,
                    "unit": m.unit,
                    "statistic": m.horizon,
                    "baseline_mean": bm,
                    "diff_mean": mean[j],
                    "ci_low": lo[j],
                    "ci_high": hi[j],
                    "rel_diff": rel,
                    "n": int(n[j]),
                }
            )
    return pd.DataFrame(rows)


def timeseries_frame(results: Results) -> pd.DataFrame:
    """One row per regime, replication and step, one column per metric."""
    reg, rep, steps, m = results.data.shape
    idx = np.indices((reg, rep, steps)).reshape(3, -1)
    frame = pd.DataFrame(results.data.reshape(-1, m), columns=[x.name for x in results.metrics])
    frame.insert(0, "step", idx[2] + 1)
    frame.insert(0, "replication", idx[1])
    frame.insert(0, "regime", pd.Categorical(np.array(results.regimes)[idx[0]], categories=results.regimes))
    return frame
