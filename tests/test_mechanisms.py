"""Each mechanism's rule on a tiny hand-built world (M2-M8; M1 and M7 pricing are in test_sharing)."""

from __future__ import annotations

import numpy as np
import pytest

from model.sim import accounting, adjacent, demand, learning, production, reviews, sharing
from model.sim.district import DistrictModel
from model.sim.world import fields_on

from .conftest import tiny_scenario, week

REVIEW_EVERY_WEEK = {"capacity_review_weeks": 1, "partner_review_weeks": 1}


def review(m: DistrictModel, used: list[list[float]], short: list[list[float]], spare_min: list[float]) -> None:
    """Fill one review window by hand and run the review."""
    m.world.window_used = np.array(used, dtype=float)
    m.world.window_capacity = m.world.capacity.copy()
    m.world.window_short = np.array(short, dtype=float)
    m.world.window_spare_min = np.array([spare_min], dtype=float)  # (runs, stages): a batch of one run
    m.world.window_weeks = 1
    m.world.steps = m.params.district.capacity_review_weeks
    reviews.adapt_phase(m.world)


def test_asset_light_member_sells_idle_kiln_partners_reliably_have_and_books_the_loss():
    """M2: low own use at a stage where members always had spare: sell a share of the idle part."""
    sc = tiny_scenario(
        2,
        ("cut", "dry"),
        mechanisms={"asset_light": True},
        district=REVIEW_EVERY_WEEK,
        asset_light={"shed_rate": 0.5, "shed_utilisation": 0.6, "reliable_spare": 0.1, "salvage": 0.6},
    )
    m = DistrictModel(sc)
    week(m, capacity=[[10, 10], [10, 10]], orders=[5, 5])
    cash0, assets0 = m.world.cash.copy(), m.world.fixed_assets.copy()
    review(m, used=[[7, 2], [7, 9]], short=[[0, 0], [0, 0]], spare_min=[0.5, 0.2])
    # firm 0 used 20% of its drying: sells 0.5 x 10 x 0.8 = 4 units; firm 1 used 90%: keeps all
    assert m.world.capacity.tolist() == [[10, 6], [10, 10]]
    book = 4 * 100.0
    assert m.world.fixed_assets[0] == pytest.approx(assets0[0] - book)
    assert m.world.cash[0] - cash0[0] == pytest.approx(0.6 * book)
    assert m.world.flows["write_off"][0] == pytest.approx(0.4 * book)
    assert m.world.cash[1] == cash0[1]


def test_asset_light_keeps_capacity_partners_cannot_reliably_supply():
    """M2: when members' spare capacity at the stage ran out during the review, nobody sheds it."""
    sc = tiny_scenario(
        2,
        ("cut", "dry"),
        mechanisms={"asset_light": True},
        district=REVIEW_EVERY_WEEK,
    )
    m = DistrictModel(sc)
    week(m, capacity=[[10, 10], [10, 10]], orders=[5, 5])
    review(m, used=[[5, 2], [5, 9]], short=[[0, 0], [0, 0]], spare_min=[0.5, 0.0])
    assert m.world.capacity[0, 1] == 10.0


def test_asset_light_member_invests_where_it_was_short_within_credit():
    """M2: a stage short by more than the threshold on average gets new capacity, paid in cash."""
    sc = tiny_scenario(
        2,
        ("cut", "dry"),
        mechanisms={"asset_light": True},
        district=REVIEW_EVERY_WEEK,
        asset_light={"invest_shortfall": 0.1, "invest_rate": 0.5},
    )
    m = DistrictModel(sc)
    week(m, capacity=[[10, 10], [10, 10]], orders=[5, 5])
    cash0 = m.world.cash.copy()
    review(m, used=[[10, 10], [5, 5]], short=[[4, 0], [0, 0]], spare_min=[0.0, 0.0])
    assert m.world.capacity[0].tolist() == [12.0, 10.0]
    assert cash0[0] - m.world.cash[0] == pytest.approx(2 * 100.0)
    m2 = DistrictModel(sc)
    week(m2, capacity=[[10, 10], [10, 10]], orders=[5, 5])
    m2.world.cash[0] = -m2.world.credit_limit[0]  # at its limit: the bank lends no more
    review(m2, used=[[10, 10], [5, 5]], short=[[4, 0], [0, 0]], spare_min=[0.0, 0.0])
    assert m2.world.capacity[0, 0] == 10.0


