"""What defines a model: :class:`VAEConfig`, and the one list of each of its choices.

The command line builds a ``VAEConfig`` from its options (its defaults are these
fields' defaults) and every checkpoint stores it as JSON.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

#: the hidden layers' activation, Eq. (1) and (3)
ACTIVATIONS = ("relu", "tanh")
#: weight initialisation schemes of a whole model (see VAEConfig.init)
INITS = ("torch", "he")
#: p(x|z): Bernoulli pixels (Eq. 3, 4) or Gaussian ones with unit variance
LIKELIHOODS = ("bernoulli", "gaussian")
#: float32 for training, float64 for gradient checks
DTYPES = ("float32", "float64")
#: the two models: the Variational AutoEncoder, and the AutoEncoder it starts from
MODEL_KINDS = ("vae", "ae")


def whole_number(value: object, name: str, least: int) -> int:
    """``value`` as an int if it is a whole number (a Python or NumPy integer, not a
    bool, not 2.9 or 2.0) of at least ``least``; a ValueError naming ``name`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be a whole number, got {value!r}")  # noqa: TRY004
    if value < least:
        raise ValueError(f"{name} must be at least {least}, got {value}")
    return int(value)


def real_number(value: object, name: str, least: float | None = None,
                above: float | None = None) -> float:
    """``value`` as a float if it is a real number (a Python or NumPy number, not a bool
    or a string), finite, at least ``least`` and above ``above`` (when given); a
    ValueError naming ``name`` otherwise. The rule of beta (>= 0) in VAEConfig and in
    ``forward``, and of the numbers a checkpoint stores."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a number, got {value!r}")  # noqa: TRY004
    number = float(value)
    bound = f" >= {least:g}" if least is not None else f" > {above:g}" if above is not None else ""
    if not math.isfinite(number) or (least is not None and number < least) or (
            above is not None and number <= above):
        raise ValueError(f"{name} must be a finite number{bound}, got {value!r}")
    return number


@dataclass
class VAEConfig:
    """Everything that defines a model. Stored as JSON in checkpoints.

    Attributes:
        input_dim: pixels per image (784 for 28x28).
        hidden_dims: sizes of the encoder's hidden layers, any depth; the decoder
            mirrors them (``(512, 256)`` gives 784-512-256-z-256-512-784).
        latent_dim: size of z.
        activation: "relu" or "tanh" for the hidden layers.
        likelihood: "bernoulli" (pixels in [0, 1], sigmoid outputs, Eq. 4) or
            "gaussian" (continuous data, the decoder outputs means, unit variance).
        beta: weight of the KL term, Eq. (6); 1 is the VAE.
        dtype: "float32" for training, "float64" for gradient checks.
        seed: seed of the weight initialisation and of the model's own generator.
        init: "torch" (the default): every layer's W and b ~ U(+-1/sqrt(fan_in)), as
            PyTorch's nn.Linear, so that results compare like for like with the
            PyTorch recipe; "he": He for ReLU layers, Glorot for tanh layers, the
            linear heads and the output, zero biases (the textbook choice; after 10
            MNIST epochs it ends about 0.5 nats behind).
    """

    input_dim: int = 784
    hidden_dims: tuple[int, ...] = (400,)
    latent_dim: int = 20
    activation: str = "relu"
    likelihood: str = "bernoulli"
    beta: float = 1.0
    dtype: str = "float32"
    seed: int = 0
    init: str = "torch"

    def __post_init__(self) -> None:
        # whole numbers, not 2.9 (which int() would make 2) nor True
        if isinstance(self.hidden_dims, (int, np.integer)) and not isinstance(self.hidden_dims, bool):
            self.hidden_dims = (self.hidden_dims,)
        if not isinstance(self.hidden_dims, (tuple, list, np.ndarray)):
            raise ValueError(  # noqa: TRY004 - a bad value of the config, as the others
                f"hidden_dims must be a tuple of whole numbers, got {self.hidden_dims!r}")
        self.hidden_dims = tuple(whole_number(h, "hidden_dims", 1) for h in self.hidden_dims)
        self.input_dim = whole_number(self.input_dim, "input_dim", 1)
        self.latent_dim = whole_number(self.latent_dim, "latent_dim", 1)
        self.seed = whole_number(self.seed, "seed", 0)
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {ACTIVATIONS}, got {self.activation!r}")
        if self.likelihood not in LIKELIHOODS:
            raise ValueError(f"likelihood must be one of {LIKELIHOODS}, got {self.likelihood!r}")
        self.beta = real_number(self.beta, "beta", least=0.0)
        try:  # None would be float64 to NumPy: a dtype is named, not left out
            self.dtype = np.dtype(self.dtype).name if self.dtype is not None else None
        except TypeError as e:
            raise ValueError(f"dtype must be one of {DTYPES}, got {self.dtype!r}") from e
        if self.dtype not in DTYPES:
            raise ValueError(f"dtype must be one of {DTYPES}, got {self.dtype!r}")
        if self.init not in INITS:
            raise ValueError(f"init must be one of {INITS}, got {self.init!r}")

    def to_dict(self) -> dict:
        """A JSON-ready dict."""
        d = dataclasses.asdict(self)
        d["hidden_dims"] = list(self.hidden_dims)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> VAEConfig:
        """The inverse of :meth:`to_dict`; unknown keys are an error."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"unknown config keys: {sorted(unknown)}")
        return cls(**d)


