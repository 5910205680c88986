"""Command line: ``python simulate.py [run] SCENARIO.yaml [options]``.

Bad input ends with exit status 2 and one line on stderr; never a traceback.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import signal
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from ..errors import EXIT_BAD_INPUT, EXIT_BROKEN_PIPE, EXIT_FAILED, EXIT_INTERRUPTED, ScenarioError, WorkerDiedError
from ..outputs.i18n import POINT_UNITS

SUBCOMMANDS = ("run", "validate", "sweep", "attribute", "sensitivity", "compare")
LANGS = ("en", "ru")


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line naming the problem."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see --help)\n")


def _positive(kind: str, upper: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{kind} must be a whole number, got '{text}'") from None
        if not 1 <= value <= upper:
            raise argparse.ArgumentTypeError(f"{kind} must be between 1 and {upper:,}, got {value}")
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="simulate.py",
        description="district-sim: the same firms in an industrial district and alone, compared with "
        "confidence intervals. 'simulate.py FILE.yaml' is short for 'simulate.py run FILE.yaml'.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    # options every command on a scenario file shares
    scenario_opts = _Parser(add_help=False)
    scenario_opts.add_argument(
        "scenario", type=Path, help="scenario file (YAML), e.g. scenarios/woodworking_kaluga.yaml"
    )
    scenario_opts.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="KEY.PATH=VALUE",
        help="override one scenario value, e.g. --set district.coordination_cost=3 (repeatable)",
    )
    scenario_opts.add_argument(
        "--replications",
        type=_positive("--replications", 100_000),
        metavar="N",
        help="replications per regime (default: from the file)",
    )
    scenario_opts.add_argument(
        "--steps",
        type=_positive("--steps", 100_000),
        metavar="WEEKS",
        help="weeks to simulate (default: from the file)",
    )
    scenario_opts.add_argument("--seed", type=int, metavar="INT", help="root seed (default: from the file)")
    scenario_opts.add_argument(
        "--workers",
        type=_positive("--workers", 256),
        default=1,
        metavar="K",
        help="worker processes (default 1); results do not depend on K",
    )
    scenario_opts.add_argument(
        "--dask", metavar="ADDRESS", help="run on a Dask cluster: a scheduler address (tcp://host:8786) or 'local'"
    )
    scenario_opts.add_argument("--quiet", action="store_true", help="no progress bar (and, for run, no summary)")
    scenario_opts.add_argument(
        "--lang", choices=LANGS, default="en", help="language of report.html and chart labels (default en)"
    )

    run = sub.add_parser(
        "run",
        parents=[scenario_opts],
        help="run every regime of a scenario file and write a results folder",
        description="Run every regime of a scenario with common random numbers.",
    )
    run.add_argument("--out", type=Path, metavar="DIR", help="results folder (default results/<scenario>/<timestamp>/)")
    run.add_argument(
        "--precision",
        type=float,
        metavar="REL",
        help="add replications until the 95%% half-width of the profit effect is below REL "
        "times its size (e.g. 0.05), up to --max-replications",
    )
    run.add_argument(
        "--max-replications",
        type=_positive("--max-replications", 100_000),
        default=200,
        metavar="N",
        help="cap for --precision (default 200)",
    )
    val = sub.add_parser(
        "validate",
        help="check the model against analytic results and the evidence; exit 1 if a check fails",
        description="Run the validation checks (risk pooling, correlated demand, Wright's law, null, "
        "monotone cost, evidence patterns), print the table and write it with a chart.",
    )
    val.add_argument("--quick", action="store_true", help="smaller runs (what 'make test' uses, under a minute)")
    val.add_argument(
        "--workers", type=_positive("--workers", 256), default=2, metavar="K", help="worker processes (default 2)"
    )
    val.add_argument("--out", type=Path, metavar="DIR", help="results folder (default results/validation/<timestamp>/)")
    val.add_argument("--quiet", action="store_true", help="no progress bar")
    val.add_argument("--lang", choices=LANGS, default="en", help="language of report.html's headings (default en)")
    # options of the design commands (sweep, attribute, sensitivity)
    common = _Parser(add_help=False, parents=[scenario_opts])
    common.add_argument(
        "--outcome",
        action="append",
        default=[],
        metavar="METRIC",
        help="outcome whose district effect is reported (repeatable; default profit and roa)",
    )
    common.add_argument(
        "--out", type=Path, metavar="DIR", help="output folder; finished runs are kept there as they complete"
    )
    common.add_argument(
        "--resume", action="store_true", help="continue an interrupted job in --out DIR: run only what is missing"
    )
    sw = sub.add_parser(
        "sweep",
        parents=[common],
        help="run a grid of parameter values; effects and break-even",
        description="Full-factorial sweep: every point runs all regimes with common random numbers.",
    )
    sw.add_argument(
        "--vary",
        action="append",
        required=True,
        metavar="PATH=LO:HI:N",
        help="parameter to vary: PATH=LO:HI:N or PATH=v1,v2,... (repeatable: full factorial)",
    )
    at = sub.add_parser(
        "attribute",
        parents=[common],
        help="split the district effect among the mechanisms",
        description="Shapley values of the mechanisms that are on: exact up to "
        f"{8} mechanisms, sampled permutations beyond.",
    )
    at.add_argument("--regime", default="district", help="regime to attribute (default district)")
    at.add_argument(
        "--permutations",
        type=_positive("--permutations", 100_000),
        default=200,
        metavar="P",
        help="sampled permutations when more than 8 mechanisms are on (default 200)",
    )
    se = sub.add_parser(
        "sensitivity",
        parents=[common],
        help="which uncertain parameters move the district effect",
        description="Global sensitivity of the district's paired effect over the parameters' "
        "plausible ranges (SALib): Morris screening or Sobol indices, with 95%% intervals.",
    )
    se.add_argument("--method", choices=("morris", "sobol"), default="morris", help="default morris")
    se.add_argument(
        "--trajectories",
        type=_positive("--trajectories", 10_000),
        default=10,
        metavar="R",
        help="Morris trajectories (default 10): R x (parameters + 1) points",
    )
    se.add_argument(
        "--samples",
        type=_positive("--samples", 1_048_576),
        default=64,
        metavar="N",
        help="Sobol base samples, a power of two (default 64): N x (parameters + 2) points",
    )
    se.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="PATH[=LO:HI]",
        help="analyse only these parameters (repeatable), optionally with a range",
    )
    se.add_argument("--exclude", action="append", default=[], metavar="PATH", help="leave a parameter out (repeatable)")
    se.add_argument("--regime", default="district", help="regime whose effect is analysed (default district)")
    cmp = sub.add_parser(
        "compare",
        help="compare the effects of several results folders (e.g. the three pilots) in one report",
        description="Headline paired effects of several runs side by side: one table, one chart per "
        "outcome and report.html.",
    )
    cmp.add_argument("folders", type=Path, nargs="+", metavar="RESULT_DIR", help="results folders of runs")
    cmp.add_argument("--out", type=Path, metavar="DIR", help="output folder (default results/compare/<timestamp>/)")
    cmp.add_argument("--lang", choices=LANGS, default="en", help="language of the report and charts (default en)")
    cmp.add_argument("--quiet", action="store_true", help="print only where the report is")
    return parser


def _normalise_argv(argv: list[str]) -> list[str]:
    """Let ``simulate.py FILE.yaml ...`` stand for ``simulate.py run FILE.yaml ...``."""
    first = next((i for i, a in enumerate(argv) if not a.startswith("-")), None)
    if first is not None and argv[first] not in SUBCOMMANDS:
        return [*argv[:first], "run", *argv[first:]]
    return argv


def _fmt(x: float, unit: str) -> str:
    if not math.isfinite(x):
        return "n/a"
    if unit in POINT_UNITS:
        return f"{100 * x:.2f}"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.3g}"


def _print_headline(effects, out: Path) -> None:
    from ..sim.metrics import HEADLINE

    print(f"Results: {out.resolve()}")
    if effects.empty:
        return
    print("Paired effects on horizon averages (regime minus baseline, 95% CI):")
    for _, row in effects[effects["metric"].isin(HEADLINE)].iterrows():
        unit = row["unit"]
        shown_unit = "percentage points" if unit in POINT_UNITS else unit
        rel = f"({100 * row['rel_diff']:+.1f}%)" if math.isfinite(row["rel_diff"]) else ""
        print(
            f"  {row['regime']:>12}  {row['label']:<22} {_fmt(row['diff_mean'], unit):>8} "
            f"[{_fmt(row['ci_low'], unit)}, {_fmt(row['ci_high'], unit)}] {shown_unit} {rel}"
        )


def _relative_half_width(results) -> float:
    """Half-width of the 95% interval of the first regime's paired profit effect, over its size."""
    from ..experiments.stats import effects_table

    eff = effects_table(results)
    row = eff[eff["metric"] == "profit"].iloc[0]
    half = (row["ci_high"] - row["ci_low"]) / 2
    return float(half / abs(row["diff_mean"])) if row["diff_mean"] != 0 else math.inf


