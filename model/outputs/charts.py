"""Charts a policy maker reads without help: plain titles, units, 95% bands, zero lines."""

from __future__ import annotations

import re
import textwrap
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib import font_manager, rcParams
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter, ScalarFormatter

from ..experiments.results import Results
from ..experiments.stats import horizon, t_interval
from .i18n import POINT_UNITS, label, mechanism, number, regime_name, tr, unit
from .names import axis_label, plain_name

if TYPE_CHECKING:
    from ..experiments.validation import Check

KEY_METRICS = ("output", "profit", "utilization", "lost_sales", "fixed_assets", "firms_active")
DIFF_METRICS = ("profit", "output", "utilization", "lost_sales")
MECHANISM_METRICS = (
    "unit_cost",
    "defect_rate",
    "lead_time",
    "trust_mean",
    "export_share",
    "adjacent_revenue",
    "adjacent_jobs",
    "employment",
    "profit_gini",
)
GROUP_METRICS = (
    ("member_profit", "nonmember_profit"),
    ("member_roa", "nonmember_roa"),
    ("member_survival", "nonmember_survival"),
)
SMOOTH_WEEKS = 4

# Fonts tried, after the default sans-serif (DejaVu Sans: Latin, Greek, Cyrillic), for characters it
# lacks. Only installed ones are added, so a machine without them draws exactly as before.
FALLBACK_FONTS = (
    "Noto Sans",
    "Noto Sans CJK SC",
    "Noto Sans CJK KR",
    "Noto Sans CJK JP",
    "Noto Sans Arabic",
    "Noto Sans Hebrew",
    "Noto Sans Devanagari",
    "Noto Sans Thai",
    "Droid Sans Fallback",
    "WenQuanYi Zen Hei",
    "Unifont",
)
_INSTALLED = {f.name for f in font_manager.fontManager.ttflist}
_FOUND = [name for name in FALLBACK_FONTS if name in _INSTALLED]
if _FOUND and rcParams["font.family"] == ["sans-serif"]:  # a user's own matplotlibrc wins
    rcParams["font.family"] = ["sans-serif", *_FOUND]
_GLYPH = re.compile(r"Glyph (\d+) .*missing from")
MISSING_GLYPHS: set[str] = set()  # characters some chart of this process could not draw


def missing_glyph_note() -> str | None:
    """One line for the user when chart labels had characters no installed font can draw."""
    if not MISSING_GLYPHS:
        return None
    chars = "".join(sorted(MISSING_GLYPHS)[:12])
    return (
        f"note: no installed font has some characters of the chart labels ({chars}); they show as boxes "
        "in the charts (report.html and the CSV files have them). Install a font that has them, e.g. "
        "Debian's fonts-noto-core or fonts-noto-cjk"
    )


