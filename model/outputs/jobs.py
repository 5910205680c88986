"""What a design job leaves for people to read: the effect tables, break-even points, sensitivity
indices and Shapley parts as CSV files, their charts, the manifest and report.html.

Each writer returns what the command line prints, in the order it prints it. The job's own
machinery (the folder, the run store, resuming) is in ``model.cli.jobs``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..experiments.design import Design, paired_effects
from ..experiments.sensitivity import analyse, chance_pays, pays_sentence
from ..experiments.sweep import break_even, critical_mass, mechanisms_on, shapley
from ..scenario_io import Experiment, get_path, load_experiment
from ..sim.metrics import Metric
from .i18n import POINT_UNITS, label, unit
from .paths import MARKER, write_atomic, write_csv, write_marker
from .report import write_report


def _charts(out: Path) -> Path:
    folder = out / "charts"
    folder.mkdir(exist_ok=True)
    return folder


def scenario_value(design: Design, path: str) -> float | None:
    """The scenario's own value of a varied parameter (its file and --set, without the --vary),
    in the first regime that is not the baseline; None when it is not a number."""
    exp = load_experiment(design.source, list(design.base_sets))
    regime = next((r for r in exp.regimes if r != exp.baseline), exp.baseline)
    try:
        value = get_path(exp.regimes[regime].model_dump(mode="json"), path)
    except KeyError:
        return None
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def write_sweep(  # noqa: PLR0917 - one argument per part of the job
    out: Path,
    design: Design,
    values: dict,
    metrics: tuple[Metric, ...],
    outcomes: list[str],
    vary: list[str],
    lang: str,
    sustain_target: float = 0.8,
) -> list[str]:
    """sweep_effects.csv, break_even.csv (one varied parameter) and one chart per outcome; with firms
    that choose to join, critical_mass.csv; returns the break-even and critical-mass sentences."""
    from .charts import sweep_chart  # noqa: PLC0415 - imported while the runs went on (folder.import_charts)

    charts = _charts(out)
    names = [m.name for m in metrics]
    effects = paired_effects(design, values, names)
    write_csv(effects, out / "sweep_effects.csv")
    paths = [p for p, _ in (v.split("=", 1) for v in vary)]
    own = scenario_value(design, paths[0])
    rows, said = [], []
    for o in outcomes:
        m = metrics[names.index(o)]
        breaks = []
        if len(paths) == 1:
            for regime in effects["regime"].unique():
                be = break_even(effects, paths[0], o, regime)
                breaks.append(be)
                rows.append(be.__dict__)
                said.append(be.sentence)
        rate = m.unit in POINT_UNITS  # drawn in percentage points, as the report states rates
        sweep_chart(
            effects,
            paths,
            o,
            unit=unit("percentage points" if rate else m.unit, lang),
            scale=100.0 if rate else 1.0,
            label=label(m.name, m.label, lang),
            breaks=breaks,
            own=own,
            path=charts / f"sweep_{o}.png",
            lang=lang,
        )
    if rows:
        write_csv(pd.DataFrame(rows), out / "break_even.csv")
    if "sustained" in names and len(paths) == 1:
        masses = [critical_mass(effects, paths[0], r, sustain_target) for r in effects["regime"].unique()]
        said += [cm.sentence for cm in masses]
        write_csv(pd.DataFrame([cm.__dict__ for cm in masses]), out / "critical_mass.csv")
    return said


def write_sensitivity(  # noqa: PLR0917 - one argument per part of the job
    out: Path,
    design: Design,
    values: dict,
    metrics: tuple[Metric, ...],
    outcomes: list[str],
    sample: tuple[list, np.ndarray, str, int],
    base: Experiment,
    regime: str,
    lang: str,
) -> tuple[list[str], list[str]]:
    """sample_effects.csv, sensitivity_<outcome>.csv and charts; returns (lines to print, notes for stderr).

    ``sample`` is (factors, sample matrix, method, seed)."""
    from .charts import sensitivity_chart  # noqa: PLC0415 - imported while the runs went on (folder.import_charts)

    fs, x, method, seed = sample
    charts = _charts(out)
    names = [m.name for m in metrics]
    effects = paired_effects(design, values, names)
    write_csv(effects, out / "sample_effects.csv")
    said, notes, pays_rows = [], [], []
    for o in outcomes:
        m = metrics[names.index(o)]
        y = (
            effects[(effects["metric"] == o) & (effects["regime"] == regime)]
            .sort_values("point")["diff_mean"]
            .to_numpy(dtype=float)
        )
        if not np.isfinite(y).all():
            notes.append(f"sensitivity: some sample points give no value for {o}; they count as 0")
            y = np.nan_to_num(y)
        table = analyse(fs, method, x, y, seed)
        write_csv(table, out / f"sensitivity_{o}.csv")
        sensitivity_chart(
            table,
            method,
            label=label(m.name, m.label, lang),
            unit=unit(m.unit, lang),
            title=base.name,
            path=charts / f"sensitivity_{o}.png",
            lang=lang,
        )
        pays = chance_pays(effects, regime, o)
        pays_rows.append(pays)
        said.append(pays_sentence(pays, method))
        said.append(f"{m.label}: the ten parameters that move the '{regime}' effect most ({method}):")
        said.append(table.head(10).to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    write_csv(pd.DataFrame(pays_rows), out / "pays.csv")
    return said, notes


def write_attribution(  # noqa: PLR0917 - one argument per part of the job
    out: Path,
    design: Design,
    values: dict,
    metrics: tuple[Metric, ...],
    outcomes: list[str],
    base: Experiment,
    regime: str,
    orders: list,
    lang: str,
) -> list[str]:
    """attribution_<outcome>.csv (Shapley parts with intervals) and a waterfall chart each; returns the lines."""
    from .charts import waterfall_chart  # noqa: PLC0415 - imported while the runs went on (folder.import_charts)

    charts = _charts(out)
    names = [m.name for m in metrics]
    said = []
    for o in outcomes:
        m = metrics[names.index(o)]
        parts = shapley(design, values, names.index(o), on=mechanisms_on(base, regime), regime=regime, orders=orders)
        write_csv(parts, out / f"attribution_{o}.csv")
        rate = m.unit in POINT_UNITS  # drawn in percentage points, as the report states rates
        cols = ["effect", "ci_low", "ci_high"]
        drawn = parts.assign(**{c: parts[c] * (100.0 if rate else 1.0) for c in cols})
        waterfall_chart(
            drawn,
            label(m.name, m.label, lang),
            unit("percentage points" if rate else m.unit, lang),
            base.name,
            charts / f"attribution_{o}.png",
            lang,
        )
        said.append(f"{m.label} ({m.unit}), Shapley parts of the '{regime}' effect (95% CI):")
        said += [f"  {r.part:>15}: {r.effect:12.4g}  [{r.ci_low:.4g}, {r.ci_high:.4g}]" for r in parts.itertuples()]
    return said


def finish_job(out: Path, manifest: dict[str, Any], lang: str, kind: str) -> None:
    """The manifest, report.html and the marker (``paths.MARKER``), last: a job folder with a marker is complete."""
    (out / MARKER).unlink(missing_ok=True)  # a resumed job is complete again only once all is rewritten
    write_atomic(out / "manifest.json", json.dumps(manifest, indent=2, default=str))
    write_report(out, lang)
    write_marker(out, kind)
