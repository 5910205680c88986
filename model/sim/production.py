"""ODD 7.3, production and quality: units up to the bottleneck of own plus partners' work;
defects, lost or backlogged orders, delivery records, the review window (M2, M3).
Reads scenario block: market.
"""

from __future__ import annotations

import numpy as np

from . import programme, sharing
from .rows import flat, ratio, row_min, row_prod, unflat
from .world import World


def produce_phase(w: World) -> None:
    """Units are produced up to the bottleneck (counting partner work); a share is defective."""
    n, s = w.n_firms, w.n_stages
    bfs, sfs = sharing.trade_firm_stage(w)
    received = unflat(np.bincount(bfs, w.trade_units, minlength=n * s), s)
    centre = bool(w.scenario.programme.instruments) and programme.has_centre(w)
    if centre:  # work bought from a service centre of the programme counts as partner work
        received = received + w.centre_units
    reach = row_min(w.capacity + received)
    w.produced = np.where(w.active, np.minimum(w.orders, reach), 0.0)
    # partner work beyond what the bottleneck lets through is cancelled (not paid)
    usable = np.maximum(w.produced[:, None] - w.capacity, 0.0)
    keep = ratio(usable, received)
    w.trade_units = w.trade_units * flat(keep).take(bfs)
    w.received = unflat(np.bincount(bfs, w.trade_units, minlength=n * s), s)
    if centre:
        w.centre_units = w.centre_units * keep
        w.received = w.received + w.centre_units
    w.sold = unflat(np.bincount(sfs, w.trade_units, minlength=n * s), s)
    w.own_use = np.minimum(w.produced[:, None], w.capacity)
    # a unit is good only if every stage, own or partner's, got it right
    partner_defects = unflat(np.bincount(bfs, w.trade_units * flat(w.defect).take(sfs), minlength=n * s), s)
    if centre:
        partner_defects = partner_defects + w.centre_units * w.defect_base
    stage_defect = ratio(w.own_use * w.defect + partner_defects, w.produced[:, None])
    w.defect_share = 1.0 - row_prod(1.0 - stage_defect)
    w.defective = w.produced * w.defect_share
    w.output = w.produced - w.defective
    # export orders are served in the same proportion as the rest; unserved ones are lost
    served = ratio(w.produced, w.orders, 1.0)
    w.export_units = w.export_orders * served * (1.0 - w.defect_share)
    unfilled_home = (w.orders - w.export_orders) * (1.0 - served)
    m = w.scenario.market
    lost_home = unfilled_home if m.unserved == "lost" else unfilled_home * m.backlog_loss_rate
    w.backlog = unfilled_home - lost_home
    w.lost = lost_home + w.export_orders * (1.0 - served) + w.defective
    good_share = ratio(w.output, w.orders, 1.0)
    memory = m.record_memory
    w.record = np.where(w.active, (1 - memory) * w.record + memory * good_share, w.record)
    # district spare capacity left after clearing, for the asset-light review (M2)
    members = w.member & w.active
    if members.any():
        weight = members.astype(float)[:, None]  # x * 1 and x * 0: the members' sums, without a copy
        spare = w.run_sum((w.capacity - w.own_use - w.sold) * weight)  # (B, S)
        held = w.run_sum(w.capacity * weight)
        share = np.divide(spare, held, out=np.zeros_like(spare), where=held > 0)
        some = w.runs(members).any(axis=1)[:, None]  # runs without members leave their window as it is
        w.window_spare_min = np.where(some, np.minimum(w.window_spare_min, share), w.window_spare_min)
    w.window_used += w.own_use + w.sold
    w.window_capacity += np.where(w.active[:, None], w.capacity, 0.0)
    w.window_short += w.need
    w.window_weeks += 1
