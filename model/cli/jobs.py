"""Design jobs behind the command line: ``sweep``, ``sensitivity`` and ``attribute``, one command
each over one job runner (``_run_job``: runs stream to disk, an interrupted job resumes).
What the jobs write is in ``model.outputs.jobs``."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from tqdm import tqdm

from ..errors import OutputError, ScenarioError, WorkerDiedError
from ..experiments.backends import make_backend
from ..experiments.budget import check_fits
from ..experiments.design import Design, RunStore, count_runs, run_design
from ..experiments.discovery import latin_hypercube
from ..experiments.sensitivity import design_from_sample, factors, sample
from ..experiments.sweep import MAX_POINTS, attribution_design, grid_design, mechanisms_on
from ..outputs.folder import git_commit, import_charts, manifest, versions
from ..outputs.jobs import finish_job, write_attribution, write_discovery, write_sensitivity, write_sweep
from ..outputs.paths import available_memory, check_writable, follow_link, job_refusal, write_atomic, write_error
from ..scenario_io import Experiment, load_experiment
from ..sim.metrics import metrics_of
from .parser import option_sets

DEFAULT_OUTCOMES = ("profit", "roa")


def _prepare(args: argparse.Namespace, kind: str, name: str, spec: dict) -> Path:
    """The job folder: new (or empty), or an interrupted job of the same specification when resuming."""
    if args.out is None:
        if args.resume:
            raise ScenarioError("--resume needs --out DIR, the folder of the interrupted job")
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        out = Path("results") / name / f"{kind}-{stamp}"
    else:
        out = follow_link(args.out)
    if out.exists() and not out.is_dir():
        raise ScenarioError(f"--out {out}: exists and is a file, not a folder; choose another --out")
    spec_file = out / "design.json"
    if args.resume:
        if not spec_file.exists():
            raise ScenarioError(f"--out {out}: no interrupted {kind} here to resume (no design.json)")
        try:
            earlier = json.loads(spec_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            # finished runs are named by what they depend on (design.scenario_key), so a run of
            # other arguments is never taken for one of these: the specification can be written again
            print(f"resume: {spec_file} cannot be read; it is written again from these arguments", file=sys.stderr)
            earlier = spec
        if earlier != spec:
            raise ScenarioError(
                f"--out {out}: the {kind} there was started with other arguments; resume it with the same ones"
            )
    elif out.exists() and any(out.iterdir()):
        raise ScenarioError(job_refusal(out, kind))
    check_writable(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ScenarioError(f"--out {out}: cannot be created ({exc.strerror or exc})") from None
    write_atomic(spec_file, json.dumps(spec, indent=2))
    return out


def _kept(store: RunStore, out: Path, runs: int) -> str:
    done = len(store.done())
    what = f"all {runs} runs are" if done >= runs else f"{done} finished runs are"
    return f"{what} kept in {out}/runs; to finish, rerun the same command with --resume --out {out}"


@contextmanager
def _keeping(store: RunStore, out: Path, runs: int) -> Iterator[list[str]]:
    """Whatever stops a job (Ctrl-C, SIGTERM, a dead worker, a full disk), at any phase, ends in
    one true line: what stopped it, what is kept and how to resume. The block appends to the list
    it is given once the runs are done and the tables and charts are being written."""
    phase: list[str] = []
    try:
        yield phase
    except KeyboardInterrupt:
        during = " while the tables and charts were written" if phase else ""
        raise KeyboardInterrupt(f"interrupted{during}: {_kept(store, out, runs)}") from None
    except WorkerDiedError as exc:
        raise WorkerDiedError(f"{exc}; {_kept(store, out, runs)}") from None
    except OSError as exc:
        err = write_error(exc, out)
        if err is None:
            raise
        raise OutputError(f"{err}; {_kept(store, out, runs)}") from None


def _base(args: argparse.Namespace) -> tuple[list[str], Experiment, tuple, list[str]]:
    """The job's scenario with the command line's overrides (the file's replications and horizon
    unless they say otherwise), its metrics and the outcomes asked for."""
    base_sets = [*args.sets, *option_sets(args)]
    base = load_experiment(args.scenario, base_sets)
    metrics = metrics_of(base.base)
    names = [m.name for m in metrics]
    outcomes = args.outcome or list(DEFAULT_OUTCOMES)
    for o in outcomes:
        if o not in names:
            raise ScenarioError(f"--outcome {o}: unknown outcome (one of: {', '.join(names)})")
    return base_sets, base, metrics, outcomes


def _check_regime(args: argparse.Namespace, base: Experiment) -> None:
    if args.regime not in base.regimes or args.regime == base.baseline:
        raise ScenarioError(
            f"--regime {args.regime}: not a non-baseline regime of {args.scenario} "
            f"(have: {', '.join(r for r in base.regimes if r != base.baseline)})"
        )


def _run_job(  # noqa: PLR0917 - the parts of one job, each needed
    args: argparse.Namespace,
    argv: list[str],
    base: Experiment,
    metrics: tuple,
    design: Design,
    spec: dict,
    write: Callable[[Path, dict], list[str]],
    outcomes: list[str],
) -> int:
    """What every design job shares: memory check, job folder, run store, progress, backend,
    messages when it stops, manifest and report. ``write(out, values)`` writes the job's own
    tables and charts and returns the lines to print."""
    design.resolve()
    for exp in design.experiments.values():
        check_fits(exp, args.workers, available_memory(), keep_histories=False, batch=args.batch)
    out = _prepare(args, args.command, base.name, spec)
    runs = count_runs(design)
    print(
        f"{args.command}: {len(design.points)} points x {len(base.regimes)} regimes x "
        f"{base.base.replications} replications = {runs} distinct runs; finished runs are kept in {out}/runs",
        file=sys.stderr,
    )
    store = RunStore(out, [m.name for m in metrics])
    t0 = time.perf_counter()
    with _keeping(store, out, runs) as phase:
        with tqdm(total=runs, unit="run", disable=args.quiet, file=sys.stderr, desc=args.command) as bar:
            backend = make_backend(args.workers, args.dask)
            try:
                values = run_design(
                    design,
                    store,
                    backend,
                    on_done=bar.update,
                    meanwhile=import_charts,
                    on_note=lambda line: print(f"resume: {line}", file=sys.stderr),
                    batch=args.batch,
                )
            finally:
                backend.close()
        phase.append("writing")
        info = manifest(
            argv,
            spec=spec,
            outcomes=outcomes,
            steps=base.base.steps,
            replications=base.base.replications,
            runs=runs,
            workers=args.workers,
            versions=versions(),
            git_commit=git_commit(),
            finished=datetime.now(UTC).isoformat(timespec="seconds"),
            wall_seconds=round(time.perf_counter() - t0, 3),
        )
        for line in write(out, values):
            print(line)
        finish_job(out, info, args.lang, args.command)
    print(f"Results: {out.resolve()}")
    return 0


def cmd_sweep(args: argparse.Namespace, argv: list[str]) -> int:
    """A grid of parameter values: paired effects at every point and where they cross zero."""
    base_sets, base, metrics, outcomes = _base(args)
    design = grid_design(args.scenario, base_sets, args.vary)
    spec = {"kind": "sweep", "scenario": str(args.scenario), "sets": base_sets, "vary": args.vary}

    def write(out: Path, values: dict) -> list[str]:
        return write_sweep(out, design, values, metrics, outcomes, args.vary, args.lang, args.sustain_target)

    return _run_job(args, argv, base, metrics, design, spec, write, outcomes)


def cmd_sensitivity(args: argparse.Namespace, argv: list[str]) -> int:
    """Morris or Sobol indices of the district's paired effect over the parameters' plausible ranges."""
    # each sample point only needs a rough paired effect; the sample carries the precision
    base_sets, base, metrics, outcomes = _base(args)
    _check_regime(args, base)
    fs = factors(base, args.param, args.exclude)
    size = args.trajectories if args.method == "morris" else args.samples
    points = size * (len(fs) + (1 if args.method == "morris" else 2))
    if points > MAX_POINTS:
        flag = "--trajectories" if args.method == "morris" else "--samples"
        raise ScenarioError(
            f"{flag} {size}: {points:,} sample points for {len(fs)} parameters; at most {MAX_POINTS:,} "
            f"(lower {flag} or choose parameters with --param)"
        )
    x = sample(fs, args.method, size, base.base.seed)
    design = design_from_sample(args.scenario, base_sets, fs, x)
    spec = {
        "kind": "sensitivity",
        "scenario": str(args.scenario),
        "sets": base_sets,
        "method": args.method,
        "size": size,
        "params": args.param,
        "exclude": args.exclude,
        "regime": args.regime,
    }
    print(f"sensitivity ({args.method}): {len(fs)} parameters, {len(x)} sample points", file=sys.stderr)

    def write(out: Path, values: dict) -> list[str]:
        said, notes = write_sensitivity(
            out, design, values, metrics, outcomes, (fs, x, args.method, base.base.seed), base, args.regime, args.lang
        )
        for line in notes:
            print(line, file=sys.stderr)
        return said

    return _run_job(args, argv, base, metrics, design, spec, write, outcomes)


def cmd_attribute(args: argparse.Namespace, argv: list[str]) -> int:
    """Shapley parts of the district effect, one per mechanism that is on."""
    base_sets, base, metrics, outcomes = _base(args)
    _check_regime(args, base)
    on = mechanisms_on(base, args.regime)
    if not on:
        raise ScenarioError(f"{args.scenario}: no mechanism is on in regime '{args.regime}'; nothing to attribute")
    design, orders = attribution_design(args.scenario, base_sets, on, args.permutations, base.base.seed)
    spec = {
        "kind": "attribute",
        "scenario": str(args.scenario),
        "sets": base_sets,
        "regime": args.regime,
        "permutations": args.permutations,
    }

    def write(out: Path, values: dict) -> list[str]:
        return write_attribution(out, design, values, metrics, outcomes, base, args.regime, orders, args.lang)

    return _run_job(args, argv, base, metrics, design, spec, write, outcomes)


DISCOVER_OUTCOME = "profit_per_firm"


def cmd_discover(args: argparse.Namespace, argv: list[str]) -> int:
    """Scenario discovery over the plausible ranges: where the district fails to pay, and the chance it pays."""
    if not args.outcome:
        args.outcome = [DISCOVER_OUTCOME]
    base_sets, base, metrics, outcomes = _base(args)
    _check_regime(args, base)
    fs = factors(base, args.param, args.exclude)
    x = latin_hypercube(fs, args.samples, base.base.seed)
    design = design_from_sample(args.scenario, base_sets, fs, x)
    spec = {
        "kind": "discover",
        "scenario": str(args.scenario),
        "sets": base_sets,
        "samples": args.samples,
        "params": args.param,
        "exclude": args.exclude,
        "regime": args.regime,
    }
    print(f"discover: {len(fs)} parameters, {len(x)} points (Latin hypercube)", file=sys.stderr)

    def write(out: Path, values: dict) -> list[str]:
        return write_discovery(
            out, design, values, metrics, outcomes, (fs, x, base.base.seed), args.regime, args.density, args.lang
        )

    return _run_job(args, argv, base, metrics, design, spec, write, outcomes)
