"""The seven exercises, in the order of the lecture: the one list every count comes from.

Each exercise's parts (what the learner writes, how each is checked, its typical
mistakes) are in ``parts/``.
"""

from __future__ import annotations

from .exercise import Exercise
from .parts.activations import BERNOULLI_NLL, RELU, SIGMOID
from .parts.adam import ADAM
from .parts.dense import DENSE
from .parts.sampling import KL, REPARAMETERIZE
from .parts.vae import VAE_BACKWARD

EXERCISES = (
    Exercise(1, "dense", "title.dense", (DENSE,)),
    Exercise(2, "relu", "title.relu", (RELU,)),
    Exercise(3, "sigmoid_cross_entropy", "title.sigmoid", (SIGMOID, BERNOULLI_NLL)),
    Exercise(4, "reparameterize", "title.reparameterize", (REPARAMETERIZE,)),
    Exercise(5, "kl", "title.kl", (KL,)),
    Exercise(6, "adam", "title.adam", (ADAM,)),
    Exercise(7, "vae_backward", "title.vae_backward", (VAE_BACKWARD,)),
)

#: How many exercises there are ("1 of 7", "numbers 1-7").
COUNT = len(EXERCISES)
