"""ODD section 5, initialisation: ``initial_world(scenario, rngs)`` builds the World of a batch of runs.

Draw order, stream by stream (it fixes every number, so it must not change):

- ``init``: the starting firms' traits: employees (k normals), stage imbalance (k x S), efficiency (k);
- ``entry``: the entrant slots' traits in the same order, then the slots' membership draws, then
  their opportunism draws; later, one Poisson draw of entrants every week (entry_exit);
- ``membership``: one uniform per starting firm (below ``membership_share``: eligible; under
  ``district.membership: choice`` also below ``membership_share * founding_share``: a founder);
- ``trust``: one uniform per starting firm (opportunists);
- ``network``: the starting members' partner links (random networks only), later partner
  replacements and entrants' links;
- ``demand``: the starting market noise, then every week's demand draws;
- ``sharing``: every week's delivery-failure draws (none at set-up);
- ``mesa``: Mesa's own generator (``Model(rng=...)``); ``shocks``: reserved.
"""

from __future__ import annotations

import numpy as np

from . import accounting, learning, reviews, trust
from .params import WEEKS_PER_YEAR, Scenario
from .rows import row_dot, stage_major, zeros
from .world import World, fields_on


def draw_traits(w: World, rng: np.random.Generator, k: int, size_factor: float) -> tuple[np.ndarray, ...]:
    """Employees, stage imbalance and cost efficiency for ``k`` firms, in that draw order."""
    f = w.scenario.firms
    employees = size_factor * f.employees_median * np.exp(f.employees_sigma * rng.standard_normal(k))
    employees = np.clip(employees, 1.0, f.employees_max)
    imbalance = np.exp(f.imbalance_sigma * rng.standard_normal((k, w.n_stages)))
    efficiency = np.exp(f.efficiency_sigma * rng.standard_normal(k))
    return employees, imbalance, efficiency


