"""Firms that choose to join (district.membership: choice): the rule on hand-built worlds of three
firms, arithmetic in the comments; what a firm may see; invariants; the evaluator's view."""

from __future__ import annotations

import numpy as np
import pytest

from model.experiments.runner import run_experiment, run_once
from model.experiments.selection import selection_table
from model.scenario_io import load_experiment
from model.sim import membership
from model.sim.district import DistrictModel

from .conftest import ROOT, tiny_scenario

CHOICE = {
    "membership": "choice",
    "founding_share": 0.5,
    "membership_review_weeks": 13,
    "joining_cost": 20.0,
    "min_stay_weeks": 52,
    "belief_weight": 0.5,
    "evidence_firms": 5.0,
    "association_cost": 0.0,
}


def three_firms(**district):
    """Firms 0 and 1 are members, firm 2 is not; all of 10 employees (one size half), nominal capacity 10."""
    sc = tiny_scenario(3, ("cut",), district={"membership_share": 1.0, **CHOICE, **district})
    m = DistrictModel(sc)
    w = m.world
    w.member = np.array([True, True, False])
    w.member_since = np.array([0.0, 0.0, np.nan])
    w.join_week = w.member_since.copy()
    w.ever_member = w.member.copy()
    w.flows = {k: np.zeros(3) for k in ("profit", "cash_change", "joining_cost")}
    return m, w


def review(w, week: int, profit_avg: list[float]) -> None:
    w.steps = week
    w.profit_avg = np.array(profit_avg, dtype=float)
    membership.membership_phase(w)


def test_a_firm_that_sees_members_earn_more_than_its_dues_and_joining_cost_joins():
    _, w = three_firms()
    cash0 = w.cash.copy()
    # rates (profit_avg / capacity 10): members 5 and 5, firm 2: 2; relative to the non-members' mean (2):
    # members 3, firm 2 0. Firm 2 has never been a member: as a member it expects 0 + g, g = mean member
    # gap 3 x m / (m + 5) with m = 2 members: 3 x 2 / 7 = 0.857 per unit; x capacity 10 = 8.57 kRUB a week
    # hurdle = joining cost 20 x fee_scale 1 / min stay 52 = 0.385 kRUB a week < 8.57: it joins
    review(w, 13, [50.0, 50.0, 20.0])
    assert w.belief[2] == pytest.approx(10 * 3 * 2 / 7)
    assert w.member.tolist() == [True, True, True]
    assert w.joins_last == 1
    assert cash0[2] - w.cash[2] == pytest.approx(20.0)  # it paid the joining cost
    assert w.flows["joining_cost"].tolist() == [0.0, 0.0, 20.0]
    assert w.join_week[2] == 13


def test_a_joining_cost_above_the_expected_gain_keeps_the_firm_out():
    _, w = three_firms(joining_cost=1000.0)
    # the same 8.57 kRUB a week now faces a hurdle of 1000 / 52 = 19.2: it stays out and pays nothing
    review(w, 13, [50.0, 50.0, 20.0])
    assert w.member.tolist() == [True, True, False]
    assert w.flows["joining_cost"].sum() == 0.0


def test_members_that_lose_leave_only_after_their_minimum_stay():
    _, w = three_firms()
    # rates 3, 1 and the non-member's 4; relative: -1, -3, 0; the members' gap g = mean(-1, -3) x 2 / 7
    # = -0.571. Member 1 (never outside): as a member -3, alone -3 - g = -2.43: gain -0.571 x 10 =
    # -5.71 kRUB a week, below -0.385. Member 0 likewise: -1 - (-1 + 0.571) -> -5.71.
    review(w, 13, [30.0, 10.0, 40.0])
    assert w.belief[:2] == pytest.approx([-10 * 4 / 7, -10 * 4 / 7])
    assert w.member.tolist() == [True, True, False]  # 13 weeks in: the minimum stay is 52
    review(w, 52, [30.0, 10.0, 40.0])
    assert w.member.tolist() == [False, False, False]
    assert w.leaves_last == 2


def test_a_firm_decides_on_what_the_odd_says_it_sees_and_nothing_else():
    """Other firms' costs, cash, know-how and experience are not seen; the results near it are."""
    _, w0 = three_firms()
    review(w0, 13, [50.0, 50.0, 20.0])
    _, w1 = three_firms()
    w1.cash = w1.cash + np.array([1e6, -1e6, 0.0])
    w1.var_cost = w1.var_cost * np.array([[0.1], [10.0], [1.0]])
    w1.efficiency = w1.efficiency * 3.0
    w1.experience = w1.experience * 7.0
    review(w1, 13, [50.0, 50.0, 20.0])
    assert w1.member.tolist() == w0.member.tolist()
    assert w1.belief == pytest.approx(w0.belief, nan_ok=True)
    _, w2 = three_firms()
    review(w2, 13, [21.0, 21.0, 20.0])  # the members near it earn barely more: gain 10 x 0.1 x 2/7 = 0.29
    assert w2.member.tolist() == [True, True, False]


