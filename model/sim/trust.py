"""ODD 7.7, trust and partners (M7): trust follows deliveries and prices coordination; links
below the threshold go; partner links are made, replaced and given to entrants.
Reads scenario blocks: trust, sharing, district.
"""

from __future__ import annotations

import numpy as np

from . import network, programme
from .world import World


def initial_links(w: World) -> np.ndarray:
    p = w.scenario
    members = np.flatnonzero(w.member & w.active)
    if not (w.mech.sharing and members.size >= 2):
        return np.empty((0, 2), dtype=np.int64)
    if p.sharing.network == "complete":
        if members.size > p.sharing.max_complete_firms:
            raise ValueError(
                f"a complete network of {members.size} members has too many links; use "
                f"sharing.network: random (or raise sharing.max_complete_firms)"
            )
        return network.complete_links(members)
    if p.sharing.network == "groups":
        return network.group_links(members, p.sharing.group_size)
    return network.random_partner_links(members, p.sharing.partners, w.rng_network)


def add_links(w: World, links: np.ndarray) -> None:
    """Append undirected links as two directed edges each, with fresh trust."""
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
    """Members with fewer live partners than ``sharing.partners`` each link to one more member."""
    p = w.scenario
    idx = np.flatnonzero(members)
    if idx.size < 2 or p.sharing.network != "random":
        return
    degree = (
        np.bincount(w.buyer[w.edge_alive], minlength=w.n_firms) if w.buyer.size else np.zeros(w.n_firms, dtype=np.int64)
    )
    short = idx[degree[idx] < p.sharing.partners]
    if short.size == 0:
        return
    offsets = w.rng_network.integers(1, idx.size, size=short.size)
    pos = np.searchsorted(idx, short)
    other = idx[(pos + offsets) % idx.size]
    add_links(w, np.column_stack((np.minimum(short, other), np.maximum(short, other))))


def link_entrants(w: World, new: np.ndarray) -> None:
    others = np.flatnonzero(w.member & w.active)
    if others.size < 2:
        return
    k = min(w.scenario.sharing.partners, others.size - 1)
    picks = others[w.rng_network.integers(0, others.size, size=(new.size, k))]
    a = np.repeat(new, k)
    b = picks.ravel()
    keep = a != b
    pairs = np.unique(np.column_stack((np.minimum(a, b), np.maximum(a, b)))[keep], axis=0)
    add_links(w, pairs)


def coordination_rate(w: World) -> np.ndarray:
    """Coordination cost per unit on each edge: lowest at full trust, cost_ratio times at none; cut
    while a broker of the programme is paid (``programme.coordination_factor``)."""
    p = w.scenario
    rate = p.district.coordination_cost * (1.0 + (p.trust.cost_ratio - 1.0) * (1.0 - w.trust))
    return rate * programme.coordination_factor(w) if p.programme.instruments else rate
