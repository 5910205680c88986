"""The district model: firms on a value chain, alone or as members of an industrial district.

``DistrictModel`` is a thin Mesa shell over a declared state: the run's ``World``
(``world.py``, docs/ODD.md section 2) is built by ``init.initial_world`` (section 5) and stepped
by ``SCHEDULE``, plain phase functions in the order of ODD section 3, one module per section 7
submodel. Firms are Mesa agents (``agents.Firm``), so ``model.agents`` and ``AgentSet`` queries
work; the model keeps one agent per active firm slot. This module does no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import mesa
import numpy as np

from . import accounting, adjacent, demand, entry_exit, learning, membership, production, reviews, sharing, trust
from .agents import Firm
from .init import initial_world
from .metrics import metrics_of
from .observe import observe
from .params import Scenario
from .rng import streams
from .world import World

SCHEDULE: tuple[tuple[str, Callable[[World], None]], ...] = (
    ("demand", demand.demand_phase),
    ("share", sharing.share_phase),
    ("produce", production.produce_phase),
    ("account", accounting.account_phase),
    ("learn", learning.learn_phase),
    ("trust", trust.trust_phase),
    ("adapt", reviews.adapt_phase),
    ("enter_exit", entry_exit.enter_exit_phase),
    ("adjacent", adjacent.adjacent_phase),
    ("membership", membership.membership_phase),
)
"""One week, in the order of docs/ODD.md section 3; then ``observe`` records the week."""


class DistrictModel(mesa.Model):
    """Firms of one sector over weekly steps, under one regime's resolved scenario.

    Args:
        scenario: the validated scenario of one regime.
        replication: replication number; with ``scenario.seed`` it fixes every random stream.

    The state is ``self.world`` (a ``World``); ``self.firms[i]`` is the agent of slot ``i`` (None
    while the slot is not trading); ``self.history`` the (steps, metrics) record; with
    ``panel=True``, ``self.panel`` records each week's profit, membership and activity per slot.
    """

    def __init__(self, scenario: Scenario, replication: int = 0, *, panel: bool = False) -> None:
        self.rngs = streams(scenario.seed, replication)
        super().__init__(rng=self.rngs["mesa"])
        self.scenario_params = scenario
        self.replication = replication
        self.world = initial_world(scenario, [self.rngs])  # a batch of one run
        self.stage_names = scenario.stage_names
        self.metrics = metrics_of(scenario)
        # agents: one Firm per active slot (entrants get theirs when they enter)
        active = self.world.active
        self.firms: list[Firm | None] = [Firm(self, i) if active[i] else None for i in range(self.world.n_firms)]
        self.history = np.full((scenario.steps, len(self.metrics)), np.nan)
        # with panel=True: each week's profit, membership and activity of every slot (the evaluator's view)
        n, t = self.world.n_firms, scenario.steps
        self.panel: dict[str, np.ndarray] | None = (
            {"profit": np.zeros((t, n)), "member": np.zeros((t, n), bool), "active": np.zeros((t, n), bool)}
            if panel
            else None
        )

    def step(self) -> None:
        """One week: the phases of ``SCHEDULE`` in order, the agents brought in line, the week recorded."""
        w = self.world
        w.steps = self.steps
        for _, phase in SCHEDULE:
            phase(w)
        self._sync_agents()
        if self.steps > self.history.shape[0]:  # stepped past the scenario's horizon by hand
            self.history = np.vstack((self.history, np.full_like(self.history, np.nan)))
        self.history[self.steps - 1] = observe(w)[0]
        if self.panel is not None and self.steps <= self.panel["profit"].shape[0]:
            t = self.steps - 1
            self.panel["profit"][t] = w.flows["profit"]
            self.panel["member"][t] = w.member & w.active
            self.panel["active"][t] = w.active

    def _sync_agents(self) -> None:
        """This week's exits lose their agents, then entrants get theirs, in ascending slot order."""
        w = self.world
        for i in w.exited:  # only the few firms that exit this week
            self.firms[i].remove()
            self.firms[i] = None
        for i in w.entered:  # only this week's entrants
            self.firms[i] = Firm(self, int(i))

    def run(self) -> np.ndarray:
        """Run the scenario's horizon; return the (steps, metrics) history."""
        for _ in range(self.scenario_params.steps):
            self.step()
        return self.history


def run_batch(
    scenario: Scenario, replications: Sequence[int], *, panel: bool = False
) -> tuple[np.ndarray, dict[str, np.ndarray] | None]:
    """Replications of one scenario advanced together in one World (``world.py``): every phase's
    NumPy calls cover all of them. Each run draws from its own streams, so its numbers are those of
    ``DistrictModel(scenario, replication).run()``, bit for bit, in any batch.

    Returns the (B, steps, metrics) histories and, with ``panel=True``, each week's profit,
    membership and activity per run and slot ((B, steps, slots) arrays).
    """
    w = initial_world(scenario, [streams(scenario.seed, r) for r in replications])
    t, b, n = scenario.steps, w.n_runs, w.n_slots
    history = np.empty((t, b, len(metrics_of(scenario))))
    panels = (
        {"profit": np.zeros((t, b, n)), "member": np.zeros((t, b, n), bool), "active": np.zeros((t, b, n), bool)}
        if panel
        else None
    )
    for week in range(t):
        w.steps = week + 1
        for _, phase in SCHEDULE:
            phase(w)
        history[week] = observe(w)
        if panels is not None:
            panels["profit"][week] = w.runs(w.flows["profit"])
            panels["member"][week] = w.runs(w.member & w.active)
            panels["active"][week] = w.runs(w.active)
    out = None if panels is None else {k: v.transpose(1, 0, 2) for k, v in panels.items()}
    return history.transpose(1, 0, 2), out