def initial_world(scenario: Scenario, rngs: list[dict[str, np.random.Generator]]) -> World:  # noqa: PLR0915 - one linear set-up in draw order
    """The World at week 0 of a batch of runs, one per entry of ``rngs`` (``rng.streams`` of each
    replication): firms, balance sheets, membership, partner links, market state. Each run draws
    from its own streams in the order of the module docstring, so it is the same run in any batch."""
    p = scenario
    w = World(scenario=p, mech=p.mechanisms)
    w.stage_names = p.stage_names
    n0, s = p.firms.count, len(p.stages)
    slots = round(p.entry.slots * n0) if w.mech.entry_exit else 0
    runs = w.n_runs = len(rngs)
    per = w.n_slots = n0 + slots
    n = w.n_firms = runs * per
    w.n_start, w.n_stages = n0, s
    w.firm_run = np.repeat(np.arange(runs), per)
    slot = np.tile(np.arange(per), runs)
    start = slot < n0

    # --- stage constants
    w.per_employee = np.array([st.capacity_per_employee for st in p.stages])
    w.var_base = np.array([st.variable_cost for st in p.stages])
    w.fixed_rate = np.array([st.fixed_cost for st in p.stages])
    w.capital_rate = np.array([st.capital_per_unit for st in p.stages])
    w.depreciation_rate = np.array([st.depreciation for st in p.stages]) / WEEKS_PER_YEAR
    w.learning_exponent = np.log2([st.progress_ratio for st in p.stages])
    w.defect_base = np.array([st.defect_rate for st in p.stages])
    w.processing_base = np.array([st.processing_weeks for st in p.stages])

    # --- firm traits: starting firms from stream "init", entrant slots from stream "entry"
    parts = []
    for r in rngs:
        employees, imbalance, efficiency = draw_traits(w, r["init"], n0, 1.0)
        if slots:
            e2, i2, f2 = draw_traits(w, r["entry"], slots, p.entry.size_factor)
            employees, imbalance = np.concatenate((employees, e2)), np.concatenate((imbalance, i2))
            efficiency = np.concatenate((efficiency, f2))
        parts.append((employees, imbalance, efficiency))
    employees = np.concatenate([q[0] for q in parts])
    imbalance = np.concatenate([q[1] for q in parts])
    efficiency = np.concatenate([q[2] for q in parts])
    w.employees = employees
    w.capacity = stage_major(employees[:, None] * w.per_employee[None, :] * imbalance)  # rows.py: the layout
    w.capacity0 = w.capacity.copy()
    w.efficiency = stage_major(np.repeat(efficiency[:, None], s, axis=1))  # know-how multiplier (M4)
    w.nominal_capacity = employees * w.per_employee.min()
    w.base_demand = p.market.load * w.nominal_capacity
    w.base_total = w.runs(w.base_demand)[:, :n0].sum(axis=1)
    w.fee_scale = employees / w.of_run(w.runs(employees)[:, :n0].mean(axis=1))  # dues in proportion to size
    w.experience0 = stage_major(
        p.learning.initial_experience_weeks
        * w.capacity.min(axis=1, keepdims=True)
        * (np.minimum(p.market.load, 1.0))
        * np.ones((1, s))
    )
    w.experience = w.experience0.copy()
    w.experience[~start] *= p.entry.experience_share  # entrants start lower on the learning curve
    learning.update_costs(w)
    w.fixed_assets = np.where(start, row_dot(w.capacity, w.capital_rate), 0.0)
    weekly_fixed = accounting.weekly_fixed_cost(w)
    w.cash = np.where(start, p.firms.initial_cash_weeks * weekly_fixed, 0.0)
    w.credit_limit = p.firms.credit_limit_weeks * weekly_fixed
    w.backlog = np.zeros(n)
    w.active = start.copy()
    w.born = w.active.copy()
    w.active_since = np.where(w.active, 0.0, np.nan)
    w.starting = w.active.copy()  # starting firms (the rest are entrant slots)
    # the smaller half of the starting firms by employees (at or below the median): the same
    # firms in every regime of a replication, so "for whom" effects are paired firm by firm
    w.smaller = w.starting & (employees <= w.of_run(np.median(w.runs(employees)[:, :n0], axis=1)))
    w.record = np.ones(n)  # delivery record customers see (good units / orders)
    w.profit_avg = np.zeros(n)

    # --- membership and opportunism: starting firms and entrant slots from separate streams
    w.district_active = w.mech.any_member_mechanism()
    share = p.district.membership_share
    u_member, u_opportunist = [], []
    for r in rngs:
        u_member.append(r["membership"].random(n0))
        u_opportunist.append(r["trust"].random(n0))
        if slots:
            u_member.append(r["entry"].random(slots))
            u_opportunist.append(r["entry"].random(slots))
    u_member, u_opportunist = np.concatenate(u_member), np.concatenate(u_opportunist)
    w.eligible = (u_member < share) & w.district_active
    if p.district.membership == "choice":
        # an initiative group: the eligible starting firms with the lowest draws; the rest choose later
        w.member = w.eligible & w.starting & (u_member < share * p.district.founding_share)
    else:
        w.member = w.eligible.copy()
    w.opportunist = u_opportunist < p.trust.opportunist_share
    w.ever_member = w.member.copy()
    w.member_since = np.where(w.member, 0.0, np.nan)
    w.join_week = w.member_since.copy()
    w.belief = np.zeros(n)
    w.rel_member, w.rel_alone = np.full(n, np.nan), np.full(n, np.nan)

    # --- partner network among starting members (stream "network")
    w.rng_network = [r["network"] for r in rngs]
    w.edge_run, w.edge_count = np.empty(0, dtype=np.int64), np.zeros(runs, dtype=np.int64)
    trust.add_links(w, trust.initial_links(w))
    w.rng_sharing = [r["sharing"] for r in rngs]
    w.rng_entry = [r["entry"] for r in rngs]

    # --- demand state (stream "demand")
    w.rng_demand = [r["demand"] for r in rngs]
    w.market_noise = np.array([p.market.noise_sigma * r.standard_normal() for r in w.rng_demand])
    w.demand_index = np.ones(n)

    # --- district-level state, per run
    w.reputation = np.zeros(runs)
    w.export_open = np.zeros(runs, dtype=bool)
    w.export_orders = np.zeros(n)
    w.adjacent_peak_firms = np.full(runs, np.nan)
    w.adjacent_revenue = np.zeros(runs)
    w.adjacent_entries = np.zeros(runs)
    w.sector_profit_avg = np.zeros(runs)
    w.sector_assets_avg = w.run_sum(np.where(w.active, w.fixed_assets, 0.0))
    w.entries_last, w.exits_last = np.zeros(runs), np.zeros(runs)
    w.joins_last, w.leaves_last = np.zeros(runs), np.zeros(runs)
    w.sustained_week = np.full(runs, np.nan)
    reviews.reset_review(w)

    # --- the agency's ledger (programme): nothing paid yet
    k = len(p.programme.instruments)
    w.public_paid = np.zeros((runs, k))
    w.public_spent = np.zeros((runs, k))
    w.public_outside = np.zeros(runs)
    w.private_leveraged = np.zeros(runs)
    w.centre_built = np.zeros((runs, k))
    w.public_fees = np.zeros(runs)

    # --- this week's state before the first week: nothing ordered, made or traded yet
    w.demand, w.orders, w.produced = np.zeros(n), np.zeros(n), np.zeros(n)
    w.defect_share, w.defective, w.output = np.zeros(n), np.zeros(n), np.zeros(n)
    w.export_units, w.lost = np.zeros(n), np.zeros(n)
    for name in ("need", "idle", "received", "sold", "own_use", "capacity_traded", "centre_units"):
        setattr(w, name, zeros(n, s))
    w.failed_draw = np.zeros(w.buyer.size)
    w.trade_run = np.empty(0, dtype=np.int64)
    for name in fields_on("firm_stage"):  # every (firms, stages) array stage-major (rows.py)
        setattr(w, name, stage_major(getattr(w, name)))
    return w
