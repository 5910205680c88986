"""The histories of an experiment's runs, ``data[regime, replication, step, metric]``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..sim.metrics import Metric


@dataclass(frozen=True)
class Results:
    """Histories of all runs: ``data[regime, replication, step, metric]``."""

    regimes: tuple[str, ...]
    baseline: str
    data: np.ndarray
    metrics: tuple[Metric, ...]

    def index(self, name: str) -> int:
        """Position of a metric in the last axis of ``data``."""
        return next(i for i, m in enumerate(self.metrics) if m.name == name)

    def extend(self, more: Results) -> Results:
        """These runs followed by more replications of the same regimes."""
        return Results(self.regimes, self.baseline, np.concatenate((self.data, more.data), axis=1), self.metrics)

    @property
    def replications(self) -> int:
        return self.data.shape[1]

    @property
    def steps(self) -> int:
        return self.data.shape[2]
