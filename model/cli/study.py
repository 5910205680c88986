"""``simulate.py study SCENARIO``: what a regional report needs, in one command and one report.

The plan: the pilot run; a Morris screening of every plausible range; break-even sweeps of the
parameters the screening finds most influential; Shapley attribution to the mechanisms; scenario
discovery; and, for the three pilots, the evidence checks of the validation. Each step is an
ordinary job of this tool in its own subfolder (``run/``, ``screen/``, ``sweep-<parameter>/``,
``attribute/``, ``discover/``), run in process; ``--resume`` skips the steps that finished and
resumes the one that was interrupted. The study's own ``report.html`` (English) and
``report_ru.html`` (Russian) put the decision brief first and embed every chart.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from ..errors import ScenarioError
from ..outputs.paths import MARKER, write_atomic, write_marker
from ..scenario_io import load_experiment
from .parser import build_parser, option_sets


@dataclass(frozen=True)
class Size:
    """How much each step of a study simulates."""

    run_reps: int | None  # None: the file's
    run_steps: int | None
    steps: int | None  # horizon of the design steps (None: the file's)
    screen_trajectories: int
    screen_reps: int
    sweeps: int  # parameters swept
    sweep_points: int
    design_reps: int
    discover_samples: int


QUICK = Size(
    run_reps=5, run_steps=104, steps=104, screen_trajectories=3, screen_reps=2, sweeps=2, sweep_points=5,
    design_reps=2, discover_samples=48,
)  # fmt: skip
FULL = Size(
    run_reps=None, run_steps=None, steps=None, screen_trajectories=10, screen_reps=3, sweeps=3, sweep_points=7,
    design_reps=3, discover_samples=200,
)  # fmt: skip
OUTCOME = "profit_per_firm"
TIMED_WEEKS = 52
STEP_OVERHEAD = 8.0
"""Seconds a step spends besides its runs (starting workers, tables, charts, its report): measured
about 5-10 s per step on this 2-core machine; the estimate adds it to the timed runs."""


@dataclass(frozen=True)
class Step:
    name: str  # subfolder
    what: str
    argv: list[str]
    runs: int  # estimated runs
    weeks: int


def _common(args: argparse.Namespace, size: Size, steps: int | None) -> list[str]:
    out = ["--workers", str(args.workers), "--quiet", "--lang", args.lang]
    for s in args.sets:
        out += ["--set", str(s)]
    if args.seed is not None:
        out += ["--seed", str(args.seed)]
    if args.dask:
        out += ["--dask", args.dask]
    if args.batch is not None:
        out += ["--batch", str(args.batch)]
    steps = steps if steps is not None else args.steps
    if steps is not None:
        out += ["--steps", str(steps)]
    return out


def plan_first(args: argparse.Namespace, size: Size) -> list[Step]:
    """The steps that do not depend on another step's results: run, screening, attribution, discovery."""
    exp = load_experiment(args.scenario, [*args.sets, *option_sets(args)])
    weeks_file, reps_file = exp.base.steps, exp.base.replications
    weeks = size.steps or weeks_file
    from ..experiments.sensitivity import factors
    from ..experiments.sweep import mechanisms_on

    k = len(factors(exp, [], []))
    regime = next(r for r in exp.regimes if r != exp.baseline)
    on = len(mechanisms_on(exp, regime))
    scen = str(args.scenario)
    run_argv = [scen, *_common(args, size, size.run_steps)]
    if size.run_reps or args.replications:
        run_argv += ["--replications", str(size.run_reps or args.replications)]
    common = _common(args, size, size.steps)
    return [
        Step("run", "the pilot run: district against the same firms alone", ["run", *run_argv],
             len(exp.regimes) * (size.run_reps or reps_file), size.run_steps or weeks_file),
        Step("screen", "Morris screening of every plausible range",
             ["sensitivity", scen, *common, "--outcome", OUTCOME, "--trajectories", str(size.screen_trajectories),
              "--replications", str(size.screen_reps)],
             size.screen_trajectories * (k + 1) * 2 * size.screen_reps, weeks),
        Step("attribute", "Shapley attribution of the effect to the mechanisms",
             ["attribute", scen, *common, "--outcome", OUTCOME, "--replications", str(size.design_reps)],
             (2**on + 1) * size.design_reps, weeks),
        Step("discover", "scenario discovery: where it fails to pay, and the chance it pays",
             ["discover", scen, *common, "--outcome", OUTCOME, "--samples", str(size.discover_samples),
              "--replications", str(size.design_reps)],
             size.discover_samples * 2 * size.design_reps, weeks),
    ]  # fmt: skip


