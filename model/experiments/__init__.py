"""Many runs: regimes x replications on common random numbers, designs (sweeps, attribution,
sensitivity), statistics, validation, worker pools. Imports ``model.sim`` and ``model.scenario_io``,
never the layers above; worker processes import Mesa themselves.

Docstring only, so that importing one sub-module imports nothing else.
"""
