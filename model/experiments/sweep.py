"""Sweeps (full-factorial grids of --vary), break-even points, and Shapley attribution of effects."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import yaml

from ..errors import ScenarioError
from ..scenario_io import Experiment, Override, check_key_path, parse_assignment
from ..sim.params import MECHANISMS
from .design import Design, Point
from .stats import t_interval, wilson

MAX_POINTS = 10_000
EXACT_SHAPLEY_MAX = 8


def parse_vary(text: str) -> tuple[str, list[object]]:
    """``PATH=LO:HI:N`` (N evenly spaced values) or ``PATH=v1,v2,...`` (explicit values)."""
    if "=" not in text:
        raise ScenarioError(f"--vary {text}: expected PATH=LO:HI:N or PATH=v1,v2,...")
    path, _, spec = text.partition("=")
    path = check_key_path(path, f"--vary {text}")
    if spec.count(":") == 2:
        lo_s, hi_s, n_s = spec.split(":")
        try:
            lo, hi, n = float(lo_s), float(hi_s), int(n_s)
        except ValueError:
            raise ScenarioError(f"--vary {text}: LO and HI must be numbers and N a whole number") from None
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise ScenarioError(f"--vary {text}: LO and HI must be finite")
        if not 2 <= n <= 1000:
            raise ScenarioError(f"--vary {text}: N must be between 2 and 1000, got {n}")
        return path, [float(v) for v in np.linspace(lo, hi, n)]
    values = []
    for item in spec.split(","):
        _, value = parse_assignment(f"{path}={item}", flag="--vary")
        values.append(value)
    if len(values) < 2:
        raise ScenarioError(f"--vary {text}: give at least two values")
    return path, values


def grid_design(source, base_sets: list[str], varies: list[str]) -> Design:
    """Full-factorial design over the --vary expressions (a value's error names its --vary)."""
    axes = [parse_vary(v) for v in varies]
    origins = [f"--vary {v}" for v in varies]
    paths = [p for p, _ in axes]
    if len(set(paths)) != len(paths):
        raise ScenarioError("--vary: each key path may be varied once")
    count = math.prod(len(vals) for _, vals in axes)
    if count > MAX_POINTS:
        raise ScenarioError(f"--vary: {count:,} points; a sweep has at most {MAX_POINTS:,}")
    combos = list(itertools.product(*[vals for _, vals in axes]))
    points = [
        Point(
            pid=i,
            sets=tuple(
                Override(f"{p}={yaml.safe_dump(v).strip().removesuffix('...').strip()}", origin)
                for p, v, origin in zip(paths, combo, origins, strict=True)
            ),
            values=dict(zip(paths, combo, strict=True)),
        )
        for i, combo in enumerate(combos)
    ]
    return Design(source=source, base_sets=tuple(base_sets), points=points)


@dataclass(frozen=True)
class BreakEven:
    """Where the paired effect crosses zero along one varied parameter, and what the 95% intervals
    allow one to say at each point: ``above`` (interval above zero), ``below`` or ``unclear``."""

    outcome: str
    regime: str
    value: float | None
    low: float | None
    high: float | None
    above: str
    below: str
    unclear: str
    sentence: str


def _crossing(x: np.ndarray, y: np.ndarray) -> float | None:
    """First x where the piecewise-linear y(x) crosses zero, or None."""
    for i in range(len(x) - 1):
        a, b = y[i], y[i + 1]
        if not (np.isfinite(a) and np.isfinite(b)):
            continue
        if a == 0:
            return float(x[i])
        if a * b < 0:
            return float(x[i] + (0 - a) * (x[i + 1] - x[i]) / (b - a))
    if len(y) and y[-1] == 0:
        return float(x[-1])
    return None


def _runs(x: np.ndarray, keep: np.ndarray) -> str:
    """The grid points where ``keep`` holds, as ranges of consecutive points: ``0 to 4.5, 9``."""
    parts, i = [], 0
    while i < len(x):
        if not keep[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(x) and keep[j + 1]:
            j += 1
        parts.append(f"{x[i]:.4g}" if i == j else f"{x[i]:.4g} to {x[j]:.4g}")
        i = j + 1
    return ", ".join(parts)


def interval_reading(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Per point: ``above`` where the 95% interval is above zero, ``below`` where below, else ``unclear``."""
    return np.where(lo > 0, "above", np.where(hi < 0, "below", "unclear"))


def break_even(effects: pd.DataFrame, path: str, outcome: str, regime: str) -> BreakEven:
    """Where the paired effect on ``outcome`` crosses zero along ``path``, with an interval, and the
    ranges where its 95% interval is above zero, below zero, or includes zero. The sentence follows
    the intervals: a band that reaches zero is never reported as "no break-even"."""
    sub = effects[(effects["metric"] == outcome) & (effects["regime"] == regime)].sort_values(path)
    x = sub[path].to_numpy(dtype=float)
    mid, lo, hi = (sub[c].to_numpy(dtype=float) for c in ("diff_mean", "ci_low", "ci_high"))
    said = interval_reading(lo, hi)
    above, below, unclear = (_runs(x, said == k) for k in ("above", "below", "unclear"))
    ranges = "; ".join(
        text
        for text in (
            f"above zero with 95% confidence at {above}" if above else "",
            f"below zero with 95% confidence at {below}" if below else "",
            f"the data cannot tell (95% interval includes zero) at {unclear}" if unclear else "",
        )
        if text
    )
    head = f"Break-even: the effect on {outcome} ({regime} minus baseline) along {path}: {ranges}."
    value = _crossing(x, mid)
    rng = f"[{x.min():g}, {x.max():g}]"
    if value is None:
        if unclear:
            tail = (
                f" Its mean does not cross zero in {rng}, but where the interval includes zero a break-even "
                "cannot be ruled out."
            )
        else:
            tail = f" No break-even inside {rng}."
        return BreakEven(outcome, regime, None, None, None, above, below, unclear, head + tail)
    ends = [c for c in (_crossing(x, lo), _crossing(x, hi)) if c is not None]
    low = min(ends) if len(ends) == 2 else (min(ends[0], value) if ends and ends[0] <= value else None)
    high = max(ends) if len(ends) == 2 else (max(ends[0], value) if ends and ends[0] >= value else None)
    lo_s = f"{low:.4g}" if low is not None else f"below {x.min():g}"
    hi_s = f"{high:.4g}" if high is not None else f"above {x.max():g}"
    tail = f" Its mean crosses zero at {path} = {value:.4g} (95% interval {lo_s} to {hi_s})."
    return BreakEven(outcome, regime, value, low, high, above, below, unclear, head + tail)


# ------------------------------------------------------------------------------ attribution
def mechanisms_on(exp: Experiment, regime: str) -> list[str]:
    sc = exp.regimes[regime]
    return [m for m in MECHANISMS if getattr(sc.mechanisms, m)]


def attribution_design(
    source, base_sets: list[str], on: list[str], permutations: int, seed: int
) -> tuple[Design, list[tuple[str, ...]]]:
    """Design points for the coalitions Shapley values need; also the permutations used (if sampled)."""
    if len(on) <= EXACT_SHAPLEY_MAX:
        coalitions = [frozenset(c) for k in range(len(on) + 1) for c in itertools.combinations(on, k)]
        orders: list[tuple[str, ...]] = []
    else:
        rng = np.random.default_rng(seed)
        orders = [tuple(rng.permutation(on)) for _ in range(permutations)]
        coalitions = sorted({frozenset(o[:k]) for o in orders for k in range(len(on) + 1)}, key=len)
    points = []
    for i, coalition in enumerate(coalitions):
        sets = tuple(f"mechanisms.{m}={'true' if m in coalition else 'false'}" for m in MECHANISMS)
        points.append(
            Point(pid=i, sets=sets, values={"coalition": "+".join(m for m in on if m in coalition) or "none"})
        )
    return Design(source=source, base_sets=tuple(base_sets), points=points), orders


def shapley(
    design: Design, values: dict, metric_index: int, *, on: list[str], regime: str, orders: list[tuple[str, ...]]
) -> pd.DataFrame:
    """Shapley value of each mechanism for the paired effect, per replication, then a 95% interval."""
    exp = design.first
    reps = exp.base.replications
    v: dict[frozenset, np.ndarray] = {}
    for pt in design.points:
        e = design.experiments[pt.pid]
        coalition = frozenset(m for m in on if getattr(e.regimes[regime].mechanisms, m))
        v[coalition] = np.array(
            [
                values[(pt.pid, regime, r)][metric_index] - values[(pt.pid, e.baseline, r)][metric_index]
                for r in range(reps)
            ]
        )
    k = len(on)
    phi = {m: np.zeros(reps) for m in on}
    if not orders:
        for m in on:
            others = [x for x in on if x != m]
            for size in range(k):
                weight = math.factorial(size) * math.factorial(k - size - 1) / math.factorial(k)
                for combo in itertools.combinations(others, size):
                    s = frozenset(combo)
                    phi[m] += weight * (v[s | {m}] - v[s])
    else:
        for order in orders:
            for i, m in enumerate(order):
                phi[m] += (v[frozenset(order[: i + 1])] - v[frozenset(order[:i])]) / len(orders)
    total = v[frozenset(on)] - v[frozenset()]
    rows = []
    tm = t_interval(total)[0]
    for m in on:
        mean, lo, hi, n = t_interval(phi[m])
        rows.append(
            {
                "part": m,
                "effect": float(mean),
                "ci_low": float(lo),
                "ci_high": float(hi),
                "share_of_total": float(mean / tm) if tm else np.nan,
                "n": int(n),
            }
        )
    mean, lo, hi, n = t_interval(total)
    rows.append(
        {
            "part": "total",
            "effect": float(mean),
            "ci_low": float(lo),
            "ci_high": float(hi),
            "share_of_total": 1.0,
            "n": int(n),
        }
    )
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------ critical mass
def _first_reaching(x: np.ndarray, y: np.ndarray, target: float) -> float | None:
    """Smallest x where the piecewise-linear y(x) reaches ``target`` (x[0] if it starts there), or None."""
    for i in range(len(x)):
        if y[i] >= target:
            if i == 0:
                return float(x[0])
            a, b = y[i - 1], y[i]
            return float(x[i - 1] + (target - a) * (x[i] - x[i - 1]) / (b - a))
    return None


@dataclass(frozen=True)
class CriticalMass:
    regime: str
    target: float
    value: float | None
    low: float | None
    high: float | None
    sentence: str


def critical_mass(effects: pd.DataFrame, path: str, regime: str, target: float) -> CriticalMass:
    """The smallest value of ``path`` at which the district sustains itself in at least ``target`` of
    the runs (metric ``sustained``: the paired effect is the district's share, the baseline has no
    members), with the interval where the 95% Wilson bounds of that share reach ``target``."""
    sub = effects[(effects["metric"] == "sustained") & (effects["regime"] == regime)].sort_values(path)
    x = sub[path].to_numpy(dtype=float)
    share = np.clip(sub["diff_mean"].to_numpy(dtype=float), 0.0, 1.0)
    lo, hi = wilson(share, sub["n"].to_numpy(dtype=float))
    value = _first_reaching(x, share, target)
    low, high = _first_reaching(x, hi, target), _first_reaching(x, lo, target)
    shares = ", ".join(f"{v:g}: {s:.0%}" for v, s in zip(x, share, strict=True))
    head = f"Critical mass ({regime}): share of runs in which the district sustains itself by {path} ({shares})"
    if value is None:
        return CriticalMass(
            regime, target, None, low, high, f"{head}; it never reaches {target:.0%} in [{x.min():g}, {x.max():g}]."
        )
    lo_s = f"{low:.3g}" if low is not None and low > x.min() else f"{x.min():g} or below"
    hi_s = f"{high:.3g}" if high is not None else f"above {x.max():g}"
    where = f"at {value:.3g}" if value > x.min() else f"already at {x.min():g}, the lowest value tried"
    return CriticalMass(
        regime,
        target,
        value,
        low,
        high,
        f"{head}; it reaches {target:.0%} {where} (95% interval {lo_s} to {hi_s}).",
    )
