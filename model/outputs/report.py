"""``report.html``: one self-contained page per results folder, and a comparison across folders.

The page is built from the files of a results folder (so a folder written earlier gets the same
report): what was run, the headline paired effects as a table and in sentences, the charts
(embedded as data URIs: the file opens without network access), the assumptions that differ
from the defaults, the mechanisms that were on and the caveats. Text comes from ``model.outputs.i18n``.
"""

from __future__ import annotations

import base64
import html
import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from ..errors import ScenarioError
from ..experiments.appraisal import PHRASES, benefit_sentence, lowest_cost_per_job
from ..experiments.selection import reading
from ..experiments.sweep import interval_reading
from ..sim.metrics import HEADLINE, metric_list
from ..sim.params import MECHANISMS, Scenario, parameter_table
from . import brief
from .i18n import APPRAISAL_RU, POINT_UNITS, amount, label, mechanism, number, regime_name, tr, unit
from .i18n import PHRASES as PHRASE_KEYS
from .names import axis_label, parameter_info, plain_name, plausible_text
from .paths import write_atomic

CSS = """
body{font-family:"DejaVu Sans",Arial,Helvetica,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;
color:#222;line-height:1.45}
h1{font-size:1.6em;border-bottom:2px solid #1f77b4;padding-bottom:.2em}h2{font-size:1.25em;margin-top:1.6em}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em;display:block;max-width:100%;overflow-x:auto}
th,td{border:1px solid #ccc;padding:.25em .6em;
text-align:left;vertical-align:top}td.n{text-align:right;white-space:nowrap}th{background:#f0f4f8}
img{max-width:100%;height:auto;border:1px solid #ddd;margin:.5em 0}figure{margin:0 0 1.2em 0}
figcaption{font-size:.9em;color:#555}.caveat{background:#fff8e1;border-left:4px solid #f0ad4e;padding:.4em .8em;
margin:.4em 0}p.sentence{margin:.3em 0}p.brief{font-size:1.08em;margin:.4em 0}
h3{font-size:1.1em}h4{font-size:1em;margin:.8em 0 .2em}small{color:#666}
"""


def _esc(x: object) -> str:
    return html.escape(str(x), quote=True)


def _img(path: Path, caption: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return (
        f'<figure><img alt="{_esc(caption)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{_esc(caption)}</figcaption></figure>"
    )


def _table(header: list[str], rows: list[list[str]], numeric: set[int] = frozenset()) -> str:  # type: ignore[assignment]
    head = "".join(f"<th>{_esc(h)}</th>" for h in header) if any(header) else ""
    body = "".join(
        "<tr>" + "".join(f"<td{' class=n' if i in numeric else ''}>{_esc(c)}</td>" for i, c in enumerate(r)) + "</tr>"
        for r in rows
    )
    thead = f"<thead><tr>{head}</tr></thead>" if head else ""
    return f"<table>{thead}<tbody>{body}</tbody></table>"


def _page(title: str, sections: list[tuple[str, str]], lang: str) -> str:
    parts = [f"<h1>{_esc(title)}</h1>"]
    for heading, content in sections:
        parts.append(f"<h2>{_esc(heading)}</h2>\n{content}")
    parts.append(f"<p><small>{_esc(tr('generated', lang))}</small></p>")
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{_esc(title)}</title>'
        f"<style>{CSS}</style></head><body>\n" + "\n".join(parts) + "\n</body></html>\n"
    )


# ---------------------------------------------------------------------------- effects
def _fmt_effect(row: pd.Series, lang: str) -> tuple[str, str, str, str]:
    """Baseline, difference, interval and relative change of one effects row, for people."""
    u = row["unit"]
    if u in POINT_UNITS:
        base = f"{number(100 * row['baseline_mean'], lang)}%"
        diff = f"{number(100 * row['diff_mean'], lang)} {unit('percentage points', lang)}"
        ci = f"{number(100 * row['ci_low'], lang)} … {number(100 * row['ci_high'], lang)}"
    else:
        base = amount(row["baseline_mean"], u, lang)
        diff = amount(row["diff_mean"], u, lang)
        ci = f"{number(row['ci_low'], lang)} … {number(row['ci_high'], lang)}"
    rel = row.get("rel_diff")
    rates = u in POINT_UNITS  # a rate's change is in points; "+17%" of a rate misleads
    rel_s = f"{number(100 * rel, lang, 3)}%" if rel is not None and math.isfinite(rel) and not rates else "—"
    return base, diff, ci, rel_s