def _savefig(fig: Figure, path: Path) -> None:
    """Render and write; a character no font has is noted once (``missing_glyph_note``), not a warning."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(path, dpi=110)
    for w in caught:
        found = _GLYPH.search(str(w.message))
        if found:
            MISSING_GLYPHS.add(chr(int(found.group(1))))
        else:  # any other warning goes on as it came
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


COLORS = ("#4d4d4d", "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e")


def _subplots(*grid: int, figsize: tuple[float, float], **kw) -> tuple[Figure, Axes | np.ndarray]:
    """A figure and its axes without pyplot: no global figure registry, no GUI backend to import.

    Figures are plain objects freed with their last reference; ``savefig`` renders with Agg.
    """
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.subplots(*grid, **kw)


def _save(fig: Figure, path: Path, lang: str) -> None:
    """Write the figure; Russian charts get decimal commas and thin-space thousands on numeric axes."""
    if lang != "en":
        fmt = FuncFormatter(lambda v, _pos: number(v, lang, 4))
        for ax in fig.axes:
            for axis in (ax.xaxis, ax.yaxis):
                if isinstance(axis.get_major_formatter(), ScalarFormatter):
                    axis.set_major_formatter(fmt)
    _savefig(fig, path)


def _legend_below(ax: Axes, title: str | None = None, *, handles: list | None = None) -> None:
    """The legend of ``ax`` (or ``handles``) under the figure, outside every plot, so it never
    hides data (a legend inside a panel covered the week-52 dips); one entry per label."""
    fig = ax.get_figure()
    if handles is None:
        found, names = ax.get_legend_handles_labels()
        unique = dict(zip(names, found, strict=True))
        handles, names = list(unique.values()), list(unique.keys())
    else:
        names = [h.get_label() for h in handles]
    if not handles:
        return
    fig.legend(
        handles,
        names,
        title=title,
        loc="outside lower center",
        ncol=min(len(handles), 3),
        fontsize="small",
        frameon=False,
    )


def _wrap(text: str, width: int = 90) -> str:
    """A title broken into lines that fit the figure (long names and translations would be cut off)."""
    return "\n".join(textwrap.wrap(text, width)) or text


def _scale(unit_text: str) -> float:
    """Shares and rates are drawn in per cent (levels) and percentage points (differences)."""
    return 100.0 if unit_text in POINT_UNITS else 1.0


def _smooth(x: np.ndarray, weeks: int = SMOOTH_WEEKS) -> np.ndarray:
    """Trailing moving average over the last axis, skipping missing weeks."""
    valid = ~np.isnan(x)
    csum = np.cumsum(np.where(valid, x, 0.0), axis=-1)
    ccount = np.cumsum(valid, axis=-1).astype(float)
    total, count = csum.copy(), ccount.copy()
    total[..., weeks:] -= csum[..., :-weeks]
    count[..., weeks:] -= ccount[..., :-weeks]
    return np.divide(total, count, out=np.full(x.shape, np.nan), where=count > 0)


def _grid(n: int) -> tuple[Figure, np.ndarray]:
    cols = 3 if n > 4 else 2
    rows = -(-n // cols)
    fig, axes = _subplots(rows, cols, figsize=(5 * cols, 4.1 * rows), squeeze=False)
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    return fig, axes.ravel()


def _band(ax: Axes, weeks: np.ndarray, series: np.ndarray, *, color: str, label: str, alpha: float) -> None:
    mean, lo, hi, _ = t_interval(series, axis=0)
    ax.plot(weeks, mean, color=color, lw=1.6, label=label)
    ax.fill_between(weeks, lo, hi, color=color, alpha=alpha, lw=0)


def _reviews(ax: Axes, every: int | None, steps: int, lang: str) -> None:
    """Dotted lines at the capacity reviews (M2, M3): equipment sold below book value dips profit there."""
    if not every:
        return
    for i, week in enumerate(range(every, steps + 1, every)):
        ax.axvline(week, color="#888888", lw=0.8, ls=":", label=tr("review_line", lang) if i == 0 else None)


def levels_chart(
    results: Results, names: tuple[str, ...], title: str, path: Path, lang: str = "en", *, reviews: int | None = None
) -> None:
    """Metrics over time: each regime's mean over replications with its 95% band."""
    weeks = np.arange(1, results.steps + 1)
    fig, axes = _grid(len(names))
    for ax, name in zip(axes, names, strict=False):
        j = results.index(name)
        m = results.metrics[j]
        for r, regime in enumerate(results.regimes):
            series = _scale(m.unit) * _smooth(results.data[r, :, :, j])
            _band(ax, weeks, series, color=COLORS[r % len(COLORS)], label=regime_name(regime, lang), alpha=0.2)
        _reviews(ax, reviews, results.steps, lang)
        lab = label(m.name, m.label, lang)
        ax.set_title(lab)
        ax.set_xlabel(tr("week", lang))
        ax.set_ylabel(f"{lab} ({'%' if _scale(m.unit) != 1 else unit(m.unit, lang)})")
        ax.grid(alpha=0.3)
        values = results.data[..., j]
        if np.isfinite(values).any() and np.nanmin(values) >= 0:
            # from zero: a tightly zoomed axis made a 0.0236 to 0.0248 defect rate look like a large gap
            ax.set_ylim(bottom=0)
    _legend_below(axes[0], tr("regime_band", lang))
    fig.suptitle(tr("levels_title", lang, title=title, weeks=SMOOTH_WEEKS, reps=results.replications))
    _save(fig, path, lang)


