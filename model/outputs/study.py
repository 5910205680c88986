"""The study's report: one self-contained page (English ``report.html``, Russian ``report_ru.html``)
built from the folders of its steps, the decision brief first.

Each step's own report stays in its subfolder; this page takes their sentences (which follow
their intervals), their charts, the validation's evidence checks and the plan that ran.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from . import report as rep
from .i18n import number, tr
from .paths import write_atomic


def _charts(folder: Path, names: tuple[str, ...] | None = None) -> str:
    charts = sorted((folder / "charts").glob("*.png"))
    if names is not None:
        charts = [c for c in charts if c.name in names]
    return "".join(rep._img(c, f"{folder.name}/charts/{c.name}") for c in charts)


def _brief_of(folder: Path, lang: str) -> str:
    """The first section of a step's own report (its "In brief"), as HTML."""
    sections = rep._design_sections(folder, lang)
    return sections[0][1]


def study_html(out: Path, lang: str = "en") -> str:
    man = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    run = out / "run"
    run_man = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    effects = pd.read_csv(run / "effects.csv")
    sections = []
    brief = rep._brief_html(run, run_man, effects, lang)
    if (out / "discover").exists():
        brief += _brief_of(out / "discover", lang)
    sections.append((tr("brief", lang), brief))
    sections.append((tr("study_run", lang), _charts(run, ("effects.png", "paired_difference.png"))))
    if (out / "screen").exists():
        sections.append((tr("study_screen", lang), _brief_of(out / "screen", lang) + _charts(out / "screen")))
    sweeps = sorted(p for p in out.glob("sweep-*") if p.is_dir())
    if sweeps:
        sections.append((tr("study_sweeps", lang), "".join(_brief_of(p, lang) + _charts(p) for p in sweeps)))
    if (out / "attribute").exists():
        sections.append((tr("study_attribute", lang), _brief_of(out / "attribute", lang) + _charts(out / "attribute")))
    if (out / "discover").exists():
        sections.append((tr("study_discover", lang), _charts(out / "discover")))
    if (out / "evidence.csv").exists():
        ev = pd.read_csv(out / "evidence.csv")
        rows = [
            [
                r.check,
                r.expected,
                f"{number(r.simulated, lang)} [{number(r.ci_low, lang)}, {number(r.ci_high, lang)}]",
                r.result,
            ]
            for r in ev.itertuples()
        ]
        head = tr("study_evidence_columns", lang).split("|")
        sections.append(
            (tr("study_evidence", lang), f"<p>{rep._esc(tr('study_evidence_note', lang))}</p>" + rep._table(head, rows))
        )
    plan_rows = [
        [s["name"], s["what"], " ".join(s["command"]), number(s["seconds"], lang)] for s in man.get("steps", [])
    ]
    plan = rep._table(tr("study_plan_columns", lang).split("|"), plan_rows)
    plan += f"<p>{rep._esc(tr('study_times', lang, estimated=number(man.get('estimated_seconds'), lang), wall=number(man.get('wall_seconds'), lang)))}</p>"  # noqa: E501
    sections.append((tr("study_plan", lang), plan))
    sections.append((tr("caveats", lang), f'<p class="caveat">{rep._esc(tr("model_caveat", lang))}</p>'))
    name = run_man.get("scenario_name", "")
    return rep._page(tr("study_title", lang, name=name), sections, lang)


def write_study_reports(out: Path) -> None:
    write_atomic(out / "report.html", study_html(out, "en"))
    write_atomic(out / "report_ru.html", study_html(out, "ru"))
