"""Named parameters stored in one contiguous buffer.

A model's parameters are a flat mapping ``name -> array`` (``encoder.0.W``, ...). In
numpyvae every array of that mapping is a view into one 1-D buffer, ``.flat``, so an
optimizer can update all of them with a handful of whole-buffer operations instead of
a loop over a dozen arrays (``optim.Adam``, "Eq. (10), folded"), piece by piece
(:func:`pieces`).
"""

from __future__ import annotations

import math

import numpy as np

#: values per piece of a whole-buffer update: Adam's five float32 arrays (w, g, m, v and
#: scratch) of one piece, 2.6 MB, stay near the core (2 MiB of L2 here) from one pass to
#: the next, in few enough pieces that the two halves' calls seldom wait for each
#: other's turn at Python (benchmarks/README.md)
PIECE = 131072

#: Adam's folded update clears its moments of subnormal numbers every this many steps
#: (:func:`flush_subnormals`)
FLUSH_EVERY = 100


def flush_subnormals(a: np.ndarray) -> None:
    """Set to 0, in place, the values of ``a`` smaller in magnitude than the smallest
    normal number of its dtype (1.2e-38 in float32).

    Adam's m shrinks by b1 = 0.9 at every step where a weight's gradient is 0 (a pixel
    that no recent batch lit, a ReLU unit that no longer fires): within a few hundred steps
    it is subnormal, and there it stays, since 0.9 times the smallest subnormal rounds back
    to it. The CPU computes with subnormal numbers on a slow path: with the 13 % of the
    recipe's m that are subnormal after 10 epochs, one Adam step took 4 times as long
    (benchmarks/README.md). Such a value cannot move a float32 weight (the step it makes,
    at most lr_t 1.2e-38 / eps_t, is below the rounding of any weight larger than 1e-25),
    so clearing it changes no weight of a training run but to rounding.
    """
    np.putmask(a, np.abs(a) < np.finfo(a.dtype).tiny, 0)


def pieces(n: int, size: int = PIECE) -> list[slice]:
    """Consecutive slices of at most ``size`` values that cover ``range(n)``."""
    if size < 1:
        raise ValueError(f"a piece needs at least one value, got size={size}")
    return [slice(start, min(start + size, n)) for start in range(0, n, size)]


class ParamSlots(dict):
    """A ``dict`` of arrays whose arrays never move: ``d[name] = value`` copies
    ``value`` into the existing array (same shape required) instead of rebinding it.

    A layer whose arrays are views into a model's flat buffer holds them in a
    ``ParamSlots``, so ``layer.params["W"] = new_W`` updates the buffer too, and a
    wrong shape is a clear error rather than a silently broken link.
    """

    def __setitem__(self, name: str, value: np.ndarray) -> None:
        if name not in self:
            raise KeyError(f"unknown parameter {name!r}: the names are {sorted(self)}")
        slot = self[name]
        value = np.asarray(value)
        if value.shape != slot.shape:
            raise ValueError(f"{name}: expected shape {slot.shape}, got {value.shape}")
        slot[...] = value

    def update(self, *args, **kwargs) -> None:  # type: ignore[override]
        """Copy values into the named slots, like ``d[name] = value`` for each."""
        for name, value in dict(*args, **kwargs).items():
            self[name] = value


class FlatParams(ParamSlots):
    """``ParamSlots`` whose arrays are views into one 1-D buffer ``self.flat``."""

    def __init__(self, shapes: dict[str, tuple[int, ...]], dtype: np.dtype | str) -> None:
        super().__init__()
        sizes = [math.prod(s) for s in shapes.values()]
        self.flat = np.zeros(sum(sizes), dtype=dtype)
        offset = 0
        for (name, shape), size in zip(shapes.items(), sizes):
            dict.__setitem__(self, name, self.flat[offset : offset + size].reshape(shape))
            offset += size

    @classmethod
    def like(cls, other: dict[str, np.ndarray]) -> FlatParams:
        """Zeros with the names, shapes and dtype of ``other``."""
        dtype = next(iter(other.values())).dtype if other else np.float32
        return cls({k: v.shape for k, v in other.items()}, dtype)


def pack_layers(layers: dict, dtype: np.dtype) -> tuple[FlatParams, FlatParams]:
    """Move the arrays of named layers (``{"encoder.0": dense, ...}``) into two flat
    buffers, ``params`` and ``grads``, named ``"encoder.0.W"``, ...

    Each layer's ``W`` and ``b`` become views into the buffers, held in a
    :class:`ParamSlots`: ``layer.params["W"] = a`` copies ``a`` into the buffer (a
    wrong shape is an error), so the link between the layer and the model holds.
    """
    shapes = {f"{p}.{k}": a.shape for p, d in layers.items() for k, a in d.params.items()}
    params, grads = FlatParams(shapes, dtype), FlatParams(shapes, dtype)
    for prefix, layer in layers.items():
        for k, a in layer.params.items():
            params[f"{prefix}.{k}"] = a  # copy the initial values into the buffer
        layer.params = ParamSlots({k: params[f"{prefix}.{k}"] for k in layer.params})
        layer.grads = ParamSlots({k: grads[f"{prefix}.{k}"] for k in layer.grads})
    return params, grads
