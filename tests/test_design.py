"""Sweeps, break-even points, Shapley attribution, and resuming an interrupted job."""

from __future__ import annotations

import itertools
import typing

import numpy as np
import pandas as pd
import pytest
from pydantic import BaseModel

from model.experiments.backends import LocalBackend
from model.experiments.design import MEMBER_ONLY, RunStore, count_runs, paired_effects, run_design, scenario_key
from model.experiments.runner import run_once
from model.experiments.sweep import attribution_design, break_even, grid_design, parse_vary, shapley
from model.scenario_io import ScenarioError, load_experiment
from model.sim.metrics import metric_list
from model.sim.params import Scenario

from .conftest import ROOT, kill_after_parts, simulate

WOOD = ROOT / "scenarios" / "woodworking_kaluga.yaml"
THREE_ON = [f"mechanisms.{m}=false" for m in ("asset_light", "specialization", "spillovers", "adjacent", "export")]


def test_vary_ranges_and_lists():
    assert parse_vary("district.coordination_cost=0:12:4") == ("district.coordination_cost", [0.0, 4.0, 8.0, 12.0])
    assert parse_vary("sharing.network=random,complete") == ("sharing.network", ["random", "complete"])
    for bad in ("x", "a.b=1:2", "a.b=1:2:1", "a.b=x:2:3", "a.b=1", "=1:2:3"):
        with pytest.raises(ScenarioError):
            parse_vary(bad)


def _frame(x, mid, half):
    return pd.DataFrame(
        {
            "p": x,
            "metric": "profit",
            "regime": "district",
            "diff_mean": mid,
            "ci_low": np.array(mid) - half,
            "ci_high": np.array(mid) + half,
        }
    )


def test_break_even_interpolates_the_crossing_and_its_interval():
    """Effect 10 - 2x with a band of +/- 2 crosses zero at 5; the band crosses at 4 and 6."""
    x = np.arange(0.0, 11.0)
    be = break_even(_frame(x, 10 - 2 * x, 2.0), "p", "profit", "district")
    assert be.value == pytest.approx(5.0)
    assert (be.low, be.high) == (pytest.approx(4.0), pytest.approx(6.0))
    assert "crosses zero at p = 5 (95% interval 4 to 6)" in be.sentence
    # what each point allows one to say: above zero at 0..3, cannot tell at 4..6, below at 7..10
    assert (be.above, be.unclear, be.below) == ("0 to 3", "4 to 6", "7 to 10")
    assert "above zero with 95% confidence at 0 to 3" in be.sentence
    assert "the data cannot tell (95% interval includes zero) at 4 to 6" in be.sentence


def test_break_even_says_so_when_the_effect_does_not_cross():
    x = np.arange(0.0, 5.0)
    be = break_even(_frame(x, 10 - x, 1.0), "p", "profit", "district")
    assert be.value is None
    assert "No break-even inside [0, 4]" in be.sentence
    assert be.unclear == ""


def test_a_band_that_reaches_zero_is_never_called_no_break_even():
    """The mean stays above zero, but from p = 5 its 95% band includes zero (the sweep of the
    issue: "stays above zero; no break-even" while the band included zero above 5 kRUB/unit)."""
    x = np.arange(0.0, 11.0)
    be = break_even(_frame(x, 10 - 0.9 * x, 6.0), "p", "profit", "district")
    assert be.value is None
    assert "no break-even" not in be.sentence.lower()
    assert be.above == "0 to 4"
    assert be.unclear == "5 to 10"
    assert "a break-even cannot be ruled out" in be.sentence


def test_sweep_command_writes_effects_break_even_and_charts(tmp_path):
    out = tmp_path / "sweep"
    proc = simulate(
        "sweep",
        str(WOOD),
        "--vary",
        "district.coordination_cost=0:12:4",
        "--replications",
        "2",
        "--steps",
        "52",
        "--out",
        str(out),
        "--quiet",
        "--outcome",
        "profit",
    )
    assert proc.returncode == 0, proc.stderr
    effects = pd.read_csv(out / "sweep_effects.csv")
    assert sorted(effects["district.coordination_cost"].unique()) == [0.0, 4.0, 8.0, 12.0]
    assert (out / "break_even.csv").exists()
    assert (out / "charts" / "sweep_profit.png").stat().st_size > 10_000
    assert "Break-even: the effect on profit" in proc.stdout


