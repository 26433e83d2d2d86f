"""Exercise 7: the VAE's backward pass, assembled from the pieces of exercises 1-6.

Lecture: Loss Function and 단계1-3 together: the gradient of Eq. (6) for every weight, by
the chain rule through Eq. (9), (7) and (8), in the opposite direction of forward.

Forward (given: the library's ``VAE.forward``), for a batch of N examples::

    h      = encoder(x)                    (N, hidden)       Eq. (1)   self.encoder, an MLP
    mu     = h W_mu + b_mu                 (N, latent_dim)   Eq. (1)   self.heads["mu"]
    logvar = h W_lv + b_lv                 (N, latent_dim)   Eq. (1)   self.heads["logvar"]
    z      = mu + exp(logvar / 2) * eps    (N, latent_dim)   Eq. (2)   self.reparam
    logits = decoder(z) W_out + b_out      (N, D)            Eq. (3)   self.decoder, self.out
    loss   = 1/N sum_n [ recon_n + beta KL_n ]                Eq. (4), (5), (6)

What forward keeps for backward, in ``self.cache``:

    "dlogits"   d(sum_n recon_n)/dlogits = p - x, (N, D)            Eq. (9)
    "dkl"       {"mu": d(sum_n KL_n)/dmu, "logvar": d(sum_n KL_n)/dlogvar}, each
                (N, latent_dim), as kl_std_normal gives them                Eq. (8)
    "n"         N, the batch size
    "beta"      the KL's weight in this batch

Both cached gradients are of SUMS over the batch; the loss of Eq. (6) is a MEAN.

The pieces you have: every layer (``self.out``, ``self.decoder``, ``self.heads["mu"]``,
``self.heads["logvar"]``, ``self.encoder``) has its own ``backward``: it takes dL/d(its
output), returns dL/d(its input), and writes its weights' gradients into the model's
``self.grads``. ``self.reparam.backward(dz)`` returns ``(dmu, dlogvar)`` through the
sample alone, Eq. (7). ``self.encoder.backward(..., need_dx=False)`` skips dL/dx (x is
data: nothing to update there).

Work it out on paper first, in the order backward runs:

1. The mean of Eq. (6): what does d(loss)/d(recon_n) equal, and d(loss)/d(KL_n)? So what
   multiplies the cached dlogits, and what multiplies the cached dkl?
2. The decoder: from dL/dlogits back to dL/dz, through ``self.out`` then
   ``self.decoder``.
3. mu and logvar each reach the loss along TWO paths: through the sample z (Eq. (2),
   differentiated in Eq. (7)) and through the KL term (Eq. (5), differentiated in
   Eq. (8)). Draw the graph x -> h -> (mu, logvar) -> z -> logits, and (mu, logvar) ->
   KL. The chain rule sums over the paths.
4. h feeds both heads: what is dL/dh?
5. The encoder: from dL/dh back through ``self.encoder``.
6. What to return: ``fit`` does ``optimizer.step(model.backward())``, so backward returns
   the model's own gradient mapping, ``self.grads`` (names "encoder.0.W" ...).

Hints:
- beta weighs the KL term only, and it is the batch's beta from the cache: a KL
  warm-up changes it batch by batch, so ``self.config.beta`` may not be what forward
  used.
- Use the given pieces rather than rewriting a step by hand: each hand-written step
  (the sample's gradient, a ReLU's derivative, p - x) is a place for a slip.
- Write it for any depth: the check also runs a model with two hidden layers.
- The check calls backward many times: on batches of different sizes (N = 1 too),
  with beta = 0, beta = 1 and others, with eps = 0, and on the same batch twice. Each
  call's gradients must be that batch's: nothing kept or added from an earlier call, no
  random numbers drawn in backward (the sample's eps is the one forward drew).
- Don't call ``super().backward()``: that is the library's answer, not yours.

Check your version (in this folder, or in the one that holds it)::

    numpyvae exercises check --only vae_backward

When a gradient is wrong, the check says at which step of the chain it first differs
(the Decoder's output, a layer, the two paths into mu and logvar, the Encoder) and, when
one typical slip explains every setting it ran, which. Once exercises 1-7 are all
solved, ``numpyvae exercises train`` trains a VAE made of your code with
``numpyvae.train.fit`` beside the library's own, and prints both test -ELBOs.

After trying, compare with the library's own: numpyvae/model.py, ``VAE.backward``.
"""

import numpy as np  # noqa: F401 -- for your code

import numpyvae


class VAE(numpyvae.VAE):
    """The library's VAE (layers, reparameterization, losses, forward), with your backward."""

    def backward(self):
        """Gradients of the last forward()'s loss for every parameter; returns ``self.grads``."""
        # self.cache holds "dlogits", "dkl", "n", "beta": see the docstring above.
        # YOUR CODE: steps 1-6 of the docstring, then `return self.grads`.
        raise NotImplementedError("exercise 7: write VAE.backward")