def test_learning_follows_wrights_law():
    """M3: log unit cost against log experience has slope log2(progress ratio)."""
    sc = tiny_scenario(
        1,
        ("cut",),
        mechanisms={"specialization": True, "sharing": False},
        stage={"progress_ratio": 0.8, "variable_cost": 10.0},
    )
    m = DistrictModel(sc)
    x, c = [], []
    for _ in range(40):
        week(m, capacity=[[10]], orders=[10])
        learning.learn_phase(m.world)
        x.append(m.world.experience[0, 0])
        c.append(m.world.var_cost[0, 0])
    slope = np.polyfit(np.log(x), np.log(c), 1)[0]
    assert slope == pytest.approx(np.log2(0.8), rel=1e-9)
    assert m.world.defect[0, 0] < m.world.defect_base[0] or m.world.defect_base[0] == 0
    assert m.world.processing[0, 0] < m.world.processing_base[0]


def test_forgetting_erodes_experience():
    sc = tiny_scenario(1, ("cut",), mechanisms={"specialization": True}, learning={"forgetting": 0.1})
    m = DistrictModel(sc)
    x0 = m.world.experience[0, 0]
    week(m, capacity=[[10]], orders=[0])
    learning.learn_phase(m.world)
    assert m.world.experience[0, 0] == pytest.approx(0.9 * x0)
    assert m.world.var_cost[0, 0] > 10.0


def _specialist_world(**over) -> DistrictModel:
    """Two members, drying costs 15 at firm 0 and 10 at firm 1, capacity 10 everywhere, one quiet week."""
    over["district"] = {**REVIEW_EVERY_WEEK, **over.get("district", {})}
    sc = tiny_scenario(
        2,
        ("cut", "dry"),
        mechanisms={"specialization": True},
        learning={"specialise_gap": 0.05, "shift_rate": 0.1},
        **over,
    )
    m = DistrictModel(sc)
    m.world.efficiency = np.array([[1.0, 1.5], [1.0, 1.0]])
    learning.update_costs(m.world)
    week(m, capacity=[[10, 10], [10, 10]], orders=[5, 5])  # no one is short: no trade, trust stays 0.5
    return m


def test_specialising_member_moves_capacity_from_its_worst_to_its_best_stage():
    """M3: capacity leaves the stage where the member is far costlier than buying from a partner."""
    m = _specialist_world()
    review(m, used=[[5, 5], [5, 5]], short=[[0, 0], [0, 0]], spare_min=[0.5, 0.5])
    assert m.world.capacity[0].tolist() == pytest.approx([11.0, 9.0])
    assert m.world.capacity[1].tolist() == [10.0, 10.0]