def sentence(row: pd.Series, lang: str) -> str:
    """One plain-words sentence for an effects row, its numbers from the row itself."""
    lab = label(row["metric"], row["label"], lang)
    lab = lab[0].lower() + lab[1:] if lang == "en" else lab
    u = row["unit"]
    diff, lo, hi = float(row["diff_mean"]), float(row["ci_low"]), float(row["ci_high"])
    direction = tr("higher" if diff > 0 else "lower" if diff < 0 else "unchanged", lang)
    fields = {
        "regime": regime_name(row["regime"], lang),
        "label": lab,
        "baseline": regime_name(row["baseline"], lang),
        "direction": direction,
    }
    base = float(row["baseline_mean"])
    if diff == 0 and lo == 0 and hi == 0:
        return tr("sentence_same", lang, **fields)
    if u in POINT_UNITS:
        text = tr(
            "sentence_pts",
            lang,
            value=number(abs(100 * diff), lang, 3),
            low=number(100 * lo, lang, 3),
            high=number(100 * hi, lang, 3),
            **fields,
        )
    elif math.isfinite(base) and base != 0:
        scale = 100 / abs(base)
        text = tr(
            "sentence_rel",
            lang,
            value=number(abs(diff * scale), lang, 3),
            low=number(lo * scale, lang, 3),
            high=number(hi * scale, lang, 3),
            **fields,
        )
    else:
        text = tr(
            "sentence_abs",
            lang,
            amount=amount(diff, u, lang),
            low=number(lo, lang),
            high=number(hi, lang),
            **fields,
        )
    if lo <= 0 <= hi:
        text += tr("not_significant", lang)
    return text


def headline_rows(effects: pd.DataFrame) -> pd.DataFrame:
    rows = effects[effects["metric"].isin(HEADLINE)].copy()
    rows["order"] = rows["metric"].map(HEADLINE.index)
    return rows.sort_values(["regime", "order"]).drop(columns="order")


# ---------------------------------------------------------------------------- assumptions
def _get(obj: Any, path: str) -> Any:
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def assumptions(resolved: dict[str, Any]) -> list[dict[str, Any]]:
    """Every parameter of the resolved scenario that differs from its default, with unit, range, source."""
    data = {k: v for k, v in resolved.items() if k not in ("regimes", "baseline", "sensitivity")}
    sc = Scenario.model_validate(data)
    out = []
    for row in parameter_table():
        path = row["path"]
        if path.startswith("stages[]."):
            field = path.removeprefix("stages[].")
            for st in sc.stages:
                value = getattr(st, field)
                if value != row["default"]:
                    out.append({**row, "path": f"stages.{st.name}.{field}", "value": value})
            continue
        if path.startswith("programme.instruments["):  # one row per instrument of that kind
            kind, field = path.removeprefix("programme.instruments[").split("].", 1)
            for inst in sc.programme.instruments:
                if inst.kind == kind and getattr(inst, field) != row["default"]:
                    value = getattr(inst, field)
                    out.append({**row, "path": f"programme.instruments.{inst.name or kind}.{field}", "value": value})
            continue
        value = _get(sc, path)
        if value != row["default"]:
            out.append({**row, "value": value})
    return out


def _value(v: Any, lang: str) -> str:
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return str(v)
    if isinstance(v, int | float):
        return number(v, lang, 4)
    return str(v)


def _set_by(path: str, man: dict[str, Any], lang: str) -> str:
    """The command-line option that set a value (the last that covers its path), else the scenario
    file: a value the user changed is never presented as the pilot's, with the pilot's source."""
    for key, option in reversed(list((man.get("set_on_command_line") or {}).items())):
        if path == key or path.startswith(f"{key}."):
            return option
    return tr("from_file", lang)


def _mechanisms(resolved: dict[str, Any], man: dict[str, Any], lang: str) -> str:
    """Every mechanism, on or off in the regime compared, and where its switch was set (the file,
    a command-line option, or the schema's default: M1, M7 and M8 on, the rest off)."""
    known = man.get("mechanisms") or {}
    rows = []
    for m in MECHANISMS:
        state = known.get(m) or {"on": resolved.get("mechanisms", {}).get(m, False), "from": "scenario file"}
        origin = state["from"]
        where = (
            tr("from_file", lang)
            if origin == "scenario file"
            else tr("from_default", lang)
            if origin == "default"
            else origin
        )
        rows.append([mechanism(m, lang), tr("switch_on" if state["on"] else "switch_off", lang), where])
    if not any(r[1] == tr("switch_on", lang) for r in rows):
        rows.insert(0, [tr("no_mechanisms", lang), "", ""])
    return (
        _table(tr("switch_columns", lang).split("|"), rows)
        + f"<p><small>{_esc(tr('switch_defaults', lang))}</small></p>"
    )


# ---------------------------------------------------------------------------- pages
def _load_json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _resolved(folder: Path) -> dict[str, Any]:
    return yaml.safe_load((folder / "scenario.yaml").read_text(encoding="utf-8"))


