"""Eq. (4) and its gradient Eq. (9) for a training step, from one exp of the logits.

``losses.bernoulli_nll`` writes the loss as the lecture does: softplus(l) - x l with
softplus in its overflow-proof form max(l, 0) + log(1 + e^-|l|), then p = sigmoid(l)
through tanh and p - x: fifteen passes over the (N, D) logits, two of them exp or tanh.
:func:`bernoulli_nll_fused` computes the same two results in seven passes, sharing
e = e^l between them:

    softplus(l) = log(1 + e)           Eq. (4): nll = sum_d softplus(l_d) - x . l
    p = sigmoid(l) = e / (1 + e)       Eq. (9): dlogits = p - x

Where e^l overflows (a logit above 88 in float32), sigmoid(l) is 1 and softplus(l) is l to
the last bit, so those rows are computed again with NumPy's overflow-proof
``logaddexp(0, l)`` and p = 1 there. Every row is computed alike, so half the rows go
to each core (:func:`~numpyvae.fast.halves.in_halves`). tests/test_fast.py ties it to ``losses.bernoulli_nll``,
overflowing rows included.
"""

from __future__ import annotations

import numpy as np

from .halves import in_halves


def bernoulli_nll_fused(
    logits: np.ndarray, x: np.ndarray
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """``losses.bernoulli_nll(logits, x)`` (Eq. 4 and its gradient, Eq. 9) in seven passes.

    Args:
        logits: (N, D) decoder outputs before the sigmoid (any (..., D) works).
        x: (N, D) target pixels in [0, 1], of the shape of ``logits`` (the fast form
            does not broadcast: a ValueError).

    Returns:
        nll: (N,) Eq. (4) summed over the D pixels.
        grads: ``{"logits": p - x}``, (N, D), Eq. (9), as ``losses.bernoulli_nll`` gives it.
    """
    if np.shape(x) != logits.shape:
        raise ValueError(f"the fused loss takes x of the logits' shape {logits.shape}, "
                         f"not {np.shape(x)}: use losses.bernoulli_nll to broadcast")
    one_row = logits.ndim == 1
    lg, xs = (logits[None], np.asarray(x)[None]) if one_row else (logits, np.asarray(x))
    dtype = np.result_type(lg.dtype, np.float16)  # e^l's: float32 stays, integers give float64
    e = np.empty_like(lg, dtype=dtype)  # in the logits' memory order, as np.exp(l) gives it
    nll = np.empty(lg.shape[:-1], dtype)

    def part(start: int, stop: int, hand: int) -> None:
        l, xr, er = lg[start:stop], xs[start:stop], e[start:stop]
        with np.errstate(over="ignore", invalid="ignore"):
            np.exp(l, out=er)  # e^l   (n, D)
            nll[start:stop] = np.einsum("...d->...", np.log1p(er))  # sum of softplus(l) = log(1 + e^l)
            nll[start:stop] -= np.vecdot(l, xr)  # - x . l: one short dot per row
            one_plus_e = er + 1
            np.divide(er, one_plus_e, out=er)  # p = e^l / (1 + e^l)
        np.subtract(er, xr, out=er)  # Eq. (9): p - x

    # every row alike: half the rows on each core (fast.halves), the same values
    in_halves(part, len(lg), align=1, size=lg[0].size)
    if one_row:
        e, nll = e[0], nll[0, ...]  # nll stays an array, (), as the plain form gives it
    overflowed = ~np.isfinite(nll)  # e^l = inf somewhere in the row (or a non-finite logit)
    if overflowed.any():
        rows, x_rows = logits[overflowed], x[overflowed]
        # term by term, as Eq. (4) is written: a huge l cancels against x l before the sum
        nll[overflowed] = (np.logaddexp(0, rows) - x_rows * rows).sum(axis=-1)
        with np.errstate(over="ignore", invalid="ignore"):
            p = np.exp(rows)
            p = np.where(np.isinf(p), 1, p / (1 + p))  # sigmoid(l) = 1 where e^l overflows
        e[overflowed] = p - x_rows
    return nll, {"logits": e}
