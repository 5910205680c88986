"""ODD 7.10, adjacent industries (M5): local suppliers' sales from this week's purchases; new
suppliers when those sales pass their peak. Reads scenario block: adjacent.
"""

from __future__ import annotations

import numpy as np

from .world import World


def adjacent_phase(w: World) -> None:
    """Local suppliers' sales from this week's purchases; new suppliers when sales pass their peak (M5)."""
    p = w.scenario
    fl = w.flows
    local = np.where(w.member & w.mech.adjacent, p.adjacent.member_local_share, p.adjacent.local_share)
    purchases = fl["variable_cost"] + fl["fixed_cost"] + fl["transport"] + fl["investment"]
    w.adjacent_revenue = w.run_sum(local * purchases)
    suppliers = w.adjacent_revenue / p.adjacent.revenue_per_firm
    peak = w.adjacent_peak_firms
    first = np.isnan(peak)  # the first week sets the peak
    w.adjacent_entries = np.where(first, 0.0, np.maximum(0.0, np.floor(suppliers) - np.floor(np.nan_to_num(peak))))
    w.adjacent_peak_firms = np.where(first, suppliers, np.fmax(peak, suppliers))
