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
