"""The validation suite: analytic expectations, the quick run, and that it catches broken mechanisms."""

from __future__ import annotations

import csv

import numpy as np
import pytest

import model.sim.network
from model.experiments import validation
from model.sim import learning, trust
from model.sim.params import Mechanisms

from .conftest import simulate

TINY = validation.Size(reps=2, steps=150, groups=60, pilot_reps=2, pilot_steps=52)


@pytest.mark.parametrize(
    ("n", "z", "rho", "expected"),
    [
        (4, 0.0, 0.0, 0.500),
        (10, 0.0, 0.0, 0.316),
        (25, 0.0, 0.0, 0.200),
        (4, 0.5, 0.0, 0.211),
        (10, 0.5, 0.0, 0.039),
        (10, 0.0, 0.3, 0.608),
        (10, 0.0, 0.7, 0.854),
    ],
)
def test_eppen_expectations_match_the_domain_brief(n, z, rho, expected):
    assert validation.eppen_ratio(n, z, rho) == pytest.approx(expected, abs=6e-4)


def test_quick_validation_passes_and_writes_its_table(tmp_path):
    """`simulate.py validate --quick`: every check passes, table printed, CSV and chart written."""
    proc = simulate("validate", "--quick", "--quiet", "--out", str(tmp_path / "v"), timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    with (tmp_path / "v" / "validation.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 25
    # an evidence check whose interval overlaps its range but reaches beyond it is inconclusive,
    # not passed; only evidence checks can be inconclusive, and none fails
    unsure = [r for r in rows if r["result"] == "inconclusive"]
    assert all(r["group"] == "evidence" for r in unsure)
    for r in rows:
        inside = float(r["accept_low"]) <= float(r["ci_low"]) and float(r["ci_high"]) <= float(r["accept_high"])
        if r["group"] == "evidence":
            assert (r["result"] == "pass") == inside, r
    passed = 25 - len(unsure)
    assert f"{passed} passed, {len(unsure)} inconclusive (95% interval wider than the range), 0 failed" in proc.stdout
    assert {r["group"] for r in rows} == {
        "risk pooling",
        "correlated demand",
        "learning",
        "null",
        "monotone cost",
        "evidence",
    }
    assert all(r["source"] and r["shows"] for r in rows)
    assert (tmp_path / "v" / "validation.png").stat().st_size > 10_000
    page = (tmp_path / "v" / "report.html").read_text(encoding="utf-8")
    assert f"{passed} checks passed, {len(unsure)} inconclusive, 0 failed" in page
    assert "quick" in page
    assert page.count("<td>pass</td>") == passed
    assert page.count("<td>inconclusive (interval wider than the range)</td>") == len(unsure)
    assert "data:image/png;base64," in page


def test_validation_report_names_a_failed_check_in_the_chosen_language(tmp_path):
    from model.outputs.folder import write_validation

    def check(group, passed):
        return validation.Check(
            group=group,
            check=f"a {group} check",
            shows=f"what {group} shows",
            source="a source",
            expected="0.5",
            simulated=0.61,
            ci_low=0.6,
            ci_high=0.62,
            tolerance="5% of expected",
            passed=passed,
            accept_low=0.475,
            accept_high=0.525,
        )

    out = tmp_path / "v"
    write_validation(out, [check("risk pooling", False), check("null", True)], {"command": ["validate"]}, "ru")
    page = (out / "report.html").read_text(encoding="utf-8")
    assert '<html lang="ru">' in page
    assert "Проверка модели district-sim" in page
    assert "проверок пройдено: 1, не решено: 0, не пройдено: 1" in page
    assert page.count("НЕ ПРОЙДЕНА") == 1
    assert page.count("<td>пройдена</td>") == 1
    assert "what risk pooling shows" in page
    assert "0,61 [0,6, 0,62]" in page


def test_doubling_the_learning_exponent_fails_the_wright_check(monkeypatch):
    original = learning.update_costs

    def steeper(w):
        w.learning_exponent = 2 * np.log2([st.progress_ratio for st in w.scenario.stages])
        original(w)

    monkeypatch.setattr(learning, "update_costs", steeper)
    assert not validation._wright_check(0.8).passed


def test_clearing_that_loses_half_the_pooled_capacity_fails_risk_pooling(monkeypatch):
    original = model.sim.network.clear_pairs
    monkeypatch.setattr(model.sim.network, "clear_pairs", lambda *a, **k: 0.5 * original(*a, **k))
    assert validation._pooling_check(10, 0.0, 0.0, TINY, validation.RunsOn(workers=1)).passed is False


def test_working_clearing_passes_risk_pooling_at_the_same_size():
    assert validation._pooling_check(10, 0.0, 0.0, TINY, validation.RunsOn(workers=1)).passed


def test_a_district_that_charges_fees_with_every_mechanism_off_fails_the_null_check(monkeypatch):
    monkeypatch.setattr(Mechanisms, "any_member_mechanism", lambda self: True)
    assert not validation._null_check("woodworking_kaluga", TINY, validation.RunsOn(workers=1)).passed


# two replications leave a t-interval with one degree of freedom: too wide to see a rise reliably
MONOTONE = validation.Size(reps=2, steps=150, groups=60, pilot_reps=4, pilot_steps=52)


def test_coordination_that_pays_the_buyer_fails_the_monotone_cost_check(monkeypatch):
    """A 'cost' that subsidises trade makes the district gain more as it rises: the check must see it."""
    original = trust.coordination_rate
    monkeypatch.setattr(trust, "coordination_rate", lambda w, edges=None: -original(w, edges))
    assert not validation._monotone_check("woodworking_kaluga", MONOTONE, validation.RunsOn(workers=1)).passed


def test_working_model_passes_the_monotone_cost_check_at_the_same_size():
    assert validation._monotone_check("woodworking_kaluga", MONOTONE, validation.RunsOn(workers=1)).passed
