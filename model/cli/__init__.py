"""The command line: parse, call the layers below, print. ``python simulate.py`` and the
``district-sim`` script both enter at ``entry``."""

from .dispatch import entry, main

__all__ = ["entry", "main"]