def _run_sections(folder: Path, lang: str) -> list[tuple[str, str]]:
    man = _load_json(folder / "manifest.json")
    effects = pd.read_csv(folder / "effects.csv")
    resolved = _resolved(folder)
    run = [
        [tr("scenario", lang), man.get("scenario_name", "")],
        [tr("source_file", lang), man.get("scenario_source", "")],
        [tr("regimes", lang), ", ".join(regime_name(r, lang) for r in man.get("regimes", []))],
        [tr("replications", lang), number(man.get("replications"), lang)],
        [tr("weeks", lang), number(man.get("steps"), lang)],
        [tr("seed", lang), str(man.get("root_seed"))],
        [tr("version", lang), str(man.get("git_commit") or "—")],
        [tr("rerun", lang), tr("rerun_how", lang)],
        [tr("run_record", lang), tr("run_record_where", lang)],
    ]
    regimes = resolved.get("regimes") or {}
    for name, over in regimes.items():
        if over:
            run.append([f"{tr('regime', lang)} {name}", ", ".join(f"{k} = {v}" for k, v in over.items())])
    head = headline_rows(effects)
    table_rows = []
    for _, r in head.iterrows():
        base, diff, ci, rel = _fmt_effect(r, lang)
        table_rows.append([regime_name(r["regime"], lang), label(r["metric"], r["label"], lang), base, diff, ci, rel])
    effects_html = _table(
        [
            tr("regime", lang),
            tr("outcome", lang),
            tr("baseline_value", lang),
            tr("difference", lang),
            tr("ci95", lang),
            tr("relative", lang),
        ],
        table_rows,
        numeric={2, 3, 4, 5},
    )
    sentences = "".join(f'<p class="sentence">{_esc(sentence(r, lang))}</p>' for _, r in head.iterrows())
    charts = "".join(
        _img(p, f"charts/{p.name}")
        for p in sorted((folder / "charts").glob("*.png"))
        if p.name not in ("appraisal.png", "programme_path.png")
    )
    rows = assumptions(resolved)
    if rows:
        assumptions_html = _table(
            [
                tr("parameter", lang),
                tr("value", lang),
                tr("default", lang),
                tr("unit", lang),
                tr("plausible", lang),
                tr("set_by", lang),
                tr("source_default", lang),
                tr("what_it_is", lang),
            ],
            [
                [
                    r["path"],
                    _value(r["value"], lang),
                    _value(r["default"], lang),
                    r["unit"] or "",
                    "—"
                    if not r["plausible"]
                    else f"{_value(r['plausible'][0], lang)} … {_value(r['plausible'][1], lang)}",
                    _set_by(r["path"], man, lang),
                    r["source"] or "",
                    plain_name(r["path"]),
                ]
                for r in rows
            ],
            numeric={1, 2},
        )
    else:
        assumptions_html = f"<p>{_esc(tr('none_differ', lang))}</p>"
    caveats = [tr("model_caveat", lang)]
    choice = (resolved.get("district") or {}).get("membership") == "choice"
    if man.get("notes"):
        caveats.append(tr("selection_choice" if choice else "selection", lang))
    if man.get("replications", 0) < 10:
        caveats.append(tr("few_reps", lang, n=man.get("replications")))
    if man.get("precision"):
        caveats.append(tr("precision", lang, note=man["precision"]))
    sections = [
        (tr("brief", lang), _brief_html(folder, man, effects, lang)),
        (
            tr("headline_over", lang, horizon=brief.horizon_words(int(man.get("steps") or 0), lang)),
            effects_html + sentences,
        ),
        (tr("charts", lang), charts),
        (tr("assumptions", lang), assumptions_html),
        (tr("mechanisms", lang), _mechanisms(resolved, man, lang)),
        (tr("caveats", lang), "".join(f'<p class="caveat">{_esc(c)}</p>' for c in caveats)),
        (tr("run_details", lang), _table(["", ""], run)),
    ]
    if (folder / "selection.csv").exists():
        sections.insert(2, (tr("evaluator_view", lang), _selection_html(folder / "selection.csv", lang)))
    if (folder / "appraisal.csv").exists():  # what a policy maker reads first
        sections.insert(0, (tr("appraisal_section", lang), _appraisal_html(folder, lang)))
    return sections


def _brief_html(folder: Path, man: dict[str, Any], effects: pd.DataFrame, lang: str) -> str:
    """The decision brief: per regime, sentences that follow their intervals, the table per firm
    and per year beside the sector's totals, the profit effect year by year; then what drives it."""
    baseline = str(effects["baseline"].iloc[0]) if len(effects) else ""
    weeks = int(man.get("steps") or 0)
    ts_path = folder / "timeseries.parquet"
    ts = pd.read_parquet(ts_path) if ts_path.exists() else None
    parts = []
    for regime in dict.fromkeys(effects["regime"]):
        path = brief.effect_path(ts, regime, baseline) if ts is not None else None
        if len(effects["regime"].unique()) > 1:
            names = {"regime": regime_name(regime, lang), "baseline": regime_name(baseline, lang)}
            parts.append(f"<h3>{_esc(tr('vs', lang, **names))}</h3>")
        said = brief.sentences(effects, regime, weeks, path, lang)
        parts.append("".join(f'<p class="brief">{_esc(x)}</p>' for x in said))
        columns = tr("brief_columns", lang, regime=regime_name(regime, lang)).split("|")
        parts.append(f"<h4>{_esc(tr('brief_table', lang))}</h4>")
        parts.append(_table(columns, brief.table_rows(effects, regime, lang), numeric={2, 3, 4, 5, 6}))
        if path:
            rows = [
                [str(y.year), str(y.weeks), number(y.mean, lang), f"{number(y.low, lang)} … {number(y.high, lang)}"]
                for y in path
            ]
            parts.append(f"<h4>{_esc(tr('path_table', lang))}</h4>")
            parts.append(_table(tr("path_columns", lang).split("|"), rows, numeric={1, 2, 3}))
    source = man.get("scenario_source") or "SCENARIO.yaml"
    parts.append(f"<p>{_esc(tr('drivers', lang, scenario=source))}</p>")
    return "".join(parts)


