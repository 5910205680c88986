"""``simulate.py validate``: the model against analytic limits and the evidence; exit 1 if a check fails."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path


def cmd_validate(args: argparse.Namespace, argv: list[str]) -> int:
    from ..outputs.paths import default_destination, prepare_destination

    started = datetime.now(UTC)
    dest = prepare_destination(
        args.out
        if args.out is not None
        else default_destination(Path("results"), "validation", started.strftime("%Y%m%d-%H%M%S")),
        "validation",
    )
    from tqdm import tqdm

    from ..experiments.validation import plan
    from ..outputs.folder import manifest, write_validation

    jobs = plan(quick=args.quick, workers=args.workers, batch=args.batch)
    checks = []
    t0 = time.perf_counter()
    with tqdm(total=len(jobs), unit="check", disable=args.quiet, file=sys.stderr, desc="validation") as bar:
        for job in jobs:
            checks.extend(job())
            bar.update()
    info = manifest(
        argv,
        quick=args.quick,
        workers=args.workers,
        started=started.isoformat(timespec="seconds"),
        wall_seconds=round(time.perf_counter() - t0, 3),
    )
    out = write_validation(dest, checks, info, args.lang)
    width = max(len(c.check) for c in checks)
    print(f"{'check':<{width}}  {'expected':>14}  {'simulated [95% interval]':>34}  {'tolerance':<38} result")
    for c in checks:
        sim = f"{c.simulated:.4g} [{c.ci_low:.4g}, {c.ci_high:.4g}]"
        print(f"{c.check:<{width}}  {c.expected:>14}  {sim:>34}  {c.tolerance:<38} {c.result}")
    print("\nWhat each group shows, and its source:")
    for group in dict.fromkeys(c.group for c in checks):
        first = next(c for c in checks if c.group == group)
        print(f"  {group}: {first.shows} [{first.source}]")
    failed = sum(not c.passed for c in checks)
    unsure = sum(c.result == "inconclusive" for c in checks)
    print(
        f"{len(checks) - failed - unsure} passed, {unsure} inconclusive (95% interval wider than the range), "
        f"{failed} failed"
    )
    print(f"Results: {out.resolve()}")
    return 1 if failed else 0
