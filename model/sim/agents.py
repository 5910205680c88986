"""Firms as Mesa agents: each a handle on one row of the run's World.

Attributes read through to the World's arrays, so an ``AgentSet`` query such as
``model.agents.select(lambda f: f.member)`` sees the current state.
"""

from __future__ import annotations

import mesa
import numpy as np


class Firm(mesa.Agent):
    """One firm: a handle on row ``index`` of the World (``model.world``)."""

    def __init__(self, model: mesa.Model, index: int) -> None:
        """``model`` is the ``DistrictModel`` whose ``world`` holds the firm's row."""
        super().__init__(model)
        self.world = model.world
        self.index = index

    @property
    def employees(self) -> float:
        return float(self.world.employees[self.index])

    @property
    def member(self) -> bool:
        return bool(self.world.member[self.index])

    @property
    def active(self) -> bool:
        return bool(self.world.active[self.index])

    @property
    def cash(self) -> float:
        return float(self.world.cash[self.index])

    @property
    def fixed_assets(self) -> float:
        return float(self.world.fixed_assets[self.index])

    @property
    def capacity(self) -> dict[str, float]:
        """Units per week at each stage."""
        row = self.world.capacity[self.index]
        return dict(zip(self.world.stage_names, row.tolist(), strict=True))

    @property
    def unit_cost(self) -> dict[str, float]:
        """Variable cost per unit at each stage (falls with experience and know-how)."""
        row = self.world.var_cost[self.index]
        return dict(zip(self.world.stage_names, row.tolist(), strict=True))

    @property
    def bottleneck(self) -> str:
        """The stage that limits the firm's own output."""
        return self.world.stage_names[int(np.argmin(self.world.capacity[self.index]))]

    @property
    def profit(self) -> float:
        """Profit of the last week."""
        return float(self.world.flows["profit"][self.index])
