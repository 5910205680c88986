"""``simulate.py appraise FILE.yaml``: what a public programme costs and buys, against the same firms
without it on common random numbers (``model.experiments.appraisal``)."""

from __future__ import annotations

import argparse
import math
import sys
import time
from datetime import UTC, datetime
from pathlib import Path


def _fmt(x: float) -> str:
    if math.isinf(x):
        return "unbounded" if x > 0 else "-unbounded"
    if not math.isfinite(x):
        return "n/a"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def cmd_appraise(args: argparse.Namespace, argv: list[str]) -> int:
    from ..experiments.appraisal import appraisal_experiment, benefit_sentence, lowest_cost_per_job, value_for_money
    from ..experiments.budget import check_fits
    from ..outputs.paths import available_memory, default_destination, prepare_destination, write_csv
    from ..scenario_io import load_experiment
    from .parser import option_sets

    sets = [*args.sets, *option_sets(args)]
    exp = appraisal_experiment(load_experiment(args.scenario, sets), args.regime, args.budget)
    check_fits(exp, args.workers, available_memory(), batch=args.batch)
    started = datetime.now(UTC)
    stamp = started.strftime("%Y%m%d-%H%M%S")
    dest = prepare_destination(
        args.out if args.out is not None else default_destination(Path("results") / exp.name, "appraisal", stamp),
        "appraisal",
    )
    from tqdm import tqdm

    from ..experiments.backends import make_backend
    from ..experiments.runner import run_experiment
    from ..outputs.folder import git_commit, import_charts, manifest, versions, write_results

    reps = exp.base.replications
    t0 = time.perf_counter()
    backend = make_backend(args.workers, args.dask)
    try:
        with tqdm(
            total=len(exp.regimes) * reps,
            unit="run",
            disable=args.quiet,
            file=sys.stderr,
            desc=f"{exp.name}: appraisal, {len(exp.regimes)} regimes x {reps} replications",
        ) as bar:
            results = run_experiment(
                exp, backend=backend, on_run_done=bar.update, meanwhile=import_charts, batch=args.batch
            )
    finally:
        backend.close()
    table = value_for_money(results, exp.regimes)
    verdict = lowest_cost_per_job(table)
    info = manifest(
        argv,
        scenario_source=str(args.scenario),
        scenario_name=exp.name,
        root_seed=exp.base.seed,
        replications=reps,
        steps=exp.base.steps,
        regimes=list(exp.regimes),
        baseline=exp.baseline,
        appraised_regime=args.regime,
        budget=args.budget,
        workers=args.workers,
        versions=versions(),
        git_commit=git_commit(),
        started=started.isoformat(timespec="seconds"),
        finished=datetime.now(UTC).isoformat(timespec="seconds"),
        wall_seconds=round(time.perf_counter() - t0, 3),
    )

    instruments = exp.regimes["programme"].programme.instruments
    window = (min(i.start_week for i in instruments), max(i.end_week for i in instruments))

    def appraisal_files(folder: Path) -> None:
        from ..outputs.charts import appraisal_chart, programme_path_chart

        write_csv(table, folder / "appraisal.csv")
        appraisal_chart(table, exp.name, folder / "charts" / "appraisal.png", args.lang)
        programme_path_chart(results, window, exp.name, folder / "charts" / "programme_path.png", args.lang)

    out = write_results(dest, exp, results, info, lang=args.lang, extra=appraisal_files)
    print(f"Results: {out.resolve()}")
    shown = ("public_cost_discounted", "net_job_years", "cost_per_net_job_year", "benefit_cost_ratio")
    print(f"Against '{exp.baseline}' (the same firms without the programme), 95% intervals:")
    for row in table[table["measure"].isin(shown)].itertuples():
        note = f"  ({row.note})" if row.note else ""
        print(
            f"  {row.regime:>18}  {row.measure:<24} {_fmt(row.mean):>10} "
            f"[{_fmt(row.ci_low)}, {_fmt(row.ci_high)}] {row.unit}{note}"
        )
    print(verdict)
    if said := benefit_sentence(table):
        print(said)
    return 0
