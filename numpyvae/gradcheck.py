"""Numerical gradients: the referee for every backward pass in numpyvae.

A backward pass is proven by comparing it with central differences,

    df/dx_i ~ (f(x + h e_i) - f(x - h e_i)) / (2 h),

in float64 (in float32 the rounding error of f swamps the difference). A module's
backward is checked as a vector-Jacobian product: draw a random upstream gradient
``dout``, and compare ``backward(dout)`` with the numerical gradient of the scalar
``sum(forward(x) * dout)``. The two agree to the bounds below (README.md, "Gradient checks");
``rel_error`` is the elementwise max of ``|a - b| / max(1e-8, |a| + |b|)``. Adam has no
backward: its referee is Eq. (10) computed by hand, :func:`adam_reference`.

This module imports only numpy.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

#: Bounds on ``rel_error`` in float64 (README.md, "Gradient checks").
BOUND_SMOOTH = 1e-7  # sigmoid, cross entropy, KL, reparameterization
BOUND_PIECEWISE = 1e-6  # Dense and ReLU, inputs kept away from the kink
BOUND_MODEL = 1e-5  # the whole VAE with a fixed eps
#: Bound for Adam against Eq. (10) by hand (:func:`adam_reference`): the same arithmetic,
#: up to rounding.
BOUND_EXACT = 1e-12


def _require_float64(x: np.ndarray, what: str) -> None:
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        dtype = getattr(x, "dtype", type(x).__name__)
        raise TypeError(
            f"gradient checks need float64 arrays, but {what} is {dtype}: "
            "in float32 the rounding error of f swamps the finite difference"
        )


def rel_errors(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Elementwise relative error ``|a - b| / max(1e-8, |a| + |b|)``, in float64."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"rel_error: shapes differ, {a.shape} and {b.shape}")
    return np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))


def rel_error(a: np.ndarray, b: np.ndarray) -> float:
    """Largest elementwise relative error ``|a - b| / max(1e-8, |a| + |b|)``."""
    errors = rel_errors(a, b)
    return float(np.max(errors)) if errors.size else 0.0


def numerical_gradient(f: Callable[[], float], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Central-difference gradient of the scalar ``f()`` with respect to ``x``.

    ``f`` takes no argument and reads ``x``, which is perturbed in place one entry at
    a time and restored exactly afterwards (so ``x`` may be a model parameter).

    Args:
        f: a function returning a scalar that depends on ``x``.
        x: float64 array of any shape.
        h: the step.

    Returns:
        array shaped like ``x``: df/dx.
    """
    _require_float64(x, "x")
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):  # every entry in turn, changed and then restored
        old = x[i]
        x[i] = old + h
        f_plus = float(f())
        x[i] = old - h
        f_minus = float(f())
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def numerical_vjp(
    f: Callable[[], np.ndarray], x: np.ndarray, dout: np.ndarray, h: float = 1e-5
) -> np.ndarray:
    """Numerical vector-Jacobian product: the gradient of ``sum(f() * dout)`` in ``x``.

    This is what ``backward(dout)`` must return for a module whose forward is ``f``.

    Args:
        f: a function returning an array shaped like ``dout``; it reads ``x``.
        x: float64 array, perturbed in place and restored.
        dout: float64 upstream gradient, shaped like ``f()``.
    """
    _require_float64(x, "x")
    _require_float64(dout, "dout")
    return numerical_gradient(lambda: np.sum(f() * dout), x, h)


def adam_reference(w: np.ndarray, grads: list[np.ndarray], lr: float, b1: float = 0.9,
                   b2: float = 0.999, eps: float = 1e-8) -> list[np.ndarray]:
    """The weights after each step of Eq. (10), computed by hand in float64, line by line
    as the paper writes it: the reference of ``checks.check_adam``, of exercise 6 and of
    tests/test_optim.py. It shares no code with ``optim.Adam``, so a wrong Adam cannot
    agree with it.

    Args:
        w: the starting weights (any shape; not changed).
        grads: one gradient per step, shaped like ``w``.
        lr, b1, b2, eps: Adam's hyperparameters.

    Returns:
        the weights after step 1, 2, ..., one float64 array each.
    """
    w = np.array(w, dtype=np.float64)  # a copy: the caller's w stays
    m, v = np.zeros_like(w), np.zeros_like(w)
    out = []
    for t, g in enumerate(grads, start=1):
        g = np.asarray(g, dtype=np.float64)
        m = b1 * m + (1 - b1) * g  # Eq. (10)
        v = b2 * v + (1 - b2) * g * g
        m_hat = m / (1 - b1**t)
        v_hat = v / (1 - b2**t)
        w = w - lr * m_hat / (np.sqrt(v_hat) + eps)
        out.append(w)
    return out