def paired_difference_chart(
    results: Results,
    title: str,
    path: Path,
    lang: str = "en",
    *,
    reviews: int | None = None,
    metrics: tuple[str, ...] = DIFF_METRICS,
    window: tuple[int, int] | None = None,
) -> None:
    """Each regime minus the baseline over time, paired by replication, with 95% band; ``window``
    (first week, end week) shades the weeks a programme pays, so what persists after it shows."""
    weeks = np.arange(1, results.steps + 1)
    b = results.regimes.index(results.baseline)
    fig, axes = _grid(len(metrics))
    for ax, name in zip(axes, metrics, strict=False):
        j = results.index(name)
        m = results.metrics[j]
        base = _smooth(results.data[b, :, :, j])
        if window is not None:
            ax.axvspan(window[0] + 1, window[1], color="#f2c14e", alpha=0.25, lw=0, label=tr("funding_window", lang))
        for r, regime in enumerate(results.regimes):
            if r != b:
                diff = _scale(m.unit) * (_smooth(results.data[r, :, :, j]) - base)
                name_ = tr(
                    "minus", lang, regime=regime_name(regime, lang), baseline=regime_name(results.baseline, lang)
                )
                _band(ax, weeks, diff, color=COLORS[r % len(COLORS)], label=name_, alpha=0.25)
        ax.axhline(0.0, color="black", lw=1)
        _reviews(ax, reviews, results.steps, lang)
        lab = label(m.name, m.label, lang)
        ax.set_title(tr("diff_title", lang, label=lab))
        ax.set_xlabel(tr("week", lang))
        shown = unit("percentage points" if _scale(m.unit) != 1 else m.unit, lang)
        ax.set_ylabel(tr("diff_axis", lang, label=lab.lower(), unit=shown))
        ax.grid(alpha=0.3)
    _legend_below(axes[0], tr("diff_legend", lang))
    base = regime_name(results.baseline, lang)
    fig.suptitle(tr("diff_suptitle", lang, title=title, baseline=base, weeks=SMOOTH_WEEKS))
    _save(fig, path, lang)


EFFECT_PANELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "effects_outcomes",
        ("profit", "revenue", "output", "lost_sales", "unit_cost", "lead_time", "firms_active", "employment",
         "fixed_assets"),
    ),
    ("effects_rates", ("roa", "utilization", "defect_rate")),
    ("effects_assumed", ("adjacent_revenue", "adjacent_jobs")),
)  # fmt: skip
"""The effects chart's panels: outcomes in per cent of the standalone value, rates in percentage
points (a relative change of a rate misleads), and quantities that mostly restate an assumption
(local suppliers' sales follow ``adjacent.member_local_share``), apart from the findings."""

GOOD_WHEN = {
    "profit": 1, "revenue": 1, "output": 1, "lost_sales": -1, "unit_cost": -1, "lead_time": -1,
    "firms_active": 1, "employment": 1, "roa": 1, "utilization": 1, "defect_rate": -1,
    "adjacent_revenue": 1, "adjacent_jobs": 1,
}  # fmt: skip
"""+1 where a higher value is better for the sector, -1 where lower is better; absent: neither
(more fixed assets is a cost and a capacity)."""

GOOD, BAD, UNCLEAR, NEUTRAL = "#2ca02c", "#d62728", "#bbbbbb", "#1f77b4"


def _effect_color(metric: str, lo: float, hi: float) -> str:
    """Green for a clear change for the better, red for the worse, grey where the 95% interval
    includes zero, blue where neither direction is better."""
    if not (lo > 0 or hi < 0):
        return UNCLEAR
    sign = GOOD_WHEN.get(metric)
    if sign is None:
        return NEUTRAL
    return GOOD if (lo > 0) == (sign > 0) else BAD


