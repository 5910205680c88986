"""The command line's entry: ``main`` parses, hands the command to its module and turns every
failure into one line and an exit status (2 bad input, 1 failure, 130 interrupted, 141 closed
pipe); never a traceback unless DISTRICT_SIM_DEBUG is set."""

from __future__ import annotations

import argparse
import gc
import io
import os
import signal
import sys
import threading
from collections.abc import Callable

from .. import errors
from ..errors import (
    EXIT_BAD_INPUT,
    EXIT_BROKEN_PIPE,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    OutputError,
    ScenarioError,
    WorkerDiedError,
)
from ..outputs.paths import WRITE_ERRORS
from .parser import build_parser, normalise_argv


def _stop_on_sigterm(signum: int, frame: object) -> None:
    errors.stop_requested = True  # in case this exception lands where Python ignores it
    raise KeyboardInterrupt


def _quiet_ignored_stop(unraisable: object) -> None:
    """``sys.unraisablehook``: a stop that landed in a finalizer is not an error to print (it is
    raised again where work is committed: ``errors.stop_if_requested``); the rest as usual."""
    if not isinstance(getattr(unraisable, "exc_value", None), KeyboardInterrupt):
        sys.__unraisablehook__(unraisable)


def _single_threaded_blas() -> None:
    """The model's array operations are small; multithreaded BLAS only competes with the worker
    processes (20 pilot runs on 2 workers: 1.62x faster than on 1 with BLAS threads, 1.90x
    without). NumPy is not imported yet when this runs; a user's own setting wins."""
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")


class _GuardedStdout(io.TextIOBase):
    """Standard output that cannot fail the command: when the device is full or gone (``> /dev/full``),
    what is printed is dropped and the failure remembered (``failed``), so that the work on disk still
    completes and the command ends with one true line instead of an internal error."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.failed: OSError | None = None

    def write(self, text: str) -> int:
        if self.failed is None:
            try:
                self.stream.write(text)
            except BrokenPipeError:
                raise
            except OSError as exc:
                self.failed = exc
        return len(text)

    def flush(self) -> None:
        if self.failed is None:
            try:
                self.stream.flush()
            except BrokenPipeError:
                raise
            except OSError as exc:
                self.failed = exc

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()

    @property
    def encoding(self) -> str:
        return self.stream.encoding


def _silence_stdout() -> None:
    """Point the process's standard output at the null device, so that nothing left in its buffer
    fails again when the interpreter exits."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def main(argv: list[str] | None = None) -> int:
    _single_threaded_blas()
    argv = list(sys.argv[1:] if argv is None else argv)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _stop_on_sigterm)  # a terminated run cleans up like Ctrl-C
        signal.signal(signal.SIGHUP, _stop_on_sigterm)  # and so does one whose terminal closed
        signal.signal(signal.SIGINT, _stop_on_sigterm)  # Ctrl-C: KeyboardInterrupt, as by default
        sys.unraisablehook = _quiet_ignored_stop
    parser = build_parser()
    args = parser.parse_args(normalise_argv(argv))
    if args.command is None:
        parser.print_help()
        return EXIT_BAD_INPUT
    real_stdout = sys.stdout
    guarded = sys.stdout = _GuardedStdout(real_stdout)
    try:
        status = _run(args, argv)
    finally:
        sys.stdout = real_stdout
    if guarded.failed is not None:
        _silence_stdout()
        print(
            f"error: cannot write to standard output ({guarded.failed.strerror or guarded.failed}); "
            "the files the command wrote are not affected",
            file=sys.stderr,
        )
        return status or EXIT_FAILED
    return status


