"""What a batch must be before it enters a model: each rule written once, here.

:mod:`numpyvae.model` calls :func:`as_data` (and :func:`as_rows` for z) at its doors
(``forward``, ``encode``, ``decode``), so that the model itself reads like the slides;
:func:`numpyvae.train.fit` calls :func:`check_data` once on a whole data set, by the
rules of shape, type, size and values, and then passes ``check=False`` for each batch
(whose shape and type ``as_data`` still checks). A batch is a (N, width)
array of real numbers; the data x must also be a non-empty batch of floats that are
finite and, for the Bernoulli likelihood, in [0, 1]. The noise eps of Eq. (2), when
given, must be an (N, latent_dim) batch of finite real numbers (:func:`as_noise`); the
KL weight beta follows :func:`numpyvae.config.real_number` (finite, >= 0). Anything else is a ValueError
that names the argument and, where there is one, the fix.

Cost: the values are checked with one ``min`` and one ``max``, two reads of the batch
(which also see NaN and inf), beside the dozens of passes of a training step.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # a parameter's type only: this module loads nothing of numpyvae
    from .config import VAEConfig

#: rows of a data set checked at a time by :func:`check_data` (25 MB of 784 float32
#: pixels), so that data on disk is never read whole
CHECK_ROWS = 8192


def check_shape(shape: tuple[int, ...], width: int, what: str) -> None:
    """The rule of shape: (N, width), N >= 0."""
    if len(shape) != 2 or shape[1] != width:
        raise ValueError(f"{what} must have shape (N, {width}), got {tuple(shape)}")


def check_not_empty(n: int, what: str) -> None:
    """The rule of size: at least one row."""
    if n == 0:
        raise ValueError(f"{what} is empty: it needs at least one row")


def check_finite(x: np.ndarray, what: str, where: str = "") -> tuple[float, float]:
    """The rule of finite values, seen by one ``min`` and one ``max`` (NaN and inf
    included); returns them. ``where`` says which rows."""
    lo, hi = float(x.min()), float(x.max())
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ValueError(f"{what} has non-finite values (NaN or inf{where})")
    return lo, hi


def check_values(x: np.ndarray, what: str, likelihood: str, where: str = "") -> None:
    """The rules of value: finite, and in [0, 1] for the Bernoulli likelihood. One ``min``
    and one ``max`` see them all (NaN and inf included). ``where`` says which rows."""
    lo, hi = check_finite(x, what, where)
    if likelihood == "bernoulli" and (lo < 0 or hi > 1):
        raise ValueError(
            f"{what} must hold pixels in [0, 1] for the Bernoulli likelihood, "
            f"got values in {lo:g}..{hi:g}{where}"
            + ("; divide 0..255 images by 255" if 1 < hi <= 255 else "")
        )


def check_dtype(dtype: np.dtype, what: str, likelihood: str | None = None) -> None:
    """The rules of type: real numbers; for data (a ``likelihood`` given), floats: integer
    pixels, e.g. uint8 0..255, are the usual mistake."""
    if not np.issubdtype(dtype, np.number):
        raise ValueError(f"{what} must be numeric, got dtype {dtype}")
    if np.issubdtype(dtype, np.complexfloating):
        raise ValueError(f"{what} must be real numbers, got dtype {dtype}")
    if likelihood is not None and not np.issubdtype(dtype, np.floating):
        if likelihood == "bernoulli":
            raise ValueError(
                f"{what} has dtype {dtype}: pixels must be floats in [0, 1]; "
                "divide uint8 images by 255 (x.astype(np.float32) / 255)"
            )
        raise ValueError(f"{what} has dtype {dtype}: the data must be floats "
                         "(x.astype(np.float32))")


def as_rows(a: np.ndarray, width: int, what: str, likelihood: str | None = None) -> np.ndarray:
    """``a`` as an array of shape (N, width) of a type :func:`check_dtype` accepts (not
    yet converted)."""
    a = np.asarray(a)
    check_shape(a.shape, width, what)
    check_dtype(a.dtype, what, likelihood)
    return a


def as_data(x: np.ndarray, config: VAEConfig, dtype: np.dtype, what: str = "x",
            check: bool = True) -> np.ndarray:
    """``x`` as a (N, config.input_dim) array of ``dtype`` (the model's), or a clear
    ValueError.

    Rejected: a wrong shape, an empty batch, anything but floats (integer pixels,
    e.g. uint8 0..255, are the usual mistake: divide them by 255), and, when
    ``check``, values that break :func:`check_values` (its cost: see the module doc).
    """
    x = as_rows(x, config.input_dim, what, config.likelihood)
    check_not_empty(len(x), what)
    with np.errstate(over="ignore"):  # a float64 1e300 becomes inf, refused below
        x = x.astype(dtype, copy=False)
    if check:
        check_values(x, what, config.likelihood)
    return x


def as_noise(eps: np.ndarray, n: int, latent_dim: int, dtype: np.dtype) -> np.ndarray:
    """The noise eps of Eq. (2) given to ``forward``: an (n, latent_dim) array of real
    numbers, finite (one min and one max), as ``dtype``; a ValueError otherwise."""
    eps = as_rows(eps, latent_dim, "eps")
    if len(eps) != n:
        raise ValueError(f"eps must have one row per row of x: shape ({n}, {latent_dim}), "
                         f"got {eps.shape}")
    with np.errstate(over="ignore"):  # a float64 1e300 becomes inf, refused below
        eps = eps.astype(dtype, copy=False)
    if n:
        check_finite(eps, "eps")
    return eps


def check_data(x: np.ndarray, what: str, input_dim: int, likelihood: str) -> None:
    """A whole data set (an array, or rows read from disk), checked once before training
    (``fit``) by the rules of a batch: its shape, its type, its size, and its values in chunks of
    :data:`CHECK_ROWS` rows."""
    check_shape(x.shape, input_dim, what)
    check_dtype(np.dtype(x.dtype), what, likelihood)
    check_not_empty(len(x), what)
    for start in range(0, len(x), CHECK_ROWS):
        chunk = np.asarray(x[start : start + CHECK_ROWS])
        check_values(chunk, what, likelihood, f", rows {start}..{start + len(chunk) - 1}")
        del chunk  # before the next chunk is read
