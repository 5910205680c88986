"""Public programmes (ODD 7.14): the agency's ledger balances, money stops at the end week and at
the budget, the unfunded counterfactual is the world without the programme, and a scenario
without a programme is what it was before programmes existed."""

from __future__ import annotations

import numpy as np
import pytest

from model.experiments.design import scenario_key
from model.scenario_io import load_experiment
from model.sim import programme, trust
from model.sim.district import DistrictModel
from model.sim.metrics import BASE_METRICS
from model.sim.params import MECHANISMS

from .conftest import PILOT_IDS, PILOTS, ROOT
from .test_accounting import check_week

WOOD = ROOT / "scenarios" / "woodworking_kaluga.yaml"
INSTRUMENTS = (
    "programme.instruments=[{kind: brokerage, start_week: 10, end_week: 40, cost_per_week: 30},"
    " {kind: membership_subsidy, share: 0.5, end_week: 70, budget: 400},"
    " {kind: export_subsidy, share: 0.5, start_week: 5}, {kind: co_investment, share: 0.4},"
    " {kind: training, end_week: 50}]"
)
ALL_ON = [f"mechanisms.{name}=true" for name in MECHANISMS]


def _district(path=WOOD, *sets: str):
    return load_experiment(path, [*ALL_ON, "steps=100", "district.capacity_review_weeks=5", *sets]).regimes["district"]


@pytest.mark.parametrize("path", PILOTS, ids=PILOT_IDS)
def test_the_agencys_ledger_and_every_firms_balance_every_week(path):
    m = DistrictModel(_district(path, INSTRUMENTS), 0)
    w = m.world
    spent = np.zeros((1, 5))  # (runs, instruments): a batch of one run
    for _ in range(100):
        before = (w.cash.copy(), w.fixed_assets.copy(), w.backlog.copy(), w.active.copy(), w.capacity.copy())
        m.step()
        check_week(m, *before)  # each firm's cash moves by its named flows, the subsidy among them
        # every rouble the agency pays reaches a firm or the named outside payee
        assert w.public_paid.sum() == pytest.approx(w.flows["subsidy"].sum() + w.public_outside, abs=1e-9)
        spent += w.public_paid
        np.testing.assert_allclose(w.public_spent, spent, rtol=1e-12)
        assert (w.flows["subsidy"] >= 0).all()
        assert not w.flows["subsidy"][~w.member].any()  # only members are subsidised
    assert w.public_spent[0, 1] == pytest.approx(400.0)  # the capped subsidy spent exactly its budget
    assert w.public_spent[0, 0] == pytest.approx(30 * 30)  # 30 weeks of a broker at 30 kRUB


def test_money_stops_at_the_end_week_and_starts_at_the_start_week():
    sc = _district(
        WOOD,
        "programme.instruments=[{kind: membership_subsidy, share: 1.0, start_week: 20, end_week: 50}]",
    )
    m = DistrictModel(sc, 0)
    history = m.run()
    cost = history[:, [x.name for x in m.metrics].index("public_cost")]
    assert (cost[:20] == 0).all()
    assert (cost[20:50] > 0).all()  # members pay dues every week, so the agency pays every week
    assert (cost[50:] == 0).all()


def test_the_unfunded_programme_is_the_world_without_it():
    model = DistrictModel(_district(WOOD, INSTRUMENTS, "programme.funded=false"), 3)
    with_block = model.run()
    without = DistrictModel(_district(WOOD), 3).run()
    base = len(without[0])  # the base and per-stage metrics come first, in the same order
    np.testing.assert_array_equal(with_block[:, :base], without)
    names = [x.name for x in model.metrics]
    money = ("public_cost", "public_to_firms", "public_spent", "public_fees", "private_leveraged")
    assert not with_block[:, [names.index(n) for n in money]].any()  # the agency paid nothing


def test_a_broker_cuts_the_coordination_cost_only_while_paid():
    m = DistrictModel(_district(WOOD, "programme.instruments=[{kind: brokerage, start_week: 3, end_week: 6}]"), 0)
    w = m.world
    factors = []
    for _ in range(8):
        m.step()
        factors.append(programme.coordination_factor(w))
        uncut = w.scenario.district.coordination_cost * (1 + (w.scenario.trust.cost_ratio - 1) * (1 - w.trust))
        np.testing.assert_allclose(trust.coordination_rate(w), uncut * factors[-1])
    assert factors == [1.0, 1.0, 1.0, 0.7, 0.7, 0.7, 1.0, 1.0]


