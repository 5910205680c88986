"""The decision brief: what a policy maker reads first in a run's report and on the console.

Two or three sentences in plain words, each following its 95% interval (an interval across zero is
said as "cannot tell", never as a gain), the headline table per firm and per year in thousand
roubles with the sector's totals beside it, jobs, and the path of the profit effect year by year
(when it first becomes clear). Everything is read from a results folder's ``effects.csv`` and
``timeseries.parquet``, so a folder written earlier gets the same brief.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..experiments.stats import t_interval
from .i18n import POINT_UNITS, count, label, number, tr

WEEKS_PER_YEAR = 52

YEARLY = {"kRUB per week": "kRUB per year", "kRUB per firm-week": "kRUB per firm-year"}
"""Weekly money units and the yearly ones the brief shows (weekly means times 52)."""

BRIEF_ROWS: tuple[tuple[str, str], ...] = (
    ("profit_per_firm", "per_firm"),
    ("smaller_profit", "per_firm"),
    ("larger_profit", "per_firm"),
    ("profit", "sector"),
    ("employment", "sector"),
    ("adjacent_jobs", "assumed"),
    ("roa", "rate"),
    ("firms_active", "sector"),
)
"""The brief's table: metric and what kind of figure it is (per firm, a sector total, a rate, or a
quantity that mostly restates an input assumption)."""


def horizon_words(weeks: int, lang: str = "en") -> str:
    """``5 years (260 weeks)``, ``60 weeks (1.2 years)``."""
    years = weeks / WEEKS_PER_YEAR
    if weeks % WEEKS_PER_YEAR == 0:
        return tr("horizon_years", lang, years=count(int(years), "year", lang), weeks=count(weeks, "week", lang))
    return tr("horizon_weeks", lang, years=number(years, lang, 2), weeks=count(weeks, "week", lang))


def yearly(row: pd.Series) -> pd.Series:
    """An effects row in yearly money units where its unit is weekly money (others unchanged)."""
    if row["unit"] not in YEARLY:
        return row
    out = row.copy()
    for col in ("baseline_mean", "diff_mean", "ci_low", "ci_high"):
        out[col] = WEEKS_PER_YEAR * row[col]
    out["unit"] = YEARLY[row["unit"]]
    return out


def reading(lo: float, hi: float) -> str:
    """What a 95% interval of a difference allows one to say: ``up``, ``down`` or ``unclear``."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return "unclear"
    if lo > 0:
        return "up"
    if hi < 0:
        return "down"
    return "unclear"


@dataclass(frozen=True)
class PathYear:
    """The paired effect averaged over one year of the horizon (or the part-year at its end)."""

    year: int
    weeks: int
    mean: float
    low: float
    high: float


def effect_path(ts: pd.DataFrame, regime: str, baseline: str, metric: str = "profit_per_firm") -> list[PathYear]:
    """The paired difference of ``metric`` year by year (weekly means over each 52 weeks, per
    replication, then a t-interval over replications), from a run's timeseries frame."""
    if metric not in ts.columns:  # a folder written before profit_per_firm existed
        ts = ts.assign(profit_per_firm=ts["profit"] / ts["firms_active"].where(ts["firms_active"] > 0))

    def table(name: str) -> pd.DataFrame:
        part = ts[ts["regime"] == name]
        return part.pivot(index="step", columns="replication", values=metric).sort_index()

    a, b = table(regime), table(baseline)
    steps = a.index.to_numpy()
    diff = a.to_numpy() - b.to_numpy()  # [step, replication]
    out = []
    for year in range(math.ceil(len(steps) / WEEKS_PER_YEAR)):
        rows = diff[year * WEEKS_PER_YEAR : (year + 1) * WEEKS_PER_YEAR]
        per_rep = np.nanmean(rows, axis=0) if np.isfinite(rows).any() else np.full(rows.shape[1], np.nan)
        mean, lo, hi, _ = t_interval(per_rep[:, None] * WEEKS_PER_YEAR, axis=0)
        out.append(PathYear(year + 1, len(rows), float(mean[0]), float(lo[0]), float(hi[0])))
    return out


def path_sentence(path: list[PathYear], lang: str = "en") -> str:
    """When the profit effect per firm becomes clear (its yearly 95% interval leaves zero), and
    whether it stays clear to the horizon."""
    said = [reading(p.low, p.high) for p in path]
    for sign in ("up", "down"):
        if sign in said:
            first = said.index(sign)
            stays = all(s == sign for s in said[first:])
            key = f"path_{sign}_{'last' if first == len(path) - 1 else 'stays' if stays else 'wavers'}"
            text = tr(key, lang, year=path[first].year, years=len(path))
            other = "down" if sign == "up" else "up"
            before = [str(p.year) for p, s in zip(path[:first], said[:first], strict=True) if s == other]
            if before:
                text += tr("path_before", lang, years_list=", ".join(before))
            return text
    return tr("path_never", lang, years=len(path))


