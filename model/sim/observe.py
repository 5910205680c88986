"""ODD 7.11, observation: the week's metrics read from the World (read-only), in the order of
``metrics.metric_list``; ``gini`` of profits."""

from __future__ import annotations

import numpy as np

from . import membership
from .metrics import BASE_METRICS, FORMATION_METRICS, PROGRAMME_METRICS
from .params import WEEKS_PER_YEAR
from .rows import row_sum
from .world import World


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """Per run ``num / den`` where ``den > 0``, else NaN."""
    den = np.asarray(den, dtype=float)
    return np.divide(num, den, out=np.full(den.shape, np.nan), where=den > 0)


def gini_runs(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Per row of (B, N) non-negative ``values``, the Gini coefficient of the entries where ``mask``
    (0: equal, towards 1: concentrated; NaN with no entry or a zero total)."""
    n = mask.sum(axis=1)
    x = np.sort(np.where(mask, values, np.inf), axis=1)
    rank = np.arange(1, values.shape[1] + 1)[None, :]
    inside = rank <= n[:, None]
    x = np.where(inside, x, 0.0)
    coef = np.where(inside, 2.0 * rank - n[:, None] - 1, 0.0)
    total = x.sum(axis=1)
    return _ratio((coef * x).sum(axis=1), n * np.where(total > 0, total, 0.0))


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0: equal, towards 1: concentrated)."""
    return float(gini_runs(values[None, :], np.ones((1, values.size), dtype=bool))[0])


def _group(w: World, mask: np.ndarray, start: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per run: active firms, profit per firm, ROA and survival of starting firms for one group."""
    act = w.active & mask
    k = w.runs(act).sum(axis=1).astype(float)
    profit = w.run_sum(np.where(act, w.flows["profit"], 0.0))
    assets = w.run_sum(np.where(act, w.fixed_assets, 0.0))
    started = w.runs(start & mask).sum(axis=1)
    survivors = w.runs(start & act).sum(axis=1)
    return k, _ratio(profit, k), _ratio(WEEKS_PER_YEAR * profit, assets), _ratio(survivors, started)


def observe(w: World) -> np.ndarray:
    """This week's metrics of every run, (B, metrics), in the order of ``metrics.metric_list``.
    Reads the World, changes nothing."""
    p = w.scenario
    act = w.active
    fl = w.flows
    outside_cost = (
        fl["variable_cost"]
        + fl["fixed_cost"]
        + fl["depreciation"]
        + fl["coordination"]
        + fl["transport"]
        + fl["membership_fee"]
        + fl["consortium_fee"]
        + fl["write_off"]
    )
    choice = p.district.membership == "choice"
    if choice:
        outside_cost = outside_cost + fl["joining_cost"]
    if "centre_fee" in fl:  # paid to the agency for a service centre's work
        outside_cost = outside_cost + fl["centre_fee"]
    total = w.run_sum
    count = lambda mask: w.runs(mask).sum(axis=1).astype(float)  # noqa: E731
    some = lambda mask, x: total(np.where(mask, x, 0.0))  # noqa: E731 - a per-run sum over the masked firms
    cap = np.where(act[:, None], w.capacity, 0.0)
    used = np.where(act[:, None], w.own_use + w.sold, 0.0)
    cap_stage, used_stage = total(cap), total(used)  # (B, S)
    profit = total(fl["profit"])
    fixed_assets = some(act, w.fixed_assets)
    output = total(w.output)
    produced = total(w.produced)
    utilization = _ratio(used_stage.sum(axis=1), cap_stage.sum(axis=1))
    sales = total(fl["sales"])
    live = w.edge_alive
    links = np.bincount(w.edge_run[live], minlength=w.n_runs).astype(float)
    trust_sum = np.bincount(w.edge_run[live], w.trust[live], minlength=w.n_runs)
    trade = lambda x: np.bincount(w.trade_run, x, minlength=w.n_runs)  # noqa: E731 - per-run sums over trades
    waiting = np.divide(w.backlog, w.produced, out=np.zeros_like(w.backlog), where=w.produced > 0)
    lead = row_sum(w.processing) + waiting
    s = w.n_stages
    employment = w.employees * (row_sum(w.capacity) / s) / (row_sum(w.capacity0) / s)
    start = w.starting
    members_now = count(act & w.member)
    member_k, member_profit, member_roa, member_surv = _group(w, w.member, start)
    non_k, non_profit, non_roa, non_surv = _group(w, ~w.member, start)
    _, small_profit, _, small_surv = _group(w, w.smaller, start)
    _, large_profit, _, large_surv = _group(w, start & ~w.smaller, start)
    cost = total(outside_cost)
    firms = count(act)
    values = {
        "firms_active": firms,
        "members": members_now,
        "entries": w.entries_last,
        "exits": w.exits_last,
        "demand": total(w.demand),
        "output": output,
        "lost_sales": total(w.lost),
        "backlog": total(w.backlog),
        "revenue": sales,
        "export_share": _ratio(total(fl["export_sales"]), sales),
        "total_cost": cost,
        "profit": profit,
        "cash": some(act, w.cash),
        "fixed_assets": fixed_assets,
        "roa": _ratio(WEEKS_PER_YEAR * profit, fixed_assets),
        "utilization": utilization,
        "idle_capacity": 1.0 - utilization,
        "unit_cost": _ratio(cost, output),
        "defect_rate": _ratio(total(w.defective), produced),
        "lead_time": _ratio(total(lead * w.produced), produced),
        "shared_units": trade(w.trade_units),
        "failed_units": trade(w.trade_failed),
        "coordination_cost": total(fl["coordination"]),
        "trust_mean": _ratio(trust_sum, links),
        "partner_links": links / 2.0,
        "reputation": np.where(members_now > 0, w.reputation, np.nan),
        "export_open": w.export_open.astype(float),
        "adjacent_revenue": w.adjacent_revenue,
        "adjacent_jobs": w.adjacent_revenue / p.adjacent.revenue_per_job,
        "adjacent_entries": w.adjacent_entries.astype(float),
        "employment": some(act, employment),
        "profit_gini": gini_runs(w.runs(np.maximum(w.profit_avg, 0.0)), w.runs(act)),
        "member_firms": member_k,
        "nonmember_firms": non_k,
        "member_profit": member_profit,
        "nonmember_profit": non_profit,
        "member_roa": member_roa,
        "nonmember_roa": non_roa,
        "member_survival": member_surv,
        "nonmember_survival": non_surv,
        "entrant_survival": _ratio(count(w.born & w.active & ~start), count(w.born & ~start)),
        "smaller_profit": small_profit,
        "larger_profit": large_profit,
        "smaller_survival": small_surv,
        "larger_survival": large_surv,
        "profit_per_firm": _ratio(profit, firms),
    }
    per_stage = _ratio(used_stage, cap_stage)
    columns = [values[m.name] for m in BASE_METRICS] + list(per_stage.T)
    if choice:
        share = membership.member_share(w)
        formation = {
            "joins": w.joins_last,
            "leaves": w.leaves_last,
            "member_share": share,
            "sustained": (share >= p.district.sustain_share).astype(float),
            "weeks_to_sustain": w.sustained_week,
        }
        columns += [formation[m.name] for m in FORMATION_METRICS]
    if p.programme.instruments:
        public = {
            "public_cost": w.public_paid.sum(axis=1),
            "public_to_firms": total(fl["subsidy"]),
            "public_spent": w.public_spent.sum(axis=1),
            "private_leveraged": w.private_leveraged,
            "public_fees": w.public_fees,
            "member_employment": some(act & w.member, employment),
        }
        columns += [public[m.name] for m in PROGRAMME_METRICS]
    return np.column_stack(columns)
