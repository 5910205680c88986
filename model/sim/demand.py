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
    rng = w.rng_demand
    week = w.steps - 1
    common = rng.standard_normal()
    own = rng.standard_normal(w.n_firms)
    shock = demand_shock(w, week + 1)
    if m.model == "normal":
        z = math.sqrt(m.correlation) * common + math.sqrt(1.0 - m.correlation) * own
        demand = np.maximum(w.base_demand + m.noise_cv * w.nominal_capacity * z, 0.0) * shock
        w.demand_index = shock
    else:
        w.market_noise = m.ar * w.market_noise + math.sqrt(1.0 - m.ar**2) * m.noise_sigma * common
        index = (
            (1.0 + m.trend) ** (week / WEEKS_PER_YEAR)
            * (1.0 + m.season_amplitude * math.cos(2 * math.pi * (week - m.season_peak_week) / WEEKS_PER_YEAR))
            * math.exp(w.market_noise - 0.5 * m.noise_sigma**2)
            * shock
        )
        # customers split sector demand by capacity and delivery record among active firms
        weight = np.where(w.active, w.nominal_capacity * w.record**m.delivery_elasticity, 0.0)
        total = weight.sum()
        share = weight / total if total > 0 else weight
        firm = np.exp(m.firm_noise_sigma * own - 0.5 * m.firm_noise_sigma**2)
        demand = w.base_total * index * share * firm
        w.demand_index = index * (share * w.base_total / np.maximum(w.base_demand, 1e-12))
    w.demand = np.where(w.active, demand, 0.0)
    w.export_orders = np.where(w.export_open & w.member & w.active, p.export.demand_share * w.nominal_capacity, 0.0)
    w.orders = w.demand + w.backlog + w.export_orders


def demand_shock(w: World, week: int) -> float:
    if not w.mech.entry_exit:
        return 1.0
    factor = 1.0
    for sh in w.scenario.shocks:
        if sh.kind == "demand" and sh.week <= week < sh.week + sh.weeks:
            factor *= sh.factor
    return factor