@pytest.mark.parametrize(
    ("transport", "coordination", "failure", "moves"),
    [
        # own drying costs 15; the partner's price is 10 x 1.1 = 11; gap 5%: move if 15 > 1.05 x landed
        (3.2, 0.0, 0.0, True),  # landed 14.2: 15 / 14.2 = 1.056
        (3.4, 0.0, 0.0, False),  # landed 14.4: 1.042
        (0.0, 1.0, 0.0, True),  # coordination 1 x (1 + 4 x 0.5) = 3 at trust 0.5: landed 14, 1.071
        (0.0, 1.0, 0.2, False),  # paid on failed units too: 3 / 0.8 per delivered unit, landed 14.75, 1.017
        (0.0, 3.0, 0.0, False),  # landed 11 + 9 = 20: making it is cheaper
    ],
)
def test_member_specialises_only_where_buying_the_stage_costs_less_than_making_it(
    transport, coordination, failure, moves
):
    """M3: the stage left must be cheaper to buy over a live link, price, transport and coordination included."""
    m = _specialist_world(
        district={"coordination_cost": coordination}, sharing={"transport_cost": transport, "failure_prob": failure}
    )
    review(m, used=[[5, 5], [5, 5]], short=[[0, 0], [0, 0]], spare_min=[0.5, 0.5])
    assert m.world.capacity[0].tolist() == pytest.approx([11.0, 9.0] if moves else [10.0, 10.0])
    assert m.world.capacity[1].tolist() == [10.0, 10.0]


def test_member_without_a_live_partner_does_not_specialise():
    """M3: nobody to buy the stage from, so the member keeps making it however costly it is."""
    m = _specialist_world()
    m.world.edge_alive[:] = False
    review(m, used=[[5, 5], [5, 5]], short=[[0, 0], [0, 0]], spare_min=[0.5, 0.5])
    assert m.world.capacity.tolist() == [[10.0, 10.0], [10.0, 10.0]]


def test_spillovers_pull_members_toward_the_district_frontier_scaled_by_absorptive_capacity():
    """M4: gap to the best member closes at rate x absorptive capacity; non-members do not learn."""
    sc = tiny_scenario(
        3,
        ("cut",),
        mechanisms={"spillovers": True, "sharing": False},
        spillovers={"rate": 0.1, "absorptive_employees": 20.0},
    )
    m = DistrictModel(sc)
    m.world.member = np.array([True, True, False])
    m.world.efficiency = np.array([[0.8], [1.2], [1.2]])
    learning.update_costs(m.world)
    week(m, capacity=[[10], [10], [10]], orders=[5, 5, 5])
    learning.learn_phase(m.world)
    # employees 10 of 20: half absorptive; gap 0.4 closes by 0.1 x 0.5 x 0.4 = 0.02
    assert m.world.efficiency[:, 0].tolist() == pytest.approx([0.8, 1.18, 1.2])
    assert m.world.var_cost[1, 0] == pytest.approx(10.0 * 1.18)


def test_members_buy_more_from_local_suppliers():
    """M5: members' purchases go to local suppliers at the higher member share."""
    over = {"adjacent": {"local_share": 0.2, "member_local_share": 0.5, "revenue_per_job": 10.0}}
    on = DistrictModel(tiny_scenario(2, ("cut",), mechanisms={"adjacent": True, "sharing": False}, **over))
    off = DistrictModel(tiny_scenario(2, ("cut",), mechanisms={"adjacent": False, "sharing": True}, **over))
    for m in (on, off):
        week(m, capacity=[[10], [10]], orders=[5, 5])
        adjacent.adjacent_phase(m.world)
    fl = on.world.flows
    purchases = fl["variable_cost"] + fl["fixed_cost"] + fl["transport"] + fl["investment"]
    assert on.world.adjacent_revenue == pytest.approx(0.5 * purchases.sum())
    assert off.world.adjacent_revenue == pytest.approx(0.2 * purchases.sum())


def test_reputation_opens_the_export_channel_and_members_pay_the_consortium():
    """M6: good quality, on-time delivery and enough pooled volume open exports next week."""
    sc = tiny_scenario(
        2,
        ("cut",),
        mechanisms={"export": True, "sharing": False},
        export={
            "reputation_threshold": 0.9,
            "min_lot": 8.0,
            "memory": 1.0,
            "demand_share": 0.1,
            "price": 120.0,
            "consortium_fee": 3.0,
        },
    )
    m = DistrictModel(sc)
    week(m, capacity=[[10], [10]], orders=[5, 5])
    assert m.world.reputation == pytest.approx(1.0)
    assert m.world.export_open
    assert m.world.flows["consortium_fee"].tolist() == [3.0, 3.0]
    demand.demand_phase(m.world)
    assert m.world.export_orders.tolist() == pytest.approx([1.0, 1.0])  # 10% of nominal capacity 10
    sharing.share_phase(m.world)
    production.produce_phase(m.world)
    accounting.account_phase(m.world)
    assert m.world.flows["export_sales"].sum() == pytest.approx(2 * 120.0)


