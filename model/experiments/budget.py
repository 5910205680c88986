"""Memory a run would need, estimated before it starts, so sizes that cannot fit are refused up front.

The figures come from measurements of the model (``bench/bench.py``: about 3.2 KB of peak memory
per starting firm at 100,000 firms, of which ~48 bytes per directed partner edge are the link
arrays) with a margin; they are estimates, stated as such to the user.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..errors import ScenarioError
from ..scenario_io import Experiment
from ..sim.metrics import metrics_of
from ..sim.params import Scenario

BYTES_PER_SLOT = 2_048
"""Firm state, its Mesa agent and the step's temporaries, per firm slot (starting firms and entrant room)."""
BYTES_PER_EDGE = 96
"""Link arrays and the clearing's temporaries, per directed partner edge."""
PROCESS_BYTES = 300 * 2**20
"""A worker process with Python, NumPy, Mesa and the model imported."""
RESULT_COPIES = 4
"""Histories held by the parent: the array, the table written to Parquet and its columns."""


@dataclass(frozen=True)
class Estimate:
    slots: int
    edges: int
    run_bytes: int
    kept_bytes: int
    total_bytes: int

    def sentence(self, workers: int, available: int) -> str:
        return (
            f"needs about {gb(self.total_bytes)} of memory ({self.slots:,} firm slots and {self.edges:,} partner "
            f"links per run on {workers} worker(s), {gb(self.run_bytes)} per batch of runs; "
            f"{gb(self.kept_bytes)} of histories kept) and this machine has {gb(available)} available; "
            f"lower firms.count, steps, replications, --workers or --batch"
        )


def gb(n: float) -> str:
    return f"{n / 2**30:.1f} GB" if n >= 2**30 else f"{n / 2**20:.0f} MB"


def _edges(s: Scenario, members: int) -> int:
    if not s.mechanisms.sharing or members < 2:
        return 0
    if s.sharing.network == "complete":
        if members > s.sharing.max_complete_firms:
            raise ScenarioError(
                f"sharing.network: a complete network of {members:,} members has {members * (members - 1):,} "
                f"directed links; use sharing.network: random (or raise sharing.max_complete_firms)"
            )
        return members * (members - 1)
    if s.sharing.network == "groups":
        return members * (min(s.sharing.group_size, members) - 1)
    # each member draws `partners` others (two directed edges per link); entrants and replaced
    # partners add links later, which the slots counted in `members` cover
    return 2 * members * min(s.sharing.partners, members - 1)


PANEL_BYTES = 10
"""Per firm slot and week of a choice run kept for the evaluator's view: profit (8), member and active (1 each)."""


BATCH_BYTES = 64 * 2**20
"""Memory one batch of runs may take (``sim.district.run_batch``): replications of one scenario
advanced in one set of arrays. A pilot run needs about 0.4 MB, so a batch holds every replication
of a regime; a run of 100,000 firms needs more than this alone and runs by itself."""


def run_bytes(s: Scenario) -> tuple[int, int, int]:
    """Peak memory of one run of ``s`` inside a worker (state, temporaries, its history and panel),
    with its firm slots and directed edges."""
    n0 = s.firms.count
    slot_count = n0 + (math.ceil(s.entry.slots * n0) if s.mechanisms.entry_exit else 0)
    members = math.ceil(s.district.membership_share * slot_count)
    e = _edges(s, members)
    history = s.steps * len(metrics_of(s)) * 8
    panel = s.steps * slot_count * PANEL_BYTES if s.district.membership == "choice" else 0
    return slot_count * BYTES_PER_SLOT + e * BYTES_PER_EDGE + history + panel, slot_count, e


def batch_size(s: Scenario, replications: int, requested: int | None = None) -> int:
    """Runs of ``s`` per batch: ``requested`` (``--batch``) if given, else as many as fit in
    ``BATCH_BYTES`` by ``run_bytes``; never more than ``replications``, never fewer than one. A
    function of the scenario only (not of the workers or the machine), and the numbers of a run do
    not depend on it anyway."""
    if requested is not None:
        return max(1, min(requested, replications))
    return max(1, min(replications, BATCH_BYTES // run_bytes(s)[0]))


def estimate(
    exp: Experiment,
    workers: int,
    replications: int | None = None,
    keep_histories: bool = True,
    batch: int | None = None,
) -> Estimate:
    """Peak memory of running ``exp`` on ``workers`` processes, each holding one batch of runs
    (``batch_size``); histories kept in the parent if asked."""
    reps = exp.base.replications if replications is None else replications
    run = 0
    slots = edges = 0
    for s in exp.regimes.values():
        one, slot_count, e = run_bytes(s)
        need = one * batch_size(s, reps, batch)
        if need > run:
            run, slots, edges = need, slot_count, e
    kept = 0
    if keep_histories:
        kept = RESULT_COPIES * len(exp.regimes) * reps * exp.base.steps * len(metrics_of(exp.base)) * 8
        if exp.base.district.membership == "choice":  # the firm panels of the evaluator's view
            kept += len(exp.regimes) * reps * exp.base.steps * slots * PANEL_BYTES
    parallel = max(1, min(workers, len(exp.regimes) * reps))
    total = parallel * (PROCESS_BYTES + run) + kept
    return Estimate(slots=slots, edges=edges, run_bytes=run, kept_bytes=kept, total_bytes=total)


def check_fits(exp: Experiment, workers: int, available: int | None, **kw: object) -> Estimate:
    """Refuse (ScenarioError) a run that would need more memory than ``available`` bytes."""
    est = estimate(exp, workers, **kw)  # type: ignore[arg-type]
    if available is not None and est.total_bytes > available:
        raise ScenarioError(f"{exp.source}: {est.sentence(workers, available)}")
    return est
