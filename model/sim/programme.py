"""ODD 7.14, public programme: what the agency pays each week, through its own ledger.

Each instrument pays in weeks ``start_week <= t < end_week`` (t counted from 0) while the
programme is funded and its budget lasts; the week the budget runs out, its payments are
scaled down to what is left, and it pays nothing after. Every rouble the agency pays goes to a
firm (``flows['subsidy']``, income in the firm's ledger) or to a named outside payee (the
broker's salary); ``w.public_paid`` is the week's total per instrument, ``w.public_spent`` the
running total, so ``public_spent`` equals the sum of all weeks' ``public_paid``, and this week's
``public_paid`` equals the subsidies received by firms plus ``public_outside``.

- ``brokerage``: the broker's salary; while paid, coordination cost per unit on members' links is
  cut by ``coordination_cut`` (``coordination_factor``, read by ``trust.coordination_rate``).
- ``membership_subsidy``: ``share`` of each member's dues (``flows['membership_fee']``).
- ``export_subsidy``: ``share`` of each member's export consortium fee (``flows['consortium_fee']``).
- ``training``: ``cost_per_member_week`` per active member to a training provider (outside the
  sector); while paid, members absorb know-how as if ``absorptive_boost`` larger
  (``absorptive_factor``, read by ``learning.learn_phase``).
- ``service_centre``: in its first paying week the agency pays the capital (``capacity`` times
  ``capital_per_unit``; a budget too small builds a smaller centre); from the next week on it
  pays ``running_cost_per_week`` and the centre serves: members still short at its stage after
  their partners' work buy its work for ``user_fee`` per unit when the unit is worth more than
  fee and transport (``serve``, in the sharing phase), shared in proportion to what each lacks.
  The fees are the agency's income (``w.public_fees``); the work has the stage's base defect rate.
- ``co_investment``: ``share`` of each member's equipment purchases at a capacity review, paid in
  the adapt phase (``co_invest``); the members' own share of the part of a purchase the grant
  paid for is the private investment leveraged (``w.private_leveraged``), so a budget that runs
  out mid-purchase does not count the unsupported rest.
Reads scenario block: programme.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .world import World


def week(w: World) -> int:
    """The week being stepped, counted from 0."""
    return w.steps - 1


def paying(w: World) -> np.ndarray:
    """Per instrument: does it pay this week (funded, inside its window, budget left)?"""
    prog = w.scenario.programme
    t = week(w)
    return np.array(
        [
            prog.funded and i.start_week <= t < i.end_week and w.public_spent[k] < i.budget
            for k, i in enumerate(prog.instruments)
        ],
        dtype=bool,
    )


def paid_now(w: World, kind: str) -> list[tuple[int, Any]]:
    """The instruments of ``kind`` that pay this week (``paying``), with their positions."""
    on = paying(w)
    return [(k, i) for k, i in enumerate(w.scenario.programme.instruments) if i.kind == kind and on[k]]


def _budget_scale(w: World, k: int, wanted: float) -> float:
    """The share of ``wanted`` instrument ``k`` can still pay: all of it, or what its budget has left."""
    left = w.scenario.programme.instruments[k].budget - w.public_spent[k]
    return 1.0 if wanted <= left else left / wanted


def coordination_factor(w: World) -> float:
    """What remains of the coordination cost per unit this week: the product of (1 - cut) over the
    brokers paid this week (1.0 without a programme)."""
    return math.prod(1.0 - i.coordination_cut for _, i in paid_now(w, "brokerage"))


def pay(w: World, fl: dict[str, np.ndarray]) -> None:
    """This week's payments of the agency: subsidies into ``fl['subsidy']`` (per firm), the rest to
    payees outside the sector; each instrument within its window and what is left of its budget."""
    prog = w.scenario.programme
    n_inst = len(prog.instruments)
    subsidy = np.zeros(w.n_firms)
    paid = np.zeros(n_inst)
    outside = 0.0
    on = paying(w)
    for k, inst in enumerate(prog.instruments):
        if not on[k]:
            continue
        if inst.kind == "brokerage":
            to_firms, to_outside = np.zeros(w.n_firms), inst.cost_per_week
        elif inst.kind == "membership_subsidy":
            to_firms, to_outside = inst.share * fl["membership_fee"], 0.0
        elif inst.kind == "export_subsidy":
            to_firms, to_outside = inst.share * fl["consortium_fee"], 0.0
        elif inst.kind == "training":
            to_firms = np.zeros(w.n_firms)
            to_outside = inst.cost_per_member_week * float((w.member & w.active).sum())
        elif inst.kind == "service_centre":  # built in its first paying week, then run
            to_firms = np.zeros(w.n_firms)
            unbuilt = w.centre_built[k] == 0.0
            to_outside = inst.capacity * inst.capital_per_unit if unbuilt else inst.running_cost_per_week
        else:  # co_investment: paid with the purchases, at a capacity review (co_invest)
            continue
        wanted = float(to_firms.sum()) + to_outside
        scale = _budget_scale(w, k, wanted)
        if inst.kind == "service_centre" and w.centre_built[k] == 0.0:
            w.centre_built[k] = inst.capacity * scale  # what the budget left buys
        subsidy += scale * to_firms
        outside += scale * to_outside
        paid[k] = scale * wanted
    fl["subsidy"] = subsidy
    if has_centre(w):  # members pay the agency for its work
        fl["centre_fee"] = w.centre_units @ _fee_by_stage(w)
        w.public_fees = float(fl["centre_fee"].sum())
    w.public_paid = paid
    w.public_outside = outside
    w.public_spent = w.public_spent + paid
    w.private_leveraged = 0.0


def absorptive_factor(w: World) -> float:
    """What members' absorptive capacity is multiplied by this week: 1 plus the boosts of the
    training paid this week (1.0 without a programme)."""
    return 1.0 + sum(i.absorptive_boost for _, i in paid_now(w, "training"))


def _fee_by_stage(w: World) -> np.ndarray:
    fee = np.zeros(w.n_stages)
    names = w.scenario.stage_names
    for inst in w.scenario.programme.instruments:
        if inst.kind == "service_centre":
            fee[names.index(inst.stage)] = inst.user_fee
    return fee


def has_centre(w: World) -> bool:
    return any(i.kind == "service_centre" for i in w.scenario.programme.instruments)


def serve(w: World, remaining: np.ndarray, unit_value: np.ndarray) -> None:
    """This week's work of the service centres open now (built in an earlier week, still paid):
    members short at a centre's stage after their partners' work (``remaining``, (N, S)) for whom a
    unit is worth more than fee and transport (``unit_value``, per firm) share its capacity in
    proportion to what each lacks. Sets ``w.centre_units``."""
    names = w.scenario.stage_names
    units = np.zeros_like(remaining)
    members = w.member & w.active
    for k, inst in paid_now(w, "service_centre"):
        if w.centre_built[k] == 0.0:  # built this week: serves from the next
            continue
        j = names.index(inst.stage)
        worth = unit_value + w.var_cost[:, j] - inst.user_fee - w.scenario.sharing.transport_cost
        want = np.where(members & (worth > 0), remaining[:, j] - units[:, j], 0.0)
        total = float(want.sum())
        if total > 0:
            units[:, j] += want * min(1.0, w.centre_built[k] / total)
    w.centre_units = units


def grant_share(w: World) -> np.ndarray:
    """Per firm: the share of an equipment purchase this week's co-investment grants would pay
    (members only; several grants add up, at most 0.95)."""
    share = sum(i.share for _, i in paid_now(w, "co_investment"))
    return np.where(w.member & w.active, min(share, 0.95), 0.0)


def co_invest(w: World, cost: np.ndarray) -> np.ndarray:
    """The grants on this review's purchases ``cost`` (kRUB per firm), within each grant's budget:
    booked in the agency's ledger and returned per firm (the caller pays them to the firms)."""
    grants = np.zeros(w.n_firms)
    eligible = np.where(w.member & w.active, cost, 0.0)
    for k, inst in paid_now(w, "co_investment"):
        wanted = inst.share * eligible
        total = float(wanted.sum())
        scale = _budget_scale(w, k, total)
        grants += scale * wanted
        w.public_paid[k] += scale * total
        w.public_spent[k] += scale * total
        # the private investment matching the grant: the firms' own share of the part it paid for
        w.private_leveraged += scale * total * (1.0 - inst.share) / inst.share
    return grants
