"""M1 idle-capacity sharing and M7 trust on hand-built worlds of two or three firms."""

from __future__ import annotations

import numpy as np
import pytest

from model.sim import sharing, trust
from model.sim.district import DistrictModel

from .conftest import tiny_scenario, week


def test_member_without_kiln_gets_boards_dried_by_partner_and_pays():
    """A member with no drying capacity buys a partner's idle drying capacity and pays its price."""
    m = DistrictModel(tiny_scenario(2, ("cut", "dry")))
    week(m, capacity=[[10, 0], [10, 10]], orders=[5, 4])
    assert m.world.output.tolist() == [5.0, 4.0]
    assert m.world.received[0].tolist() == [0.0, 5.0]
    assert m.world.sold[1].tolist() == [0.0, 5.0]
    price = 10.0 * 1.1  # partner's variable cost plus 10% markup
    assert m.world.flows["service_purchases"][0] == pytest.approx(5 * price)
    assert m.world.flows["service_income"][1] == pytest.approx(5 * price)
    # the partner bears the variable cost of the drying it does for the buyer
    assert m.world.flows["variable_cost"][1] == pytest.approx(4 * 20 + 5 * 10)
    assert m.world.flows["variable_cost"][0] == pytest.approx(5 * 10)


def test_seller_keeps_capacity_for_its_own_orders_first():
    """Only capacity beyond a firm's own orders is offered to partners."""
    m = DistrictModel(tiny_scenario(2, ("dry",)))
    week(m, capacity=[[2], [10]], orders=[12, 7])
    assert m.world.output.tolist() == [5.0, 7.0]
    assert m.world.sold[1, 0] == pytest.approx(3.0)


def test_short_seller_rations_buyers_in_proportion_to_need():
    """Two buyers needing 6 and 2 from a seller with 4 idle units get 3 and 1."""
    m = DistrictModel(tiny_scenario(3, ("dry",)))
    week(m, capacity=[[4], [4], [10]], orders=[10, 6, 6])
    assert m.world.received[:, 0].tolist() == pytest.approx([3.0, 1.0, 0.0])
    assert m.world.output.tolist() == pytest.approx([7.0, 5.0, 6.0])


def test_non_members_do_not_share():
    """With no members (the standalone regime) output is each firm's own bottleneck."""
    m = DistrictModel(tiny_scenario(2, ("cut", "dry"), district={"membership_share": 0.0}))
    week(m, capacity=[[10, 0], [10, 10]], orders=[5, 4])
    assert m.world.output.tolist() == [0.0, 4.0]
    assert sharing.edge_units(m.world).size == 0


def test_sharing_switch_off_means_no_trade():
    m = DistrictModel(tiny_scenario(2, ("cut", "dry"), mechanisms={"sharing": False}))
    week(m, capacity=[[10, 0], [10, 10]], orders=[5, 4])
    assert m.world.output.tolist() == [0.0, 4.0]


def test_trade_that_loses_money_is_refused():
    """A buyer does not buy stage work that costs more than the unit's margin."""
    # margin 100 - 20 = 80; partner price 11; coordination at trust 0.5 is 3x the base cost
    m = DistrictModel(tiny_scenario(2, ("cut", "dry"), district={"coordination_cost": 30.0}))
    week(m, capacity=[[10, 0], [10, 10]], orders=[5, 4])
    assert m.world.output[0] == 0.0
    assert m.world.flows["coordination"].sum() == 0.0


def test_coordination_cost_falls_with_trust():
    """Cost per unit is the base cost at trust 1 and cost_ratio times it at trust 0."""
    m = DistrictModel(tiny_scenario(2, ("dry",), district={"coordination_cost": 2.0}))
    m.world.trust = np.array([1.0, 0.0])
    assert trust.coordination_rate(m.world).tolist() == pytest.approx([2.0, 10.0])


def test_buyer_pays_coordination_and_transport_per_unit():
    m = DistrictModel(tiny_scenario(2, ("dry",), district={"coordination_cost": 1.0}, sharing={"transport_cost": 2.0}))
    week(m, capacity=[[0], [10]], orders=[4, 0])
    assert m.world.flows["coordination"][0] == pytest.approx(4 * 1.0 * (1 + 4 * 0.5))
    assert m.world.flows["transport"][0] == pytest.approx(8.0)
    assert m.world.flows["coordination"][1] == 0.0


class _AlwaysFail:
    """Stands in for the sharing stream: every edge draws 0, below any failure probability."""

    def random(self, n: int) -> np.ndarray:
        return np.zeros(n)


