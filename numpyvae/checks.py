"""The gradient checks of every backward pass, as one table.

Each ``check_*`` function takes the implementation to check (the library's own by
default, or a learner's version with the same interface, see ``exercises/``),
runs it in float64 on small random inputs, and returns :class:`Check` rows: the
gradient, its relative error against an independent reference (central differences;
for Adam, Eq. (10) computed by hand), and the bound (README.md, "Gradient checks")
that it must stay under. ``numpyvae gradcheck`` prints them; tests/test_checks.py
breaks each subject on purpose and sees its rows fail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import layers, losses, optim, reparam
from .config import VAEConfig
from .fast.flat import FlatParams
from .gradcheck import (
    BOUND_EXACT,
    BOUND_MODEL,
    BOUND_PIECEWISE,
    BOUND_SMOOTH,
    adam_reference,
    numerical_gradient,
    numerical_vjp,
    rel_error,
)
from .layers import MLP, Dense, ReLU, Sigmoid, Tanh
from .losses import bernoulli_nll, gaussian_nll, kl_std_normal
from .model import VAE, AutoEncoder
from .optim import Adam
from .reparam import Reparameterize


@dataclass
class Check:
    """One checked gradient: ``error`` must stay under ``bound``."""

    name: str
    error: float
    bound: float

    @property
    def ok(self) -> bool:
        return bool(np.isfinite(self.error) and self.error < self.bound)


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def away_from_zero(rng: np.random.Generator, shape: tuple[int, ...], margin: float = 0.1):
    """Inputs with |x| >= margin: a step of 1e-5 never crosses ReLU's kink."""
    return rng.uniform(margin, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def check_dense(cls: type = Dense, seed: int = 0) -> list[Check]:
    """Dense: dL/dx, dL/dW, dL/db against the numerical vector-Jacobian product."""
    rng = _rng(seed)
    layer = cls(5, 4, rng, dtype=np.float64)
    layer.params["b"][...] = rng.normal(size=4)
    x, dout = rng.normal(size=(3, 5)), rng.normal(size=(3, 4))
    layer.forward(x)
    dx = layer.backward(dout)
    grads = {k: np.array(g, copy=True) for k, g in layer.grads.items()}
    rows = [Check("Dense  dL/dx", rel_error(dx, numerical_vjp(lambda: layer.forward(x), x, dout)), BOUND_PIECEWISE)]
    for k in ("W", "b"):
        numeric = numerical_vjp(lambda: layer.forward(x), layer.params[k], dout)
        rows.append(Check(f"Dense  dL/d{k}", rel_error(grads[k], numeric), BOUND_PIECEWISE))
    return rows


def _check_activation(cls: type, name: str, x: np.ndarray, dout: np.ndarray, bound: float) -> list[Check]:
    layer = cls()
    layer.forward(x)
    dx = layer.backward(dout)
    return [Check(f"{name}  dL/dx", rel_error(dx, numerical_vjp(lambda: layer.forward(x), x, dout)), bound)]


def check_relu(cls: type = ReLU, seed: int = 1) -> list[Check]:
    rng = _rng(seed)
    return _check_activation(cls, "ReLU", away_from_zero(rng, (4, 6)), rng.normal(size=(4, 6)), BOUND_PIECEWISE)


def check_tanh(cls: type = Tanh, seed: int = 2) -> list[Check]:
    rng = _rng(seed)
    return _check_activation(cls, "Tanh", rng.normal(size=(4, 6)), rng.normal(size=(4, 6)), BOUND_SMOOTH)


def check_sigmoid(cls: type = Sigmoid, seed: int = 3) -> list[Check]:
    rng = _rng(seed)
    return _check_activation(cls, "Sigmoid", rng.normal(size=(4, 6)), rng.normal(size=(4, 6)), BOUND_SMOOTH)


def check_mlp(seed: int = 4) -> list[Check]:
    """A three-layer ReLU MLP: dL/dx and every parameter."""
    rng = _rng(seed)
    mlp = MLP((5, 7, 6, 4), "relu", rng, dtype=np.float64)
    for name, w in mlp.params.items():
        if name.endswith(".b"):
            w[...] = 0.1 * rng.normal(size=w.shape)
    x, dout = rng.normal(size=(3, 5)), rng.normal(size=(3, 4))
    mlp.forward(x)
    dx = mlp.backward(dout)
    grads = {k: g.copy() for k, g in mlp.grads.items()}
    errors = [rel_error(dx, numerical_vjp(lambda: mlp.forward(x), x, dout))]
    errors += [rel_error(grads[k], numerical_vjp(lambda: mlp.forward(x), w, dout)) for k, w in mlp.params.items()]
    return [Check("MLP  all gradients", max(errors), BOUND_PIECEWISE)]


def check_reparam(cls: type = Reparameterize, seed: int = 5) -> list[Check]:
    """Eq. (7): the gradient through the sample reaches mu and logvar."""
    rng = _rng(seed)
    mu, logvar, eps, dz = (rng.normal(size=(4, 3)) for _ in range(4))
    r = cls()
    r.forward(mu, logvar, eps)
    dmu, dlogvar = r.backward(dz)
    f = lambda: r.forward(mu, logvar, eps)
    return [
        Check("Reparameterize  dz -> dmu", rel_error(dmu, numerical_vjp(f, mu, dz)), BOUND_SMOOTH),
        Check("Reparameterize  dz -> dlogvar", rel_error(dlogvar, numerical_vjp(f, logvar, dz)), BOUND_SMOOTH),
    ]


def check_bernoulli_nll(fn: Callable = bernoulli_nll, seed: int = 6) -> list[Check]:
    """Eq. (9): sigmoid + cross entropy, d/dlogits = p - x."""
    rng = _rng(seed)
    logits, x = 3 * rng.normal(size=(3, 5)), rng.uniform(size=(3, 5))
    _, grads = fn(logits, x)
    numeric = numerical_gradient(lambda: np.sum(fn(logits, x)[0]), logits)
    return [Check("bernoulli_nll  dlogits", rel_error(grads["logits"], numeric), BOUND_SMOOTH)]


def check_gaussian_nll(fn: Callable = gaussian_nll, seed: int = 7) -> list[Check]:
    rng = _rng(seed)
    mean, x = rng.normal(size=(3, 5)), rng.normal(size=(3, 5))
    _, grads = fn(mean, x)
    numeric = numerical_gradient(lambda: np.sum(fn(mean, x)[0]), mean)
    return [Check("gaussian_nll  dmean", rel_error(grads["mean"], numeric), BOUND_SMOOTH)]


def check_kl(fn: Callable = kl_std_normal, seed: int = 8) -> list[Check]:
    """Eq. (8): the closed-form KL gradient."""
    rng = _rng(seed)
    mu, logvar = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    _, grads = fn(mu, logvar)
    f = lambda: np.sum(fn(mu, logvar)[0])
    return [
        Check("KL  dmu", rel_error(grads["mu"], numerical_gradient(f, mu)), BOUND_SMOOTH),
        Check("KL  dlogvar", rel_error(grads["logvar"], numerical_gradient(f, logvar)),
              BOUND_SMOOTH),
    ]


def check_model(kind: str = "vae", activation: str = "relu", likelihood: str = "bernoulli",
                hidden: tuple[int, ...] = (7,), seed: int = 9) -> list[Check]:
    """The whole model with a fixed eps: every parameter, one row (the worst)."""
    cls = {"vae": VAE, "ae": AutoEncoder}[kind]
    config = VAEConfig(input_dim=6, hidden_dims=hidden, latent_dim=3, activation=activation,
                       likelihood=likelihood, dtype="float64", seed=seed, init="he")
    model = cls(config)
    rng = _rng(seed + 100)
    for name, w in model.params.items():
        if name.endswith(".b"):  # positive biases: few ReLU units sit near their kink
            w[...] = rng.uniform(0.05, 0.3, size=w.shape)
    x, eps = rng.uniform(size=(4, 6)), rng.standard_normal((4, 3))
    model.forward(x, eps=eps)
    grads = {k: g.copy() for k, g in model.backward().items()}
    loss = lambda: model.forward(x, eps=eps).loss
    worst = max(rel_error(grads[k], numerical_gradient(loss, w)) for k, w in model.params.items())
    depth = len(hidden)
    return [Check(f"{kind.upper()} {activation} {likelihood} {depth} hidden  all parameters", worst, BOUND_MODEL)]


#: The arrays of :func:`check_adam`: two, of different shapes, so that a step counter
#: counted once per array, or one m and v shared by the arrays, cannot pass.
ADAM_SHAPES = {"w": (3, 4), "b": (4,)}
ADAM_STEPS = 3


def check_adam(cls: type = Adam, seed: int = 10) -> list[Check]:
    """Three Adam steps on two separate arrays of different shapes, w (3, 4) and b (4,),
    against Eq. (10) computed by hand (:func:`~numpyvae.gradcheck.adam_reference`): one row per array. The
    library's Adam takes :meth:`~numpyvae.optim.Adam.update` here, array by array."""
    rng = _rng(seed)
    w0 = {k: rng.normal(size=shape) for k, shape in ADAM_SHAPES.items()}
    steps = [{k: rng.normal(size=shape) for k, shape in ADAM_SHAPES.items()}
             for _ in range(ADAM_STEPS)]
    params = {k: w.copy() for k, w in w0.items()}
    opt = cls(params, lr=0.1)
    got: dict[str, list[np.ndarray]] = {k: [] for k in ADAM_SHAPES}
    for g in steps:
        opt.step({k: a.copy() for k, a in g.items()})
        for k in ADAM_SHAPES:
            got[k].append(np.array(params[k], copy=True))
    rows = []
    for k, shape in ADAM_SHAPES.items():
        expected = np.array(adam_reference(w0[k], [g[k] for g in steps], 0.1))
        try:
            error = rel_error(np.array(got[k], dtype=np.float64), expected)
        except ValueError:  # a weight of the wrong shape: no error to measure
            error = float("nan")
        rows.append(Check(f"Adam  {ADAM_STEPS} steps, {k} {shape} vs Eq. (10)", error,
                          BOUND_EXACT))
    return rows


def check_adam_folded(cls: type = Adam, seed: int = 11) -> list[Check]:
    """Three Adam steps on a model's flat buffer, where ``step`` takes the folded form
    (:meth:`~numpyvae.optim.Adam.update_folded`, once on the whole buffer), against
    Eq. (10) computed by hand (:func:`~numpyvae.gradcheck.adam_reference`) for every named array."""
    rng = _rng(seed)
    model = VAE(VAEConfig(input_dim=4, hidden_dims=(3,), latent_dim=2, dtype="float64", seed=seed))
    params = model.params  # every array a view into params.flat
    params.flat[:] = rng.normal(size=params.flat.size)  # no weight near 0 (the biases are 0)
    w0 = {k: w.copy() for k, w in params.items()}
    steps = [FlatParams.like(params) for _ in range(ADAM_STEPS)]  # gradients, flat like it
    opt = cls(params, lr=0.1)
    got: dict[str, list[np.ndarray]] = {k: [] for k in params}
    for g in steps:
        g.flat[:] = rng.normal(size=g.flat.size)
        opt.step(g)
        for k, w in params.items():
            got[k].append(w.copy())
    error = max(rel_error(np.array(got[k]), np.array(adam_reference(w0[k], [g[k] for g in steps], 0.1)))
                for k in params)
    return [Check(f"Adam folded, a model's flat buffer  {ADAM_STEPS} steps vs Eq. (10)", error,
                  BOUND_EXACT)]


def run_all() -> list[Check]:
    """Every check of the library's own implementation: its classes and functions, looked
    up when the checks run, so that a broken one shows as a row over its bound."""
    rows = (
        check_dense(layers.Dense) + check_relu(layers.ReLU) + check_tanh(layers.Tanh)
        + check_sigmoid(layers.Sigmoid) + check_mlp() + check_reparam(reparam.Reparameterize)
        + check_bernoulli_nll(losses.bernoulli_nll) + check_gaussian_nll(losses.gaussian_nll)
        + check_kl(losses.kl_std_normal)
    )
    for kind in ("vae", "ae"):
        for activation in ("relu", "tanh"):
            for likelihood in ("bernoulli", "gaussian"):
                for hidden in ((7,), (7, 5)):
                    rows += check_model(kind, activation, likelihood, hidden)
    return rows + check_adam(optim.Adam) + check_adam_folded(optim.Adam)


def format_table(rows: list[Check]) -> str:
    """The checks as a text table: gradient, relative error, bound, verdict."""
    width = max(len(r.name) for r in rows)
    lines = [f"{'gradient':<{width}}  {'rel error':>9}  {'bound':>7}  result", "-" * (width + 30)]
    for r in rows:
        lines.append(f"{r.name:<{width}}  {r.error:9.2e}  {r.bound:7.0e}  {'ok' if r.ok else 'OVER'}")
    return "\n".join(lines)
