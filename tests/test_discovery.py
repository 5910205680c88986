"""Scenario discovery: PRIM finds the region where the answer is known, CART agrees, the chance it
pays has an interval that counts points and replication noise, and the command is deterministic
across worker counts and an interrupt with --resume."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.experiments.discovery import cart_rules, chance_it_pays, latin_hypercube, prim_box
from model.experiments.sensitivity import Factor

from .conftest import ROOT, kill_after_parts, simulate

WOOD = ROOT / "scenarios" / "woodworking_kaluga.yaml"


def _space(n: int = 300, seed: int = 5) -> pd.DataFrame:
    fs = [
        Factor("district.coordination_cost", 0.0, 10.0, False),
        Factor("sharing.failure_prob", 0.0, 0.15, False),
        Factor("market.load", 0.5, 1.0, False),
        Factor("trust.gain", 0.0, 1.0, False),
    ]
    return pd.DataFrame(latin_hypercube(fs, n, seed), columns=[f.path for f in fs])


@pytest.mark.parametrize("noise", [0.0, 0.1])
def test_prim_bounds_only_the_parameter_that_decides_near_its_threshold(noise):
    """The district fails to pay only when coordination cost is above 4.2 kRUB/unit and nothing
    else matters (with 10% of the labels flipped at random in the second case): the box is bounded
    on coordination cost near 4.2 and restricts nothing else."""
    x = _space()
    fails = (x["district.coordination_cost"] > 4.2).to_numpy()
    flip = np.random.default_rng(7).random(len(x)) < noise
    box = prim_box(x, fails ^ flip)
    assert list(box.limits["parameter"]) == ["district.coordination_cost"]
    row = box.limits.iloc[0]
    assert row["bound"] == "above"
    assert row["low"] == pytest.approx(4.2, abs=0.3)
    assert box.coverage > 0.85
    assert box.density > 0.85


def test_prim_finds_both_conditions_of_a_two_parameter_failure():
    x = _space()
    fails = ((x["district.coordination_cost"] > 4.2) & (x["sharing.failure_prob"] > 0.08)).to_numpy()
    box = prim_box(x, fails)
    lim = box.limits.set_index("parameter")
    assert set(lim.index) == {"district.coordination_cost", "sharing.failure_prob"}
    assert lim.loc["district.coordination_cost", "low"] == pytest.approx(4.2, abs=0.4)
    assert lim.loc["sharing.failure_prob", "low"] == pytest.approx(0.08, abs=0.01)


def test_cart_gives_the_same_rule_as_a_second_view():
    x = _space()
    rules = cart_rules(x, (x["district.coordination_cost"] > 4.2).to_numpy())
    top = rules.iloc[0]
    assert top["rule"].startswith("district.coordination_cost > 4.")
    assert top["coverage"] == pytest.approx(1.0)


def test_no_failure_gives_no_box():
    x = _space(50)
    assert prim_box(x, np.zeros(len(x), dtype=bool)) is None
    assert cart_rules(x, np.zeros(len(x), dtype=bool)).empty


def test_the_chance_it_pays_counts_points_and_replication_noise():
    rng = np.random.default_rng(2)
    mean = rng.normal(0.4, 1.0, 200)
    exact = chance_it_pays(mean, np.zeros(200), seed=1)
    noisy = chance_it_pays(mean, np.full(200, 2.0), seed=1)
    raw = (mean > 0).mean()
    assert exact["share_of_means"] == noisy["share_of_means"] == pytest.approx(raw)
    assert exact["share"] == pytest.approx(raw, abs=0.005)  # no noise: the share of points
    for row in (exact, noisy):
        assert 0 <= row["ci_low"] <= row["share"] <= row["ci_high"] <= 1
    # replication noise at each point widens the interval and pulls the share toward one half:
    # a point whose sign is uncertain is not read as paying
    assert noisy["ci_high"] - noisy["ci_low"] > exact["ci_high"] - exact["ci_low"]
    assert 0.5 < noisy["share"] < raw
    fewer = chance_it_pays(mean[:40], np.zeros(40), seed=1)
    assert fewer["ci_high"] - fewer["ci_low"] > exact["ci_high"] - exact["ci_low"]
    assert chance_it_pays(mean, np.zeros(200), seed=1) == exact  # seeded: the same numbers again


ARGS = [
    "discover", str(WOOD), "--samples", "16", "--replications", "2", "--steps", "52", "--quiet",
    "--param", "district.coordination_cost", "--param", "sharing.failure_prob", "--param", "market.load",
]  # fmt: skip
TABLES = ("sample_effects.csv", "discover_points.csv", "pays.csv", "cart_rules.csv")


def _tables(folder) -> dict[str, pd.DataFrame]:
    return {name: pd.read_csv(folder / name) for name in TABLES}


def test_discover_writes_rules_and_the_chance_it_pays_the_same_for_one_and_two_workers(tmp_path):
    one = simulate(*ARGS, "--out", str(tmp_path / "one"))
    assert one.returncode == 0, one.stderr
    two = simulate(*ARGS, "--workers", "2", "--out", str(tmp_path / "two"))
    assert two.returncode == 0, two.stderr
    for name, frame in _tables(tmp_path / "one").items():
        pd.testing.assert_frame_equal(frame, _tables(tmp_path / "two")[name], obj=name)
    assert "profit_per_firm: the 'district' effect is above zero over an estimated" in one.stdout
    assert "Discovery (profit_per_firm)" in one.stdout
    page = (tmp_path / "one" / "report.html").read_text(encoding="utf-8")
    for needle in ("In brief", "The chance it pays", "How to read this", "discover_points.png", "two-level bootstrap"):
        assert needle in page
    points = pd.read_csv(tmp_path / "one" / "discover_points.csv")
    assert len(points) == 16
    assert (points["fails"] == ~(points["effect"] > 0)).all()


@pytest.mark.slow  # the same job machinery's kill-and-resume runs in CI for sweeps (test_design) and studies
def test_a_killed_discovery_resumes_to_the_same_tables(tmp_path):
    whole = tmp_path / "whole"
    assert simulate(*ARGS, "--out", str(whole)).returncode == 0
    part = tmp_path / "part"
    kill_after_parts(ARGS, part)
    assert not (part / "pays.csv").exists()
    resumed = simulate(*ARGS, "--out", str(part), "--resume")
    assert resumed.returncode == 0, resumed.stderr
    for name, frame in _tables(whole).items():
        pd.testing.assert_frame_equal(frame, _tables(part)[name], obj=name)
