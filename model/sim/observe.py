"""ODD 7.11, observation: the week's metrics read from the World (read-only), in the order of
``metrics.metric_list``; ``gini`` of profits."""

from __future__ import annotations

import numpy as np

from . import membership
from .metrics import BASE_METRICS, FORMATION_METRICS, PROGRAMME_METRICS
from .params import WEEKS_PER_YEAR
from .rows import ratio, row_sum, segment_counts, segment_sums
from .world import World


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """Per run ``num / den`` where ``den > 0``, else NaN."""
    den = np.asarray(den, dtype=float)
    with np.errstate(over="ignore"):  # a vanishing positive denominator gives inf, as Python's floats do
        return num / np.where(den > 0, den, np.nan)  # a masked np.divide is ten times slower on a few values


def gini_runs(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Per row of (B, N) non-negative ``values``, the Gini coefficient of the entries where ``mask``
    (0: equal, towards 1: concentrated; NaN with no entry or a zero total)."""
    n = mask.sum(axis=1)
    x = np.sort(np.where(mask, values, np.inf), axis=1)
    rank = np.arange(1, values.shape[1] + 1)[None, :]
    inside = rank <= n[:, None]
    x = np.where(inside, x, 0.0)
    coef = 2.0 * rank - n[:, None] - 1  # positive beyond n, where x is 0: adds 0.0
    total = x.sum(axis=1)
    return _ratio((coef * x).sum(axis=1), n * np.where(total > 0, total, 0.0))


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0: equal, towards 1: concentrated)."""
    return float(gini_runs(values[None, :], np.ones((1, values.size), dtype=bool))[0])


def _group_rows(w: World, mask: np.ndarray, start: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The per-firm rows one group's figures are totals of: counts of active firms, starting firms
    and surviving starting firms; the active firms' profit and assets."""
    act = w.active & mask
    return [act, start & mask, start & act], [np.where(act, w.flows["profit"], 0.0), np.where(act, w.fixed_assets, 0.0)]


def _outside_cost(fl: dict[str, np.ndarray]) -> np.ndarray:
    """Per firm, what it paid outside the sector this week."""
    cost = (
        fl["variable_cost"]
        + fl["fixed_cost"]
        + fl["depreciation"]
        + fl["coordination"]
        + fl["transport"]
        + fl["membership_fee"]
        + fl["consortium_fee"]
        + fl["write_off"]
    )
    if "joining_cost" in fl:  # membership by choice: paid at a membership review
        cost = cost + fl["joining_cost"]
    if "centre_fee" in fl:  # paid to the agency for a service centre's work
        cost = cost + fl["centre_fee"]
    return cost


def _run_totals(
    w: World,
    counted: dict[str, np.ndarray],
    rows: dict[str, np.ndarray],
    groups: list[tuple[list[np.ndarray], list[np.ndarray]]],
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Per-run totals: of ``counted`` and ``rows`` by name; of the groups' counts (active firms,
    starting firms, surviving starting firms) as a (3, groups, B) array, and of their profit and
    assets as a (2, groups, B) array."""
    b, n = w.n_runs, w.n_slots
    masks = [*counted.values(), *(r for g, _ in groups for r in g)]
    if b == 1:  # a count per mask is faster than stacking them
        counts = np.array([[np.count_nonzero(m)] for m in masks], dtype=float)
    else:
        counts = np.count_nonzero(np.stack(masks).reshape(len(masks), b, n), axis=2).astype(float)  # (rows, B)
    floats = [*rows.values(), *(r for _, g in groups for r in g)]
    sums = np.stack(floats).reshape(len(floats), b, n).sum(axis=2)  # (rows, B)
    tot = dict(zip(rows, sums, strict=False)) | dict(zip(counted, counts, strict=False))
    g = len(groups)
    return (
        tot,
        counts[len(counted) :].reshape(g, 3, b).transpose(1, 0, 2),
        sums[len(rows) :].reshape(g, 2, b).transpose(1, 0, 2),
    )


def observe(w: World) -> np.ndarray:
    """This week's metrics of every run, (B, metrics), in the order of ``metrics.metric_list``.
    Reads the World, changes nothing.

    Every per-run total over firms is a row of one stacked (rows, B, slots) sum: NumPy adds each
    row as it adds the run's own array alone, and one call replaces forty. Counts of firms are
    counted as integers (the same numbers as adding ones and zeros, which are exact)."""
    p = w.scenario
    act = w.active
    fl = w.flows
    choice = p.district.membership == "choice"
    outside_cost = _outside_cost(fl)
    waiting = ratio(w.backlog, w.produced)
    lead = row_sum(w.processing) + waiting
    s = w.n_stages
    employment = w.employees * (row_sum(w.capacity) / s) / (row_sum(w.capacity0) / s)
    start = w.starting
    members = act & w.member
    counted = {
        "firms": act,
        "members": members,
        "entrants_active": w.born & w.active & ~start,
        "entrants": w.born & ~start,
    }
    rows = {
        "profit": fl["profit"],
        "fixed_assets": np.where(act, w.fixed_assets, 0.0),
        "output": w.output,
        "produced": w.produced,
        "sales": fl["sales"],
        "export_sales": fl["export_sales"],
        "demand": w.demand,
        "lost": w.lost,
        "backlog": w.backlog,
        "cost": outside_cost,
        "cash": np.where(act, w.cash, 0.0),
        "defective": w.defective,
        "lead": lead * w.produced,
        "coordination": fl["coordination"],
        "employment": np.where(act, employment, 0.0),
    }
    if p.programme.instruments:
        rows["subsidy"] = fl["subsidy"]
        rows["member_employment"] = np.where(members, employment, 0.0)
    groups = [
        _group_rows(w, w.member, start),
        _group_rows(w, ~w.member, start),
        _group_rows(w, w.smaller, start),
        _group_rows(w, start & ~w.smaller, start),
    ]
    tot, (k, started, survivors), (g_profit, g_assets) = _run_totals(w, counted, rows, groups)
    cap = np.where(act[:, None], w.capacity, 0.0)
    used = np.where(act[:, None], w.own_use + w.sold, 0.0)
    cap_stage, used_stage = w.run_sum(cap), w.run_sum(used)  # (B, S)
    live = w.edge_alive
    # sums over each run's edges; a dead edge adds 0.0, which leaves a sum as it is
    links = segment_counts(live, w.edge_count).astype(float)  # edges are grouped by run
    trust_sum = segment_sums(w.trust * live, w.edge_count)
    # trades follow their edges' order, so they are grouped by run too
    per_run_trades = np.diff(np.searchsorted(w.trade_run, np.arange(w.n_runs + 1)))
    trade = lambda x: segment_sums(x, per_run_trades)  # noqa: E731 - per-run sums over trades
    profit, sales, output, produced, cost = tot["profit"], tot["sales"], tot["output"], tot["produced"], tot["cost"]
    # every ratio of the week in one division (NaN where the denominator is not positive)
    pairs = {
        "export_share": (tot["export_sales"], sales),
        "roa": (WEEKS_PER_YEAR * profit, tot["fixed_assets"]),
        "utilization": (used_stage.sum(axis=1), cap_stage.sum(axis=1)),
        "unit_cost": (cost, output),
        "defect_rate": (tot["defective"], produced),
        "lead_time": (tot["lead"], produced),
        "trust_mean": (trust_sum, links),
        "entrant_survival": (tot["entrants_active"], tot["entrants"]),
        "profit_per_firm": (profit, tot["firms"]),
    }
    nums = np.concatenate([np.stack([n for n, _ in pairs.values()]), g_profit, WEEKS_PER_YEAR * g_profit, survivors])
    dens = np.concatenate([np.stack([d for _, d in pairs.values()]), k, g_assets, started])
    share = _ratio(nums, dens)
    r = dict(zip(pairs, share, strict=False))
    q = len(pairs)
    per_firm, roa_of, survival_of = share[q : q + 4], share[q + 4 : q + 8], share[q + 8 : q + 12]
    utilization = r["utilization"]
    values = {
        "firms_active": tot["firms"],
        "members": tot["members"],
        "entries": w.entries_last,
        "exits": w.exits_last,
        "demand": tot["demand"],
        "output": output,
        "lost_sales": tot["lost"],
        "backlog": tot["backlog"],
        "revenue": sales,
        "export_share": r["export_share"],
        "total_cost": cost,
        "profit": profit,
        "cash": tot["cash"],
        "fixed_assets": tot["fixed_assets"],
        "roa": r["roa"],
        "utilization": utilization,
        "idle_capacity": 1.0 - utilization,
        "unit_cost": r["unit_cost"],
        "defect_rate": r["defect_rate"],
        "lead_time": r["lead_time"],
        "shared_units": trade(w.trade_units),
        "failed_units": trade(w.trade_failed),
        "coordination_cost": tot["coordination"],
        "trust_mean": r["trust_mean"],
        "partner_links": links / 2.0,
        "reputation": np.where(tot["members"] > 0, w.reputation, np.nan),
        "export_open": w.export_open.astype(float),
        "adjacent_revenue": w.adjacent_revenue,
        "adjacent_jobs": w.adjacent_revenue / p.adjacent.revenue_per_job,
        "adjacent_entries": w.adjacent_entries.astype(float),
        "employment": tot["employment"],
        "profit_gini": gini_runs(w.runs(np.maximum(w.profit_avg, 0.0)), w.runs(act)),
        "member_firms": k[0],
        "nonmember_firms": k[1],
        "member_profit": per_firm[0],
        "nonmember_profit": per_firm[1],
        "member_roa": roa_of[0],
        "nonmember_roa": roa_of[1],
        "member_survival": survival_of[0],
        "nonmember_survival": survival_of[1],
        "entrant_survival": r["entrant_survival"],
        "smaller_profit": per_firm[2],
        "larger_profit": per_firm[3],
        "smaller_survival": survival_of[2],
        "larger_survival": survival_of[3],
        "profit_per_firm": r["profit_per_firm"],
    }
    per_stage = _ratio(used_stage, cap_stage)
    columns = [values[m.name] for m in BASE_METRICS] + list(per_stage.T)
    if choice:
        share = membership.member_share(w)
        formation = {
            "joins": w.joins_last,
            "leaves": w.leaves_last,
            "member_share": share,
            "sustained": (share >= p.district.sustain_share).astype(float),
            "weeks_to_sustain": w.sustained_week,
        }
        columns += [formation[m.name] for m in FORMATION_METRICS]
    if p.programme.instruments:
        public = {
            "public_cost": w.public_paid.sum(axis=1),
            "public_to_firms": tot["subsidy"],
            "public_spent": w.public_spent.sum(axis=1),
            "private_leveraged": w.private_leveraged,
            "public_fees": w.public_fees,
            "member_employment": tot["member_employment"],
        }
        columns += [public[m.name] for m in PROGRAMME_METRICS]
    return np.array(columns, dtype=float).T
