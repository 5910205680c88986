"""ODD 7.1, demand: this week's sector demand, split among active firms; orders include the
backlog and export orders (M6). Reads scenario blocks: market, export, shocks.
"""

from __future__ import annotations

import math

import numpy as np

from .params import WEEKS_PER_YEAR
from .world import World


def demand_phase(w: World) -> None:
    """Draw this week's demand; orders = demand + backlog + export orders (M6)."""
    p = w.scenario
    m = p.market
    week = w.steps - 1
    per = w.n_slots
    common = np.empty(w.n_runs)
    own = np.empty(w.n_firms)
    for r, rng in enumerate(w.rng_demand):  # each run from its own stream: one common, then one per slot
        common[r] = rng.standard_normal()
        own[r * per : (r + 1) * per] = rng.standard_normal(per)
    shock = demand_shock(w, week + 1)
    if m.model == "normal":
        z = math.sqrt(m.correlation) * w.of_run(common) + math.sqrt(1.0 - m.correlation) * own
        demand = np.maximum(w.base_demand + m.noise_cv * w.nominal_capacity * z, 0.0) * shock
        w.demand_index = np.full(w.n_firms, shock)
    else:
        w.market_noise = m.ar * w.market_noise + math.sqrt(1.0 - m.ar**2) * m.noise_sigma * common
        season = (1.0 + m.trend) ** (week / WEEKS_PER_YEAR) * (
            1.0 + m.season_amplitude * math.cos(2 * math.pi * (week - m.season_peak_week) / WEEKS_PER_YEAR)
        )
        index = season * np.exp(w.market_noise - 0.5 * m.noise_sigma**2) * shock  # per run
        # customers split sector demand by capacity and delivery record among active firms
        weight = np.where(w.active, w.nominal_capacity * w.record**m.delivery_elasticity, 0.0)
        total = w.of_run(w.run_sum(weight))
        share = weight / np.where(total > 0, total, 1.0)
        firm = np.exp(m.firm_noise_sigma * own - 0.5 * m.firm_noise_sigma**2)
        index = w.of_run(index)
        demand = w.of_run(w.base_total) * index * share * firm
        w.demand_index = index * (share * w.of_run(w.base_total) / np.maximum(w.base_demand, 1e-12))
    w.demand = np.where(w.active, demand, 0.0)
    export = w.of_run(w.export_open) & w.member & w.active
    w.export_orders = np.where(export, p.export.demand_share * w.nominal_capacity, 0.0)
    w.orders = w.demand + w.backlog + w.export_orders


def demand_shock(w: World, week: int) -> float:
    if not w.mech.entry_exit:
        return 1.0
    factor = 1.0
    for sh in w.scenario.shocks:
        if sh.kind == "demand" and sh.week <= week < sh.week + sh.weeks:
            factor *= sh.factor
    return factor