def test_defects_and_late_delivery_keep_the_channel_closed():
    sc = tiny_scenario(
        2,
        ("cut",),
        mechanisms={"export": True, "sharing": False},
        export={"reputation_threshold": 0.9, "min_lot": 1.0, "memory": 1.0},
        stage={"defect_rate": 0.2},
    )
    m = DistrictModel(sc)
    week(m, capacity=[[10], [10]], orders=[5, 5])
    assert m.world.reputation == pytest.approx(0.8)
    assert not m.world.export_open


def test_opportunist_seller_fails_more_and_loses_the_link():
    """M7: an opportunist defaults with extra probability; trust falls; the link is dropped."""
    sc = tiny_scenario(
        2, ("dry",), trust={"opportunist_share": 0.0, "opportunism": 1.0, "loss": 0.9, "drop_below": 0.15}
    )
    m = DistrictModel(sc)
    m.world.opportunist = np.array([False, True])
    week(m, capacity=[[0], [10]], orders=[4, 0])
    assert m.world.output[0] == 0.0
    assert m.world.trust[0] == pytest.approx(0.05)
    assert not m.world.edge_alive[0]  # both directions of the link go
    assert not m.world.edge_alive[1]
    week(m, capacity=[[0], [10]], orders=[4, 0])
    assert sharing.edge_units(m.world).sum() == 0.0
    assert sharing.edge_failed(m.world).sum() == 0.0


def test_member_without_partners_finds_a_new_one_at_review():
    sc = tiny_scenario(
        3,
        ("dry",),
        sharing={"network": "random", "partners": 1},
        district=REVIEW_EVERY_WEEK,
    )
    m = DistrictModel(sc)
    m.world.edge_alive[:] = False
    links_before = m.world.buyer.size
    review(m, used=[[1], [1], [1]], short=[[0], [0], [0]], spare_min=[0.5])
    assert m.world.buyer.size > links_before
    assert m.world.edge_alive[links_before:].all()


def test_entrants_come_when_returns_are_high_and_bring_their_equity():
    """M8: entry rate rises with the sector's recent return on assets above the hurdle."""
    sc = tiny_scenario(
        4,
        ("cut",),
        mechanisms={"entry_exit": True, "sharing": False},
        entry={"slots": 1.0, "rate": 0.5, "hurdle_roa": 0.0, "reference_roa": 0.01},
    )
    m = DistrictModel(sc)
    assert m.world.n_firms == 8
    for _ in range(10):
        m.step()
    assert m.world.born[4:].any()
    assert len(m.agents) == int(m.world.active.sum())
    # price 12 barely covers variable cost 10 plus fixed costs: returns below the hurdle, no entry
    sc_low = tiny_scenario(
        4,
        ("cut",),
        mechanisms={"entry_exit": True, "sharing": False},
        market={"price": 12.0},
        entry={"slots": 1.0, "rate": 0.5, "hurdle_roa": 0.08, "reference_roa": 0.01},
    )
    low = DistrictModel(sc_low)
    for _ in range(10):
        low.step()
    assert not low.world.born[4:].any()


