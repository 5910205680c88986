"""district-sim: should small firms of a sector form an industrial district?

Layers, each a sub-package that imports only the ones below it (tests/test_architecture.py):
``model.cli`` (the command line) -> ``model.outputs`` (results folders, charts, report) ->
``model.experiments`` (many runs, designs, statistics) -> ``model.scenario_io`` (YAML to validated
scenarios) -> ``model.sim`` (one run: Mesa model, numpy state, no I/O); ``model.errors`` under all.
Names are imported lazily so that the command line can refuse bad input without importing
Mesa (which takes over a second).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"
__all__ = ["MECHANISMS", "DistrictModel", "Firm", "Scenario", "load_experiment", "run_experiment"]
_WHERE = {
    "DistrictModel": "sim.district",
    "Firm": "sim.agents",
    "MECHANISMS": "sim.params",
    "Scenario": "sim.params",
    "load_experiment": "scenario_io",
    "run_experiment": "experiments.runner",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module 'model' has no attribute {name!r}")
