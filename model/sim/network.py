"""Partner network among district members and the clearing of idle stage capacity over it.

Both are vectorised over links: no Python loop over firms or pairs. Links are undirected and
stored as two directed edges, ``buyer -> seller`` in each direction, so every edge can carry
trade either way.
"""

from __future__ import annotations

import numpy as np


def random_partner_links(members: np.ndarray, partners: int, rng: np.random.Generator) -> np.ndarray:
    """Undirected links among ``members``: each member draws ``partners`` others at random.

    Returns an array of shape (L, 2) with ``a < b`` in each row, sorted and without duplicates.
    A member can end with more than ``partners`` links (others drew it) and, when its own
    draws repeat, fewer from its own side. With ``partners >= m - 1`` the network is complete.
    """
    m = members.size
    if m < 2:
        return np.empty((0, 2), dtype=np.int64)
    if partners >= m - 1:
        return complete_links(members)
    offsets = rng.integers(1, m, size=(m, partners))
    own = np.arange(m)[:, None]
    other = (own + offsets) % m
    a = np.broadcast_to(own, other.shape).ravel()
    b = other.ravel()
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    key = np.unique(lo * m + hi)
    return np.column_stack((members[key // m], members[key % m]))


def complete_links(members: np.ndarray) -> np.ndarray:
    """Every pair of members, as undirected links (a < b)."""
    a, b = np.triu_indices(members.size, k=1)
    return np.column_stack((members[a], members[b])).astype(np.int64)


def group_links(members: np.ndarray, size: int) -> np.ndarray:
    """Complete networks within consecutive groups of ``size`` members."""
    groups = [members[i : i + size] for i in range(0, members.size, size)]
    parts = [complete_links(g) for g in groups if g.size >= 2]
    return np.concatenate(parts) if parts else np.empty((0, 2), dtype=np.int64)


def directed_edges(links: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Buyer and seller arrays of the two directed edges of each undirected link.

    Edge ``e`` and edge ``e + L`` are the two directions of link ``e``.
    """
    buyer = np.concatenate((links[:, 0], links[:, 1]))
    seller = np.concatenate((links[:, 1], links[:, 0]))
    return buyer, seller


_TINY = np.nextafter(0.0, 1.0)  # the least positive double (subnormal)


def clear_pairs(
    need: np.ndarray, idle: np.ndarray, bidx: np.ndarray, sidx: np.ndarray, *, weight: np.ndarray, rounds: int
) -> np.ndarray:
    """Allocate buyers' stage shortfalls to partners' idle stage capacity, over candidate pairs.

    Each round, every buyer splits what it still needs at a stage over its candidate partners in
    proportion to ``weight * partner's remaining idle capacity``; every seller that is asked for
    more than it has scales all requests down by the same factor. Unfilled needs go round again.
    All firms act at once, so the result does not depend on storage order.

    Args:
        need, idle: flat (N*S,) needs and spare capacities by firm-stage.
        bidx, sidx: (P,) flat firm-stage index of each candidate pair's buyer and seller.
        weight: (P,) positive preference of each pair.
        rounds: rounds of clearing.

    Returns:
        (P,) units each pair trades.
    """
    size = need.size
    rest_need, rest_idle = need, idle  # never written in place: each round makes new arrays
    got = np.zeros(bidx.size)
    if bidx.size == 0:
        return got
    for r in range(rounds):
        idle_s = rest_idle.take(sidx)
        w = weight * idle_s
        # w >= 0, so a buyer's total is 0 only where each of its w is 0: w / max(total, the least
        # positive double) is then 0 / tiny = 0, and elsewhere exactly w / total
        w_total = np.maximum(np.bincount(bidx, w, minlength=size).take(bidx), _TINY)
        req = rest_need.take(bidx) * (w / w_total)
        asked = np.bincount(sidx, req, minlength=size).take(sidx)
        # req >= 0, so asked is 0 only where req is 0: the fill there does not matter
        fill = np.minimum(1.0, idle_s / (asked + (asked <= 0)))
        g = req * fill
        if not g.any():
            break
        got += g
        if r + 1 < rounds:  # what is left goes round again
            rest_need = np.maximum(rest_need - np.bincount(bidx, g, minlength=size), 0.0)
            rest_idle = np.maximum(rest_idle - np.bincount(sidx, g, minlength=size), 0.0)
    return got
