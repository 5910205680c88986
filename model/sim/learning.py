"""ODD 7.5, learning (M3) and spillovers (M4): experience lowers unit cost, defects and
processing time; members' know-how drifts to the frontier, faster while a programme trains
them. Reads scenario blocks: learning, spillovers, programme.
"""

from __future__ import annotations

import numpy as np

from . import programme
from .params import DEFECT_CAP
from .world import World


def update_costs(w: World) -> None:
    """Unit variable cost, defect rate and processing time from experience (M3) and know-how (M4)."""
    learn = (w.experience / w.experience0) ** w.learning_exponent
    w.learn = learn
    w.var_cost = w.var_base * w.efficiency * learn
    w.defect = np.minimum(w.defect_base * learn, DEFECT_CAP)
    w.processing = w.processing_base * learn


def learn_phase(w: World) -> None:
    """Experience lowers unit cost, defects and processing time (M3); know-how spills over (M4)."""
    p = w.scenario
    changed = False
    if w.mech.specialization:
        processed = w.own_use + w.sold
        w.experience = w.experience * (1.0 - p.learning.forgetting) + processed
        changed = True
    members = w.member & w.active
    pairs = w.runs(members).sum(axis=1) >= 2  # runs with at least two members
    if w.mech.spillovers and pairs.any():
        frontier = w.run_min(w.efficiency + np.where(members, 0.0, np.inf)[:, None])
        frontier = w.of_run(np.where(pairs[:, None], frontier, 0.0))  # (no member: inf; not used)
        absorb = np.minimum(1.0, w.employees / p.spillovers.absorptive_employees)
        if p.programme.instruments:  # training of the programme, while paid
            absorb = np.minimum(1.0, absorb * w.of_run(programme.absorptive_factor(w)))
        pull = np.where(members, p.spillovers.rate * absorb, 0.0)[:, None]
        drift = w.efficiency + pull * (frontier - w.efficiency)
        w.efficiency = np.where(w.of_run(pairs)[:, None], drift, w.efficiency)
        changed = True
    if changed:
        update_costs(w)
