"""Where results go, and what memory there is: checked before any work starts (light imports only).

A results folder is only ever replaced when it is provably one this tool wrote, of the same
kind: it holds the marker file ``.district-sim.json`` (written last), the marker's list of files
is exactly what the folder holds, and nothing else is there. Any other folder that exists and is
not empty is refused, so a user's files are never deleted. An empty folder (a mount point, say)
is filled in place. A symbolic link is followed: results land where it points.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import OutputError, ScenarioError, stop_if_requested
from ..experiments.files import fsync_folder, process_alive, replace_durably, temporary_name, write_text_durably

MARKER = ".district-sim.json"
"""The file that makes a folder a results folder of this tool: its kind and every file it holds."""
TOOL = "district-sim"
KIND_WORDS = {
    "run": "a run's results folder",
    "validation": "a validation results folder",
    "compare": "a comparison results folder",
    "appraisal": "a programme appraisal folder",
    "sweep": "a sweep job folder",
    "sensitivity": "a sensitivity job folder",
    "discover": "a scenario discovery job folder",
    "study": "a study folder",
    "attribute": "an attribution job folder",
}
WRITE_ERRORS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EFBIG: "the file is larger than this system allows",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "not permitted",
    errno.EIO: "input/output error",
}
"""Errors of the disk, not of the tool, while results are written: reported as such, naming the path."""
_LEFTOVER = re.compile(r"\.(?P<name>.*)\.(?:partial|old)-(?P<pid>\d+)$")
_INSIDE_LEFTOVER = re.compile(r"\.(?:partial-|old-|district-sim-probe-)(?P<pid>\d+)(?:-.*)?$")
_PROBE = re.compile(r"\.district-sim-probe-(?P<pid>\d+)-.*")
_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


@dataclass(frozen=True)
class Destination:
    """Where one command's results folder goes, decided before any run starts.

    ``path``: the folder (a symbolic link followed to its target). ``in_place``: the folder
    exists and cannot be swapped for a new one (an empty folder or mount point, or a parent
    that cannot be written), so its contents are replaced instead.
    """

    path: Path
    kind: str
    in_place: bool = False


def follow_link(out: Path) -> Path:
    """``out``, or the folder a symbolic link ``out`` points to (results land there)."""
    if not out.is_symlink():
        return out
    target = Path(os.path.realpath(out))
    if target.exists() and not target.is_dir():
        raise ScenarioError(f"--out {out}: is a link to {target}, which is a file, not a folder")
    return target


def remove_leftovers(out: Path) -> list[Path]:
    """Remove what processes that died while writing ``out`` left behind (``.<name>.partial-PID``
    and ``.<name>.old-PID`` beside it, ``.partial-PID`` inside it); return what was removed."""
    removed = []
    candidates = []
    if out.parent.is_dir():
        candidates += [
            (p, m) for p in out.parent.iterdir() if (m := _LEFTOVER.fullmatch(p.name)) and m["name"] == out.name
        ]
        candidates += [(p, m) for p in out.parent.iterdir() if (m := _PROBE.fullmatch(p.name))]
    if out.is_dir() and not out.is_symlink():
        candidates += [(p, m) for p in out.iterdir() if (m := _INSIDE_LEFTOVER.fullmatch(p.name))]
    for path, match in candidates:
        if process_alive(int(match["pid"])):
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def _contents(folder: Path, skip: Path | None = None) -> tuple[set[str], set[str], list[str]]:
    """Files, folders and other entries (links, devices) under ``folder``, as relative POSIX paths
    (``skip``: a folder inside it left out)."""
    files, folders, other = set(), set(), []
    for root, dirs, names in os.walk(folder):
        if skip is not None and Path(root) == folder:
            dirs[:] = [d for d in dirs if folder / d != skip]
        base = Path(root).relative_to(folder)
        for d in list(dirs):
            p = Path(root) / d
            (other.append if p.is_symlink() else folders.add)((base / d).as_posix())
        dirs[:] = [d for d in dirs if not (Path(root) / d).is_symlink()]
        for n in names:
            p = Path(root) / n
            (files.add if p.is_file() and not p.is_symlink() else other.append)((base / n).as_posix())
    return files, folders, other


def read_marker(folder: Path) -> dict[str, Any] | None:
    """The folder's marker, if it has a readable one of this tool."""
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("tool") != TOOL or not isinstance(data.get("files"), list):
        return None
    return data