def _appraisal_html(folder: Path, lang: str) -> str:
    """The programme appraisal: which regime buys a net job for least and whether the intervals
    allow the ranking, the table of measures with intervals, and its chart."""
    table = pd.read_csv(folder / "appraisal.csv")
    table["note"] = table["note"].fillna("")

    def shown(v: float) -> str:
        return tr("unbounded_short", lang) if v == math.inf else _value(v, lang)

    rows = [
        [r.regime, r.measure, shown(r.mean), f"{shown(r.ci_low)} … {shown(r.ci_high)}", r.unit, r.note]
        for r in table.itertuples()
    ]
    charts = "".join(
        _img(folder / "charts" / name, f"charts/{name}")
        for name in ("appraisal.png", "programme_path.png")
        if (folder / "charts" / name).exists()
    )
    head = ["", tr("outcome", lang), tr("value", lang), "95% CI", tr("unit", lang), ""]
    phrases = APPRAISAL_RU if lang == "ru" else PHRASES
    sentences = (lowest_cost_per_job(table, phrases, lambda v: number(v, lang, 0)), benefit_sentence(table, phrases))
    said = "".join(f"<p><strong>{_esc(x)}</strong></p>" for x in sentences if x)
    return said + charts + _table(head, rows, numeric={2})


def _selection_html(path: Path, lang: str) -> str:
    """The evaluator's view: estimates beside the true effect, and what the intervals say."""
    table = pd.read_csv(path)
    rows = [
        [
            r.regime,
            tr(f"est_{r.estimate}", lang),
            number(r.mean, lang),
            f"{number(r.ci_low, lang)} … {number(r.ci_high, lang)}",
            unit(r.unit, lang),
        ]
        for r in table.itertuples()
    ]
    html = f"<p>{_esc(tr('evaluator_intro', lang))}</p>" + _table(
        [tr("regime", lang), tr("estimate", lang), tr("difference", lang), tr("ci95", lang), tr("unit", lang)],
        rows,
        numeric={2, 3},
    )
    for regime in dict.fromkeys(table["regime"]):
        part = table[table["regime"] == regime]
        html += "".join(f'<p class="sentence">{_esc(_verdict(part, k, lang))}</p>' for k in ("naive_bias", "did_bias"))
    return html


def _verdict(part: pd.DataFrame, estimate: str, lang: str) -> str:
    """One sentence on a bias row that follows its interval, not its point estimate."""
    row = part[part["estimate"] == estimate].iloc[0]
    what = tr("naive_what" if estimate == "naive_bias" else "did_what", lang)
    said = reading(row)
    if said == "none":
        return tr("bias_none", lang, what=what)
    span = tr(
        "bias_span",
        lang,
        mean=number(row["mean"], lang),
        low=number(row["ci_low"], lang),
        high=number(row["ci_high"], lang),
    )
    return tr(f"bias_{said}", lang, what=what, span=span)


EMBED_LIMIT = 2_000_000
"""Largest CSV (bytes) a report embeds as a download link; a larger one is named, not embedded."""


def _download(path: Path, lang: str) -> str:
    """A link that saves the CSV from inside the page (a data URI: the report stays one file)."""
    if path.stat().st_size > EMBED_LIMIT:
        return _esc(tr("csv_beside", lang, name=path.name))
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<a download="{_esc(path.name)}" href="data:text/csv;base64,{data}">{_esc(path.name)}</a>'


def _with_names(frame: pd.DataFrame) -> pd.DataFrame:
    """A table with a ``parameter`` column gets the parameter's plain name, unit and plausible range beside it."""
    if "parameter" not in frame.columns:
        return frame
    at = list(frame.columns).index("parameter") + 1
    info = [parameter_info(p) or {} for p in frame["parameter"]]
    frame = frame.copy()
    frame.insert(at, "unit", [i.get("unit") or "" for i in info])
    frame.insert(at, "what it is", [plain_name(p) for p in frame["parameter"]])
    frame.insert(at + 2, "plausible range", [plausible_text(p) for p in frame["parameter"]])
    return frame


