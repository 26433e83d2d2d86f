"""Exercise 2: the backward pass of ReLU, y = max(x, 0).

Lecture: 단계1 Encoder and 단계3 Decoder, the activation ``act`` of Eq. (1) and
Eq. (3) (numpyvae's default).

Forward (given)::

    y = max(x, 0)          x, y: (N, D)

Backward (yours). ``dout`` = dL/dy, shape (N, D). ReLU acts entry by entry, with

    dy/dx = 1 where x > 0,  0 where x < 0,  and 0 at x = 0 exactly

ReLU has no derivative at 0 (any value in [0, 1] will do); numpyvae takes 0 there, the
mask ``x > 0``, and one row checks exactly that. The finite differences stay away from 0.

so by the chain rule, entry by entry::

    dL/dx[n, d] = dout[n, d]  if x[n, d] > 0,  else 0      -> dx: (N, D)

Hints:
- The mask comes from the forward pass: ``self.x > 0`` (or the output's ``y > 0``, the
  same mask for ReLU), not from ``dout``: the gradient passes where the unit was on,
  whatever its own sign.
- ``x > 0`` is an array of booleans; multiplying by it turns True into 1, False into 0.
- Do not write ``dout[mask] = 0``: that changes the caller's ``dout`` in place (the
  trap of many NumPy ReLUs). Return a new array.
- Keep the dtype: ``dout * mask`` stays float32 for float32 inputs; ``mask * 1.0`` or
  ``np.where(mask, 1.0, 0.0)`` is float64 and makes it float64 (one row checks it).

Check your version (in this folder, or in the one that holds it)::

    numpyvae exercises check --only relu

After trying, compare with the library's own: numpyvae/layers.py, ``ReLU.backward``.
"""

import numpy as np


class ReLU:
    """``y = max(x, 0)``; backward lets the gradient through where ``x > 0``."""

    def __init__(self):
        self.params = {}  # no parameters
        self.grads = {}
        self.x = None

    def forward(self, x):
        """``x`` (N, D) -> ``max(x, 0)`` (N, D). Keeps x for backward."""
        self.x = x
        return np.maximum(x, 0)

    def backward(self, dout):
        """``dout`` = dL/dy (N, D) -> dL/dx (N, D)."""
        # YOUR CODE: one line, `return ...`.
        raise NotImplementedError("exercise 2: write ReLU.backward")
