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
from ..experiments.discovery import cart_rules, chance_it_pays, prim_box, standard_error
from ..experiments.sensitivity import analyse, chance_pays, pays_sentence
from ..experiments.sweep import break_even, critical_mass, mechanisms_on, shapley
from ..scenario_io import Experiment, get_path, load_experiment
from ..sim.metrics import Metric
from .i18n import POINT_UNITS, label, unit
from .names import parameter_info, plain_name
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


def rule_sentence(box, outcome: str, regime: str) -> str:
    """The PRIM box in plain words: ``the district fails to pay when <plain name> (<path>) is above
    4.2 <unit> and ...: 71% of the failures, density 88%``."""
    if box is None:
        return (
            f"Discovery ({outcome}): the '{regime}' effect is above zero at every sampled point; no failure to explain."
        )
    if box.limits.empty:
        return (
            f"Discovery ({outcome}): PRIM finds no region that restricts any parameter significantly; failures "
            f"are spread over the space (the whole space holds them at density {100 * box.density:.0f}%)."
        )
    parts = []
    for r in box.limits.itertuples():
        info = parameter_info(r.parameter) or {}
        unit_text = info.get("unit") or ""
        unit_text = f" {unit_text}" if unit_text and unit_text != "-" else ""
        what = f"{plain_name(r.parameter).lower()} ({r.parameter})"
        if r.bound == "above":
            parts.append(f"{what} is above {r.low:.3g}{unit_text}")
        elif r.bound == "below":
            parts.append(f"{what} is below {r.high:.3g}{unit_text}")
        else:
            parts.append(f"{what} is between {r.low:.3g} and {r.high:.3g}{unit_text}")
    return (
        f"Discovery ({outcome}): the '{regime}' effect is at or below zero mainly when "
        + " and ".join(parts)
        + f": {100 * box.coverage:.0f}% of the failures (coverage), {100 * box.density:.0f}% of the points in "
        "that region fail (density)."
    )


def write_discovery(  # noqa: PLR0917 - one argument per part of the job
    out: Path,
    design: Design,
    values: dict,
    metrics: tuple[Metric, ...],
    outcomes: list[str],
    sample: tuple[list, np.ndarray, int],
    regime: str,
    density: float | None,
    lang: str,
) -> list[str]:
    """sample_effects.csv, discover_points.csv, pays.csv (the chance it pays, two-level bootstrap),
    prim_box.csv, prim_trajectory.csv, cart_rules.csv and the charts; returns the lines to print."""
    from .charts import discovery_charts  # noqa: PLC0415 - imported while the runs went on (folder.import_charts)

    fs, x, seed = sample
    names = [m.name for m in metrics]
    effects = paired_effects(design, values, names)
    write_csv(effects, out / "sample_effects.csv")
    said, pays_rows = [], []
    for o in outcomes:
        part = effects[(effects["metric"] == o) & (effects["regime"] == regime)].sort_values("point")
        row = chance_pays(effects, regime, o)  # shares clearly above and below, per point
        pays = chance_it_pays(part["diff_mean"].to_numpy(dtype=float), standard_error(part), seed)
        row.update(
            share_positive=pays["share"],
            ci_low=pays["ci_low"],
            ci_high=pays["ci_high"],
            share_of_means=pays["share_of_means"],
        )
        row["interval"] = "two-level bootstrap: points and each point's replication noise"
        pays_rows.append(row)
        said.append(pays_sentence(row, "discover"))
    write_csv(pd.DataFrame(pays_rows), out / "pays.csv")
    main = outcomes[0]
    part = effects[(effects["metric"] == main) & (effects["regime"] == regime)].sort_values("point")
    frame = pd.DataFrame(x, columns=[f.path for f in fs])
    mean = part["diff_mean"].to_numpy(dtype=float)
    fails = ~(mean > 0)  # at or below zero, or no value
    points = frame.assign(
        effect=mean, ci_low=part["ci_low"].to_numpy(), ci_high=part["ci_high"].to_numpy(), fails=fails
    )
    write_csv(points.reset_index(names="point"), out / "discover_points.csv")
    box = prim_box(frame, fails, density)
    cart = cart_rules(frame, fails, seed=seed)
    write_csv(cart, out / "cart_rules.csv")
    if box is not None:
        write_csv(box.trajectory.assign(chosen=lambda t: t["step"] == box.chosen), out / "prim_trajectory.csv")
        limits = box.limits.assign(coverage=box.coverage, density=box.density, mass=box.mass, outcome=main)
        write_csv(limits, out / "prim_box.csv")
    said.append(rule_sentence(box, main, regime))
    said += [f"CART: fails where {r.rule} ({r.points} points, density {100 * r.density:.0f}%, coverage "
             f"{100 * r.coverage:.0f}%)" for r in cart.itertuples()]  # fmt: skip
    discovery_charts(points, box, main, _charts(out), lang)
    return said
