"""Read-only observers: the weekly metrics computed from a model's state.

Each metric has a plain-words label, a unit, and the horizon statistic that summarises a run:
``mean`` (average weekly value over the horizon) or ``final`` (value in the last week). The list
depends on the scenario only through its stage names (one utilisation metric per stage).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from .rows import row_sum

if TYPE_CHECKING:
    from .district import DistrictModel

WEEKS_PER_YEAR = 52.0


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    unit: str
    horizon: Literal["mean", "final"]
    doc: str


BASE_METRICS: tuple[Metric, ...] = (
    Metric("firms_active", "Active firms", "firms", "final", "Firms still trading."),
    Metric("members", "District members", "firms", "final", "Active firms that are district members."),
    Metric("entries", "Entries", "firms per week", "mean", "Firms that entered this week (M8)."),
    Metric("exits", "Exits", "firms per week", "mean", "Firms that left this week (insolvent or failed)."),
    Metric("demand", "Demand", "units per week", "mean", "Units ordered by home customers of active firms."),
    Metric("output", "Output", "units per week", "mean", "Good units delivered (home and export)."),
    Metric(
        "lost_sales",
        "Lost sales",
        "units per week",
        "mean",
        "Orders not served and not kept waiting, plus defective units.",
    ),
    Metric("backlog", "Backlog", "units", "mean", "Orders waiting at the end of the week."),
    Metric("revenue", "Revenue", "kRUB per week", "mean", "Sales to customers (payments between firms excluded)."),
    Metric("export_share", "Export share", "fraction", "mean", "Export sales over all sales (M6)."),
    Metric(
        "total_cost",
        "Total cost",
        "kRUB per week",
        "mean",
        "Variable, fixed, depreciation, coordination, transport, fees and write-offs, paid outside the sector.",
    ),
    Metric("profit", "Profit", "kRUB per week", "mean", "Sum of active firms' profits."),
    Metric("cash", "Cash", "kRUB", "final", "Cash held by active firms (negative: overdraft)."),
    Metric("fixed_assets", "Fixed assets", "kRUB", "final", "Book value of equipment on active firms' balance sheets."),
    Metric("roa", "Return on assets", "per year", "mean", "Annualised profit over fixed assets."),
    Metric(
        "utilization",
        "Capacity utilisation",
        "fraction",
        "mean",
        "Stage capacity used (own and partners' orders) over capacity held, all stages.",
    ),
    Metric("idle_capacity", "Idle capacity", "fraction", "mean", "One minus utilisation."),
    Metric("unit_cost", "Unit cost", "kRUB per unit", "mean", "Total cost over good units delivered."),
    Metric("defect_rate", "Defect rate", "fraction", "mean", "Defective units over units produced."),
    Metric(
        "lead_time",
        "Lead time",
        "weeks",
        "mean",
        "Output-weighted processing time through all stages plus waiting time of the backlog.",
    ),
    Metric(
        "shared_units",
        "Units traded between firms",
        "stage-units per week",
        "mean",
        "Stage work done by a partner and delivered.",
    ),
    Metric(
        "failed_units",
        "Partner work not delivered",
        "stage-units per week",
        "mean",
        "Stage work agreed with a partner that failed to deliver.",
    ),
    Metric(
        "coordination_cost",
        "Coordination cost",
        "kRUB per week",
        "mean",
        "Cost of arranging partner work, falling with trust.",
    ),
    Metric("trust_mean", "Mean trust", "0..1", "mean", "Mean trust over live partner links (empty without links)."),
    Metric("partner_links", "Partner links", "links", "mean", "Live partner links between active members."),
    Metric(
        "reputation",
        "District reputation",
        "0..1",
        "mean",
        "Members' good-unit share times on-time share, smoothed (M6).",
    ),
    Metric("export_open", "Export channel open", "fraction of weeks", "mean", "1 while the channel is open (M6)."),
    Metric(
        "adjacent_revenue",
        "Adjacent-industry revenue",
        "kRUB per week",
        "mean",
        "Purchases firms make from local suppliers (M5).",
    ),
    Metric("adjacent_jobs", "Adjacent-industry jobs", "jobs", "mean", "Local supplier jobs those purchases support."),
    Metric(
        "adjacent_entries",
        "Adjacent-industry entries",
        "firms per week",
        "mean",
        "New local supplier firms when their sales pass their previous peak.",
    ),
    Metric("employment", "Employment", "employees", "mean", "Employees of active firms (scaling with capacity held)."),
    Metric(
        "profit_gini",
        "Profit inequality (Gini)",
        "0..1",
        "mean",
        "Gini coefficient of active firms' quarterly average profits (losses count as zero).",
    ),
    Metric("member_firms", "Active members", "firms", "final", "Active firms that are members."),
    Metric("nonmember_firms", "Active non-members", "firms", "final", "Active firms that are not members."),
    Metric("member_profit", "Profit per member", "kRUB per firm-week", "mean", "Mean profit of active members."),
    Metric(
        "nonmember_profit", "Profit per non-member", "kRUB per firm-week", "mean", "Mean profit of active non-members."
    ),
    Metric("member_roa", "Members' return on assets", "per year", "mean", "Members' annualised profit over assets."),
    Metric(
        "nonmember_roa",
        "Non-members' return on assets",
        "per year",
        "mean",
        "Non-members' annualised profit over assets.",
    ),
    Metric("member_survival", "Members' survival", "fraction", "final", "Starting members still active."),
    Metric("nonmember_survival", "Non-members' survival", "fraction", "final", "Starting non-members still active."),
    Metric("entrant_survival", "Entrants' survival", "fraction", "final", "Entrants of the run still active."),
    Metric(
        "smaller_profit",
        "Profit per smaller firm",
        "kRUB per firm-week",
        "mean",
        "Mean profit of the active starting firms in the smaller half by starting employees.",
    ),
    Metric(
        "larger_profit",
        "Profit per larger firm",
        "kRUB per firm-week",
        "mean",
        "Mean profit of the active starting firms in the larger half by starting employees.",
    ),
    Metric(
        "smaller_survival",
        "Smaller firms' survival",
        "fraction",
        "final",
        "Starting firms of the smaller half by employees still active.",
    ),
    Metric(
        "larger_survival",
        "Larger firms' survival",
        "fraction",
        "final",
        "Starting firms of the larger half by employees still active.",
    ),
)


HEADLINE = (
    "profit",
    "roa",
    "smaller_profit",
    "larger_profit",
    "output",
    "lost_sales",
    "utilization",
    "unit_cost",
    "firms_active",
    "entrant_survival",
)
"""The effects shown first, in this order: on the console after a run and in report.html."""


def metric_list(stage_names: tuple[str, ...]) -> tuple[Metric, ...]:
    """All metrics of a scenario: the base list plus one utilisation metric per stage."""
    per_stage = tuple(
        Metric(
            f"utilization_{name}",
            f"Utilisation: {name}",
            "fraction",
            "mean",
            f"Capacity used at stage '{name}' over capacity held there.",
        )
        for name in stage_names
    )
    return BASE_METRICS + per_stage


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


def _group(model: DistrictModel, mask: np.ndarray, start: np.ndarray) -> tuple[float, float, float, float]:
    """Active firms, profit per firm, ROA and survival of starting firms for one group."""
    act = model.active & mask
    k = int(act.sum())
    profit = float(model.flows["profit"][act].sum())
    assets = float(model.fixed_assets[act].sum())
    started = int((start & mask).sum())
    survivors = int((start & act).sum())
    return (
        float(k),
        _ratio(profit, k),
        _ratio(WEEKS_PER_YEAR * profit, assets),
        _ratio(survivors, started),
    )


def observe(model: DistrictModel) -> np.ndarray:
    """This week's metrics, in the order of ``model.metrics``. Reads the model, changes nothing."""
    p = model.scenario_params
    act = model.active
    fl = model.flows
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
    cap = np.where(act[:, None], model.capacity, 0.0)
    used = np.where(act[:, None], model.own_use + model.sold, 0.0)
    cap_stage, used_stage = cap.sum(axis=0), used.sum(axis=0)
    profit = float(fl["profit"].sum())
    fixed_assets = float(model.fixed_assets[act].sum())
    output = float(model.output.sum())
    produced = float(model.produced.sum())
    utilization = _ratio(float(used_stage.sum()), float(cap_stage.sum()))
    sales = float(fl["sales"].sum())
    live = model.edge_alive
    waiting = np.divide(model.backlog, model.produced, out=np.zeros_like(model.backlog), where=model.produced > 0)
    lead = row_sum(model.processing) + waiting
    s = model.n_stages
    employment = model.employees * (row_sum(model.capacity) / s) / (row_sum(model.capacity0) / s)
    start = model.starting
    member_k, member_profit, member_roa, member_surv = _group(model, model.member, start)
    non_k, non_profit, non_roa, non_surv = _group(model, ~model.member, start)
    _, small_profit, _, small_surv = _group(model, model.smaller, start)
    _, large_profit, _, large_surv = _group(model, start & ~model.smaller, start)
    values = {
        "firms_active": float(act.sum()),
        "members": float((act & model.member).sum()),
        "entries": float(model.entries_last),
        "exits": float(model.exits_last),
        "demand": float(model.demand.sum()),
        "output": output,
        "lost_sales": float(model.lost.sum()),
        "backlog": float(model.backlog.sum()),
        "revenue": sales,
        "export_share": _ratio(float(fl["export_sales"].sum()), sales),
        "total_cost": float(outside_cost.sum()),
        "profit": profit,
        "cash": float(model.cash[act].sum()),
        "fixed_assets": fixed_assets,
        "roa": _ratio(WEEKS_PER_YEAR * profit, fixed_assets),
        "utilization": utilization,
        "idle_capacity": 1.0 - utilization,
        "unit_cost": _ratio(float(outside_cost.sum()), output),
        "defect_rate": _ratio(float(model.defective.sum()), produced),
        "lead_time": _ratio(float((lead * model.produced).sum()), produced),
        "shared_units": float(model.trade_units.sum()),
        "failed_units": float(model.trade_failed.sum()),
        "coordination_cost": float(fl["coordination"].sum()),
        "trust_mean": float(model.trust[live].mean()) if live.any() else float("nan"),
        "partner_links": float(live.sum()) / 2.0,
        "reputation": model.reputation if (model.member & act).any() else float("nan"),
        "export_open": float(model.export_open),
        "adjacent_revenue": model.adjacent_revenue,
        "adjacent_jobs": model.adjacent_revenue / p.adjacent.revenue_per_job,
        "adjacent_entries": float(model.adjacent_entries),
        "employment": float(employment[act].sum()),
        "profit_gini": gini(np.maximum(model.profit_avg[act], 0.0)),
        "member_firms": member_k,
        "nonmember_firms": non_k,
        "member_profit": member_profit,
        "nonmember_profit": non_profit,
        "member_roa": member_roa,
        "nonmember_roa": non_roa,
        "member_survival": member_surv,
        "nonmember_survival": non_surv,
        "entrant_survival": _ratio(
            float((model.born & model.active & ~start).sum()), float((model.born & ~start).sum())
        ),
        "smaller_profit": small_profit,
        "larger_profit": large_profit,
        "smaller_survival": small_surv,
        "larger_survival": large_surv,
    }
    per_stage = np.divide(used_stage, cap_stage, out=np.full(cap_stage.shape, np.nan), where=cap_stage > 0)
    return np.concatenate((np.array([values[m.name] for m in BASE_METRICS]), per_stage))
