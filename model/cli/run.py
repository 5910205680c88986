"""``simulate.py run FILE.yaml``: every regime of a scenario on common random numbers, a results
folder, the headline effects on the console."""

from __future__ import annotations

import argparse
import math
import sys
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path

from ..errors import ScenarioError
from ..outputs.i18n import POINT_UNITS
from ..sim.params import MECHANISMS


def _fmt(x: float, unit: str) -> str:
    if not math.isfinite(x):
        return "n/a"
    if unit in POINT_UNITS:
        return f"{100 * x:.2f}"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.3g}"


def _print_headline(effects, out: Path, weeks: int) -> None:
    """The brief's sentences (read back from the folder, as the report reads them), then the
    headline effects; relative changes only where the outcome is not a rate."""
    import pandas as pd

    from ..outputs import brief
    from ..sim.metrics import HEADLINE

    print(f"Results: {out.resolve()}")
    if effects.empty:
        return
    ts = pd.read_parquet(out / "timeseries.parquet")
    baseline = str(effects["baseline"].iloc[0])
    for regime in dict.fromkeys(effects["regime"]):
        path = brief.effect_path(ts, regime, baseline)
        for line in brief.sentences(effects, regime, weeks, path, "en"):
            print(textwrap.fill(line, width=100, subsequent_indent="  "))
    print(
        f"Paired effects, averages over {brief.horizon_words(weeks)} "
        "(regime minus baseline, 95% CI; money per week as simulated):"
    )
    shown = effects[effects["metric"].isin(HEADLINE)]
    order = shown["metric"].map(HEADLINE.index)
    for _, row in shown.assign(order=order).sort_values(["regime", "order"], kind="stable").iterrows():
        unit = row["unit"]
        shown_unit = "percentage points" if unit in POINT_UNITS else unit
        rel = f"({100 * row['rel_diff']:+.1f}%)" if math.isfinite(row["rel_diff"]) and unit not in POINT_UNITS else ""
        print(
            f"  {row['regime']:>12}  {row['label']:<22} {_fmt(row['diff_mean'], unit):>8} "
            f"[{_fmt(row['ci_low'], unit)}, {_fmt(row['ci_high'], unit)}] {shown_unit} {rel}"
        )


def switches(exp) -> dict[str, dict[str, object]]:
    """Each mechanism: on in the regime compared with the baseline (the first other regime), and
    where that comes from (the file, an option, or the schema's default)."""
    regime = next((r for r in exp.regimes if r != exp.baseline), exp.baseline)
    on = exp.regimes[regime].mechanisms
    return {m: {"on": bool(getattr(on, m)), "from": exp.origin(f"mechanisms.{m}")} for m in MECHANISMS}


def switches_line(exp) -> str:
    """One line for the console: which mechanisms are on and off, and which of them the file left
    to the schema's defaults (a file without ``mechanisms:`` runs with M1, M7 and M8 on)."""
    parts = []
    for m, s in switches(exp).items():
        tag = f"{m}{'' if s['from'] == 'scenario file' else ' (' + s['from'] + ')'}"
        parts.append((s["on"], tag))
    on = ", ".join(t for o, t in parts if o) or "none"
    off = ", ".join(t for o, t in parts if not o) or "none"
    return f"mechanisms on: {on}; off: {off}"


def _print_selection(path: Path) -> None:
    """With firms that chose to join: how far an evaluator's estimates fall from the true effect,
    read from the results folder's selection.csv (computed once, by the writer)."""
    if not path.exists():
        return
    import pandas as pd

    from ..experiments.selection import verdict

    tables = pd.read_csv(path)
    for regime in dict.fromkeys(tables["regime"]):
        table = tables[tables["regime"] == regime]
        true = table[table["estimate"] == "true_effect"].iloc[0]
        print(
            f"What an evaluator would see ({regime}): true effect on members {true['mean']:+.3g} kRUB per "
            f"firm-week [{true['ci_low']:.3g}, {true['ci_high']:.3g}]"
        )
        for key in ("naive_bias", "did_bias"):
            print(f"  {verdict(table, key)}")