def effects_chart(results: Results, effects: pd.DataFrame, title: str, path: Path, lang: str = "en") -> None:
    """The paired effects in three panels (``EFFECT_PANELS``), each bar coloured by whether the
    change is clearly for the better, the worse, or cannot be told (``_effect_color``)."""
    regimes = list(dict.fromkeys(effects["regime"]))
    panels = []
    for key, names in EFFECT_PANELS:
        rows = []
        for metric in names:
            for regime in regimes:
                sub = effects[(effects["metric"] == metric) & (effects["regime"] == regime)]
                if sub.empty:
                    continue
                r = sub.iloc[0]
                if key == "effects_rates":
                    scale = 100.0
                elif np.isfinite(r["baseline_mean"]) and r["baseline_mean"] != 0:
                    scale = 100.0 / abs(r["baseline_mean"])
                else:
                    continue  # a relative effect needs a baseline that is not zero
                name = label(metric, results.metrics[results.index(metric)].label, lang)
                shown = f"{name} ({regime_name(regime, lang)})" if len(regimes) > 1 else name
                rows.append((shown, metric, r, scale))
        if rows:
            panels.append((key, rows))
    heights = [len(rows) + 1.5 for _, rows in panels]
    fig, axes = _subplots(len(panels), 1, figsize=(11, 1.5 + 0.42 * sum(heights)), squeeze=False, height_ratios=heights)
    for ax, (key, rows) in zip(axes[:, 0], panels, strict=True):
        y = np.arange(len(rows))
        for yi, (_, metric, r, scale) in zip(y, rows, strict=True):
            mid = r["diff_mean"] * scale
            err = [[max(mid - r["ci_low"] * scale, 0.0)], [max(r["ci_high"] * scale - mid, 0.0)]]
            ax.barh(yi, mid, height=0.7, color=_effect_color(metric, r["ci_low"], r["ci_high"]), xerr=err, capsize=3)
        ax.set_yticks(y, [name for name, *_ in rows])
        ax.invert_yaxis()
        ax.axvline(0.0, color="black", lw=1)
        ax.grid(axis="x", alpha=0.3)
        ax.set_title(tr(key, lang), fontsize=10, loc="left")
    handles = [
        Patch(color=GOOD, label=tr("effect_good", lang)),
        Patch(color=BAD, label=tr("effect_bad", lang)),
        Patch(color=UNCLEAR, label=tr("effect_unclear", lang)),
        Patch(color=NEUTRAL, label=tr("effect_neutral", lang)),
    ]
    _legend_below(axes[-1, 0], tr("ci_bars", lang), handles=handles)
    fig.suptitle(_wrap(tr("effects_title", lang, title=title)))
    _save(fig, path, lang)


def _bars(
    ax: Axes, results: Results, hs: np.ndarray, names: list[str], *, labels: list[str], scale: float, lang: str = "en"
) -> None:
    """Grouped bars: one group per metric, one bar per regime, with 95% intervals."""
    width = 0.8 / len(results.regimes)
    x = np.arange(len(names))
    for r, regime in enumerate(results.regimes):
        mean, lo, hi, _ = t_interval(hs[r][:, [results.index(n) for n in names]], axis=0)
        err = np.vstack([mean - lo, hi - mean]) * scale
        drawn = np.isfinite(mean)  # no bar where the group is empty (no members when standalone)
        ax.bar(
            (x + (r - (len(results.regimes) - 1) / 2) * width)[drawn],
            (mean * scale)[drawn],
            width * 0.9,
            yerr=np.nan_to_num(err[:, drawn]),
            capsize=3,
            color=COLORS[r % len(COLORS)],
            label=regime_name(regime, lang),
        )
    ax.set_xticks(x, labels, rotation=20, ha="right")
    ax.grid(axis="y", alpha=0.3)


def stage_chart(results: Results, title: str, path: Path, lang: str = "en") -> None:
    """Utilisation of each value-chain stage, horizon average per regime with 95% intervals."""
    names = [m.name for m in results.metrics if m.name.startswith("utilization_")]
    hs = horizon(results)
    fig, ax = _subplots(figsize=(max(7, 1.6 * len(names) + 3), 4.8))
    labels = [n.removeprefix("utilization_").replace("_", " ") for n in names]
    _bars(ax, results, hs, names, labels=labels, scale=100.0, lang=lang)
    ax.set_ylabel(tr("stage_axis", lang))
    _legend_below(ax, tr("regime_bars", lang))
    ax.set_title(_wrap(tr("stage_title", lang, title=title)))
    _save(fig, path, lang)


def members_chart(results: Results, title: str, path: Path, lang: str = "en", *, choice: bool = False) -> None:
    """Members against non-members inside the same runs (only meaningful with both groups)."""
    hs = horizon(results)
    fig, axes = _subplots(1, 3, figsize=(15, 4.8))
    units = tr("members_units", lang).split("|")
    panels = tr("members_panels", lang).split("|")
    scales = (1.0, 100.0, 100.0)
    words = [tr("members_word", lang), tr("nonmembers_word", lang)]
    for ax, (mem, non), panel_unit, panel, scale in zip(axes, GROUP_METRICS, units, panels, scales, strict=True):
        _bars(ax, results, hs, [mem, non], labels=words, scale=scale, lang=lang)
        ax.set_title(panel)
        ax.set_ylabel(panel_unit)
    _legend_below(axes[0], tr("regime_bars", lang))
    fig.suptitle(tr("members_title_choice" if choice else "members_title", lang, title=title))
    _save(fig, path, lang)


