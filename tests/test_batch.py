"""Batched runs (``model.sim.district.run_batch``): replications of one scenario advanced in one set of
arrays give, run for run, the numbers of the same runs alone, bit for bit, whatever else is in the
batch; jobs give the same tables with any batch size and any number of workers."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from model import DistrictModel, load_experiment
from model.experiments.budget import BATCH_BYTES, batch_size, run_bytes
from model.experiments.runner import run_experiment
from model.sim.district import run_batch
from model.sim.params import MECHANISMS

from .conftest import PILOT_IDS, PILOTS, ROOT

ALL_ON = [f"mechanisms.{name}=true" for name in MECHANISMS]
REPS = [4, 0, 2]  # not in order and not from 0: a run's numbers must not depend on its neighbours
VARIANTS = {
    "pilot": [],
    "every mechanism, yearly reviews every 5 weeks": [*ALL_ON, "district.capacity_review_weeks=5"],
    "membership by choice": [
        *ALL_ON,
        "district.membership=choice",
        "district.membership_review_weeks=4",
        "district.min_stay_weeks=8",
    ],
    "a public programme": [
        *ALL_ON,
        "district.capacity_review_weeks=5",
        "programme.instruments=[{kind: brokerage, start_week: 10, end_week: 40, cost_per_week: 30},"
        " {kind: membership_subsidy, share: 0.5, end_week: 70, budget: 400}, {kind: training, end_week: 50},"
        " {kind: co_investment, share: 0.4, budget: 3000}]",
    ],
    "a complete network, shocks, backlog": [
        *ALL_ON,
        "sharing.network=complete",
        "market.unserved=backlog",
        "shocks=[{kind: firm_failure, week: 30}, {kind: demand, week: 40, weeks: 10, factor: 0.5}]",
    ],
}


def _alone(scenario, reps):
    return np.array([DistrictModel(scenario, r).run() for r in reps])


@pytest.mark.parametrize("path", PILOTS, ids=PILOT_IDS)
@pytest.mark.parametrize("variant", list(VARIANTS), ids=list(VARIANTS))
def test_a_batch_gives_every_metric_of_every_run_alone_bit_for_bit(path, variant):
    exp = load_experiment(path, ["steps=78", *VARIANTS[variant]])
    assert exp.base.mechanisms.entry_exit  # entry and exit on: runs gain and lose firms at different weeks
    for name, scenario in exp.regimes.items():
        batched, _ = run_batch(scenario, REPS)
        alone = _alone(scenario, REPS)
        assert batched.shape == alone.shape
        for k, rep in enumerate(REPS):
            same = (batched[k] == alone[k]) | (np.isnan(batched[k]) & np.isnan(alone[k]))
            bad = [
                model_metric.name
                for j, model_metric in enumerate(DistrictModel(scenario).metrics)
                if not same[:, j].all()
            ]
            assert not bad, f"{variant}, regime {name}, replication {rep}: {bad} differ from the run alone"


def test_runs_do_not_depend_on_which_runs_share_their_batch():
    exp = load_experiment(ROOT / "scenarios" / "woodworking_kaluga.yaml", ["steps=60", *ALL_ON])
    scenario = exp.regimes["district"]
    wide, _ = run_batch(scenario, [0, 1, 2, 3, 4, 5])
    for reps in ([3], [5, 1], [2, 3, 4]):
        part, _ = run_batch(scenario, reps)
        assert np.array_equal(part, wide[reps], equal_nan=True), reps


def test_the_firm_panel_of_a_batch_is_that_of_each_run_alone():
    exp = load_experiment(ROOT / "scenarios" / "variants" / "woodworking_choice.yaml", ["steps=60"])
    scenario = exp.regimes["district"]
    _, panels = run_batch(scenario, [1, 0], panel=True)
    for k, rep in enumerate([1, 0]):
        model = DistrictModel(scenario, rep, panel=True)
        model.run()
        for name, values in model.panel.items():
            assert np.array_equal(panels[name][k], values), (rep, name)


def test_jobs_give_the_same_numbers_for_any_batch_size_and_number_of_workers():
    exp = load_experiment(ROOT / "scenarios" / "food_tambov.yaml", ["steps=52", "replications=5"])
    default = run_experiment(exp).data  # batches from the memory estimate: all five replications at once
    assert batch_size(exp.regimes["district"], 5) == 5
    for kw in ({"batch": 1}, {"batch": 2}, {"batch": 2, "workers": 2}, {"workers": 2}):
        assert np.array_equal(run_experiment(exp, **kw).data, default, equal_nan=True), kw


def test_the_batch_size_follows_the_memory_estimate():
    exp = load_experiment(ROOT / "scenarios" / "woodworking_kaluga.yaml", [])
    scenario = exp.regimes["district"]
    one = run_bytes(scenario)[0]
    assert batch_size(scenario, 20) == min(20, BATCH_BYTES // one) == 20  # a pilot: every replication at once
    assert batch_size(scenario, 20, requested=1) == 1
    assert batch_size(scenario, 3, requested=8) == 3
    big = load_experiment(ROOT / "scenarios" / "woodworking_kaluga.yaml", ["firms.count=100000"]).regimes["district"]
    assert batch_size(big, 20) == 1  # a run larger than a batch's memory runs alone


def test_a_batch_stays_inside_its_memory_estimate():
    exp = load_experiment(ROOT / "scenarios" / "woodworking_kaluga.yaml", ["steps=104"])
    scenario = exp.regimes["district"]
    run_batch(scenario.model_copy(update={"steps": 3}), [0])  # first calls allocate caches once
    tracemalloc.start()
    try:
        run_batch(scenario, list(range(20)))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    estimate = 20 * run_bytes(scenario)[0]
    assert peak <= estimate, (
        f"a batch of 20 pilot runs peaked at {peak / 2**20:.1f} MB, estimate {estimate / 2**20:.1f} MB"
    )
