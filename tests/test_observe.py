"""The observers on a hand-built world: each metric's arithmetic worked out in the comments.

Three firm slots, two stages; slot 2 is not trading (it must not count anywhere)."""

from __future__ import annotations

import numpy as np
import pytest

from model.sim.init import initial_world
from model.sim.metrics import metric_list
from model.sim.observe import gini, observe
from model.sim.rng import streams

from .conftest import tiny_scenario

COSTS = ("variable_cost", "fixed_cost", "depreciation", "coordination", "transport", "membership_fee")


def hand_built():
    sc = tiny_scenario(3, ("cut", "dry"))
    w = initial_world(sc, [streams(sc.seed, 0)])  # a batch of one run
    w.active = np.array([True, True, False])
    zero = np.zeros(3)
    w.flows = {k: zero.copy() for k in ("sales", "export_sales", "profit", "consortium_fee", "write_off", *COSTS)}
    fl = w.flows
    fl["variable_cost"][:] = [30.0, 10.0, 0.0]
    fl["fixed_cost"][:] = [5.0, 5.0, 0.0]
    fl["depreciation"][:] = [2.0, 2.0, 0.0]
    fl["coordination"][:] = [1.0, 0.0, 0.0]
    fl["transport"][:] = [0.0, 1.0, 0.0]
    fl["membership_fee"][:] = [1.0, 1.0, 0.0]
    fl["write_off"][:] = [1.0, 0.0, 0.0]
    fl["profit"][:] = [20.0, 6.0, 0.0]
    w.fixed_assets = np.array([300.0, 100.0, 999.0])
    w.produced = np.array([8.0, 4.0, 0.0])
    w.output = np.array([8.0, 2.0, 0.0])
    w.defective = np.array([0.0, 2.0, 0.0])
    w.backlog = np.array([4.0, 2.0, 0.0])
    w.processing = np.array([[0.5, 0.25], [1.0, 1.0], [9.0, 9.0]])
    w.employees = np.array([10.0, 20.0, 5.0])
    w.capacity0 = np.array([[10.0, 10.0], [20.0, 20.0], [5.0, 5.0]])
    w.capacity = np.array([[10.0, 10.0], [15.0, 5.0], [5.0, 5.0]])
    w.profit_avg = np.array([30.0, 10.0, 50.0])
    return w, {m.name: j for j, m in enumerate(metric_list(sc.stage_names))}


def test_unit_cost_is_every_cost_paid_outside_over_good_units():
    w, col = hand_built()
    # outside costs per firm: 30+5+2+1+0+1+0+1 = 40 and 10+5+2+0+1+1+0+0 = 19; 59 in all
    # good units: 8 + 2 = 10, so 59 / 10 = 5.9 kRUB per unit
    assert observe(w)[0][col["unit_cost"]] == pytest.approx(5.9)


def test_roa_annualises_profit_over_the_active_firms_fixed_assets():
    w, col = hand_built()
    # profit 20 + 6 = 26 a week; fixed assets of active firms 300 + 100 = 400 (slot 2's 999 is out)
    # 52 x 26 / 400 = 3.38 per year
    assert observe(w)[0][col["roa"]] == pytest.approx(3.38)
    assert observe(w)[0][col["fixed_assets"]] == 400.0


def test_lead_time_is_processing_plus_backlog_wait_weighted_by_units_produced():
    w, col = hand_built()
    # firm 0: processing 0.5 + 0.25 = 0.75 weeks, waiting backlog / produced = 4 / 8 = 0.5 -> 1.25
    # firm 1: processing 1 + 1 = 2 weeks, waiting 2 / 4 = 0.5 -> 2.5
    # weighted by produced: (1.25 x 8 + 2.5 x 4) / 12 = 20 / 12
    assert observe(w)[0][col["lead_time"]] == pytest.approx(20 / 12)


def test_employment_scales_each_firms_staff_with_its_capacity_against_the_start():
    w, col = hand_built()
    # firm 0 keeps its capacity (20 of 20): 10 jobs; firm 1 holds 20 of its starting 40: 20 x 0.5 = 10
    # slot 2 is not trading: 10 + 10 = 20
    assert observe(w)[0][col["employment"]] == pytest.approx(20.0)


def test_profit_gini_of_active_firms_quarterly_profits_with_losses_as_zero():
    w, col = hand_built()
    # active profit averages [30, 10] (slot 2's 50 is out); sorted [10, 30], n = 2, total 40:
    # ((2*1 - 3) x 10 + (2*2 - 3) x 30) / (2 x 40) = 20 / 80 = 0.25
    assert observe(w)[0][col["profit_gini"]] == pytest.approx(0.25)
    w.profit_avg = np.array([-5.0, 15.0, 50.0])
    # a loss counts as 0: [0, 15] -> (-1 x 0 + 1 x 15) / (2 x 15) = 0.5
    assert observe(w)[0][col["profit_gini"]] == pytest.approx(0.5)


def test_gini_limits():
    assert gini(np.array([5.0, 5.0, 5.0])) == 0.0  # equal shares
    assert gini(np.array([0.0, 0.0, 0.0, 12.0])) == pytest.approx(0.75)  # (n - 1) / n when one firm has all
    assert np.isnan(gini(np.array([0.0, 0.0])))  # nothing to share
    assert np.isnan(gini(np.array([])))


def test_observe_changes_nothing_and_defects_and_firms_add_up():
    w, col = hand_built()
    before = {k: v.copy() for k, v in w.flows.items()}
    row = observe(w)[0]
    assert all(np.array_equal(w.flows[k], before[k]) for k in before)
    assert row[col["firms_active"]] == 2.0
    assert row[col["defect_rate"]] == pytest.approx(2 / 12)  # defective 2 of 12 produced
    assert row[col["output"]] == 10.0
    assert row[col["profit"]] == 26.0