def _frame_table(frame: pd.DataFrame, title: str, source: Path, lang: str, limit: int = 40) -> str:
    """A table built from a CSV (``source``, linked whole); a long one says how much of it is shown."""
    part = frame.head(limit)
    numeric = {i for i, c in enumerate(part.columns) if pd.api.types.is_numeric_dtype(part[c])}
    rows = [
        [_value(v, lang) if i in numeric else str(v) for i, v in enumerate(r)] for r in part.itertuples(index=False)
    ]
    header = [axis_label(c) if parameter_info(c) else c for c in part.columns]
    key = "rows_shown" if len(frame) > len(part) else "rows_all"
    note = tr(key, lang, shown=len(part), total=len(frame), link=_download(source, lang))
    return f"<h3>{_esc(title)}</h3><p><small>{note}</small></p>" + _table(header, rows, numeric)


def _csv_table(path: Path, lang: str, limit: int = 40) -> str:
    """A CSV as a table (``_frame_table``), parameters with their plain names."""
    return _frame_table(_with_names(pd.read_csv(path)), path.name, path, lang, limit)


def _unit_of(metric: str) -> str | None:
    return next((m.unit for m in metric_list((), choice=True, programme=True) if m.name == metric), None)


def _outcome(metric: str, lang: str) -> str:
    """A metric's label in lower case for a sentence (``profit`` -> ``profit``, ``roa`` -> ``return on assets``)."""
    english = next((m.label for m in metric_list((), choice=True, programme=True) if m.name == metric), metric)
    text = label(metric, english, lang)
    return text[0].lower() + text[1:] if text[1:2].islower() else text


def _span(lo: float, hi: float, lang: str) -> str:
    return tr("span", lang, low=number(lo, lang), high=number(hi, lang))


def _break_even_said(row: pd.Series, path: str, lang: str) -> str:
    """A break_even.csv row in words, following the intervals at each point."""
    parts = [
        tr(f"be_{k}", lang, where=row[k]) for k in ("above", "below", "unclear") if isinstance(row[k], str) and row[k]
    ]
    text = tr(
        "be_head",
        lang,
        outcome=_outcome(row["outcome"], lang),
        regime=regime_name(row["regime"], lang),
        path=path,
        parts="; ".join(parts),
    )
    if pd.notna(row["value"]):
        low = number(row["low"], lang) if pd.notna(row["low"]) else tr("beyond_range", lang)
        high = number(row["high"], lang) if pd.notna(row["high"]) else tr("beyond_range", lang)
        text += tr("be_cross", lang, path=path, value=number(row["value"], lang), low=low, high=high)
    elif isinstance(row["unclear"], str) and row["unclear"]:
        text += tr("be_maybe", lang)
    else:
        text += tr("be_none", lang)
    return text


def _pays_said(row: pd.Series, method: str, lang: str) -> str:
    """A pays.csv row in words: a share of sampled points (sensitivity), or of the plausible space
    with the two-level bootstrap's interval (discovery, whose rows say how the interval was made)."""
    pct = lambda v: number(100 * v, lang, 2)  # noqa: E731 - a local formatter
    key = "pays_space" if isinstance(row.get("interval"), str) else "pays_said"
    text = tr(
        key,
        lang,
        outcome=_outcome(row["outcome"], lang),
        regime=regime_name(row["regime"], lang),
        share=pct(row["share_positive"]),
        points=int(row["points"]),
        low=pct(row["ci_low"]),
        high=pct(row["ci_high"]),
        up=pct(row["share_clearly_above"]),
        down=pct(row["share_clearly_below"]),
    )
    return text + (tr("pays_morris", lang) if method == "morris" else "")


def _discover_parts(folder: Path, spec: dict[str, Any], man: dict[str, Any], lang: str) -> tuple[list[str], list[str]]:
    """A discovery job's sentence (the PRIM box in words) and its tables."""
    said = [_box_said(folder, spec.get("regime", "district"), man, lang)]
    tables = [
        _csv_table(folder / name, lang) for name in ("prim_box.csv", "cart_rules.csv") if (folder / name).exists()
    ]
    if (folder / "discover_points.csv").exists():
        tables.append(f"<p>{tr('points_link', lang, link=_download(folder / 'discover_points.csv', lang))}</p>")
    return said, tables


def _box_said(folder: Path, regime: str, man: dict[str, Any], lang: str) -> str:
    """The PRIM box of a discovery job in plain words, with its coverage and density."""
    outcome = _outcome((man.get("outcomes") or ["profit_per_firm"])[0], lang)
    path = folder / "prim_box.csv"
    if not path.exists():
        return tr("box_no_failure", lang, outcome=outcome, regime=regime_name(regime, lang))
    box = pd.read_csv(path)
    if box.empty or box["parameter"].isna().all():
        return tr("box_spread", lang, outcome=outcome)
    parts = []
    for r in box.itertuples():
        info = parameter_info(r.parameter) or {}
        unit_text = info.get("unit") if info.get("unit") not in (None, "", "-") else ""
        what = f"{plain_name(r.parameter).lower()} ({r.parameter})"
        low, high = number(r.low, lang), number(r.high, lang)
        parts.append(tr(f"box_{r.bound}", lang, what=what, low=low, high=high, unit=unit_text).rstrip())
    first = box.iloc[0]
    return tr(
        "box_said",
        lang,
        outcome=outcome,
        regime=regime_name(regime, lang),
        parts=tr("and", lang).join(parts),
        coverage=number(100 * first["coverage"], lang, 2),
        density=number(100 * first["density"], lang, 2),
    )


