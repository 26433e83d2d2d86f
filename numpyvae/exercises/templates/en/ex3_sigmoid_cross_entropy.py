"""Exercise 3: the sigmoid, and the sigmoid with the cross entropy.

Lecture: 단계3 Decoder, p = sigmoid(logits), Eq. (3); Loss Function, the reconstruction
error Eq. (4); its gradient Eq. (9). Two parts.

Part A, ``Sigmoid.backward``. Forward (given): p = sigmoid(x) = 1 / (1 + e^-x), entry
by entry, x and p: (N, D). Its derivative::

    dp/dx = e^-x / (1 + e^-x)^2 = p (1 - p)
    dL/dx[n, d] = dout[n, d] * p[n, d] * (1 - p[n, d])          -> dx: (N, D)

Part B, ``bernoulli_nll_grad``, the gradient of the cross entropy of Eq. (4) with
respect to the *logits* l (the decoder's output before the sigmoid), x the target
pixels in [0, 1], both (N, D)::

    L = sum_{n,d} -[x log p + (1 - x) log(1 - p)],   p = sigmoid(l)
    dL/dp = -x / p + (1 - x) / (1 - p) = (p - x) / (p (1 - p))
    dL/dl = dL/dp * dp/dl = (p - x) / (p (1 - p)) * p (1 - p)  =  ?       Eq. (9)

Simplify the last line: that is the whole of part B, one line of NumPy, (N, D).

Hints:
- Part A keeps p from the forward (``self.p``); you need no exp in backward.
- Part B: the sigmoid's derivative p (1 - p) cancels against the denominator of
  dL/dp. Don't multiply by p (1 - p) once more: that is part A's job, and
  ``bernoulli_nll`` takes the logits, so the sigmoid is already inside it.
- ``sigmoid`` below is given; it never overflows, whatever the size of the logits.
- The loss is summed over pixels and examples here: no mean, no 1/N.
- Apply the sigmoid once: ``self.p`` is already sigmoid(x), and part B's p is
  sigmoid(logits), once.
- Part B returns ``{"logits": ...}``: like numpyvae's losses, a gradient is keyed by the
  name of the input it belongs to, as a layer's ``grads`` are keyed like its ``params``.
- Keep the dtype: float32 inputs give float32 gradients (one row checks it, in float32).

Check your version (in this folder, or in the one that holds it)::

    numpyvae exercises check --only sigmoid

After trying, compare with the library's own: numpyvae/layers.py, ``Sigmoid.backward``,
and numpyvae/losses.py, ``bernoulli_nll``.
"""

import numpy as np


def sigmoid(x):
    """``1 / (1 + exp(-x))``, written as ``(1 + tanh(x / 2)) / 2``: equal, never overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


class Sigmoid:
    """``p = sigmoid(x)``; dp/dx = p (1 - p). Eq. (3): the decoder's last activation."""

    def __init__(self):
        self.params = {}  # no parameters
        self.grads = {}
        self.p = None

    def forward(self, x):
        """``x`` (N, D) -> ``p = sigmoid(x)`` (N, D). Keeps p for backward."""
        self.p = sigmoid(x)
        return self.p

    def backward(self, dout):
        """``dout`` = dL/dp (N, D) -> dL/dx (N, D)."""
        # YOUR CODE (part A): one line, `return ...`.
        raise NotImplementedError("exercise 3: write Sigmoid.backward")


def bernoulli_nll(logits, x):
    """Eq. (4) per example and its gradient, as numpyvae's losses give them:
    ``(nll (N,), {"logits": dlogits (N, D)})``. Given.

    -[x log p + (1 - x) log(1 - p)] = softplus(l) - x l with softplus(l) = log(1 + e^l),
    written so that it never takes log(0). The gradient is yours, below.
    """
    softplus = np.maximum(logits, 0) + np.log1p(np.exp(-np.abs(logits)))  # (N, D)
    nll = np.sum(softplus - x * logits, axis=1)  # Eq. (4), summed over pixels: (N,)
    return nll, bernoulli_nll_grad(logits, x)


def bernoulli_nll_grad(logits, x):
    """Eq. (9): ``{"logits": d(sum of nll)/dlogits}``. ``logits``, ``x``: (N, D) -> (N, D)."""
    # YOUR CODE (part B): one line, `return {"logits": ...}`.
    raise NotImplementedError("exercise 3: write bernoulli_nll_grad")
