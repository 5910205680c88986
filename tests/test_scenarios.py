"""Scenario files: every pilot loads and runs; extends, --set and regimes behave as documented."""

from __future__ import annotations

import re
import textwrap

import numpy as np
import pytest

from model.scenario_io import ScenarioError, load_experiment
from model.sim.district import DistrictModel
from model.sim.params import MECHANISMS, Scenario, parameter_table

from .conftest import PILOTS, SCENARIO_FILES, SCENARIO_IDS

NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")
CORE_METRICS = (
    "firms_active",
    "demand",
    "output",
    "lost_sales",
    "revenue",
    "profit",
    "roa",
    "utilization",
    "unit_cost",
    "defect_rate",
    "lead_time",
    "adjacent_revenue",
    "employment",
)


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=SCENARIO_IDS)
def test_scenario_file_loads_and_runs_a_few_steps(path):
    exp = load_experiment(path)
    assert exp.baseline == "standalone"
    assert set(exp.regimes) >= {"standalone", "district"}
    for scenario in exp.regimes.values():
        m = DistrictModel(scenario, 0)
        for _ in range(5):
            m.step()
        core = [i for i, x in enumerate(m.metrics) if x.name in CORE_METRICS]
        assert np.isfinite(m.history[:5, core]).all()
        assert len(m.agents) == scenario.firms.count


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=SCENARIO_IDS)
def test_scenario_files_comment_every_number(path):
    """Each line that sets a number carries a comment: its source, 'calibrated', 'design' or 'assumption'."""
    lines = path.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        body, _, comment = line.partition("#")
        value = body.split(":", 1)[1].strip() if ":" in body else ""
        if NUMBER.fullmatch(value):
            assert comment.strip(), f"{path.name}:{i + 1} has no source: {line}"


def test_pilots_differ_in_their_value_chains():
    chains = {load_experiment(p).base.stage_names for p in PILOTS}
    assert len(chains) == len(PILOTS)


def test_every_parameter_has_unit_range_and_source():
    rows = parameter_table()
    assert len(rows) > 40
    for row in rows:
        assert row["unit"], row["path"]
        assert row["source"], row["path"]
        lo_hi = row["plausible"]
        if lo_hi is not None and isinstance(row["default"], int | float) and not isinstance(row["default"], bool):
            assert lo_hi[0] <= lo_hi[1], row["path"]


def test_all_eight_mechanism_switches_exist():
    assert set(Scenario.model_fields["mechanisms"].annotation.model_fields) == set(MECHANISMS)
    assert len(MECHANISMS) == 8


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


BASE = """\
    name: base
    steps: 10
    stages:
      - name: cut
      - name: dry
        variable_cost: 5
    district:
      coordination_cost: 1.0
"""


def test_extends_merges_mappings_and_replaces_lists(tmp_path):
    write(tmp_path, "base.yaml", BASE)
    child = write(
        tmp_path,
        "child.yaml",
        """\
        extends: base.yaml
        name: child
        district:
          membership_fee: 3.5
    """,
    )
    exp = load_experiment(child)
    assert exp.name == "child"
    assert exp.base.district.membership_fee == 3.5
    assert exp.base.district.coordination_cost == 1.0
    assert exp.base.stage_names == ("cut", "dry")


def test_set_overrides_with_validation_and_stage_names(tmp_path):
    path = write(tmp_path, "base.yaml", BASE)
    exp = load_experiment(path, ["district.coordination_cost=4", "stages.dry.variable_cost=7", "stages.0.fixed_cost=3"])
    assert exp.base.district.coordination_cost == 4
    assert exp.base.stages[1].variable_cost == 7
    assert exp.base.stages[0].fixed_cost == 3
    with pytest.raises(
        ScenarioError,
        match=r"--set district.coordination_cost=-1: district.coordination_cost: "
        r"input should be greater than or equal to 0",
    ):
        load_experiment(path, ["district.coordination_cost=-1"])


def test_default_regimes_are_standalone_baseline_and_district(tmp_path):
    exp = load_experiment(write(tmp_path, "base.yaml", BASE))
    assert list(exp.regimes) == ["standalone", "district"]
    assert exp.regimes["standalone"].district.membership_share == 0.0
    assert exp.regimes["district"].district.membership_share == 1.0


def test_named_regimes_with_nested_or_dotted_overrides(tmp_path):
    path = write(
        tmp_path,
        "r.yaml",
        BASE
        + """\
    regimes:
      alone: {district.membership_share: 0}
      costly:
        district:
          coordination_cost: 9
      half: {district.membership_share: 0.5}
    baseline: alone
    """,
    )
    exp = load_experiment(path)
    assert list(exp.regimes) == ["alone", "costly", "half"]
    assert exp.regimes["costly"].district.coordination_cost == 9
    assert exp.regimes["half"].district.membership_share == 0.5


def test_resolved_scenario_reloads_to_the_same_experiment(tmp_path):
    import yaml

    exp = load_experiment(PILOTS[0], ["district.coordination_cost=2.5"])
    path = tmp_path / "resolved.yaml"
    path.write_text(yaml.safe_dump(exp.resolved(), sort_keys=False), encoding="utf-8")
    again = load_experiment(path)
    assert again.regimes == exp.regimes


def test_a_file_is_parsed_once_per_content_and_callers_get_copies(tmp_path, monkeypatch):
    from model import scenario_io

    parses = []
    parse = scenario_io._parse
    monkeypatch.setattr(scenario_io, "_parse", lambda raw, origin: parses.append(origin) or parse(raw, origin))
    path = write(tmp_path, "base.yaml", BASE)
    first, _ = scenario_io.read_yaml(path)
    first["district"]["coordination_cost"] = 99.0  # a caller changing its copy
    assert load_experiment(path, ["district.membership_fee=7.5"]).base.district.coordination_cost == 1.0
    assert load_experiment(path).base.district.membership_fee != 7.5
    assert len(parses) == 1
    # an edited file is parsed again, and a bad edit is an error every time it is read
    path.write_text(path.read_text(encoding="utf-8").replace("coordination_cost: 1.0", "coordination_cost: 2.0"))
    assert load_experiment(path).base.district.coordination_cost == 2.0
    path.write_text(path.read_text(encoding="utf-8") + "  : [\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(ScenarioError, match=r"base\.yaml:\d+:\d+: YAML error"):
            load_experiment(path)
    assert len(parses) == 4