def results_kind(folder: Path, skip: Path | None = None) -> str | None:
    """The kind of results folder ``folder`` provably is ('run', 'sweep', ...), else None.

    Provably: the marker is there, and the folder holds exactly the files it lists and the
    folders those files are in, nothing else."""
    marker = read_marker(folder)
    if marker is None:
        return None
    files, folders, other = _contents(folder, skip)
    listed = set(marker["files"])
    needed = {p.rsplit("/", 1)[0] for p in listed if "/" in p}
    needed |= {"/".join(d.split("/")[: i + 1]) for d in needed for i in range(d.count("/") + 1)}
    if other or files - {MARKER} != listed or folders != needed:
        return None
    return str(marker.get("kind"))


def _other_kind(out: Path, marker: dict[str, Any] | None, kind: str) -> str | None:
    """The refusal for a results folder of another kind than ``kind``, else None."""
    if marker is None or marker.get("kind") == kind:
        return None
    what = KIND_WORDS.get(str(marker.get("kind")), "a results folder of another kind")
    return f"--out {out}: is {what}; a {kind} does not replace it; choose another --out"


NOT_OURS = "exists, is not empty and is not a results folder of this tool; choose another --out"


def _refusal(out: Path, kind: str) -> str:
    marker = read_marker(out)
    if other := _other_kind(out, marker, kind):
        return other
    if marker is not None:
        files, _, other_entries = _contents(out)
        extra = sorted((files - {MARKER} - set(marker["files"])) | set(other_entries))
        if extra:
            shown = ", ".join(extra[:3]) + (f" and {len(extra) - 3} more" if len(extra) > 3 else "")
            return f"--out {out}: holds {shown}, which this tool did not write; choose another --out"
        return f"--out {out}: lacks files this tool wrote there, so it is not replaced; choose another --out"
    if (out / "design.json").exists():
        return f"--out {out}: holds an unfinished design job (design.json); resume it, or choose another --out"
    return f"--out {out}: {NOT_OURS}"


def job_refusal(out: Path, kind: str) -> str:
    """Why a design job (``kind``: sweep, sensitivity, attribute) does not start in ``out``, a folder
    that exists and is not empty, without ``--resume``."""
    if other := _other_kind(out, read_marker(out), kind):
        return other
    if (out / "design.json").exists():
        return f"--out {out}: holds a {kind} job already; use --resume to continue it there, or choose another --out"
    return f"--out {out}: {NOT_OURS}"


def prepare_destination(out: Path | Destination, kind: str = "run") -> Destination:
    """Decide where the results go, before any run: refuse what must not be replaced or cannot be written.

    A new folder is written beside its final place and renamed in; an empty folder is filled in
    place; an earlier results folder of this tool and of the same kind is replaced whole.
    Leftovers of processes that died while writing here are removed first. A destination already
    prepared is returned as it is.
    """
    if isinstance(out, Destination):
        return out
    out = follow_link(out)
    if out.exists() and not out.is_dir():
        raise ScenarioError(f"--out {out}: exists and is a file, not a folder; choose another --out")
    remove_leftovers(out)
    if not out.exists():
        check_writable(out)
        return Destination(out, kind)
    empty = not any(out.iterdir())
    if not empty and results_kind(out) != kind:
        raise ScenarioError(_refusal(out, kind))
    probe_folder(out, out)
    in_place = empty or os.path.ismount(out) or not _can_write(out.absolute().parent)
    return Destination(out, kind, in_place)


def _probe(folder: Path) -> None:
    """Create and remove a folder in ``folder`` (named so that a kill in between leaves a known leftover)."""
    Path(tempfile.mkdtemp(prefix=f".district-sim-probe-{os.getpid()}-", dir=folder)).rmdir()


def _can_write(folder: Path) -> bool:
    try:
        _probe(folder)
    except OSError:
        return False
    return True


def probe_folder(out: Path, folder: Path) -> None:
    """Refuse ``folder`` (``out`` or its nearest existing parent) when nothing can be created in it."""
    try:
        _probe(folder)
    except OSError as exc:
        raise ScenarioError(f"--out {out}: cannot write in {folder} ({exc.strerror or exc})") from None


def check_writable(out: Path) -> None:
    """Refuse a folder that cannot be written: probed in the folder itself when it exists, else in
    its nearest existing parent (nothing is left)."""
    if out.is_dir():
        probe_folder(out, out)
        return
    base = out.absolute().parent
    while not base.exists():
        base = base.parent
    if not base.is_dir():
        raise ScenarioError(f"--out {out}: {base} is a file, not a folder")
    probe_folder(out, base)


