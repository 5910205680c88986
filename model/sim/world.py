"""The World: every state variable of one run, declared once (docs/ODD.md section 2).

Each array field carries its axis in its metadata:

- ``stage``: one value per stage (S);
- ``firm``: one row per firm *slot* (N): the starting firms, then room for entrants (M8);
- ``firm_stage``: (N, S);
- ``edge``: one value per directed partner link (E); an undirected link is two edges;
- ``trade``: one value per (edge, stage) pair that traded this week (T);
- ``index``: indices of firm slots (this week's exits and entries);
- ``run``: one value per run of the batch (B): district-level state (reputation, the export
  channel, sector averages, this week's counts) is per run, so runs never interact;
- ``run_stage``: (B, S); ``run_instrument``: (B, K), one value per run and instrument of the
  public programme (``programme.instruments``).

A World holds a *batch* of B independent runs of one resolved scenario (replications that differ
only in their random streams; ``batch.py``). The firm axes are run-major: run ``b`` owns rows
``b * n_slots .. (b + 1) * n_slots``, so ``x.reshape(n_runs, n_slots)`` is the per-run view and a
per-run sum is a row sum, which NumPy adds exactly as it adds the run's own array alone. Edges are
kept grouped by run in the order each run made them (``trust.add_links``), with global firm
indices. A run draws only from its own streams, so its numbers do not depend on the other runs
of its batch; a Mesa ``DistrictModel`` is a batch of one.

Fields without an axis are shared by every run of the batch (the scenario, the week). Every field exists from
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


def per_run(dtype: Any = float) -> Any:
    return _array("run", dtype)


def per_run_stage() -> Any:
    return field(default_factory=lambda: np.empty((0, 0)), metadata={"axis": "run_stage"})


def per_run_instrument() -> Any:
    return field(default_factory=lambda: np.empty((0, 0)), metadata={"axis": "run_instrument"})


@dataclass(slots=True, eq=False)
class World:
    """Every state variable of one run. See the module docstring for the axes."""

    # --- the run
    scenario: Scenario
    mech: Mechanisms
    stage_names: tuple[str, ...] = ()
    n_runs: int = 1  # B: runs in the batch
    n_slots: int = 0  # firm slots of one run: starting firms plus entrant slots
    n_firms: int = 0  # rows of the firm axes: n_runs * n_slots
    n_start: int = 0  # starting firms of one run
    n_stages: int = 0
    steps: int = 0  # the week being stepped (Mesa's step counter, set by DistrictModel.step)
    district_active: bool = False  # some member-only mechanism is on

    # --- random streams (model/sim/rng.py), one generator per run; the rest are drawn from only at set-up
    rng_demand: list[np.random.Generator] = field(default_factory=list)
    rng_network: list[np.random.Generator] = field(default_factory=list)
    rng_sharing: list[np.random.Generator] = field(default_factory=list)
    rng_entry: list[np.random.Generator] = field(default_factory=list)
    firm_run: np.ndarray = per_firm(np.int64)  # the run each firm row belongs to
    edge_run: np.ndarray = per_edge(np.int64)  # the run each edge belongs to (edges are grouped by run)
    edge_count: np.ndarray = per_run(np.int64)  # edges per run

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

    # --- the market and the district
    market_noise: np.ndarray = per_run()  # log-AR(1) state of sector demand
    base_total: np.ndarray = per_run()  # the starting firms' base demand, units per week
    reputation: np.ndarray = per_run()  # members' collective reputation, 0..1 (M6)
    export_open: np.ndarray = per_run(bool)
    adjacent_peak_firms: np.ndarray = per_run()  # local suppliers at their peak (M5); NaN before the first week
    adjacent_revenue: np.ndarray = per_run()  # kRUB per week
    adjacent_entries: np.ndarray = per_run()
    sector_profit_avg: np.ndarray = per_run()  # kRUB per week, smoothed over a quarter
    sector_assets_avg: np.ndarray = per_run()  # kRUB, smoothed over a quarter

    # --- this week, rewritten by the phases
    demand_index: np.ndarray = per_firm()
    demand: np.ndarray = per_firm()  # home orders, units
    export_orders: np.ndarray = per_firm()
    orders: np.ndarray = per_firm()  # demand + backlog + export orders
    need: np.ndarray = per_firm_stage()  # members' shortfall per stage
    idle: np.ndarray = per_firm_stage()  # members' spare capacity per stage
    trade_edge: np.ndarray = per_trade(np.int64)  # trades: one row per (edge, stage) that traded
    trade_run: np.ndarray = per_trade(np.int64)  # the run of each trade
    trade_stage: np.ndarray = per_trade(np.int64)
    trade_buyer: np.ndarray = per_trade(np.int64)  # the firm rows of each trade's buyer and seller
    trade_seller: np.ndarray = per_trade(np.int64)
    trade_units: np.ndarray = per_trade()  # delivered
    trade_failed: np.ndarray = per_trade()  # agreed, not delivered
    trade_price: np.ndarray = per_trade()  # kRUB per unit: the seller's variable cost plus markup
    trade_coord_rate: np.ndarray = per_trade()  # coordination cost per unit, kRUB
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
    entries_last: np.ndarray = per_run()
    exits_last: np.ndarray = per_run()

    # --- membership by choice (district.membership: choice; under random: members are the eligible)
    eligible: np.ndarray = per_firm(bool)  # firms the district is open to (drawn at the start)
    belief: np.ndarray = per_firm()  # expected gain of membership at the last review, kRUB per week
    rel_member: np.ndarray = per_firm()  # remembered relative profit rate as a member (NaN: never was)
    rel_alone: np.ndarray = per_firm()  # ... as a non-member (NaN: never was)
    member_since: np.ndarray = per_firm()  # week of the current membership (NaN: not a member)
    join_week: np.ndarray = per_firm()  # first week a member (0: founder; NaN: never)
    ever_member: np.ndarray = per_firm(bool)
    joins_last: np.ndarray = per_run()
    leaves_last: np.ndarray = per_run()
    sustained_week: np.ndarray = (
        per_run()
    )  # first week the members' share reached district.sustain_share (NaN: not yet)

    # --- the agency's ledger (programme: ODD 7.14)
    public_paid: np.ndarray = per_run_instrument()  # paid this week, kRUB
    public_spent: np.ndarray = per_run_instrument()  # paid so far, kRUB (against each budget)
    public_outside: np.ndarray = per_run()  # of this week's payments, what went to payees outside the sector
    centre_built: np.ndarray = per_run_instrument()  # capacity of each service centre built, units per week
    centre_units: np.ndarray = per_firm_stage()  # work members bought from a service centre this week
    public_fees: np.ndarray = per_run()  # user fees the agency received this week
    private_leveraged: np.ndarray = (
        per_run()
    )  # members' own share of purchases a co-investment grant paid part of, this week

    # --- review window (M2, M3), reset at each capacity review
    window_used: np.ndarray = per_firm_stage()
    window_capacity: np.ndarray = per_firm_stage()
    window_short: np.ndarray = per_firm_stage()
    window_spare_min: np.ndarray = per_run_stage()  # members' lowest spare share per stage in the window
    window_weeks: int = 0

    def runs(self, x: np.ndarray) -> np.ndarray:
        """The per-run view of a firm-axis array: (B, n_slots) or (B, n_slots, S)."""
        return x.reshape(self.n_runs, self.n_slots, *x.shape[1:])

    def run_sum(self, x: np.ndarray) -> np.ndarray:
        """Per-run sums of a firm-axis array: (B,) or (B, S). Each is NumPy's (pairwise) sum of the
        run's values along a contiguous axis, the same number the run alone gets."""
        return self._along_firms(x).sum(axis=-1)

    def run_min(self, x: np.ndarray) -> np.ndarray:
        """Per-run minima of a firm-axis array: (B,) or (B, S)."""
        return self._along_firms(x).min(axis=-1)

    def _along_firms(self, x: np.ndarray) -> np.ndarray:
        """(B, slots) or, for a (firms, S) array, (B, S, slots) with the firms contiguous: NumPy
        reduces a contiguous last axis with SIMD, four times faster than down the firm axis of
        (slots, S) rows at a few stages (1,500 x 5: 6 us against 23 us for a sum, 42 for a min)."""
        v = self.runs(x)
        return np.ascontiguousarray(v.transpose(0, 2, 1)) if v.ndim == 3 else v

    def of_run(self, x: np.ndarray) -> np.ndarray:
        """A per-run value spread over the firm rows: (B,) -> (B * n_slots,); (B, S) -> a stage-major
        (B * n_slots, S) array, the layout of the World's (firms, stages) arrays (``rows.py``)."""
        if x.ndim == 2:
            return np.repeat(x.T, self.n_slots, axis=1).T
        return np.repeat(x, self.n_slots, axis=0)


def fields_on(*axes: str) -> tuple[str, ...]:
    """Names of the World's fields declared on any of ``axes``."""
    return tuple(f.name for f in fields(World) if f.metadata.get("axis") in axes)
