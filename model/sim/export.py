"""ODD 7.8, collective reputation and export (M6): members' good-unit share times on-time
share, smoothed; the export channel opens above a threshold. Called at the end of
``accounting.account_phase``, as ODD section 3 says. Reads scenario block: export.
"""

from __future__ import annotations

import numpy as np

from .world import World


def update_reputation(w: World) -> None:
    """Collective reputation of members: good-unit share times on-time share, smoothed (M6). A run
    whose members produced or were ordered nothing this week keeps its reputation and channel."""
    x = w.scenario.export
    members = w.member & w.active
    produced = w.run_sum(np.where(members, w.produced, 0.0))
    orders = w.run_sum(np.where(members, w.orders, 0.0))
    ok = (produced > 0) & (orders > 0)
    safe = np.where(ok, produced, 1.0)
    quality = 1.0 - w.run_sum(np.where(members, w.defective, 0.0)) / safe
    on_time = produced / np.where(ok, orders, 1.0)
    w.reputation = np.where(ok, (1.0 - x.memory) * w.reputation + x.memory * quality * on_time, w.reputation)
    pooled = w.run_sum(np.where(members, w.output, 0.0))
    channel = w.mech.export & (w.reputation >= x.reputation_threshold) & (pooled >= x.min_lot)
    w.export_open = np.where(ok, channel, w.export_open)
