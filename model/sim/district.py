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
from .metrics import BASE_METRICS, metrics_of
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
        params: the validated scenario of one regime (``model.load_experiment(...).regimes[name]``;
            named ``params`` because Mesa 3.5 reserves ``scenario=`` for its own object).
        replication: replication number; with the root seed it fixes every random stream.
        rng: Mesa's convention for the seed: an integer replaces the scenario's root ``seed``; a
            ``numpy.random.Generator`` gives one by drawing an integer from it; None (the default)
            keeps the file's seed, so a run is reproducible unless asked otherwise.
        panel: also record each week's profit, membership and activity per firm slot.

    The state is ``self.world`` (a ``World``); ``self.firms[i]`` is the agent of slot ``i`` (None
    while the slot is not trading); ``self.history`` the (steps, metrics) record; ``self.week`` the
    last week's row of it by name (``reporters()`` gives ``mesa.DataCollector`` reporters of it);
    with ``panel=True``, ``self.panel`` records each week's profit, membership and activity per
    slot. ``running`` turns False at the scenario's horizon, so ``run_model()`` ends there.
    """

    def __init__(
        self,
        params: Scenario,
        replication: int = 0,
        *,
        rng: int | np.integer | np.random.Generator | None = None,
        panel: bool = False,
    ) -> None:
        if not isinstance(params, Scenario):
            raise TypeError(
                f"params must be a validated Scenario (model.load_experiment(...).regimes[...]), not "
                f"{type(params).__name__}; to build the model from keyword parameters, use model.api.PilotModel"
            )
        if rng is not None:
            params = params.model_copy(update={"seed": seed_from(rng)})
        self.rngs = streams(params.seed, replication)
        super().__init__(rng=self.rngs["mesa"])
        self.params = params
        self.replication = replication
        self.world = initial_world(params, [self.rngs])  # a batch of one run
        self.stage_names = params.stage_names
        self.metrics = metrics_of(params)
        self.metric_names = tuple(m.name for m in self.metrics)
        # agents: one Firm per active slot (entrants get theirs when they enter)
        active = self.world.active
        self.firms: list[Firm | None] = [Firm(self, i) if active[i] else None for i in range(self.world.n_firms)]
        self.history = np.full((params.steps, len(self.metrics)), np.nan)
        # with panel=True: each week's profit, membership and activity of every slot (the evaluator's view)
        n, t = self.world.n_firms, params.steps
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
        if self.steps >= self.params.steps:
            self.running = False  # the horizon: Mesa's run_model() stops here

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
        for _ in range(self.params.steps):
            self.step()
        return self.history

    @property
    def week(self) -> dict[str, float]:
        """The last week's metrics by name (empty before the first step)."""
        if not self.steps:
            return {}
        return dict(zip(self.metric_names, self.history[self.steps - 1].tolist(), strict=True))

    @staticmethod
    def reporters(names: Sequence[str] | None = None) -> dict[str, Callable]:
        """``mesa.DataCollector`` model reporters for metrics (default: the base metrics):
        ``DataCollector(model_reporters=DistrictModel.reporters(["profit"]))``."""
        return {name: _reporter(name) for name in (names or [m.name for m in BASE_METRICS])}


def _reporter(name: str) -> Callable[[DistrictModel], float]:
    def read(model: DistrictModel) -> float:
        if not model.steps or name not in model.metric_names:
            return float("nan")
        return float(model.history[model.steps - 1, model.metric_names.index(name)])

    read.__name__ = f"week_{name}"
    return read


def seed_from(rng: int | np.integer | np.random.Generator) -> int:
    """A root seed from Mesa's ``rng`` argument: the integer itself, or one drawn from a Generator."""
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(0, 2**63 - 1))
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool) and rng >= 0:
        return int(rng)
    raise TypeError(f"rng must be a non-negative integer or a numpy Generator, not {rng!r}")


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
