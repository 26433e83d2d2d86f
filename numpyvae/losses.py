"""The two terms of the VAE loss (lecture, Loss Function) and their gradients, and the
log-densities of Eq. (11).

Each loss returns ``(value, grads)``: the value per example, shape ``(N,)``, summed
over pixels or latent dimensions (nats per example), and the gradients of
``value.sum()`` as a dict keyed by the names of the loss's differentiable inputs, as a
layer's ``grads`` is keyed like its ``params``: ``{"logits": ...}``, ``{"mean": ...}``,
``{"mu": ..., "logvar": ...}``. With ``need_grad=False`` it is ``(value, None)``. The
batch mean of Eq. (6), and its 1/N, is taken in one place for both terms:
``VAE.backward`` (model.py).

- ``bernoulli_nll``: reconstruction error, the cross entropy of Eq. (4), from logits;
  gradient Eq. (9).
- ``gaussian_nll``: reconstruction error for continuous data (decoder outputs means).
- ``kl_std_normal``: regularization, KL(q(z|x) || N(0, I)) in closed form, Eq. (5);
  gradient Eq. (8).
- ``log_std_normal``, ``log_normal``: the two log-densities of Eq. (11), log p(z) =
  log N(z; 0, I) and log q(z|x) = log N(z; mu, sigma^2), with ``LOG_2PI``; values only
  (evaluation needs no gradient).
"""

from __future__ import annotations

import math

import numpy as np

from .layers import sigmoid

#: log(2 pi), in every Gaussian log-density
LOG_2PI = math.log(2 * math.pi)


def softplus(l: np.ndarray) -> np.ndarray:
    """softplus(l) = log(1 + e^l), written as max(l, 0) + log(1 + e^-|l|).

    The two are equal (for l > 0: log(1 + e^l) = l + log(e^-l + 1)); the second never
    takes exp of a positive number, so it cannot overflow, and it is never log(0).
    """
    return np.maximum(l, 0) + np.log1p(np.exp(-np.abs(l)))


def bernoulli_nll(
    logits: np.ndarray, x: np.ndarray, need_grad: bool = True
) -> tuple[np.ndarray, dict[str, np.ndarray] | None]:
    """Cross entropy of pixels ``x`` in [0, 1] under Bernoulli(p = sigmoid(l)): Eq. (4), (9).

    Eq. (4) is -sum_i [x_i log p_i + (1 - x_i) log(1 - p_i)]. From the logits l, with
    p = 1 / (1 + e^-l) and 1 - p = e^-l / (1 + e^-l):

        log p     = -log(1 + e^-l)       = l - softplus(l)
        log(1 - p) = -l - log(1 + e^-l)  = -softplus(l)
        -[x log p + (1 - x) log(1 - p)] = -x l + x softplus(l) + (1 - x) softplus(l)
                                        = softplus(l) - x l

    so the loss is computed as softplus(l) - x l, never taking log(0), exact for
    logits of any size. Grey pixels (0 < x < 1) are allowed: the loss is then the
    cross entropy between two Bernoulli distributions.

    Args:
        logits: (N, D) decoder outputs before the sigmoid (or (..., D): leading axes
            broadcast against those of ``x``).
        x: (N, D) target pixels in [0, 1].
        need_grad: False skips the gradient.

    Returns:
        nll: (N,) Eq. (4) summed over the D pixels.
        grads: ``{"logits": (N, D)}``, d(sum of nll)/dlogits = p - x, Eq. (9); None
        without need_grad.
    """
    nll = np.sum(softplus(logits) - x * logits, axis=-1)  # Eq. (4): softplus(l) - x l
    if not need_grad:
        return nll, None
    p = sigmoid(logits)  # the Bernoulli means of Eq. (3), from the same logits
    dlogits = p - x  # Eq. (9): dLoss/dlogits = p - x
    return nll, {"logits": dlogits}


