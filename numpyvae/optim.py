"""Optimizers that update a model's named parameters in place: SGD and Adam, Eq. (10).

An optimizer is built on the model's ``params`` (name -> array) and its ``step(grads)``
takes gradients with the same names. It changes the arrays themselves (``w -= ...``),
so the model sees the new values without any copying.
"""

from __future__ import annotations

import math

import numpy as np

from .fast.flat import FLUSH_EVERY, PIECE, FlatParams, flush_subnormals, pieces
from .fast.halves import in_halves


class SGD:
    """Stochastic gradient descent with momentum: ``v = momentum v - lr g; w += v``."""

    def __init__(
        self, params: dict[str, np.ndarray], lr: float = 0.01, momentum: float = 0.0
    ) -> None:
        if not lr > 0:
            raise ValueError(f"lr must be > 0, got {lr}")
        if not 0 <= momentum < 1:
            raise ValueError(f"momentum must be in [0, 1), got {momentum}")
        self.params, self.lr, self.momentum = params, lr, momentum
        self.velocity = {k: np.zeros_like(w) for k, w in params.items()}
        self.t = 0

    def step(self, grads: dict[str, np.ndarray]) -> None:
        self.t += 1
        for name, w in self.params.items():
            v = self.velocity[name]
            v *= self.momentum
            v -= self.lr * grads[name]
            w += v

    def state_dict(self) -> dict[str, np.ndarray]:
        return {"t": np.array(self.t), **{f"velocity.{k}": v for k, v in self.velocity.items()}}

    def load_state_dict(self, state: dict[str, np.ndarray]) -> None:
        self.t = int(state["t"])
        for k, v in self.velocity.items():
            v[...] = state[f"velocity.{k}"]


