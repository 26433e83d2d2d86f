"""Exercise 7 of 7: the VAE's backward pass, assembled from the pieces of exercises 1-6.

Lecture: Loss Function and 단계1-3 together: the gradient of Eq. (6) for every weight,
by the chain rule through Eq. (9), (7) and (8), in the opposite direction of forward.

Forward (given: the library's ``VAE.forward``), for a batch of N examples::

    h      = encoder(x)                       (N, hidden)        Eq. (1)
    mu     = heads["mu"](h)                   (N, latent_dim)    Eq. (1)
    logvar = heads["logvar"](h)               (N, latent_dim)    Eq. (1)
    z      = mu + exp(logvar / 2) * eps       (N, latent_dim)    Eq. (2), self.reparam
    logits = out(decoder(z))                  (N, D)             Eq. (3)
    loss   = 1/N sum_n [ recon_n + beta KL_n ]                   Eq. (4), (5), (6)

It keeps in ``self._cache``: ``dlogits`` = d(sum of recon)/dlogits = p - x (N, D),
Eq. (9); ``dkl`` = (dmu_kl, dlogvar_kl) = d(sum of KL)/d(mu, logvar), each
(N, latent_dim), Eq. (8); ``n`` = N; ``beta`` = the KL's weight forward used.

Backward (yours). Every layer is given and has its own ``backward``: ``self.out``
(Dense), ``self.decoder`` (an MLP), ``self.reparam``, ``self.heads["mu"]``,
``self.heads["logvar"]`` (Dense), ``self.encoder`` (an MLP). Each takes dL/d(its output)
and returns dL/d(its input), writing its weights' gradients into ``self.grads``::

    dlogits  = dlogits_sum / N                                   (N, D)    the mean of Eq. (6)
    dz       = decoder.backward(out.backward(dlogits))           (N, latent_dim)
    dmu, dlogvar = reparam.backward(dz)                          through the sample, Eq. (7)
    dmu     += beta / N * dmu_kl                                 through the KL, Eq. (8)
    dlogvar += beta / N * dlogvar_kl
    dh       = heads["mu"].backward(dmu) + heads["logvar"].backward(dlogvar)   (N, hidden)
    encoder.backward(dh, need_dx=False)                          (x is data: no dx needed)

Hints:
- mu and logvar each get gradient from two places, the sample z and the KL term: the
  two add. Without the KL's the encoder learns an autoencoder; without the sample's, the
  decoder's error never reaches the encoder.
- The loss is a *mean* over the batch: each example's gradient gets 1/N, once, on both
  terms. The library's losses return gradients of the *sums* (exercises 3 and 5).
- beta weighs the KL term only. Take it from ``self._cache["beta"]``: a KL warm-up
  changes it batch by batch, so ``self.config.beta`` may not be what forward used (the
  check runs forward with beta = 0.5).
- h feeds both heads, so dh is the sum of what both heads' backward return: don't let
  the second overwrite the first.
- Write it from ``self._cache`` and the layers; ``super().backward()`` would be the
  library's answer, not yours.
- Return ``self.grads`` (the training loop hands it to Adam).

Check your version (in this folder, or in the one that holds it)::

    numpyvae exercises check --only vae_backward

The check runs the whole model in float64 and compares your gradients of every layer with
central differences of its loss (eps fixed), bound 1e-5. Once exercises 1-7 are all
solved, ``numpyvae exercises train`` trains a VAE made of your code on MNIST beside the
library's own, and prints both test -ELBOs.

After trying, compare with the library's own: numpyvae/model.py, ``VAE.backward`` (and
``_backward_decoder``, where the 1/N is applied).
"""

import numpyvae


class VAE(numpyvae.VAE):
    """The library's VAE (layers, reparameterization, losses, forward), with your backward."""

    def backward(self):
        """Gradients of the last forward()'s loss for every parameter; returns ``self.grads``."""
        # self._cache holds what forward kept: "dlogits", "dkl", "n", "beta".
        # YOUR CODE: the seven lines of the docstring, then `return self.grads`.
        raise NotImplementedError("exercise 7: write VAE.backward")
