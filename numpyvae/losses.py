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
    softplus(l) = log(1 + e^l) = max(l, 0) + log(1 + e^-|l|). This form never takes
    log(0) and never overflows, for logits of any size. Grey pixels (0 < x < 1) are
    allowed: the loss is then the cross entropy between two Bernoulli distributions.

    Args:
        logits: (N, D) decoder outputs before the sigmoid (or (..., D): leading axes
            broadcast against those of ``x``).
        x: (N, D) target pixels in [0, 1].
        need_grad: False skips the gradient (evaluation only needs the value).

    Returns:
        nll: (N,) Eq. (4) summed over the D pixels.
        dlogits: (N, D) d(sum of nll)/dlogits = p - x, Eq. (9); None without need_grad.
    """
    softplus = np.abs(logits)
    np.negative(softplus, out=softplus)
    np.exp(softplus, out=softplus)
    np.log1p(softplus, out=softplus)  # log(1 + e^-|l|), in [0, log 2]
    nll = softplus.sum(axis=-1)
    nll += np.maximum(logits, 0).sum(axis=-1)  # softplus(l) = max(l, 0) + log(1 + e^-|l|)
    nll -= np.einsum("...d,...d->...", x, logits)  # Eq. (4): sum of softplus(l) - x l
    if not need_grad:
        return nll, None
    dlogits = sigmoid(logits)
    dlogits -= x  # Eq. (9): p - x
    return nll, dlogits


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
