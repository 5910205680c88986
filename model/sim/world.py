"""The World: every state variable of one run, declared once (docs/ODD.md section 2).

Each array field carries its axis in its metadata:

- ``stage``: one value per stage (S);
- ``firm``: one row per firm *slot* (N): the starting firms, then room for entrants (M8);
- ``firm_stage``: (N, S);
- ``edge``: one value per directed partner link (E); an undirected link is two edges;
- ``trade``: one value per (edge, stage) pair that traded this week (T);
- ``index``: indices of firm slots (this week's exits and entries);
- ``instrument``: one value per instrument of the public programme (``programme.instruments``).

Fields without an axis are scalars or district-level values. Every field exists from
construction on (``init.initial_world`` fills them in); the phases (one module per ODD section 7
submodel) read and rewrite them. ``slots=True`` makes a misspelt field in a phase an error.
"""

# ruff: noqa: RUF009 - per_firm() and the like return dataclasses.field(default_factory=...), not a shared value
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from .params import Mechanisms, Scenario


def _array(axis: str, dtype: Any = float) -> Any:
    shape = (0, 0) if axis == "firm_stage" else 0
    return field(default_factory=lambda: np.empty(shape, dtype=dtype), metadata={"axis": axis})


def per_stage() -> Any:
    return _array("stage")


def per_firm(dtype: Any = float) -> Any:
    return _array("firm", dtype)


def per_firm_stage() -> Any:
    return _array("firm_stage")


def per_edge(dtype: Any = float) -> Any:
    return _array("edge", dtype)


def per_trade(dtype: Any = float) -> Any:
    return _array("trade", dtype)


def slot_indices() -> Any:
    return _array("index", np.int64)


def per_instrument() -> Any:
    return _array("instrument")


