"""One generator family: a replication's seed split into one stream per source of randomness.

A stream is addressed by (root seed, replication, stream name) and built directly from a
``SeedSequence`` spawn key, so it does not depend on how many other streams were made before,
on the regime, or on which worker process runs the replication. A district run and its
standalone twin therefore draw the same demand even though the district makes extra draws
(common random numbers).
"""

from __future__ import annotations

import numpy as np

STREAMS = ("init", "demand", "membership", "network", "sharing", "trust", "entry", "shocks", "mesa")
"""Sources of randomness. New sources are appended, so existing streams keep their numbers."""


def replication_seed(root_seed: int, replication: int) -> np.random.SeedSequence:
    """The SeedSequence of one replication."""
    return np.random.SeedSequence(entropy=root_seed, spawn_key=(replication,))


def streams(root_seed: int, replication: int) -> dict[str, np.random.Generator]:
    """One independent generator per source of randomness for one replication."""
    rep = replication_seed(root_seed, replication)
    return {
        name: np.random.Generator(np.random.PCG64(np.random.SeedSequence(rep.entropy, spawn_key=(*rep.spawn_key, i))))
        for i, name in enumerate(STREAMS)
    }
