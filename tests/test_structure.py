"""Architecture rules: the core does no I/O; firms are Mesa agents backed by the model's arrays."""

from __future__ import annotations

import ast

import numpy as np
import pytest

from model.core import DistrictModel, Firm
from model.scenario_io import load_experiment

from .conftest import ROOT

CORE = ("core.py", "network.py", "observers.py", "rng.py", "params.py")
FORBIDDEN = {"yaml", "argparse", "matplotlib", "tqdm", "pandas", "random", "json", "os", "sys", "subprocess", "pathlib"}


@pytest.mark.parametrize("name", CORE)
def test_core_modules_import_no_io(name):
    tree = ast.parse((ROOT / "model" / name).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            imported.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") in {"print", "open"}:
            pytest.fail(f"{name} calls {node.func.id}()")
    assert not imported & FORBIDDEN, imported & FORBIDDEN
    assert "np.random.seed" not in (ROOT / "model" / name).read_text()


def test_firms_are_mesa_agents_reading_the_model_arrays():
    exp = load_experiment(ROOT / "scenarios" / "woodworking_kaluga.yaml", ["steps=3"])
    m = DistrictModel(exp.regimes["district"], 0)
    m.step()
    assert len(m.agents) == int(m.active.sum()) == m.n_start
    assert all(isinstance(a, Firm) for a in m.agents)
    members = m.agents.select(lambda f: f.member)
    assert len(members) == int((m.member & m.active).sum())
    big = m.agents.select(lambda f: f.employees >= 20)
    assert len(big) == int((m.active & (m.employees >= 20)).sum())
    firm = m.firms[5]
    assert firm.cash == m.cash[5]
    m.cash[5] += 1.0
    assert firm.cash == m.cash[5]  # a view, not a copy
    assert firm.bottleneck == m.stage_names[int(np.argmin(m.capacity[5]))]
    assert set(firm.capacity) == set(m.stage_names)


def test_exited_firms_leave_model_agents():
    exp = load_experiment(
        ROOT / "scenarios" / "woodworking_kaluga.yaml",
        ["steps=20", "firms.credit_limit_weeks=0", "firms.initial_cash_weeks=0", "market.load=0.3"],
    )
    m = DistrictModel(exp.regimes["standalone"], 0)
    m.run()
    assert (~m.active).sum() > 0
    assert len(m.agents) == int(m.active.sum())
    assert all(f.active for f in m.agents)


def test_odd_parameter_table_is_current():
    """docs/ODD.md lists every parameter exactly as model/params.py declares it."""
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "param_table.py"), "--check"], check=False, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout
