"""district-sim: should small firms of a sector form an industrial district?

Layers, each a sub-package that imports only the ones below it (tests/test_architecture.py):
``model.cli`` (the command line) -> ``model.outputs`` (results folders, charts, report) ->
``model.experiments`` (many runs, designs, statistics) -> ``model.scenario_io`` (YAML to validated
scenarios) -> ``model.sim`` (one run: Mesa model, numpy state, no I/O); ``model.errors`` under all.
Names are imported lazily so that the command line can refuse bad input without importing
Mesa (which takes over a second).

Installed, the package is imported as ``district_sim`` (the source folder keeps the layout's name,
``model``); its Python face is ``model.api`` (README "From Python"): ``load``, ``run``,
``history_frame``, ``runs_frame``, ``summary_frame``, ``effects_frame``, ``district_effect`` and
``PilotModel``, the model built from keyword parameters for Mesa's tools.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"
__all__ = [
    "MECHANISMS",
    "DistrictModel",
    "Firm",
    "PilotModel",
    "Scenario",
    "district_effect",
    "effects_frame",
    "history_frame",
    "load",
    "load_experiment",
    "pilot_names",
    "run",
    "run_experiment",
    "runs_frame",
    "summary_frame",
]
_API = ("PilotModel", "district_effect", "effects_frame", "history_frame", "load", "run", "runs_frame", "summary_frame")
_WHERE = {
    **dict.fromkeys(_API, "api"),
    "pilot_names": "scenario_io",
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
