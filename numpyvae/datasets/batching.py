"""What a training run draws from the data: 0/1 pixels and minibatches.

* :func:`binarize`: 0/1 pixels for the Bernoulli decoder (Eq. 3, 4), and
  :func:`binarized_test_images`, the one fixed 0/1 sample of the test images
  that a binarized run is tested on.
* :func:`batches`: the minibatches of one epoch.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

BINARIZE_MODES = ("none", "static", "dynamic")


def binarize(x: np.ndarray, mode: str, rng: np.random.Generator | None = None) -> np.ndarray:
    """Turn grey pixels into 0/1 pixels for a Bernoulli decoder (Eq. 3, 4).

    Each pixel becomes 1 with probability equal to its grey value:
    ``(rng.random(x.shape, dtype=float32) < x)`` as float32. The two modes that
    do so differ only in how often the caller draws:

    * "static": call it once, on the whole data set, and keep the result: the
      data set is one fixed Bernoulli sample (as in "binarized MNIST");
    * "dynamic": call it again every epoch (or on every batch), so the model
      sees fresh samples and overfits less;
    * "none": keep the grey values; `x` itself is returned, not a copy.

    Args:
        x: float (N, D) with values in [0, 1] (a data set or a batch).
        mode: one of :data:`BINARIZE_MODES`.
        rng: the generator to draw with (needed unless mode is "none").

    Returns:
        float32 (N, D) of 0.0 and 1.0, or `x` itself for "none".
    """
    if mode not in BINARIZE_MODES:
        raise ValueError(
            f"unknown binarize mode {mode!r}; choose one of: {', '.join(BINARIZE_MODES)}"
        )
    if mode == "none":
        return x
    if rng is None:
        raise ValueError(f"binarize mode {mode!r} draws random pixels: pass rng")
    return (rng.random(np.shape(x), dtype=np.float32) < x).astype(np.float32)


def binarized_test_images(x_test: np.ndarray, seed: int) -> np.ndarray:
    """The one fixed 0/1 sample of the test images that a binarized run is tested on,
    during training and by ``numpyvae evaluate`` alike.

    Args:
        x_test: float (N, D) with values in [0, 1], the test images.
        seed: the run's seed.

    Returns:
        float32 (N, D) of 0.0 and 1.0:
        ``binarize(x_test, "static", np.random.default_rng([seed, 2]))``, the same
        array for the same `x_test` and `seed`.
    """
    return binarize(x_test, "static", np.random.default_rng([seed, 2]))

def batches(
    x: Any,
    batch_size: int,
    rng: np.random.Generator | None = None,
    shuffle: bool = True,
    drop_last: bool = False,
) -> Iterator[np.ndarray]:
    """Iterate over minibatches of `x` for one epoch.

    With `shuffle`, the batches are ``x[idx]`` for consecutive chunks ``idx``
    of ``rng.permutation(len(x))``, so each row appears exactly once per epoch
    and the same rng state gives the same batches. Without it, they are the
    slices ``x[i : i + batch_size]`` in order.

    Args:
        x: (N, D) array, or anything with ``len()`` and indexing by an index
            array and by a slice, such as a :class:`~numpyvae.datasets.NpyRows`.
        batch_size: rows per batch, >= 1; the last batch may be smaller.
        rng: the generator that shuffles (needed when `shuffle`).
        shuffle: shuffle the rows (training) or keep their order (evaluation).
        drop_last: skip a last batch smaller than `batch_size`.

    Yields:
        (B, D) arrays with B = batch_size (the last one: N mod batch_size).
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    if shuffle and rng is None:
        raise ValueError("batches(shuffle=True) needs rng")
    n = len(x)
    stop = n - n % batch_size if drop_last else n
    order = rng.permutation(n) if shuffle else None  # drawn now, not at the first batch

    def generate() -> Iterator[np.ndarray]:
        for start in range(0, stop, batch_size):
            end = min(start + batch_size, stop)
            yield x[order[start:end]] if order is not None else x[start:end]

    return generate()
