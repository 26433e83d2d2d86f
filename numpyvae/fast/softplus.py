"""The softplus sums of Eq. (4) for the many rows of Eq. (11).

``losses.bernoulli_nll`` writes softplus(l) = max(l, 0) + log(1 + e^-|l|), the form
that never overflows: four passes over the logits. The importance-weighted estimate
decodes K samples of every image, so there this sum costs as much as the decoder's
products; :func:`sum_softplus` takes two passes instead (see benchmarks/README.md).
"""

from __future__ import annotations

import numpy as np


def sum_softplus(logits: np.ndarray) -> np.ndarray:
    """logits (..., D) -> (...,): the sums over the D pixels of softplus(l) = log(1 + e^l).

    First as log(1 + e^l), as written: two passes. Only the rows where e^l overflowed
    (a logit above 88 in float32 makes the sum inf) are recomputed in the stable form
    max(l, 0) + log(1 + e^-|l|). Equal to ``losses.softplus(logits).sum(-1)`` up to
    rounding (tests/test_fast.py).
    """
    with np.errstate(over="ignore"):
        e = np.exp(logits)
    np.log1p(e, out=e)  # log(1 + e^l)
    total = np.asarray(np.einsum("...d->...", e))  # einsum: no BLAS call for a sum
    overflowed = np.isposinf(total)
    if overflowed.any():
        big = logits[overflowed]  # (rows, D)
        a = np.abs(big)
        np.negative(a, out=a)
        np.exp(a, out=a)
        np.log1p(a, out=a)  # log(1 + e^-|l|), in [0, log 2]
        a += np.maximum(big, 0)
        total[overflowed] = np.einsum("rd->r", a)
    return total


def bernoulli_nll_rows(logits: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Eq. (4) summed over the pixels, sum_d softplus(l_d) - x_d l_d, without a gradient.

    logits (..., D) and x (..., D) broadcast against each other (x (G, 1, D) against
    logits (G, C, D): C samples of each of G images) -> (...,). Equal to
    ``losses.bernoulli_nll(logits, x)[0]`` up to rounding (tests/test_fast.py).
    """
    nll = sum_softplus(logits)
    nll -= np.vecdot(logits, x)  # x . l: one short dot per row
    return nll
