"""Compare two captures of tools/capture.sh byte for byte: `python tools/compare_captures.py BEFORE AFTER`.

Identical means: the same set of files; every CSV, Parquet, PNG, text and .npy file byte-identical;
manifest.json equal but for the keys that record when and where it ran; report.html equal once
dates and commit hashes are blanked. Prints "identical" (exit 0) or the files that differ (exit 1).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

VOLATILE = {"started", "finished", "wall_seconds", "git_commit", "seeding"}
STAMP = re.compile(rb"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d)?(\+00:00| UTC)?|[0-9a-f]{40}")


def _manifest(path: Path) -> list:
    return [(k, v) for k, v in json.loads(path.read_text(encoding="utf-8")).items() if k not in VOLATILE]


def same(x: Path, y: Path) -> bool:
    if x.name == "manifest.json":
        return _manifest(x) == _manifest(y)
    if x.name == "report.html":
        return STAMP.sub(b"", x.read_bytes()) == STAMP.sub(b"", y.read_bytes())
    return x.read_bytes() == y.read_bytes()


def main(a: Path, b: Path) -> int:
    left = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    right = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    bad = [f"only in {a}: {p}" for p in sorted(set(left) - set(right))]
    bad += [f"only in {b}: {p}" for p in sorted(set(right) - set(left))]
    bad += [str(rel) for rel in left if (b / rel).exists() and not same(a / rel, b / rel)]
    if not bad:
        print(f"{len(left)} files: identical")
    else:
        more = f"\n  ... and {len(bad) - 40} more" if len(bad) > 40 else ""
        print(f"DIFFERENT ({len(bad)} of {len(left)} files):\n  " + "\n  ".join(bad[:40]) + more)
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__.splitlines()[0])
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
