"""Read-only observers: the weekly sector metrics computed from a model's state.

Each metric has a plain-words label, a unit, and the horizon statistic that summarises a run:
``mean`` (average weekly value over the horizon) or ``final`` (value in the last week).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

if TYPE_CHECKING:
    from .core import DistrictModel

WEEKS_PER_YEAR = 52.0


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    unit: str
    horizon: Literal["mean", "final"]
    doc: str


METRICS: tuple[Metric, ...] = (
    Metric("firms_active", "Active firms", "firms", "final", "Firms still trading."),
    Metric("members", "District members", "firms", "final", "Active firms that are district members."),
    Metric("exits", "Exits", "firms per week", "mean", "Firms that left the market this week (insolvent)."),
    Metric("demand", "Demand", "units per week", "mean", "Units ordered by customers of active firms."),
    Metric("output", "Output", "units per week", "mean", "Units delivered to customers."),
    Metric("lost_sales", "Lost sales", "units per week", "mean", "Demand not served and not kept waiting."),
    Metric("backlog", "Backlog", "units", "mean", "Orders waiting at the end of the week."),
    Metric("revenue", "Revenue", "kRUB per week", "mean", "Sales to customers (payments between firms excluded)."),
    Metric(
        "total_cost",
        "Total cost",
        "kRUB per week",
        "mean",
        "Variable, fixed, depreciation, coordination, transport and fees paid outside the sector.",
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
    Metric("unit_cost", "Unit cost", "kRUB per unit", "mean", "Total cost over output."),
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
)
METRIC_INDEX = {m.name: i for i, m in enumerate(METRICS)}
METRIC_NAMES = tuple(m.name for m in METRICS)


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else float("nan")


def observe(model: DistrictModel) -> np.ndarray:
    """This week's metrics, in the order of ``METRICS``. Reads the model, changes nothing."""
    act = model.active
    fl = model.flows
    outside_cost = (
        fl["variable_cost"]
        + fl["fixed_cost"]
        + fl["depreciation"]
        + fl["coordination"]
        + fl["transport"]
        + fl["membership_fee"]
    )
    cap = model.capacity[act]
    used = (model.own_use + model.sold)[act]
    profit = float(fl["profit"].sum())
    fixed_assets = float(model.fixed_assets[act].sum())
    output = float(model.output.sum())
    cap_total = float(cap.sum())
    utilization = _ratio(float(used.sum()), cap_total)
    live = model.edge_alive
    values = {
        "firms_active": float(act.sum()),
        "members": float((act & model.member).sum()),
        "exits": float(model.exits_last),
        "demand": float(model.demand.sum()),
        "output": output,
        "lost_sales": float(model.lost.sum()),
        "backlog": float(model.backlog.sum()),
        "revenue": float(fl["sales"].sum()),
        "total_cost": float(outside_cost.sum()),
        "profit": profit,
        "cash": float(model.cash[act].sum()),
        "fixed_assets": fixed_assets,
        "roa": _ratio(WEEKS_PER_YEAR * profit, fixed_assets) if fixed_assets > 0 else float("nan"),
        "utilization": utilization,
        "idle_capacity": 1.0 - utilization,
        "unit_cost": _ratio(float(outside_cost.sum()), output),
        "shared_units": float(model.edge_units.sum()),
        "failed_units": float(model.edge_failed.sum()),
        "coordination_cost": float(fl["coordination"].sum()),
        "trust_mean": float(model.trust[live].mean()) if live.any() else float("nan"),
    }
    return np.array([values[name] for name in METRIC_NAMES])
