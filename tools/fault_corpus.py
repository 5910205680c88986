"""Kill the command line at many moments and check what it promises (not part of CI: minutes).

For a run and a sweep on 2 workers, send SIGKILL, SIGTERM or SIGINT after each of a series of
delays, then check:
- no worker outlives its parent by more than 5 s;
- a signal the tool can handle ends in exit status 130 and one line on stderr that is true
  (a run: "no results folder was written" only when none was; a sweep: the kept count is what
  is on disk);
- the folder is either absent or complete (marker present) for a run, and a sweep resumes to
  the same tables as an uninterrupted one;
- a later run into the same --out succeeds and removes what the killed process left.

    .venv/bin/python tools/fault_corpus.py [--delays 0.5,1,2,4,8] [--keep DIR]
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WOOD = str(ROOT / "scenarios" / "woodworking_kaluga.yaml")
RUN = [WOOD, "--replications", "8", "--steps", "104", "--workers", "2", "--quiet"]
SWEEP = ["sweep", WOOD, "--vary", "district.coordination_cost=0:10:6", "--replications", "2", "--steps", "104"]
SWEEP += ["--workers", "2", "--quiet", "--outcome", "profit"]


def simulate(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "simulate.py"), *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def children(pid: int) -> list[int]:
    try:
        return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except (OSError, IndexError):
        return True


def _kill(
    args: list[str], out: Path, sig: signal.Signals, delay: float
) -> tuple[subprocess.Popen, str, bool, set[int]]:
    """Start the command, send ``sig`` after ``delay`` seconds (unless it finished first); the
    process, its stderr, whether it finished first, and every worker seen."""
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "simulate.py"), *args, "--out", str(out)],
        cwd=out.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen: set[int] = set()
    t_end = time.time() + delay
    while time.time() < t_end and proc.poll() is None:
        seen.update(children(proc.pid))
        time.sleep(0.02)
    finished_first = proc.poll() is not None
    if not finished_first:
        seen.update(children(proc.pid))
        proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    return proc, err, finished_first, seen


def _message_problems(args: list[str], out: Path, proc: subprocess.Popen, err: str) -> list[str]:
    """What is wrong with how a handled signal ended: status, stderr, and what it says was kept."""
    problems = []
    lines = [x for x in err.strip().splitlines() if not x.startswith(("sweep:", "resume:"))]
    if proc.returncode != 130:
        problems.append(f"exit status {proc.returncode}, not 130: {err.strip()[-300:]}")
    if len(lines) != 1:
        problems.append(f"{len(lines)} lines on stderr: {lines}")
    if "Traceback" in err:
        problems.append("a traceback")
    last = lines[-1] if lines else ""
    if args[0] != "sweep" and "no results folder was written" in last and (out / ".district-sim.json").exists():
        problems.append("says no folder was written, but one is there")
    if args[0] == "sweep" and "kept in" in last:
        kept = len(list((out / "runs").glob("*.parquet")))
        said = last.split(" runs are kept")[0].split()[-1] if " runs are kept" in last else ""
        if "finished runs are kept" in last:
            said = last.split(" finished runs are kept")[0].split()[-1]
        if said.isdigit() and int(said) != kept:
            problems.append(f"says {said} runs are kept, {kept} are on disk")
    return problems


def one(args: list[str], out: Path, sig: signal.Signals, delay: float) -> list[str]:
    """One kill; the list of broken promises (empty when all hold)."""
    problems = []
    proc, err, finished_first, seen = _kill(args, out, sig, delay)
    deadline = time.time() + 5
    while not all(gone(k) for k in seen) and time.time() < deadline:
        time.sleep(0.05)
    if alive := [k for k in seen if not gone(k)]:
        problems.append(f"workers alive after their parent: {alive}")
    if finished_first or proc.returncode == 0:
        return problems
    if sig != signal.SIGKILL:
        problems += _message_problems(args, out, proc, err)
    if args[0] != "sweep" and out.exists() and not (out / ".district-sim.json").exists():
        problems.append("a results folder without its marker")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delays", default="0.3,1,2,3,5,8,12")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args()
    delays = [float(x) for x in args.delays.split(",")]
    work = args.keep or Path(tempfile.mkdtemp(prefix="fault-corpus-"))
    work.mkdir(parents=True, exist_ok=True)
    whole = work / "whole"
    done = simulate([*SWEEP, "--out", str(whole)], work)
    assert done.returncode == 0, done.stderr
    failures = 0
    for kind, cmd in (("run", RUN), ("sweep", SWEEP)):
        for sig in (signal.SIGKILL, signal.SIGTERM, signal.SIGINT):
            for delay in delays:
                out = work / f"{kind}-{sig.name}-{delay}"
                problems = one(cmd, out, sig, delay)
                if kind == "sweep" and out.exists():
                    again = simulate([*cmd, "--out", str(out), "--resume"], work)
                    if again.returncode != 0:
                        problems.append(f"resume failed: {again.stderr.strip()[-300:]}")
                    elif (out / "sweep_effects.csv").read_bytes() != (whole / "sweep_effects.csv").read_bytes():
                        problems.append("resumed tables differ from an uninterrupted job's")
                elif kind == "run":
                    again = simulate([*cmd, "--out", str(out)], work)
                    if again.returncode != 0:
                        problems.append(f"a rerun into the same --out failed: {again.stderr.strip()[-300:]}")
                    left = [p.name for p in work.iterdir() if p.name.startswith(f".{out.name}.")]
                    if left:
                        problems.append(f"leftovers after a rerun: {left}")
                status = "ok" if not problems else "FAIL: " + "; ".join(problems)
                failures += bool(problems)
                print(f"{kind:5} {sig.name:7} after {delay:4}s  {status}", flush=True)
    print(f"{failures} failing cases; work folder {work}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