def test_a_scenario_without_a_programme_keeps_its_identity_and_metrics():
    plain = load_experiment(WOOD).regimes["district"]
    empty = load_experiment(WOOD, ["programme.discount_rate=0.05"]).regimes["district"]
    assert "programme" not in plain.model_dump(mode="json")
    assert scenario_key(plain, 0) == scenario_key(empty, 0)  # no instruments: the block is left out
    m = DistrictModel(plain, 0)
    assert [x.name for x in m.metrics][: len(BASE_METRICS)] == [x.name for x in BASE_METRICS]
    assert "public_cost" not in [x.name for x in m.metrics]


def test_bad_instruments_are_refused_in_one_line(capsys):
    from model.cli import main

    bad = "programme.instruments=[{kind: brokerage, start_week: 50, end_week: 10}]"
    assert main([str(WOOD), "--set", bad, "--steps", "2", "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: --set {bad}: ")
    assert "end_week (10) must be after start_week (50)" in err
    assert main([str(WOOD), "--set", "programme.instruments=[{kind: lottery}]", "--steps", "2", "--quiet"]) == 2
    assert "programme.instruments.0" in capsys.readouterr().err


def test_a_run_with_a_programme_writes_its_folder_and_lists_the_instrument(tmp_path, capsys):
    from model.cli import main

    out = tmp_path / "out"
    sets = ["--set", "programme.instruments=[{kind: brokerage, end_week: 8, budget: 100}]"]
    assert main([str(WOOD), *sets, "--steps", "10", "--replications", "2", "--quiet", "--out", str(out)]) == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "programme.instruments.brokerage.end_week" in html
    assert "programme.instruments.brokerage.budget" in html
    summary = (out / "summary.csv").read_text(encoding="utf-8")
    assert "public_spent" in summary


# ---------------------------------------------------------------------------- appraisal
def _appraisal(*instruments: str, steps: int = 60, reps: int = 3):
    from model.experiments.appraisal import appraisal_experiment, value_for_money
    from model.experiments.runner import run_experiment

    sets = [*ALL_ON, f"steps={steps}", f"replications={reps}", f"programme.instruments=[{', '.join(instruments)}]"]
    exp = appraisal_experiment(load_experiment(WOOD, sets), "district")
    results = run_experiment(exp)
    return exp, value_for_money(results, exp.regimes)


def _measure(table, regime, measure):
    return table[(table["regime"] == regime) & (table["measure"] == measure)].iloc[0]


def test_a_paid_broker_who_changes_nothing_is_pure_deadweight_with_unbounded_cost_per_job():
    exp, table = _appraisal("{kind: brokerage, end_week: 30, cost_per_week: 20, coordination_cut: 0}")
    assert list(exp.regimes) == ["no_programme", "programme"]
    jobs = _measure(table, "programme", "net_job_years")
    assert (jobs["mean"], jobs["ci_low"], jobs["ci_high"]) == (0.0, 0.0, 0.0)  # the same firms, the same numbers
    assert _measure(table, "programme", "public_cost")["mean"] == pytest.approx(30 * 20)
    cost = _measure(table, "programme", "cost_per_net_job_year")
    assert cost["mean"] == np.inf
    assert cost["ci_high"] == np.inf
    assert cost["note"].startswith("unbounded")
    bcr = _measure(table, "programme", "benefit_cost_ratio")
    assert bcr["mean"] == 0.0
    assert bcr["note"] == "value for money: poor"
    from model.experiments.appraisal import benefit_sentence

    assert benefit_sentence(table).endswith("returns less than it costs: programme.")


def test_each_instrument_is_appraised_alone_and_together_against_the_same_counterfactual():
    exp, table = _appraisal(
        "{kind: brokerage, end_week: 20}", "{kind: membership_subsidy, share: 0.5, end_week: 20}", steps=40
    )
    assert list(exp.regimes) == ["no_programme", "programme", "brokerage", "membership_subsidy"]
    assert not exp.regimes["no_programme"].programme.funded
    together = _measure(table, "programme", "public_cost")["mean"]
    alone = (
        _measure(table, "brokerage", "public_cost")["mean"]
        + _measure(table, "membership_subsidy", "public_cost")["mean"]
    )
    assert together == pytest.approx(alone, rel=0.05)  # the subsidy depends a little on who is a member
    assert _measure(table, "brokerage", "public_cost")["mean"] == pytest.approx(20 * 30)
    # the horizon ends before the years after the programme: said, not invented
    after = _measure(table, "programme", "jobs_2y_after")
    assert np.isnan(after["mean"])
    assert after["note"].startswith("beyond the horizon")


def test_appraise_writes_its_table_chart_and_report_and_names_the_cheapest_job(tmp_path, capsys):
    from model.cli import main

    out = tmp_path / "ap"
    inst = "programme.instruments=[{kind: brokerage, end_week: 20}, {kind: export_subsidy, end_week: 20}]"
    args = ["appraise", str(WOOD), "--set", inst, "--steps", "30", "--replications", "3", "--quiet", "--out", str(out)]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "cost_per_net_job_year" in printed
    assert "Against 'no_programme'" in printed
    assert (out / "appraisal.csv").exists()
    assert (out / "charts" / "appraisal.png").exists()
    assert (out / "charts" / "programme_path.png").exists()
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.index("Programme appraisal") < html.index("In brief") < html.index("Run details")
    assert "cost per net job-year" in html.lower()
    # an appraisal folder is not a run's: a run does not replace it
    assert main([str(WOOD), "--steps", "2", "--quiet", "--out", str(out)]) == 2
    assert "is a programme appraisal folder" in capsys.readouterr().err


def test_appraise_refuses_a_scenario_without_a_programme(capsys):
    from model.cli import main

    assert main(["appraise", str(WOOD), "--steps", "2", "--quiet"]) == 2
    assert "has no programme to appraise" in capsys.readouterr().err


def test_budget_puts_every_instrument_on_the_same_public_money():
    from model.experiments.appraisal import appraisal_experiment

    sets = [*ALL_ON, "steps=40", "replications=2"]
    sets.append("programme.instruments=[{kind: brokerage, end_week: 30}, {kind: membership_subsidy, end_week: 30}]")
    exp = appraisal_experiment(load_experiment(WOOD, sets), "district", budget=300.0)
    assert [i.budget for i in exp.regimes["brokerage"].programme.instruments] == [300.0]
    assert [i.budget for i in exp.regimes["membership_subsidy"].programme.instruments] == [300.0]
    assert [i.budget for i in exp.regimes["programme"].programme.instruments] == [150.0, 150.0]
    m = DistrictModel(exp.regimes["brokerage"], 0)
    m.run()
    assert m.world.public_spent.sum() == pytest.approx(300.0)  # 10 weeks of the broker, then nothing


def test_a_co_investment_grant_pays_its_share_of_members_purchases_and_counts_the_private_rest():
    sc = _district(WOOD, "programme.instruments=[{kind: co_investment, share: 0.4, end_week: 80}]")
    m = DistrictModel(sc, 0)
    history = m.run()
    names = [x.name for x in m.metrics]
    public = history[:, names.index("public_cost")]
    private = history[:, names.index("private_leveraged")]
    assert public.sum() > 0  # members bought equipment at their reviews, and the grant paid part
    assert private.sum() == pytest.approx(public.sum() * 0.6 / 0.4, rel=1e-9)
    assert (public[80:] == 0).all()
    assert (public[public > 0] == history[public > 0, names.index("public_to_firms")]).all()


def test_training_is_paid_per_member_and_speeds_the_drift_of_know_how_only_while_paid():
    sets = ["programme.instruments=[{kind: training, cost_per_member_week: 3, absorptive_boost: 1.0, end_week: 40}]"]
    trained = DistrictModel(_district(WOOD, *sets), 0)
    unfunded = DistrictModel(_district(WOOD, *sets, "programme.funded=false"), 0)
    for week in range(60):
        trained.step()
        unfunded.step()
        w = trained.world
        members = int((w.member & w.active).sum())
        if week < 40:
            assert programme.absorptive_factor(w) == 2.0
            assert w.public_paid.sum() == pytest.approx(3.0 * members)
            assert w.public_outside[0] == pytest.approx(3.0 * members)  # paid to the training provider
        else:
            assert programme.absorptive_factor(w) == 1.0
            assert w.public_paid.sum() == 0.0
    # smaller members absorbed more while trained, and what they learnt stays after the end
    gap = np.abs(trained.world.efficiency - unfunded.world.efficiency).sum()
    assert gap > 0


# ---------------------------------------------------------------------------- service centre
def _centre(stage: str, **over: object) -> str:
    fields = {"capacity": 40, "capital_per_unit": 500, "running_cost_per_week": 20, "user_fee": 5, "end_week": 60}
    fields.update(over)
    body = ", ".join(f"{k}: {v}" for k, v in fields.items())
    return f"programme.instruments=[{{kind: service_centre, stage: {stage}, {body}}}]"


@pytest.mark.parametrize("path", PILOTS, ids=PILOT_IDS)
def test_a_service_centre_serves_members_short_at_its_stage_and_every_ledger_balances(path):
    stage = load_experiment(path).base.stage_names[1]
    m = DistrictModel(_district(path, _centre(stage)), 0)
    w = m.world
    j = w.scenario.stage_names.index(stage)
    used = 0.0
    for week in range(70):
        before = (w.cash.copy(), w.fixed_assets.copy(), w.backlog.copy(), w.active.copy(), w.capacity.copy())
        m.step()
        check_week(m, *before)  # members' fees are an outflow, the centre's work is received, not sold
        units = w.centre_units
        assert not units[:, np.arange(w.n_stages) != j].any()  # only at its stage
        assert units.sum() <= 40.0 + 1e-9  # never more than it holds
        assert not units[~(w.member & w.active)].any()  # members only
        np.testing.assert_allclose(w.flows["centre_fee"], 5.0 * units[:, j], rtol=1e-12)
        assert w.public_fees[0] == pytest.approx(w.flows["centre_fee"].sum())
        if week == 0:
            assert w.public_paid.sum() == pytest.approx(40 * 500)  # built in its first week
            assert not units.any()  # and serves from the next
        elif week < 60:
            assert w.public_paid.sum() == pytest.approx(20.0)  # then its running cost
        else:
            assert w.public_paid.sum() == 0.0
            assert not units.any()  # closed when the money stops
        used += units.sum()
    assert used > 0  # members short at that stage used it


def test_a_centre_with_a_prohibitive_fee_is_never_used_and_its_cost_is_pure_deadweight():
    _, table = _appraisal(_centre("kiln_drying", user_fee=1e6).split("=", 1)[1][1:-1], steps=60)
    jobs = _measure(table, "programme", "net_job_years")
    assert (jobs["mean"], jobs["ci_low"], jobs["ci_high"]) == (0.0, 0.0, 0.0)
    assert _measure(table, "programme", "public_cost")["mean"] == pytest.approx(40 * 500 + 59 * 20)
    assert _measure(table, "programme", "cost_per_net_job_year")["mean"] == np.inf
    assert _measure(table, "programme", "benefit_cost_ratio")["mean"] == 0.0


def test_a_budget_smaller_than_the_capital_builds_a_smaller_centre():
    m = DistrictModel(_district(WOOD, _centre("kiln_drying", budget=10000)), 0)
    m.step()
    assert m.world.centre_built[0, 0] == pytest.approx(20.0)  # half the capital: half the capacity
    m.step()
    assert m.world.public_paid.sum() == 0.0  # and nothing is left to run it
    assert not m.world.centre_units.any()


def test_a_centre_at_a_stage_the_chain_lacks_is_refused(capsys):
    from model.cli import main

    assert main([str(WOOD), "--set", _centre("smelting"), "--steps", "2", "--quiet"]) == 2
    assert "service centre stage 'smelting' is not a stage" in capsys.readouterr().err


def test_the_appraisal_sentences_exist_in_russian_and_the_russian_report_uses_them(tmp_path):
    from model.experiments.appraisal import PHRASES, benefit_sentence, lowest_cost_per_job
    from model.outputs.i18n import APPRAISAL_RU

    assert APPRAISAL_RU.keys() == PHRASES.keys()
    _, table = _appraisal("{kind: brokerage, end_week: 30, cost_per_week: 20, coordination_cut: 0}")
    assert lowest_cost_per_job(table, APPRAISAL_RU).startswith("Ни один вариант")
    assert benefit_sentence(table, APPRAISAL_RU).endswith("не окупается: programme.")


def test_the_lowest_cost_per_job_is_named_and_an_unbounded_interval_said():
    import pandas as pd

    from model.experiments.appraisal import lowest_cost_per_job

    def table(rows):
        return pd.DataFrame(
            [
                {"regime": r, "measure": "cost_per_net_job_year", "mean": m, "ci_low": lo, "ci_high": hi}
                for r, m, lo, hi in rows
            ]
        )

    inf = float("inf")
    said = lowest_cost_per_job(table([("a", 900.0, 300.0, inf), ("b", inf, 500.0, inf)]))
    assert said.startswith("Lowest cost per net job-year: 'a', 900 kRUB [300, unbounded]; its interval")
    said = lowest_cost_per_job(table([("a", 900.0, 600.0, 1200.0), ("b", 2000.0, 1500.0, 3000.0)]))
    assert said.endswith("its interval does not overlap with the others'.")
    said = lowest_cost_per_job(table([("a", 900.0, 600.0, 1600.0), ("b", 2000.0, 1500.0, 3000.0)]))
    assert said.endswith("its interval overlaps with 'b', so the ranking is not certain.")
