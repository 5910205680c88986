"""(firms, stages) arrays for the hot path: their layout, flat indices and stage reductions.

The World keeps every (firms, stages) array *stage-major* (Fortran order: each stage's column is
contiguous). NumPy runs an elementwise loop along the contiguous axis, so with five stages a
C-order array makes every operation that broadcasts a per-firm vector (``x[:, None]``) run 1,500
loops of five values; stage-major it runs five loops of 1,500 (1,500 x 5, ``orders[:, None] -
capacity``: 12 us against 6; ``capacity * mask[:, None]``: 22 against 8; ``min(axis=1)``: 90
against 4). The values are the same in either layout; only a flat index depends on it, so flat
firm-stage indices are ``stage * firms + firm`` (``flat``, ``unflat``).

The stage reductions (``row_sum`` and the like) fold the stage columns left to right: NumPy's own
reduction along axis 1 of a stage-major array does exactly that, in one call (1,500 x 5: 4 us);
any other layout is folded column by column, which gives the same numbers. (NumPy's reduction of a
C-order array adds a contiguous axis of 8 or more pairwise, so its last bits can differ.)
"""

from __future__ import annotations

from functools import reduce

import numpy as np


def zeros(n: int, s: int) -> np.ndarray:
    """A stage-major (n, s) array of zeros."""
    return np.zeros((n, s), order="F")


def stage_major(a: np.ndarray) -> np.ndarray:
    """``a`` in the stage-major layout (itself when it already is)."""
    return np.asfortranarray(a)


def flat(a: np.ndarray) -> np.ndarray:
    """A (firms, S) array as one vector, stage after stage: element ``stage * firms + firm`` (a view
    of a stage-major array)."""
    return a.ravel(order="F")


def unflat(v: np.ndarray, s: int) -> np.ndarray:
    """The (firms, S) stage-major array of a flat vector made by ``flat`` (a view)."""
    return v.reshape((-1, s), order="F")


def _columns(ufunc: np.ufunc, a: np.ndarray) -> np.ndarray:
    if a.shape[1] == 1:
        return a[:, 0].copy()
    if a.flags.f_contiguous:  # NumPy folds a stage-major array's columns left to right, in one call
        return ufunc.reduce(a, axis=1)
    return reduce(ufunc, a.T)


def row_min(a: np.ndarray) -> np.ndarray:
    """Smallest value of each row."""
    return _columns(np.minimum, a)


def row_sum(a: np.ndarray) -> np.ndarray:
    """Sum of each row, added left to right."""
    return _columns(np.add, a)


def row_prod(a: np.ndarray) -> np.ndarray:
    """Product of each row."""
    return _columns(np.multiply, a)


def row_dot(a: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``a @ v`` for (rows, stages) ``a`` and a (stages,) vector, added left to right: the same
    number for a row whatever the other rows are (a BLAS product is not: it can take another path
    for one row than for many, so a run's numbers would depend on its batch)."""
    return row_sum(a * v)


def row_any(a: np.ndarray) -> np.ndarray:
    """Whether any value of each (boolean) row is true."""
    return _columns(np.logical_or, a)


def ratio(num: np.ndarray, den: np.ndarray, default: float = 0.0) -> np.ndarray:
    """``num / den`` where ``den > 0``, else ``default``, for finite ``num``.

    The same numbers as ``np.divide(num, den, out=full(default), where=den > 0)`` without its
    masked loop, which is slow when firms with and without a value are interleaved: dividing by
    ``inf`` where ``den`` is not positive gives 0 there (1,500 x 5: 18 us, against 32 us for the
    arithmetic form this replaced and several times that masked).
    """
    pos = den > 0
    out = num / np.where(pos, den, np.inf)
    return np.where(pos, out, default) if default else out


def segment_counts(mask: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """How many of each run of consecutive booleans of ``mask`` are true (``counts`` as in
    ``segment_sums``), as integers."""
    if counts.size == 1:
        return np.array([np.count_nonzero(mask)])
    out = np.zeros(counts.size, dtype=np.int64)
    filled = counts > 0
    if mask.size:
        starts = np.cumsum(counts) - counts
        out[filled] = np.add.reduceat(mask, starts[filled], dtype=np.int64)
    return out


def segment_sums(x: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Sum of each run of consecutive values of ``x`` (``counts[i]`` values for segment i, in
    order; 0.0 for an empty one): NumPy's pairwise sum of each segment, the same number whatever
    the segments around it. ``bincount`` by segment adds one value after another into one bin,
    which waits on each addition (15,000 values into one bin: 58 us, here 10 us)."""
    out = np.zeros(counts.size)
    filled = counts > 0
    if x.size:
        starts = np.cumsum(counts) - counts
        out[filled] = np.add.reduceat(x, starts[filled])
    return out
