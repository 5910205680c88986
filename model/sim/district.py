"""The district model: firms on a value chain, alone or as members of an industrial district.

Firms are Mesa agents, so ``model.agents`` and ``AgentSet`` queries work; their state lives in
the model's numpy arrays (one row per firm slot), and every phase of the step is vectorised over
firms and partner links. The step is a named schedule of phases, documented in docs/ODD.md:

    demand -> share -> produce -> account -> learn -> trust -> adapt -> enter_exit -> adjacent -> observe

Rows are firm *slots*: the starting firms, then room for entrants (M8). A slot is ``active``
while its firm trades. This module does no I/O: it imports numpy and mesa only.
"""

from __future__ import annotations

import math

import mesa
import numpy as np

from . import network
from .observers import metric_list, observe
from .params import Scenario
from .rng import streams
from .rows import ratio, row_min, row_prod, row_sum

WEEKS_PER_YEAR = 52.0
QUARTER = 13.0


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
    def unit_cost(self) -> dict[str, float]:
        """Variable cost per unit at each stage (falls with experience and know-how)."""
        row = self.model.var_cost[self.index]
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
        p = self.scenario_params = scenario
        self.replication = replication
        self.mech = p.mechanisms
        self.stage_names = p.stage_names
        n0, s = p.firms.count, len(p.stages)
        slots = round(p.entry.slots * n0) if self.mech.entry_exit else 0
        n = self.n_firms = n0 + slots
        self.n_start, self.n_stages = n0, s
        self.metrics = metric_list(self.stage_names)

        # --- stage constants
        self.per_employee = np.array([st.capacity_per_employee for st in p.stages])
        self.var_base = np.array([st.variable_cost for st in p.stages])
        self.fixed_rate = np.array([st.fixed_cost for st in p.stages])
        self.capital_rate = np.array([st.capital_per_unit for st in p.stages])
        self.depreciation_rate = np.array([st.depreciation for st in p.stages]) / WEEKS_PER_YEAR
        self.learning_exponent = np.log2([st.progress_ratio for st in p.stages])
        self.defect_base = np.array([st.defect_rate for st in p.stages])
        self.processing_base = np.array([st.processing_weeks for st in p.stages])

        # --- firm traits: starting firms from stream "init", entrant slots from stream "entry"
        employees, imbalance, efficiency = self._draw_traits(self.rngs["init"], n0, 1.0)
        if slots:
            e2, i2, f2 = self._draw_traits(self.rngs["entry"], slots, p.entry.size_factor)
            employees, imbalance = np.concatenate((employees, e2)), np.concatenate((imbalance, i2))
            efficiency = np.concatenate((efficiency, f2))
        self.employees = employees
        self.capacity = employees[:, None] * self.per_employee[None, :] * imbalance
        self.capacity0 = self.capacity.copy()
        self.efficiency = np.repeat(efficiency[:, None], s, axis=1)  # know-how multiplier (M4)
        self.nominal_capacity = employees * self.per_employee.min()
        self.base_demand = p.market.load * self.nominal_capacity
        self.base_total = float(self.base_demand[:n0].sum())
        self.fee_scale = employees / employees[:n0].mean()  # dues in proportion to size
        self.experience0 = (
            p.learning.initial_experience_weeks
            * self.capacity.min(axis=1, keepdims=True)
            * (np.minimum(p.market.load, 1.0))
            * np.ones((1, s))
        )
        self.experience = self.experience0.copy()
        self.experience[n0:] *= p.entry.experience_share  # entrants start lower on the learning curve
        self._update_costs()
        self.fixed_assets = np.where(np.arange(n) < n0, self.capacity @ self.capital_rate, 0.0)
        weekly_fixed = self._weekly_fixed_cost()
        self.cash = np.where(np.arange(n) < n0, p.firms.initial_cash_weeks * weekly_fixed, 0.0)
        self.credit_limit = p.firms.credit_limit_weeks * weekly_fixed
        self.backlog = np.zeros(n)
        self.active = np.arange(n) < n0
        self.born = self.active.copy()
        self.starting = self.active.copy()  # starting firms (the rest are entrant slots)
        # the smaller half of the starting firms by employees (at or below the median): the same
        # firms in every regime of a replication, so "for whom" effects are paired firm by firm
        self.smaller = self.starting & (employees <= np.median(employees[:n0]))
        self.record = np.ones(n)  # delivery record customers see (good units / orders)
        self.profit_avg = np.zeros(n)

        # --- membership and opportunism: starting firms and entrant slots from separate streams
        self.district_active = self.mech.any_member_mechanism()
        share = p.district.membership_share
        u_member = self.rngs["membership"].random(n0)
        u_opportunist = self.rngs["trust"].random(n0)
        if slots:
            u_member = np.concatenate((u_member, self.rngs["entry"].random(slots)))
            u_opportunist = np.concatenate((u_opportunist, self.rngs["entry"].random(slots)))
        self.member = (u_member < share) & self.district_active
        self.opportunist = u_opportunist < p.trust.opportunist_share

        # --- partner network among starting members (stream "network")
        self._net_rng = self.rngs["network"]
        self.buyer = np.empty(0, dtype=np.int64)
        self.seller = np.empty(0, dtype=np.int64)
        self.pair = np.empty(0, dtype=np.int64)
        self.trust = np.empty(0)
        self.edge_alive = np.empty(0, dtype=bool)
        self._add_links(self._initial_links())
        self._sharing_rng = self.rngs["sharing"]
        self._entry_rng = self.rngs["entry"]
        self.seller_price = self.var_cost * (1.0 + p.sharing.markup)

        # --- demand state (stream "demand")
        self._demand_rng = self.rngs["demand"]
        self.market_noise = p.market.noise_sigma * self._demand_rng.standard_normal()
        self.demand_index = np.ones(n)

        # --- district-level state
        self.reputation = 0.0
        self.export_open = False
        self.export_orders = np.zeros(n)
        self.adjacent_peak_firms = math.nan
        self.adjacent_revenue = 0.0
        self.adjacent_entries = 0
        self.sector_profit_avg = 0.0
        self.sector_assets_avg = float(self.fixed_assets[self.active].sum())
        self._reset_review()

        # --- agents: one Firm per active row (entrants get theirs when they enter)
        self.firms: list[Firm | None] = [Firm(self, i) if self.active[i] else None for i in range(n)]

        self.flows: dict[str, np.ndarray] = {}
        self.entries_last = 0
        self.exits_last = 0
        self.history = np.full((p.steps, len(self.metrics)), np.nan)

    # ------------------------------------------------------------------ set-up helpers
    def _draw_traits(self, rng: np.random.Generator, k: int, size_factor: float) -> tuple[np.ndarray, ...]:
        """Employees, stage imbalance and cost efficiency for ``k`` firms, in that draw order."""
        f = self.scenario_params.firms
        employees = size_factor * f.employees_median * np.exp(f.employees_sigma * rng.standard_normal(k))
        employees = np.clip(employees, 1.0, f.employees_max)
        imbalance = np.exp(f.imbalance_sigma * rng.standard_normal((k, self.n_stages)))
        efficiency = np.exp(f.efficiency_sigma * rng.standard_normal(k))
        return employees, imbalance, efficiency

    def _weekly_fixed_cost(self) -> np.ndarray:
        """Fixed cost plus depreciation per week, per firm."""
        return self.capacity @ (self.fixed_rate + self.capital_rate * self.depreciation_rate)

    def _initial_links(self) -> np.ndarray:
        p = self.scenario_params
        members = np.flatnonzero(self.member & self.active)
        if not (self.mech.sharing and members.size >= 2):
            return np.empty((0, 2), dtype=np.int64)
        if p.sharing.network == "complete":
            if members.size > p.sharing.max_complete_firms:
                raise ValueError(
                    f"a complete network of {members.size} members has too many links; use "
                    f"sharing.network: random (or raise sharing.max_complete_firms)"
                )
            return network.complete_links(members)
        if p.sharing.network == "groups":
            return network.group_links(members, p.sharing.group_size)
        return network.random_partner_links(members, p.sharing.partners, self._net_rng)

    def _add_links(self, links: np.ndarray) -> None:
        """Append undirected links as two directed edges each, with fresh trust."""
        if links.size == 0:
            return
        e0, m = self.buyer.size, links.shape[0]
        buyer, seller = network.directed_edges(links)
        pair = np.concatenate((np.arange(m) + m, np.arange(m))) + e0
        self.buyer = np.concatenate((self.buyer, buyer))
        self.seller = np.concatenate((self.seller, seller))
        self.pair = np.concatenate((self.pair, pair))
        self.trust = np.concatenate((self.trust, np.full(2 * m, self.scenario_params.trust.initial)))
        self.edge_alive = np.concatenate((self.edge_alive, np.ones(2 * m, dtype=bool)))

    def _update_costs(self) -> None:
        """Unit variable cost, defect rate and processing time from experience (M3) and know-how (M4)."""
        learn = (self.experience / self.experience0) ** self.learning_exponent
        self.learn = learn
        self.var_cost = self.var_base * self.efficiency * learn
        self.defect = np.minimum(self.defect_base * learn, 0.5)
        self.processing = self.processing_base * learn

    def _reset_review(self) -> None:
        n, s = self.n_firms, self.n_stages
        self.window_used = np.zeros((n, s))
        self.window_capacity = np.zeros((n, s))
        self.window_short = np.zeros((n, s))
        self.window_spare_min = np.full(s, np.inf)
        self.window_weeks = 0

    # ------------------------------------------------------------------ the schedule
    def step(self) -> None:
        """One week: the phases in their documented order."""
        self.demand_phase()
        self.share_phase()
        self.produce_phase()
        self.account_phase()
        self.learn_phase()
        self.trust_phase()
        self.adapt_phase()
        self.enter_exit_phase()
        self.adjacent_phase()
        if self.steps > self.history.shape[0]:  # stepped past the scenario's horizon by hand
            self.history = np.vstack((self.history, np.full_like(self.history, np.nan)))
        self.history[self.steps - 1] = observe(self)

    def run(self) -> np.ndarray:
        """Run the scenario's horizon; return the (steps, metrics) history."""
        for _ in range(self.scenario_params.steps):
            self.step()
        return self.history

    # ------------------------------------------------------------------ phases
    def demand_phase(self) -> None:
        """Draw this week's demand; orders = demand + backlog + export orders (M6)."""
        p = self.scenario_params
        m = p.market
        rng = self._demand_rng
        week = self.steps - 1
        common = rng.standard_normal()
        own = rng.standard_normal(self.n_firms)
        shock = self._demand_shock(week + 1)
        if m.model == "normal":
            z = math.sqrt(m.correlation) * common + math.sqrt(1.0 - m.correlation) * own
            demand = np.maximum(self.base_demand + m.noise_cv * self.nominal_capacity * z, 0.0) * shock
            self.demand_index = shock
        else:
            self.market_noise = m.ar * self.market_noise + math.sqrt(1.0 - m.ar**2) * m.noise_sigma * common
            index = (
                (1.0 + m.trend) ** (week / WEEKS_PER_YEAR)
                * (1.0 + m.season_amplitude * math.cos(2 * math.pi * (week - m.season_peak_week) / WEEKS_PER_YEAR))
                * math.exp(self.market_noise - 0.5 * m.noise_sigma**2)
                * shock
            )
            # customers split sector demand by capacity and delivery record among active firms
            weight = np.where(self.active, self.nominal_capacity * self.record**m.delivery_elasticity, 0.0)
            total = weight.sum()
            share = weight / total if total > 0 else weight
            firm = np.exp(m.firm_noise_sigma * own - 0.5 * m.firm_noise_sigma**2)
            demand = self.base_total * index * share * firm
            self.demand_index = index * (share * self.base_total / np.maximum(self.base_demand, 1e-12))
        self.demand = np.where(self.active, demand, 0.0)
        self.export_orders = np.where(
            self.export_open & self.member & self.active, p.export.demand_share * self.nominal_capacity, 0.0
        )
        self.orders = self.demand + self.backlog + self.export_orders

    def _demand_shock(self, week: int) -> float:
        if not self.mech.entry_exit:
            return 1.0
        factor = 1.0
        for sh in self.scenario_params.shocks:
            if sh.kind == "demand" and sh.week <= week < sh.week + sh.weeks:
                factor *= sh.factor
        return factor

    def share_phase(self) -> None:
        """Members buy partners' idle stage capacity for the orders their own stages cannot take (M1)."""
        p = self.scenario_params
        n_edges = self.buyer.size
        s = self.n_stages
        self.failed_draw = self._sharing_rng.random(n_edges) if n_edges else np.empty(0)
        self.trade_edge = np.empty(0, dtype=np.int64)  # trades: one row per (edge, stage) that traded
        self.trade_stage = np.empty(0, dtype=np.int64)
        self.trade_units = np.empty(0)
        self.trade_failed = np.empty(0)
        self.edge_coord_rate = np.zeros(n_edges)
        in_district = (self.member & self.active)[:, None]
        orders = self.orders[:, None]
        self.need = np.maximum(orders - self.capacity, 0.0) * in_district
        self.idle = np.maximum(self.capacity - orders, 0.0) * in_district
        if not (self.mech.sharing and n_edges):
            return
        need, idle = self.need.ravel(), self.idle.ravel()
        # candidate edge-stages: a live link whose buyer is short and whose seller has spare
        # capacity at that stage. Edges are filtered per firm first, so the (edge, stage) arrays
        # cover only links that can trade (not all E x S), in ascending (edge, stage) order.
        # Stages are packed as bits of one integer per firm (at most 20 stages), so the per-edge test
        # is one integer AND.
        short, spare = self.need > 0, self.idle > 0
        bit = np.left_shift(1, np.arange(s, dtype=np.int64))
        both = (short @ bit)[self.buyer] & (spare @ bit)[self.seller]
        live = np.flatnonzero((both != 0) & self.edge_alive)
        row, stage = np.divmod(np.flatnonzero((both[live, None] & bit) != 0), s)  # nonzero is fastest on bools
        edge = live[row]
        b, v = self.buyer[edge], self.seller[edge]
        coord = self._coordination_rate()
        self.seller_price = self.var_cost * (1.0 + p.sharing.markup)
        # expected gain of asking edge e for one unit of stage-k work: the seller delivers with
        # probability 1 - failure_prob; coordination is paid either way. A unit short at several
        # stages carries its value once, split over those stages.
        short_stages = np.maximum(row_sum(short.astype(np.int64)), 1)
        value = self._value_of_serving_now() / short_stages
        deliver = 1.0 - p.sharing.failure_prob
        gain = (
            deliver * (value[b] + self.var_cost[b, stage] - self.seller_price[v, stage] - p.sharing.transport_cost)
            - coord[edge]
        )
        ok = (gain > 0) & (self.trust[edge] > 0)
        edge, stage, b, v = edge[ok], stage[ok], b[ok], v[ok]
        units = network.clear_pairs(
            need, idle, b * s + stage, v * s + stage, weight=self.trust[edge], rounds=p.sharing.rounds
        )
        fail_prob = p.sharing.failure_prob + p.trust.opportunism * self.opportunist[v]
        failed = self.failed_draw[edge] < fail_prob
        self.trade_edge, self.trade_stage = edge, stage
        self.trade_units = np.where(failed, 0.0, units)
        self.trade_failed = np.where(failed, units, 0.0)
        self.edge_coord_rate = coord

    @property
    def edge_units(self) -> np.ndarray:
        """Delivered stage work per edge and stage, (E, S): a dense view of the trades (not used in the step)."""
        return self._dense(self.trade_units)

    @property
    def edge_failed(self) -> np.ndarray:
        """Stage work that failed, per edge and stage, (E, S)."""
        return self._dense(self.trade_failed)

    def _dense(self, values: np.ndarray) -> np.ndarray:
        s = self.n_stages
        flat = np.bincount(self.trade_edge * s + self.trade_stage, values, minlength=self.buyer.size * s)
        return flat.reshape(-1, s)

    def _trade_firm_stage(self) -> tuple[np.ndarray, np.ndarray]:
        """Flat firm-stage index of each trade's buyer and seller."""
        s = self.n_stages
        return self.buyer[self.trade_edge] * s + self.trade_stage, self.seller[self.trade_edge] * s + self.trade_stage

    def _value_of_serving_now(self) -> np.ndarray:
        """Per firm: what one more unit served this week is worth, before its own variable costs.

        With lost sales it is the unit margin. With a backlog, an order that waits is only lost
        if the firm cannot serve it itself next week: the firm expects spare bottleneck capacity
        ``bottleneck - expected demand`` next week; the part of its shortfall that fits there
        waits (and a fraction ``backlog_loss_rate`` cancels meanwhile), the rest is as good as lost.
        """
        m = self.scenario_params.market
        margin = m.price - row_sum(self.var_cost)
        if m.unserved == "lost":
            return margin
        bottleneck = row_min(self.capacity)
        shortfall = np.maximum(self.orders - bottleneck, 0.0)
        spare_next = np.maximum(bottleneck - self.base_demand * self.demand_index, 0.0)
        waits = np.minimum(1.0, np.divide(spare_next, shortfall, out=np.ones_like(shortfall), where=shortfall > 0))
        return margin * (m.backlog_loss_rate * waits + (1.0 - waits))

    def produce_phase(self) -> None:
        """Units are produced up to the bottleneck (counting partner work); a share is defective."""
        n, s = self.n_firms, self.n_stages
        bfs, sfs = self._trade_firm_stage()
        received = np.bincount(bfs, self.trade_units, minlength=n * s).reshape(n, s)
        reach = row_min(self.capacity + received)
        self.produced = np.where(self.active, np.minimum(self.orders, reach), 0.0)
        # partner work beyond what the bottleneck lets through is cancelled (not paid)
        usable = np.maximum(self.produced[:, None] - self.capacity, 0.0)
        keep = ratio(usable, received)
        self.trade_units = self.trade_units * keep.ravel()[bfs]
        self.received = np.bincount(bfs, self.trade_units, minlength=n * s).reshape(n, s)
        self.sold = np.bincount(sfs, self.trade_units, minlength=n * s).reshape(n, s)
        self.own_use = np.minimum(self.produced[:, None], self.capacity)
        # a unit is good only if every stage, own or partner's, got it right
        partner_defects = np.bincount(bfs, self.trade_units * self.defect.ravel()[sfs], minlength=n * s).reshape(n, s)
        stage_defect = ratio(self.own_use * self.defect + partner_defects, self.produced[:, None])
        self.defect_share = 1.0 - row_prod(1.0 - stage_defect)
        self.defective = self.produced * self.defect_share
        self.output = self.produced - self.defective
        # export orders are served in the same proportion as the rest; unserved ones are lost
        served = ratio(self.produced, self.orders, 1.0)
        self.export_units = self.export_orders * served * (1.0 - self.defect_share)
        unfilled_home = (self.orders - self.export_orders) * (1.0 - served)
        m = self.scenario_params.market
        lost_home = unfilled_home if m.unserved == "lost" else unfilled_home * m.backlog_loss_rate
        self.backlog = unfilled_home - lost_home
        self.lost = lost_home + self.export_orders * (1.0 - served) + self.defective
        good_share = ratio(self.output, self.orders, 1.0)
        memory = m.record_memory
        self.record = np.where(self.active, (1 - memory) * self.record + memory * good_share, self.record)
        # district spare capacity left after clearing, for the asset-light review (M2)
        members = self.member & self.active
        if members.any():
            weight = members.astype(float)[:, None]  # x * 1 and x * 0: the members' sums, without a copy
            spare = ((self.capacity - self.own_use - self.sold) * weight).sum(axis=0)
            held = (self.capacity * weight).sum(axis=0)
            share = np.divide(spare, held, out=np.zeros_like(spare), where=held > 0)
            self.window_spare_min = np.minimum(self.window_spare_min, share)
        self.window_used += self.own_use + self.sold
        self.window_capacity += np.where(self.active[:, None], self.capacity, 0.0)
        self.window_short += self.need
        self.window_weeks += 1

    def account_phase(self) -> None:
        """Every payment leaves one balance and enters another or a named outside sink."""
        p = self.scenario_params
        act = self.active
        n = self.n_firms
        _, sfs = self._trade_firm_stage()
        buyers, sellers = self.buyer[self.trade_edge], self.seller[self.trade_edge]
        pay = self.trade_units * self.seller_price.ravel()[sfs]
        coord = (self.trade_units + self.trade_failed) * self.edge_coord_rate[self.trade_edge]
        transport = self.trade_units * p.sharing.transport_cost
        home_units = self.output - self.export_units
        fl: dict[str, np.ndarray] = {}
        fl["sales"] = home_units * p.market.price + self.export_units * p.export.price
        fl["export_sales"] = self.export_units * p.export.price
        fl["service_income"] = np.bincount(sellers, pay, minlength=n)
        fl["service_purchases"] = np.bincount(buyers, pay, minlength=n)
        fl["variable_cost"] = row_sum((self.own_use + self.sold) * self.var_cost)
        fl["fixed_cost"] = np.where(act, self.capacity @ self.fixed_rate, 0.0)
        fl["depreciation"] = np.where(act, (self.capacity * self.capital_rate) @ self.depreciation_rate, 0.0)
        fl["investment"] = fl["depreciation"].copy()  # maintenance capex keeps capacity intact
        fl["coordination"] = np.bincount(buyers, coord, minlength=n)
        fl["transport"] = np.bincount(buyers, transport, minlength=n)
        fl["membership_fee"] = np.where(act & self.member, p.district.membership_fee * self.fee_scale, 0.0)
        fl["consortium_fee"] = np.where(
            act & self.member & self.mech.export, p.export.consortium_fee * self.fee_scale, 0.0
        )
        self.capacity_traded = np.zeros((n, self.n_stages))
        for name in ("asset_sales", "assets_sold", "write_off", "equity_in", "assets_in"):
            fl[name] = np.zeros(n)
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
            - fl["consortium_fee"]
        )
        fl["cash_change"] = fl["profit"] + fl["depreciation"] - fl["investment"]
        self.cash = self.cash + fl["cash_change"]
        self.flows = fl
        self._update_reputation()

    def _update_reputation(self) -> None:
        """Collective reputation of members: good-unit share times on-time share, smoothed (M6)."""
        x = self.scenario_params.export
        members = self.member & self.active
        produced = float(self.produced[members].sum())
        orders = float(self.orders[members].sum())
        if produced <= 0 or orders <= 0:
            return
        quality = 1.0 - float(self.defective[members].sum()) / produced
        on_time = produced / orders
        self.reputation = (1.0 - x.memory) * self.reputation + x.memory * quality * on_time
        pooled = float(self.output[members].sum())
        self.export_open = bool(self.mech.export and self.reputation >= x.reputation_threshold and pooled >= x.min_lot)

    def learn_phase(self) -> None:
        """Experience lowers unit cost, defects and processing time (M3); know-how spills over (M4)."""
        p = self.scenario_params
        changed = False
        if self.mech.specialization:
            processed = self.own_use + self.sold
            self.experience = self.experience * (1.0 - p.learning.forgetting) + processed
            changed = True
        members = self.member & self.active
        if self.mech.spillovers and members.sum() >= 2:
            frontier = (self.efficiency + np.where(members, 0.0, np.inf)[:, None]).min(axis=0)
            absorb = np.minimum(1.0, self.employees / p.spillovers.absorptive_employees)
            pull = np.where(members, p.spillovers.rate * absorb, 0.0)[:, None]
            self.efficiency = self.efficiency + pull * (frontier[None, :] - self.efficiency)
            changed = True
        if changed:
            self._update_costs()

    def trust_phase(self) -> None:
        """Trust on a link rises after a kept delivery and falls after a failed one (M7)."""
        t = self.scenario_params.trust
        if not (self.mech.trust and self.buyer.size):
            return
        kept = np.bincount(self.trade_edge, self.trade_units, minlength=self.buyer.size) > 0
        broken = np.bincount(self.trade_edge, self.trade_failed, minlength=self.buyer.size) > 0
        # arithmetic rather than np.where: kept and broken are scattered, which makes branches slow
        self.trust = self.trust + kept * (t.gain * (1.0 - self.trust))
        self.trust = self.trust * (1.0 - t.loss * broken)
        # a link either side no longer trusts is dropped
        bad = self.trust < t.drop_below
        self.edge_alive = self.edge_alive & ~bad & ~bad[self.pair]

    def adapt_phase(self) -> None:
        """Members replace dropped partners (M7) each partner review; shed or buy capacity (M2) and
        specialise (M3) each capacity review, judged over the whole review period."""
        d = self.scenario_params.district
        members = self.member & self.active
        if self.steps % d.partner_review_weeks == 0 and members.any() and self.mech.sharing and self.mech.trust:
            self._replace_partners(members)
        if self.steps % d.capacity_review_weeks != 0:
            return
        if members.any():
            change = np.zeros((self.n_firms, self.n_stages))
            if self.mech.asset_light:
                change += self._asset_light_change(members)
            if self.mech.specialization and self.mech.sharing:
                change += self._specialisation_change(members)
            if change.any():
                self._trade_equipment(change)
        self._reset_review()

    def _replace_partners(self, members: np.ndarray) -> None:
        """Members with fewer live partners than ``sharing.partners`` each link to one more member."""
        p = self.scenario_params
        idx = np.flatnonzero(members)
        if idx.size < 2 or p.sharing.network != "random":
            return
        degree = (
            np.bincount(self.buyer[self.edge_alive], minlength=self.n_firms)
            if self.buyer.size
            else np.zeros(self.n_firms, dtype=np.int64)
        )
        short = idx[degree[idx] < p.sharing.partners]
        if short.size == 0:
            return
        offsets = self._net_rng.integers(1, idx.size, size=short.size)
        pos = np.searchsorted(idx, short)
        other = idx[(pos + offsets) % idx.size]
        self._add_links(np.column_stack((np.minimum(short, other), np.maximum(short, other))))

    def _asset_light_change(self, members: np.ndarray) -> np.ndarray:
        """M2: capacity to sell (negative) where use was low and members reliably had spare; to buy where short."""
        a = self.scenario_params.asset_light
        weeks = max(self.window_weeks, 1)
        util = np.divide(
            self.window_used, self.window_capacity, out=np.ones_like(self.window_used), where=self.window_capacity > 0
        )
        reliable = (self.window_spare_min >= a.reliable_spare)[None, :]
        floor = a.min_capacity_share * self.nominal_capacity[:, None]
        shed = np.where(
            members[:, None] & reliable & (util < a.shed_utilisation), a.shed_rate * self.capacity * (1.0 - util), 0.0
        )
        shed = np.minimum(shed, np.maximum(self.capacity - floor, 0.0))
        mean_short = self.window_short / weeks
        short = members[:, None] & (mean_short > a.invest_shortfall * self.capacity)
        buy = np.where(short, a.invest_rate * mean_short, 0.0)
        return buy - shed

    def _specialisation_change(self, members: np.ndarray) -> np.ndarray:
        """M3: a member stops making the stage it can best buy from a partner and moves that capacity
        to its relatively best stage.

        It gives up stage k only if its own unit cost there exceeds, by more than
        ``specialise_gap``, the landed cost of buying one delivered unit over its cheapest live
        link: the partner's price, transport, and the coordination cost at that link's trust
        divided by the delivery probability (coordination is paid for failed deliveries too). Of
        such stages it leaves the one with the largest excess per unit. A member with no live
        link, or whose partners are dearer, does not specialise; the costlier coordination, the
        less capacity moves.
        """
        p = self.scenario_params
        lp = p.learning
        n, s = self.n_firms, self.n_stages
        floor = p.asset_light.min_capacity_share * self.nominal_capacity
        best = self.var_cost[members].min(axis=0)
        ratio = np.divide(self.var_cost, best[None, :], out=np.ones_like(self.var_cost), where=best[None, :] > 0)
        top = ratio.argmin(axis=1)
        # cheapest landed cost per member and stage over its live links to active members
        live = np.flatnonzero(self.edge_alive & members[self.buyer] & members[self.seller])
        deliver = 1.0 - p.sharing.failure_prob
        landed = np.full((n, s), np.inf)
        if live.size and deliver > 0:
            # per buyer, the minimum over its links: links sorted by buyer, one reduceat per stage
            # (a stage at a time keeps the temporaries at one float per link)
            live = live[np.argsort(self.buyer[live], kind="stable")]
            buyer, seller = self.buyer[live], self.seller[live]
            starts = np.flatnonzero(np.concatenate(([True], buyer[1:] != buyer[:-1])))
            extra = p.sharing.transport_cost + self._coordination_rate()[live] / deliver
            markup = 1.0 + p.sharing.markup
            for k in range(s):
                landed[buyer[starts], k] = np.minimum.reduceat(self.var_cost[seller, k] * markup + extra, starts)
        excess = self.var_cost - (1.0 + lp.specialise_gap) * landed  # -inf where nothing can be bought
        worst = excess.argmax(axis=1)
        rows = np.arange(n)
        moves = members & (excess[rows, worst] > 0.0) & (worst != top)
        amount = np.where(moves, lp.shift_rate * self.capacity[rows, worst], 0.0)
        amount = np.minimum(amount, np.maximum(self.capacity[rows, worst] - floor, 0.0))
        change = np.zeros((n, s))
        change[rows, worst] -= amount
        change[rows, top] += amount
        return change

    def _trade_equipment(self, change: np.ndarray) -> None:
        """Sell (negative) and buy (positive) stage capacity; purchases stay within the credit headroom."""
        a = self.scenario_params.asset_light
        fl = self.flows
        sell = np.maximum(-change, 0.0)
        buy = np.maximum(change, 0.0)
        book_sold = sell @ self.capital_rate
        proceeds = a.salvage * book_sold
        cost = buy @ self.capital_rate
        room = self.cash + proceeds + a.credit_headroom * self.credit_limit
        room = np.maximum(room, 0.0)
        scale = np.divide(room, cost, out=np.ones_like(cost), where=cost > room)  # buy what the bank finances
        buy = buy * scale[:, None]
        cost = cost * scale
        self.capacity = self.capacity - sell + buy
        self.capacity_traded += buy - sell
        self.fixed_assets = self.fixed_assets - book_sold + cost
        self.cash = self.cash + proceeds - cost
        fl["asset_sales"] += proceeds
        fl["assets_sold"] += book_sold
        fl["write_off"] += book_sold - proceeds
        fl["investment"] += cost
        fl["profit"] -= book_sold - proceeds
        fl["cash_change"] += proceeds - cost

    def enter_exit_phase(self) -> None:
        """Scheduled firm failures and insolvent firms leave; entrants come when returns are high (M8)."""
        self.exits_last = self.entries_last = 0
        fl = self.flows
        memory = 1.0 / QUARTER
        self.profit_avg = np.where(self.active, (1 - memory) * self.profit_avg + memory * fl["profit"], self.profit_avg)
        self.sector_profit_avg = (1 - memory) * self.sector_profit_avg + memory * float(fl["profit"].sum())
        self.sector_assets_avg = (1 - memory) * self.sector_assets_avg + memory * float(
            self.fixed_assets[self.active].sum()
        )
        if not self.mech.entry_exit:
            return
        leaving = self.active & (self.cash < -self.credit_limit)
        leaving |= self._scheduled_failures()
        if leaving.any():
            self._exit(leaving)
        self._enter()

    def _scheduled_failures(self) -> np.ndarray:
        out = np.zeros(self.n_firms, dtype=bool)
        for sh in self.scenario_params.shocks:
            if sh.kind == "firm_failure" and sh.week == self.steps:
                pool = self.active & (self.member if sh.firm == "largest_member" else True)
                if pool.any():
                    out[int(np.argmax(np.where(pool, self.capacity.sum(axis=1), -np.inf)))] = True
        return out

    def _exit(self, leaving: np.ndarray) -> None:
        idx = np.flatnonzero(leaving)
        self.exits_last = idx.size
        self.lost = self.lost + self.backlog * leaving
        self.backlog = np.where(leaving, 0.0, self.backlog)
        self.active = self.active & ~leaving
        if self.buyer.size:
            self.edge_alive = self.edge_alive & self.active[self.buyer] & self.active[self.seller]
        for i in idx:  # only the few firms that exit this week
            self.firms[i].remove()
            self.firms[i] = None

    def _enter(self) -> None:
        """Entrants fill free slots at a rate that rises with the sector's recent return on assets."""
        e = self.scenario_params.entry
        roa = WEEKS_PER_YEAR * self.sector_profit_avg / self.sector_assets_avg if self.sector_assets_avg > 0 else 0.0
        free = np.flatnonzero(~self.born)
        excess = min(max(0.0, roa - e.hurdle_roa), 1e6) if math.isfinite(roa) else 0.0
        rate = e.rate * float(self.active.sum()) * excess / e.reference_roa
        count = int(self._entry_rng.poisson(min(rate, float(free.size))))  # one draw every week
        idx = free[: min(count, free.size)]
        if idx.size == 0:
            return
        p = self.scenario_params
        self.entries_last = idx.size
        self.active[idx] = True
        self.born[idx] = True
        fixed = self._weekly_fixed_cost()[idx]
        equity = p.entry.cash_weeks * fixed
        self.cash[idx] = equity
        self.fixed_assets[idx] = self.capacity[idx] @ self.capital_rate
        self.flows["equity_in"][idx] += equity
        self.flows["assets_in"][idx] += self.fixed_assets[idx]
        self.flows["cash_change"][idx] += equity
        self.record[idx] = 1.0
        for i in idx:  # only this week's entrants
            self.firms[i] = Firm(self, int(i))
        if self.mech.sharing:
            new_members = idx[self.member[idx]]
            if new_members.size:
                self._link_entrants(new_members)

    def _link_entrants(self, new: np.ndarray) -> None:
        others = np.flatnonzero(self.member & self.active)
        if others.size < 2:
            return
        k = min(self.scenario_params.sharing.partners, others.size - 1)
        picks = others[self._net_rng.integers(0, others.size, size=(new.size, k))]
        a = np.repeat(new, k)
        b = picks.ravel()
        keep = a != b
        pairs = np.unique(np.column_stack((np.minimum(a, b), np.maximum(a, b)))[keep], axis=0)
        self._add_links(pairs)

    def adjacent_phase(self) -> None:
        """Local suppliers' sales from this week's purchases; new suppliers when sales pass their peak (M5)."""
        p = self.scenario_params
        fl = self.flows
        local = np.where(self.member & self.mech.adjacent, p.adjacent.member_local_share, p.adjacent.local_share)
        purchases = fl["variable_cost"] + fl["fixed_cost"] + fl["transport"] + fl["investment"]
        self.adjacent_revenue = float((local * purchases).sum())
        suppliers = self.adjacent_revenue / p.adjacent.revenue_per_firm
        peak = self.adjacent_peak_firms
        self.adjacent_entries = 0 if math.isnan(peak) else max(0, math.floor(suppliers) - math.floor(peak))
        self.adjacent_peak_firms = suppliers if math.isnan(peak) else max(peak, suppliers)

    def _coordination_rate(self) -> np.ndarray:
        """Coordination cost per unit on each edge: lowest at full trust, cost_ratio times at none."""
        p = self.scenario_params
        return p.district.coordination_cost * (1.0 + (p.trust.cost_ratio - 1.0) * (1.0 - self.trust))
