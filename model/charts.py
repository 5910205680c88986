"""Charts a policy maker reads without help: plain titles, units, 95% bands, zero lines."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .experiment import Results
from .observers import METRIC_INDEX, METRICS
from .stats import t_interval

KEY_METRICS = ("output", "profit", "utilization", "lost_sales", "fixed_assets", "firms_active")
EFFECT_METRICS = (
    "profit",
    "revenue",
    "output",
    "lost_sales",
    "utilization",
    "unit_cost",
    "roa",
    "firms_active",
    "fixed_assets",
)
SMOOTH_WEEKS = 4
COLORS = ("#4d4d4d", "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e")


def _smooth(x: np.ndarray, weeks: int = SMOOTH_WEEKS) -> np.ndarray:
    """Trailing moving average over the last axis (the first weeks average what there is)."""
    csum = np.cumsum(np.nan_to_num(x), axis=-1)
    out = csum.copy()
    out[..., weeks:] = csum[..., weeks:] - csum[..., :-weeks]
    width = np.minimum(np.arange(1, x.shape[-1] + 1), weeks)
    return out / width


def _label(name: str) -> str:
    m = METRICS[METRIC_INDEX[name]]
    return f"{m.label} ({m.unit})"


def timeseries_chart(results: Results, title: str, path: Path) -> None:
    """Key metrics over time: each regime's mean over replications with its 95% band."""
    weeks = np.arange(1, results.steps + 1)
    fig, axes = plt.subplots(2, 3, figsize=(15, 8.5), constrained_layout=True)
    for ax, name in zip(axes.ravel(), KEY_METRICS, strict=True):
        j = METRIC_INDEX[name]
        for r, regime in enumerate(results.regimes):
            series = _smooth(results.data[r, :, :, j])
            mean, lo, hi, _ = t_interval(series, axis=0)
            color = COLORS[r % len(COLORS)]
            ax.plot(weeks, mean, color=color, lw=1.6, label=regime)
            ax.fill_between(weeks, lo, hi, color=color, alpha=0.2, lw=0)
        ax.set_title(METRICS[j].label)
        ax.set_xlabel("week")
        ax.set_ylabel(_label(name))
        ax.grid(alpha=0.3)
    axes[0, 0].legend(title="regime (band: 95% CI)")
    fig.suptitle(f"{title}: key metrics over time ({SMOOTH_WEEKS}-week average, {results.replications} replications)")
    fig.savefig(path, dpi=110)
    plt.close(fig)


def paired_difference_chart(results: Results, title: str, path: Path) -> None:
    """Each regime minus the baseline over time, paired by replication, with 95% band."""
    weeks = np.arange(1, results.steps + 1)
    b = results.regimes.index(results.baseline)
    names = ("profit", "output", "utilization", "lost_sales")
    fig, axes = plt.subplots(2, 2, figsize=(13, 8.5), constrained_layout=True)
    for ax, name in zip(axes.ravel(), names, strict=True):
        j = METRIC_INDEX[name]
        base = _smooth(results.data[b, :, :, j])
        for r, regime in enumerate(results.regimes):
            if r == b:
                continue
            diff = _smooth(results.data[r, :, :, j]) - base
            mean, lo, hi, _ = t_interval(diff, axis=0)
            color = COLORS[r % len(COLORS)]
            ax.plot(weeks, mean, color=color, lw=1.6, label=f"{regime} minus {results.baseline}")
            ax.fill_between(weeks, lo, hi, color=color, alpha=0.25, lw=0)
        ax.axhline(0.0, color="black", lw=1)
        ax.set_title(f"{METRICS[j].label}: difference")
        ax.set_xlabel("week")
        m = METRICS[j]
        ax.set_ylabel(f"difference in {m.label.lower()} ({m.unit})")
        ax.grid(alpha=0.3)
    axes[0, 0].legend(title="paired difference (band: 95% CI)")
    fig.suptitle(f"{title}: paired difference against '{results.baseline}' ({SMOOTH_WEEKS}-week average)")
    fig.savefig(path, dpi=110)
    plt.close(fig)


def effects_chart(effects: pd.DataFrame, title: str, path: Path) -> None:
    """Bar chart of relative effects (percent of the baseline) with 95% intervals."""
    eff = effects[effects["metric"].isin(EFFECT_METRICS)]
    # a relative effect needs a baseline that is not zero (e.g. no trade happens alone)
    eff = eff[np.isfinite(eff["baseline_mean"]) & (eff["baseline_mean"] != 0)]
    regimes = list(dict.fromkeys(eff["regime"]))
    order = [m for m in EFFECT_METRICS if m in set(eff["metric"])]
    fig, ax = plt.subplots(figsize=(11, 1.0 + 0.55 * len(order) * max(1, len(regimes))), constrained_layout=True)
    height = 0.8 / max(1, len(regimes))
    y = np.arange(len(order))
    for i, regime in enumerate(regimes):
        sub = eff[eff["regime"] == regime].set_index("metric").reindex(order)
        scale = 100.0 / sub["baseline_mean"].abs()
        mid = sub["diff_mean"] * scale
        err = np.vstack([(sub["diff_mean"] - sub["ci_low"]) * scale, (sub["ci_high"] - sub["diff_mean"]) * scale])
        pos = y + (i - (len(regimes) - 1) / 2) * height
        ax.barh(
            pos,
            np.nan_to_num(mid.to_numpy()),
            height=height * 0.9,
            color=COLORS[(i + 1) % len(COLORS)],
            xerr=np.nan_to_num(err),
            capsize=3,
            label=f"{regime} vs {effects['baseline'].iloc[0]}",
        )
    ax.set_yticks(y, [METRICS[METRIC_INDEX[m]].label for m in order])
    ax.invert_yaxis()
    ax.axvline(0.0, color="black", lw=1)
    ax.set_xlabel("paired difference, percent of the baseline mean (error bars: 95% CI)")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="lower right")
    ax.set_title(f"{title}: effect of the district on horizon averages")
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_charts(results: Results, effects: pd.DataFrame, title: str, folder: Path) -> list[Path]:
    """All run charts into ``folder``; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / "timeseries.png", folder / "paired_difference.png", folder / "effects.png"]
    timeseries_chart(results, title, paths[0])
    if len(results.regimes) > 1:
        paired_difference_chart(results, title, paths[1])
        effects_chart(effects, title, paths[2])
    else:
        paths = paths[:1]
    return paths
