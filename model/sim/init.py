"""ODD section 5, initialisation: ``initial_world(scenario, rngs)`` builds the World of one run.

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

import math

import numpy as np

from . import accounting, learning, reviews, trust
from .params import WEEKS_PER_YEAR, Scenario
from .world import World


def draw_traits(w: World, rng: np.random.Generator, k: int, size_factor: float) -> tuple[np.ndarray, ...]:
    """Employees, stage imbalance and cost efficiency for ``k`` firms, in that draw order."""
    f = w.scenario.firms
    employees = size_factor * f.employees_median * np.exp(f.employees_sigma * rng.standard_normal(k))
    employees = np.clip(employees, 1.0, f.employees_max)
    imbalance = np.exp(f.imbalance_sigma * rng.standard_normal((k, w.n_stages)))
    efficiency = np.exp(f.efficiency_sigma * rng.standard_normal(k))
    return employees, imbalance, efficiency


def initial_world(scenario: Scenario, rngs: dict[str, np.random.Generator]) -> World:  # noqa: PLR0915 - one linear set-up in draw order
    """The World at week 0: firms, balance sheets, membership, partner links, market state."""
    p = scenario
    w = World(scenario=p, mech=p.mechanisms)
    w.stage_names = p.stage_names
    n0, s = p.firms.count, len(p.stages)
    slots = round(p.entry.slots * n0) if w.mech.entry_exit else 0
    n = w.n_firms = n0 + slots
    w.n_start, w.n_stages = n0, s

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
    employees, imbalance, efficiency = draw_traits(w, rngs["init"], n0, 1.0)
    if slots:
        e2, i2, f2 = draw_traits(w, rngs["entry"], slots, p.entry.size_factor)
        employees, imbalance = np.concatenate((employees, e2)), np.concatenate((imbalance, i2))
        efficiency = np.concatenate((efficiency, f2))
    w.employees = employees
    w.capacity = employees[:, None] * w.per_employee[None, :] * imbalance
    w.capacity0 = w.capacity.copy()
    w.efficiency = np.repeat(efficiency[:, None], s, axis=1)  # know-how multiplier (M4)
    w.nominal_capacity = employees * w.per_employee.min()
    w.base_demand = p.market.load * w.nominal_capacity
    w.base_total = float(w.base_demand[:n0].sum())
    w.fee_scale = employees / employees[:n0].mean()  # dues in proportion to size
    w.experience0 = (
        p.learning.initial_experience_weeks
        * w.capacity.min(axis=1, keepdims=True)
        * (np.minimum(p.market.load, 1.0))
        * np.ones((1, s))
    )
    w.experience = w.experience0.copy()
    w.experience[n0:] *= p.entry.experience_share  # entrants start lower on the learning curve
    learning.update_costs(w)
    w.fixed_assets = np.where(np.arange(n) < n0, w.capacity @ w.capital_rate, 0.0)
    weekly_fixed = accounting.weekly_fixed_cost(w)
    w.cash = np.where(np.arange(n) < n0, p.firms.initial_cash_weeks * weekly_fixed, 0.0)
    w.credit_limit = p.firms.credit_limit_weeks * weekly_fixed
    w.backlog = np.zeros(n)
    w.active = np.arange(n) < n0
    w.born = w.active.copy()
    w.active_since = np.where(w.active, 0.0, np.nan)
    w.starting = w.active.copy()  # starting firms (the rest are entrant slots)
    # the smaller half of the starting firms by employees (at or below the median): the same
    # firms in every regime of a replication, so "for whom" effects are paired firm by firm
    w.smaller = w.starting & (employees <= np.median(employees[:n0]))
    w.record = np.ones(n)  # delivery record customers see (good units / orders)
    w.profit_avg = np.zeros(n)

    # --- membership and opportunism: starting firms and entrant slots from separate streams
    w.district_active = w.mech.any_member_mechanism()
    share = p.district.membership_share
    u_member = rngs["membership"].random(n0)
    u_opportunist = rngs["trust"].random(n0)
    if slots:
        u_member = np.concatenate((u_member, rngs["entry"].random(slots)))
        u_opportunist = np.concatenate((u_opportunist, rngs["entry"].random(slots)))
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
    w.rng_network = rngs["network"]
    trust.add_links(w, trust.initial_links(w))
    w.rng_sharing = rngs["sharing"]
    w.rng_entry = rngs["entry"]
    w.seller_price = w.var_cost * (1.0 + p.sharing.markup)

    # --- demand state (stream "demand")
    w.rng_demand = rngs["demand"]
    w.market_noise = p.market.noise_sigma * w.rng_demand.standard_normal()
    w.demand_index = np.ones(n)

    # --- district-level state
    w.reputation = 0.0
    w.export_open = False
    w.export_orders = np.zeros(n)
    w.adjacent_peak_firms = math.nan
    w.adjacent_revenue = 0.0
    w.adjacent_entries = 0
    w.sector_profit_avg = 0.0
    w.sector_assets_avg = float(w.fixed_assets[w.active].sum())
    reviews.reset_review(w)

    # --- the agency's ledger (programme): nothing paid yet
    w.public_paid = np.zeros(len(p.programme.instruments))
    w.public_spent = np.zeros(len(p.programme.instruments))
    w.public_outside = 0.0
    w.private_leveraged = 0.0
    w.centre_built = np.zeros(len(p.programme.instruments))
    w.public_fees = 0.0

    # --- this week's state before the first week: nothing ordered, made or traded yet
    w.demand, w.orders, w.produced = np.zeros(n), np.zeros(n), np.zeros(n)
    w.defect_share, w.defective, w.output = np.zeros(n), np.zeros(n), np.zeros(n)
    w.export_units, w.lost = np.zeros(n), np.zeros(n)
    for name in ("need", "idle", "received", "sold", "own_use", "capacity_traded", "centre_units"):
        setattr(w, name, np.zeros((n, s)))
    w.failed_draw, w.edge_coord_rate = np.zeros(w.buyer.size), np.zeros(w.buyer.size)
    return w
