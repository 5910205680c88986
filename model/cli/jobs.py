"""Design jobs behind the command line: ``sweep`` and ``attribute`` (runs stream to disk, resumable)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from ..errors import ScenarioError, WorkerDiedError
from ..experiments.budget import check_fits
from ..experiments.design import RunStore, count_runs, paired_effects, run_design
from ..experiments.runner import make_backend
from ..experiments.sensitivity import analyse, design_from_sample, factors, sample
from ..experiments.sweep import MAX_POINTS, attribution_design, break_even, grid_design, mechanisms_on, shapley
from ..outputs.folder import git_commit, import_charts, versions
from ..outputs.i18n import label, unit
from ..outputs.paths import available_memory, check_writable, write_atomic
from ..outputs.report import write_report
from ..scenario_io import load_experiment
from ..sim.metrics import metric_list

SENSITIVITY_REPLICATIONS = 3

DEFAULT_OUTCOMES = ("profit", "roa")


def _csv(frame: pd.DataFrame, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    frame.to_csv(tmp, index=False)
    os.replace(tmp, path)


def _prepare(args: argparse.Namespace, kind: str, name: str, spec: dict) -> Path:
    """The job folder: new, or an interrupted job of the same specification when resuming."""
    if args.out is None:
        if args.resume:
            raise ScenarioError("--resume needs --out DIR, the folder of the interrupted job")
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        out = Path("results") / name / f"{kind}-{stamp}"
    else:
        out = args.out
    spec_file = out / "design.json"
    if args.resume:
        if not spec_file.exists():
            raise ScenarioError(f"--out {out}: no interrupted {kind} here to resume (no design.json)")
        if json.loads(spec_file.read_text(encoding="utf-8")) != spec:
            raise ScenarioError(
                f"--out {out}: the {kind} there was started with other arguments; resume it with the same ones"
            )
    elif out.exists() and any(out.iterdir()):
        raise ScenarioError(f"--out {out}: exists and is not empty; use --resume to continue a {kind} there")
    check_writable(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ScenarioError(f"--out {out}: cannot be created ({exc.strerror or exc})") from None
    write_atomic(spec_file, json.dumps(spec, indent=2))
    return out


def _kept(store: RunStore, out: Path) -> str:
    return (
        f"{len(store.done())} finished runs are kept in {out}/runs; to finish, rerun the same command "
        f"with --resume --out {out}"
    )


def cmd_design(args: argparse.Namespace, argv: list[str]) -> int:
    base_sets = list(args.sets)
    for key in ("replications", "steps", "seed"):
        if getattr(args, key) is not None:
            base_sets.append(f"{key}={getattr(args, key)}")
    base = load_experiment(args.scenario, base_sets)
    metrics = metric_list(base.base.stage_names)
    names = [m.name for m in metrics]
    outcomes = args.outcome or list(DEFAULT_OUTCOMES)
    for o in outcomes:
        if o not in names:
            raise ScenarioError(f"--outcome {o}: unknown outcome (one of: {', '.join(names)})")
    orders: list = []
    if args.command == "sensitivity" and args.replications is None:
        # each sample point only needs a rough paired effect; the sample carries the precision
        base_sets.append(f"replications={min(base.base.replications, SENSITIVITY_REPLICATIONS)}")
        base = load_experiment(args.scenario, base_sets)
    if args.command in ("attribute", "sensitivity") and (
        args.regime not in base.regimes or args.regime == base.baseline
    ):
        raise ScenarioError(
            f"--regime {args.regime}: not a non-baseline regime of {args.scenario} "
            f"(have: {', '.join(r for r in base.regimes if r != base.baseline)})"
        )
    if args.command == "sweep":
        design = grid_design(args.scenario, base_sets, args.vary)
        spec = {"kind": "sweep", "scenario": str(args.scenario), "sets": base_sets, "vary": args.vary}
    elif args.command == "sensitivity":
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
    else:
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
    design.resolve()
    for exp in design.experiments.values():
        check_fits(exp, args.workers, available_memory(), keep_histories=False)
    out = _prepare(args, args.command, base.name, spec)
    runs = count_runs(design)
    print(
        f"{args.command}: {len(design.points)} points x {len(base.regimes)} regimes x "
        f"{base.base.replications} replications = {runs} distinct runs; finished runs are kept in {out}/runs",
        file=sys.stderr,
    )
    store = RunStore(out, names)
    t0 = time.perf_counter()
    with tqdm(total=runs, unit="run", disable=args.quiet, file=sys.stderr, desc=args.command) as bar:
        backend = make_backend(args.workers, args.dask)
        try:
            values = run_design(design, store, backend, on_done=bar.update, meanwhile=import_charts)
        except KeyboardInterrupt:
            raise KeyboardInterrupt(f"interrupted: {_kept(store, out)}") from None
        except WorkerDiedError as exc:
            raise WorkerDiedError(f"{exc}; {_kept(store, out)}") from None
        finally:
            backend.close()
    manifest = {
        "command": ["simulate.py", *argv],
        "spec": spec,
        "runs": runs,
        "workers": args.workers,
        "versions": versions(),
        "git_commit": git_commit(),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "wall_seconds": round(time.perf_counter() - t0, 3),
    }
    from ..outputs.charts import sensitivity_chart, sweep_chart, waterfall_chart

    charts = out / "charts"
    charts.mkdir(exist_ok=True)
    if args.command == "sweep":
        effects = paired_effects(design, values, names)
        _csv(effects, out / "sweep_effects.csv")
        paths = [p for p, _ in (v.split("=", 1) for v in args.vary)]
        rows = []
        for o in outcomes:
            m = metrics[names.index(o)]
            breaks = []
            if len(paths) == 1:
                for regime in effects["regime"].unique():
                    be = break_even(effects, paths[0], o, regime)
                    breaks.append(be)
                    rows.append(be.__dict__)
                    print(be.sentence)
            sweep_chart(
                effects,
                paths,
                o,
                unit=unit(m.unit, args.lang),
                label=label(m.name, m.label, args.lang),
                breaks=breaks,
                path=charts / f"sweep_{o}.png",
                lang=args.lang,
            )
        if rows:
            _csv(pd.DataFrame(rows), out / "break_even.csv")
    elif args.command == "sensitivity":
        effects = paired_effects(design, values, names)
        _csv(effects, out / "sample_effects.csv")
        for o in outcomes:
            m = metrics[names.index(o)]
            y = (
                effects[(effects["metric"] == o) & (effects["regime"] == args.regime)]
                .sort_values("point")["diff_mean"]
                .to_numpy(dtype=float)
            )
            if not np.isfinite(y).all():
                print(f"sensitivity: some sample points give no value for {o}; they count as 0", file=sys.stderr)
                y = np.nan_to_num(y)
            table = analyse(fs, args.method, x, y, base.base.seed)
            _csv(table, out / f"sensitivity_{o}.csv")
            sensitivity_chart(
                table,
                args.method,
                label=label(m.name, m.label, args.lang),
                unit=unit(m.unit, args.lang),
                title=base.name,
                path=charts / f"sensitivity_{o}.png",
                lang=args.lang,
            )
            print(f"{m.label}: the ten parameters that move the '{args.regime}' effect most ({args.method}):")
            print(table.head(10).to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    else:
        for o in outcomes:
            m = metrics[names.index(o)]
            parts = shapley(
                design, values, names.index(o), on=mechanisms_on(base, args.regime), regime=args.regime, orders=orders
            )
            _csv(parts, out / f"attribution_{o}.csv")
            waterfall_chart(
                parts,
                label(m.name, m.label, args.lang),
                unit(m.unit, args.lang),
                base.name,
                charts / f"attribution_{o}.png",
                args.lang,
            )
            print(f"{m.label} ({m.unit}), Shapley parts of the '{args.regime}' effect (95% CI):")
            for r in parts.itertuples():
                print(f"  {r.part:>15}: {r.effect:12.4g}  [{r.ci_low:.4g}, {r.ci_high:.4g}]")
    write_atomic(out / "manifest.json", json.dumps(manifest, indent=2, default=str))
    write_report(out, args.lang)
    print(f"Results: {out.resolve()}")
    return 0
