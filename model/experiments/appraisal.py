"""Appraisal of a public programme: the programme's regimes against the same firms without it.

``appraisal_experiment`` turns a scenario with a ``programme:`` block into regimes on common
random numbers: ``no_programme`` (the instruments unfunded: the reference case, simulated),
``programme`` (every instrument) and, with several instruments, one regime per instrument alone.
``value_for_money`` reads each regime against ``no_programme``, replication by replication
(paired), and gives the agency's measures with 95% intervals (definitions in
docs/ODD.md 7.14 and the HCA Additionality Guide):

- public cost, nominal and discounted at ``programme.discount_rate`` (weeks discounted as
  fractions of a year), net of the user fees a service centre earns;
- gross job-years: the employment difference in the supported firms (the members), which
  overstates what the programme adds when members take work from non-members;
- net additional job-years: the sector's employment difference summed over the weeks, plus the
  adjacent industries' jobs difference net of ``programme.leakage``, divided by 52. Displacement
  onto non-members and adjacent firms is in the difference: they share the simulated market;
- cost per net additional job-year: discounted cost over net job-years. Where the interval of
  net job-years includes zero or is below it, the cost per job is unbounded, and said so;
- leverage: the members' own share of purchases a co-investment grant paid part of, per public
  rouble (ERDF indicators CO06 and CO07 count that private investment);
- net additional profit per public rouble: the firms' discounted profit difference without the
  subsidies they received (a transfer, not a benefit), over the discounted cost; this is the
  benefit-cost ratio, with the value-for-money category of the UK DfT (poor below 1, low 1 to
  1.5, medium 1.5 to 2, high above 2);
- persistence: the jobs difference in each of the three years after the last instrument stops
  (NaN where the horizon ends earlier).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pandas as pd

from ..errors import ScenarioError
from ..scenario_io import Experiment
from ..sim.params import WEEKS_PER_YEAR, Scenario
from .results import Results
from .stats import t_interval

BASELINE = "no_programme"
CATEGORIES = ((1.0, "poor"), (1.5, "low"), (2.0, "medium"), (math.inf, "high"))
"""Value-for-money categories of the benefit-cost ratio (UK DfT): the upper bound of each."""


def _with_programme(sc: Scenario, **programme: object) -> Scenario:
    data = sc.model_dump(mode="json")
    data["programme"] = {**data["programme"], **programme}
    return Scenario.model_validate(data)


def appraisal_experiment(exp: Experiment, regime: str, budget: float | None = None) -> Experiment:
    """The regimes of an appraisal of ``regime``'s programme, baseline ``no_programme`` first.

    ``budget`` (kRUB): compare the instruments at one public budget: each instrument alone may
    spend at most ``budget``, and the whole programme ``budget`` split evenly among them."""
    if regime not in exp.regimes:
        raise ScenarioError(f"--regime {regime}: not a regime of {exp.source} (have: {', '.join(exp.regimes)})")
    sc = exp.regimes[regime]
    prog = sc.programme
    if not prog.instruments:
        raise ScenarioError(
            f"{exp.source}: regime '{regime}' has no programme to appraise; add a programme: block with instruments"
        )
    if not prog.funded:
        raise ScenarioError(f"{exp.source}: regime '{regime}' has programme.funded: false; nothing is paid")
    clash = set(prog.names) & {BASELINE, "programme"}
    if clash and len(prog.instruments) > 1:
        raise ScenarioError(f"{exp.source}: programme: an instrument may not be named '{sorted(clash)[0]}'")
    instruments = [i.model_dump(mode="json") for i in prog.instruments]
    if budget is not None:
        if not (math.isfinite(budget) and budget > 0):
            raise ScenarioError(f"--budget {budget}: give a positive amount in kRUB")
        share = budget / len(instruments)
        sc = _with_programme(sc, instruments=[{**i, "budget": share} for i in instruments])
        instruments = [{**i, "budget": budget} for i in instruments]
    regimes = {BASELINE: _with_programme(sc, funded=False), "programme": sc}
    if len(instruments) > 1:
        for name, inst in zip(prog.names, instruments, strict=True):
            regimes[name] = _with_programme(sc, instruments=[inst])
    return replace(exp, base=regimes[BASELINE], regimes=regimes, overrides={r: {} for r in regimes}, baseline=BASELINE)


def category(bcr: float) -> str:
    """The value-for-money category of a benefit-cost ratio."""
    if not math.isfinite(bcr):
        return "n/a"
    return next(name for bound, name in CATEGORIES if bcr < bound)


def _row(regime: str, measure: str, unit: str, values: np.ndarray, note: str = "") -> dict:
    mean, lo, hi, n = t_interval(values[:, None])
    return {
        "regime": regime,
        "measure": measure,
        "unit": unit,
        "mean": float(mean[0]),
        "ci_low": float(lo[0]),
        "ci_high": float(hi[0]),
        "n": int(n[0]),
        "note": note,
    }


def value_for_money(results: Results, regimes: dict[str, Scenario]) -> pd.DataFrame:
    """The agency's measures per programme regime against ``no_programme``, with 95% intervals."""
    data = results.data
    names = list(results.regimes)
    base = data[names.index(BASELINE)]
    col = results.index
    weeks = np.arange(results.steps)
    rows = []
    for regime in names:
        if regime == BASELINE:
            continue
        sc = regimes[regime]
        prog = sc.programme
        discount = (1.0 + prog.discount_rate) ** (-weeks / WEEKS_PER_YEAR)
        run = data[names.index(regime)]
        cost = run[:, :, col("public_cost")] - run[:, :, col("public_fees")]  # net of a centre's user fees
        cost_nominal = cost.sum(axis=1)
        cost_pv = (cost * discount).sum(axis=1)
        jobs = run[:, :, col("employment")] - base[:, :, col("employment")]
        adjacent = (run[:, :, col("adjacent_jobs")] - base[:, :, col("adjacent_jobs")]) * (1.0 - prog.leakage)
        job_years = (jobs + adjacent).sum(axis=1) / WEEKS_PER_YEAR
        benefit = run[:, :, col("profit")] - run[:, :, col("public_to_firms")] - base[:, :, col("profit")]
        benefit_pv = (benefit * discount).sum(axis=1)
        rows.append(_row(regime, "public_cost", "kRUB", cost_nominal, "net of user fees"))
        rows.append(_row(regime, "public_cost_discounted", "kRUB", cost_pv, f"at {prog.discount_rate:.1%} a year"))
        gross = (run[:, :, col("member_employment")] - base[:, :, col("member_employment")]).sum(axis=1)
        rows.append(
            _row(regime, "gross_job_years", "job-years", gross / WEEKS_PER_YEAR, "in the supported (member) firms")
        )
        jy = _row(regime, "net_job_years", "job-years", job_years, f"leakage {prog.leakage:.0%} of adjacent jobs")
        rows.append(jy)
        rows.append(_cost_per_job(regime, float(np.nanmean(cost_pv)), jy))
        rows.append(_row(regime, "net_benefit_discounted", "kRUB", benefit_pv, "profit without the subsidies received"))
        private = run[:, :, col("private_leveraged")].sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            leverage = np.where(cost_nominal > 0, private / cost_nominal, np.nan)
        rows.append(
            _row(regime, "leverage", "kRUB per public kRUB", leverage, "private co-investment per public rouble")
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            bcr = np.where(cost_pv > 0, benefit_pv / cost_pv, np.nan)
        b = _row(regime, "benefit_cost_ratio", "ratio", bcr)
        b["note"] = _category_note(b)
        rows.append(b)
        end = max(i.end_week for i in prog.instruments)
        for year in (1, 2, 3):
            lo, hi = end + int(WEEKS_PER_YEAR) * (year - 1), end + int(WEEKS_PER_YEAR) * year
            if hi <= results.steps:
                per_rep = (jobs + adjacent)[:, lo:hi].mean(axis=1)
                rows.append(_row(regime, f"jobs_{year}y_after", "jobs", per_rep, f"weeks {lo}-{hi - 1}"))
            else:
                rows.append(
                    {
                        "regime": regime,
                        "measure": f"jobs_{year}y_after",
                        "unit": "jobs",
                        "mean": math.nan,
                        "ci_low": math.nan,
                        "ci_high": math.nan,
                        "n": 0,
                        "note": f"beyond the horizon (runs end at week {results.steps}; needs {hi})",
                    }
                )
    return pd.DataFrame(rows)


def _cost_per_job(regime: str, cost_pv: float, jobs: dict) -> dict:
    """Discounted cost over net job-years, bounded by the job-years' interval; unbounded when that
    interval reaches zero (the programme may have created no job at all)."""
    row = {"regime": regime, "measure": "cost_per_net_job_year", "unit": "kRUB per job-year", "n": jobs["n"]}
    if cost_pv <= 0:
        return {**row, "mean": 0.0, "ci_low": 0.0, "ci_high": 0.0, "note": "no public money was spent"}
    if not jobs["ci_low"] > 0:
        return {
            **row,
            "mean": math.inf if jobs["mean"] <= 0 else cost_pv / jobs["mean"],
            "ci_low": cost_pv / jobs["ci_high"] if jobs["ci_high"] > 0 else math.inf,
            "ci_high": math.inf,
            "note": "unbounded: the interval of net job-years reaches zero",
        }
    return {
        **row,
        "mean": cost_pv / jobs["mean"],
        "ci_low": cost_pv / jobs["ci_high"],
        "ci_high": cost_pv / jobs["ci_low"],
        "note": "discounted cost over the interval of net job-years",
    }


def _category_note(row: dict) -> str:
    point, lo, hi = category(row["mean"]), category(row["ci_low"]), category(row["ci_high"])
    if point == "n/a":
        return "no public money was spent"
    if lo == hi:
        return f"value for money: {point}"
    return f"value for money: {point} (the interval spans {lo} to {hi})"


PHRASES = {
    "no_bounded": "No programme regime shows a cost per net job-year: none adds jobs on average, so the "
    "data cannot say that the programme creates jobs.",
    "unbounded": "{said}; its interval of net job-years reaches zero, so that regime too may create no job "
    "and the ranking is not certain.",
    "lowest": "Lowest cost per net job-year: '{regime}', {mean} kRUB [{low}, {high}]",
    "infinite": "unbounded",
    "alone": "{said}.",
    "overlap": "{said}; its interval overlaps with {names}, so the ranking is not certain.",
    "no_overlap": "{said}; its interval does not overlap with the others'.",
    "benefits": "Benefits (firms' profit without the subsidies) against public cost: {parts}.",
    "pays": "returns more than it costs with 95% confidence (benefit-cost ratio above 1): {names}",
    "loses": "returns less than it costs: {names}",
    "unclear": "the data cannot tell whether it returns its cost: {names}",
}
"""The appraisal's sentences (English); the report passes its language's (``outputs.i18n``)."""


def _thousands(v: float) -> str:
    return f"{v:,.0f}"


def lowest_cost_per_job(
    table: pd.DataFrame, phrases: dict[str, str] = PHRASES, fmt: Callable[[float], str] = _thousands
) -> str:
    """One sentence for the report and the console: which regime buys a net job-year for least, and
    whether the intervals allow the ranking."""
    rows = table[table["measure"] == "cost_per_net_job_year"]
    finite = rows[np.isfinite(rows["mean"]) & (rows["mean"] > 0)]
    if finite.empty:
        return phrases["no_bounded"]
    best = finite.sort_values("mean").iloc[0]
    others = rows[rows["regime"] != best["regime"]]
    overlap = [r for r in others.itertuples() if r.ci_low <= best["ci_high"]]
    high = fmt(best["ci_high"]) if np.isfinite(best["ci_high"]) else phrases["infinite"]
    said = phrases["lowest"].format(regime=best["regime"], mean=fmt(best["mean"]), low=fmt(best["ci_low"]), high=high)
    if not np.isfinite(best["ci_high"]):
        return phrases["unbounded"].format(said=said)
    if not len(others):
        return phrases["alone"].format(said=said)
    if overlap:
        return phrases["overlap"].format(said=said, names=", ".join(repr(r.regime) for r in overlap))
    return phrases["no_overlap"].format(said=said)


def benefit_sentence(table: pd.DataFrame, phrases: dict[str, str] = PHRASES) -> str:
    """Which regimes return more than they cost with 95% confidence, which less, and which the data
    cannot tell apart from 1 (the benefit-cost ratio's interval)."""
    rows = table[table["measure"] == "benefit_cost_ratio"]
    pays = [r.regime for r in rows.itertuples() if r.ci_low > 1]
    loses = [r.regime for r in rows.itertuples() if r.ci_high < 1]
    unclear = [r.regime for r in rows.itertuples() if r.regime not in pays + loses and np.isfinite(r.mean)]
    parts = [
        phrases[key].format(names=", ".join(names))
        for key, names in (("pays", pays), ("loses", loses), ("unclear", unclear))
        if names
    ]
    return phrases["benefits"].format(parts="; ".join(parts)) if parts else ""