def gaussian_nll(
    mean: np.ndarray, x: np.ndarray, sigma: float = 1.0, need_grad: bool = True
) -> tuple[np.ndarray, dict[str, np.ndarray] | None]:
    """Negative log-likelihood of ``x`` under N(mean, sigma^2 I), for continuous data.

    -log N(x; m, s^2) = sum_i [(x_i - m_i)^2 / (2 s^2) + log s + log(2 pi) / 2].

    Args:
        mean: (N, D) decoder outputs, the means (or (..., D), broadcasting with ``x``).
        x: (N, D) targets.
        sigma: the fixed standard deviation of every pixel.
        need_grad: False skips the gradient.

    Returns:
        nll: (N,).
        grads: ``{"mean": (N, D)}`` = (mean - x) / sigma^2; None without need_grad.
    """
    diff = mean - x  # (N, D)
    const = x.shape[-1] * (np.log(sigma) + 0.5 * LOG_2PI)
    nll = np.sum(diff * diff, axis=-1) / (2 * sigma**2) + const
    nll = nll.astype(mean.dtype, copy=False)
    if not need_grad:
        return nll, None
    return nll, {"mean": diff / diff.dtype.type(sigma**2)}


def kl_std_normal(
    mu: np.ndarray, logvar: np.ndarray, need_grad: bool = True
) -> tuple[np.ndarray, dict[str, np.ndarray] | None]:
    """KL(N(mu, sigma^2) || N(0, I)) in closed form, with sigma^2 = exp(logvar): Eq. (5), (8).

    KL = 1/2 sum_j (mu_j^2 + sigma_j^2 - logvar_j - 1) >= 0, and = 0 exactly at
    mu = 0, logvar = 0 (docs/derivations.md derives it from the two densities).

    Args:
        mu, logvar: (N, latent_dim) encoder outputs.
        need_grad: False skips the gradients.

    Returns:
        kl: (N,) Eq. (5).
        grads: ``{"mu": dKL/dmu, "logvar": dKL/dlogvar}``, each (N, latent_dim):
        dKL/dmu = mu, dKL/dlogvar = (sigma^2 - 1) / 2, Eq. (8); None without need_grad.
    """
    sigma2 = np.exp(logvar)  # sigma^2 = exp(log sigma^2)
    kl = 0.5 * np.sum(mu**2 + sigma2 - logvar - 1, axis=1)  # Eq. (5)
    # sigma^2 - logvar - 1 >= 0 for every logvar, but rounding near logvar = 0 can take
    # it a hair below: keep the KL's sign exact
    np.maximum(kl, 0, out=kl)
    if not need_grad:
        return kl, None
    dmu = mu.copy()  # Eq. (8): dKL/dmu = mu
    # Eq. (8): dKL/dlogvar = (sigma^2 - 1) / 2, with sigma^2 - 1 = e^logvar - 1 as expm1:
    # exact near logvar = 0, where exp(logvar) - 1 would lose the digits that matter
    dlogvar = np.expm1(logvar) / 2
    return kl, {"mu": dmu, "logvar": dlogvar}


# ---- the log-densities of Eq. (11) ------------------------------------------------------


def log_std_normal(z: np.ndarray) -> np.ndarray:
    """log N(z; 0, I), the prior log p(z) of Eq. (11), summed over the latent dimensions.

        log N(z; 0, I) = -1/2 sum_j (z_j^2 + log 2 pi)

    Args:
        z: (..., L) points of the latent space.

    Returns:
        (...,) one log-density per point.
    """
    return -0.5 * np.sum(z * z, axis=-1) - 0.5 * z.shape[-1] * LOG_2PI


def log_normal(z: np.ndarray, mu: np.ndarray, logvar: np.ndarray) -> np.ndarray:
    """log N(z; mu, sigma^2), the encoder's log q(z|x) of Eq. (11), with sigma^2 = exp(logvar).

        log N(z; mu, sigma^2) = -1/2 sum_j ((z_j - mu_j)^2 / sigma_j^2 + logvar_j + log 2 pi)

    Args:
        z: (..., L) points; mu, logvar: (..., L) the encoder's outputs (Eq. 1), broadcasting
            against ``z`` (mu (1, L) against K samples z (K, L) of one image).

    Returns:
        (...,) one log-density per point.
    """
    terms = (z - mu) ** 2 / np.exp(logvar) + logvar  # (..., L)
    return -0.5 * np.sum(terms, axis=-1) - 0.5 * terms.shape[-1] * LOG_2PI