def _run(args: argparse.Namespace, argv: list[str]) -> int:
    """The command, with every failure turned into one line on standard error and an exit status."""
    try:
        status = _dispatch(args, argv)
        errors.stop_if_requested()
        sys.stdout.flush()
        _font_note()
        return status
    except ScenarioError as exc:
        message, status = f"error: {exc}", EXIT_BAD_INPUT
    except KeyboardInterrupt as exc:
        message, status = str(exc) or "interrupted: no results folder was written", EXIT_INTERRUPTED
    except BrokenPipeError:  # the reader of our output went away (e.g. `| head`): stop quietly, like Unix tools
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except MemoryError:
        message, status = "error: out of memory; lower firms.count, steps, replications or --workers", EXIT_FAILED
    except (WorkerDiedError, OutputError) as exc:
        message, status = f"error: {exc}", EXIT_FAILED
    except Warning as exc:  # a library's warning, raised because warnings were made errors (-W error)
        if os.environ.get("DISTRICT_SIM_DEBUG"):
            raise
        message = (
            f"error: a library warned ({type(exc).__name__}: {str(exc)[:300]}) and this Python turns warnings "
            "into errors (-W error or PYTHONWARNINGS); rerun without that setting"
        )
        status = EXIT_FAILED
    except Exception as exc:  # a defect: one line for the user, the traceback on request
        if os.environ.get("DISTRICT_SIM_DEBUG"):
            raise
        message, status = _unexpected(exc), EXIT_FAILED
    print(one_line(message), file=sys.stderr)
    return status


def _unexpected(exc: Exception) -> str:
    """A disk's fault (full, read-only, failing) and a missing package named as such; anything else
    is a defect of the tool."""
    if isinstance(exc, ModuleNotFoundError):
        old = " (Python 3.12 or newer is needed)" if sys.version_info < (3, 12) else ""
        return (
            f"error: the Python package '{exc.name}' is not installed for {sys.executable}{old}; run 'make run' "
            "once (it builds .venv) and use .venv/bin/python, or activate it: source .venv/bin/activate"
        )
    if isinstance(exc, OSError) and exc.errno in WRITE_ERRORS:
        where = f": {exc.filename}" if exc.filename else ""
        return f"error: cannot write{where} ({WRITE_ERRORS[exc.errno]})"
    return (
        f"error: internal error ({type(exc).__name__}: {str(exc)[:300]}); rerun with DISTRICT_SIM_DEBUG=1 "
        "for the traceback and report it"
    )


def entry() -> int:
    """The process's entry point (``simulate.py``, the ``district-sim`` script): ``main``, then exit fast.

    The process ends right after this returns. Freezing the cyclic collector's objects first
    spares the interpreter's shutdown from walking every object of the ~1,300 modules that Mesa,
    pandas, SciPy and Matplotlib import (0.3-0.4 s of every command here). Objects are still
    released by reference counting, results are on disk before this point, and the interpreter
    still runs atexit handlers and flushes stdout and stderr. ``main`` itself stays free of it,
    so in-process callers (tests) keep a normal collector.
    """
    status = main()
    gc.freeze()
    return status


def _command(name: str) -> Callable[[argparse.Namespace, list[str]], int]:
    """The function behind a subcommand; its module is imported only when that command runs."""
    from importlib import import_module

    module, func = COMMANDS[name]
    return getattr(import_module(module, __package__), func)


COMMANDS = {
    "run": (".run", "cmd_run"),
    "validate": (".validate", "cmd_validate"),
    "compare": (".compare", "cmd_compare"),
    "appraise": (".appraise", "cmd_appraise"),
    "sweep": (".jobs", "cmd_sweep"),
    "sensitivity": (".jobs", "cmd_sensitivity"),
    "discover": (".jobs", "cmd_discover"),
    "study": (".study", "cmd_study"),
    "attribute": (".jobs", "cmd_attribute"),
}
"""Subcommand -> (module, function)."""


def _dispatch(args: argparse.Namespace, argv: list[str]) -> int:
    return _command(args.command)(args, argv)


def _font_note() -> None:
    """Say once, after the results are written, if chart labels had characters no font could draw."""
    charts = sys.modules.get(f"{__package__.rsplit('.', 1)[0]}.outputs.charts")  # model. or district_sim.
    note = charts.missing_glyph_note() if charts is not None else None
    if note:
        print(one_line(note), file=sys.stderr)


def one_line(text: str) -> str:
    """A message on one line: line breaks and other control characters shown escaped."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)