def cmd_run(args: argparse.Namespace, argv: list[str]) -> int:
    from ..experiments.budget import check_fits
    from ..outputs.paths import available_memory, default_destination, prepare_destination
    from ..scenario_io import load_experiment

    sets = list(args.sets)
    for key in ("replications", "steps", "seed"):
        value = getattr(args, key)
        if value is not None:
            sets.append(f"{key}={value}")
    exp = load_experiment(args.scenario, sets)
    if args.precision is not None and not 0 < args.precision < 1:
        raise ScenarioError(f"--precision {args.precision}: give a fraction between 0 and 1, e.g. 0.05")
    most = max(exp.base.replications, args.max_replications) if args.precision is not None else None
    check_fits(exp, args.workers, available_memory(), replications=most)
    started = datetime.now(UTC)
    stamp = started.strftime("%Y%m%d-%H%M%S")
    out = args.out if args.out is not None else default_destination(Path("results"), exp.name, stamp)
    prepare_destination(out)
    # heavy imports only once the input is known to be good; Mesa is imported by whichever process
    # runs the model, Matplotlib while the runs go on (import_charts)
    from tqdm import tqdm

    from ..experiments.runner import make_backend, run_experiment
    from ..experiments.stats import effects_table
    from ..outputs.folder import git_commit, import_charts, versions, write_results

    reps = exp.base.replications
    runs = len(exp.regimes) * reps
    t0 = time.perf_counter()
    backend = make_backend(args.workers, args.dask)
    precision_note = None
    try:
        with tqdm(
            total=runs,
            unit="run",
            disable=args.quiet,
            file=sys.stderr,
            desc=f"{exp.name}: {len(exp.regimes)} regimes x {reps} replications",
        ) as bar:
            results = run_experiment(exp, on_run_done=bar.update, backend=backend, meanwhile=import_charts)
            while args.precision is not None and len(exp.regimes) > 1:
                width = _relative_half_width(results)
                if width <= args.precision:
                    precision_note = f"precision {args.precision} reached: half-width {width:.3f} of the profit effect"
                    break
                done = results.replications
                if done >= args.max_replications:
                    precision_note = (
                        f"warning: precision {args.precision} not reached after {done} replications "
                        f"(half-width {width:.3f} of the profit effect); raise --max-replications"
                    )
                    break
                more = min(done, args.max_replications - done)  # double, up to the cap
                bar.total += more * len(exp.regimes)
                bar.set_description(f"{exp.name}: {len(exp.regimes)} regimes x {done + more} replications")
                results = results.extend(
                    run_experiment(exp, on_run_done=bar.update, backend=backend, first=done, count=more)
                )
    finally:
        backend.close()
    if precision_note:
        print(precision_note, file=sys.stderr)
    if results.replications != exp.base.replications:  # the resolved scenario must reproduce what ran
        exp = load_experiment(args.scenario, [*sets, f"replications={results.replications}"])
    wall = time.perf_counter() - t0
    manifest = {
        "command": ["simulate.py", *argv],
        "scenario_source": str(args.scenario),
        "scenario_name": exp.name,
        "root_seed": exp.base.seed,
        "seeding": "numpy SeedSequence(entropy=root_seed, spawn_key=(replication, stream)); "
        "streams: see model/sim/rng.py; identical across regimes",
        "replications": results.replications,
        "steps": exp.base.steps,
        "precision": precision_note,
        "regimes": list(exp.regimes),
        "baseline": exp.baseline,
        "workers": args.workers,
        "versions": versions(),
        "git_commit": git_commit(),
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "wall_seconds": round(wall, 3),
    }
    write_results(out, exp, results, manifest, lang=args.lang)
    if not args.quiet:
        _print_headline(effects_table(results), out)
    else:
        print(f"Results: {out.resolve()}")
    return 0


