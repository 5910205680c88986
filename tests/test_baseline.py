"""Golden baseline: every metric's horizon statistic for each pilot, regime and replication, compared
exactly with tests/baseline.json (after Covasim's tests/test_baselines.py).

A change that is meant to keep the numbers (a refactor, a speed-up) must pass it unchanged. A change
meant to move them rewrites the file with ``make baseline`` and says why in its commit; the failure
prints an old/new table of what moved, so the size of the change is visible in review.

Runs through the package face only (``model.DistrictModel``, ``model.load_experiment``), so internal
moves do not touch it.

NumPy picks SIMD kernels by CPU at run time, and its AVX-512 kernels of ``power``, ``exp`` and
``log`` round differently in the last bit from its AVX2 ones, so the same code gives numbers that
differ at 1e-16 on an AVX-512 machine. The baseline is therefore computed (and written) in a child
process with NumPy held at the x86-64-v3 (AVX2) level (``NPY_DISABLE_CPU_FEATURES``), the same on
any x86-64 machine that has AVX2; elsewhere the test is skipped with its reason.
"""

from __future__ import annotations

import json
import math
import os
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "tests" / "baseline.json"
PILOTS = ("woodworking_kaluga", "food_tambov", "metalworking_moscow")
REPLICATIONS, STEPS = 2, 104
# NumPy's dispatch targets above x86-64-v3; naming one the machine lacks is harmless
ABOVE_V3 = "X86_V4 AVX512_ICL AVX512_SPR"


def pinned_level() -> str | None:
    """Why the pinned baseline cannot be computed here, or None if it can."""
    from numpy._core._multiarray_umath import __cpu_features__

    if platform.machine().lower() not in ("x86_64", "amd64"):
        return f"the baseline is recorded with x86-64 SIMD kernels; this machine is {platform.machine()}"
    if not __cpu_features__.get("AVX2") or not __cpu_features__.get("FMA3"):
        return "the baseline is recorded with NumPy's AVX2 kernels; this CPU has no AVX2/FMA3"
    return None


def current_pinned() -> dict:
    """``current()`` in a child process with NumPy's kernels held at the AVX2 level."""
    env = {**os.environ, "NPY_DISABLE_CPU_FEATURES": ABOVE_V3, "OPENBLAS_NUM_THREADS": "1"}
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--print"], env=env, capture_output=True, text=True, check=False
    )
    if out.returncode:
        raise AssertionError(f"computing the baseline failed:\n{out.stderr}")
    return json.loads(out.stdout)


def current() -> dict:
    """{pilot: {regime: {metric: [value per replication]}}}; None where a metric has no value."""
    sys.path.insert(0, str(ROOT))
    from model import DistrictModel, load_experiment

    out: dict = {}
    for pilot in PILOTS:
        exp = load_experiment(ROOT / "scenarios" / f"{pilot}.yaml", [f"steps={STEPS}"])
        out[pilot] = {}
        for regime, scenario in exp.regimes.items():
            table: dict[str, list] = {}
            for rep in range(REPLICATIONS):
                model = DistrictModel(scenario, rep)
                history = model.run()
                for j, metric in enumerate(model.metrics):
                    col = history[:, j]
                    if metric.horizon == "final":
                        value = float(col[-1])
                    else:
                        valid = col[~np.isnan(col)]
                        value = float(valid.sum() / valid.size) if valid.size else math.nan
                    table.setdefault(metric.name, []).append(None if math.isnan(value) else value)
            out[pilot][regime] = table
    return out


def _rows(old: dict, new: dict) -> list[tuple[str, str, str, str]]:
    rows = []
    for pilot in sorted(set(old) | set(new)):
        for regime in sorted(set(old.get(pilot, {})) | set(new.get(pilot, {}))):
            a, b = old.get(pilot, {}).get(regime, {}), new.get(pilot, {}).get(regime, {})
            for metric in sorted(set(a) | set(b)):
                if a.get(metric) != b.get(metric):
                    key = f"{pilot}/{regime}/{metric}"
                    rows.append((key, str(a.get(metric)), str(b.get(metric)), _ratio(a, b, metric)))
    return rows


def _ratio(a: dict, b: dict, metric: str) -> str:
    x, y = a.get(metric), b.get(metric)
    if not (x and y) or None in x or None in y or len(x) != len(y):
        return "-"
    return " ".join(f"{v / u - 1:+.3g}" if u else "-" for u, v in zip(x, y, strict=True))


def test_every_pilot_metric_is_bit_for_bit_the_baseline():
    if reason := pinned_level():
        pytest.skip(reason)
    old = json.loads(BASELINE.read_text(encoding="utf-8"))
    assert old["replications"] == REPLICATIONS
    assert old["steps"] == STEPS
    new = current_pinned()
    rows = _rows(old["values"], new)
    if rows:
        width = max(len(r[0]) for r in rows)
        table = "\n".join(f"{k:<{width}}  old {o}\n{'':<{width}}  new {n}  new/old-1 {q}" for k, o, n, q in rows)
        raise AssertionError(
            f"{len(rows)} values differ from tests/baseline.json (run `make baseline` only if the change "
            f"is meant to move them, and say why in the commit):\n{table}"
        )


if __name__ == "__main__":
    if sys.argv[1:] == ["--print"]:  # the child of current_pinned
        print(json.dumps(current()))
        sys.exit(0)
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python tests/test_baseline.py --write   (or: make baseline)")
    if reason := pinned_level():
        sys.exit(f"cannot write the baseline here: {reason}")
    data = {"replications": REPLICATIONS, "steps": STEPS, "values": current_pinned()}
    BASELINE.write_text(json.dumps(data, indent=1, allow_nan=False) + "\n", encoding="utf-8")
    print(f"wrote {BASELINE.relative_to(ROOT)}")
