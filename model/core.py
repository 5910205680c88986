"""The district model: firms on a value chain, alone or sharing idle capacity in a district.

Firms are Mesa agents, so ``model.agents`` and ``AgentSet`` queries work; their state lives in
the model's numpy arrays (one row per firm), and every phase of the step is vectorised over
firms and partner links. The step is a named schedule of phases, documented in docs/ODD.md:

    demand -> share -> produce -> account -> trust -> exit -> observe

This module does no I/O: it imports numpy and mesa only.
"""

from __future__ import annotations

import math

import mesa
import numpy as np

from . import network
from .observers import METRIC_INDEX, observe
from .params import Scenario
from .rng import streams

WEEKS_PER_YEAR = 52.0


class Firm(mesa.Agent):
    """One firm: a handle on row ``index`` of the model's state arrays.

    Attributes read through to the arrays, so an ``AgentSet`` query such as
    ``model.agents.select(lambda f: f.member)`` sees the current state.
    """

    def __init__(self, model: DistrictModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def employees(self) -> float:
        return float(self.model.employees[self.index])

    @property
    def member(self) -> bool:
        return bool(self.model.member[self.index])

    @property
    def active(self) -> bool:
        return bool(self.model.active[self.index])

    @property
    def cash(self) -> float:
        return float(self.model.cash[self.index])

    @property
    def fixed_assets(self) -> float:
        return float(self.model.fixed_assets[self.index])

    @property
    def capacity(self) -> dict[str, float]:
        """Units per week at each stage."""
        row = self.model.capacity[self.index]
        return dict(zip(self.model.stage_names, row.tolist(), strict=True))

    @property
    def bottleneck(self) -> str:
        """The stage that limits the firm's own output."""
        return self.model.stage_names[int(np.argmin(self.model.capacity[self.index]))]

    @property
    def profit(self) -> float:
        """Profit of the last week."""
        return float(self.model.flows["profit"][self.index])


class DistrictModel(mesa.Model):
    """Firms of one sector over weekly steps, under one regime's resolved scenario.

    Args:
        scenario: the validated scenario of one regime.
        replication: replication number; with ``scenario.seed`` it fixes every random stream.
    """

    def __init__(self, scenario: Scenario, replication: int = 0) -> None:
        self.rngs = streams(scenario.seed, replication)
        super().__init__(rng=self.rngs["mesa"])
        self.scenario_params = scenario
        self.replication = replication
        p = scenario
        self.stage_names = p.stage_names
        n, s = p.firms.count, len(p.stages)
        self.n_firms, self.n_stages = n, s

        # --- firms: sizes, stage capacities, costs (stream "init")
        init = self.rngs["init"]
        f = p.firms
        self.employees = np.minimum(
            f.employees_median * np.exp(f.employees_sigma * init.standard_normal(n)), f.employees_max
        )
        self.employees = np.maximum(self.employees, 1.0)
        per_employee = np.array([st.capacity_per_employee for st in p.stages])
        imbalance = np.exp(f.imbalance_sigma * init.standard_normal((n, s)))
        self.capacity = self.employees[:, None] * per_employee[None, :] * imbalance
        efficiency = np.exp(f.efficiency_sigma * init.standard_normal(n))
        self.var_cost = efficiency[:, None] * np.array([st.variable_cost for st in p.stages])[None, :]
        self.fixed_rate = np.array([st.fixed_cost for st in p.stages])
        self.capital_rate = np.array([st.capital_per_unit for st in p.stages])
        self.depreciation_rate = np.array([st.depreciation for st in p.stages]) / WEEKS_PER_YEAR
        self.nominal_capacity = self.employees * per_employee.min()
        self.base_demand = p.market.load * self.nominal_capacity
        self.fixed_assets = self.capacity @ self.capital_rate
        weekly_fixed = self._weekly_fixed_cost()
        self.cash = f.initial_cash_weeks * weekly_fixed
        self.credit_limit = f.credit_limit_weeks * weekly_fixed
        self.backlog = np.zeros(n)
        self.active = np.ones(n, dtype=bool)
        self.seller_price = self.var_cost * (1.0 + p.sharing.markup)

        # --- demand state (stream "demand")
        self._demand_rng = self.rngs["demand"]
        self.market_noise = p.market.noise_sigma * self._demand_rng.standard_normal()

        # --- membership (stream "membership"): the same draws in every regime. A district with
        # no mechanism switched on has no organisation: nobody is a member and no fee is due.
        self.district_active = p.mechanisms.any_member_mechanism()
        self.member = (self.rngs["membership"].random(n) < p.district.membership_share) & self.district_active

        # --- partner network among members (stream "network")
        self._build_network()
        self._sharing_rng = self.rngs["sharing"]

        # --- agents: one Firm per row
        self.firms = [Firm(self, i) for i in range(n)]

        # --- last week's flows per firm (the ledger observers and tests read)
        self.flows: dict[str, np.ndarray] = {}
        self.exits_last = 0
        self.history = np.full((p.steps, len(METRIC_INDEX)), np.nan)

    # ------------------------------------------------------------------ set-up helpers
    def _weekly_fixed_cost(self) -> np.ndarray:
        """Fixed cost plus depreciation per week, per firm."""
        return self.capacity @ self.fixed_rate + self.capacity @ (self.capital_rate * self.depreciation_rate)

    def _build_network(self) -> None:
        p = self.scenario_params
        members = np.flatnonzero(self.member)
        if not (p.mechanisms.sharing and members.size >= 2):
            links = np.empty((0, 2), dtype=np.int64)
        elif p.sharing.network == "complete":
            if members.size > p.sharing.max_complete_firms:
                raise ValueError(
                    f"a complete network of {members.size} members has too many links; use "
                    f"sharing.network: random (or raise sharing.max_complete_firms)"
                )
            links = network.complete_links(members)
        else:
            links = network.random_partner_links(members, p.sharing.partners, self.rngs["network"])
        self.links = links
        self.buyer, self.seller = network.directed_edges(links)
        self.trust = np.full(self.buyer.size, p.trust.initial)
        self.edge_alive = np.ones(self.buyer.size, dtype=bool)

    # ------------------------------------------------------------------ the schedule
    def step(self) -> None:
        """One week: the phases in their documented order."""
        self.demand_phase()
        self.share_phase()
        self.produce_phase()
        self.account_phase()
        self.trust_phase()
        self.exit_phase()
        self.history[self.steps - 1] = observe(self)

    def run(self) -> np.ndarray:
        """Run the scenario's horizon; return the (steps, metrics) history."""
        for _ in range(self.scenario_params.steps):
            self.step()
        return self.history

    # ------------------------------------------------------------------ phases
    def demand_phase(self) -> None:
        """Draw this week's demand for every firm; orders = demand + backlog."""
        m = self.scenario_params.market
        rng = self._demand_rng
        week = self.steps - 1
        common = rng.standard_normal()
        own = rng.standard_normal(self.n_firms)
        if m.model == "normal":
            shock = math.sqrt(m.correlation) * common + math.sqrt(1.0 - m.correlation) * own
            demand = np.maximum(self.base_demand + m.noise_cv * self.nominal_capacity * shock, 0.0)
            self.demand_index = 1.0
        else:
            self.market_noise = m.ar * self.market_noise + math.sqrt(1.0 - m.ar**2) * m.noise_sigma * common
            index = (
                (1.0 + m.trend) ** (week / WEEKS_PER_YEAR)
                * (1.0 + m.season_amplitude * math.cos(2 * math.pi * (week - m.season_peak_week) / WEEKS_PER_YEAR))
                * math.exp(self.market_noise - 0.5 * m.noise_sigma**2)
            )
            firm = np.exp(m.firm_noise_sigma * own - 0.5 * m.firm_noise_sigma**2)
            demand = self.base_demand * index * firm
            self.demand_index = index
        self.demand = np.where(self.active, demand, 0.0)
        self.orders = self.demand + self.backlog

    def share_phase(self) -> None:
        """Members buy partners' idle stage capacity for the orders their own stages cannot take."""
        p = self.scenario_params
        n_edges = self.buyer.size
        self.failed_draw = self._sharing_rng.random(n_edges) if n_edges else np.empty(0)
        self.edge_units = np.zeros((n_edges, self.n_stages))
        self.edge_failed = np.zeros((n_edges, self.n_stages))
        self.edge_coord_rate = np.zeros(n_edges)
        if not (p.mechanisms.sharing and n_edges):
            return
        in_district = (self.member & self.active)[:, None]
        orders = self.orders[:, None]
        need = np.where(in_district, np.maximum(orders - self.capacity, 0.0), 0.0)
        idle = np.where(in_district, np.maximum(self.capacity - orders, 0.0), 0.0)
        coord = self._coordination_rate()
        # expected gain of asking edge e for one unit of stage-k work: the seller delivers with
        # probability 1 - failure_prob; coordination is paid either way. A unit short at several
        # stages carries its value once, split over those stages.
        short_stages = np.maximum((need > 0).sum(axis=1), 1)
        value = (self._value_of_serving_now() / short_stages)[:, None] + self.var_cost
        deliver = 1.0 - p.sharing.failure_prob
        gain = (
            deliver * (value[self.buyer] - self.seller_price[self.seller] - p.sharing.transport_cost) - coord[:, None]
        )
        weight = np.where((gain > 0) & self.edge_alive[:, None], self.trust[:, None], 0.0)
        units = network.clear(need, idle, self.buyer, self.seller, weight=weight, rounds=p.sharing.rounds)
        failed = self.failed_draw < p.sharing.failure_prob
        self.edge_failed = np.where(failed[:, None], units, 0.0)
        self.edge_units = np.where(failed[:, None], 0.0, units)
        self.edge_coord_rate = coord

    def _value_of_serving_now(self) -> np.ndarray:
        """Per firm: what one more unit served this week is worth, before its own variable costs.

        With lost sales it is the unit margin. With a backlog, an order that waits is only lost
        if the firm cannot serve it itself next week: the firm expects spare bottleneck capacity
        ``bottleneck - base demand * this week's demand index`` next week; the part of its
        shortfall that fits there waits (and a fraction ``backlog_loss_rate`` cancels meanwhile),
        the rest is as good as lost.
        """
        m = self.scenario_params.market
        margin = m.price - self.var_cost.sum(axis=1)
        if m.unserved == "lost":
            return margin
        bottleneck = self.capacity.min(axis=1)
        shortfall = np.maximum(self.orders - bottleneck, 0.0)
        spare_next = np.maximum(bottleneck - self.base_demand * self.demand_index, 0.0)
        waits = np.minimum(1.0, np.divide(spare_next, shortfall, out=np.ones_like(shortfall), where=shortfall > 0))
        return margin * (m.backlog_loss_rate * waits + (1.0 - waits))

    def produce_phase(self) -> None:
        """Output is limited by each firm's bottleneck, counting partner work received."""
        received = network.per_firm(self.buyer, self.edge_units, self.n_firms)
        reach = (self.capacity + received).min(axis=1)
        self.output = np.where(self.active, np.minimum(self.orders, reach), 0.0)
        # partner work beyond what the bottleneck lets through is cancelled (not paid)
        usable = np.maximum(self.output[:, None] - self.capacity, 0.0)
        keep = np.divide(usable, received, out=np.zeros_like(usable), where=received > 0)
        if self.edge_units.size:
            self.edge_units = self.edge_units * keep[self.buyer]
        self.received = network.per_firm(self.buyer, self.edge_units, self.n_firms)
        self.sold = network.per_firm(self.seller, self.edge_units, self.n_firms)
        self.own_use = np.minimum(self.output[:, None], self.capacity)
        unfilled = self.orders - self.output
        m = self.scenario_params.market
        if m.unserved == "lost":
            self.lost = unfilled
            self.backlog = np.zeros(self.n_firms)
        else:
            self.lost = unfilled * m.backlog_loss_rate
            self.backlog = unfilled - self.lost

    def account_phase(self) -> None:
        """Every payment leaves one balance and enters another or a named outside sink."""
        p = self.scenario_params
        act = self.active
        n = self.n_firms
        units = self.edge_units
        if units.size:
            pay_edge = (units * self.seller_price[self.seller]).sum(axis=1)
            traded_edge = units.sum(axis=1)
            coord_edge = (traded_edge + self.edge_failed.sum(axis=1)) * self.edge_coord_rate
            transport_edge = traded_edge * p.sharing.transport_cost
        else:
            pay_edge = coord_edge = transport_edge = np.zeros(0)
        fl: dict[str, np.ndarray] = {}
        fl["sales"] = self.output * p.market.price
        fl["service_income"] = np.bincount(self.seller, pay_edge, minlength=n)
        fl["service_purchases"] = np.bincount(self.buyer, pay_edge, minlength=n)
        fl["variable_cost"] = ((self.own_use + self.sold) * self.var_cost).sum(axis=1)
        fl["fixed_cost"] = np.where(act, self.capacity @ self.fixed_rate, 0.0)
        fl["depreciation"] = np.where(act, self.fixed_assets_depreciation(), 0.0)
        fl["investment"] = fl["depreciation"].copy()  # maintenance capex keeps capacity intact
        fl["coordination"] = np.bincount(self.buyer, coord_edge, minlength=n)
        fl["transport"] = np.bincount(self.buyer, transport_edge, minlength=n)
        fl["membership_fee"] = np.where(act & self.member, p.district.membership_fee, 0.0)
        fl["profit"] = (
            fl["sales"]
            + fl["service_income"]
            - fl["service_purchases"]
            - fl["variable_cost"]
            - fl["fixed_cost"]
            - fl["depreciation"]
            - fl["coordination"]
            - fl["transport"]
            - fl["membership_fee"]
        )
        fl["cash_change"] = fl["profit"] + fl["depreciation"] - fl["investment"]
        self.fixed_assets = self.fixed_assets + fl["investment"] - fl["depreciation"]
        self.cash = self.cash + fl["cash_change"]
        self.flows = fl

    def fixed_assets_depreciation(self) -> np.ndarray:
        """This week's depreciation of each firm's equipment."""
        return (self.capacity * self.capital_rate) @ self.depreciation_rate

    def trust_phase(self) -> None:
        """Trust on a link rises after a kept delivery and falls after a failed one."""
        t = self.scenario_params.trust
        if not (self.scenario_params.mechanisms.trust and self.buyer.size):
            return
        kept = self.edge_units.sum(axis=1) > 0
        broken = self.edge_failed.sum(axis=1) > 0
        self.trust = np.where(kept, self.trust + t.gain * (1.0 - self.trust), self.trust)
        self.trust = np.where(broken, self.trust * (1.0 - t.loss), self.trust)

    def exit_phase(self) -> None:
        """Insolvent firms (cash below minus their credit limit) leave the market."""
        self.exits_last = 0
        if not self.scenario_params.mechanisms.entry_exit:
            return
        leaving = self.active & (self.cash < -self.credit_limit)
        if not leaving.any():
            return
        idx = np.flatnonzero(leaving)
        self.exits_last = idx.size
        self.lost = self.lost + self.backlog * leaving
        self.backlog = np.where(leaving, 0.0, self.backlog)
        self.active = self.active & ~leaving
        if self.buyer.size:
            self.edge_alive = self.active[self.buyer] & self.active[self.seller]
        for i in idx:  # only the few firms that exit this week
            self.firms[i].remove()

    def _coordination_rate(self) -> np.ndarray:
        """Coordination cost per unit on each edge: lowest at full trust, cost_ratio times at none."""
        p = self.scenario_params
        return p.district.coordination_cost * (1.0 + (p.trust.cost_ratio - 1.0) * (1.0 - self.trust))
