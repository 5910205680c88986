"""district-sim: should small firms of a sector form an industrial district?

The simulation core is ``model.core`` (Mesa model, numpy state, no I/O). Scenario schema in
``model.params``; loading, running, statistics, output and charts in their own modules.
"""

from .core import DistrictModel, Firm
from .params import MECHANISMS, Scenario

__all__ = ["MECHANISMS", "DistrictModel", "Firm", "Scenario"]
__version__ = "0.1.0"
