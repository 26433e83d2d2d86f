"""The two terms of the VAE loss (lecture, Loss Function) and their gradients.

Each function returns ``(value, gradients)``: the value per example, shape ``(N,)``,
summed over pixels or latent dimensions (nats per example), and the gradient of
``value.sum()``, so a caller that averages over the batch divides by N.

- ``bernoulli_nll``: reconstruction error, the cross entropy of Eq. (4), from logits;
  gradient Eq. (9).
- ``gaussian_nll``: reconstruction error for continuous data (decoder outputs means).
- ``kl_std_normal``: regularization, KL(q(z|x) || N(0, I)) in closed form, Eq. (5);
  gradient Eq. (8).
"""

from __future__ import annotations

import numpy as np

from .layers import sigmoid


def bernoulli_nll(
    logits: np.ndarray, x: np.ndarray, need_grad: bool = True
) -> tuple[np.ndarray, np.ndarray | None]:
    """Cross entropy of pixels ``x`` in [0, 1] under Bernoulli(sigmoid(logits)): Eq. (4), (9).

    With p = sigmoid(l), -[x log p + (1 - x) log(1 - p)] = softplus(l) - x l, where
    softplus(l) = log(1 + e^l) = max(l, 0) + log(1 + e^-|l|). Written with softplus,
    the loss never takes log(0), and it is exact for logits of any size (see
    ``_sum_softplus`` for how overflow is avoided). Grey pixels (0 < x < 1) are
    allowed: the loss is then the cross entropy between two Bernoulli distributions.

    Evaluation runs this on the N*K rows of the importance-weighted estimate (Eq. 11),
    so the sums over the D pixels are arranged to cost little beside the decoder's own
    matrix product: see ``_sum_softplus``.

    Args:
        logits: (N, D) decoder outputs before the sigmoid (or (..., D): leading axes
            broadcast against those of ``x``; ``x`` (G, 1, D) against logits (G, C, D)
            is C samples of each of G images).
        x: (N, D) target pixels in [0, 1].
        need_grad: False skips the gradient (evaluation only needs the value).

    Returns:
        nll: (N,) Eq. (4) summed over the D pixels.
        dlogits: (N, D) d(sum of nll)/dlogits = p - x, Eq. (9); None without need_grad.
    """
    nll = _sum_softplus(logits)  # sum_d softplus(l_d)
    # x . l: one BLAS dot product per row, too short for BLAS to wake its second thread
    nll -= np.vecdot(logits, x)  # Eq. (4): sum_d softplus(l_d) - x_d l_d
    if not need_grad:
        return nll, None
    dlogits = sigmoid(logits)
    dlogits -= x  # Eq. (9): p - x
    return nll, dlogits


def _sum_softplus(logits: np.ndarray) -> np.ndarray:
    """The softplus part of Eq. (4): logits (..., D) -> (...,) sums over the D pixels of
    softplus(l) = log(1 + e^l), for logits of any size.

    First as log(1 + e^l), as written: two passes over the logits. Only the rows where
    e^l overflowed (a logit above 88 in float32: the sum is then inf) are recomputed as
    max(l, 0) + log(1 + e^-|l|), a form that never overflows.

    The sums over the pixels are einsums: a loop of NumPy's own, about three times as
    fast as ``.sum(axis=-1)`` on these rows, and, unlike a product with a vector of
    ones, no call into BLAS, whose second thread would have to be woken for it.
    """
    with np.errstate(over="ignore"):
        e = np.exp(logits)
    np.log1p(e, out=e)  # log(1 + e^l)
    total = np.asarray(np.einsum("...d->...", e))  # sum over the pixels
    overflowed = np.isposinf(total)
    if overflowed.any():
        big = logits[overflowed]  # (rows, D)
        a = np.abs(big)
        np.negative(a, out=a)
        np.exp(a, out=a)
        np.log1p(a, out=a)  # log(1 + e^-|l|), in [0, log 2]
        a += np.maximum(big, 0)
        total[overflowed] = np.einsum("rd->r", a)
    return total


def gaussian_nll(
    mean: np.ndarray, x: np.ndarray, sigma: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Negative log-likelihood of ``x`` under N(mean, sigma^2 I), for continuous data.

    -log N(x; m, s^2) = sum_i [(x_i - m_i)^2 / (2 s^2) + log s + log(2 pi) / 2].

    Args:
        mean: (N, D) decoder outputs, the means.
        x: (N, D) targets.
        sigma: the fixed standard deviation of every pixel.

    Returns:
        nll: (N,); dmean: (N, D) = (mean - x) / sigma^2.
    """
    diff = mean - x  # (N, D)
    const = x.shape[-1] * (np.log(sigma) + 0.5 * np.log(2 * np.pi))
    nll = 0.5 * np.einsum("...d,...d->...", diff, diff) / sigma**2 + const
    dmean = diff / diff.dtype.type(sigma**2)
    return nll.astype(mean.dtype, copy=False), dmean


def kl_std_normal(
    mu: np.ndarray, logvar: np.ndarray
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """KL(N(mu, sigma^2) || N(0, I)) in closed form, with sigma^2 = exp(logvar): Eq. (5), (8).

    KL = 1/2 sum_j (mu_j^2 + sigma_j^2 - logvar_j - 1) >= 0, and = 0 exactly at
    mu = 0, logvar = 0.

    Args:
        mu, logvar: (N, latent_dim) encoder outputs.

    Returns:
        kl: (N,) Eq. (5).
        (dmu, dlogvar): each (N, latent_dim); dKL/dmu = mu, dKL/dlogvar = (sigma^2 - 1) / 2,
        Eq. (8).
    """
    var_minus_1 = np.expm1(logvar)  # sigma^2 - 1, without cancellation near logvar = 0
    # expm1(t) >= t holds for the rounded values too, so KL >= 0 also in floating point.
    kl = 0.5 * np.sum(mu * mu + (var_minus_1 - logvar), axis=1)  # Eq. (5)
    dmu = mu.copy()  # Eq. (8): dKL/dmu = mu
    dlogvar = 0.5 * var_minus_1  # Eq. (8): dKL/dlogvar = (sigma^2 - 1) / 2
    return kl, (dmu, dlogvar)
