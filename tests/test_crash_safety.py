"""Crash safety: a worker that dies is reported with its run; finished runs survive; Ctrl-C says what was kept."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from .conftest import ROOT, simulate

WOOD = ROOT / "scenarios" / "woodworking_kaluga.yaml"


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]


def _start(args: list[str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(ROOT / "simulate.py"), *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _kill_a_worker_when(proc: subprocess.Popen, ready, timeout: float = 120) -> None:
    """SIGKILL one worker process of ``proc`` once ``ready()`` holds (as the OOM killer would)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        kids = _children(proc.pid)
        if len(kids) >= 2 and ready():
            # the pool's workers are the most recent children (a resource tracker may come first)
            os.kill(kids[-1], signal.SIGKILL)
            return
        time.sleep(0.05)
    raise AssertionError("the job never reached the point where a worker is killed")


SWEEP = [
    "sweep",
    str(WOOD),
    "--vary",
    "district.coordination_cost=0,2,4,6,8,10",
    "--replications",
    "2",
    "--steps",
    "156",
    "--workers",
    "2",
    "--quiet",
    "--outcome",
    "profit",
]


def test_worker_death_in_a_sweep_names_the_run_and_keeps_the_others(tmp_path):
    out = tmp_path / "job"
    proc = _start([*SWEEP, "--out", str(out)], tmp_path)
    _kill_a_worker_when(proc, lambda: len(list((out / "runs").glob("*.parquet"))) >= 2)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, err
    assert "Traceback" not in err, err
    last = err.strip().splitlines()[-1]  # after the line announcing the job
    assert last.startswith("error: a worker process died")
    assert "while running one of: point " in last
    assert "replication" in last
    assert f"finished runs are kept in {out}/runs" in last
    kept = len(list((out / "runs").glob("*.parquet")))
    assert kept >= 2
    # the kept runs are not run again, and the tables equal an uninterrupted job's
    done = simulate(*SWEEP, "--out", str(out), "--resume")
    assert done.returncode == 0, done.stderr
    whole = tmp_path / "whole"
    assert simulate(*SWEEP, "--out", str(whole)).returncode == 0
    pd.testing.assert_frame_equal(
        pd.read_csv(out / "sweep_effects.csv"), pd.read_csv(whole / "sweep_effects.csv"), check_exact=True
    )


def test_worker_death_in_a_run_names_the_run_and_writes_nothing(tmp_path):
    proc = _start([str(WOOD), "--replications", "6", "--steps", "260", "--workers", "2", "--out", "out"], tmp_path)
    _kill_a_worker_when(proc, lambda: True)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, err
    last = err.strip().splitlines()[-1]
    assert "a worker process died" in last, err
    assert "regime '" in last
    assert "replications 0-5" in last  # the batch of the regime's six replications
    assert "of 12 runs had finished" in last
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_interrupted_sweep_says_what_was_kept(tmp_path):
    out = tmp_path / "job"
    proc = _start([*SWEEP, "--out", str(out)], tmp_path)
    deadline = time.time() + 120
    while time.time() < deadline and len(list((out / "runs").glob("*.parquet"))) < 2:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    last = err.strip().splitlines()[-1]
    assert last.startswith("interrupted: "), err
    assert "finished runs are kept in" in last
    assert "--resume" in last
