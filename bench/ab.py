"""A/B of the model's step: a git revision against the working tree, in one process, alternating.

Usage: python bench/ab.py [REV] [--firms 1000] [--rounds 10]

On a shared machine that slows down in bursts lasting seconds, two measurements in separate
processes can each catch a different burst. Here both trees are imported side by side (the
revision as the package ``model_base``, from a temporary git worktree) and their steps alternate
in one process, window by window, so a burst hits both. The window is the bench's (the woodworking
pilot scaled to ``--firms``, district regime, 2 weeks of warm-up, then 50 timed weeks). Printed:
each phase's median cost per firm-step in both trees and their ratio; then the whole step.
This compares two versions of our model; ``bench.py`` measures it against Mesa.
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "woodworking_kaluga.yaml"


def window(dist, obs, scenario, firms: int) -> dict[str, float]:
    """Seconds per phase over the bench's window of one fresh run."""
    m = dist.DistrictModel(scenario, 0)
    m.step()
    m.step()
    spent: dict[str, float] = {}
    for _ in range(50):
        w = m.world
        m.steps += 1
        w.steps = m.steps
        for name, phase in dist.SCHEDULE:
            t = time.perf_counter()
            phase(w)
            spent[name] = spent.get(name, 0.0) + time.perf_counter() - t
        t = time.perf_counter()
        m._sync_agents()
        m.history[m.steps - 1] = obs.observe(w)[0]
        spent["observe"] = spent.get("observe", 0.0) + time.perf_counter() - t
    return {k: v / (50 * firms) * 1e6 for k, v in spent.items()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rev", nargs="?", default="HEAD", help="git revision to compare against (default HEAD)")
    ap.add_argument("--firms", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=10)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(tree), args.rev], check=True)
        try:
            pkgs = Path(tmp) / "pkgs"
            pkgs.mkdir()
            (pkgs / "model_base").symlink_to(tree / "model")
            sys.path[:0] = [str(pkgs), str(ROOT)]
            trees = {}
            for label, name in ((args.rev, "model_base"), ("working tree", "model")):
                pkg = importlib.import_module(name)
                exp = pkg.load_experiment(SCENARIO, [f"firms.count={args.firms}", "steps=52"])
                trees[label] = (
                    importlib.import_module(f"{name}.sim.district"),
                    importlib.import_module(f"{name}.sim.observe"),
                    exp.regimes["district"],
                )
            runs: dict[str, list[dict[str, float]]] = {label: [] for label in trees}
            for i in range(args.rounds):
                for label, (dist, obs, scenario) in trees.items():
                    runs[label].append(window(dist, obs, scenario, args.firms))
                print(f"  round {i + 1} of {args.rounds}", file=sys.stderr)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=True)
    base, new = runs.values()
    print(f"{args.firms:,} firms, {args.rounds} rounds, us per firm-step (median): {args.rev} against the working tree")
    for phase in new[0]:
        b = statistics.median(r[phase] for r in base)
        n = statistics.median(r[phase] for r in new)
        print(f"  {phase:12s} {b:7.3f} {n:7.3f}  {n / b:5.2f}")
    ratio = statistics.median(sum(n.values()) / sum(b.values()) for b, n in zip(base, new, strict=True))
    b_all = statistics.median(sum(r.values()) for r in base)
    n_all = statistics.median(sum(r.values()) for r in new)
    print(f"  {'step':12s} {b_all:7.3f} {n_all:7.3f}  {ratio:5.2f} (median of the rounds' ratios)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
