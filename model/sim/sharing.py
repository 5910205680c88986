"""ODD 7.2, sharing (M1): members short at a stage buy partners' idle capacity at that stage;
some deliveries fail. Reads scenario blocks: sharing, trust, market.
"""

from __future__ import annotations

import numpy as np

from . import network, programme, trust
from .rows import flat, ratio, row_min, row_sum, unflat
from .world import World


def share_phase(w: World) -> None:
    """Members buy partners' idle stage capacity for the orders their own stages cannot take (M1)."""
    p = w.scenario
    n_edges = w.buyer.size
    s = w.n_stages
    w.failed_draw = failure_draws(w)
    # members' shortfall and spare capacity per stage: taking a non-member's orders as -inf (for
    # the shortfall) and +inf (for the spare) gives 0.0 in both, as masking the results would
    in_district = w.member & w.active
    w.need = np.maximum(np.where(in_district, w.orders, -np.inf)[:, None] - w.capacity, 0.0)
    w.idle = np.maximum(w.capacity - np.where(in_district, w.orders, np.inf)[:, None], 0.0)
    centre = bool(p.programme.instruments) and programme.has_centre(w)
    short = w.need > 0
    if not (w.mech.sharing and n_edges):
        _no_trades(w)
        if centre:
            empty = np.zeros(0, dtype=np.int64)
            _use_centres(w, empty, np.zeros(0), unit_value(w, short))
        return
    need, idle = flat(w.need), flat(w.idle)
    # candidate edge-stages: a live link whose buyer is short and whose seller has spare
    # capacity at that stage. Edges are filtered per firm first, so the (edge, stage) arrays
    # cover only links that can trade (not all E x S), in ascending (edge, stage) order.
    # Stages are packed as bits of one integer per firm (at most 20 stages), so the per-edge test
    # is one integer AND.
    bit, short_bits = stage_bits(short)
    both = short_bits.take(w.buyer) & stage_bits(w.idle > 0)[1].take(w.seller)
    live = np.flatnonzero((both != 0) & w.edge_alive)
    # each live edge's stages, in ascending (edge, stage) order: the stages' bits are tested along
    # the edges (a (S, L) array, fast) and read back edge by edge (nonzero is fastest on bools)
    pos = np.flatnonzero(((bit[:, None] & both.take(live)) != 0).T)
    row = pos // s
    stage = pos - row * s
    edge = live.take(row)
    b, v = w.buyer.take(edge), w.seller.take(edge)
    n = w.n_firms
    bfs, vfs = stage * n + b, stage * n + v  # flat firm-stage indices (rows.flat; a flat take is 5x a 2-D index)
    coord = trust.coordination_rate(w, edge)  # only the candidates' rates: the rest are not used
    price = flat(w.var_cost).take(vfs) * (1.0 + p.sharing.markup)  # the seller's cost plus markup
    # expected gain of asking edge e for one unit of stage-k work: the seller delivers with
    # probability 1 - failure_prob; coordination is paid either way. A unit short at several
    # stages carries its value once, split over those stages.
    value = unit_value(w, short)
    deliver = 1.0 - p.sharing.failure_prob
    own = value.take(b) + flat(w.var_cost).take(bfs)
    gain = deliver * (own - price - p.sharing.transport_cost) - coord
    trust_e = w.trust.take(edge)
    ok = np.flatnonzero((gain > 0) & (trust_e > 0))
    edge, stage, b, v = edge.take(ok), stage.take(ok), b.take(ok), v.take(ok)
    bfs, vfs = bfs.take(ok), vfs.take(ok)
    units = network.clear_pairs(need, idle, bfs, vfs, weight=trust_e.take(ok), rounds=p.sharing.rounds)
    fail_prob = p.sharing.failure_prob + p.trust.opportunism * w.opportunist.take(v)
    failed = w.failed_draw.take(edge) < fail_prob
    w.trade_edge, w.trade_stage, w.trade_run = edge, stage, w.edge_run.take(edge)
    w.trade_buyer, w.trade_seller = b, v
    w.trade_units = np.where(failed, 0.0, units)
    w.trade_failed = np.where(failed, units, 0.0)
    w.trade_price, w.trade_coord_rate = price.take(ok), coord.take(ok)
    if centre:
        _use_centres(w, bfs, units, value)


