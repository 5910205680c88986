"""district-sim: should small firms of a sector form an industrial district?

The simulation core is ``model.core`` (Mesa model, numpy state, no I/O). Scenario schema in
``model.params``; loading, running, statistics, output and charts in their own modules.
Names are imported lazily so that the command line can refuse bad input without importing
Mesa (which takes over a second).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"
__all__ = ["MECHANISMS", "DistrictModel", "Firm", "Scenario", "load_experiment", "run_experiment"]
_WHERE = {
    "DistrictModel": "core",
    "Firm": "core",
    "MECHANISMS": "params",
    "Scenario": "params",
    "load_experiment": "scenario_io",
    "run_experiment": "experiment",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module 'model' has no attribute {name!r}")
