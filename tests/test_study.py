"""``simulate.py study``: it prints its plan and estimate, runs every step into its own folder,
writes one report in English and Russian with the brief first, and resumes step by step."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from model.cli import study
from model.cli.dispatch import main

from .conftest import ROOT

WOOD = ROOT / "scenarios" / "woodworking_kaluga.yaml"
TINY = study.Size(
    run_reps=2, run_steps=20, steps=20, screen_trajectories=2, screen_reps=2, sweeps=1, sweep_points=3,
    design_reps=2, discover_samples=12,
)  # fmt: skip
# three mechanisms on: attribution has 2^3 coalitions
THREE = ["--set", "mechanisms.asset_light=false", "--set", "mechanisms.specialization=false",
         "--set", "mechanisms.spillovers=false", "--set", "mechanisms.adjacent=false",
         "--set", "mechanisms.export=false"]  # fmt: skip


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    patch = pytest.MonkeyPatch()
    patch.setattr(study, "QUICK", TINY)
    yield tmp_path_factory.mktemp("study")
    patch.undo()


def test_a_study_runs_its_plan_and_writes_one_report_in_two_languages(tiny, capsys):
    out = tiny / "s"
    assert main(["study", str(WOOD), "--quick", *THREE, "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "study of woodworking_kaluga (quick size), plan:" in err
    assert "estimated: about" in err
    for step in ("run", "screen", "attribute", "discover"):
        assert (out / step / ".district-sim.json").exists(), step
    sweeps = list(out.glob("sweep-*"))
    assert len(sweeps) == 1
    # the swept parameter is the screening's highest ranked
    screen = pd.read_csv(out / "screen" / "sensitivity_profit_per_firm.csv")
    best = screen.sort_values(["within_noise", "mu_star"], ascending=[True, False])["parameter"].iloc[0]
    assert sweeps[0].name == f"sweep-{best}"
    assert (out / "evidence.csv").exists()
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.index("In brief") < page.index("The pilot run") < page.index("The plan that ran")
    for needle in ("thousand roubles a year more profit per firm", "The chance it pays", "Break-even",
                   "Which mechanisms give the effect", "Validation: the evidence checks"):  # fmt: skip
        assert needle in page or needle.replace("more", "less") in page or "cannot tell" in page, needle
    ru = (out / "report_ru.html").read_text(encoding="utf-8")
    assert '<html lang="ru">' in ru
    assert "Коротко" in ru
    assert "Выполненный план" in ru


def test_a_study_resumes_the_steps_that_did_not_finish(tiny, capsys):
    out = tiny / "s"
    before = pd.read_csv(out / "discover" / "pays.csv")
    shutil.rmtree(out / "discover")  # as if stopped before discovery
    (out / ".district-sim.json").unlink()
    assert main(["study", str(WOOD), "--quick", *THREE, "--out", str(out), "--resume"]) == 0
    err = capsys.readouterr().err
    assert "study: run: finished earlier, kept" in err
    assert "study: discover: scenario discovery" in err
    pd.testing.assert_frame_equal(before, pd.read_csv(out / "discover" / "pays.csv"))
    assert (out / ".district-sim.json").exists()
