"""What a batch must be before it enters a model.

:mod:`numpyvae.model` calls these at its doors (``forward``, ``encode``, ``decode``),
so that the model itself reads like the slides. A batch is a (N, width) array of real
numbers; the data x must also be a non-empty batch of floats that are finite and, for
the Bernoulli likelihood, in [0, 1]. Anything else is a ValueError that names the
argument and, where there is one, the fix.

Cost: the values are checked with one ``min`` and one ``max`` (two reads of the batch,
which also see NaN and inf): on a 128 x 784 float32 batch they took about 40 us against
22-25 ms for one training step (forward, backward and Adam) of the default 784-400-20
VAE, i.e. about 0.2 % (timeit, one BLAS thread; well under 1 % however the step is
run). :func:`numpyvae.train.fit` checks its whole data set once before the first epoch
(:func:`check_data`) and so passes ``check=False`` for each batch.
"""

from __future__ import annotations

import math

import numpy as np

from .config import VAEConfig


def as_rows(a: np.ndarray, width: int, dtype: np.dtype, what: str) -> np.ndarray:
    """``a`` as an array of shape (N, width), of a numeric dtype (not yet converted)."""
    a = np.asarray(a)
    if a.ndim != 2 or a.shape[1] != width:
        raise ValueError(f"{what} must have shape (N, {width}), got {a.shape}")
    if a.dtype != dtype and not np.issubdtype(a.dtype, np.number):
        raise ValueError(f"{what} must be numeric, got dtype {a.dtype}")
    if np.issubdtype(a.dtype, np.complexfloating):
        raise ValueError(f"{what} must be real numbers, got dtype {a.dtype}")
    return a


def as_data(x: np.ndarray, config: VAEConfig, dtype: np.dtype, what: str = "x",
            check: bool = True) -> np.ndarray:
    """``x`` as a (N, config.input_dim) array of ``dtype`` (the model's), or a clear
    ValueError.

    Rejected: a wrong shape, an empty batch, anything but floats (integer pixels,
    e.g. uint8 0..255, are the usual mistake: divide them by 255), and, when
    ``check``, values that are not finite or, for the Bernoulli likelihood, not in
    [0, 1] (the cost of that check: see the module doc).
    """
    x = as_rows(x, config.input_dim, dtype, what)
    bernoulli = config.likelihood == "bernoulli"
    if len(x) == 0:
        raise ValueError(f"{what} is an empty batch: it needs at least one row")
    if not np.issubdtype(x.dtype, np.floating):
        if bernoulli:
            raise ValueError(
                f"{what} has dtype {x.dtype}: pixels must be floats in [0, 1]; "
                "divide uint8 images by 255 (x.astype(np.float32) / 255)"
            )
        raise ValueError(f"{what} has dtype {x.dtype}: the data must be floats "
                         "(x.astype(np.float32))")
    with np.errstate(over="ignore"):  # a float64 1e300 becomes inf, refused below
        x = x.astype(dtype, copy=False)
    if check:
        lo, hi = float(x.min()), float(x.max())  # NaN and inf show in these two
        if not (np.isfinite(lo) and np.isfinite(hi)):
            raise ValueError(f"{what} has non-finite values (NaN or inf)")
        if bernoulli and (lo < 0 or hi > 1):
            raise ValueError(
                f"{what} must hold pixels in [0, 1] for the Bernoulli likelihood, "
                f"got values in {lo:g}..{hi:g}"
                + ("; divide 0..255 images by 255" if 1 < hi <= 255 else "")
            )
    return x


def check_data(x: np.ndarray, what: str, input_dim: int, likelihood: str) -> None:
    """A whole data set, checked once before training (``fit``) by the rules of a batch."""
    if len(x.shape) != 2 or x.shape[1] != input_dim:
        raise ValueError(f"{what} must have shape (N, {input_dim}), got {x.shape}")
    if len(x) == 0:
        raise ValueError(f"{what} is empty")
    # in chunks of 8192 rows (25 MB), so that data on disk is never read whole;
    # min and max see NaN and inf
    for start in range(0, len(x), 8192):
        chunk = np.asarray(x[start : start + 8192])
        lo, hi = float(chunk.min()), float(chunk.max())
        rows = f"rows {start}..{start + len(chunk) - 1}"
        del chunk  # before the next chunk is read
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise ValueError(f"{what} has non-finite values ({rows})")
        if likelihood == "bernoulli" and (lo < 0 or hi > 1):
            raise ValueError(
                f"{what} must hold pixels in [0, 1] for the Bernoulli likelihood ({rows}: {lo:g}..{hi:g})"
            )
