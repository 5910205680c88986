"""``simulate.py compare DIR DIR ...``: the headline effects of several results folders side by side."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from ..errors import ScenarioError


def cmd_compare(args: argparse.Namespace, argv: list[str]) -> int:
    from ..outputs.paths import default_destination, prepare_destination
    from ..outputs.report import comparison_table, load_run, mixed_sizes

    runs = []
    for folder in args.folders:
        name, effects = load_run(folder)
        runs.append((name, folder, effects))
    if len(runs) < 2:
        raise ScenarioError("compare needs at least two results folders")
    names = [n for n, _, _ in runs]
    if len(set(map(str, (f.resolve() for f in args.folders)))) < len(runs):
        raise ScenarioError("compare: the same results folder is given twice")
    mixed = mixed_sizes(runs)
    if mixed and not args.mixed:
        raise ScenarioError(
            f"compare: the runs differ in horizon or replications ({mixed}); their effects are not comparable. "
            "Rerun them alike, or pass --mixed to compare anyway (flagged in the report and comparison.csv)"
        )
    table = comparison_table(runs)
    if mixed:
        table["mixed_sizes"] = True
        print(f"warning: the runs differ in horizon or replications ({mixed})", file=sys.stderr)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    dest = prepare_destination(
        args.out if args.out is not None else default_destination(Path("results"), "compare", stamp), "compare"
    )
    from ..outputs.charts import compare_chart
    from ..outputs.folder import manifest
    from ..outputs.paths import staging
    from ..outputs.report import compare_html

    with staging(dest) as tmp:
        (tmp / "charts").mkdir()
        table.to_csv(tmp / "comparison.csv", index=False)
        charts = []
        for metric in dict.fromkeys(table["metric"]):
            path = tmp / "charts" / f"compare_{metric}.png"
            compare_chart(table, metric, path, args.lang)
            charts.append(path)
        info = manifest(
            argv,
            runs=[{"name": n, "folder": str(f)} for n, f, _ in runs],
            finished=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        (tmp / "manifest.json").write_text(json.dumps(info, indent=2), encoding="utf-8")
        (tmp / "report.html").write_text(compare_html(table, charts, args.lang, mixed), encoding="utf-8")
    if not args.quiet:
        print(f"Compared: {', '.join(names)}")
    print(f"Results: {dest.path.resolve()}")
    return 0