def test_killed_sweep_resumes_to_the_same_tables(tmp_path):
    args = [
        str(WOOD),
        "--vary",
        "district.coordination_cost=0,3,6",
        "--replications",
        "3",
        "--steps",
        "208",
        "--quiet",
        "--outcome",
        "profit",
    ]
    whole = tmp_path / "whole"
    assert simulate("sweep", *args, "--out", str(whole)).returncode == 0
    part = tmp_path / "part"
    kept = kill_after_parts(["sweep", *args], part)
    assert 4 <= kept < 18  # it was stopped midway, keeping the runs it finished
    assert not (part / "sweep_effects.csv").exists()
    refused = simulate("sweep", *args, "--out", str(part))
    assert refused.returncode == 2  # no silent overwrite without --resume
    resumed = simulate("sweep", *args, "--out", str(part), "--resume")
    assert resumed.returncode == 0, resumed.stderr
    pd.testing.assert_frame_equal(pd.read_csv(whole / "sweep_effects.csv"), pd.read_csv(part / "sweep_effects.csv"))


@pytest.fixture(scope="module")
def three_mechanisms(tmp_path_factory):
    base = ["replications=3", "steps=78", *THREE_ON]
    exp = load_experiment(WOOD, base)
    on = ["sharing", "trust", "entry_exit"]
    design, orders = attribution_design(WOOD, base, on, permutations=10, seed=1)
    assert orders == []  # three mechanisms: exact
    design.resolve()
    names = [m.name for m in metric_list(exp.base.stage_names)]
    store = RunStore(tmp_path_factory.mktemp("attr"), names)
    values = run_design(design, store, LocalBackend(2))
    return design, values, names, on


def test_shapley_parts_add_up_to_the_whole_effect(three_mechanisms):
    design, values, names, on = three_mechanisms
    parts = shapley(design, values, names.index("profit"), on=on, regime="district", orders=[])
    total = parts.set_index("part").loc["total", "effect"]
    assert parts[parts["part"] != "total"]["effect"].sum() == pytest.approx(total, rel=1e-9)
    effects = paired_effects(design, values, names)
    all_on = effects[(effects["coalition"] == "sharing+trust+entry_exit") & (effects["metric"] == "profit")]
    assert total == pytest.approx(all_on["diff_mean"].iloc[0])


def test_sampled_permutations_agree_with_exact_shapley_when_they_cover_all_orders(three_mechanisms):
    design, values, names, on = three_mechanisms
    exact = shapley(design, values, names.index("profit"), on=on, regime="district", orders=[])
    every = list(itertools.permutations(on))
    sampled = shapley(design, values, names.index("profit"), on=on, regime="district", orders=every)
    np.testing.assert_allclose(sampled["effect"], exact["effect"], rtol=1e-9, atol=1e-9)


def test_morris_sensitivity_ranks_parameters_with_intervals(tmp_path):
    out = tmp_path / "sens"
    proc = simulate(
        "sensitivity",
        str(WOOD),
        "--method",
        "morris",
        "--trajectories",
        "3",
        "--steps",
        "52",
        "--replications",
        "2",
        "--param",
        "district.coordination_cost",
        "--param",
        "sharing.failure_prob",
        "--param",
        "adjacent.revenue_per_job=10:60",
        "--out",
        str(out),
        "--quiet",
        "--outcome",
        "profit",
    )
    assert proc.returncode == 0, proc.stderr
    assert "3 parameters, 12 sample points" in proc.stderr
    table = pd.read_csv(out / "sensitivity_profit.csv")
    assert list(table.columns[:3]) == ["parameter", "mu_star", "mu_star_conf"]
    assert table["mu_star"].is_monotonic_decreasing
    # reporting scale only: it cannot move the profit effect
    assert table.set_index("parameter").loc["adjacent.revenue_per_job", "mu_star"] == pytest.approx(0.0, abs=1e-9)
    assert (out / "charts" / "sensitivity_profit.png").exists()


