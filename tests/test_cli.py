"""End to end: one command on a pilot writes the complete, self-describing results folder."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest
import yaml

from .conftest import ROOT, simulate

WOOD = ROOT / "scenarios" / "woodworking_kaluga.yaml"
COLUMNS = [
    "regime",
    "replication",
    "step",
    "firms_active",
    "output",
    "demand",
    "lost_sales",
    "revenue",
    "profit",
    "fixed_assets",
    "utilization",
    "unit_cost",
    "shared_units",
    "coordination_cost",
]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "wood"
    proc = simulate(str(WOOD), "--replications", "3", "--steps", "30", "--out", str(out), "--workers", "2")
    assert proc.returncode == 0, proc.stderr
    assert f"Results: {out}" in proc.stdout
    return out


def test_results_folder_has_every_file(run_dir):
    for name in (
        "scenario.yaml",
        "manifest.json",
        "timeseries.parquet",
        "summary.csv",
        "effects.csv",
        "charts/timeseries.png",
        "charts/paired_difference.png",
        "charts/effects.png",
    ):
        assert (run_dir / name).is_file(), name
    assert not list(run_dir.parent.glob(".*partial*"))


def test_timeseries_has_one_row_per_regime_replication_step(run_dir):
    ts = pd.read_parquet(run_dir / "timeseries.parquet")
    assert list(ts.columns[:3]) == ["regime", "replication", "step"]
    assert set(COLUMNS) <= set(ts.columns)
    assert len(ts) == 2 * 3 * 30
    assert set(ts["regime"]) == {"standalone", "district"}
    assert (
        ts.groupby(["regime", "replication"], observed=True)["step"]
        .apply(list)
        .map(lambda s: s == list(range(1, 31)))
        .all()
    )


def test_summary_and_effects_tables(run_dir):
    summary = pd.read_csv(run_dir / "summary.csv")
    assert {"regime", "metric", "mean", "ci_low", "ci_high", "n"} <= set(summary.columns)
    effects = pd.read_csv(run_dir / "effects.csv")
    assert {"regime", "metric", "diff_mean", "ci_low", "ci_high", "rel_diff", "n"} <= set(effects.columns)
    assert set(effects["regime"]) == {"district"}
    profit = effects.set_index("metric").loc["profit"]
    assert profit["ci_low"] <= profit["diff_mean"] <= profit["ci_high"]


def test_manifest_records_what_is_needed_to_rerun(run_dir):
    manifest = json.loads((run_dir / "manifest.json").read_text())
    for key in (
        "command",
        "root_seed",
        "replications",
        "steps",
        "regimes",
        "versions",
        "git_commit",
        "started",
        "finished",
        "wall_seconds",
    ):
        assert key in manifest, key
    assert manifest["replications"] == 3
    assert manifest["steps"] == 30
    assert manifest["versions"]["mesa"].startswith("3.5")


def test_rerunning_the_resolved_scenario_reproduces_the_numbers(run_dir, tmp_path):
    resolved = yaml.safe_load((run_dir / "scenario.yaml").read_text())
    assert resolved["replications"] == 3
    proc = simulate(str(run_dir / "scenario.yaml"), "--out", str(tmp_path / "again"), "--quiet")
    assert proc.returncode == 0, proc.stderr
    a = pd.read_parquet(run_dir / "timeseries.parquet")
    b = pd.read_parquet(tmp_path / "again" / "timeseries.parquet")
    pd.testing.assert_frame_equal(a, b)


def test_short_form_equals_run_subcommand(tmp_path):
    one = simulate("run", str(WOOD), "--replications", "1", "--steps", "5", "--out", str(tmp_path / "a"), "--quiet")
    two = simulate(str(WOOD), "--replications", "1", "--steps", "5", "--out", str(tmp_path / "b"), "--quiet")
    assert one.returncode == two.returncode == 0
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "a" / "timeseries.parquet"), pd.read_parquet(tmp_path / "b" / "timeseries.parquet")
    )


def test_an_earlier_results_folder_is_replaced_whole_and_one_with_other_files_is_kept(run_dir, tmp_path):
    out = tmp_path / "replace"
    assert simulate(str(WOOD), "--replications", "1", "--steps", "5", "--out", str(out), "--quiet").returncode == 0
    assert simulate(str(WOOD), "--replications", "1", "--steps", "6", "--out", str(out), "--quiet").returncode == 0
    assert len(pd.read_parquet(out / "timeseries.parquet")) == 2 * 6
    # a file the tool did not write makes the folder the user's: refused, nothing deleted
    (out / "notes.txt").write_text("mine")
    again = simulate(str(WOOD), "--replications", "1", "--steps", "7", "--out", str(out), "--quiet")
    assert again.returncode == 2
    assert (
        again.stderr.strip()
        == f"error: --out {out}: holds notes.txt, which this tool did not write; choose another --out"
    )
    assert (out / "notes.txt").read_text() == "mine"
    assert len(pd.read_parquet(out / "timeseries.parquet")) == 2 * 6


@pytest.mark.parametrize("sig", ["SIGINT", "SIGTERM"])
def test_interrupted_run_leaves_no_results_folder(tmp_path, sig):
    import signal
    import time

    proc = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "simulate.py"),
            str(WOOD),
            "--replications",
            "200",
            "--workers",
            "2",
            "--out",
            "out",
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(4)
    proc.send_signal(getattr(signal, sig))
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert err.strip().splitlines()[-1] == "interrupted: no results folder was written"
    assert list(tmp_path.iterdir()) == []
