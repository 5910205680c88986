"""ODD 7.8, collective reputation and export (M6): members' good-unit share times on-time
share, smoothed; the export channel opens above a threshold. Called at the end of
``accounting.account_phase``, as ODD section 3 says. Reads scenario block: export.
"""

from __future__ import annotations

from .world import World


def update_reputation(w: World) -> None:
    """Collective reputation of members: good-unit share times on-time share, smoothed (M6)."""
    x = w.scenario.export
    members = w.member & w.active
    produced = float(w.produced[members].sum())
    orders = float(w.orders[members].sum())
    if produced <= 0 or orders <= 0:
        return
    quality = 1.0 - float(w.defective[members].sum()) / produced
    on_time = produced / orders
    w.reputation = (1.0 - x.memory) * w.reputation + x.memory * quality * on_time
    pooled = float(w.output[members].sum())
    w.export_open = bool(w.mech.export and w.reputation >= x.reputation_threshold and pooled >= x.min_lot)
