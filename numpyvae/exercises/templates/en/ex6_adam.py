"""Exercise 6: one step of Adam.

Lecture: training the VAE, minimising the loss of Eq. (6). The update rule is Eq. (10).

Given the gradient g of a weight w at step t = 1, 2, 3, ... (entry by entry)::

    m  = b1 m + (1 - b1) g              running mean of the gradients (starts at 0)
    v  = b2 v + (1 - b2) g^2            running mean of their squares (starts at 0)
    m^ = m / (1 - b1^t)                 bias corrections: m and v start at 0, so the
    v^ = v / (1 - b2^t)                 first averages are too small; this undoes it
    w  = w - lr m^ / (sqrt(v^) + eps)                                     Eq. (10)

``params`` and ``grads`` map names to arrays (``{"encoder.0.W": ..., ...}``); each
weight has its own m and v, of its shape.

Hints:
- Count the step first: t is 1 at the first step, so 1 - b1^t is never 0. t counts
  steps, not weights: add 1 once per step, before the loop over the weights.
- ``b1, b2 = self.betas``, in this order: b1 (0.9) goes with m, b2 (0.999) with v.
- m and v live in ``self.m[name]`` and ``self.v[name]`` across steps, one pair per
  weight (by its name: in the VAE several weights have one shape), of its shape; don't
  restart them, and don't share one pair between weights or between two optimizers.
- Update m and v with this step's g first, then form m^ and v^ from them.
- eps goes outside the square root: sqrt(v^) + eps.
- Update the weights *in place* (``w -= ...`` or ``w[...] = ...``): the model holds
  these very arrays, so a new array bound to ``self.params[name]`` would never reach it.
- Don't change the arrays in ``grads``.
- The check runs three steps on three weights, w (3, 4), b (4,) and c (4,), two
  optimizers side by side, and once in float32 (the weights must stay float32).

Check your version (in this folder, or in the one that holds it)::

    numpyvae exercises check --only adam

After trying, compare with the library's own: numpyvae/optim.py, ``Adam.update``
(Eq. (10) as written; ``Adam.update_folded`` beside it is the same step with the two
corrections folded into the step size, for speed).
"""

import numpy as np


class Adam:
    """Adam (Kingma and Ba, 2015), Eq. (10), on a dict of named arrays, in place."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params, self.lr, self.betas, self.eps = params, lr, betas, eps
        self.m = {name: np.zeros_like(w) for name, w in params.items()}
        self.v = {name: np.zeros_like(w) for name, w in params.items()}
        self.t = 0  # steps taken so far

    def step(self, grads):
        """One update of every weight in ``self.params`` from ``grads`` (same names)."""
        # YOUR CODE: count the step, then for each name: m, v, m^, v^, and w in place.
        raise NotImplementedError("exercise 6: write Adam.step")