def write_charts(
    results: Results,
    effects: pd.DataFrame,
    title: str,
    folder: Path,
    *,
    groups: bool,
    reviews: int | None = None,
    lang: str = "en",
    choice: bool = False,
) -> list[Path]:
    """All run charts into ``folder``; ``groups`` adds the member/non-member comparison; ``reviews``
    (weeks between capacity reviews, when members sell or move capacity) marks those weeks;
    ``choice`` (firms choose to join) adds how the district forms."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {
        "timeseries": folder / "timeseries.png",
        "mechanisms": folder / "mechanisms.png",
        "stages": folder / "stage_utilization.png",
    }
    levels_chart(results, KEY_METRICS, tr("key_metrics", lang, title=title), paths["timeseries"], lang, reviews=reviews)
    levels_chart(
        results,
        MECHANISM_METRICS,
        tr("mechanism_metrics", lang, title=title),
        paths["mechanisms"],
        lang,
        reviews=reviews,
    )
    stage_chart(results, title, paths["stages"], lang)
    if len(results.regimes) > 1:
        paths["paired"] = folder / "paired_difference.png"
        paths["effects"] = folder / "effects.png"
        paired_difference_chart(results, title, paths["paired"], lang, reviews=reviews)
        effects_chart(results, effects, title, paths["effects"], lang)
    if groups:
        paths["members"] = folder / "members.png"
        members_chart(results, title, paths["members"], lang, choice=choice)
    if choice:
        paths["formation"] = folder / "formation.png"
        formation = ("member_share", "members", "joins", "leaves")
        levels_chart(results, formation, tr("formation_title", lang, title=title), paths["formation"], lang)
    return list(paths.values())


def validation_chart(checks: list[Check], path: Path) -> None:
    """Expected band (shaded) against simulated value with its 95% interval, one panel per group."""
    groups = list(dict.fromkeys(c.group for c in checks))
    heights = [sum(c.group == g for c in checks) + 1 for g in groups]
    fig, axes = _subplots(
        len(groups),
        1,
        figsize=(12, 0.45 * sum(heights) + 1.5),
        squeeze=False,
        gridspec_kw={"height_ratios": heights},
    )
    for ax, group in zip(axes[:, 0], groups, strict=True):
        rows = [c for c in checks if c.group == group]
        for y, c in enumerate(rows):
            lo, hi = c.accept_low, c.accept_high
            finite = [v for v in (lo, hi, c.ci_low, c.ci_high, c.simulated) if np.isfinite(v)]
            span = (max(finite) - min(finite)) or 1.0
            left = lo if np.isfinite(lo) else min(finite) - span
            ax.barh(y, hi - left, left=left, height=0.6, color="#2ca02c" if c.passed else "#d62728", alpha=0.2)
            err = [[max(c.simulated - c.ci_low, 0.0)], [max(c.ci_high - c.simulated, 0.0)]]
            ax.errorbar(c.simulated, y, xerr=err, fmt="o", color="black", capsize=3)
        ax.set_yticks(range(len(rows)), [f"{c.result.upper()}  {c.check}" for c in rows], fontsize=8)
        ax.invert_yaxis()
        ax.set_title(f"{group}: simulated value (dot, 95% interval) against the accepted band (shaded)", fontsize=10)
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle("district-sim validation: analytic limits and evidence")
    _savefig(fig, path)


def sweep_chart(
    effects: pd.DataFrame,
    paths: list[str],
    outcome: str,
    *,
    unit: str,
    label: str,
    breaks: list,
    path: Path,
    lang: str = "en",
    own: float | None = None,
    scale: float = 1.0,
) -> None:
    """Paired effect against the first varied parameter, one line per combination of the others;
    the scenario's own value (``own``) marked; the legend below the plot, where it hides nothing."""
    sub = effects[effects["metric"] == outcome]
    x_path = paths[0]
    fig, ax = _subplots(figsize=(10, 6))
    groups = [((), sub)] if len(paths) == 1 else list(sub.groupby(paths[1:], sort=True))
    for i, (key, g) in enumerate(groups[:8]):
        for r, (regime, unsorted) in enumerate(g.groupby("regime", sort=False)):
            gr = unsorted.sort_values(x_path)
            keys = key if isinstance(key, tuple) else (key,)
            name = ", ".join(f"{p}={v}" for p, v in zip(paths[1:], keys, strict=False))
            color = COLORS[(i + r + 1) % len(COLORS)]
            ax.plot(
                gr[x_path],
                scale * gr["diff_mean"],
                marker="o",
                color=color,
                label=f"{regime_name(regime, lang)}{' (' + name + ')' if name else ''}",
            )
            ax.fill_between(gr[x_path], scale * gr["ci_low"], scale * gr["ci_high"], color=color, alpha=0.2, lw=0)
    ax.axhline(0.0, color="black", lw=1)
    for be in breaks:
        if be.value is not None:
            ax.axvline(
                be.value,
                color="#d62728",
                ls="--",
                lw=1.2,
                label=tr("break_even_at", lang, value=number(be.value, lang)),
            )
            if be.low is not None and be.high is not None:
                ax.axvspan(be.low, be.high, color="#d62728", alpha=0.08)
    if own is not None:
        ax.axvline(own, color="#555555", ls=":", lw=1.5, label=tr("scenario_value", lang, value=number(own, lang)))
    ax.set_xlabel(axis_label(x_path))
    ax.set_ylabel(_wrap(tr("diff_axis", lang, label=label.lower(), unit=unit), 50))
    ax.set_title(_wrap(tr("sweep_title", lang, label=label, path=x_path)))
    ax.grid(alpha=0.3)
    _legend_below(ax)
    _save(fig, path, lang)