class Adam:
    """Adam (Kingma and Ba, 2015), Eq. (10), for every parameter w with gradient g::

        m = b1 m + (1 - b1) g            first moment (mean of the gradients)
        v = b2 v + (1 - b2) g^2          second moment
        m^ = m / (1 - b1^t)              bias corrections: m and v start at 0
        v^ = v / (1 - b2^t)
        w = w - lr m^ / (sqrt(v^) + eps)

    :meth:`update` is these five lines as written, one parameter at a time.
    :meth:`update_folded` is the same step with the two corrections moved into the
    step size (the paper's own remark, end of its section 2): multiplying the
    numerator and denominator of the last line by sqrt(1 - b2^t) gives

        w = w - lr_t m / (sqrt(v) + eps_t),  lr_t = lr sqrt(1 - b2^t) / (1 - b1^t),
                                             eps_t = eps sqrt(1 - b2^t),

    so m^ and v^ are never formed. :meth:`step` uses the folded form on the whole flat
    buffer, piece by piece (:func:`~numpyvae.fast.flat.pieces`), half of the buffer on
    each core (:func:`~numpyvae.fast.halves.in_halves`), when the parameters and
    gradients are a model's (:class:`~numpyvae.fast.flat.FlatParams`), and Eq. (10) as
    written otherwise, or always with ``folded=False``. The two agree to rounding
    (tests/test_fast.py); the fast path also clears m and v of subnormal numbers every
    :data:`~numpyvae.fast.flat.FLUSH_EVERY` steps, which moves no weight but to rounding
    (:func:`~numpyvae.fast.flat.flush_subnormals`).
    """

    def __init__(
        self,
        params: dict[str, np.ndarray],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        folded: bool = True,
    ) -> None:
        if not lr > 0:
            raise ValueError(f"lr must be > 0, got {lr}")
        if not all(0 <= b < 1 for b in betas):
            raise ValueError(f"betas must be in [0, 1), got {betas}")
        if not eps > 0:
            raise ValueError(f"eps must be > 0, got {eps}")
        self.params, self.lr, self.betas, self.eps = params, lr, tuple(betas), eps
        self.folded = folded
        self.m = FlatParams.like(params)  # first moments, zeros, one per parameter
        self.v = FlatParams.like(params)  # second moments
        self.t = 0
        self._tmp: np.ndarray | None = None  # scratch space of the folded form, one piece

    def step(self, grads: dict[str, np.ndarray]) -> None:
        """One update of every parameter from ``grads`` (same names as ``params``)."""
        self.t += 1
        if self.folded and isinstance(self.params, FlatParams) and isinstance(grads, FlatParams):
            w, g, m, v = self.params.flat, grads.flat, self.m.flat, self.v.flat
            if self._tmp is None:  # one piece of scratch space for each half
                self._tmp = np.empty((2, min(PIECE, w.size)), w.dtype)
            flush = self.t % FLUSH_EVERY == 0  # subnormal moments take the CPU's slow path

            def update_part(start: int, stop: int, hand: int) -> None:
                # the model's parameters share one buffer: the folded update runs over it
                # piece by piece, so that the twelve passes over a piece find it in the cache
                tmp = self._tmp[hand]
                for p in pieces(stop - start):
                    q = slice(start + p.start, start + p.stop)
                    self.update_folded(w[q], g[q], m[q], v[q], tmp[: q.stop - q.start])
                if flush:
                    flush_subnormals(m[start:stop])
                    flush_subnormals(v[start:stop])

            in_halves(update_part, w.size)  # element-wise: half on each core, same values
            return
        for name, w in self.params.items():
            self.update(w, grads[name], self.m[name], self.v[name])

    def update(self, w: np.ndarray, g: np.ndarray, m: np.ndarray, v: np.ndarray) -> None:
        """Eq. (10) as written, on one parameter ``w`` with gradient ``g``; w, m, v in place."""
        b1, b2, t = self.betas[0], self.betas[1], self.t
        m[...] = b1 * m + (1 - b1) * g  # Eq. (10): m = b1 m + (1 - b1) g
        v[...] = b2 * v + (1 - b2) * g**2  # Eq. (10): v = b2 v + (1 - b2) g^2
        m_hat = m / (1 - b1**t)  # Eq. (10): m^ = m / (1 - b1^t)
        v_hat = v / (1 - b2**t)  # Eq. (10): v^ = v / (1 - b2^t)
        w -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)  # Eq. (10): w -= lr m^ / (sqrt(v^) + eps)

    def update_folded(
        self, w: np.ndarray, g: np.ndarray, m: np.ndarray, v: np.ndarray, tmp: np.ndarray
    ) -> None:
        """Eq. (10), folded: the same step as :meth:`update`, with the bias corrections in
        lr_t and eps_t and every operation in place (``tmp`` is scratch space)."""
        b1, b2, t = self.betas[0], self.betas[1], self.t
        lr_t = self.lr * math.sqrt(1 - b2**t) / (1 - b1**t)
        eps_t = self.eps * math.sqrt(1 - b2**t)
        np.multiply(g, 1 - b1, out=tmp)
        m *= b1
        m += tmp  # Eq. (10), folded: m = b1 m + (1 - b1) g
        np.multiply(g, g, out=tmp)
        tmp *= 1 - b2
        v *= b2
        v += tmp  # Eq. (10), folded: v = b2 v + (1 - b2) g^2
        np.sqrt(v, out=tmp)
        tmp += eps_t
        np.divide(m, tmp, out=tmp)
        tmp *= lr_t
        w -= tmp  # Eq. (10), folded: w -= lr_t m / (sqrt(v) + eps_t)

    def state_dict(self) -> dict[str, np.ndarray]:
        """The optimizer's state as named arrays (for checkpoints)."""
        return {
            "t": np.array(self.t),
            **{f"m.{k}": a for k, a in self.m.items()},
            **{f"v.{k}": a for k, a in self.v.items()},
        }

    def load_state_dict(self, state: dict[str, np.ndarray]) -> None:
        """Restore what :meth:`state_dict` returned."""
        self.t = int(state["t"])
        for k in self.m:
            self.m[k] = state[f"m.{k}"]
            self.v[k] = state[f"v.{k}"]
