"""Exercise 4: the backward pass of the reparameterization trick.

Lecture: 단계2 Reparameterization Trick (Sampling). Forward Eq. (2), backward Eq. (7).

Forward (given). The encoder outputs mu and logvar = log sigma^2 (Eq. 1), so::

    sigma = exp(logvar / 2)            Eq. (2)
    z     = mu + sigma * eps           eps ~ N(0, I), drawn by the caller
    mu, logvar, eps, z: (N, latent_dim)

Backward (yours). ``dz`` = dL/dz, shape (N, latent_dim). Entry by entry, the chain
rule through sigma::

    dL/dmu     = dL/dz * dz/dmu                                   -> dmu: (N, latent_dim)
    dL/dlogvar = dL/dz * dz/dsigma * dsigma/dlogvar               -> dlogvar: (N, latent_dim)
    with  dz/dmu = 1,  dz/dsigma = eps,  dsigma/dlogvar = sigma / 2      Eq. (7)

Hints:
- dsigma/dlogvar: d/dlogvar exp(logvar / 2) = exp(logvar / 2) * 1/2 = sigma / 2. The
  1/2 comes from the exponent, and it is sigma, not sigma^2 = exp(logvar).
- ``self.sigma`` and ``self.eps`` are kept by forward; you need no exp in backward, and
  no new random numbers: the eps of the gradient is the one forward used (the check
  calls backward twice on one forward and compares).
- dmu may be a copy of dz (``dz.copy()``); never change ``dz`` in place.
- Return them in this order, ``(dmu, dlogvar)``, and keep the dtype of the inputs.
- In the full VAE, mu and logvar also get a gradient from the KL term (exercise 5);
  the model adds the two. Here only the path through z is asked.

Check your version (in this folder, or in the one that holds it)::

    numpyvae exercises check --only reparameterize

After trying, compare with the library's own: numpyvae/reparam.py,
``Reparameterize.backward``.
"""

import numpy as np


class Reparameterize:
    """``z = mu + sigma * eps`` with ``sigma = exp(logvar / 2)``: Eq. (2), backward Eq. (7)."""

    def __init__(self):
        self.params = {}  # no parameters
        self.grads = {}
        self.sigma = self.eps = None

    def forward(self, mu, logvar, eps):
        """``mu``, ``logvar``, ``eps``: (N, latent_dim) -> ``z`` (N, latent_dim)."""
        self.eps = eps
        self.sigma = np.exp(0.5 * logvar)  # Eq. (2): sigma = exp(logvar / 2)
        return mu + self.sigma * eps  # Eq. (2): z = mu + sigma * eps

    def backward(self, dz):
        """``dz`` = dL/dz (N, latent_dim) -> ``(dmu, dlogvar)``, each (N, latent_dim)."""
        # YOUR CODE: dmu and dlogvar (two or three lines), then `return dmu, dlogvar`.
        raise NotImplementedError("exercise 4: write Reparameterize.backward")