def waterfall_chart(parts: pd.DataFrame, label: str, unit: str, title: str, path: Path, lang: str = "en") -> None:  # noqa: PLR0917
    """Shapley parts of the district effect, stacked to the total, with 95% intervals."""
    rows = parts[parts["part"] != "total"]
    total = parts[parts["part"] == "total"].iloc[0]
    fig, ax = _subplots(figsize=(11, 5.5))
    start = 0.0
    for i, row in enumerate(rows.itertuples()):
        color = "#2ca02c" if row.effect >= 0 else "#d62728"
        ax.bar(
            i,
            row.effect,
            bottom=start,
            color=color,
            alpha=0.8,
            label=tr("raises" if row.effect >= 0 else "lowers", lang),
        )
        ax.errorbar(
            i,
            start + row.effect,
            yerr=[[row.effect - row.ci_low], [row.ci_high - row.effect]],
            color="black",
            capsize=3,
        )
        start += row.effect
    n = len(rows)
    ax.bar(n, total.effect, color="#1f77b4", label=tr("total_effect", lang))
    ax.errorbar(
        n, total.effect, yerr=[[total.effect - total.ci_low], [total.ci_high - total.effect]], color="black", capsize=3
    )
    ax.axhline(0.0, color="black", lw=1)
    ax.set_xticks(
        range(n + 1),
        [*(mechanism(p, lang, short=True) for p in rows["part"]), tr("total", lang)],
        rotation=20,
        ha="right",
    )
    ax.set_ylabel(tr("diff_axis", lang, label=label.lower(), unit=unit))
    ax.set_title(_wrap(tr("waterfall_title", lang, title=title, label=label.lower())))
    _legend_below(ax, tr("ci_bars", lang))  # one entry per kind of bar
    ax.grid(axis="y", alpha=0.3)
    _save(fig, path, lang)


def sensitivity_chart(
    table: pd.DataFrame, method: str, *, label: str, unit: str, title: str, path: Path, lang: str = "en"
) -> None:
    """Ranked bar chart of Morris mu* or Sobol total-order indices, with 95% intervals."""
    top = table.head(20).iloc[::-1]
    fig, ax = _subplots(figsize=(11, 1.6 + 0.55 * len(top)))
    y = np.arange(len(top))
    if method == "morris":
        # mu* cannot be negative: the interval's lower end is cut at 0; a parameter whose interval
        # reaches 0 cannot be told from no influence and is drawn grey
        low = np.minimum(top["mu_star_conf"], top["mu_star"])
        noise = (top["mu_star_conf"] >= top["mu_star"]).to_numpy()
        colors = np.where(noise, "#bbbbbb", "#1f77b4")
        ax.barh(y, top["mu_star"], xerr=[low, top["mu_star_conf"]], color=colors, capsize=3)
        ax.legend(
            handles=[
                Patch(color="#1f77b4", label=tr("mu_star", lang)),
                Patch(color="#bbbbbb", label=tr("within_noise", lang)),
            ],
            loc="lower right",
        )
        ax.set_xlabel(tr("morris_axis", lang, label=label.lower(), unit=unit))
    else:
        # indices and their intervals drawn inside 0..1 (the table's *_low and *_high)
        for name, shift, color in (("ST", -0.2, "#1f77b4"), ("S1", 0.2, "#ff7f0e")):
            value = top[name].clip(0.0, 1.0)
            err = [value - top[f"{name}_low"], top[f"{name}_high"] - value]
            ax.barh(y + shift, value, height=0.4, xerr=err, color=color, capsize=3, label=tr(name.lower(), lang))
        ax.set_xlabel(tr("sobol_axis", lang, label=label.lower()))
        ax.legend(loc="lower right")
    ticks = [f"{_wrap(plain_name(p), 48)}\n({p})" for p in top["parameter"]]
    ax.set_yticks(y, ticks, fontsize=7.5)
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(_wrap(tr("sensitivity_title", lang, title=title, method=method)))
    _save(fig, path, lang)