def sweep_steps(args: argparse.Namespace, size: Size, screen: Path, weeks: int) -> list[Step]:
    """Break-even sweeps over the plausible range of the parameters the screening ranks highest
    (those told apart from no influence first)."""
    from ..outputs.names import parameter_info

    table = pd.read_csv(screen / f"sensitivity_{OUTCOME}.csv")
    table = table.sort_values(["within_noise", "mu_star"], ascending=[True, False])
    steps = []
    for path in table["parameter"].head(size.sweeps):
        info = parameter_info(path) or {}
        lo, hi = (info.get("plausible") or (None, None))[:2]
        if lo is None:
            continue
        integer = isinstance(lo, int) and isinstance(hi, int)
        vary = f"{path}={lo}:{hi}:{size.sweep_points}"
        if integer:
            values = sorted({round(lo + (hi - lo) * i / (size.sweep_points - 1)) for i in range(size.sweep_points)})
            vary = f"{path}={','.join(str(v) for v in values)}"
        argv = ["sweep", str(args.scenario), *_common(args, size, size.steps), "--outcome", OUTCOME,
                "--replications", str(size.design_reps), "--vary", vary]  # fmt: skip
        steps.append(
            Step(f"sweep-{path}", f"break-even sweep of {path}", argv, size.sweep_points * 2 * size.design_reps, weeks)
        )
    return steps


def _seconds_per_run_week(args: argparse.Namespace) -> float:
    """One short batch of runs of the scenario (as the steps batch them), timed in this process:
    the estimate's unit cost, per run and week."""
    from ..experiments.budget import batch_size
    from ..sim.district import run_batch

    exp = load_experiment(args.scenario, [*args.sets, *option_sets(args), f"steps={TIMED_WEEKS}"])
    scenario = exp.regimes[next(r for r in exp.regimes if r != exp.baseline)]
    run_batch(scenario, [0])  # warm: imports and first calls
    k = batch_size(scenario, exp.base.replications, args.batch)
    t0 = time.perf_counter()
    run_batch(scenario, list(range(1, k + 1)))
    return (time.perf_counter() - t0) / TIMED_WEEKS / k


def _done(folder: Path) -> bool:
    return (folder / MARKER).exists()


def _run_step(step: Step, out: Path) -> float:
    """One step in process, in its subfolder: skipped when finished, resumed when interrupted."""
    from .dispatch import _command

    folder = out / step.name
    if _done(folder):
        print(f"study: {step.name}: finished earlier, kept", file=sys.stderr)
        return 0.0
    argv = [*step.argv, "--out", str(folder)]
    if (folder / "design.json").exists():
        argv.append("--resume")
    print(f"study: {step.name}: {step.what} ...", file=sys.stderr)
    t0 = time.perf_counter()
    parsed = build_parser().parse_args(argv)
    status = _command(parsed.command)(parsed, argv)
    if status not in (0, 1):  # validation-like failures are reported in the step's own report
        raise ScenarioError(f"study: step {step.name} stopped with status {status}")
    return time.perf_counter() - t0


