"""Named parameters stored in one contiguous buffer.

A model's parameters are a flat mapping ``name -> array`` (``encoder.0.W``, ...).
In numpyvae every array of that mapping is a view into one 1-D buffer, ``.flat``.
Nothing about a layer changes (it reads and writes its own arrays), but an
optimizer can update all parameters with a handful of whole-buffer operations
instead of a Python loop over a dozen arrays, which matters for speed (Adam touches
every parameter on every step).
"""

from __future__ import annotations

import math

import numpy as np


class FlatParams(dict):
    """``dict`` of named arrays that are views into one 1-D buffer ``self.flat``.

    Assigning ``d[name] = array`` copies the values into that name's slot (the
    views never move), so the buffer and the names stay in step.
    """

    def __init__(self, shapes: dict[str, tuple[int, ...]], dtype: np.dtype | str) -> None:
        super().__init__()
        sizes = [math.prod(s) for s in shapes.values()]
        self.flat = np.zeros(sum(sizes), dtype=dtype)
        offset = 0
        for (name, shape), size in zip(shapes.items(), sizes):
            super().__setitem__(name, self.flat[offset : offset + size].reshape(shape))
            offset += size

    @classmethod
    def like(cls, other: dict[str, np.ndarray]) -> FlatParams:
        """Zeros with the names, shapes and dtype of ``other``."""
        dtype = next(iter(other.values())).dtype if other else np.float32
        return cls({k: v.shape for k, v in other.items()}, dtype)

    def update(self, *args, **kwargs) -> None:  # type: ignore[override]
        """Copy values into the named slots, like ``d[name] = value`` for each."""
        for name, value in dict(*args, **kwargs).items():
            self[name] = value

    def __setitem__(self, name: str, value: np.ndarray) -> None:
        if name not in self:
            raise KeyError(f"unknown parameter {name!r}")
        view = self[name]
        value = np.asarray(value)
        if value.shape != view.shape:
            raise ValueError(f"{name}: expected shape {view.shape}, got {value.shape}")
        view[...] = value