def test_sobol_sensitivity_finishes_with_first_and_total_indices(tmp_path):
    out = tmp_path / "sobol"
    proc = simulate(
        "sensitivity",
        str(WOOD),
        "--method",
        "sobol",
        "--samples",
        "8",
        "--steps",
        "26",
        "--replications",
        "1",
        "--param",
        "district.coordination_cost",
        "--param",
        "sharing.failure_prob",
        "--out",
        str(out),
        "--quiet",
        "--outcome",
        "profit",
        "--workers",
        "2",
    )
    assert proc.returncode == 0, proc.stderr
    table = pd.read_csv(out / "sensitivity_profit.csv")
    assert {"S1", "S1_conf", "ST", "ST_conf"} <= set(table.columns)
    assert len(table) == 2


def test_scenario_sensitivity_block_narrows_and_excludes(tmp_path):
    from model.experiments.sensitivity import factors

    path = tmp_path / "s.yaml"
    path.write_text(
        WOOD.read_text(encoding="utf-8")
        + (
            "sensitivity:\n  ranges: {district.coordination_cost: [0.5, 6]}\n  exclude: [market.trend]\n"
            "  include: [stages.kiln_drying.variable_cost]\n"
        ),
        encoding="utf-8",
    )
    fs = {f.path: f for f in factors(load_experiment(path), [], [])}
    assert (fs["district.coordination_cost"].low, fs["district.coordination_cost"].high) == (0.5, 6.0)
    assert "market.trend" not in fs
    assert "stages.kiln_drying.variable_cost" in fs
    assert fs["sharing.partners"].integer


def test_precision_adds_replications_that_equal_a_fixed_run(tmp_path):
    """Replications added for --precision are the same runs a larger fixed --replications makes."""
    grown = simulate(
        str(WOOD),
        "--replications",
        "3",
        "--steps",
        "26",
        "--precision",
        "0.0001",
        "--max-replications",
        "6",
        "--out",
        str(tmp_path / "grown"),
        "--quiet",
    )
    assert grown.returncode == 0, grown.stderr
    assert "not reached after 6 replications" in grown.stderr
    fixed = simulate(str(WOOD), "--replications", "6", "--steps", "26", "--out", str(tmp_path / "fixed"), "--quiet")
    assert fixed.returncode == 0, fixed.stderr
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "grown" / "timeseries.parquet"),
        pd.read_parquet(tmp_path / "fixed" / "timeseries.parquet"),
    )
    assert "replications: 6" in (tmp_path / "grown" / "scenario.yaml").read_text()


def test_local_dask_cluster_gives_the_same_numbers_as_local_processes():
    pytest.importorskip("distributed")
    from model.experiments.backends import DaskBackend
    from model.experiments.runner import run_experiment

    exp = load_experiment(WOOD, ["replications=2", "steps=26"])
    local = run_experiment(exp, workers=2)
    backend = DaskBackend("local", workers=2)
    try:
        dask = run_experiment(exp, backend=backend)
    finally:
        backend.close()
    assert np.array_equal(local.data, dask.data, equal_nan=True)


PILOTS = ("woodworking_kaluga", "food_tambov", "metalworking_moscow")


def _other_value(field, current):
    """A different valid value for one schema field: the other end of its plausible range, a flipped switch."""
    if field.annotation is bool:
        return not current
    choices = typing.get_args(field.annotation)
    if choices and all(isinstance(c, str) for c in choices):
        return next(c for c in choices if c != current)
    plausible = (field.json_schema_extra or {}).get("plausible")
    if plausible is None:  # design values without a plausible range (e.g. a size cap)
        return current + 1 if field.annotation is int else current * 1.5 + 0.01
    lo, hi = plausible
    new = hi if current != hi else lo
    return int(new) if field.annotation is int else float(new)


