"""The reparameterization trick (lecture, 단계2), Eq. (2) and Eq. (7).

Sampling z ~ N(mu, sigma^2) cannot be backpropagated: a random draw has no
derivative with respect to mu or sigma. Written as

    z = mu + sigma * eps,    eps ~ N(0, I)                       Eq. (2)

the randomness sits in ``eps``, which does not depend on the parameters, and z is
a smooth function of mu and sigma, with

    dz/dmu = 1,   dz/dsigma = eps,   dsigma/dlogvar = sigma / 2   Eq. (7)

Throughout numpyvae the encoder outputs ``logvar = log sigma^2``, so
``sigma = exp(logvar / 2)``.
"""

from __future__ import annotations

import numpy as np


class Reparameterize:
    """``z = mu + sigma * eps`` with ``sigma = exp(logvar / 2)``: Eq. (2), backward Eq. (7).

    ``eps`` is an argument, drawn by the caller, so that a forward pass is
    reproducible and its gradient can be checked.
    """

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}  # no parameters
        self.grads: dict[str, np.ndarray] = {}

    def forward(self, mu: np.ndarray, logvar: np.ndarray, eps: np.ndarray) -> np.ndarray:
        """``mu``, ``logvar``, ``eps``: (N, latent_dim) -> ``z`` (N, latent_dim)."""
        if not (mu.shape == logvar.shape == eps.shape):
            raise ValueError(
                f"mu, logvar and eps must have one shape, got {mu.shape}, {logvar.shape}, {eps.shape}"
            )
        self.eps = eps
        self.sigma = np.exp(0.5 * logvar)  # Eq. (2): sigma = exp(logvar / 2)
        return mu + self.sigma * eps  # Eq. (2): z = mu + sigma * eps

    def backward(self, dz: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``dz`` = dL/dz (N, latent_dim) -> ``(dmu, dlogvar)``, each (N, latent_dim)."""
        dmu = dz.copy()  # Eq. (7): dz/dmu = 1
        dsigma = dz * self.eps  # Eq. (7): dz/dsigma = eps
        dlogvar = dsigma * self.sigma / 2  # Eq. (7): dsigma/dlogvar = sigma / 2
        return dmu, dlogvar
