"""The evaluator's view: where firms choose to join, how far the estimates an evaluation can make
fall from the district's true effect on its members.

Per replication, on the firm panels of the district run and of its paired baseline twin (the
same firms on common random numbers; ``Results.panels``):

- **true effect on members** (what no evaluation can observe): over every member firm-week of
  the district run, the firm's profit there minus the same firm's profit in the same week of
  the twin;
- **naive comparison**: profit per member firm-week minus profit per active non-member
  firm-week, in the district run alone ("enrolled versus not enrolled");
- **difference-in-differences**: for each firm that joined after week ``WINDOW`` (founders have
  no before), its profit in the ``WINDOW`` weeks after joining minus the ``WINDOW`` weeks
  before, minus the same change for the firms that were active non-members all through those
  weeks (never or not yet members: the staggered design's controls); and beside it the true
  effect on those joiners over the same weeks after joining.

The biases are paired per replication (estimate minus the true effect it estimates), with 95%
Student-t intervals over replications. Profit is in kRUB per firm-week.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .results import Results
from .stats import t_interval

WINDOW = 26
"""Weeks before and after joining that the difference-in-differences compares."""

ROWS = (
    ("true_effect", "True effect on members (the same firms without the district)"),
    ("naive", "Naive comparison: members minus non-members"),
    ("naive_bias", "Naive comparison minus the true effect"),
    ("did", "Difference-in-differences on joiners"),
    ("true_effect_joiners", "True effect on the same joiners, after joining"),
    ("did_bias", "Difference-in-differences minus the true effect on joiners"),
)


def _mean(x: np.ndarray) -> float:
    return float(x.mean()) if x.size else float("nan")


def one_replication(district: dict[str, np.ndarray], twin: dict[str, np.ndarray]) -> dict[str, float]:
    """The estimates of one replication from the two runs' panels (steps x firm slots)."""
    profit, member, active = district["profit"], district["member"], district["active"]
    gap = profit - twin["profit"]
    out = {
        "true_effect": _mean(gap[member]),
        "naive": _mean(profit[member]) - _mean(profit[active & ~member]),
    }
    out["naive_bias"] = out["naive"] - out["true_effect"]
    steps = profit.shape[0]
    ever = member.any(axis=0)
    first = np.where(ever, member.argmax(axis=0), steps)
    joiners = np.flatnonzero(ever & (first >= WINDOW) & (first + WINDOW <= steps))
    did, truth = [], []
    for i in joiners:  # a few dozen firms per run, each with its own window: not the model's hot path
        before, after = slice(first[i] - WINDOW, first[i]), slice(first[i], first[i] + WINDOW)
        outside = active & ~member  # controls: active and not members all through both windows
        controls = outside[before].all(axis=0) & outside[after].all(axis=0)
        if not controls.any():
            continue
        change = profit[after, i].mean() - profit[before, i].mean()
        control_change = profit[after][:, controls].mean() - profit[before][:, controls].mean()
        did.append(change - control_change)
        truth.append(gap[after, i].mean())
    out["did"] = float(np.mean(did)) if did else float("nan")
    out["true_effect_joiners"] = float(np.mean(truth)) if truth else float("nan")
    out["did_bias"] = out["did"] - out["true_effect_joiners"]
    out["joiners"] = float(len(did))
    return out


def selection_table(results: Results, regime: str) -> pd.DataFrame:
    """One row per estimate (``ROWS``): mean over replications and its 95% interval."""
    if results.panels is None:
        raise ValueError("selection_table needs the firm panels of a choice run")
    r, b = results.regimes.index(regime), results.regimes.index(results.baseline)
    reps = [one_replication(results.panels[(r, k)], results.panels[(b, k)]) for k in range(results.replications)]
    rows = []
    for key, text in ROWS:
        x = np.array([rep[key] for rep in reps])
        mean, lo, hi, n = t_interval(x)
        rows.append(
            {
                "regime": regime,
                "estimate": key,
                "label": text,
                "unit": "kRUB per firm-week",
                "mean": float(mean),
                "ci_low": float(lo),
                "ci_high": float(hi),
                "n": int(n),
            }
        )
    rows.append(
        {
            "regime": regime,
            "estimate": "joiners",
            "label": "Joiners the difference-in-differences can use, per run",
            "unit": "firms",
            "mean": float(np.mean([rep["joiners"] for rep in reps])),
            "ci_low": float("nan"),
            "ci_high": float("nan"),
            "n": len(reps),
        }
    )
    return pd.DataFrame(rows)


def reading(row: pd.Series) -> str:
    """What a bias row's interval says: "none" (no estimate), "over", "under" or "unclear"."""
    if not np.isfinite(row["mean"]):
        return "none"
    return "over" if row["ci_low"] > 0 else "under" if row["ci_high"] < 0 else "unclear"


def verdict(table: pd.DataFrame, estimate: str) -> str:
    """One sentence on a bias row that follows its interval, not its point estimate."""
    row = table[table["estimate"] == estimate].iloc[0]
    what = "The naive member/non-member comparison" if estimate == "naive_bias" else "Difference-in-differences"
    said = reading(row)
    if said == "none":
        return f"{what}: no estimate (too few firms joined with a full window before and after)."
    span = f"{row['mean']:+.3g} kRUB per firm-week (95% interval {row['ci_low']:.3g} to {row['ci_high']:.3g})"
    if said == "over":
        return f"{what} overstates the true effect on members by {span}."
    if said == "under":
        return f"{what} understates the true effect on members by {span}."
    return f"{what} cannot be told apart from the true effect at this number of replications: {span}."
