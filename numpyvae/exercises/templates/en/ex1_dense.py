"""Exercise 1: the backward pass of a Dense layer, y = x W + b.

Lecture: 단계1 Encoder and 단계3 Decoder. Eq. (1) and Eq. (3) are stacks of Dense
layers, h = act(x W + b), so every gradient of the VAE passes through this backward.

Forward (given)::

    y = x W + b
    x: (N, in_dim)   W: (in_dim, out_dim)   b: (out_dim,)   y: (N, out_dim)

Backward (yours). ``dout`` = dL/dy, shape (N, out_dim). Entry by entry,
y[n, j] = sum_i x[n, i] W[i, j] + b[j], so the chain rule gives::

    dL/dx[n, i] = sum_j dout[n, j] W[i, j]       -> dx: (N, in_dim), the shape of x
    dL/dW[i, j] = sum_n x[n, i] dout[n, j]       -> dW: (in_dim, out_dim), the shape of W
    dL/db[j]    = sum_n dout[n, j]               -> db: (out_dim,), the shape of b

Hints:
- Each sum over a shared index is one matrix product. Write the shape beside every
  factor; a gradient always has the shape of what it is the gradient of, and that
  tells you which factor is transposed (``A.T``) and in which order they go.
- b is added to every row of the batch, so its gradient collects dout over the
  batch: a sum over axis 0 (not a mean: the loss here is a plain sum).
- Write dL/dW into ``self.grads["W"]`` and dL/db into ``self.grads["b"]``; return dL/dx.
  Write INTO that mapping (``self.grads["W"] = ...``), don't bind a new dict to
  ``self.grads``: in the VAE the model gave the layer that mapping and reads it.
- Each call writes this batch's gradients (``=``, not ``+=``): nobody clears them between
  calls, and the check calls backward twice, on two batches.
- Do not change ``dout`` or ``self.x`` in place: the caller still needs them.
- Keep the dtype: float32 inputs give float32 gradients (one row checks it, in float32).
- A matmul error says which transpose is missing; ``(3, 4) @ (4, 5)`` works, ``(3, 4) @
  (5, 4)`` does not.

Check your version (in this folder, or in the one that holds it)::

    numpyvae exercises check --only dense
    numpyvae exercises check --only dense --reference    # after trying: vs the library's

After trying, compare with the library's own: numpyvae/layers.py, ``Dense.backward``.
"""

import numpy as np


class Dense:
    """Affine layer ``y = x W + b``, W: (in_dim, out_dim), b: (out_dim,)."""

    def __init__(self, in_dim, out_dim, rng, init="he", dtype=np.float32):
        scale = np.sqrt(2.0 / in_dim) if init == "he" else np.sqrt(1.0 / in_dim)
        self.params = {
            "W": rng.normal(0.0, scale, size=(in_dim, out_dim)).astype(dtype),
            "b": np.zeros(out_dim, dtype=dtype),
        }
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.x = None

    def forward(self, x):
        """``x`` (N, in_dim) -> ``y = x W + b`` (N, out_dim). Keeps x for backward."""
        self.x = x
        return x @ self.params["W"] + self.params["b"]  # Eq. (1)

    def backward(self, dout):
        """``dout`` = dL/dy (N, out_dim) -> dL/dx (N, in_dim).

        Also fills ``self.grads["W"]`` (in_dim, out_dim) and ``self.grads["b"]`` (out_dim,).
        """
        # YOUR CODE: dW, db and dx (about three lines), then `return dx`.
        raise NotImplementedError("exercise 1: write Dense.backward")
