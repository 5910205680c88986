"""ODD 7.12, membership choice: under ``district.membership: choice`` eligible firms join or leave
at each membership review by what they expect membership to gain them. Reads scenario blocks:
district, sharing.

What a firm knows when it decides (ODD 4, sensing): its own results (its quarterly average profit
per unit of its nominal capacity, ``profit_avg / nominal_capacity``, which carries what its
partners' trust and deliveries did for it); what the firms near it earned, members and
non-members apart: firms of its own size half (the smaller or the larger half of the starting
firms), whose results a chamber of commerce publishes; and how many members there are (a larger
district's members earn what more partners and a larger export lot give them, and the firm sees
it in their results). It does not see its own result outside the district (the paired twin),
nor other firms' costs, cash or know-how.

Prediction: a firm's results relative to the non-members near it, ``rel = own rate - their mean
rate``, take out what all firms share (the season, the market); the firm remembers its relative
rate as a member (``rel_member``) and as a non-member (``rel_alone``), each blended at the reviews
it spends in that state (``belief_weight`` on the newest). Its expected gain of membership, kRUB
per week, is ``(rel_member - rel_alone) * nominal capacity`` once it has been both; before, it
takes the missing one from what it sees near it: the members' mean relative rate there (the
naive member/non-member gap an outsider sees), believed in proportion ``m / (m + evidence_firms)``
to the number ``m`` of members it can see: the results of two members say less than those of
twenty. No firm extrapolates growth. Inertia: a
non-member joins when its expected gain exceeds the joining cost spread over the minimum stay;
a member leaves when its expected gain is below minus that amount, once it has stayed
``min_stay_weeks``. A joiner pays ``joining_cost`` (by size, like the dues) and links to
partners; a leaver's links end.
"""

from __future__ import annotations

import numpy as np

from . import trust
from .world import World


def membership_phase(w: World) -> None:
    """Eligible firms join or leave at the membership review (choice only); the sustain record."""
    w.joins_last = np.zeros(w.n_runs)
    w.leaves_last = np.zeros(w.n_runs)
    d = w.scenario.district
    if d.membership != "choice" or not w.district_active:
        return
    if w.steps % d.membership_review_weeks == 0:
        rel = relative_rate(w)  # once per review: both the memory and the expectation read it
        learn_from_results(w, rel)
        w.belief = expected_gain(w, rel)
        decide(w)
    share = member_share(w)
    w.sustained_week = np.where(
        np.isnan(w.sustained_week) & (share >= d.sustain_share), float(w.steps), w.sustained_week
    )


def deciding(w: World) -> np.ndarray:
    """Eligible active firms that have traded for at least one review period (results to go on)."""
    d = w.scenario.district
    return w.active & w.eligible & (w.steps - np.nan_to_num(w.active_since, nan=np.inf) >= d.membership_review_weeks)


def member_share(w: World) -> np.ndarray:
    """Per run: members over the active firms the district is open to."""
    open_to = w.eligible & w.active
    k = w.runs(open_to).sum(axis=1)
    return np.where(k > 0, w.runs(w.member & open_to).sum(axis=1) / np.maximum(k, 1), 0.0)


def _near_means(w: World, values: np.ndarray, pick: np.ndarray) -> np.ndarray:
    """Per firm, the mean of ``values`` over the picked firms of its size half (all picked firms if
    none is in its half; NaN if none is picked)."""
    # the smaller or larger half of the starting firms (entrants: larger), numbered per run
    group = 2 * w.firm_run + np.where(w.smaller, 0, 1)
    count = np.bincount(group[pick], minlength=2 * w.n_runs).astype(float).reshape(w.n_runs, 2)
    total = np.bincount(group[pick], values[pick], minlength=2 * w.n_runs).reshape(w.n_runs, 2)
    seen = count.sum(axis=1)
    overall = np.divide(total.sum(axis=1), seen, out=np.full(w.n_runs, np.nan), where=seen > 0)
    near = np.divide(total, count, out=np.full((w.n_runs, 2), np.nan), where=count > 0)
    return np.where(np.isnan(near), overall[:, None], near).ravel()[group]


