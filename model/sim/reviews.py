"""ODD 7.6, capacity reviews (M2, M3): members replace dropped partners each partner review;
shed or buy capacity (M2) and specialise (M3) each capacity review, judged over the review
window. Reads scenario blocks: district, asset_light, learning, sharing.
"""

from __future__ import annotations

import numpy as np

from . import programme, trust
from .rows import row_dot, zeros
from .world import World


def reset_review(w: World) -> None:
    n, s = w.n_firms, w.n_stages
    w.window_used = zeros(n, s)
    w.window_capacity = zeros(n, s)
    w.window_short = zeros(n, s)
    w.window_spare_min = np.full((w.n_runs, s), np.inf)
    w.window_weeks = 0


def adapt_phase(w: World) -> None:
    """Members replace dropped partners (M7) each partner review; shed or buy capacity (M2) and
    specialise (M3) each capacity review, judged over the whole review period."""
    d = w.scenario.district
    members = w.member & w.active
    if w.steps % d.partner_review_weeks == 0 and members.any() and w.mech.sharing and w.mech.trust:
        trust.replace_partners(w, members)
    if w.steps % d.capacity_review_weeks != 0:
        return
    if members.any():
        change = zeros(w.n_firms, w.n_stages)
        if w.mech.asset_light:
            change += asset_light_change(w, members)
        if w.mech.specialization and w.mech.sharing:
            change += specialisation_change(w, members)
        if change.any():
            trade_equipment(w, change)
    reset_review(w)


def asset_light_change(w: World, members: np.ndarray) -> np.ndarray:
    """M2: capacity to sell (negative) where use was low and members reliably had spare; to buy where short."""
    a = w.scenario.asset_light
    weeks = max(w.window_weeks, 1)
    util = np.divide(w.window_used, w.window_capacity, out=np.ones_like(w.window_used), where=w.window_capacity > 0)
    reliable = w.of_run(w.window_spare_min >= a.reliable_spare)  # per run and stage, on the firm rows
    floor = a.min_capacity_share * w.nominal_capacity[:, None]
    shed = np.where(
        members[:, None] & reliable & (util < a.shed_utilisation), a.shed_rate * w.capacity * (1.0 - util), 0.0
    )
    shed = np.minimum(shed, np.maximum(w.capacity - floor, 0.0))
    mean_short = w.window_short / weeks
    short = members[:, None] & (mean_short > a.invest_shortfall * w.capacity)
    buy = np.where(short, a.invest_rate * mean_short, 0.0)
    return buy - shed


def specialisation_change(w: World, members: np.ndarray) -> np.ndarray:
    """M3: a member stops making the stage it can best buy from a partner and moves that capacity
    to its relatively best stage.

    It gives up stage k only if its own unit cost there exceeds, by more than
    ``specialise_gap``, the landed cost of buying one delivered unit over its cheapest live
    link: the partner's price, transport, and the coordination cost at that link's trust
    divided by the delivery probability (coordination is paid for failed deliveries too). Of
    such stages it leaves the one with the largest excess per unit. A member with no live
    link, or whose partners are dearer, does not specialise; the costlier coordination, the
    less capacity moves.
    """
    p = w.scenario
    lp = p.learning
    n, s = w.n_firms, w.n_stages
    floor = p.asset_light.min_capacity_share * w.nominal_capacity
    best = w.run_min(np.where(members[:, None], w.var_cost, np.inf))  # per run (inf: no member)
    best = w.of_run(np.where(np.isfinite(best), best, 0.0))
    ratio = np.divide(w.var_cost, best, out=np.ones_like(w.var_cost), where=best > 0)
    top = ratio.argmin(axis=1)
    # cheapest landed cost per member and stage over its live links to active members
    live = np.flatnonzero(w.edge_alive & members[w.buyer] & members[w.seller])
    deliver = 1.0 - p.sharing.failure_prob
    landed = np.full((n, s), np.inf, order="F")
    if live.size and deliver > 0:
        # per buyer, the minimum over its links: links sorted by buyer, one reduceat per stage
        # (a stage at a time keeps the temporaries at one float per link)
        live = live[np.argsort(w.buyer[live], kind="stable")]
        buyer, seller = w.buyer[live], w.seller[live]
        starts = np.flatnonzero(np.concatenate(([True], buyer[1:] != buyer[:-1])))
        extra = p.sharing.transport_cost + trust.coordination_rate(w)[live] / deliver
        markup = 1.0 + p.sharing.markup
        for k in range(s):
            landed[buyer[starts], k] = np.minimum.reduceat(w.var_cost[seller, k] * markup + extra, starts)
    excess = w.var_cost - (1.0 + lp.specialise_gap) * landed  # -inf where nothing can be bought
    worst = excess.argmax(axis=1)
    rows = np.arange(n)
    moves = members & (excess[rows, worst] > 0.0) & (worst != top)
    amount = np.where(moves, lp.shift_rate * w.capacity[rows, worst], 0.0)
    amount = np.minimum(amount, np.maximum(w.capacity[rows, worst] - floor, 0.0))
    change = zeros(n, s)
    change[rows, worst] -= amount
    change[rows, top] += amount
    return change


def trade_equipment(w: World, change: np.ndarray) -> None:
    """Sell (negative) and buy (positive) stage capacity; purchases stay within the credit headroom."""
    a = w.scenario.asset_light
    fl = w.flows
    sell = np.maximum(-change, 0.0)
    buy = np.maximum(change, 0.0)
    book_sold = row_dot(sell, w.capital_rate)
    proceeds = a.salvage * book_sold
    cost = row_dot(buy, w.capital_rate)
    room = w.cash + proceeds + a.credit_headroom * w.credit_limit
    room = np.maximum(room, 0.0)
    funded = w.scenario.programme.instruments
    if funded:  # a co-investment grant pays its share, so the bank need finance only the rest
        room = room / (1.0 - programme.grant_share(w))
    scale = np.divide(room, cost, out=np.ones_like(cost), where=cost > room)  # buy what the bank finances
    buy = buy * scale[:, None]
    cost = cost * scale
    w.capacity = w.capacity - sell + buy
    w.capacity_traded += buy - sell
    w.fixed_assets = w.fixed_assets - book_sold + cost
    w.cash = w.cash + proceeds - cost
    fl["asset_sales"] += proceeds
    fl["assets_sold"] += book_sold
    fl["write_off"] += book_sold - proceeds
    fl["investment"] += cost
    fl["profit"] -= book_sold - proceeds
    fl["cash_change"] += proceeds - cost
    if funded:
        grant = programme.co_invest(w, cost)  # received as a subsidy, like the agency's other payments
        w.cash = w.cash + grant
        fl["subsidy"] += grant
        fl["profit"] += grant
        fl["cash_change"] += grant
