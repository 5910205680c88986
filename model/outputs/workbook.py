"""``results.xlsx``: a run's brief, effects and summary as one workbook (openpyxl).

A CSV opens in a Russian-locale Excel with its commas taken for decimal marks; a workbook holds
numbers as numbers and text as text in any locale. The sheets carry the same columns as the CSVs
(``summary.csv``, ``effects.csv``), plus the decision brief's table per firm and per year.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

import pandas as pd

from . import brief
from .i18n import label, regime_name, tr

FIXED_TIME = datetime(2000, 1, 1)
"""The date written into the workbook (document properties and zip entries) instead of today's."""


def _brief_frame(effects: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The brief's table per regime, as numbers (thousand roubles a year where money)."""
    rows = []
    for regime in dict.fromkeys(effects["regime"]):
        part = effects[effects["regime"] == regime].set_index("metric")
        for metric, kind in brief.BRIEF_ROWS:
            if metric not in part.index:
                continue
            r = brief.yearly(part.loc[metric].copy())
            rows.append(
                {
                    "regime": regime_name(regime, lang),
                    "metric": metric,
                    "label": label(metric, str(r["label"]), lang),
                    "figure": tr(f"kind_{kind}", lang),
                    "unit": r["unit"],
                    "standalone": r["baseline_mean"],
                    "regime_value": r["baseline_mean"] + r["diff_mean"],
                    "difference": r["diff_mean"],
                    "ci_low": r["ci_low"],
                    "ci_high": r["ci_high"],
                    "reading": brief.reading(r["ci_low"], r["ci_high"]),
                }
            )
    return pd.DataFrame(rows)


def write_workbook(path: Path, summary: pd.DataFrame, effects: pd.DataFrame, lang: str = "en") -> Path:
    """Write the workbook: sheets ``brief`` (if there are effects), ``effects`` and ``summary``,
    headers frozen, columns wide enough to read."""
    from openpyxl.utils import get_column_letter  # noqa: PLC0415 - only a run writes a workbook

    sheets = {"effects": effects, "summary": summary}
    if len(effects):
        sheets = {"brief": _brief_frame(effects, lang), **sheets}
    raw = io.BytesIO()
    with pd.ExcelWriter(raw, engine="openpyxl") as book:
        book.book.properties.created = book.book.properties.modified = FIXED_TIME
        for name, frame in sheets.items():
            frame.to_excel(book, sheet_name=name, index=False)
            sheet = book.sheets[name]
            sheet.freeze_panes = "A2"
            for i, col in enumerate(frame.columns, start=1):
                width = max([len(str(col)), *(len(str(v)) for v in frame[col].head(200))])
                sheet.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), 60)
    path.write_bytes(_fixed_dates(raw.getvalue()))
    return path


def _fixed_dates(data: bytes) -> bytes:
    """The workbook's zip with every entry dated ``FIXED_TIME``: the same results give the same
    bytes (openpyxl dates each entry and the document properties with the time of writing)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" as it saves
                stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                body = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>" + stamp + rb"\g<2>", body
                )
            dst.writestr(entry, body)
    return out.getvalue()