def cmd_validate(args: argparse.Namespace, argv: list[str]) -> int:
    from ..outputs.paths import default_destination, prepare_destination

    started = datetime.now(UTC)
    out = (
        args.out
        if args.out is not None
        else default_destination(Path("results"), "validation", started.strftime("%Y%m%d-%H%M%S"))
    )
    prepare_destination(out)
    from tqdm import tqdm

    from ..experiments.validation import plan
    from ..outputs.folder import write_validation

    jobs = plan(quick=args.quick, workers=args.workers)
    checks = []
    t0 = time.perf_counter()
    with tqdm(total=len(jobs), unit="check", disable=args.quiet, file=sys.stderr, desc="validation") as bar:
        for job in jobs:
            checks.extend(job())
            bar.update()
    manifest = {
        "command": ["simulate.py", *argv],
        "quick": args.quick,
        "workers": args.workers,
        "started": started.isoformat(timespec="seconds"),
        "wall_seconds": round(time.perf_counter() - t0, 3),
    }
    write_validation(out, checks, manifest, args.lang)
    width = max(len(c.check) for c in checks)
    print(f"{'check':<{width}}  {'expected':>14}  {'simulated [95% interval]':>34}  {'tolerance':<38} result")
    for c in checks:
        sim = f"{c.simulated:.4g} [{c.ci_low:.4g}, {c.ci_high:.4g}]"
        print(f"{c.check:<{width}}  {c.expected:>14}  {sim:>34}  {c.tolerance:<38} {'pass' if c.passed else 'FAIL'}")
    print("\nWhat each group shows, and its source:")
    for group in dict.fromkeys(c.group for c in checks):
        first = next(c for c in checks if c.group == group)
        print(f"  {group}: {first.shows} [{first.source}]")
    failed = sum(not c.passed for c in checks)
    print(f"{len(checks) - failed} passed, {failed} failed")
    print(f"Results: {out.resolve()}")
    return 1 if failed else 0


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _single_threaded_blas() -> None:
    """The model's array operations are small; multithreaded BLAS only competes with the worker
    processes (20 pilot runs on 2 workers: 1.62x faster than on 1 with BLAS threads, 1.90x
    without). NumPy is not imported yet when this runs; a user's own setting wins."""
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")


