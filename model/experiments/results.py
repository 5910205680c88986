"""The histories of an experiment's runs, ``data[regime, replication, step, metric]``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..sim.metrics import Metric


@dataclass(frozen=True)
class Results:
    """Histories of all runs: ``data[regime, replication, step, metric]``.

    ``panels``: with firms that choose to join (``district.membership: choice``), each run's firm
    panel, ``{(regime index, replication): {"profit", "member", "active": (steps, firm slots)}}``,
    for the evaluator's view (``selection.py``); None otherwise.
    """

    regimes: tuple[str, ...]
    baseline: str
    data: np.ndarray
    metrics: tuple[Metric, ...]
    panels: dict[tuple[int, int], dict[str, np.ndarray]] | None = None

    def index(self, name: str) -> int:
        """Position of a metric in the last axis of ``data``."""
        return next(i for i, m in enumerate(self.metrics) if m.name == name)

    def extend(self, more: Results) -> Results:
        """These runs followed by more replications of the same regimes."""
        panels = None
        if self.panels is not None and more.panels is not None:
            shift = self.replications
            panels = {**self.panels, **{(r, rep + shift): v for (r, rep), v in more.panels.items()}}
        data = np.concatenate((self.data, more.data), axis=1)
        return Results(self.regimes, self.baseline, data, self.metrics, panels)

    @property
    def replications(self) -> int:
        return self.data.shape[1]

    @property
    def steps(self) -> int:
        return self.data.shape[2]
