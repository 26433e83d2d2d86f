"""Layers with hand-written backward passes: Dense, ReLU, Tanh, Sigmoid, MLP.

The encoder (Eq. 1) and the decoder (Eq. 3) are stacks of these layers.

Every layer has ``forward(x)`` and ``backward(dout)``:
- ``forward`` keeps what ``backward`` needs as named attributes;
- ``backward`` takes dL/d(output) and returns dL/d(input), and writes the gradients
  of its parameters into ``grads`` (same keys as ``params``);
- neither ever changes its inputs or ``dout``.

Shapes: a batch is a 2-D array ``(N, D)``: N examples of D features.
"""

from __future__ import annotations

import itertools

import numpy as np

#: Weight initialisations a Dense layer knows (a model picks one per layer: config.INITS).
DENSE_INITS = ("he", "glorot", "torch")


class Dense:
    """Affine layer ``y = x W + b`` with ``W`` shaped ``(in_dim, out_dim)``.

    Weights are drawn from an explicit ``numpy.random.Generator``:

    - ``init="he"`` (for ReLU): W ~ N(0, 2 / in_dim), b = 0;
    - ``init="glorot"`` (for tanh, sigmoid and linear layers): W ~ U(-a, a) with
      a = sqrt(6 / (in_dim + out_dim)), b = 0;
    - ``init="torch"``: W and b ~ U(-a, a) with a = 1 / sqrt(in_dim), the default of
      PyTorch's ``nn.Linear``, so that results compare like for like with PyTorch code.

    ``grads["W"]`` and ``grads["b"]`` are buffers allocated once and overwritten by
    every ``backward``; copy them if you need to keep them.
    """

    def __init__(
        self,
        in_dim: int,
        out_dim: int,
        rng: np.random.Generator,
        init: str = "he",
        dtype: np.dtype | type | str = np.float32,
    ) -> None:
        if in_dim < 1 or out_dim < 1:
            raise ValueError(f"Dense needs positive sizes, got in_dim={in_dim}, out_dim={out_dim}")
        b = np.zeros(out_dim)
        if init == "he":
            W = rng.normal(0.0, np.sqrt(2.0 / in_dim), size=(in_dim, out_dim))
        elif init == "glorot":
            a = np.sqrt(6.0 / (in_dim + out_dim))
            W = rng.uniform(-a, a, size=(in_dim, out_dim))
        elif init == "torch":
            a = 1.0 / np.sqrt(in_dim)
            W = rng.uniform(-a, a, size=(in_dim, out_dim))
            b = rng.uniform(-a, a, size=out_dim)
        else:
            raise ValueError(f"unknown init {init!r}: use one of {DENSE_INITS}")
        self.params = {"W": W.astype(dtype), "b": b.astype(dtype)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.x: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        """``x`` (N, in_dim) -> ``y = x W + b`` (N, out_dim): the affine part of Eq. (1), (3)."""
        self.x = x
        y = x @ self.params["W"]  # Eq. (1), (3): x W   (N, out_dim)
        y += self.params["b"]  # + b
        return y

    def backward(self, dout: np.ndarray, need_dx: bool = True) -> np.ndarray | None:
        """``dout`` = dL/dy (N, out_dim) -> dL/dx (N, in_dim).

        Fills ``grads["W"] = x^T dout`` (in_dim, out_dim) and ``grads["b"]`` = the sum of
        ``dout`` over the batch. With ``need_dx=False`` (the first layer, whose input is
        the data) the product for dL/dx is skipped and None is returned.
        """
        np.matmul(self.x.T, dout, out=self.grads["W"])  # dL/dW = x^T dout
        np.sum(dout, axis=0, out=self.grads["b"])  # dL/db = sum_n dout
        if not need_dx:
            return None
        return dout @ self.params["W"].T  # dL/dx = dout W^T   (N, in_dim)


class ReLU:
    """``y = max(x, 0)``, the ``act`` of Eq. (1) and (3); backward lets the gradient
    through where ``x > 0``."""

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}  # no parameters
        self.grads: dict[str, np.ndarray] = {}

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.mask = x > 0
        # x where x > 0, else 0 (faster than np.maximum(x, 0); only an input of -inf,
        # which a diverged run alone produces, gives NaN instead of 0)
        return x * self.mask

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * self.mask  # dy/dx = 1 where x > 0, else 0


