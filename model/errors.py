"""Errors every layer raises or catches, and the command line's exit statuses. Imports nothing of model."""

from __future__ import annotations

EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141


class ScenarioError(Exception):
    """Bad input: the message is one line meant for the user."""


class WorkerDiedError(Exception):
    """A worker process died (killed, out of memory, crashed) while running the named runs."""


class OutputError(Exception):
    """Results could not be written (a full disk, a folder that changed meanwhile): one line for the user."""


stop_requested = False
"""Set by the command line's Ctrl-C and SIGTERM handler (``cli.dispatch``) before it raises
KeyboardInterrupt. A stop that lands in a finalizer (Matplotlib frees transforms in weakref
callbacks while charts are written) is an exception Python ignores; ``stop_if_requested`` at the
points that commit work raises it again, so the stop is never lost."""


def stop_if_requested() -> None:
    """Raise the KeyboardInterrupt a Ctrl-C or SIGTERM asked for, if it has not stopped us yet."""
    if stop_requested:
        raise KeyboardInterrupt