@dataclass(slots=True, eq=False)
class World:
    """Every state variable of one run. See the module docstring for the axes."""

    # --- the run
    scenario: Scenario
    mech: Mechanisms
    stage_names: tuple[str, ...] = ()
    n_firms: int = 0  # slots: starting firms plus entrant slots
    n_start: int = 0
    n_stages: int = 0
    steps: int = 0  # the week being stepped (Mesa's step counter, set by DistrictModel.step)
    district_active: bool = False  # some member-only mechanism is on

    # --- random streams (model/sim/rng.py); the rest are drawn from only at set-up
    rng_demand: np.random.Generator | None = None
    rng_network: np.random.Generator | None = None
    rng_sharing: np.random.Generator | None = None
    rng_entry: np.random.Generator | None = None

    # --- stage constants (S)
    per_employee: np.ndarray = per_stage()  # capacity per employee, units per week
    var_base: np.ndarray = per_stage()  # variable cost before learning, kRUB per unit
    fixed_rate: np.ndarray = per_stage()  # fixed cost, kRUB per unit of capacity per week
    capital_rate: np.ndarray = per_stage()  # equipment, kRUB per unit of capacity
    depreciation_rate: np.ndarray = per_stage()  # per week
    learning_exponent: np.ndarray = per_stage()  # log2(progress ratio)
    defect_base: np.ndarray = per_stage()
    processing_base: np.ndarray = per_stage()  # weeks

    # --- firms: traits and balance sheet (N) and (N, S)
    employees: np.ndarray = per_firm()
    capacity: np.ndarray = per_firm_stage()  # units per week
    capacity0: np.ndarray = per_firm_stage()  # at the start (employment metric)
    efficiency: np.ndarray = per_firm_stage()  # know-how multiplier on variable cost (M4)
    nominal_capacity: np.ndarray = per_firm()  # employees x the lowest capacity per employee
    base_demand: np.ndarray = per_firm()  # units per week at the market's load
    fee_scale: np.ndarray = per_firm()  # dues in proportion to size
    experience0: np.ndarray = per_firm_stage()
    experience: np.ndarray = per_firm_stage()  # units processed (M3)
    learn: np.ndarray = per_firm_stage()  # learning-curve factor on cost, defects, processing
    var_cost: np.ndarray = per_firm_stage()  # kRUB per unit
    defect: np.ndarray = per_firm_stage()  # fraction
    processing: np.ndarray = per_firm_stage()  # weeks
    seller_price: np.ndarray = per_firm_stage()  # price of a stage unit sold to a partner
    fixed_assets: np.ndarray = per_firm()  # kRUB
    cash: np.ndarray = per_firm()  # kRUB
    credit_limit: np.ndarray = per_firm()  # kRUB
    backlog: np.ndarray = per_firm()  # units waiting
    record: np.ndarray = per_firm()  # delivery record: good units over orders, smoothed
    profit_avg: np.ndarray = per_firm()  # quarterly average profit, kRUB per week

    # --- firms: status (N)
    active: np.ndarray = per_firm(bool)
    born: np.ndarray = per_firm(bool)  # has traded at some time (entrant slots start False)
    active_since: np.ndarray = per_firm()  # week the firm started trading (0: starting firms; NaN: not yet)
    starting: np.ndarray = per_firm(bool)  # starting firms (the rest are entrant slots)
    smaller: np.ndarray = per_firm(bool)  # the smaller half of the starting firms, by employees
    member: np.ndarray = per_firm(bool)
    opportunist: np.ndarray = per_firm(bool)

    # --- partner links (E)
    buyer: np.ndarray = per_edge(np.int64)
    seller: np.ndarray = per_edge(np.int64)
    pair: np.ndarray = per_edge(np.int64)  # the reverse edge
    trust: np.ndarray = per_edge()  # the buyer's trust in the seller, 0..1
    edge_alive: np.ndarray = per_edge(bool)
    failed_draw: np.ndarray = per_edge()  # this week's uniform draw per edge (sharing stream)
    edge_coord_rate: np.ndarray = per_edge()  # coordination cost per unit this week

    # --- the market and the district
    market_noise: float = 0.0  # log-AR(1) state of sector demand
    base_total: float = 0.0  # the starting firms' base demand, units per week
    reputation: float = 0.0  # members' collective reputation, 0..1 (M6)
    export_open: bool = False
    adjacent_peak_firms: float = float("nan")  # local suppliers at their peak (M5)
    adjacent_revenue: float = 0.0  # kRUB per week
    adjacent_entries: int = 0
    sector_profit_avg: float = 0.0  # kRUB per week, smoothed over a quarter
    sector_assets_avg: float = 0.0  # kRUB, smoothed over a quarter

    # --- this week, rewritten by the phases
    demand_index: np.ndarray = per_firm()
    demand: np.ndarray = per_firm()  # home orders, units
    export_orders: np.ndarray = per_firm()
    orders: np.ndarray = per_firm()  # demand + backlog + export orders
    need: np.ndarray = per_firm_stage()  # members' shortfall per stage
    idle: np.ndarray = per_firm_stage()  # members' spare capacity per stage
    trade_edge: np.ndarray = per_trade(np.int64)  # trades: one row per (edge, stage) that traded
    trade_stage: np.ndarray = per_trade(np.int64)
    trade_units: np.ndarray = per_trade()  # delivered
    trade_failed: np.ndarray = per_trade()  # agreed, not delivered
    produced: np.ndarray = per_firm()
    received: np.ndarray = per_firm_stage()  # partner work used
    sold: np.ndarray = per_firm_stage()  # work done for partners
    own_use: np.ndarray = per_firm_stage()
    defect_share: np.ndarray = per_firm()
    defective: np.ndarray = per_firm()
    output: np.ndarray = per_firm()  # good units
    export_units: np.ndarray = per_firm()
    lost: np.ndarray = per_firm()  # orders neither served nor waiting, plus defective units
    capacity_traded: np.ndarray = per_firm_stage()  # capacity bought (+) or sold (-) at this review
    flows: dict[str, np.ndarray] = field(default_factory=dict)  # this week's ledger, kRUB per firm
    exited: np.ndarray = slot_indices()
    entered: np.ndarray = slot_indices()
    entries_last: int = 0
    exits_last: int = 0

    # --- membership by choice (district.membership: choice; under random: members are the eligible)
    eligible: np.ndarray = per_firm(bool)  # firms the district is open to (drawn at the start)
    belief: np.ndarray = per_firm()  # expected gain of membership at the last review, kRUB per week
    rel_member: np.ndarray = per_firm()  # remembered relative profit rate as a member (NaN: never was)
    rel_alone: np.ndarray = per_firm()  # ... as a non-member (NaN: never was)
    member_since: np.ndarray = per_firm()  # week of the current membership (NaN: not a member)
    join_week: np.ndarray = per_firm()  # first week a member (0: founder; NaN: never)
    ever_member: np.ndarray = per_firm(bool)
    joins_last: int = 0
    leaves_last: int = 0
    sustained_week: float = float("nan")  # first week the members' share reached district.sustain_share

    # --- the agency's ledger (programme: ODD 7.14)
    public_paid: np.ndarray = per_instrument()  # paid this week, kRUB
    public_spent: np.ndarray = per_instrument()  # paid so far, kRUB (against each budget)
    public_outside: float = 0.0  # of this week's payments, what went to payees outside the sector
    centre_built: np.ndarray = per_instrument()  # capacity of each service centre built, units per week
    centre_units: np.ndarray = per_firm_stage()  # work members bought from a service centre this week
    public_fees: float = 0.0  # user fees the agency received this week
    private_leveraged: float = 0.0  # members' own share of purchases a co-investment grant paid part of, this week

    # --- review window (M2, M3), reset at each capacity review
    window_used: np.ndarray = per_firm_stage()
    window_capacity: np.ndarray = per_firm_stage()
    window_short: np.ndarray = per_firm_stage()
    window_spare_min: np.ndarray = per_stage()
    window_weeks: int = 0


def fields_on(*axes: str) -> tuple[str, ...]:
    """Names of the World's fields declared on any of ``axes``."""
    return tuple(f.name for f in fields(World) if f.metadata.get("axis") in axes)