def compare_chart(table: pd.DataFrame, metric: str, path: Path, lang: str = "en") -> None:
    """One outcome's relative effect per run and regime, with 95% intervals, side by side."""
    sub = table[(table["metric"] == metric) & np.isfinite(table["baseline_mean"]) & (table["baseline_mean"] != 0)]
    rows = list(zip(sub["run"], sub["regime"], strict=True))
    fig, ax = _subplots(figsize=(10, 1.6 + 0.55 * len(rows)))
    rate = len(sub) and sub["unit"].iloc[0] in POINT_UNITS  # a rate's change in points, not per cent
    scale = np.full(len(sub), 100.0) if rate else 100.0 / sub["baseline_mean"].abs().to_numpy()
    mid = sub["diff_mean"].to_numpy() * scale
    err = np.vstack(
        [(sub["diff_mean"] - sub["ci_low"]).to_numpy() * scale, (sub["ci_high"] - sub["diff_mean"]).to_numpy() * scale]
    )
    y = np.arange(len(rows))
    # coloured as in effects.png: clearly better, clearly worse, or cannot tell (the runs are named
    # on the axis, so colour carries the reading, not the run)
    colors = [_effect_color(metric, lo, hi) for lo, hi in zip(sub["ci_low"], sub["ci_high"], strict=True)]
    ax.barh(y, np.nan_to_num(mid), xerr=np.nan_to_num(err), capsize=4, color=colors, height=0.6)
    handles = [
        Patch(color=GOOD, label=tr("effect_good", lang)),
        Patch(color=BAD, label=tr("effect_bad", lang)),
        Patch(color=UNCLEAR, label=tr("effect_unclear", lang)),
    ]
    _legend_below(ax, tr("ci_bars", lang), handles=handles)
    for yi, v in zip(y, mid, strict=True):
        shown = f"{number(v, lang, 2)} {tr('points', lang)}" if rate else f"{number(v, lang, 2)}%"
        ax.annotate(shown, (v, yi), xytext=(6, -12), textcoords="offset points", fontsize=8)
    ax.set_yticks(y, [f"{run} ({regime_name(regime, lang)})" for run, regime in rows])
    ax.invert_yaxis()
    ax.axvline(0.0, color="black", lw=1)
    ax.set_xlabel(tr("effect_pts" if rate else "effect_pct", lang))
    ax.grid(axis="x", alpha=0.3)
    lab = label(metric, sub["label"].iloc[0] if len(sub) else metric, lang)
    ax.set_title(tr("compare_chart_title", lang, metric=lab))
    _save(fig, path, lang)


def appraisal_chart(table: pd.DataFrame, title: str, path: Path, lang: str = "en") -> None:
    """Per programme regime: discounted cost per net additional job-year and net job-years, with
    95% intervals; a cost per job whose interval of job-years reaches zero is marked unbounded."""
    cost = table[table["measure"] == "cost_per_net_job_year"].reset_index(drop=True)
    jobs = table[table["measure"] == "net_job_years"].reset_index(drop=True)
    names = list(cost["regime"])
    y = np.arange(len(names))
    fig, (left, right) = _subplots(1, 2, figsize=(12, 1.8 + 0.6 * len(names)))
    finite = cost[np.isfinite(cost["ci_high"])]
    top = float(finite["ci_high"].max()) if len(finite) else 1.0
    for i, r in cost.iterrows():
        if np.isfinite(r["ci_high"]):
            left.barh(i, r["mean"], color=COLORS[1], height=0.6)
            left.errorbar(
                r["mean"], i, xerr=[[r["mean"] - r["ci_low"]], [r["ci_high"] - r["mean"]]], color="black", capsize=4
            )
        else:
            left.annotate(tr("unbounded", lang), (0, i), xytext=(4, -4), textcoords="offset points", fontsize=9)
    left.set_xlim(0, max(top, 1.0) * 1.1)
    left.set_yticks(y, names)
    left.set_ylim(len(names) - 0.5, -0.5)  # rows as in the right panel, even with no bar drawn
    left.set_xlabel(tr("cost_per_job_axis", lang))
    left.grid(axis="x", alpha=0.3)
    err = np.vstack([jobs["mean"] - jobs["ci_low"], jobs["ci_high"] - jobs["mean"]])
    right.barh(y, jobs["mean"], xerr=np.nan_to_num(err), capsize=4, color=COLORS[3], height=0.6)
    right.axvline(0.0, color="black", lw=1)
    right.set_yticks(y, names)
    right.invert_yaxis()
    right.set_xlabel(tr("job_years_axis", lang))
    right.grid(axis="x", alpha=0.3)
    fig.suptitle(tr("appraisal_title", lang, name=title))
    path.parent.mkdir(parents=True, exist_ok=True)
    _save(fig, path, lang)