def test_scheduled_demand_shock_and_key_firm_failure():
    """M8: a demand shock scales demand in its window; a failure removes the largest member."""
    shocks = [
        {"kind": "demand", "week": 3, "weeks": 2, "factor": 0.5},
        {"kind": "firm_failure", "week": 2, "firm": "largest_member"},
    ]
    sc = tiny_scenario(3, ("cut",), mechanisms={"entry_exit": True}, shocks=shocks, entry={"slots": 0.0})
    m = DistrictModel(sc)
    m.world.capacity[1] *= 2
    demand = []
    for _ in range(5):
        m.step()
        demand.append(m.world.demand[0])
    assert demand[2] == pytest.approx(0.5 * demand[0])
    assert demand[4] == pytest.approx(demand[0])
    assert m.world.active.tolist() == [True, False, True]
    off = DistrictModel(tiny_scenario(3, ("cut",), mechanisms={"entry_exit": False}, shocks=shocks))
    for _ in range(5):
        off.step()
    assert off.world.active.all()


def permute_storage(m: DistrictModel, perm: np.ndarray) -> None:
    """Store the same firms in another order: row ``k`` of the new arrays is old firm ``perm[k]``.

    Every World field declared on the firm axes is permuted (``world.fields_on``, not a guess by
    shape); links keep their order and are renumbered to the new rows."""
    w = m.world
    inverse = np.argsort(perm)
    for name in fields_on("firm", "firm_stage"):
        value = getattr(w, name)
        if value.shape[:1] == (w.n_firms,):
            setattr(w, name, value[perm])
    w.buyer, w.seller = inverse[w.buyer], inverse[w.seller]
    m.firms = [m.firms[i] for i in perm]
    for k, firm in enumerate(m.firms):
        if firm is not None:
            firm.index = k


def test_storage_order_gives_no_firm_priority():
    """Permuting the order firms are stored in leaves a run without random draws unchanged."""
    sc = tiny_scenario(
        7,
        ("cut", "dry", "pack"),
        firms={"employees_sigma": 0.6, "imbalance_sigma": 0.4, "efficiency_sigma": 0.1},
        market={"model": "normal", "noise_cv": 0.0, "load": 0.9, "unserved": "backlog"},
        mechanisms=dict.fromkeys(
            ("sharing", "asset_light", "specialization", "spillovers", "adjacent", "export", "trust"), True
        ),
        district={
            "membership_share": 0.8,
            "capacity_review_weeks": 4,
            "partner_review_weeks": 3,
            "coordination_cost": 0.5,
        },
        trust={"opportunist_share": 0.0},
        export={"min_lot": 10.0, "reputation_threshold": 0.5},
        steps=30,
    )
    a = DistrictModel(sc)
    b = DistrictModel(sc)
    perm = np.array([3, 6, 0, 5, 1, 4, 2])
    permute_storage(b, perm)
    ha, hb = a.run(), b.run()
    assert np.nansum(ha[:, [x.name for x in a.metrics].index("shared_units")]) > 0
    np.testing.assert_allclose(hb, ha, rtol=1e-9, atol=1e-9, equal_nan=True)
    np.testing.assert_allclose(b.world.capacity, a.world.capacity[perm], rtol=1e-9)


def test_storage_order_changes_results_only_statistically_when_draws_are_involved():
    """With random draws, permuted storage gives other draws to each firm but the same distribution."""
    from model.scenario_io import load_experiment

    from .conftest import ROOT

    sc = load_experiment(ROOT / "scenarios" / "woodworking_kaluga.yaml", ["steps=104"]).regimes["district"]
    rng = np.random.default_rng(1)
    plain, permuted = [], []
    for rep in range(8):
        a = DistrictModel(sc, rep)
        b = DistrictModel(sc, rep)
        permute_storage(b, rng.permutation(b.world.n_firms))
        j = [x.name for x in a.metrics].index("profit")
        plain.append(np.nanmean(a.run()[:, j]))
        permuted.append(np.nanmean(b.run()[:, j]))
    plain, permuted = np.array(plain), np.array(permuted)
    assert not np.allclose(plain, permuted)  # the draws really moved
    se = np.sqrt(plain.var(ddof=1) / plain.size + permuted.var(ddof=1) / permuted.size)
    assert abs(plain.mean() - permuted.mean()) < 4 * se
