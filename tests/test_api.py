"""The Python API and Mesa's conventions (README "From Python"): the README's code runs, EMA
Workbench calls ``district_effect`` with no glue, ``run_model()`` ends at the horizon,
``mesa.batch_run`` returns rows, ``rng=`` is the seed, the pool keeps its own start method, and the
installed package is ``district_sim`` with the pilot scenarios inside it."""

from __future__ import annotations

import inspect
import multiprocessing
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import mesa
import numpy as np
import pandas as pd
import pytest

from model import api
from model.errors import ScenarioError
from model.experiments.backends import LocalBackend
from model.scenario_io import load_experiment, pilot_names
from model.sim.district import DistrictModel

ROOT = Path(__file__).resolve().parent.parent
PROBE = "not set"


def _readme_block(section: str, index: int = 0) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    body = text.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", body, flags=re.S)[index]


def test_the_readme_from_python_code_runs_as_written(tmp_path):
    """In a fresh interpreter, importing the installed name (the editable install of `make`)."""
    code = _readme_block("From Python")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert "woodworking_kaluga" in out.stdout
    assert "diff_mean" in out.stdout


def test_frames_are_tidy_and_agree_with_each_other():
    results = api.run("woodworking_kaluga", replications=3, steps=20)
    history = api.history_frame(results)
    assert list(history.columns[:3]) == ["regime", "replication", "week"]
    assert len(history) == 2 * 3 * 20
    runs = api.runs_frame(results)
    assert len(runs) == 2 * 3
    effects = api.effects_frame(results).set_index(["regime", "metric"])
    # the effect is the mean of the paired per-replication differences of the runs frame
    by = runs.set_index(["regime", "replication"])["profit_per_firm"]
    paired = (by["district"] - by["standalone"]).mean()
    assert effects.loc[("district", "profit_per_firm"), "diff_mean"] == pytest.approx(paired, rel=1e-12)
    summary = api.summary_frame(results)
    assert {"regime", "metric"} <= set(summary.columns)


def test_district_effect_returns_floats_with_intervals_and_takes_overrides_as_keywords():
    effect = api.district_effect("woodworking_kaluga", replications=4, steps=26, **{"sharing.failure_prob": 0.1})
    assert set(effect) == {f"{o}{s}" for o in api.DEFAULT_OUTCOMES for s in ("", "_low", "_high")}
    assert all(isinstance(v, float) for v in effect.values())
    assert effect["profit_per_firm_low"] <= effect["profit_per_firm"] <= effect["profit_per_firm_high"]
    same = api.district_effect("woodworking_kaluga", {"sharing.failure_prob": 0.1}, replications=4, steps=26)
    assert same == effect
    other = api.district_effect("woodworking_kaluga", {"sharing.failure_prob": 0.0}, replications=4, steps=26)
    assert other["profit_per_firm"] != effect["profit_per_firm"]
    with pytest.raises(ValueError, match="unknown outcome"):
        api.district_effect("woodworking_kaluga", replications=2, steps=5, outcomes=["nonsense"])


def test_ema_workbench_calls_district_effect_directly():
    ema = pytest.importorskip("ema_workbench")
    m = ema.Model("district", function=api.district_effect)
    m.uncertainties = [
        ema.RealParameter("district__coordination_cost", 0.5, 5.0),
        ema.RealParameter("sharing__failure_prob", 0.0, 0.15),
    ]
    m.constants = [ema.Constant("replications", 3), ema.Constant("steps", 26)]
    m.outcomes = [ema.ScalarOutcome("profit_per_firm"), ema.ScalarOutcome("profit_per_firm_low")]
    experiments, outcomes = ema.perform_experiments(m, scenarios=3, log_progress=False)
    assert len(experiments) == 3
    assert outcomes["profit_per_firm"].shape == (3,)
    assert np.isfinite(outcomes["profit_per_firm"]).all()
    # the same number as calling it by hand at the first point
    row = experiments.iloc[0]
    by_hand = api.district_effect(
        replications=3,
        steps=26,
        **{k: float(row[k]) for k in ("district__coordination_cost", "sharing__failure_prob")},
    )
    assert outcomes["profit_per_firm"][0] == by_hand["profit_per_firm"]


def test_overrides_as_a_dict_and_bad_ones_named():
    exp = load_experiment("woodworking_kaluga", {"district.coordination_cost": np.float64(2.5), "steps": 10})
    assert exp.base.district.coordination_cost == 2.5
    assert exp.base.steps == 10
    assert exp.regimes["standalone"].district.membership_share == 0.0  # regimes still apply
    with pytest.raises(ScenarioError, match=r"overrides\['district.coordination_cost'\]: district.coordination_cost"):
        load_experiment("woodworking_kaluga", {"district.coordination_cost": "much"})
    with pytest.raises(ScenarioError, match="not a packaged scenario"):
        load_experiment("woodworking_kalugaa")
    assert {"woodworking_kaluga", "food_tambov", "metalworking_moscow"} <= set(pilot_names())


