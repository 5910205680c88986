"""The metric catalogue: what the model records each week (no state, no computation).

Each metric has a plain-words label, a unit, and the horizon statistic that summarises a run:
``mean`` (average weekly value over the horizon) or ``final`` (value in the last week). The list
depends on the scenario only through its stage names (one utilisation metric per stage).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal


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
    Metric(
        "profit_per_firm",
        "Profit per firm",
        "kRUB per firm-week",
        "mean",
        "Profit of the active firms over their number: the average firm's weekly profit.",
    ),
)


HEADLINE = (
    "profit_per_firm",
    "profit",
    "employment",
    "adjacent_jobs",
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


RUN_SHARE = "fraction of runs"
"""Unit of a metric that is 0 or 1 per run: its mean is a share of runs, its interval a Wilson interval."""

FORMATION_METRICS: tuple[Metric, ...] = (
    Metric("joins", "Firms joining", "firms per week", "mean", "Firms that joined at this week's membership review."),
    Metric("leaves", "Firms leaving", "firms per week", "mean", "Members that left at this week's review."),
    Metric(
        "member_share",
        "Members' share of eligible firms",
        "fraction",
        "final",
        "Members over the active firms the district is open to.",
    ),
    Metric(
        "sustained",
        "District self-sustaining",
        RUN_SHARE,
        "final",
        "1 when the members' share of eligible firms is at least district.sustain_share at the end, else 0.",
    ),
    Metric(
        "weeks_to_sustain",
        "Weeks to a self-sustaining district",
        "weeks",
        "final",
        "First week the members' share reached district.sustain_share (empty if it never did).",
    ),
)
"""Metrics of a district that forms by its firms' choices (district.membership: choice only)."""


PROGRAMME_METRICS: tuple[Metric, ...] = (
    Metric(
        "public_cost",
        "Public cost",
        "kRUB per week",
        "mean",
        "What the agency paid this week: subsidies to firms and payees outside the sector (a broker).",
    ),
    Metric(
        "public_to_firms", "Subsidies to firms", "kRUB per week", "mean", "Of the public cost, what firms received."
    ),
    Metric("public_spent", "Public spending so far", "kRUB", "final", "What the agency has paid since the start."),
    Metric(
        "member_employment",
        "Employment in member firms",
        "employees",
        "mean",
        "Employees of the active members: the firms a programme supports (gross jobs).",
    ),
    Metric(
        "public_fees",
        "User fees to the agency",
        "kRUB per week",
        "mean",
        "What members paid the agency for a service centre's work.",
    ),
    Metric(
        "private_leveraged",
        "Private investment leveraged",
        "kRUB per week",
        "mean",
        "Members' own share of equipment purchases that a co-investment grant paid part of.",
    ),
)
"""Recorded when the scenario has a programme (``programme.instruments``), funded or not."""


def metric_list(stage_names: tuple[str, ...], choice: bool = False, programme: bool = False) -> tuple[Metric, ...]:
    """All metrics of a scenario: the base list, one utilisation metric per stage, with ``choice``
    (firms choose to join) the formation metrics, and with ``programme`` the agency's ledger."""
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
    return BASE_METRICS + per_stage + (FORMATION_METRICS if choice else ()) + (PROGRAMME_METRICS if programme else ())


def metrics_of(scenario: Any) -> tuple[Metric, ...]:
    """The metrics a run of ``scenario`` (a ``params.Scenario``) records."""
    return metric_list(
        scenario.stage_names, scenario.district.membership == "choice", bool(scenario.programme.instruments)
    )