def test_failed_delivery_is_not_paid_costs_coordination_and_cuts_trust():
    m = DistrictModel(tiny_scenario(2, ("dry",), sharing={"failure_prob": 0.2}, district={"coordination_cost": 1.0}))
    m.world.rng_sharing = [_AlwaysFail()]  # one stream per run of the batch
    week(m, capacity=[[0], [10]], orders=[4, 0])
    assert m.world.output[0] == 0.0
    assert m.world.flows["service_purchases"][0] == 0.0
    assert m.world.flows["coordination"][0] == pytest.approx(4 * 3.0)
    assert m.world.trust[0] == pytest.approx(0.25)  # buyer 0's trust in seller 1 halves
    assert m.world.trust[1] == pytest.approx(0.5)  # the other direction did not trade


def test_buyer_weighs_the_chance_of_failure():
    """Expected gain = (1 - failure_prob) * (value - price - transport) - coordination."""
    # unit value 100 - 10 = 90 plus own stage cost 10; partner price 11: gain if delivered 89.
    # coordination 3 x 10 = 30 per unit at trust 0.5: worth it at failure 0.6 (35.6 > 30), not at 0.7
    for fail, trades in ((0.6, True), (0.7, False)):
        m = DistrictModel(
            tiny_scenario(2, ("dry",), sharing={"failure_prob": fail}, district={"coordination_cost": 10.0})
        )
        m.world.rng_sharing = [np.random.default_rng(0)]
        week(m, capacity=[[0], [10]], orders=[4, 0])
        assert (sharing.edge_units(m.world).sum() + sharing.edge_failed(m.world).sum() > 0) == trades, fail


def test_backlog_that_own_capacity_clears_next_week_is_not_worth_renting_for():
    """With a backlog, a firm with spare capacity next week lets orders wait instead of paying."""
    over = {
        "market": {"unserved": "backlog", "backlog_loss_rate": 0.1, "load": 0.5},
        "district": {"coordination_cost": 3.0},
    }  # 9 per unit at trust 0.5
    m = DistrictModel(tiny_scenario(2, ("dry",), **over))
    m.world.demand_index = 1.0
    # firm 0: bottleneck 10, normal demand 5: next week's 5 spare units absorb a 2-unit shortfall,
    # so a unit served now is worth 0.1 x 90 + 10 - 11 = 8 < 9
    week(m, capacity=[[10], [10]], orders=[12, 0])
    assert sharing.edge_units(m.world).sum() == 0.0
    # a firm short by more than its spare capacity rents for the part that could not wait
    m = DistrictModel(tiny_scenario(2, ("dry",), **over))
    m.world.demand_index = 1.0
    week(m, capacity=[[10], [10]], orders=[30, 0])
    assert sharing.edge_units(m.world).sum() > 0.0


def test_kept_delivery_raises_trust():
    m = DistrictModel(tiny_scenario(2, ("dry",)))
    week(m, capacity=[[0], [10]], orders=[4, 0])
    assert m.world.trust[0] == pytest.approx(0.5 + 0.1 * 0.5)


def test_trust_switch_off_freezes_trust():
    m = DistrictModel(tiny_scenario(2, ("dry",), mechanisms={"trust": False}))
    week(m, capacity=[[0], [10]], orders=[4, 0])
    assert m.world.trust.tolist() == [0.5, 0.5]


def test_partner_work_the_bottleneck_cannot_use_is_cancelled():
    """Drying bought for a firm whose cutting is also short and unobtainable is not taken or paid."""
    m = DistrictModel(tiny_scenario(3, ("cut", "dry")))
    # firm 0 needs 4 more at both stages; firm 1 has idle drying only, nobody has idle cutting
    week(m, capacity=[[6, 6], [5, 10], [5, 5]], orders=[10, 5, 5])
    assert m.world.output[0] == 6.0
    assert sharing.edge_units(m.world).sum() == 0.0
    assert m.world.flows["service_purchases"].sum() == 0.0


def test_allocation_does_not_depend_on_storage_order():
    """Permuting the order firms are stored in permutes the result and changes nothing else."""
    cap = np.array([[4.0, 9], [4, 3], [10, 10], [7, 12]])
    orders = np.array([9.0, 6, 5, 6])
    a = week(DistrictModel(tiny_scenario(4, ("cut", "dry"))), cap.tolist(), orders.tolist())
    perm = np.array([2, 0, 3, 1])
    b = week(DistrictModel(tiny_scenario(4, ("cut", "dry"))), cap[perm].tolist(), orders[perm].tolist())
    np.testing.assert_allclose(b.world.output, a.world.output[perm], rtol=1e-12)
    np.testing.assert_allclose(b.world.flows["profit"], a.world.flows["profit"][perm], rtol=1e-12)
