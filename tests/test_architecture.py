"""Architecture rules over every file under model/ (not a hand-kept list): the floors
cli -> outputs -> experiments -> scenario_io -> sim, errors at the bottom; no circle; one run
(model/sim) does no I/O and imports only numpy, Mesa, pydantic and a few pure standard modules."""

from __future__ import annotations

import ast
import importlib.util
import re
import sys

import pytest

from .conftest import ROOT

_spec = importlib.util.spec_from_file_location("import_graph", ROOT / "tools" / "import_graph.py")
import_graph = importlib.util.module_from_spec(_spec)
sys.modules["import_graph"] = import_graph
_spec.loader.exec_module(import_graph)

MODEL_FILES = sorted((ROOT / "model").rglob("*.py"))
SIM_FILES = sorted((ROOT / "model" / "sim").rglob("*.py"))
SIM_THIRD_PARTY = {"numpy", "mesa", "pydantic"}
SIM_STDLIB = {"math", "dataclasses", "typing", "functools", "collections"}
EDGES = import_graph.graph()


def test_the_walk_sees_every_file_under_model():
    assert len(MODEL_FILES) >= 25
    assert {import_graph.module_name(p) for p in MODEL_FILES} == set(EDGES)
    assert all(import_graph.layer(m) for m in EDGES if m != "model"), "a module outside every floor"


def test_no_import_runs_upward():
    assert import_graph.upward(EDGES) == []


def test_the_import_graph_has_no_circle():
    assert import_graph.circles(EDGES) == []


def test_errors_import_nothing_of_model():
    assert EDGES["model.errors"] == {}


def test_nothing_imports_the_command_line():
    users = [
        m
        for m, targets in EDGES.items()
        for t in targets
        if t.startswith("model.cli") and not m.startswith("model.cli")
    ]
    assert users == []


@pytest.mark.parametrize("path", SIM_FILES, ids=lambda p: p.name)
def test_one_run_imports_only_pure_modules_and_does_no_io(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    outside = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            outside |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module != "__future__":
            outside.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") in {"print", "open", "input", "exec", "eval"}:
            pytest.fail(f"{path.name}:{node.lineno} calls {node.func.id}()")
    assert outside <= SIM_THIRD_PARTY | SIM_STDLIB, outside - SIM_THIRD_PARTY - SIM_STDLIB
    # randomness only from the named streams of rng.py: no global-state numpy.random calls
    assert not re.findall(r"np\.random\.(?!Generator|SeedSequence|PCG64\b)\w+", path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("package", ["sim", "experiments", "outputs"])
def test_layer_packages_are_docstring_only(package):
    """Importing model.sim.params must not import Mesa, nor model.outputs.paths Matplotlib."""
    tree = ast.parse((ROOT / "model" / package / "__init__.py").read_text(encoding="utf-8"))
    assert len(tree.body) == 1
    assert isinstance(tree.body[0], ast.Expr)
    assert isinstance(tree.body[0].value, ast.Constant)


def test_the_rules_catch_an_upward_import_and_a_circle():
    """The checks themselves can fail: a sim module importing outputs, and a two-module circle."""
    fake = {"model.sim.a": {"model.outputs.b": 3}, "model.outputs.b": {"model.sim.a": 1}}
    assert import_graph.upward(fake) == ["model.sim.a:3 imports model.outputs.b (sim -> outputs)"]
    assert import_graph.circles(fake) == [["model.outputs.b", "model.sim.a"]]


def _odd_section(number: str) -> str:
    text = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
    start = text.index(f"\n## {number}.")
    return text[start : text.index("\n## ", start + 1)]


def test_the_schedule_is_the_order_odd_section_3_writes():
    from model.sim.district import SCHEDULE

    written = re.findall(r"^\d+\. \*\*(\w+)\*\*", _odd_section("3"), flags=re.MULTILINE)
    assert written == [name for name, _ in SCHEDULE] + ["observe"]


def test_every_phase_is_a_plain_function_of_the_world_in_its_odd_submodel_module():
    import inspect

    from model.sim.district import SCHEDULE

    submodels = set(re.findall(r"^### (7\.\d+) ", (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8"), re.M))
    for name, phase in SCHEDULE:
        assert list(inspect.signature(phase).parameters) == ["w"], name
        module = sys.modules[phase.__module__]
        section = re.match(r"ODD (7\.\d+)", module.__doc__ or "")
        assert section, f"{module.__name__}: docstring does not start with its ODD section"
        assert section.group(1) in submodels, module.__name__


def test_phase_modules_know_nothing_of_mesa_or_the_model_shell():
    shell = {"model.sim.district", "model.sim.init", "model.sim.agents"}
    for mod, targets in EDGES.items():
        if mod.startswith("model.sim.") and mod not in shell:
            assert "mesa" not in {t.split(".")[0] for t in import_graph.imports_of(mod)}, mod
            assert not set(targets) & shell, (mod, set(targets) & shell)
