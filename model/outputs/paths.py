"""Where results go, and what memory there is: checked before any work starts (light imports only)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from ..errors import ScenarioError


def prepare_destination(out: Path) -> None:
    """Refuse a destination that exists and is not an earlier results folder, or cannot be written."""
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / "manifest.json").exists())):
        raise ScenarioError(f"--out {out}: exists and is not a results folder; choose another --out")
    check_writable(out)


def check_writable(out: Path) -> None:
    """Refuse a folder that cannot be created (probed in its nearest existing parent; nothing is left)."""
    base = out.absolute().parent
    while not base.exists():
        base = base.parent
    if not base.is_dir():
        raise ScenarioError(f"--out {out}: {base} is a file, not a folder")
    try:
        probe = Path(tempfile.mkdtemp(prefix=".district-sim-probe-", dir=base))
        probe.rmdir()
    except OSError as exc:
        raise ScenarioError(f"--out {out}: cannot write in {base} ({exc.strerror or exc})") from None


def default_destination(root: Path, name: str, stamp: str) -> Path:
    out = root / name / stamp
    k = 1
    while out.exists():
        k += 1
        out = root / name / f"{stamp}-{k}"
    return out


def write_atomic(path: Path, text: str) -> None:
    """Write a text file under a temporary name and move it into place: readers see all or nothing."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_csv(frame: Any, path: Path) -> None:
    """Write a table (a pandas DataFrame) as CSV under a temporary name and move it into place."""
    tmp = path.with_name(f".{path.name}.tmp")
    frame.to_csv(tmp, index=False)
    os.replace(tmp, path)


def available_memory() -> int | None:
    """Bytes of memory available to new work (Linux MemAvailable), or None when unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):
        return None
