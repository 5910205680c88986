"""ODD 7.11, observation: the week's metrics read from the World (read-only), in the order of
``metrics.metric_list``; ``gini`` of profits."""

from __future__ import annotations

import numpy as np

from . import membership
from .metrics import BASE_METRICS, FORMATION_METRICS, PROGRAMME_METRICS
from .params import WEEKS_PER_YEAR
from .rows import row_sum
from .world import World


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else float("nan")


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0: equal, towards 1: concentrated)."""
    x = np.sort(values)
    n = x.size
    total = x.sum()
    if n == 0 or total <= 0:
        return float("nan")
    return float((2.0 * np.arange(1, n + 1) - n - 1) @ x / (n * total))


def _group(w: World, mask: np.ndarray, start: np.ndarray) -> tuple[float, float, float, float]:
    """Active firms, profit per firm, ROA and survival of starting firms for one group."""
    act = w.active & mask
    k = int(act.sum())
    profit = float(w.flows["profit"][act].sum())
    assets = float(w.fixed_assets[act].sum())
    started = int((start & mask).sum())
    survivors = int((start & act).sum())
    return (
        float(k),
        _ratio(profit, k),
        _ratio(WEEKS_PER_YEAR * profit, assets),
        _ratio(survivors, started),
    )


def observe(w: World) -> np.ndarray:
    """This week's metrics, in the order of ``metrics.metric_list``. Reads the World, changes nothing."""
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
    cap = np.where(act[:, None], w.capacity, 0.0)
    used = np.where(act[:, None], w.own_use + w.sold, 0.0)
    cap_stage, used_stage = cap.sum(axis=0), used.sum(axis=0)
    profit = float(fl["profit"].sum())
    fixed_assets = float(w.fixed_assets[act].sum())
    output = float(w.output.sum())
    produced = float(w.produced.sum())
    utilization = _ratio(float(used_stage.sum()), float(cap_stage.sum()))
    sales = float(fl["sales"].sum())
    live = w.edge_alive
    waiting = np.divide(w.backlog, w.produced, out=np.zeros_like(w.backlog), where=w.produced > 0)
    lead = row_sum(w.processing) + waiting
    s = w.n_stages
    employment = w.employees * (row_sum(w.capacity) / s) / (row_sum(w.capacity0) / s)
    start = w.starting
    member_k, member_profit, member_roa, member_surv = _group(w, w.member, start)
    non_k, non_profit, non_roa, non_surv = _group(w, ~w.member, start)
    _, small_profit, _, small_surv = _group(w, w.smaller, start)
    _, large_profit, _, large_surv = _group(w, start & ~w.smaller, start)
    values = {
        "firms_active": float(act.sum()),
        "members": float((act & w.member).sum()),
        "entries": float(w.entries_last),
        "exits": float(w.exits_last),
        "demand": float(w.demand.sum()),
        "output": output,
        "lost_sales": float(w.lost.sum()),
        "backlog": float(w.backlog.sum()),
        "revenue": sales,
        "export_share": _ratio(float(fl["export_sales"].sum()), sales),
        "total_cost": float(outside_cost.sum()),
        "profit": profit,
        "cash": float(w.cash[act].sum()),
        "fixed_assets": fixed_assets,
        "roa": _ratio(WEEKS_PER_YEAR * profit, fixed_assets),
        "utilization": utilization,
        "idle_capacity": 1.0 - utilization,
        "unit_cost": _ratio(float(outside_cost.sum()), output),
        "defect_rate": _ratio(float(w.defective.sum()), produced),
        "lead_time": _ratio(float((lead * w.produced).sum()), produced),
        "shared_units": float(w.trade_units.sum()),
        "failed_units": float(w.trade_failed.sum()),
        "coordination_cost": float(fl["coordination"].sum()),
        "trust_mean": float(w.trust[live].mean()) if live.any() else float("nan"),
        "partner_links": float(live.sum()) / 2.0,
        "reputation": w.reputation if (w.member & act).any() else float("nan"),
        "export_open": float(w.export_open),
        "adjacent_revenue": w.adjacent_revenue,
        "adjacent_jobs": w.adjacent_revenue / p.adjacent.revenue_per_job,
        "adjacent_entries": float(w.adjacent_entries),
        "employment": float(employment[act].sum()),
        "profit_gini": gini(np.maximum(w.profit_avg[act], 0.0)),
        "member_firms": member_k,
        "nonmember_firms": non_k,
        "member_profit": member_profit,
        "nonmember_profit": non_profit,
        "member_roa": member_roa,
        "nonmember_roa": non_roa,
        "member_survival": member_surv,
        "nonmember_survival": non_surv,
        "entrant_survival": _ratio(float((w.born & w.active & ~start).sum()), float((w.born & ~start).sum())),
        "smaller_profit": small_profit,
        "larger_profit": large_profit,
        "smaller_survival": small_surv,
        "larger_survival": large_surv,
        "profit_per_firm": _ratio(profit, float(act.sum())),
    }
    per_stage = np.divide(used_stage, cap_stage, out=np.full(cap_stage.shape, np.nan), where=cap_stage > 0)
    row = np.concatenate((np.array([values[m.name] for m in BASE_METRICS]), per_stage))
    if choice:
        share = membership.member_share(w)
        formation = {
            "joins": float(w.joins_last),
            "leaves": float(w.leaves_last),
            "member_share": share,
            "sustained": float(share >= p.district.sustain_share),
            "weeks_to_sustain": w.sustained_week,
        }
        row = np.concatenate((row, [formation[m.name] for m in FORMATION_METRICS]))
    if p.programme.instruments:
        public = {
            "public_cost": float(w.public_paid.sum()),
            "public_to_firms": float(fl["subsidy"].sum()),
            "public_spent": float(w.public_spent.sum()),
            "private_leveraged": w.private_leveraged,
            "public_fees": w.public_fees,
            "member_employment": float(employment[act & w.member].sum()),
        }
        row = np.concatenate((row, [public[m.name] for m in PROGRAMME_METRICS]))
    return row
