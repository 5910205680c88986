"""Plain names of parameters for people: what a key path means, in its unit and plausible range.

A chart axis or a table row that shows ``district.coordination_cost`` alone asks the reader to know
the schema; these helpers put a short plain name and the unit beside the path, from the same
documentation the schema carries (``model.sim.params.parameter_table``).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from ..sim.params import parameter_table


@cache
def _table() -> dict[str, dict[str, Any]]:
    return {row["path"]: row for row in parameter_table()}


def _schema_path(path: str) -> str:
    """``stages.sawing.defect_rate`` -> ``stages[].defect_rate``; ``programme.instruments.NAME.share``
    is looked up under each instrument kind that has the field."""
    parts = path.split(".")
    if parts[0] == "stages" and len(parts) == 3:
        return f"stages[].{parts[2]}"
    return path


def parameter_info(path: str) -> dict[str, Any] | None:
    """The documented row of a key path (unit, plausible range, source, doc), or None."""
    table = _table()
    key = _schema_path(path)
    if key in table:
        return table[key]
    if path.startswith("programme.instruments.") and path.count(".") == 3:
        field = path.rsplit(".", 1)[1]
        return next(
            (row for p, row in table.items() if p.startswith("programme.instruments[") and p.endswith(f"].{field}")),
            None,
        )
    return None


def plain_name(path: str) -> str:
    """A short plain name from the parameter's documentation: its first clause, without the
    mechanism tag (``Cost of arranging one unit of partner work`` for district.coordination_cost)."""
    info = parameter_info(path)
    if info is None or not info["doc"]:
        return path
    text = re.sub(
        r"^(M\d(, M\d)*|choice|Normal model|Market model|Backlog mode|Random network|complete|\w+):\s+", "", info["doc"]
    )
    text = re.split(r"(?<=[a-z0-9)])[.;:](\s|$)| \(", text, maxsplit=1)[0].strip()
    return text[0].upper() + text[1:] if text else path


def axis_label(path: str) -> str:
    """``Cost of arranging one unit of partner work, kRUB per unit traded at full trust
    (district.coordination_cost)``: for chart axes."""
    info = parameter_info(path)
    if info is None:
        return path
    unit = info["unit"]
    shown = f", {unit}" if unit and unit != "-" else ""
    return f"{plain_name(path)}{shown} ({path})"


def plausible_text(path: str) -> str:
    info = parameter_info(path)
    if info is None or not info["plausible"]:
        return "—"
    lo, hi = info["plausible"]
    return f"{lo:g} to {hi:g}" if isinstance(lo, int | float) and isinstance(hi, int | float) else f"{lo} to {hi}"