def relative_rate(w: World) -> np.ndarray:
    """Each firm's quarterly profit per unit of nominal capacity minus that of the active eligible
    non-members near it (NaN where there are none)."""
    act = w.active & w.eligible
    rate = w.profit_avg / np.maximum(w.nominal_capacity, 1e-12)
    return rate - _near_means(w, rate, act & ~w.member)


def learn_from_results(w: World, rel: np.ndarray) -> None:
    """Blend this review's relative rate into the memory of the state the firm is in (after a full
    review period in it)."""
    d = w.scenario.district
    settled = w.steps - np.nan_to_num(w.member_since, nan=-np.inf) >= d.membership_review_weeks
    seen = deciding(w) & ~np.isnan(rel)
    for state, mask in (("rel_member", seen & w.member & settled), ("rel_alone", seen & ~w.member)):
        old = getattr(w, state)
        blended = np.where(np.isnan(old), rel, (1.0 - d.belief_weight) * old + d.belief_weight * rel)
        setattr(w, state, np.where(mask, blended, old))


def expected_gain(w: World, rel: np.ndarray) -> np.ndarray:
    """Expected gain of membership per firm, kRUB per week (NaN: the firm has nothing to go on)."""
    act = w.active & w.eligible
    seen = act & w.member & ~np.isnan(rel)
    # the members' gap over the non-members near it (whose mean is 0 by construction), believed as
    # far as the number of members seen bears it out: m / (m + evidence_firms) of it
    m = w.of_run(w.runs(seen).sum(axis=1).astype(float))
    members_near = _near_means(w, rel, seen) * (m / (m + w.scenario.district.evidence_firms))
    as_member = np.where(np.isnan(w.rel_member), w.rel_alone + members_near, w.rel_member)
    alone = np.where(np.isnan(w.rel_alone), w.rel_member - members_near, w.rel_alone)
    return np.where(act, (as_member - alone) * w.nominal_capacity, np.nan)


def decide(w: World) -> None:
    """Join, leave, pay the joining cost, link the joiners and unlink the leavers."""
    d = w.scenario.district
    act = deciding(w)
    hurdle = d.joining_cost * w.fee_scale / d.min_stay_weeks
    gain = np.nan_to_num(w.belief, nan=0.0)  # nothing to go on: stay as it is
    join = act & ~w.member & (gain > hurdle)
    stayed = w.steps - np.nan_to_num(w.member_since, nan=np.inf)
    leave = act & w.member & (gain < -hurdle) & (stayed >= d.min_stay_weeks)
    w.joins_last = w.runs(join).sum(axis=1).astype(float)
    w.leaves_last = w.runs(leave).sum(axis=1).astype(float)
    if not (join.any() or leave.any()):
        return
    w.member = (w.member | join) & ~leave
    w.member_since = np.where(join, float(w.steps), np.where(leave, np.nan, w.member_since))
    w.join_week = np.where(join & np.isnan(w.join_week), float(w.steps), w.join_week)
    w.ever_member = w.ever_member | join
    cost = np.where(join, d.joining_cost * w.fee_scale, 0.0)
    fl = w.flows
    fl["joining_cost"] = fl["joining_cost"] + cost
    fl["profit"] = fl["profit"] - cost
    fl["cash_change"] = fl["cash_change"] - cost
    w.cash = w.cash - cost
    if w.buyer.size:
        w.edge_alive = w.edge_alive & w.member[w.buyer] & w.member[w.seller]
    if w.mech.sharing and join.any():
        link_joiners(w, np.flatnonzero(join))


def link_joiners(w: World, new: np.ndarray) -> None:
    """Joiners link to every member of their run in a complete network, else to ``sharing.partners``
    random members."""
    if w.scenario.sharing.network != "complete":
        trust.link_entrants(w, new)
        return
    members = trust.members_by_run(w)
    parts = []
    for r in np.unique(w.firm_run[new]):
        mine, others = new[w.firm_run[new] == r], members[r]
        a, b = np.meshgrid(mine, others, indexing="ij")
        keep = (a != b) & ~(np.isin(b, mine) & (b < a))  # each new pair once
        parts.append(np.column_stack((np.minimum(a, b)[keep], np.maximum(a, b)[keep])))
    trust.add_links(w, np.unique(np.concatenate(parts), axis=0))
