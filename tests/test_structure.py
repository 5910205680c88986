"""Structure: firms are Mesa agents backed by the model's arrays; the parent of a pool imports no Mesa;
the ODD's parameter table is current. The import rules are in test_architecture.py."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from model.scenario_io import load_experiment
from model.sim.district import DistrictModel, Firm

from .conftest import ROOT


def test_firms_are_mesa_agents_reading_the_model_arrays():
    exp = load_experiment(ROOT / "scenarios" / "woodworking_kaluga.yaml", ["steps=3"])
    m = DistrictModel(exp.regimes["district"], 0)
    m.step()
    assert len(m.agents) == int(m.world.active.sum()) == m.world.n_start
    assert all(isinstance(a, Firm) for a in m.agents)
    members = m.agents.select(lambda f: f.member)
    assert len(members) == int((m.world.member & m.world.active).sum())
    big = m.agents.select(lambda f: f.employees >= 20)
    assert len(big) == int((m.world.active & (m.world.employees >= 20)).sum())
    firm = m.firms[5]
    assert firm.cash == m.world.cash[5]
    m.world.cash[5] += 1.0
    assert firm.cash == m.world.cash[5]  # a view, not a copy
    assert firm.bottleneck == m.stage_names[int(np.argmin(m.world.capacity[5]))]
    assert set(firm.capacity) == set(m.stage_names)


def test_exited_firms_leave_model_agents():
    exp = load_experiment(
        ROOT / "scenarios" / "woodworking_kaluga.yaml",
        ["steps=20", "firms.credit_limit_weeks=0", "firms.initial_cash_weeks=0", "market.load=0.3"],
    )
    m = DistrictModel(exp.regimes["standalone"], 0)
    m.run()
    assert (~m.world.active).sum() > 0
    assert len(m.agents) == int(m.world.active.sum())
    assert all(f.active for f in m.agents)


def test_odd_parameter_table_is_current():
    """docs/ODD.md lists every parameter exactly as model/sim/params.py declares it."""
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "param_table.py"), "--check"], check=False, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout


def test_stage_axis_reductions_equal_numpy_bit_for_bit():
    from model.sim.rows import row_any, row_min, row_prod, row_sum

    rng = np.random.default_rng(7)
    for stages in (1, 2, 5, 20):
        a = rng.lognormal(size=(300, stages))
        assert np.array_equal(row_min(a), a.min(axis=1))
        if stages < 8:  # NumPy adds 8 or more terms pairwise, in another order
            assert np.array_equal(row_sum(a), a.sum(axis=1))
            assert np.array_equal(row_prod(a), np.prod(a, axis=1))
        np.testing.assert_allclose(row_sum(a), a.sum(axis=1), rtol=1e-14)
        np.testing.assert_allclose(row_prod(a), np.prod(a, axis=1), rtol=1e-13)
        assert np.array_equal(row_any(a > 2), (a > 2).any(axis=1))
        col = row_min(a)
        col[:] = -1  # a result never aliases its input
        assert (a > 0).all()


@pytest.mark.parametrize("stages", [2, 5, 8, 12, 20])
@pytest.mark.parametrize("rows", [3, 1500, 40_000])
def test_stage_reductions_fold_left_to_right_in_either_layout(rows, stages):
    """rows.py folds the stage columns left to right, in one NumPy call for a stage-major array:
    the numbers must be those of adding the columns one after the other, in either layout."""
    from functools import reduce

    from model.sim.rows import row_dot, row_min, row_prod, row_sum

    rng = np.random.default_rng(rows * stages)
    a = rng.standard_normal((rows, stages)) * 10.0 ** rng.uniform(-8, 8, (rows, stages))
    v = rng.lognormal(size=stages)
    for x in (a, np.asfortranarray(a)):
        assert np.array_equal(row_sum(x), reduce(np.add, list(a.T)))
        assert np.array_equal(row_prod(x), reduce(np.multiply, list(a.T)))
        assert np.array_equal(row_min(x), reduce(np.minimum, list(a.T)))
        assert np.array_equal(row_dot(x, v), reduce(np.add, list((a * v).T)))


def test_memory_estimate_grows_with_size_and_refuses_what_cannot_fit():
    from model.experiments.budget import check_fits, estimate
    from model.scenario_io import ScenarioError, load_experiment

    wood = ROOT / "scenarios" / "woodworking_kaluga.yaml"
    small = estimate(load_experiment(wood), workers=1)
    big = estimate(load_experiment(wood, ["firms.count=100000"]), workers=1)
    two = estimate(load_experiment(wood, ["firms.count=100000"]), workers=2)
    assert small.total_bytes < big.total_bytes < two.total_bytes
    # the estimate is not below what the model measurably uses (bench: ~3.2 KB per firm at 100,000)
    assert big.run_bytes >= 100_000 * 3_200
    with pytest.raises(ScenarioError, match=r"needs about .* GB of memory"):
        check_fits(load_experiment(wood, ["firms.count=1000000"]), workers=4, available=2 * 2**30)


def test_branch_free_ratio_equals_masked_divide():
    from model.sim.rows import ratio

    rng = np.random.default_rng(3)
    num = rng.normal(size=(500, 4))
    den = np.where(rng.random((500, 4)) < 0.4, 0.0, rng.lognormal(size=(500, 4)))
    den[::7] = -1.0  # not positive counts as missing too
    for default in (0.0, 1.0):
        expected = np.divide(num, den, out=np.full(num.shape, default), where=den > 0)
        assert np.array_equal(ratio(num, den, default), expected)


def test_the_command_line_leaves_mesa_to_the_processes_that_run_models():
    """The parent of a worker pool imports neither Mesa nor Matplotlib up front: each worker imports
    the model at its first run, on its own core, and the charts are imported while the runs go on."""
    import subprocess
    import sys

    code = (
        "import sys, model.cli, model.cli.jobs, model.outputs.folder, model.experiments.validation; "
        "print(sorted(m for m in ('mesa', 'model.sim.district', 'matplotlib') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("workers", [1, 2])
def test_meanwhile_runs_once_while_the_runs_go_on(workers):
    from model.experiments.backends import LocalBackend

    calls = []
    got = dict(LocalBackend(workers).map_unordered(abs, [-3, -1, -2], meanwhile=lambda: calls.append(1)))
    assert got == {0: 3, 1: 1, 2: 2}
    assert calls == [1]


@pytest.mark.parametrize("cli_handler", [False, True])
def test_an_interrupt_during_meanwhile_stops_the_workers_at_once(cli_handler):
    """Also when the workers inherit the command line's SIGTERM handler (it raises KeyboardInterrupt)
    and are stopped before their initialiser resets it: they must not outlive the interrupt."""
    import signal
    import time

    from model.cli.dispatch import _stop_on_sigterm
    from model.experiments.backends import LocalBackend

    def interrupted():
        raise KeyboardInterrupt

    before = signal.signal(signal.SIGTERM, _stop_on_sigterm if cli_handler else signal.SIG_DFL)
    try:
        start = time.perf_counter()
        with pytest.raises(KeyboardInterrupt):
            list(LocalBackend(2).map_unordered(time.sleep, [30, 30, 30], meanwhile=interrupted))
        assert time.perf_counter() - start < 15  # not after the 30-second runs
    finally:
        signal.signal(signal.SIGTERM, before)


def _axis_lengths_hold(w) -> list[str]:
    """Fields whose shape does not match their declared axis."""
    n, s, e = w.n_firms, w.n_stages, w.buyer.size
    t = w.trade_edge.size
    want = {"firm": (n,), "firm_stage": (n, s), "stage": (s,), "edge": (e,), "trade": (t,)}
    bad = []
    for f in dataclasses.fields(w):
        axis = f.metadata.get("axis")
        value = getattr(w, f.name)
        if axis in want and value.shape != want[axis]:
            bad.append(f"{f.name}: {value.shape}, declared {axis} {want[axis]}")
    return bad


@pytest.mark.parametrize("regime", ["standalone", "district"])
def test_every_state_variable_exists_from_construction_on_its_declared_axis(regime):
    exp = load_experiment(ROOT / "scenarios" / "woodworking_kaluga.yaml", ["steps=60"])
    m = DistrictModel(exp.regimes[regime], 0)
    assert _axis_lengths_hold(m.world) == []  # before the first week: nothing appears later
    for _ in range(60):  # past a capacity review, partner reviews and entries
        m.step()
        assert _axis_lengths_hold(m.world) == []
    assert sum(f.metadata.get("axis") is not None for f in dataclasses.fields(m.world)) > 60


def test_a_misspelt_state_variable_is_an_error():
    exp = load_experiment(ROOT / "scenarios" / "woodworking_kaluga.yaml", ["steps=2"])
    w = DistrictModel(exp.regimes["district"], 0).world
    with pytest.raises(AttributeError):
        w.ordres = np.zeros(3)  # slots: no new attributes


def _not_stage_major(w) -> list[str]:
    return [
        f.name
        for f in dataclasses.fields(w)
        if f.metadata.get("axis") == "firm_stage" and not getattr(w, f.name).flags.f_contiguous
    ]


@pytest.mark.parametrize("scenario", ["woodworking_kaluga", "variants/food_programme", "variants/metalworking_choice"])
def test_every_firm_stage_array_stays_stage_major_through_every_phase(scenario):
    """The layout is speed, not numbers (model/sim/rows.py): an array that silently turns C-order
    makes every broadcast over it several times slower. Two runs in a batch, past a capacity review."""
    from model.sim.district import SCHEDULE
    from model.sim.init import initial_world
    from model.sim.rng import streams

    exp = load_experiment(ROOT / "scenarios" / f"{scenario}.yaml", ["steps=60"])
    for sc in exp.regimes.values():
        w = initial_world(sc, [streams(sc.seed, r) for r in (0, 1)])
        assert _not_stage_major(w) == []
        for week in range(sc.steps):
            w.steps = week + 1
            for name, phase in SCHEDULE:
                phase(w)
                assert _not_stage_major(w) == [], f"week {w.steps}, after {name}"


def test_flat_firm_stage_indices_are_stage_major_in_any_layout():
    from model.sim.rows import flat, unflat

    a = np.arange(12.0).reshape(4, 3)  # C order: the helpers must not depend on the layout
    for x in (a, np.asfortranarray(a)):
        v = flat(x)
        assert [v[k * 4 + i] for i in range(4) for k in range(3)] == a.ravel().tolist()
        assert np.array_equal(unflat(v, 3), a)
        assert unflat(flat(np.asfortranarray(a)), 3).flags.f_contiguous