def _ranking_said(path: Path, method: str, lang: str) -> str:
    """Which parameters move the effect clearly (interval away from zero), and that the rest
    cannot be ranked."""
    table = pd.read_csv(path)
    outcome = _outcome(path.stem.removeprefix("sensitivity_"), lang)
    if method == "morris":
        clear = table[~table["within_noise"].astype(bool)]
    else:
        clear = table[table["ST_low"] > 0] if "ST_low" in table else table[table["ST"] - table["ST_conf"] > 0]
    names = [f"{plain_name(p)} ({p})" for p in clear["parameter"].head(5)]
    if not names:
        return tr("rank_none", lang, outcome=outcome)
    return tr("rank_clear", lang, outcome=outcome, names="; ".join(names), n=len(clear), total=len(table))


def _attribution_said(path: Path, lang: str) -> str:
    """The Shapley parts in words: which mechanisms clearly raise or lower the effect, and which
    cannot be told from no contribution; a rate's parts in percentage points."""
    metric = path.stem.removeprefix("attribution_")
    rate = _unit_of(metric) in POINT_UNITS
    parts = pd.read_csv(path)
    if rate:
        parts[["effect", "ci_low", "ci_high"]] *= 100.0
    suffix = f" {tr('points', lang)}" if rate else ""
    rows = parts[parts["part"] != "total"]
    total = parts[parts["part"] == "total"].iloc[0]
    words = {k: [] for k in ("up", "down", "unclear")}
    for r in rows.itertuples():
        part = f"{mechanism(r.part, lang)} {number(r.effect, lang)}{suffix}"
        words[brief.reading(r.ci_low, r.ci_high)].append(part)
    value = f"{number(total.effect, lang)}{suffix}"
    span = _span(total.ci_low, total.ci_high, lang)
    said = tr("attr_total", lang, outcome=_outcome(metric, lang), value=value, span=span)
    for key in ("up", "down", "unclear"):
        if words[key]:
            text = tr(f"attr_{key}", lang, names="; ".join(words[key]))
            said += " " + (text[:-1] if text.endswith("..") else text)  # "п. п.." at the end
    return said


def _design_sections(folder: Path, lang: str) -> list[tuple[str, str]]:
    """A sweep, sensitivity or attribution job: what it says first (in sentences that follow the
    intervals), how to read it, its charts and tables (parameters with plain names, units and
    ranges; long tables say how much is shown and link the whole CSV), caveats, run details."""
    man = _load_json(folder / "manifest.json")
    spec = man.get("spec", {})
    kind = spec.get("kind", "")
    weeks = man.get("steps")
    said = []
    if weeks:
        said.append(
            tr("job_horizon", lang, horizon=brief.horizon_words(int(weeks), lang), reps=man.get("replications"))
        )
    tables = []
    if (folder / "break_even.csv").exists():
        path = spec.get("vary", ["?="])[0].split("=", 1)[0]
        said += [_break_even_said(r, path, lang) for _, r in pd.read_csv(folder / "break_even.csv").iterrows()]
        tables.append(_csv_table(folder / "break_even.csv", lang))
    if (folder / "critical_mass.csv").exists():
        tables.append(_csv_table(folder / "critical_mass.csv", lang))
    if (folder / "pays.csv").exists():
        method = spec.get("method", "")
        said += [_pays_said(r, method, lang) for _, r in pd.read_csv(folder / "pays.csv").iterrows()]
        tables.append(_csv_table(folder / "pays.csv", lang))
    if kind == "discover":
        more_said, more_tables = _discover_parts(folder, spec, man, lang)
        said += more_said
        tables += more_tables
    for p in sorted(folder.glob("sensitivity_*.csv")):
        said.append(_ranking_said(p, spec.get("method", ""), lang))
        tables.append(_csv_table(p, lang, limit=20))
    for p in sorted(folder.glob("attribution_*.csv")):
        said.append(_attribution_said(p, lang))
        tables.append(_csv_table(p, lang))
    if (folder / "sweep_effects.csv").exists():
        effects = pd.read_csv(folder / "sweep_effects.csv")
        outcomes = man.get("outcomes") or list(dict.fromkeys(effects["metric"]))
        shown = effects[effects["metric"].isin(outcomes)].drop(columns=["n", "rel_diff"], errors="ignore")
        shown = shown.assign(reading=interval_reading(shown["ci_low"].to_numpy(), shown["ci_high"].to_numpy()))
        title = tr("sweep_table", lang, outcomes=", ".join(outcomes))
        tables.append(_frame_table(shown, title, folder / "sweep_effects.csv", lang))
    if (folder / "sample_effects.csv").exists():
        tables.append(f"<p>{tr('sample_link', lang, link=_download(folder / 'sample_effects.csv', lang))}</p>")
    run = [
        [tr("design_kind", lang), kind],
        [tr("source_file", lang), spec.get("scenario", "")],
        [tr("runs", lang), number(man.get("runs"), lang)],
        [tr("version", lang), str(man.get("git_commit") or "—")],
        [tr("run_record", lang), tr("run_record_where", lang)],
    ]
    charts = "".join(_img(p, f"charts/{p.name}") for p in sorted((folder / "charts").glob("*.png")))
    read_key = f"read_{kind}_{spec.get('method')}" if kind == "sensitivity" else f"read_{kind}"
    return [
        (tr("brief", lang), "".join(f'<p class="brief">{_esc(x)}</p>' for x in said)),
        (tr("how_to_read", lang), f"<p>{_esc(tr(read_key, lang))}</p>" if read_key in PHRASE_KEYS else ""),
        (tr("charts", lang), charts),
        (tr("tables", lang), "".join(tables)),
        (tr("caveats", lang), f'<p class="caveat">{_esc(tr("model_caveat", lang))}</p>'),
        (tr("run_details", lang), _table(["", ""], run)),
    ]


