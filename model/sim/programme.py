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

from typing import Any

import numpy as np

from .rows import row_dot
from .world import World


def week(w: World) -> int:
    """The week being stepped, counted from 0."""
    return w.steps - 1


def paying(w: World) -> np.ndarray:
    """Per run and instrument, (B, K): does it pay this week (funded, inside its window, budget left)?"""
    prog = w.scenario.programme
    t = week(w)
    window = np.array([prog.funded and i.start_week <= t < i.end_week for i in prog.instruments], dtype=bool)
    budget = np.array([i.budget for i in prog.instruments], dtype=float)
    return window[None, :] & (w.public_spent < budget[None, :])


def paid_now(w: World, kind: str) -> list[tuple[int, Any, np.ndarray]]:
    """The instruments of ``kind`` that pay this week in some run (``paying``): position, instrument,
    and the runs where it pays ((B,) bool)."""
    on = paying(w)
    return [
        (k, i, on[:, k]) for k, i in enumerate(w.scenario.programme.instruments) if i.kind == kind and on[:, k].any()
    ]


def _budget_scale(w: World, k: int, wanted: np.ndarray) -> np.ndarray:
    """Per run, the share of ``wanted`` instrument ``k`` can still pay: all of it, or what its budget has left."""
    left = w.scenario.programme.instruments[k].budget - w.public_spent[:, k]
    return np.where(wanted <= left, 1.0, left / np.where(wanted > left, wanted, 1.0))


def coordination_factor(w: World) -> np.ndarray:
    """Per run, what remains of the coordination cost per unit this week: the product of (1 - cut)
    over the brokers paid this week (1.0 without a programme)."""
    factor = np.ones(w.n_runs)
    for _, i, on in paid_now(w, "brokerage"):
        factor = factor * np.where(on, 1.0 - i.coordination_cut, 1.0)
    return factor


def pay(w: World, fl: dict[str, np.ndarray]) -> None:
    """This week's payments of the agency: subsidies into ``fl['subsidy']`` (per firm), the rest to
    payees outside the sector; each instrument within its window and what is left of its budget."""
    prog = w.scenario.programme
    subsidy = np.zeros(w.n_firms)
    paid = np.zeros((w.n_runs, len(prog.instruments)))
    outside = np.zeros(w.n_runs)
    on_all = paying(w)
    for k, inst in enumerate(prog.instruments):
        on = on_all[:, k]
        if not on.any():
            continue
        unbuilt = w.centre_built[:, k] == 0.0
        if inst.kind == "brokerage":
            to_firms, to_outside = np.zeros(w.n_firms), np.full(w.n_runs, inst.cost_per_week)
        elif inst.kind == "membership_subsidy":
            to_firms, to_outside = inst.share * fl["membership_fee"], np.zeros(w.n_runs)
        elif inst.kind == "export_subsidy":
            to_firms, to_outside = inst.share * fl["consortium_fee"], np.zeros(w.n_runs)
        elif inst.kind == "training":
            to_firms = np.zeros(w.n_firms)
            to_outside = inst.cost_per_member_week * w.runs(w.member & w.active).sum(axis=1).astype(float)
        elif inst.kind == "service_centre":  # built in its first paying week, then run
            to_firms = np.zeros(w.n_firms)
            to_outside = np.where(unbuilt, inst.capacity * inst.capital_per_unit, inst.running_cost_per_week)
        else:  # co_investment: paid with the purchases, at a capacity review (co_invest)
            continue
        wanted = w.run_sum(to_firms) + to_outside
        scale = np.where(on, _budget_scale(w, k, wanted), 0.0)  # 0 where it does not pay
        if inst.kind == "service_centre":
            w.centre_built[:, k] = np.where(
                on & unbuilt, inst.capacity * scale, w.centre_built[:, k]
            )  # what the budget left buys
        subsidy += w.of_run(scale) * to_firms
        outside += scale * to_outside
        paid[:, k] = scale * wanted
    fl["subsidy"] = subsidy
    if has_centre(w):  # members pay the agency for its work
        fl["centre_fee"] = row_dot(w.centre_units, _fee_by_stage(w))
        w.public_fees = w.run_sum(fl["centre_fee"])
    w.public_paid = paid
    w.public_outside = outside
    w.public_spent = w.public_spent + paid
    w.private_leveraged = np.zeros(w.n_runs)


def absorptive_factor(w: World) -> np.ndarray:
    """Per run, what members' absorptive capacity is multiplied by this week: 1 plus the boosts of
    the training paid this week (1.0 without a programme)."""
    boost = np.zeros(w.n_runs)
    for _, i, on in paid_now(w, "training"):
        boost = boost + np.where(on, i.absorptive_boost, 0.0)
    return 1.0 + boost


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
    for k, inst, on in paid_now(w, "service_centre"):
        built = w.centre_built[:, k]
        open_now = on & (built != 0.0)  # built this week: serves from the next
        if not open_now.any():
            continue
        j = names.index(inst.stage)
        worth = unit_value + w.var_cost[:, j] - inst.user_fee - w.scenario.sharing.transport_cost
        want = np.where(members & (worth > 0) & w.of_run(open_now), remaining[:, j] - units[:, j], 0.0)
        total = w.run_sum(want)
        share = np.where(total > 0, np.minimum(1.0, built / np.where(total > 0, total, 1.0)), 0.0)
        units[:, j] += want * w.of_run(share)
    w.centre_units = units


def grant_share(w: World) -> np.ndarray:
    """Per firm: the share of an equipment purchase this week's co-investment grants would pay
    (members only; several grants add up, at most 0.95)."""
    share = np.zeros(w.n_runs)
    for _, i, on in paid_now(w, "co_investment"):
        share = share + np.where(on, i.share, 0.0)
    return np.where(w.member & w.active, w.of_run(np.minimum(share, 0.95)), 0.0)


def co_invest(w: World, cost: np.ndarray) -> np.ndarray:
    """The grants on this review's purchases ``cost`` (kRUB per firm), within each grant's budget:
    booked in the agency's ledger and returned per firm (the caller pays them to the firms)."""
    grants = np.zeros(w.n_firms)
    eligible = np.where(w.member & w.active, cost, 0.0)
    for k, inst, on in paid_now(w, "co_investment"):
        wanted = inst.share * eligible
        total = w.run_sum(wanted)
        scale = np.where(on, _budget_scale(w, k, total), 0.0)
        grants += w.of_run(scale) * wanted
        w.public_paid[:, k] += scale * total
        w.public_spent[:, k] += scale * total
        # the private investment matching the grant: the firms' own share of the part it paid for
        w.private_leveraged = w.private_leveraged + scale * total * (1.0 - inst.share) / inst.share
    return grants
