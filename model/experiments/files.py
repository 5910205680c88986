"""Durable files: written under a temporary name, flushed to the disk, then renamed into place.

A rename is atomic, but without ``fsync`` a power cut can leave the new name pointing at an
empty file (the data was still in the page cache). Flushing the file before the rename and the
folder after it means a name that exists holds its whole content, after any crash.
Standard library only: the output layer's light imports use it too.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

_TEMPORARY = re.compile(r"\..+\.(?P<pid>\d+)\.tmp")


def process_alive(pid: int) -> bool:
    """True when process ``pid`` (not this one) is running, so what it is writing must be left alone."""
    if pid == os.getpid():
        return False  # our own leftover (an earlier call in this process): never in use now
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def temporary_name(path: Path) -> Path:
    """Where ``path`` is written before it is renamed into place: hidden, and named by this process,
    so that two processes never write one temporary file and a dead one's can be told apart."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def remove_dead_temporaries(folder: Path) -> None:
    """Remove temporary files (``temporary_name``) in ``folder`` that processes now dead left behind."""
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        match = _TEMPORARY.fullmatch(path.name)
        if match and path.is_file() and not process_alive(int(match["pid"])):
            path.unlink(missing_ok=True)


def fsync_folder(folder: Path) -> None:
    """Make a rename or a new name in ``folder`` durable (where the platform allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems refuse fsync on a folder; the rename itself is still atomic
        pass
    finally:
        os.close(fd)


def replace_durably(tmp: Path, path: Path) -> None:
    """Flush ``tmp`` to the disk, rename it to ``path`` and flush the folder: all or nothing, after a crash too."""
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fsync_folder(path.parent)


def write_text_durably(path: Path, text: str) -> None:
    """A text file (UTF-8) that readers see whole or not at all, even after a power cut."""
    tmp = temporary_name(path)
    try:
        tmp.write_text(text, encoding="utf-8")
        replace_durably(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