def cmd_run(args: argparse.Namespace, argv: list[str]) -> int:
    from ..experiments.budget import check_fits
    from ..outputs.paths import available_memory, default_destination, prepare_destination
    from ..scenario_io import load_experiment
    from .parser import option_sets

    sets = [*args.sets, *option_sets(args)]
    exp = load_experiment(args.scenario, sets)
    if args.precision is not None and not 0 < args.precision < 1:
        raise ScenarioError(f"--precision {args.precision}: give a fraction between 0 and 1, e.g. 0.05")
    most = max(exp.base.replications, args.max_replications) if args.precision is not None else None
    check_fits(exp, args.workers, available_memory(), replications=most, batch=args.batch)
    started = datetime.now(UTC)
    stamp = started.strftime("%Y%m%d-%H%M%S")
    dest = prepare_destination(
        args.out if args.out is not None else default_destination(Path("results"), exp.name, stamp), "run"
    )
    # heavy imports only once the input is known to be good; Mesa is imported by whichever process
    # runs the model, Matplotlib while the runs go on (import_charts)
    from tqdm import tqdm

    from ..experiments.backends import make_backend
    from ..experiments.runner import run_to_precision
    from ..experiments.stats import effects_table
    from ..outputs.folder import git_commit, import_charts, manifest, versions, write_results

    reps = exp.base.replications
    runs = len(exp.regimes) * reps
    t0 = time.perf_counter()
    backend = make_backend(args.workers, args.dask)
    if not args.quiet:  # once the input is known to be good: a refusal stays one line
        print(switches_line(exp), file=sys.stderr)
    try:
        with tqdm(
            total=runs,
            unit="run",
            disable=args.quiet,
            file=sys.stderr,
            desc=f"{exp.name}: {len(exp.regimes)} regimes x {reps} replications",
        ) as bar:

            def more(new_runs: int, replications: int) -> None:
                bar.total += new_runs
                bar.set_description(f"{exp.name}: {len(exp.regimes)} regimes x {replications} replications")

            results, precision_note = run_to_precision(
                exp,
                args.precision,
                args.max_replications,
                backend=backend,
                on_run_done=bar.update,
                on_more=more,
                meanwhile=import_charts,
                batch=args.batch,
            )
    finally:
        backend.close()
    if precision_note:
        print(precision_note, file=sys.stderr)
    if results.replications != exp.base.replications:  # the resolved scenario must reproduce what ran
        exp = load_experiment(args.scenario, [*sets, f"replications={results.replications}"])
    wall = time.perf_counter() - t0
    info = manifest(
        argv,
        scenario_source=str(args.scenario),
        scenario_name=exp.name,
        root_seed=exp.base.seed,
        seeding="numpy SeedSequence(entropy=root_seed, spawn_key=(replication, stream)); "
        "streams: see model/sim/rng.py; identical across regimes",
        replications=results.replications,
        steps=exp.base.steps,
        precision=precision_note,
        regimes=list(exp.regimes),
        baseline=exp.baseline,
        workers=args.workers,
        versions=versions(),
        git_commit=git_commit(),
        started=started.isoformat(timespec="seconds"),
        finished=datetime.now(UTC).isoformat(timespec="seconds"),
        wall_seconds=round(wall, 3),
        set_on_command_line=exp.set_by,
        mechanisms=switches(exp),
    )
    out = write_results(dest, exp, results, info, lang=args.lang, weekly_csv=args.weekly_csv)
    if not args.quiet:
        _print_headline(effects_table(results), out, exp.base.steps)
        _print_selection(out / "selection.csv")
        print(f"Report: {(out / 'report.html').resolve()}")
    else:
        print(f"Results: {out.resolve()}")
    return 0
