"""Eq. (4) and its gradient Eq. (9) for a training step, from one exp of the logits.

``losses.bernoulli_nll`` writes the loss as the lecture does: softplus(l) - x l with
softplus in its overflow-proof form max(l, 0) + log(1 + e^-|l|), then p = sigmoid(l)
through tanh and p - x: fifteen passes over the (N, D) logits, two of them exp or tanh.
:func:`bernoulli_nll_fused` computes the same two results in seven passes, sharing
e = e^l between them:

    softplus(l) = log(1 + e)           Eq. (4): nll = sum_d softplus(l_d) - x . l
    p = sigmoid(l) = e / (1 + e)       Eq. (9): dlogits = p - x

Where e^l overflows (a logit above 88 in float32), those rows are computed again by the
plain form. tests/test_fast.py ties it to ``losses.bernoulli_nll``.
"""

from __future__ import annotations

import numpy as np

from ..losses import bernoulli_nll


def bernoulli_nll_fused(
    logits: np.ndarray, x: np.ndarray
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """``losses.bernoulli_nll(logits, x)`` (Eq. 4 and its gradient, Eq. 9) in seven passes.

    Args:
        logits: (N, D) decoder outputs before the sigmoid (any (..., D) works).
        x: (N, D) target pixels in [0, 1], of the shape of ``logits`` (else the
            plain form computes the result: the fast form does not broadcast).

    Returns:
        nll: (N,) Eq. (4) summed over the D pixels.
        grads: ``{"logits": p - x}``, (N, D), Eq. (9), as ``losses.bernoulli_nll`` gives it.
    """
    if np.shape(x) != logits.shape:
        return bernoulli_nll(logits, x)
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(logits)  # e^l   (N, D)
        nll = np.asarray(np.einsum("...d->...", np.log1p(e)))  # sum of softplus(l) = log(1 + e^l)
        nll -= np.vecdot(logits, x)  # - x . l: one short dot per row
        one_plus_e = e + 1
        np.divide(e, one_plus_e, out=e)  # p = e^l / (1 + e^l)
    np.subtract(e, x, out=e)  # Eq. (9): p - x
    overflowed = ~np.isfinite(nll)  # e^l = inf somewhere in the row (or a non-finite logit)
    if overflowed.any():
        nll[overflowed], again = bernoulli_nll(logits[overflowed], x[overflowed])
        e[overflowed] = again["logits"]
    return nll, {"logits": e}