def _perturb(data: dict, path: str) -> list[str]:
    """Change every value under ``path`` (a block or one value) in a scenario dump; return what changed."""
    *head, last = path.split(".")
    block_cls, node = Scenario, data
    for key in head:
        block_cls, node = block_cls.model_fields[key].annotation, node[key]
    annotation = block_cls.model_fields[last].annotation
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        fields = annotation.model_fields
        for name, field in fields.items():
            node[last][name] = _other_value(field, node[last][name])
        return [f"{path}.{name}" for name in fields]
    field = block_cls.model_fields[last]
    node[last] = _other_value(field, node.get(last, field.default))  # a random district's dump omits choice keys
    return [path]


@pytest.mark.parametrize("membership", ["random", "choice"])
@pytest.mark.parametrize("pilot", PILOTS)
@pytest.mark.parametrize("path", MEMBER_ONLY)
def test_values_only_members_read_cannot_change_a_run_nobody_joins(pilot, path, membership):
    """The runs design jobs share must be the same runs: each MEMBER_ONLY value, changed on a
    pilot's standalone regime (past the first capacity review), leaves the history bit-identical,
    whether membership is drawn or chosen."""
    sets = ["steps=60", "replications=1", f"district.membership={membership}"]
    standalone = load_experiment(ROOT / "scenarios" / f"{pilot}.yaml", sets).regimes["standalone"]
    data = standalone.model_dump(mode="json")
    changed = _perturb(data, path)
    other = Scenario.model_validate(data)
    assert other != standalone, changed
    assert scenario_key(other, 0) == scenario_key(standalone, 0)
    assert np.array_equal(run_once(other, 0), run_once(standalone, 0), equal_nan=True), changed


def test_a_district_parameter_sweep_runs_the_standalone_regime_once(tmp_path):
    """10 values of a district-only parameter, 2 regimes, 1 replication: 10 district runs and 1 standalone."""
    design = grid_design(WOOD, ["replications=1", "steps=20"], ["district.coordination_cost=0:9:10"])
    design.resolve()
    assert count_runs(design) == 11
    market = grid_design(WOOD, ["replications=1", "steps=20"], ["market.load=0.8,0.9"])
    market.resolve()
    assert count_runs(market) == 4  # every firm reads the market: nothing to share


def test_runs_are_handed_out_longest_first(tmp_path):
    """District runs (firms trade and review partners) before standalone ones, longer before shorter."""
    design = grid_design(WOOD, ["replications=2", "steps=4"], ["firms.count=20,30"])
    design.resolve()

    class Recorder:
        def __init__(self):
            self.order = []

        def map_unordered(self, fn, items, describe=str, meanwhile=None, runs_of=None):
            for i, item in enumerate(items):  # an item is a batch: (scenario, replications)
                scenario, reps = item
                self.order += [(scenario.firms.count, scenario.district.membership_share > 0)] * len(reps)
                yield i, fn(item)

    backend = Recorder()
    names = [m.name for m in metric_list(design.first.base.stage_names)]
    run_design(design, RunStore(tmp_path, names), backend)
    assert backend.order == [(30, True)] * 2 + [(20, True)] * 2 + [(30, False)] * 2 + [(20, False)] * 2


def test_morris_intervals_stay_at_or_above_zero_and_say_when_a_rank_is_within_noise():
    from model.experiments.sensitivity import Factor, analyse, sample

    fs = [Factor("a", 0.0, 1.0, False), Factor("b", 0.0, 1.0, False), Factor("c", 0.0, 1.0, False)]
    x = sample(fs, "morris", 10, 3)
    rng = np.random.default_rng(0)
    y = 5 * x[:, 0] + rng.normal(0, 1.0, len(x))  # 'a' matters; 'b' and 'c' are noise
    table = analyse(fs, "morris", x, y, 3).set_index("parameter")
    assert (table["mu_star_low"] >= 0).all()
    assert (table["mu_star_low"] <= table["mu_star"]).all()
    assert not table.loc["a", "within_noise"]
    np.testing.assert_array_equal(table["within_noise"], table["mu_star_conf"] >= table["mu_star"])
