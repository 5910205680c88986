"""The results folder: written under a temporary name and moved into place only when complete."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from importlib import import_module, metadata
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from ..experiments.results import Results
from ..experiments.selection import selection_table
from ..experiments.stats import effects_table, summary_table, timeseries_frame
from ..experiments.validation import Check, as_rows
from ..scenario_io import Experiment
from .paths import Destination, prepare_destination, staging
from .report import write_report
from .workbook import write_workbook

PACKAGES = ("mesa", "numpy", "pandas", "scipy", "pydantic", "pyarrow", "matplotlib", "pyyaml", "tqdm", "openpyxl")
PROJECT_ROOT = Path(__file__).resolve().parents[2]
SELECTION_WARNING = (
    "Members and non-members are compared inside the same runs (members_* and nonmember_* metrics, "
    "charts/members.png). Membership is drawn at random in this model, so the groups differ only by "
    "chance and by the district; in real districts firms choose to join, and a comparison of members "
    "with non-members then carries selection effects."
)


CHOICE_NOTE = (
    "Firms chose whether to join (district.membership: choice), so members and non-members differ before "
    "they join; selection.csv sets the naive member/non-member comparison and a difference-in-differences "
    "estimate beside the true effect on members, which only a simulation with a paired twin can observe."
)


def has_groups(exp: Experiment) -> bool:
    """True when some regime has both members and non-members (drawn, or by choice)."""
    return any(
        (0 < sc.district.membership_share < 1 or (sc.district.membership == "choice" and sc.district.membership_share))
        and sc.mechanisms.any_member_mechanism()
        for sc in exp.regimes.values()
    )


def review_weeks(exp: Experiment) -> int | None:
    """Weeks between capacity reviews where a regime's members sell or move capacity (M2, M3), else None.

    A review books equipment sold below book value in one week, so district profit dips then;
    charts mark these weeks. With several such regimes, the first one's period is used.
    """
    for sc in exp.regimes.values():
        m = sc.mechanisms
        if sc.district.membership_share > 0 and (m.asset_light or (m.specialization and m.sharing)):
            return sc.district.capacity_review_weeks
    return None


def import_charts() -> None:
    """Import the charts module (Matplotlib: about half a second) ahead of use.

    Commands pass this as ``meanwhile`` to their runs, so that with worker processes the import
    overlaps with the runs instead of following them.
    """
    import_module(".charts", __package__)


def manifest(argv: list[str], **fields: Any) -> dict[str, Any]:
    """A results folder's manifest.json: the command as typed first, then ``fields`` in the order given.

    One builder for every command (run, validate, compare and the design jobs), so every manifest
    starts the same way; the fields a command records are its own."""
    return {"command": ["simulate.py", *argv], **fields}


def versions() -> dict[str, str]:
    out = {"python": sys.version.split()[0]}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def git_commit() -> str | None:
    """The project's git commit (with '+dirty' when the tree has changes), if available."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=5, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{head}+dirty" if dirty else head


def write_results(  # noqa: PLR0917 - the folder, what ran, its results and how to write them
    out: Destination | Path,
    exp: Experiment,
    results: Results,
    manifest: dict[str, Any],
    lang: str = "en",
    extra: Callable[[Path], None] | None = None,
    *,
    weekly_csv: bool = False,
) -> Path:
    """Write every result file into a temporary folder, then move it into place (``paths.staging``;
    a plain path is checked as the command line checks ``--out``). ``extra(folder)``: a command's
    own files (such as an appraisal's table), written before the report; ``weekly_csv`` adds
    timeseries.csv (the weekly paths, also in timeseries.parquet)."""
    dest = prepare_destination(out, "run")
    with staging(dest) as tmp:
        with (tmp / "scenario.yaml").open("w", encoding="utf-8") as fh:
            fh.write(f"# Resolved scenario from {exp.source}; run it again to reproduce these results.\n")
            yaml.safe_dump(exp.resolved(), fh, sort_keys=False, allow_unicode=True)
        timeseries_frame(results).to_parquet(tmp / "timeseries.parquet", index=False)
        summary = summary_table(results)
        effects = effects_table(results)
        summary.to_csv(tmp / "summary.csv", index=False)
        effects.to_csv(tmp / "effects.csv", index=False)
        write_workbook(tmp / "results.xlsx", summary, effects, lang)
        if weekly_csv:  # on request: the weekly paths as CSV (timeseries.parquet has them always)
            timeseries_frame(results).to_csv(tmp / "timeseries.csv", index=False)
        from .charts import write_charts  # noqa: PLC0415 - imported while the runs went on (import_charts)

        choice = exp.base.district.membership == "choice"
        write_charts(
            results,
            effects,
            exp.name,
            tmp / "charts",
            groups=has_groups(exp),
            reviews=review_weeks(exp),
            lang=lang,
            choice=choice,
        )
        if results.panels is not None and len(results.regimes) > 1:
            tables = [selection_table(results, r) for r in results.regimes if r != results.baseline]
            pd.concat(tables).to_csv(tmp / "selection.csv", index=False)
        manifest = {
            **manifest,
            "metrics": {
                m.name: {"label": m.label, "unit": m.unit, "horizon_statistic": m.horizon, "doc": m.doc}
                for m in results.metrics
            },
            "notes": [CHOICE_NOTE if choice else SELECTION_WARNING] if has_groups(exp) or choice else [],
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
        if extra is not None:
            extra(tmp)
        write_report(tmp, lang)
    return dest.path


def write_validation(out: Destination | Path, checks: list[Check], manifest: dict[str, Any], lang: str = "en") -> Path:
    """The validation table (CSV), its chart, a manifest and report.html, moved into place when complete."""
    dest = prepare_destination(out, "validation")
    with staging(dest) as tmp:
        pd.DataFrame(as_rows(checks)).to_csv(tmp / "validation.csv", index=False)
        from .charts import validation_chart  # noqa: PLC0415 - see write_results

        validation_chart(checks, tmp / "validation.png")
        full = {
            **manifest,
            "versions": versions(),
            "git_commit": git_commit(),
            "passed": sum(c.result == "pass" for c in checks),
            "inconclusive": sum(c.result == "inconclusive" for c in checks),
            "failed": sum(not c.passed for c in checks),
        }
        (tmp / "manifest.json").write_text(json.dumps(full, indent=2, default=str), encoding="utf-8")
        write_report(tmp, lang)
    return dest.path
