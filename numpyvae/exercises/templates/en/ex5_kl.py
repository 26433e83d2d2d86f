"""Exercise 5: the gradient of the KL term.

Lecture: Loss Function, Regularization. The KL divergence Eq. (5), its gradient Eq. (8).

Value (given). For q(z|x) = N(mu, sigma^2) with sigma^2 = exp(logvar), against N(0, I)::

    KL[n] = 1/2 sum_j (mu[n, j]^2 + sigma[n, j]^2 - logvar[n, j] - 1)          Eq. (5)
    mu, logvar: (N, latent_dim)    KL: (N,)

Gradient (yours), of the sum of KL over the batch, entry by entry. Only the j-th
term of the n-th example depends on mu[n, j] and logvar[n, j], and
sigma^2 = exp(logvar), so d sigma^2 / dlogvar = exp(logvar) = sigma^2::

    dKL/dmu     = 1/2 * d/dmu (mu^2)                          -> dmu: (N, latent_dim)
    dKL/dlogvar = 1/2 * d/dlogvar (exp(logvar) - logvar)      -> dlogvar: (N, latent_dim)

Work both out; compare with Eq. (8) of the lecture once you have them.

Hints:
- Keep the 1/2 of Eq. (5): it multiplies every term, so it multiplies every derivative.
- d/dlogvar (-logvar - 1) = -1: the "- 1" of the gradient comes from -logvar, not from
  the constant -1 (whose derivative is 0).
- sigma^2 is ``np.exp(logvar)``, not ``np.exp(logvar / 2)`` (that is sigma).
- Summed over the batch, not averaged: no 1/N (and no mean over the latent dimensions).
- logvar is log sigma^2, not log sigma. Differentiate with respect to logvar itself,
  not sigma.
- Return ``{"mu": dmu, "logvar": dlogvar}``, in the dtype of the inputs: like numpyvae's
  losses, each gradient is keyed by the name of its input, as a layer's ``grads`` are
  keyed like its ``params``.

Check your version (in this folder, or in the one that holds it)::

    numpyvae exercises check --only kl

After trying, compare with the library's own: numpyvae/losses.py, ``kl_std_normal``.
"""

import numpy as np


def kl_std_normal(mu, logvar):
    """Eq. (5) per example and its gradient, as numpyvae's losses give them:
    ``(kl (N,), {"mu": dmu, "logvar": dlogvar})``. Given."""
    kl = 0.5 * np.sum(mu**2 + np.exp(logvar) - logvar - 1, axis=1)  # Eq. (5): (N,)
    return kl, kl_std_normal_grad(mu, logvar)


def kl_std_normal_grad(mu, logvar):
    """Eq. (8): ``{"mu": dKL/dmu, "logvar": dKL/dlogvar}``, each (N, latent_dim), of the
    summed KL."""
    # YOUR CODE: dmu and dlogvar (two lines), then `return {"mu": dmu, "logvar": dlogvar}`.
    raise NotImplementedError("exercise 5: write kl_std_normal_grad")