class Tanh:
    """``y = tanh(x)``, the other ``act`` of Eq. (1) and (3); dy/dx = 1 - y^2."""

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}  # no parameters
        self.grads: dict[str, np.ndarray] = {}

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.y = np.tanh(x)
        return self.y

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * (1 - self.y * self.y)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function ``1 / (1 + exp(-x))``, written as ``(1 + tanh(x / 2)) / 2``.

    The two are equal; the tanh form never overflows, so logits of any size
    (even +-1e4 in float32) give no warning and a value in [0, 1].
    """
    y = np.tanh(x * 0.5)
    y += 1
    y *= 0.5
    return y


class Sigmoid:
    """``p = sigmoid(x)``; dp/dx = p (1 - p). Eq. (3): the decoder's last activation."""

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}  # no parameters
        self.grads: dict[str, np.ndarray] = {}

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.p = sigmoid(x)
        return self.p

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * self.p * (1 - self.p)


#: The activation layer of each name an MLP accepts.
ACTIVATION_LAYERS = {"relu": ReLU, "tanh": Tanh, "sigmoid": Sigmoid}
#: Weight initialisation that suits each activation.
INIT_FOR = {"relu": "he", "tanh": "glorot", "sigmoid": "glorot"}


class MLP:
    """A stack ``Dense -> act -> Dense -> act -> ...``, one activation per Dense.

    ``sizes = (in, h1, h2, ...)`` gives ``len(sizes) - 1`` Dense layers, each followed
    by ``activation``. Parameters are named ``"{i}.W"`` and ``"{i}.b"`` for the i-th
    Dense layer (from 0), so a model can prefix them (``encoder.0.W``). ``init`` is
    the Dense initialisation; by default the one that suits the activation.
    """

    def __init__(
        self,
        sizes: tuple[int, ...],
        activation: str,
        rng: np.random.Generator,
        dtype: np.dtype | type | str = np.float32,
        init: str | None = None,
    ) -> None:
        if activation not in ACTIVATION_LAYERS:
            raise ValueError(f"unknown activation {activation!r}: use one of {sorted(ACTIVATION_LAYERS)}")
        if len(sizes) < 1:
            raise ValueError("MLP needs at least an input size")
        init = init or INIT_FOR[activation]
        self.dense = [
            Dense(a, b, rng, init=init, dtype=dtype)
            for a, b in itertools.pairwise(sizes)
        ]
        self.acts = [ACTIVATION_LAYERS[activation]() for _ in self.dense]

    @property
    def params(self) -> dict[str, np.ndarray]:
        return {f"{i}.{k}": v for i, d in enumerate(self.dense) for k, v in d.params.items()}

    @property
    def grads(self) -> dict[str, np.ndarray]:
        return {f"{i}.{k}": v for i, d in enumerate(self.dense) for k, v in d.grads.items()}

    def forward(self, x: np.ndarray) -> np.ndarray:
        """``x`` (N, sizes[0]) -> (N, sizes[-1])."""
        for dense, act in zip(self.dense, self.acts):
            x = act.forward(dense.forward(x))
        return x

    def backward(self, dout: np.ndarray, need_dx: bool = True) -> np.ndarray | None:
        """dL/d(output) (N, sizes[-1]) -> dL/d(input) (N, sizes[0]), or None if not needed."""
        for i in reversed(range(len(self.dense))):
            dout = self.acts[i].backward(dout)
            dout = self.dense[i].backward(dout, need_dx=need_dx or i > 0)
        return dout