def write_marker(folder: Path, kind: str) -> None:
    """The marker, last: the kind of results folder ``folder`` is and every file it holds."""
    files, _, _ = _contents(folder)
    marker = {"tool": TOOL, "kind": kind, "files": sorted(files - {MARKER})}
    write_text_durably(folder / MARKER, json.dumps(marker, indent=1) + "\n")


@contextmanager
def signals_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM during a few renames, so they happen all or not at all."""
    try:
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    except (AttributeError, ValueError):  # not the main thread's business, or no such call here
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def _swap_in(tmp: Path, out: Path) -> None:
    """Replace ``out`` (an earlier results folder of this kind, if any) by the complete ``tmp``."""
    if out.exists():
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        out.rename(old)
        tmp.rename(out)
        fsync_folder(out.parent)
        shutil.rmtree(old, ignore_errors=True)
    else:
        tmp.rename(out)
        fsync_folder(out.parent)


def _fill_in(tmp: Path, out: Path) -> None:
    """Replace the contents of ``out`` by those of ``tmp`` (a folder inside it), marker last."""
    (out / MARKER).unlink(missing_ok=True)
    for entry in out.iterdir():
        if entry == tmp:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    for entry in sorted(tmp.iterdir(), key=lambda p: p.name == MARKER):
        entry.rename(out / entry.name)
    tmp.rmdir()
    fsync_folder(out)


def write_error(exc: BaseException, where: Path) -> OutputError | None:
    """A full disk (or another fault of the disk) while writing under ``where``, as one line naming
    the path (the file when the error names it), else None."""
    if not isinstance(exc, OSError) or exc.errno not in WRITE_ERRORS:
        return None
    return OutputError(f"cannot write {exc.filename or where}: {WRITE_ERRORS[exc.errno]}")


def _fsync_tree(folder: Path) -> None:
    """Flush every file under ``folder`` to the disk, so that once renamed into place none is empty after a crash."""
    for root, _, names in os.walk(folder):
        for name in names:
            with open(Path(root) / name, "rb") as fh:
                os.fsync(fh.fileno())
        fsync_folder(Path(root))


def _still_replaceable(dest: Destination, tmp: Path) -> bool:
    """True when ``dest.path`` is still what it was judged to be before the runs: absent, empty,
    or a results folder of this tool of the same kind (a user may have changed it meanwhile)."""
    out = dest.path
    if not out.exists() and not out.is_symlink():
        return True
    if not out.is_dir():
        return False
    skip = tmp if dest.in_place else None
    if not any(p != skip for p in out.iterdir()):
        return True
    return results_kind(out, skip) == dest.kind


@contextmanager
def staging(dest: Destination) -> Iterator[Path]:
    """A temporary folder whose contents become the results folder only if the block completes.

    Beside ``dest.path`` and renamed into place, or inside it and moved in (``in_place``); the
    marker is written last. On any failure the temporary folder is removed and nothing changes.
    If the destination changed while the runs went on so that it may no longer be replaced, the
    new results stay in the temporary folder and the error names it.
    """
    out = dest.path
    if dest.in_place:
        tmp = out / f".partial-{os.getpid()}"
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.parent / f".{out.name}.partial-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    placed = False
    try:
        tmp.mkdir()
        yield tmp
        _fsync_tree(tmp)
        write_marker(tmp, dest.kind)
        stop_if_requested()  # a stop Python lost in a finalizer: the folder is not put in place
        with signals_held():
            if not _still_replaceable(dest, tmp):
                kept = out.parent / f"{out.name}.new-{os.getpid()}"
                tmp.rename(kept)
                raise OutputError(
                    f"--out {out}: changed while the runs went on and is no longer a results folder this "
                    f"command may replace; the new results are in {kept}"
                )
            (_fill_in if dest.in_place else _swap_in)(tmp, out)
            placed = True
    except KeyboardInterrupt:
        if placed:
            raise KeyboardInterrupt(f"interrupted once the results folder was complete: {out}") from None
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if (err := write_error(exc, out)) is not None:
            raise OutputError(f"{err}; no results folder was written") from None
        raise


def default_destination(root: Path, name: str, stamp: str) -> Path:
    out = root / name / stamp
    k = 1
    while out.exists():
        k += 1
        out = root / name / f"{stamp}-{k}"
    return out


def write_atomic(path: Path, text: str) -> None:
    """Write a text file under a temporary name, flush it and move it into place: readers see all
    or nothing, after a crash too."""
    write_text_durably(path, text)


def write_csv(frame: Any, path: Path) -> None:
    """Write a table (a pandas DataFrame) as CSV under a temporary name and move it into place."""
    tmp = temporary_name(path)
    try:
        frame.to_csv(tmp, index=False)
        replace_durably(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


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
