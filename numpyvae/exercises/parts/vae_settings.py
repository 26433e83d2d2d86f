"""Exercise 7's settings: the models, batches, beta and eps its check runs in, and the
library's own gradients in each.

Both processes make them from fixed seeds: the child runs the learner's VAE in them
(``vae.py``), the parent the library's (here) and compares.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...config import VAEConfig
from ...gradcheck import numerical_gradient
from ...model import VAE
from ..probes import Recorded

INPUT, LATENT = 6, 3
#: The model's own ``config.beta``: never the beta forward is given, so that a backward
#: that reads ``self.config.beta`` instead of the batch's beta shows.
CONFIG_BETA = 2.0


@dataclass(frozen=True)
class Setting:
    """One forward and backward of the learner's VAE."""

    name: str
    hidden: tuple[int, ...]
    n: int
    beta: float
    eps: str  # "normal", or "zero": the sample's path into logvar switched off
    seed: int  # of the batch and eps
    label: str  # the message key that says what the setting is


SETTINGS = (  # the order they run in; beta and N chosen so that no two mistakes coincide
    Setting("main", (7,), 3, 0.7, "normal", 1, "stage.vae_main"),
    Setting("again", (7,), 2, 1.3, "normal", 2, "stage.again"),
    Setting("deep", (7, 5), 3, 1.3, "normal", 3, "stage.deep"),
    Setting("n1", (7,), 1, 0.7, "normal", 4, "stage.n1"),
    Setting("eps0", (7,), 3, 1.3, "zero", 5, "stage.eps0"),
    Setting("beta1", (7,), 3, 1.0, "normal", 6, "stage.beta1"),
    Setting("repeat", (7,), 2, 1.3, "normal", 2, "stage.repeat"),
    Setting("beta0", (7,), 3, 0.0, "normal", 7, "stage.beta0"),
)
BY_NAME = {s.name: s for s in SETTINGS}
#: The settings graded as "other settings" (one row), beyond main, again and deep.
OTHERS = ("n1", "eps0", "beta1", "repeat", "beta0")


def config(hidden: tuple[int, ...]) -> VAEConfig:
    return VAEConfig(input_dim=INPUT, hidden_dims=hidden, latent_dim=LATENT, dtype="float64",
                     seed=12, init="he", beta=CONFIG_BETA)


def params(hidden: tuple[int, ...]) -> dict[str, np.ndarray]:
    """The check's weights: the library's initial ones, with positive biases (few ReLU units
    sit near their kink, where finite differences would fail)."""
    model = VAE(config(hidden))
    rng = np.random.default_rng(112)
    for name, w in model.params.items():
        if name.endswith(".b"):
            w[...] = rng.uniform(0.05, 0.3, size=w.shape)
    return {k: w.copy() for k, w in model.params.items()}


def batch(s: Setting) -> tuple[np.ndarray, np.ndarray]:
    """(x, eps) of a setting."""
    rng = np.random.default_rng(200 + s.seed)
    x, eps = rng.uniform(size=(s.n, INPUT)), rng.standard_normal((s.n, LATENT))
    return x, (np.zeros_like(eps) if s.eps == "zero" else eps)


def library_grads(s: Setting) -> tuple[dict[str, np.ndarray], float]:
    """The library's gradients and loss in setting ``s``."""
    model = VAE(config(s.hidden))
    for k, w in params(s.hidden).items():
        model.params[k] = w
    x, eps = batch(s)
    loss = model.forward(x, eps=eps, beta=s.beta).loss
    return {k: g.copy() for k, g in model.backward().items()}, loss


def numeric_grads(s: Setting) -> dict[str, np.ndarray]:
    """Central differences of the model's loss, Eq. (6), eps fixed."""
    model = VAE(config(s.hidden))
    for k, w in params(s.hidden).items():
        model.params[k] = w
    x, eps = batch(s)
    loss = lambda: model.forward(x, eps=eps, beta=s.beta, check=False).loss
    return {k: numerical_gradient(loss, w) for k, w in model.params.items()}


def layers_of(hidden: tuple[int, ...]) -> list[str]:
    """The layers in the order backward reaches them: decoder.out, decoder.{k-1..0},
    encoder.logvar, encoder.mu, encoder.{k-1..0}."""
    k = len(hidden)
    return (["decoder.out", *(f"decoder.{i}" for i in reversed(range(k))), "encoder.logvar",
             "encoder.mu", *(f"encoder.{i}" for i in reversed(range(k)))])


def learner_grads(rec: Recorded, s: Setting) -> dict[str, np.ndarray | None]:
    return {k: rec.get(f"{s.name}.grads.{k}") for k in params(s.hidden)}