def _check_result(row: Any) -> str:
    """The phrase key of a validation row's result (a table written before ``result`` existed has ``passed``)."""
    result = str(getattr(row, "result", "") or ("pass" if str(row.passed) == "True" else "FAIL"))
    return {"pass": "check_pass", "inconclusive": "check_inconclusive"}.get(result, "check_fail")


def _interval_text(value: float, lo: float, hi: float, lang: str) -> str:
    """``0.0236 [0.0231, 0.0241]``, or ``0 in every replication`` when the interval has no width
    (all replications gave the same value: no spread to show, not certainty)."""
    if lo == hi == value:
        return tr("every_replication", lang, value=_value(value, lang))
    return f"{_value(value, lang)} [{_value(lo, lang)}, {_value(hi, lang)}]"


def _validation_sections(folder: Path, lang: str) -> list[tuple[str, str]]:
    man = _load_json(folder / "manifest.json")
    frame = pd.read_csv(folder / "validation.csv", keep_default_na=False)
    run = [
        [tr("validation_size", lang), tr("validation_quick" if man.get("quick") else "validation_full", lang)],
        [
            tr("validation_result", lang),
            tr(
                "validation_counts",
                lang,
                passed=man.get("passed", "?"),
                inconclusive=man.get("inconclusive", 0),
                failed=man.get("failed", "?"),
            ),
        ],
        [tr("version", lang), str(man.get("git_commit") or "—")],
        [tr("run_record", lang), tr("run_record_where", lang)],
    ]
    checks = [
        [
            str(r.group),
            str(r.check),
            str(r.expected),
            _interval_text(r.simulated, r.ci_low, r.ci_high, lang),
            str(r.tolerance),
            tr(_check_result(r), lang),
        ]
        for r in frame.itertuples(index=False)
    ]
    first = frame.drop_duplicates("group")
    groups = [[str(r.group), str(r.shows), str(r.source)] for r in first.itertuples(index=False)]
    chart = folder / "validation.png"
    counts = tr(
        "validation_counts",
        lang,
        passed=man.get("passed", "?"),
        inconclusive=man.get("inconclusive", 0),
        failed=man.get("failed", "?"),
    )
    return [
        (tr("brief", lang), f'<p class="brief">{_esc(counts)}.</p><p>{_esc(tr("read_validation", lang))}</p>'),
        (tr("checks", lang), _table(tr("check_columns", lang).split("|"), checks, {3})),
        (tr("groups", lang), _table(tr("group_columns", lang).split("|"), groups)),
        (tr("charts", lang), _img(chart, chart.name) if chart.exists() else ""),
        (tr("caveats", lang), f'<p class="caveat">{_esc(tr("validation_caveat", lang))}</p>'),
        (tr("run_details", lang), _table(["", ""], run)),
    ]


def report_html(folder: Path, lang: str = "en") -> str:
    """The report page of a results folder (run, sweep, sensitivity, attribution or validation)."""
    if (folder / "validation.csv").exists():
        return _page(tr("validation_title", lang), _validation_sections(folder, lang), lang)
    if (folder / "effects.csv").exists():
        name = _load_json(folder / "manifest.json").get("scenario_name", "")
        return _page(f"{tr('report_title', lang)}: {name}", _run_sections(folder, lang), lang)
    if (folder / "design.json").exists():
        spec = _load_json(folder / "manifest.json").get("spec", {})
        name = f"{spec.get('kind', '')} {Path(spec.get('scenario', '')).stem}"
        return _page(f"{tr('report_title', lang)}: {name}", _design_sections(folder, lang), lang)
    raise ScenarioError(f"{folder}: not a results folder of district-sim (no effects.csv or design.json)")