def main(argv: list[str] | None = None) -> int:
    _single_threaded_blas()
    argv = list(sys.argv[1:] if argv is None else argv)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _stop_on_sigterm)  # a terminated run cleans up like Ctrl-C
    parser = build_parser()
    args = parser.parse_args(_normalise_argv(argv))
    if args.command is None:
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
        status = _dispatch(args, argv)
        _font_note()
        return status
    except ScenarioError as exc:
        message, status = f"error: {exc}", EXIT_BAD_INPUT
    except KeyboardInterrupt as exc:
        message, status = str(exc) or "interrupted: no results folder was written", EXIT_INTERRUPTED
    except BrokenPipeError:  # the reader of our output went away (e.g. `| head`): stop quietly, like Unix tools
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except MemoryError:
        message, status = "error: out of memory; lower firms.count, steps, replications or --workers", EXIT_FAILED
    except WorkerDiedError as exc:
        message, status = f"error: {exc}", EXIT_FAILED
    except Exception as exc:  # a defect: one line for the user, the traceback on request
        if os.environ.get("DISTRICT_SIM_DEBUG"):
            raise
        message = (
            f"error: internal error ({type(exc).__name__}: {str(exc)[:300]}); rerun with DISTRICT_SIM_DEBUG=1 "
            "for the traceback and report it"
        )
        status = EXIT_FAILED
    print(one_line(message), file=sys.stderr)
    return status


