"""Where results go: checked before any work starts (light imports only)."""

from __future__ import annotations

from pathlib import Path

from .scenario_io import ScenarioError


def prepare_destination(out: Path) -> None:
    """Refuse a destination that exists and is not an earlier results folder."""
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / "manifest.json").exists())):
        raise ScenarioError(f"--out {out}: exists and is not a results folder; choose another --out")


def default_destination(root: Path, name: str, stamp: str) -> Path:
    out = root / name / stamp
    k = 1
    while out.exists():
        k += 1
        out = root / name / f"{stamp}-{k}"
    return out
