"""One run: the state of one replication of one regime and the rules that step it (docs/ODD.md
sections 2-7). numpy, Mesa and pydantic only; no I/O; imports nothing above it.

Docstring only: importing a sub-module (``model.sim.params``) must not import Mesa.
"""