def write_report(folder: Path, lang: str = "en") -> Path:
    path = folder / "report.html"
    write_atomic(path, report_html(folder, lang))
    return path


# ---------------------------------------------------------------------------- comparison
def load_run(folder: Path) -> tuple[str, pd.DataFrame]:
    """Name and effects of a run's results folder, or a one-line refusal."""
    if not folder.is_dir():
        raise ScenarioError(f"{folder}: not a folder")
    if not (folder / "manifest.json").exists() or not (folder / "effects.csv").exists():
        raise ScenarioError(f"{folder}: not the results folder of a run (needs manifest.json and effects.csv)")
    try:
        man = _load_json(folder / "manifest.json")
        effects = pd.read_csv(folder / "effects.csv")
    except (OSError, ValueError) as exc:
        raise ScenarioError(f"{folder}: its results cannot be read ({exc})") from None
    needed = {"regime", "metric", "label", "unit", "diff_mean", "ci_low", "ci_high", "rel_diff", "baseline_mean"}
    if not needed <= set(effects.columns):
        raise ScenarioError(f"{folder}/effects.csv: missing columns {', '.join(sorted(needed - set(effects.columns)))}")
    effects = effects.assign(weeks=man.get("steps"), replications=man.get("replications"))
    return str(man.get("scenario_name") or folder.name), effects


def mixed_sizes(runs: list[tuple[str, Path, pd.DataFrame]]) -> str | None:
    """A one-line description of runs that differ in horizon or replications, else None: their
    effects are not comparable side by side (a two-year effect is not a five-year one)."""
    sizes = {(str(f), e["weeks"].iloc[0], e["replications"].iloc[0]) for _, f, e in runs if len(e)}
    if len({(w, r) for _, w, r in sizes}) <= 1:
        return None
    return "; ".join(f"{f}: {w} weeks x {r} replications" for f, w, r in sorted(sizes))


def comparison_table(runs: list[tuple[str, Path, pd.DataFrame]]) -> pd.DataFrame:
    """Headline effects of each run side by side (one row per run, regime and metric), with each
    run's horizon (weeks) and replications."""
    regimes = [set(e["regime"]) for _, _, e in runs]
    common = set.intersection(*regimes)
    if not common:
        raise ScenarioError("these runs share no non-baseline regime; they cannot be compared")
    metrics = set.intersection(*[set(e["metric"]) for _, _, e in runs]) & set(HEADLINE)
    if not metrics:
        raise ScenarioError("these runs share no headline outcome; they cannot be compared")
    frames = []
    for name, folder, e in runs:
        sub = e[e["regime"].isin(common) & e["metric"].isin(metrics)].copy()
        sub.insert(0, "run", name)
        sub.insert(1, "folder", str(folder))
        frames.append(sub)
    out = pd.concat(frames, ignore_index=True)
    out["order"] = out["metric"].map(HEADLINE.index)
    return out.sort_values(["order", "regime", "run"]).drop(columns="order").reset_index(drop=True)


def compare_html(table: pd.DataFrame, charts: list[Path], lang: str = "en", mixed: str | None = None) -> str:
    runs = table[["run", "folder", "weeks", "replications"]].drop_duplicates()
    listing = _table(
        [tr("scenario", lang), tr("folder", lang), tr("weeks", lang), tr("replications", lang)],
        [[r.run, r.folder, number(r.weeks, lang), number(r.replications, lang)] for r in runs.itertuples()],
    )
    if mixed:
        listing = f'<p class="caveat"><strong>{_esc(tr("mixed_sizes", lang, runs=mixed))}</strong></p>' + listing
    rows = []
    for _, r in table.iterrows():
        base, diff, ci, rel = _fmt_effect(r, lang)
        rows.append(
            [label(r["metric"], r["label"], lang), r["run"], regime_name(r["regime"], lang), base, diff, ci, rel]
        )
    effects = _table(
        [
            tr("outcome", lang),
            tr("scenario", lang),
            tr("regime", lang),
            tr("baseline_value", lang),
            tr("difference", lang),
            tr("ci95", lang),
            tr("relative", lang),
        ],
        rows,
        numeric={3, 4, 5, 6},
    )
    said = []
    for run, part in table.groupby("run", sort=False):
        weeks = int(part["weeks"].iloc[0]) if pd.notna(part["weeks"].iloc[0]) else 0
        for regime in dict.fromkeys(part["regime"]):
            first = brief.sentences(part, regime, weeks, None, lang)[:1]
            said += [f"{run} — {x}" for x in first]
    sentences = "".join(f'<p class="brief">{_esc(x)}</p>' for x in said)
    return _page(
        tr("compare_title", lang),
        [
            (tr("brief", lang), sentences),
            (tr("compared_runs", lang), listing),
            (tr("compare_effects", lang), "".join(_img(c, f"charts/{c.name}") for c in charts) + effects),
            (tr("caveats", lang), f'<p class="caveat">{_esc(tr("model_caveat", lang))}</p>'),
        ],
        lang,
    )