def stage_bits(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each stage's bit and, per firm, its stages where ``mask`` (firms, S) holds, as the bits of
    one unsigned integer (of 8 bits up to 8 stages, else 16 or 32), built one stage column at a time."""
    s = mask.shape[1]
    dtype = np.uint8 if s <= 8 else np.uint16 if s <= 16 else np.uint32
    code = mask[:, 0].astype(dtype)
    for k in range(1, s):
        code |= mask[:, k].astype(dtype) << k
    return np.left_shift(1, np.arange(s)).astype(dtype), code


def _no_trades(w: World) -> None:
    """No trade this week: every per-trade array empty."""
    w.trade_edge = np.empty(0, dtype=np.int64)
    w.trade_run = np.empty(0, dtype=np.int64)
    w.trade_stage = np.empty(0, dtype=np.int64)
    w.trade_buyer = np.empty(0, dtype=np.int64)
    w.trade_seller = np.empty(0, dtype=np.int64)
    w.trade_units = np.empty(0)
    w.trade_failed = np.empty(0)
    w.trade_price = np.empty(0)
    w.trade_coord_rate = np.empty(0)


def failure_draws(w: World) -> np.ndarray:
    """This week's uniform draw per edge: each run draws one per edge of its own, from its own stream."""
    if not w.buyer.size:
        return np.empty(0)
    if w.n_runs == 1:
        return w.rng_sharing[0].random(w.buyer.size)
    return np.concatenate([w.rng_sharing[r].random(k) for r, k in enumerate(w.edge_count.tolist()) if k])


def unit_value(w: World, short: np.ndarray | None = None) -> np.ndarray:
    """Per firm: what one unit of stage work bought this week is worth. A unit short at several
    stages carries its value (``value_of_serving_now``) once, split over those stages
    (``short``: ``w.need > 0``, when the caller has it)."""
    short = w.need > 0 if short is None else short
    short_stages = np.maximum(row_sum(short.view(np.int8)).astype(np.int64), 1)
    return value_of_serving_now(w) / short_stages


def _use_centres(w: World, bfs: np.ndarray, units: np.ndarray, value: np.ndarray) -> None:
    """What members still lack after the work agreed with partners goes to the service centres
    (``bfs``: each agreed trade's flat buyer firm-stage index)."""
    s = w.n_stages
    agreed = unflat(np.bincount(bfs, units, minlength=w.n_firms * s), s)
    programme.serve(w, np.maximum(w.need - agreed, 0.0), value)


def edge_units(w: World) -> np.ndarray:
    """Delivered stage work per edge and stage, (E, S): a dense view of the trades (not used in the step)."""
    return dense(w, w.trade_units)


def edge_failed(w: World) -> np.ndarray:
    """Stage work that failed, per edge and stage, (E, S)."""
    return dense(w, w.trade_failed)


def dense(w: World, values: np.ndarray) -> np.ndarray:
    s = w.n_stages
    flat = np.bincount(w.trade_edge * s + w.trade_stage, values, minlength=w.buyer.size * s)
    return flat.reshape(-1, s)


def trade_firm_stage(w: World) -> tuple[np.ndarray, np.ndarray]:
    """Flat firm-stage index (``rows.flat``) of each trade's buyer and seller."""
    base = w.trade_stage * w.n_firms
    return base + w.trade_buyer, base + w.trade_seller


def value_of_serving_now(w: World) -> np.ndarray:
    """Per firm: what one more unit served this week is worth, before its own variable costs.

    With lost sales it is the unit margin. With a backlog, an order that waits is only lost
    if the firm cannot serve it itself next week: the firm expects spare bottleneck capacity
    ``bottleneck - expected demand`` next week; the part of its shortfall that fits there
    waits (and a fraction ``backlog_loss_rate`` cancels meanwhile), the rest is as good as lost.
    """
    m = w.scenario.market
    margin = m.price - row_sum(w.var_cost)
    if m.unserved == "lost":
        return margin
    bottleneck = row_min(w.capacity)
    shortfall = np.maximum(w.orders - bottleneck, 0.0)
    spare_next = np.maximum(bottleneck - w.base_demand * w.demand_index, 0.0)
    waits = np.minimum(1.0, ratio(spare_next, shortfall, 1.0))  # 1 where nothing is short
    return margin * (m.backlog_loss_rate * waits + (1.0 - waits))
