"""ODD 7.9, entry and exit (M8): scheduled failures and insolvent firms leave; entrants come
when the sector's recent return on assets is high. The phase records the slots that left
(``exited``) and entered (``entered``); ``DistrictModel`` removes and creates their agents.
Reads scenario blocks: entry, shocks, sharing.
"""

from __future__ import annotations

import numpy as np

from . import accounting, trust
from .params import QUARTER, WEEKS_PER_YEAR
from .rows import row_dot
from .world import World


def enter_exit_phase(w: World) -> None:
    """Scheduled firm failures and insolvent firms leave; entrants come when returns are high (M8)."""
    w.exits_last = np.zeros(w.n_runs)
    w.entries_last = np.zeros(w.n_runs)
    w.exited = w.entered = np.empty(0, dtype=np.int64)
    fl = w.flows
    memory = 1.0 / QUARTER
    w.profit_avg = np.where(w.active, (1 - memory) * w.profit_avg + memory * fl["profit"], w.profit_avg)
    w.sector_profit_avg = (1 - memory) * w.sector_profit_avg + memory * w.run_sum(fl["profit"])
    assets = w.run_sum(np.where(w.active, w.fixed_assets, 0.0))
    w.sector_assets_avg = (1 - memory) * w.sector_assets_avg + memory * assets
    if not w.mech.entry_exit:
        return
    leaving = w.active & (w.cash < -w.credit_limit)
    leaving |= scheduled_failures(w)
    if leaving.any():
        exit_firms(w, leaving)
    enter_firms(w)


def scheduled_failures(w: World) -> np.ndarray:
    """The firm each ``firm_failure`` shock of this week removes in each run: the largest (active
    member) by capacity."""
    out = np.zeros(w.n_firms, dtype=bool)
    for sh in w.scenario.shocks:
        if sh.kind == "firm_failure" and sh.week == w.steps:
            pool = w.active & (w.member if sh.firm == "largest_member" else True)
            size = w.runs(np.where(pool, w.capacity.sum(axis=1), -np.inf))
            some = np.flatnonzero(w.runs(pool).any(axis=1))
            out[some * w.n_slots + size[some].argmax(axis=1)] = True
    return out


def exit_firms(w: World, leaving: np.ndarray) -> None:
    """Leaving firms stop trading: their backlog is lost and their links die."""
    idx = np.flatnonzero(leaving)
    w.exits_last = np.bincount(w.firm_run[idx], minlength=w.n_runs).astype(float)
    w.lost = w.lost + w.backlog * leaving
    w.backlog = np.where(leaving, 0.0, w.backlog)
    w.active = w.active & ~leaving
    if w.buyer.size:
        w.edge_alive = w.edge_alive & w.active[w.buyer] & w.active[w.seller]
    w.exited = idx


def enter_firms(w: World) -> None:
    """Entrants fill free slots at a rate that rises with the sector's recent return on assets."""
    e = w.scenario.entry
    assets = w.sector_assets_avg
    with np.errstate(over="ignore"):  # a tiny asset base: an infinite return, which brings no entrants
        roa = WEEKS_PER_YEAR * w.sector_profit_avg / np.where(assets > 0, assets, 1.0)
    roa = np.where(assets > 0, roa, 0.0)
    free = ~w.born
    n_free = w.runs(free).sum(axis=1)
    excess = np.where(np.isfinite(roa), np.minimum(np.maximum(0.0, roa - e.hurdle_roa), 1e6), 0.0)
    rate = e.rate * w.runs(w.active).sum(axis=1) * excess / e.reference_roa
    mean = np.minimum(rate, n_free.astype(float))
    count = [rng.poisson(m) for rng, m in zip(w.rng_entry, mean.tolist(), strict=True)]  # one draw a week
    if not any(count):
        return
    # each run's first ``count`` free slots
    rank = np.cumsum(w.runs(free), axis=1) - 1
    idx = np.flatnonzero(free & (rank.ravel() < w.of_run(np.array(count))))
    if idx.size == 0:  # no free slot left
        return
    p = w.scenario
    w.entries_last = np.bincount(w.firm_run[idx], minlength=w.n_runs).astype(float)
    w.active[idx] = True
    w.born[idx] = True
    w.active_since[idx] = float(w.steps)
    fixed = accounting.weekly_fixed_cost(w)[idx]
    equity = p.entry.cash_weeks * fixed
    w.cash[idx] = equity
    w.fixed_assets[idx] = row_dot(w.capacity[idx], w.capital_rate)
    w.flows["equity_in"][idx] += equity
    w.flows["assets_in"][idx] += w.fixed_assets[idx]
    w.flows["cash_change"][idx] += equity
    w.record[idx] = 1.0
    w.entered = idx
    if w.mech.sharing:
        new_members = idx[w.member[idx]]
        if new_members.size:
            trust.link_entrants(w, new_members)