PROGRAMME_PATH_METRICS = ("employment", "adjacent_jobs", "profit", "public_cost")


def programme_path_chart(results: Results, window: tuple[int, int], title: str, path: Path, lang: str = "en") -> None:
    """Each programme regime minus the same firms without the programme, week by week, with the
    weeks the money flows shaded (``paired_difference_chart``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    paired_difference_chart(results, title, path, lang, metrics=PROGRAMME_PATH_METRICS, window=window)


def discovery_charts(points: pd.DataFrame, box, outcome: str, folder: Path, lang: str = "en") -> list[Path]:
    """Scenario discovery: the PRIM trade-off (coverage against density along the peeling
    trajectory, the chosen box marked) and the sampled points on the box's first two restricted
    parameters (or its one parameter against the effect), failures red, the box drawn."""
    paths = []
    if box is not None:
        t = box.trajectory
        fig, ax = _subplots(figsize=(8, 5.5))
        sc = ax.scatter(t["coverage"], t["density"], c=t["res_dim"], cmap="viridis", s=30)
        pick = t[t["step"] == box.chosen]
        ax.scatter(pick["coverage"], pick["density"], s=160, facecolors="none", edgecolors="#d62728", lw=2,
                   label=tr("prim_chosen", lang))  # fmt: skip
        fig.colorbar(sc, ax=ax, label=tr("prim_res_dim", lang))
        ax.set_xlabel(tr("prim_coverage", lang))
        ax.set_ylabel(tr("prim_density", lang))
        ax.set_xlim(0, 1.02)
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3)
        ax.set_title(_wrap(tr("prim_tradeoff", lang, outcome=outcome), 70))
        _legend_below(ax)
        paths.append(folder / "prim_tradeoff.png")
        _save(fig, paths[-1], lang)
    restricted = [] if box is None else list(box.limits["parameter"])
    params = [c for c in points.columns if c not in ("effect", "ci_low", "ci_high", "fails")]
    if not params:
        return paths
    xs = restricted[0] if restricted else params[0]
    ys = restricted[1] if len(restricted) > 1 else "effect"
    fig, ax = _subplots(figsize=(9, 6))
    fails = points["fails"].to_numpy(dtype=bool)
    ax.scatter(points.loc[~fails, xs], points.loc[~fails, ys], s=14, color=GOOD, label=tr("pays_point", lang))
    ax.scatter(points.loc[fails, xs], points.loc[fails, ys], s=14, color=BAD, label=tr("fails_point", lang))
    if box is not None and restricted:
        lim = box.limits.set_index("parameter")
        x0, x1 = lim.loc[xs, "low"], lim.loc[xs, "high"]
        if ys in lim.index:
            y0, y1 = lim.loc[ys, "low"], lim.loc[ys, "high"]
        else:
            y0, y1 = ax.get_ylim()
        ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, ec="black", lw=1.5, ls="--",
                               label=tr("prim_box", lang)))  # fmt: skip
    if ys == "effect":
        ax.axhline(0.0, color="black", lw=1)
        ax.set_ylabel(tr("discover_effect", lang, outcome=outcome))
    else:
        ax.set_ylabel(axis_label(ys))
    ax.set_xlabel(axis_label(xs))
    ax.grid(alpha=0.3)
    ax.set_title(_wrap(tr("discover_points", lang, outcome=outcome), 80))
    _legend_below(ax)
    paths.append(folder / "discover_points.png")
    _save(fig, paths[-1], lang)
    return paths