def _evidence(args: argparse.Namespace, out: Path) -> None:
    """For a pilot, the validation's evidence checks at quick size (evidence.csv); else nothing."""
    from ..experiments.validation import PILOTS, RunsOn, as_rows, evidence_checks
    from ..experiments.validation import QUICK as VQUICK

    name = load_experiment(args.scenario, []).name
    if name not in PILOTS or (out / "evidence.csv").exists():
        return
    print("study: evidence: the validation's evidence checks for this pilot ...", file=sys.stderr)
    rows = as_rows(evidence_checks(name, VQUICK, RunsOn(args.workers, args.batch)))
    frame = pd.DataFrame(rows)[["check", "expected", "simulated", "ci_low", "ci_high", "tolerance", "result"]]
    write_atomic(out / "evidence.csv", frame.to_csv(index=False))


def cmd_study(args: argparse.Namespace, argv: list[str]) -> int:
    from ..outputs.folder import git_commit, manifest, versions
    from ..outputs.study import write_study_reports
    from .jobs import _prepare

    size = QUICK if args.quick else FULL
    exp = load_experiment(args.scenario, [*args.sets, *option_sets(args)])
    spec = {"kind": "study", "scenario": str(args.scenario), "sets": [str(s) for s in args.sets], "quick": args.quick,
            "seed": args.seed}  # fmt: skip
    first = plan_first(args, size)
    unit = _seconds_per_run_week(args)
    sweeps_guess = size.sweeps * size.sweep_points * 2 * size.design_reps
    total_runs = sum(s.runs for s in first) + sweeps_guess
    seconds = sum(s.runs * s.weeks for s in first) * unit / args.workers
    seconds += sweeps_guess * (size.steps or exp.base.steps) * unit / args.workers
    seconds += STEP_OVERHEAD * (len(first) + size.sweeps + 1)
    print(f"study of {exp.name} ({'quick' if args.quick else 'full'} size), plan:", file=sys.stderr)
    for s in first[:2]:
        print(f"  {s.name:<10} {s.what}: about {s.runs:,} runs of {s.weeks} weeks", file=sys.stderr)
    print(f"  {'sweep-*':<10} break-even sweeps of the {size.sweeps} parameters the screening ranks highest: "
          f"about {sweeps_guess:,} runs", file=sys.stderr)  # fmt: skip
    for s in first[2:]:
        print(f"  {s.name:<10} {s.what}: about {s.runs:,} runs of {s.weeks} weeks", file=sys.stderr)
    print(f"  {'evidence':<10} the validation's evidence checks (pilots only)", file=sys.stderr)
    print(
        f"  estimated: about {total_runs:,} runs, {seconds / 60:.1f} minutes on {args.workers} worker(s) "
        f"(from a timed run of this scenario: {1e3 * unit:.2f} ms per run-week, before charts)",
        file=sys.stderr,
    )
    out = _prepare(args, "study", exp.name, spec)
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    for step in first[:2]:
        timings[step.name] = _run_step(step, out)
    sweeps = sweep_steps(args, size, out / "screen", size.steps or exp.base.steps)
    for step in [*sweeps, *first[2:]]:
        timings[step.name] = _run_step(step, out)
    _evidence(args, out)
    (out / MARKER).unlink(missing_ok=True)
    info = manifest(
        argv,
        spec=spec,
        steps=[
            {
                "name": s.name,
                "what": s.what,
                "command": ["simulate.py", *s.argv],
                "seconds": round(timings.get(s.name, 0), 1),
            }
            for s in [*first[:2], *sweeps, *first[2:]]
        ],
        estimated_seconds=round(seconds, 1),
        versions=versions(),
        git_commit=git_commit(),
        finished=datetime.now(UTC).isoformat(timespec="seconds"),
        wall_seconds=round(time.perf_counter() - t0, 1),
    )
    write_atomic(out / "manifest.json", json.dumps(info, indent=2, default=str))
    write_study_reports(out)
    write_marker(out, "study")
    print(f"Report: {(out / 'report.html').resolve()} (Russian: report_ru.html)")
    return 0