def _signed(x: float, lang: str) -> str:
    text = number(x, lang)
    return text if text.startswith("-") or text == "0" else f"+{text}"


def _change(row: pd.Series, lang: str, verb: str = "change") -> str:
    """``gains 298 (95% interval 231 to 365)`` (``verb`` "rise": ``rises by``): the verb follows the
    interval, not the mean."""
    lo, hi = float(row["ci_low"]), float(row["ci_high"])
    span = tr("span", lang, low=number(lo, lang), high=number(hi, lang))
    said = reading(lo, hi)
    return tr(f"{verb}_{said}", lang, value=number(abs(float(row["diff_mean"])), lang), span=span)


def _where(regime: str, lang: str) -> str:
    return tr("in_district", lang) if regime == "district" else tr("in_regime", lang, regime=regime)


def sentences(effects: pd.DataFrame, regime: str, weeks: int, path: list[PathYear] | None, lang: str) -> list[str]:
    """The brief in plain words for one regime against the baseline."""
    rows = {r["metric"]: yearly(r) for _, r in effects[effects["regime"] == regime].iterrows()}
    out = []
    horizon = horizon_words(weeks, lang)
    where = _where(regime, lang)
    if "profit_per_firm" in rows:
        r = rows["profit_per_firm"]
        lo, hi = float(r["ci_low"]), float(r["ci_high"])
        rel = r["rel_diff"]
        share = (
            tr("of_standalone", lang, pct=number(abs(100 * float(rel)), lang, 2))
            if rel is not None and math.isfinite(rel)
            else ""
        )
        out.append(
            tr(
                f"verdict_{reading(lo, hi)}",
                lang,
                horizon=horizon,
                where=where,
                value=number(abs(float(r["diff_mean"])), lang)
                if reading(lo, hi) != "unclear"
                else _signed(float(r["diff_mean"]), lang),
                low=number(lo, lang),
                high=number(hi, lang),
                share=share,
            )
        )
    if "smaller_profit" in rows and "larger_profit" in rows:
        out.append(
            tr(
                "for_whom",
                lang,
                small=_change(rows["smaller_profit"], lang),
                large=_change(rows["larger_profit"], lang),
            )
        )
    if "employment" in rows:
        jobs = tr("jobs_sector", lang, change=_change(rows["employment"], lang, "rise"))
        if "adjacent_jobs" in rows:
            jobs += " " + tr("jobs_adjacent", lang, change=_change(rows["adjacent_jobs"], lang, "rise"))
        out.append(jobs)
    if path:
        out.append(path_sentence(path, lang))
    return out


def table_rows(effects: pd.DataFrame, regime: str, lang: str) -> list[list[str]]:
    """The brief's table for one regime: outcome (with what kind of figure it is), standalone,
    regime, difference, 95% interval, relative change (none for rates: their change is in points)."""
    part = effects[effects["regime"] == regime].set_index("metric")
    rows = []
    for metric, kind in BRIEF_ROWS:
        if metric not in part.index:
            continue
        r = yearly(part.loc[metric].copy().rename(metric))
        unit_text = r["unit"]
        if unit_text in POINT_UNITS:
            base = f"{number(100 * r['baseline_mean'], lang)}%"
            level = f"{number(100 * (r['baseline_mean'] + r['diff_mean']), lang)}%"
            diff = f"{_signed(100 * r['diff_mean'], lang)} {tr('points', lang)}"
            ci = f"{number(100 * r['ci_low'], lang)} … {number(100 * r['ci_high'], lang)}"
            rel = "—"
        else:
            base = number(r["baseline_mean"], lang)
            level = number(r["baseline_mean"] + r["diff_mean"], lang)
            diff = _signed(r["diff_mean"], lang)
            ci = f"{number(r['ci_low'], lang)} … {number(r['ci_high'], lang)}"
            rel_v = r["rel_diff"]
            rel = f"{_signed(100 * rel_v, lang)}%" if rel_v is not None and math.isfinite(rel_v) else "—"
        name = f"{label(metric, str(r['label']), lang)}, {tr('unit_' + unit_text.replace(' ', '_'), lang)}"
        rows.append([name, tr(f"kind_{kind}", lang), base, level, diff, ci, rel])
    return rows