def entry() -> int:
    """The process's entry point (``simulate.py``, the ``district-sim`` script): ``main``, then exit fast.

    The process ends right after this returns. Freezing the cyclic collector's objects first
    spares the interpreter's shutdown from walking every object of the ~1,300 modules that Mesa,
    pandas, SciPy and Matplotlib import (0.3-0.4 s of every command here). Objects are still
    released by reference counting, results are on disk before this point, and the interpreter
    still runs atexit handlers and flushes stdout and stderr. ``main`` itself stays free of it,
    so in-process callers (tests) keep a normal collector.
    """
    status = main()
    gc.freeze()
    return status


def cmd_compare(args: argparse.Namespace, argv: list[str]) -> int:
    from ..outputs.paths import default_destination, prepare_destination
    from ..outputs.report import comparison_table, load_run

    runs = []
    for folder in args.folders:
        name, effects = load_run(folder)
        runs.append((name, folder, effects))
    if len(runs) < 2:
        raise ScenarioError("compare needs at least two results folders")
    names = [n for n, _, _ in runs]
    if len(set(map(str, (f.resolve() for f in args.folders)))) < len(runs):
        raise ScenarioError("compare: the same results folder is given twice")
    table = comparison_table(runs)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    out = args.out if args.out is not None else default_destination(Path("results"), "compare", stamp)
    prepare_destination(out)
    from ..outputs.charts import compare_chart
    from ..outputs.folder import staging
    from ..outputs.report import compare_html

    with staging(out) as tmp:
        (tmp / "charts").mkdir()
        table.to_csv(tmp / "comparison.csv", index=False)
        charts = []
        for metric in dict.fromkeys(table["metric"]):
            path = tmp / "charts" / f"compare_{metric}.png"
            compare_chart(table, metric, path, args.lang)
            charts.append(path)
        manifest = {
            "command": ["simulate.py", *argv],
            "runs": [{"name": n, "folder": str(f)} for n, f, _ in runs],
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        (tmp / "report.html").write_text(compare_html(table, charts, args.lang), encoding="utf-8")
    if not args.quiet:
        print(f"Compared: {', '.join(names)}")
    print(f"Results: {out.resolve()}")
    return 0


def _dispatch(args: argparse.Namespace, argv: list[str]) -> int:
    if args.command == "validate":
        return cmd_validate(args, argv)
    if args.command == "compare":
        return cmd_compare(args, argv)
    if args.command in ("sweep", "attribute", "sensitivity"):
        from .jobs import cmd_design

        return cmd_design(args, argv)
    return cmd_run(args, argv)


def _font_note() -> None:
    """Say once, after the results are written, if chart labels had characters no font could draw."""
    charts = sys.modules.get("model.outputs.charts")
    note = charts.missing_glyph_note() if charts is not None else None
    if note:
        print(one_line(note), file=sys.stderr)


def one_line(text: str) -> str:
    """A message on one line: line breaks and other control characters shown escaped."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)
