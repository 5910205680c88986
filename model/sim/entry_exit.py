"""ODD 7.9, entry and exit (M8): scheduled failures and insolvent firms leave; entrants come
when the sector's recent return on assets is high. The phase records the slots that left
(``exited``) and entered (``entered``); ``DistrictModel`` removes and creates their agents.
Reads scenario blocks: entry, shocks, sharing.
"""

from __future__ import annotations

import math

import numpy as np

from . import accounting, trust
from .params import QUARTER, WEEKS_PER_YEAR
from .world import World


def enter_exit_phase(w: World) -> None:
    """Scheduled firm failures and insolvent firms leave; entrants come when returns are high (M8)."""
    w.exits_last = w.entries_last = 0
    w.exited = w.entered = np.empty(0, dtype=np.int64)
    fl = w.flows
    memory = 1.0 / QUARTER
    w.profit_avg = np.where(w.active, (1 - memory) * w.profit_avg + memory * fl["profit"], w.profit_avg)
    w.sector_profit_avg = (1 - memory) * w.sector_profit_avg + memory * float(fl["profit"].sum())
    w.sector_assets_avg = (1 - memory) * w.sector_assets_avg + memory * float(w.fixed_assets[w.active].sum())
    if not w.mech.entry_exit:
        return
    leaving = w.active & (w.cash < -w.credit_limit)
    leaving |= scheduled_failures(w)
    if leaving.any():
        exit_firms(w, leaving)
    enter_firms(w)


def scheduled_failures(w: World) -> np.ndarray:
    """The firm each ``firm_failure`` shock of this week removes: the largest (active member) by capacity."""
    out = np.zeros(w.n_firms, dtype=bool)
    for sh in w.scenario.shocks:
        if sh.kind == "firm_failure" and sh.week == w.steps:
            pool = w.active & (w.member if sh.firm == "largest_member" else True)
            if pool.any():
                out[int(np.argmax(np.where(pool, w.capacity.sum(axis=1), -np.inf)))] = True
    return out


def exit_firms(w: World, leaving: np.ndarray) -> None:
    """Leaving firms stop trading: their backlog is lost and their links die."""
    idx = np.flatnonzero(leaving)
    w.exits_last = idx.size
    w.lost = w.lost + w.backlog * leaving
    w.backlog = np.where(leaving, 0.0, w.backlog)
    w.active = w.active & ~leaving
    if w.buyer.size:
        w.edge_alive = w.edge_alive & w.active[w.buyer] & w.active[w.seller]
    w.exited = idx


def enter_firms(w: World) -> None:
    """Entrants fill free slots at a rate that rises with the sector's recent return on assets."""
    e = w.scenario.entry
    roa = WEEKS_PER_YEAR * w.sector_profit_avg / w.sector_assets_avg if w.sector_assets_avg > 0 else 0.0
    free = np.flatnonzero(~w.born)
    excess = min(max(0.0, roa - e.hurdle_roa), 1e6) if math.isfinite(roa) else 0.0
    rate = e.rate * float(w.active.sum()) * excess / e.reference_roa
    count = int(w.rng_entry.poisson(min(rate, float(free.size))))  # one draw every week
    idx = free[: min(count, free.size)]
    if idx.size == 0:
        return
    p = w.scenario
    w.entries_last = idx.size
    w.active[idx] = True
    w.born[idx] = True
    w.active_since[idx] = float(w.steps)
    fixed = accounting.weekly_fixed_cost(w)[idx]
    equity = p.entry.cash_weeks * fixed
    w.cash[idx] = equity
    w.fixed_assets[idx] = w.capacity[idx] @ w.capital_rate
    w.flows["equity_in"][idx] += equity
    w.flows["assets_in"][idx] += w.fixed_assets[idx]
    w.flows["cash_change"][idx] += equity
    w.record[idx] = 1.0
    w.entered = idx
    if w.mech.sharing:
        new_members = idx[w.member[idx]]
        if new_members.size:
            trust.link_entrants(w, new_members)
