"""Stock-flow consistency, checked every step: money, units and capacity are conserved."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model.scenario_io import load_experiment
from model.sim import sharing
from model.sim.district import DistrictModel
from model.sim.params import MECHANISMS, Scenario

from .conftest import PILOT_IDS, PILOTS

TOL = 1e-7


def check_week(  # noqa: PLR0917 - one argument per state snapshot taken before the step
    m: DistrictModel,
    cash_before: np.ndarray,
    assets_before: np.ndarray,
    backlog_before: np.ndarray,
    active_before: np.ndarray,
    capacity_before: np.ndarray,
) -> None:
    """Every identity the ledger must satisfy after one step."""
    fl = m.world.flows
    scale = 1.0 + np.abs(cash_before).max()
    # payments between firms cancel: one firm's purchase is another's income
    assert fl["service_income"].sum() == pytest.approx(fl["service_purchases"].sum(), rel=1e-12, abs=TOL)
    # each firm's cash moves by exactly its named inflows minus outflows
    inflow = fl["sales"] + fl["service_income"] + fl["asset_sales"] + fl["equity_in"]
    inflow = inflow + fl.get("subsidy", 0.0)  # the agency's payments, under a programme
    outflow = (
        fl["service_purchases"]
        + fl["variable_cost"]
        + fl["fixed_cost"]
        + fl["investment"]
        + fl["coordination"]
        + fl["transport"]
        + fl["membership_fee"]
        + fl["consortium_fee"]
        + fl.get("joining_cost", 0.0)  # firms that choose to join pay it at a membership review
        + fl.get("centre_fee", 0.0)  # members' fees for a programme's service centre
    )
    np.testing.assert_allclose(m.world.cash - cash_before, inflow - outflow, atol=TOL * scale)
    # fixed assets move by investment, depreciation, equipment sold and entrants' equipment
    np.testing.assert_allclose(
        m.world.fixed_assets - assets_before,
        fl["investment"] - fl["depreciation"] - fl["assets_sold"] + fl["assets_in"],
        atol=TOL * scale,
    )
    # equipment sold below book value is written off
    np.testing.assert_allclose(fl["write_off"], fl["assets_sold"] - fl["asset_sales"], atol=TOL * scale)
    # equity moves by profit plus what owners bring in
    np.testing.assert_allclose(
        (m.world.cash - cash_before) + (m.world.fixed_assets - assets_before),
        fl["profit"] + fl["equity_in"] + fl["assets_in"],
        atol=TOL * scale,
    )
    # capacity changes only through equipment bought and sold
    np.testing.assert_allclose(
        m.world.capacity - capacity_before, m.world.capacity_traded, atol=TOL * (1 + capacity_before.max())
    )
    # book value of equipment equals capacity held at its capital rate
    np.testing.assert_allclose(
        m.world.fixed_assets[m.world.born],
        (m.world.capacity @ m.world.capital_rate)[m.world.born],
        rtol=1e-9,
        atol=TOL * scale,
    )
    # units: orders are delivered, lost or left waiting
    orders = m.world.demand + backlog_before + m.world.export_orders
    np.testing.assert_allclose(orders, m.world.output + m.world.lost + m.world.backlog, atol=TOL * (1 + orders.max()))
    # capacity: no stage does more than it holds; partner work equals what partners sold
    used = m.world.own_use + m.world.sold
    assert (used <= capacity_before * (1 + 1e-12) + TOL).all()  # capacity held while producing
    np.testing.assert_allclose(
        m.world.received.sum(axis=0), m.world.sold.sum(axis=0) + m.world.centre_units.sum(axis=0), atol=TOL
    )  # ... or a programme's service centre did
    # nothing that cannot be negative is
    for name in ("output", "lost", "backlog", "demand"):
        assert (getattr(m.world, name) >= -TOL).all(), name
    assert (sharing.edge_units(m.world) >= 0).all()
    assert ((m.world.trust >= 0) & (m.world.trust <= 1)).all()
    assert (m.world.output <= orders + TOL).all()
    # firms that were not trading this week have no flows; entrants only bring in their equity
    entered = m.world.active & ~active_before
    for name, flow in fl.items():
        assert not flow[~active_before & ~entered].any(), name
        if name not in ("equity_in", "assets_in", "cash_change"):
            assert not flow[entered].any(), name


def run_checked(scenario: Scenario, steps: int, replication: int = 0) -> DistrictModel:
    m = DistrictModel(scenario, replication)
    entries = exits = 0
    for _ in range(steps):
        before = (
            m.world.cash.copy(),
            m.world.fixed_assets.copy(),
            m.world.backlog.copy(),
            m.world.active.copy(),
            m.world.capacity.copy(),
        )
        m.step()
        check_week(m, *before)
        entries += m.world.entries_last
        exits += m.world.exits_last
        # firms are conserved: starting firms plus entrants minus exits are the active agents
        assert len(m.agents) == int(m.world.active.sum()) == m.world.n_start + entries - exits
        assert all(f.active for f in m.agents)
    return m


@pytest.mark.parametrize("path", PILOTS, ids=PILOT_IDS)
def test_pilot_ledgers_balance_every_week(path):
    exp = load_experiment(
        path, [f"mechanisms.{name}=true" for name in MECHANISMS] + ["district.capacity_review_weeks=5"]
    )
    for scenario in exp.regimes.values():
        run_checked(scenario, steps=60)


@pytest.mark.parametrize("path", PILOTS, ids=PILOT_IDS)
def test_ledgers_balance_every_week_when_firms_choose_to_join(path):
    """Joining costs, the shared association cost and links made and ended at reviews keep every identity."""
    sets = [f"mechanisms.{name}=true" for name in MECHANISMS]
    sets += ["district.membership=choice", "district.membership_review_weeks=4", "district.min_stay_weeks=8"]
    m = run_checked(load_experiment(path, [*sets, "district.capacity_review_weeks=5"]).regimes["district"], steps=80)
    names = [x.name for x in m.metrics]
    assert np.nansum(m.history[:, names.index("joins")]) > 0  # the reviews really moved firms
    assert np.nansum(m.history[:, names.index("leaves")]) > 0


stage_st = st.fixed_dictionaries(
    {
        "name": st.sampled_from(["a"]),  # renamed below to keep names unique
        "capacity_per_employee": st.floats(0.2, 3.0),
        "variable_cost": st.floats(0.0, 40.0),
        "fixed_cost": st.floats(0.0, 6.0),
        "capital_per_unit": st.floats(0.0, 800.0),
        "depreciation": st.floats(0.0, 0.3),
    }
)


@st.composite
def scenarios(draw) -> Scenario:
    stages = draw(st.lists(stage_st, min_size=1, max_size=4))
    stages = [{**s, "name": f"s{i}"} for i, s in enumerate(stages)]
    data = {
        "name": "fuzz",
        "steps": 30,
        "seed": draw(st.integers(0, 2**32)),
        "firms": {
            "count": draw(st.integers(1, 25)),
            "employees_median": draw(st.floats(1.0, 40.0)),
            "employees_sigma": draw(st.floats(0.0, 1.2)),
            "efficiency_sigma": draw(st.floats(0.0, 0.3)),
            "imbalance_sigma": draw(st.floats(0.0, 0.6)),
            "initial_cash_weeks": draw(st.floats(0.0, 10.0)),
            "credit_limit_weeks": draw(st.floats(0.0, 10.0)),
        },
        "market": {
            "model": draw(st.sampled_from(["market", "normal"])),
            "price": draw(st.floats(20.0, 200.0)),
            "load": draw(st.floats(0.2, 1.5)),
            "season_amplitude": draw(st.floats(0.0, 0.8)),
            "firm_noise_sigma": draw(st.floats(0.0, 0.6)),
            "noise_cv": draw(st.floats(0.0, 0.5)),
            "correlation": draw(st.floats(0.0, 1.0)),
            "unserved": draw(st.sampled_from(["lost", "backlog"])),
            "backlog_loss_rate": draw(st.floats(0.0, 1.0)),
        },
        "stages": stages,
        "sharing": {
            "network": draw(st.sampled_from(["random", "complete"])),
            "partners": draw(st.integers(1, 8)),
            "markup": draw(st.floats(0.0, 1.0)),
            "transport_cost": draw(st.floats(0.0, 10.0)),
            "failure_prob": draw(st.floats(0.0, 1.0)),
            "rounds": draw(st.integers(1, 5)),
        },
        "district": {
            "membership_share": draw(st.floats(0.0, 1.0)),
            "membership_fee": draw(st.floats(0.0, 20.0)),
            "coordination_cost": draw(st.floats(0.0, 20.0)),
        },
        "mechanisms": {name: draw(st.booleans()) for name in MECHANISMS},
        "asset_light": {
            "shed_utilisation": draw(st.floats(0.0, 1.0)),
            "reliable_spare": draw(st.floats(0.0, 0.5)),
            "invest_shortfall": draw(st.floats(0.0, 0.5)),
            "salvage": draw(st.floats(0.0, 1.0)),
        },
        "learning": {"forgetting": draw(st.floats(0.0, 0.05)), "shift_rate": draw(st.floats(0.0, 0.5))},
        "spillovers": {"rate": draw(st.floats(0.0, 0.5))},
        "export": {
            "reputation_threshold": draw(st.floats(0.0, 1.0)),
            "min_lot": draw(st.floats(0.0, 200.0)),
            "memory": draw(st.floats(0.05, 1.0)),
        },
        "entry": {"rate": draw(st.floats(0.0, 0.5)), "hurdle_roa": draw(st.floats(-0.5, 0.3))},
        "trust": {"opportunist_share": draw(st.floats(0.0, 1.0)), "drop_below": draw(st.floats(0.0, 0.6))},
        "shocks": draw(
            st.lists(
                st.one_of(
                    st.fixed_dictionaries(
                        {
                            "kind": st.just("demand"),
                            "week": st.integers(1, 30),
                            "weeks": st.integers(1, 10),
                            "factor": st.floats(0.0, 2.0),
                        }
                    ),
                    st.fixed_dictionaries(
                        {
                            "kind": st.just("firm_failure"),
                            "week": st.integers(1, 30),
                            "firm": st.sampled_from(["largest", "largest_member"]),
                        }
                    ),
                ),
                max_size=3,
            )
        ),
    }
    data["district"]["capacity_review_weeks"] = draw(st.integers(1, 8))
    data["district"]["partner_review_weeks"] = draw(st.integers(1, 8))
    return Scenario.model_validate(data)


# 40 fixed examples in CI (each runs a model); the "fuzz" profile's own count under `make test-fuzz`
@settings(max_examples=40) if settings.get_current_profile_name() == "ci" else settings()
@given(scenarios())
def test_random_valid_scenarios_conserve_money_units_and_capacity(scenario):
    run_checked(scenario, steps=scenario.steps)
