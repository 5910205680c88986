"""ODD 7.7, trust and partners (M7): trust follows deliveries and prices coordination; links
below the threshold go; partner links are made, replaced and given to entrants.
Reads scenario blocks: trust, sharing, district.
"""

from __future__ import annotations

import numpy as np

from . import network, programme
from .world import World


def initial_links(w: World) -> np.ndarray:
    """Each run's links among its starting members (global firm indices), run by run."""
    p = w.scenario
    parts = []
    for run, members in enumerate(members_by_run(w)):
        if not (w.mech.sharing and members.size >= 2):
            continue
        if p.sharing.network == "complete":
            if members.size > p.sharing.max_complete_firms:
                raise ValueError(
                    f"a complete network of {members.size} members has too many links; use "
                    f"sharing.network: random (or raise sharing.max_complete_firms)"
                )
            parts.append(network.complete_links(members))
        elif p.sharing.network == "groups":
            parts.append(network.group_links(members, p.sharing.group_size))
        else:
            parts.append(network.random_partner_links(members, p.sharing.partners, w.rng_network[run]))
    return np.concatenate(parts) if parts else np.empty((0, 2), dtype=np.int64)


def members_by_run(w: World) -> list[np.ndarray]:
    """Active members of each run, as global firm indices."""
    idx = np.flatnonzero(w.member & w.active)
    return np.split(idx, np.searchsorted(idx, np.arange(1, w.n_runs) * w.n_slots))


def add_links(w: World, links: np.ndarray) -> None:
    """Append undirected links (global firm indices, any runs) as two directed edges each, with
    fresh trust. Edges stay grouped by run, each run's in the order it made them: a run's edges
    are the same, in the same order, in any batch."""
    if links.size == 0:
        return
    e0, m = w.buyer.size, links.shape[0]
    buyer, seller = network.directed_edges(links)
    pair = np.concatenate((np.arange(m) + m, np.arange(m))) + e0
    w.buyer = np.concatenate((w.buyer, buyer))
    w.seller = np.concatenate((w.seller, seller))
    w.pair = np.concatenate((w.pair, pair))
    w.trust = np.concatenate((w.trust, np.full(2 * m, w.scenario.trust.initial)))
    w.edge_alive = np.concatenate((w.edge_alive, np.ones(2 * m, dtype=bool)))
    w.edge_run = w.buyer // w.n_slots
    if w.n_runs > 1 and (np.diff(w.edge_run) < 0).any():
        # regroup by run (a stable sort keeps each run's own order) and renumber the references
        order = np.argsort(w.edge_run, kind="stable")
        new_of = np.empty_like(order)
        new_of[order] = np.arange(order.size)
        for name in ("buyer", "seller", "trust", "edge_alive", "edge_run"):
            setattr(w, name, getattr(w, name)[order])
        w.pair = new_of[w.pair[order]]
        w.trade_edge = new_of[w.trade_edge]
    w.edge_count = np.bincount(w.edge_run, minlength=w.n_runs)


def trust_phase(w: World) -> None:
    """Trust on a link rises after a kept delivery and falls after a failed one (M7)."""
    t = w.scenario.trust
    if not (w.mech.trust and w.buyer.size):
        return
    kept = np.bincount(w.trade_edge, w.trade_units, minlength=w.buyer.size) > 0
    broken = np.bincount(w.trade_edge, w.trade_failed, minlength=w.buyer.size) > 0
    # arithmetic rather than np.where: kept and broken are scattered, which makes branches slow
    w.trust = w.trust + kept * (t.gain * (1.0 - w.trust))
    w.trust = w.trust * (1.0 - t.loss * broken)
    # a link either side no longer trusts is dropped
    bad = w.trust < t.drop_below
    w.edge_alive = w.edge_alive & ~bad & ~bad[w.pair]


def replace_partners(w: World, members: np.ndarray) -> None:
    """Members with fewer live partners than ``sharing.partners`` each link to one more member of their run."""
    p = w.scenario
    if p.sharing.network != "random":
        return
    idx = np.flatnonzero(members)
    count = np.bincount(w.firm_run[idx], minlength=w.n_runs)  # members per run
    first = np.concatenate(([0], np.cumsum(count)[:-1]))  # where each run's members start in idx
    degree = (
        np.bincount(w.buyer[w.edge_alive], minlength=w.n_firms) if w.buyer.size else np.zeros(w.n_firms, dtype=np.int64)
    )
    short = idx[(degree[idx] < p.sharing.partners) & (count[w.firm_run[idx]] >= 2)]
    if short.size == 0:
        return
    run = w.firm_run[short]
    wanting = np.bincount(run, minlength=w.n_runs)
    offsets = np.concatenate([w.rng_network[r].integers(1, count[r], size=wanting[r]) for r in np.flatnonzero(wanting)])
    pos = np.searchsorted(idx, short) - first[run]  # each short member's place among its run's members
    other = idx[first[run] + (pos + offsets) % count[run]]
    add_links(w, np.column_stack((np.minimum(short, other), np.maximum(short, other))))


def link_entrants(w: World, new: np.ndarray) -> None:
    """New members (entrants or joiners, global indices) link to ``sharing.partners`` random members of their run."""
    members = members_by_run(w)
    parts = []
    for r in np.unique(w.firm_run[new]):
        others = members[r]
        if others.size < 2:
            continue
        mine = new[w.firm_run[new] == r]
        k = min(w.scenario.sharing.partners, others.size - 1)
        picks = others[w.rng_network[r].integers(0, others.size, size=(mine.size, k))]
        a = np.repeat(mine, k)
        b = picks.ravel()
        keep = a != b
        parts.append(np.minimum(a, b)[keep] * w.n_firms + np.maximum(a, b)[keep])  # one key per link
    if parts:
        key = np.unique(np.concatenate(parts))  # sorted as the (low, high) pairs are: high < n_firms
        add_links(w, np.column_stack((key // w.n_firms, key % w.n_firms)))


def coordination_rate(w: World, edges: np.ndarray | None = None) -> np.ndarray:
    """Coordination cost per unit on each edge (or on ``edges`` only): lowest at full trust,
    cost_ratio times at none; cut while a broker of the programme is paid
    (``programme.coordination_factor``)."""
    p = w.scenario
    trust = w.trust if edges is None else w.trust.take(edges)
    rate = p.district.coordination_cost * (1.0 + (p.trust.cost_ratio - 1.0) * (1.0 - trust))
    if not p.programme.instruments:
        return rate
    run = w.edge_run if edges is None else w.edge_run.take(edges)
    return rate * programme.coordination_factor(w).take(run)
