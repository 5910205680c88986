"""Shared helpers: tiny hand-built worlds and paths."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, settings

from model.sim import accounting, production, sharing, trust
from model.sim.district import DistrictModel
from model.sim.params import Scenario

# Property tests: CI and `make test` run a fixed, derandomised set of examples (the same every run,
# no example database, no shrinking that can take minutes); `make test-fuzz` searches at random for
# longer (FUZZ_EXAMPLES examples per test, default 1000) and shrinks what it finds.
settings.register_profile(
    "ci",
    max_examples=60,
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "fuzz",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "1000")),
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# The interrupt tests send SIGINT to the command line as Ctrl-C would. A test run started in the
# background by a non-interactive shell has SIGINT ignored, and an ignored signal stays ignored in
# every child through exec: the commands would never see it. Python's own handler is reset to the
# default at exec, so installing it here gives the children a normal SIGINT.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

ROOT = Path(__file__).resolve().parent.parent
PILOTS = sorted((ROOT / "scenarios").glob("*.yaml"))
PILOT_IDS = [p.stem for p in PILOTS]
SCENARIO_FILES = sorted((ROOT / "scenarios").rglob("*.yaml"))
SCENARIO_IDS = [str(p.relative_to(ROOT / "scenarios")) for p in SCENARIO_FILES]


def simulate(*args: str, cwd: Path = ROOT, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``python simulate.py ARGS`` as a user would; capture its output."""
    return subprocess.run(
        [sys.executable, str(ROOT / "simulate.py"), *args],
        check=False,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def kill_after_parts(args: list[str], out: Path, parts: int = 4, timeout: float = 120) -> int:
    """Start ``simulate.py ARGS --out OUT``, SIGKILL it once ``parts`` finished runs are on disk
    (an interrupted job); returns how many parts it kept."""
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "simulate.py"), *args, "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + timeout
    while time.time() < deadline and len(list((out / "runs").glob("*.parquet"))) < parts:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return len(list((out / "runs").glob("*.parquet")))


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def tiny_scenario(
    n: int = 2, stages: tuple[str, ...] = ("cut", "dry"), stage: dict[str, Any] | None = None, **over: Any
) -> Scenario:
    """Identical firms of 10 employees, no noise, every price and cost explicit; ``stage`` sets every stage."""
    base: dict[str, Any] = {
        "name": "tiny",
        "steps": 5,
        "firms": {
            "count": n,
            "employees_median": 10,
            "employees_sigma": 0,
            "efficiency_sigma": 0,
            "imbalance_sigma": 0,
            "initial_cash_weeks": 4,
            "credit_limit_weeks": 4,
        },
        "market": {"model": "normal", "noise_cv": 0.0, "load": 0.5, "unserved": "lost", "price": 100},
        "stages": [
            {
                "name": s,
                "capacity_per_employee": 1.0,
                "variable_cost": 10.0,
                "fixed_cost": 1.0,
                "capital_per_unit": 100.0,
                "defect_rate": 0.0,
                "depreciation": 0.104,
                **(stage or {}),
            }
            for s in stages
        ],
        "sharing": {"network": "complete", "failure_prob": 0.0, "markup": 0.1, "transport_cost": 0.0},
        "trust": {"initial": 0.5, "gain": 0.1, "loss": 0.5, "cost_ratio": 5.0},
        "district": {"membership_share": 1.0, "membership_fee": 0.0, "coordination_cost": 0.0},
        "mechanisms": {"sharing": True, "trust": True, "entry_exit": False},
    }
    return Scenario.model_validate(_merge(base, over))


def week(model: DistrictModel, capacity: list[list[float]], orders: list[float]) -> DistrictModel:
    """Run one week's share, produce, account and trust phases on given capacity and orders."""
    model.world.capacity = np.array(capacity, dtype=float)
    model.world.orders = np.array(orders, dtype=float)
    model.world.demand = model.world.orders.copy()
    sharing.share_phase(model.world)
    production.produce_phase(model.world)
    accounting.account_phase(model.world)
    trust.trust_phase(model.world)
    return model


@pytest.fixture
def tiny():
    return tiny_scenario