def test_the_model_follows_mesas_conventions():
    params = inspect.signature(DistrictModel.__init__).parameters
    assert "scenario" not in params  # Mesa 3.5 reserves it
    assert "rng" in params
    sc = load_experiment("woodworking_kaluga", {"steps": 12}).regimes["district"]
    m = DistrictModel(sc, 0, rng=11)
    assert m.params.seed == 11
    m.run_model()  # never returned before the horizon stopped it
    assert m.steps == 12
    assert not m.running
    assert m.week["profit_per_firm"] == m.history[-1, m.metric_names.index("profit_per_firm")]
    # rng=int is the root seed: the same numbers as that seed set in the file
    seeded = DistrictModel(load_experiment("woodworking_kaluga", {"steps": 12, "seed": 11}).regimes["district"], 0)
    np.testing.assert_array_equal(seeded.run(), m.history)
    # a Generator gives a seed, reproducibly
    a = DistrictModel(sc, 0, rng=np.random.default_rng(5)).run()
    b = DistrictModel(sc, 0, rng=np.random.default_rng(5)).run()
    np.testing.assert_array_equal(a, b)
    with pytest.raises(TypeError, match="validated Scenario"):
        DistrictModel("woodworking_kaluga")


def test_a_datacollector_reads_the_weeks_metrics():
    sc = load_experiment("woodworking_kaluga", {"steps": 8}).regimes["district"]
    m = DistrictModel(sc, 0)
    dc = mesa.DataCollector(model_reporters=DistrictModel.reporters(["profit_per_firm", "members"]))
    for _ in range(8):
        m.step()
        dc.collect(m)
    frame = dc.get_model_vars_dataframe()
    j = m.metric_names.index("profit_per_firm")
    np.testing.assert_array_equal(frame["profit_per_firm"].to_numpy(), m.history[:, j])


def test_pilot_model_takes_keyword_parameters_and_twins_share_demand():
    d = api.PilotModel("woodworking_kaluga", "district", rng=3, coordination_cost=4.0, steps=10, trust=False)
    s = api.PilotModel("woodworking_kaluga", "standalone", rng=3, coordination_cost=4.0, steps=10, trust=False)
    assert d.params.district.coordination_cost == 4.0
    assert not d.params.mechanisms.trust
    # common random numbers: the same streams, so the same demand in the first week (later, who
    # gets the orders follows each firm's delivery record, which the district changes)
    assert d.rngs["demand"].bit_generator.state == s.rngs["demand"].bit_generator.state
    d.run_model()
    s.run_model()
    j = d.metric_names.index("demand")
    assert d.history[0, j] == s.history[0, j]
    assert len(d.datacollector.get_model_vars_dataframe()) == 10
    with pytest.raises(ValueError, match="regime must be one of"):
        api.PilotModel(regime="cluster")


def test_mesa_batch_run_returns_rows():
    batch_run = getattr(mesa, "batch_run", None)
    if batch_run is None:
        pytest.skip("this Mesa has no batch_run")
    before = multiprocessing.get_start_method(allow_none=True)
    try:
        rows = batch_run(
            api.PilotModel,
            parameters={"coordination_cost": [1.0, 3.0], "steps": 6},
            rng=[7],
            max_steps=100,
            number_processes=1,
            data_collection_period=-1,
            display_progress=False,
        )
    finally:  # batch_run switches the whole process to "spawn"
        multiprocessing.set_start_method(before, force=True)
    frame = pd.DataFrame(rows)
    assert len(frame) == 2
    assert (frame["Step"] == 6).all()  # running turned False at the horizon, not at max_steps
    assert frame["profit_per_firm"].notna().all()


def _read_probe(_: object) -> str:
    return PROBE


def test_the_pool_forks_whatever_the_global_start_method():
    """A caller that set "spawn" globally (as mesa.batch_run does) does not make our workers
    spawn: a forked worker sees this module's state as the parent left it, a spawned one would
    import the module afresh."""
    global PROBE  # noqa: PLW0603 - the state a forked worker inherits
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork on this platform; the pool uses spawn")
    before = multiprocessing.get_start_method(allow_none=True)
    PROBE = "set in the parent"
    try:
        multiprocessing.set_start_method("spawn", force=True)
        seen = [r for _, r in LocalBackend(2).map_unordered(_read_probe, [0, 1])]
    finally:
        multiprocessing.set_start_method(before, force=True)
        PROBE = "not set"
    assert seen == ["set in the parent"] * 2


def test_the_wheel_installs_district_sim_with_the_pilot_scenarios(tmp_path):
    # built from a copy of the sources, so that no build/ folder of the checkout (which may hold
    # files since removed) goes into the wheel, and the checkout is left as it was
    src = tmp_path / "src"
    for part in ("model", "scenarios"):
        shutil.copytree(ROOT / part, src / part, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    wheel_dir = tmp_path / "wheel"
    build = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(wheel_dir)]
    out = subprocess.run([*build, str(src)], capture_output=True, text=True, check=False, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    (wheel,) = wheel_dir.glob("district_sim-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert not [n for n in names if n.startswith("model/")]  # no top-level "model" package
    assert "district_sim/scenarios/woodworking_kaluga.yaml" in names
    assert "district_sim/scenarios/variants/woodworking_choice.yaml" in names
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = (
        "import district_sim as ds; e = ds.load('variants/woodworking_choice', {'steps': 3}); "
        "print(ds.__file__, e.base.district.membership, len(ds.pilot_names()))"
    )
    # only the unpacked wheel on the path for the project (dependencies from this interpreter)
    env = {"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin", "PYTHONNOUSERSITE": "1"}
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=tmp_path, env=env
    )
    assert run.returncode == 0, run.stderr
    assert str(site) in run.stdout
    assert "choice" in run.stdout