def test_no_decision_outside_a_review_week_and_none_under_random_membership():
    _, w = three_firms()
    review(w, 12, [50.0, 50.0, 20.0])
    assert w.member.tolist() == [True, True, False]
    sc = tiny_scenario(3, ("cut",), district={"membership_share": 1.0})
    r = DistrictModel(sc).world
    r.flows = {k: np.zeros(3) for k in ("profit", "cash_change")}
    r.steps, r.profit_avg = 13, np.array([0.0, 0.0, 100.0])
    before = r.member.copy()
    membership.membership_phase(r)
    assert np.array_equal(r.member, before)


def _choice_pilot(extra=()):
    return load_experiment(
        ROOT / "scenarios" / "variants" / "woodworking_choice.yaml", ["steps=104", "replications=2", *extra]
    )


def test_every_mechanism_off_a_chosen_district_is_the_standalone_sector_number_for_number():
    exp = _choice_pilot(
        [
            f"mechanisms.{m}=false"
            for m in ("sharing", "asset_light", "specialization", "spillovers", "adjacent", "export", "trust")
        ]
    )
    for rep in range(2):
        assert np.array_equal(
            run_once(exp.regimes["district"], rep), run_once(exp.regimes["standalone"], rep), equal_nan=True
        )


def test_storage_order_gives_no_firm_priority_when_firms_choose():
    from .test_mechanisms import permute_storage

    sc = tiny_scenario(
        7,
        ("cut", "dry"),
        firms={"employees_sigma": 0.6, "imbalance_sigma": 0.4},
        market={"model": "normal", "noise_cv": 0.0, "load": 0.9, "unserved": "backlog"},
        mechanisms={"sharing": True, "trust": True, "spillovers": True},
        district={**CHOICE, "membership_review_weeks": 4, "min_stay_weeks": 8, "founding_share": 0.4},
        trust={"opportunist_share": 0.0},
        steps=40,
    )
    a, b = DistrictModel(sc), DistrictModel(sc)
    perm = np.array([3, 6, 0, 5, 1, 4, 2])
    permute_storage(b, perm)
    ha, hb = a.run(), b.run()
    joins = [x.name for x in a.metrics].index("joins")
    assert np.nansum(ha[:, joins]) > 0  # firms really joined
    np.testing.assert_allclose(hb, ha, rtol=1e-9, atol=1e-9, equal_nan=True)
    assert b.world.member.tolist() == a.world.member[perm].tolist()


def test_the_evaluators_naive_comparison_is_not_the_true_effect_and_is_measured():
    exp = _choice_pilot(["replications=4"])
    results = run_experiment(exp)
    table = selection_table(results, "district").set_index("estimate")
    for key in ("true_effect", "naive", "naive_bias", "did", "did_bias"):
        assert np.isfinite(table.loc[key, "mean"]), key
    assert table.loc["naive", "mean"] != pytest.approx(table.loc["true_effect", "mean"], rel=0.05)
    assert table.loc["naive_bias", "mean"] == pytest.approx(
        table.loc["naive", "mean"] - table.loc["true_effect", "mean"]
    )
    assert table.loc["true_effect", "ci_low"] <= table.loc["true_effect", "mean"] <= table.loc["true_effect", "ci_high"]


def test_a_choice_run_writes_the_formation_chart_and_the_evaluators_view(tmp_path):
    from .conftest import simulate

    out = tmp_path / "run"
    proc = simulate(
        str(ROOT / "scenarios" / "variants" / "woodworking_choice.yaml"),
        "--replications",
        "3",
        "--steps",
        "80",
        "--out",
        str(out),
    )
    assert proc.returncode == 0, proc.stderr
    assert (out / "charts" / "formation.png").exists()
    assert (out / "selection.csv").exists()
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "What an evaluator would see" in page
    assert "naive member/non-member comparison" in page
    assert "What an evaluator would see (district): true effect on members" in proc.stdout


@pytest.mark.slow
def test_a_founding_share_sweep_shows_unravelling_and_growth(tmp_path):
    """Few founders: the district mostly unravels; enough: it sustains itself in most runs."""
    from .conftest import simulate

    out = tmp_path / "sweep"
    proc = simulate(
        "sweep",
        str(ROOT / "scenarios" / "variants" / "woodworking_choice.yaml"),
        "--vary",
        "district.founding_share=0.02,0.2",
        "--replications",
        "10",
        "--workers",
        "2",
        "--outcome",
        "sustained",
        "--out",
        str(out),
        "--quiet",
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    import pandas as pd

    eff = pd.read_csv(out / "sweep_effects.csv")
    share = eff[eff["metric"] == "sustained"].sort_values("district.founding_share")["diff_mean"].tolist()
    assert share[0] <= 0.3
    assert share[1] >= 0.6
    assert (out / "critical_mass.csv").exists()


def test_a_share_of_runs_gets_a_wilson_interval_inside_0_and_1():
    from model.experiments.stats import share_interval, wilson

    lo, hi = share_interval(np.array([1.0] * 19 + [0.0]))
    # Wilson at 19 of 20: centre (0.95 + 1.96^2/40) / (1 + 1.96^2/20), about 0.764 to 0.991
    assert lo == pytest.approx(0.7639, abs=1e-3)
    assert hi == pytest.approx(0.9911, abs=1e-3)
    lo, hi = wilson(np.array(1.0), np.array(5))
    assert 0 < lo < 1
    assert hi == pytest.approx(1.0)
