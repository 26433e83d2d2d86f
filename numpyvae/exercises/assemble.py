"""The capstone's VAE: the library's architecture, made of the learner's exercises.

Every piece the exercises ask for is taken from the learner's files (:data:`USES`):

    ex1_dense.py                   Dense          every layer's forward and backward
    ex2_relu.py                    ReLU           the hidden layers' activation
    ex3_sigmoid_cross_entropy.py   bernoulli_nll  the reconstruction term and Eq. (9)
    ex4_reparameterize.py          Reparameterize the sample z and Eq. (7)
    ex5_kl.py                      kl_std_normal  the KL term and Eq. (8)
    ex6_adam.py                    Adam           the update, Eq. (10)
    ex7_vae_backward.py            VAE            backward: the chain rule through it all

:func:`build_vae` makes that model: a subclass of the learner's ``VAE`` whose layers are
the learner's classes, holding the very weight arrays the library drew (so it starts
where ``numpyvae.VAE`` with the same config starts), whose ``recon_nll`` is the learner's
``bernoulli_nll`` and whose KL gradient is the learner's. :func:`library_parts` is the
library's own of each piece. Adam is not part of the model: ``capstone.py`` trains with it.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from ..config import VAEConfig
from ..errors import NumpyVAEError
from ..model import VAE
from .catalog import EXERCISES

#: What the capstone takes from each exercise's file: exercise number -> names.
USES = {1: ("Dense",), 2: ("ReLU",), 3: ("bernoulli_nll",), 4: ("Reparameterize",),
        5: ("kl_std_normal",), 6: ("Adam",), 7: ("VAE",)}


def library_parts() -> SimpleNamespace:
    """The library's own implementation of everything in :data:`USES`."""
    solutions = {part.name: part.solution for ex in EXERCISES for part in ex.parts}
    return SimpleNamespace(**{name: solutions[name] for names in USES.values() for name in names})


def _dense_class(cls: type) -> type:
    """``cls`` with the ``need_dx`` argument the library's MLP passes (computed anyway)."""

    class Dense(cls):
        def backward(self, dout, need_dx=True):
            dx = super().backward(dout)
            return dx if need_dx else None

    Dense.__name__ = Dense.__qualname__ = cls.__name__
    return Dense


def build_vae(config: VAEConfig, parts: SimpleNamespace) -> VAE:
    """A VAE whose every piece comes from ``parts`` (see :data:`USES`), starting from the
    weights ``numpyvae.VAE(config)`` starts from. ``config.activation`` must be relu."""
    if config.activation != "relu" or config.likelihood != "bernoulli":
        raise NumpyVAEError("the capstone's VAE has ReLU layers and the Bernoulli decoder")
    dense = _dense_class(parts.Dense)

    def swap(old):  # the learner's Dense, on the arrays of the library's
        new = dense(*old.params["W"].shape, np.random.default_rng(0), dtype=config.dtype)
        new.params, new.grads = old.params, old.grads  # views into the model's buffers
        return new

    class YourVAE(parts.VAE):  # the learner's VAE: backward is exercise 7
        def __init__(self, config):
            super().__init__(config)  # the library's layers and weights, then yours on them
            for mlp in (self.encoder, self.decoder):
                mlp.dense = [swap(d) for d in mlp.dense]
                mlp.acts = [parts.ReLU() for _ in mlp.acts]
            self.heads = {name: swap(d) for name, d in self.heads.items()}
            self.out = swap(self.out)
            self.reparam = parts.Reparameterize()

        def recon_nll(self, logits, x, need_grad=True):  # Eq. (4) and (9), yours
            nll, grads = parts.bernoulli_nll(logits, x)  # (nll, {"logits": ...}), as the library's
            return nll, grads if need_grad else None

        def forward(self, x, *args, **kwargs):  # the library's, with your KL gradient
            result = super().forward(x, *args, **kwargs)
            kl, dkl = parts.kl_std_normal(result.mu, result.logvar)  # Eq. (5), (8)
            self.cache["dkl"] = dkl
            result.kl = kl
            result.loss = float(np.mean(result.recon + self.cache["beta"] * kl))
            return result

    YourVAE.__name__ = YourVAE.__qualname__ = "YourVAE"
    return YourVAE(config)
