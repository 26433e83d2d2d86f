"""The six exercises: what each one checks, and the mistakes people typically make.

Each :class:`Part` is one thing a learner writes (``Dense.backward``,
``bernoulli_nll_grad`` ...). It names the check of ``checks.py`` that tests it, the
library's own implementation, and how to diagnose a wrong answer: ``reference``
computes the right arrays from the inputs the check used (with the library's own
code), and ``mistakes`` computes, from the same inputs, what typical wrong versions
would have returned, each with a hint. A learner's gradient that equals one of them
gets that hint.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .. import checks, layers, losses, optim, reparam
from .spies import Record, spy_function, spy_module, spy_optimizer

Mistakes = dict[str, list[tuple[np.ndarray, str]]]


@dataclass(frozen=True)
class Part:
    """One thing to write, and how to check it."""

    name: str  # what the check takes, defined in the learner's file: "Dense", "kl_std_normal"
    label: str  # what the learner writes: "Dense.backward", "kl_std_normal_grad"
    check: Callable[[object], list[checks.Check]]  # the check of checks.py
    solution: object  # the library's own implementation
    where: str  # where the solution is, for learners to compare with after trying
    watch: Callable[[object, Record], object]  # wraps an implementation (see spies.py)
    keys: tuple[str, ...]  # what each row of the check is about, in order: "dx", "dW" ...
    forward: str  # name of the row that compares the forward value with the library's
    reference: Callable[[dict], dict[str, np.ndarray]]  # inputs -> the right arrays
    mistakes: Callable[[dict, dict], Mistakes]  # (inputs, right arrays) -> wrong ones + hints
    shape_hint: Callable[[str, object, dict], str | None] = lambda key, got, inputs: None
    #: what axis 1 of the (N, D) arrays is ("the latent dimensions"): names a mean over it
    columns: str = ""
    #: (exception, the line of code that raised it, the inputs) -> a hint, or None
    error_hint: Callable[[BaseException, str, dict], str | None] = lambda exc, line, inputs: None
    #: checks beyond the finite differences, run once the check has passed: float32 in
    #: float32 out, ReLU at exactly 0 ... (see :class:`Extra`)
    extras: tuple[Extra, ...] = ()


@dataclass(frozen=True)
class Extra:
    """One more row for a part: ``run(impl)`` returns (what it measured, a hint), with
    the hint "" when the answer is right."""

    name: str
    run: Callable[[object], tuple[str, str]]


@dataclass(frozen=True)
class Exercise:
    number: int
    key: str  # "dense": the file is ex1_dense.py, ``--only dense`` selects it
    title: str
    parts: tuple[Part, ...]

    @property
    def file(self) -> str:
        return f"ex{self.number}_{self.key}.py"


def _shape(value: object) -> tuple[int, ...] | None:
    return value.shape if isinstance(value, np.ndarray) else None


def _never_written(key: str) -> str:
    k = key[1:]
    return (f"self.grads[{k!r}] is all zeros: backward never wrote d{k} into it. "
            f"Assign it (self.grads[{k!r}] = ...) or fill it (self.grads[{k!r}][...] = ...)")


def _float32(label: str, grads: dict[str, object]) -> tuple[str, str]:
    """(the dtype seen, a hint or ""): every gradient of float32 inputs must be float32."""
    for key, g in grads.items():
        if not (isinstance(g, np.ndarray) and g.dtype == np.float32):
            got = str(g.dtype) if isinstance(g, np.ndarray) else type(g).__name__
            return got, (
                f"for float32 inputs {label} gives {key} as {got}; it must stay float32 (the "
                "VAE trains in float32, and a float64 array doubles the memory and the time). "
                "Something in float64 promoted it: an array made without a dtype (np.ones(shape), "
                "np.where(mask, 1.0, 0.0), (x > 0) * 1.0, mask.astype(float)) or a np.float64 "
                "constant. Use the inputs' dtype (np.ones_like(x), mask.astype(x.dtype)), a "
                "boolean mask as it is, or a plain Python number")
    return "float32", ""


def _f32(rng: np.random.Generator, *shape: int) -> np.ndarray:
    return rng.normal(size=shape).astype(np.float32)


# ---- exercise 1: Dense --------------------------------------------------------------------


def _dense_reference(i: dict) -> dict[str, np.ndarray]:
    layer = layers.Dense(*i["W"].shape, np.random.default_rng(0), dtype=np.float64)
    layer.params["W"][...] = i["W"]
    layer.params["b"][...] = i["b"]
    y = layer.forward(i["x"])
    dx = layer.backward(i["dout"])
    return {"forward": y, "dx": dx, "dW": layer.grads["W"].copy(), "db": layer.grads["b"].copy()}


def _dense_mistakes(i: dict, want: dict) -> Mistakes:
    n = len(i["x"])
    return {
        "dW": [(np.zeros_like(want["dW"]), _never_written("dW"))],
        "db": [
            (np.zeros_like(want["db"]), _never_written("db")),
            (want["db"] / n, ("np.mean over the batch where the sum belongs: b is added to "
                              "every example, so db = the sum of dout over axis 0")),
        ],
    }


def _dense_shape_hint(key: str, got: object, i: dict) -> str | None:
    n, (n_in, n_out) = len(i["x"]), i["W"].shape
    shape = _shape(got)
    if key == "dW" and shape == (n_out, n_in):
        return ("that is (out_dim, in_dim): dW is transposed. dW[i, j] = sum_n x[n, i] "
                f"dout[n, j] is the product x^T dout, of shape (in_dim, out_dim) = {(n_in, n_out)}")
    if key == "db" and shape == (n, n_out):
        return ("that is (N, out_dim): dout not summed over the batch. b is added to every "
                f"example, so db = the sum of dout over axis 0, shape ({n_out},)")
    if key == "db" and shape == (1, n_out):
        return f"sum over axis 0 without keepdims=True: b has shape ({n_out},)"
    if key == "db" and shape == (n,):
        return "summed over axis 1 (the outputs); sum over axis 0, the batch"
    if key == "dx" and shape == (n, n_out):
        return ("that is the shape of dout: dx has the shape of x, (N, in_dim); "
                "dx[n, i] = sum_j dout[n, j] W[i, j] is the product dout W^T")
    if key == "dx" and shape == (n_in, n):
        return "that is (in_dim, N), dx transposed: dx = dout W^T, shape (N, in_dim)"
    return None


_W = r"""(?:self\.params\[["']W["']\]|\bW\b)"""
_X = r"(?:self\.x|\bx\b)"


def _dense_error_hint(exc: BaseException, line: str, i: dict) -> str | None:
    """Which transpose a matrix product of Dense.backward is missing (from its line)."""
    if not (isinstance(exc, ValueError) and ("matmul" in str(exc) or "aligned" in str(exc))):
        return None
    if "x" not in i or "W" not in i:
        return None
    n, (n_in, n_out) = len(i["x"]), i["W"].shape
    dx = (f"dx = dout @ W.T, (N, out_dim) @ (out_dim, in_dim) = {(n, n_out)} @ "
          f"{(n_out, n_in)} -> {(n, n_in)}, the shape of x")
    dw = (f"dW = x.T @ dout, (in_dim, N) @ (N, out_dim) = {(n_in, n)} @ {(n, n_out)} -> "
          f"{(n_in, n_out)}, the shape of W")
    code = re.sub(r"""grads\[["'][Wb]["']\]""", "", line.replace(" ", ""))
    code = re.sub(r"""^(return|[\w.\[\]"']+[-+*/@]?=(?!=))""", "", code)  # the right side
    if "dout" in code and re.search(_W, code):
        if not re.search(_W + r"\.T", code):
            return f"the matrix product needs W transposed: {dx}"
        return f"W.T is there, but the factors are in the wrong order: {dx}"
    if "dout" in code and re.search(_X, code):
        if not re.search(_X + r"\.T", code):
            return f"the matrix product needs x transposed: {dw}"
        return f"x.T is there, but the factors are in the wrong order: {dw}"
    return f"the two products of Dense.backward: {dx}; {dw}"


def _dense_float32(cls: type) -> tuple[str, str]:
    rng = np.random.default_rng(20)
    layer = cls(5, 4, rng, dtype=np.float32)
    layer.forward(_f32(rng, 3, 5))
    dx = layer.backward(_f32(rng, 3, 4))
    return _float32("Dense.backward", {"dx": dx, "dW": layer.grads.get("W"),
                                       "db": layer.grads.get("b")})


DENSE = Part(
    name="Dense", label="Dense.backward", check=checks.check_dense, solution=layers.Dense,
    where="numpyvae/layers.py, Dense.backward",
    watch=lambda impl, rec: spy_module(impl, rec, ("x",), "dout", ("dx",)),
    keys=("dx", "dW", "db"), forward="Dense  forward y = x W + b, Eq. (1)",
    reference=_dense_reference, mistakes=_dense_mistakes, shape_hint=_dense_shape_hint,
    error_hint=_dense_error_hint,
    extras=(Extra("Dense  float32 in, float32 out", _dense_float32),),
)


# ---- exercise 2: ReLU ---------------------------------------------------------------------


def _relu_reference(i: dict) -> dict[str, np.ndarray]:
    relu = layers.ReLU()
    y = relu.forward(i["x"])
    return {"forward": y, "dx": relu.backward(i["dout"])}


def _relu_mistakes(i: dict, want: dict) -> Mistakes:
    x, dout = i["x"], i["dout"]
    return {"dx": [
        (dout * (x < 0), ("the mask is on the wrong side: the gradient passes where x > 0 "
                          "(where the unit was on) and is 0 where x < 0")),
        (dout, ("the gradient is let through everywhere, also where x < 0: multiply dout by "
                "the mask of the forward input, x > 0")),
        (np.maximum(dout, 0), ("that is ReLU applied to dout: the mask comes from the forward "
                               "input x (self.x > 0), not from the sign of dout")),
        (dout * np.maximum(x, 0), ("dout times the output max(x, 0): the derivative of ReLU is "
                                   "1 where x > 0, not x")),
        (dout * x, ("dout times x: the derivative of ReLU is not x but 1 where x > 0 and 0 "
                    "elsewhere, so dx = dout * (x > 0)")),
        ((x > 0) * 1.0, ("that is the local derivative dy/dx alone: by the chain rule, "
                         "multiply it by dout")),
    ]}


def _relu_float32(cls: type) -> tuple[str, str]:
    rng = np.random.default_rng(21)
    relu = cls()
    relu.forward(_f32(rng, 4, 6))
    return _float32("ReLU.backward", {"dx": relu.backward(_f32(rng, 4, 6))})


def _relu_at_zero(cls: type) -> tuple[str, str]:
    """At x = 0 exactly the gradient is 0: the library's convention, x > 0."""
    x = np.array([[-1.0, 0.0, 2.0], [0.0, 3.0, -0.5]])
    dout = np.array([[1.5, 2.0, -1.0], [-3.0, 0.5, 4.0]])
    relu = cls()
    relu.forward(x.copy())
    dx = np.asarray(relu.backward(dout.copy()), dtype=np.float64)
    at = x == 0
    if dx.shape != x.shape:
        return "shape", f"dx has shape {dx.shape}, x {x.shape}"
    if np.array_equal(dx[at], np.zeros(at.sum())):
        return "0", ""
    if np.array_equal(dx[at], dout[at]):
        return "dout", ("at x = 0 yours lets the gradient through (x >= 0). ReLU has no "
                        "derivative at 0 (any value in [0, 1] is a subgradient); numpyvae's "
                        "ReLU takes 0 there, the mask x > 0, and so do the checks")
    if np.allclose(dx[at], dout[at] / 2):
        return "dout/2", ("at x = 0 yours passes half the gradient; numpyvae's ReLU takes 0 "
                          "there, the mask x > 0")
    return "other", ("at x = 0 yours is neither 0 nor dout; numpyvae's ReLU takes 0 there, "
                     "the mask x > 0")


RELU = Part(
    name="ReLU", label="ReLU.backward", check=checks.check_relu, solution=layers.ReLU,
    where="numpyvae/layers.py, ReLU.backward",
    watch=lambda impl, rec: spy_module(impl, rec, ("x",), "dout", ("dx",)),
    keys=("dx",), forward="ReLU  forward y = max(x, 0)",
    reference=_relu_reference, mistakes=_relu_mistakes,
    extras=(Extra("ReLU  dL/dx at x = 0 is 0 (mask x > 0)", _relu_at_zero),
            Extra("ReLU  float32 in, float32 out", _relu_float32)),
)


# ---- exercise 3: Sigmoid, and Sigmoid with the cross entropy ----------------------------


def _sigmoid_reference(i: dict) -> dict[str, np.ndarray]:
    sig = layers.Sigmoid()
    p = sig.forward(i["x"])
    return {"forward": p, "dx": sig.backward(i["dout"])}


def _sigmoid_float32(cls: type) -> tuple[str, str]:
    rng = np.random.default_rng(22)
    sig = cls()
    sig.forward(_f32(rng, 4, 6))
    return _float32("Sigmoid.backward", {"dx": sig.backward(_f32(rng, 4, 6))})


def _sigmoid_mistakes(i: dict, want: dict) -> Mistakes:
    x, dout, p = i["x"], i["dout"], layers.sigmoid(i["x"])
    twice = layers.sigmoid(p)
    return {"dx": [
        (dout * p, "missing (1 - p): dp/dx = p (1 - p)"),
        (dout * (1 - p), "missing p: dp/dx = p (1 - p)"),
        (p * (1 - p), ("that is the local derivative dp/dx alone: by the chain rule, "
                       "multiply it by dout")),
        (dout * x * (1 - x), ("x (the input) where p = sigmoid(x) belongs: dp/dx = p (1 - p), "
                              "with p kept by forward in self.p")),
        (dout * twice * (1 - twice), ("the sigmoid applied twice: self.p is already "
                                      "sigmoid(x), so dp/dx = self.p (1 - self.p), with no "
                                      "sigmoid in backward")),
    ]}


SIGMOID = Part(
    name="Sigmoid", label="Sigmoid.backward", check=checks.check_sigmoid, solution=layers.Sigmoid,
    where="numpyvae/layers.py, Sigmoid.backward",
    watch=lambda impl, rec: spy_module(impl, rec, ("x",), "dout", ("dx",)),
    keys=("dx",), forward="Sigmoid  forward p = sigmoid(x), Eq. (3)",
    reference=_sigmoid_reference, mistakes=_sigmoid_mistakes,
    extras=(Extra("Sigmoid  float32 in, float32 out", _sigmoid_float32),),
)


def _bce_reference(i: dict) -> dict[str, np.ndarray]:
    nll, dlogits = losses.bernoulli_nll(i["logits"], i["x"])
    return {"forward": nll, "dlogits": dlogits}


def _bce_float32(fn: Callable) -> tuple[str, str]:
    rng = np.random.default_rng(23)
    logits, x = _f32(rng, 3, 5), rng.uniform(size=(3, 5)).astype(np.float32)
    return _float32("bernoulli_nll_grad", {"dlogits": fn(logits, x)[1]})


def _bce_mistakes(i: dict, want: dict) -> Mistakes:
    logits, x = i["logits"], i["x"]
    p = layers.sigmoid(logits)
    return {"dlogits": [
        (x - p, "sign flipped: dL/dlogits = p - x, Eq. (9) (the loss falls as p moves toward x)"),
        (p * (1 - p) * (p - x), ("multiplied by the sigmoid's derivative p (1 - p) once more. "
                                 "bernoulli_nll takes the logits: in dL/dp * dp/dlogits the "
                                 "p (1 - p) cancels the denominator of dL/dp, leaving Eq. (9)")),
        ((p - x) / (p * (1 - p)), ("that is dL/dp, the gradient with respect to p; the check "
                                   "asks for dL/dlogits = dL/dp * dp/dlogits, which simplifies "
                                   "to Eq. (9)")),
        (logits - x, "the logits where p = sigmoid(logits) belongs: dL/dlogits = p - x"),
        (p, "missing the - x: dL/dlogits = p - x"),
        (p - 1, ("1 where the target x belongs: dL/dlogits = p - x, x the pixels (the second "
                 "argument of bernoulli_nll_grad)")),
        (layers.sigmoid(p) - x, ("the sigmoid applied twice: bernoulli_nll_grad takes the "
                                 "logits, so p = sigmoid(logits), once")),
        (want["dlogits"] / x.shape[1], ("divided by the number of pixels D: the loss is summed "
                                        "over the pixels, Eq. (4)")),
        (want["dlogits"] / x.size, ("np.mean over pixels and examples: the loss here is a "
                                    "plain sum, so no division")),
    ]}


BERNOULLI_NLL = Part(
    name="bernoulli_nll", label="bernoulli_nll_grad", check=checks.check_bernoulli_nll,
    solution=losses.bernoulli_nll, where="numpyvae/losses.py, bernoulli_nll",
    watch=lambda impl, rec: spy_function(impl, rec, ("logits", "x"), ("dlogits",)),
    keys=("dlogits",), forward="bernoulli_nll  value, Eq. (4)",
    reference=_bce_reference, mistakes=_bce_mistakes, columns="the pixels",
    extras=(Extra("bernoulli_nll  float32 in, float32 out", _bce_float32),),
)


# ---- exercise 4: the reparameterization trick --------------------------------------------


def _reparam_reference(i: dict) -> dict[str, np.ndarray]:
    r = reparam.Reparameterize()
    z = r.forward(i["mu"], i["logvar"], i["eps"])
    dmu, dlogvar = r.backward(i["dz"])
    return {"forward": z, "dmu": dmu, "dlogvar": dlogvar}


_SWAPPED = ("dmu and dlogvar in swapped order: yours is the other one. Return them as "
            "(dmu, dlogvar), the order of the arguments mu, logvar")


def _reparam_float32(cls: type) -> tuple[str, str]:
    rng = np.random.default_rng(24)
    r = cls()
    r.forward(_f32(rng, 4, 3), _f32(rng, 4, 3), _f32(rng, 4, 3))
    dmu, dlogvar = r.backward(_f32(rng, 4, 3))
    return _float32("Reparameterize.backward", {"dmu": dmu, "dlogvar": dlogvar})


def _reparam_mistakes(i: dict, want: dict) -> Mistakes:
    mu, logvar, eps, dz = i["mu"], i["logvar"], i["eps"], i["dz"]
    sigma = np.exp(logvar / 2)
    return {
        "dmu": [
            (np.ones_like(dz), ("dz/dmu = 1 is the local derivative: by the chain rule "
                                "dmu = dz * dz/dmu = dz")),
            (dz * eps, "that is dL/dsigma; dmu = dz * dz/dmu = dz"),
            (want["dlogvar"], _SWAPPED),
        ],
        "dlogvar": [
            (dz * eps * sigma, ("missing the 1/2: dsigma/dlogvar = sigma / 2. sigma = "
                                "exp(logvar / 2), and the 1/2 of the exponent comes down")),
            (dz * eps * sigma / 4, "an extra factor 1/2: dsigma/dlogvar = sigma / 2, once"),
            (dz * eps * sigma**2 / 2, ("sigma^2 where sigma belongs: dsigma/dlogvar = "
                                       "d/dlogvar exp(logvar / 2) = sigma / 2, not sigma^2 / 2 "
                                       "(sigma^2 = exp(logvar) is the variance)")),
            (dz * eps * sigma**2, ("that differentiates sigma = exp(logvar); but logvar = "
                                   "log sigma^2, so sigma = exp(logvar / 2) and dsigma/dlogvar "
                                   "= sigma / 2, Eq. (7)")),
            (dz * eps / 2, "missing sigma: dsigma/dlogvar = sigma / 2, not 1/2"),
            (dz * eps, "that is dL/dsigma; multiply by dsigma/dlogvar = sigma / 2"),
            (dz * sigma / 2, "missing eps: dz/dsigma = eps, Eq. (7)"),
            (want["dmu"], _SWAPPED),
        ],
        "forward": [
            (mu + np.exp(logvar) * eps, ("sigma = exp(logvar) instead of exp(logvar / 2): logvar "
                                         "is log sigma^2, Eq. (2). The bug numpy-ml shipped: a "
                                         "backward that matches this forward passes every "
                                         "gradient check; only this value shows it")),
            (mu + logvar * eps, "logvar used as sigma: sigma = exp(logvar / 2), Eq. (2)"),
        ],
    }


REPARAMETERIZE = Part(
    name="Reparameterize", label="Reparameterize.backward", check=checks.check_reparam,
    solution=reparam.Reparameterize, where="numpyvae/reparam.py, Reparameterize.backward",
    watch=lambda impl, rec: spy_module(impl, rec, ("mu", "logvar", "eps"), "dz",
                                       ("dmu", "dlogvar")),
    keys=("dmu", "dlogvar"), forward="Reparameterize  forward z, Eq. (2)",
    reference=_reparam_reference, mistakes=_reparam_mistakes, columns="the latent dimensions",
    extras=(Extra("Reparameterize  float32 in, float32 out", _reparam_float32),),
)


# ---- exercise 5: the KL term --------------------------------------------------------------


def _kl_reference(i: dict) -> dict[str, np.ndarray]:
    kl, (dmu, dlogvar) = losses.kl_std_normal(i["mu"], i["logvar"])
    return {"forward": kl, "dmu": dmu, "dlogvar": dlogvar}


_AS_LOG_SIGMA = ("logvar treated as log sigma (sigma^2 = exp(2 logvar)): logvar is log "
                 "sigma^2, so sigma^2 = exp(logvar), its derivative is exp(logvar) itself, and "
                 "dKL/dlogvar = (sigma^2 - 1) / 2, Eq. (8)")


def _kl_float32(fn: Callable) -> tuple[str, str]:
    rng = np.random.default_rng(25)
    _, (dmu, dlogvar) = fn(_f32(rng, 4, 3), _f32(rng, 4, 3))
    return _float32("kl_std_normal_grad", {"dmu": dmu, "dlogvar": dlogvar})


def _kl_mistakes(i: dict, want: dict) -> Mistakes:
    mu, logvar = i["mu"], i["logvar"]
    var, sigma = np.exp(logvar), np.exp(logvar / 2)
    return {
        "dmu": [
            (2 * mu, "an extra factor 2: with the 1/2 of Eq. (5), d/dmu (mu^2 / 2) = mu"),
            (mu / 2, "an extra 1/2: d/dmu (mu^2 / 2) = mu, the 2 of the square cancels the 1/2"),
            (want["dlogvar"], _SWAPPED),
        ],
        "dlogvar": [
            (var - 1, "missing the 1/2 of Eq. (5): dKL/dlogvar = (sigma^2 - 1) / 2, Eq. (8)"),
            (var / 2, ("missing the - 1: d/dlogvar (-logvar) = -1, so dKL/dlogvar = "
                       "(sigma^2 - 1) / 2")),
            (var, "missing the 1/2 and the - 1: dKL/dlogvar = (sigma^2 - 1) / 2, Eq. (8)"),
            ((np.exp(logvar / 2) - 1) / 2, ("sigma where sigma^2 belongs: sigma^2 = exp(logvar), "
                                            "not exp(logvar / 2)")),
            ((var - 1) / 4, "an extra factor 1/2: dKL/dlogvar = (sigma^2 - 1) / 2"),
            ((1 - var) / 2, ("sign flipped: the KL grows with sigma^2 above 1, so dKL/dlogvar = "
                             "(sigma^2 - 1) / 2")),
            ((var - 2) / 2, ("the - 1 counted twice: the constant - 1 of Eq. (5) has derivative "
                             "0; the - 1 of the gradient comes from - logvar")),
            ((var - logvar - 1) / 2, "that is the KL itself, entry by entry, not its derivative"),
            (want["dmu"], _SWAPPED),
            (np.exp(2 * logvar) - 1, _AS_LOG_SIGMA),
            ((np.exp(2 * logvar) - 1) / 2, _AS_LOG_SIGMA),
            ((sigma / 2 - 1) / 2, ("Eq. (5) written with sigma where sigma^2 belongs, then "
                                   "differentiated: the KL has sigma^2 = exp(logvar), whose "
                                   "derivative is sigma^2 itself, so dKL/dlogvar = "
                                   "(sigma^2 - 1) / 2")),
            (sigma - 1 / sigma, ("that is dKL/dsigma, the derivative with respect to sigma; "
                                 "the check asks for dKL/dlogvar = dKL/dsigma * dsigma/dlogvar, "
                                 "with dsigma/dlogvar = sigma / 2: (sigma^2 - 1) / 2")),
        ],
    }


KL = Part(
    name="kl_std_normal", label="kl_std_normal_grad", check=checks.check_kl,
    solution=losses.kl_std_normal, where="numpyvae/losses.py, kl_std_normal",
    watch=lambda impl, rec: spy_function(impl, rec, ("mu", "logvar"), ("dmu", "dlogvar")),
    keys=("dmu", "dlogvar"), forward="KL  value, Eq. (5)",
    reference=_kl_reference, mistakes=_kl_mistakes, columns="the latent dimensions",
    extras=(Extra("KL  float32 in, float32 out", _kl_float32),),
)


# ---- exercise 6: Adam ---------------------------------------------------------------------


def _adam(i: dict, mistake: str) -> dict[str, np.ndarray]:
    """The weights after each step, name -> (steps, ...), by Eq. (10) with one typical
    mistake (the right ones are ``checks.adam_reference``'s: ``optim.Adam.update``), the
    weights updated in the order the check gave them."""
    names = list(i["w0"])
    w = {k: np.array(i["w0"][k], dtype=np.float64) for k in names}
    lr, (b1, b2), eps = i["lr"], i["betas"], i["eps"]
    if mistake == "betas unpacked swapped":  # b2, b1 = self.betas
        b1, b2 = b2, b1
    m = {k: np.zeros_like(a) for k, a in w.items()}
    v = {k: np.zeros_like(a) for k, a in w.items()}
    out: dict[str, list[np.ndarray]] = {k: [] for k in names}
    counted = 0  # self.t += 1 once per weight
    for step, grads in enumerate(i["grads"], start=1):
        for k in names:
            g = np.asarray(grads[k], dtype=np.float64)
            counted += 1
            t = {"t stays 1": 1, "t from 0": step - 1, "t + 1": step + 1,
                 "t per parameter": counted}.get(mistake, step)
            if mistake == "m and v restart":
                m[k], v[k] = np.zeros_like(g), np.zeros_like(g)
            before = m[k], v[k]
            if mistake == "betas swapped":
                m[k], v[k] = b1 * g + (1 - b1) * m[k], b2 * g * g + (1 - b2) * v[k]
            else:
                m[k] = b1 * m[k] + (1 - b1) * g
                v[k] = b2 * v[k] + (1 - b2) * (g if mistake == "v of g" else g * g)
            mk, vk = before if mistake == "m and v after the step" else (m[k], v[k])
            with np.errstate(all="ignore"):  # some mistakes divide by zero, or take sqrt(-1)
                m_hat = mk if mistake in ("no correction", "no m correction") else mk / (1 - b1**t)
                v_hat = vk if mistake in ("no correction", "no v correction") else vk / (1 - b2**t)
                if mistake == "eps inside":
                    update = m_hat / np.sqrt(v_hat + eps)
                elif mistake == "eps unscaled":  # the step-size form, with eps not scaled
                    update = np.sqrt(1 - b2**t) / (1 - b1**t) * mk / (np.sqrt(vk) + eps)
                elif mistake == "g for m":
                    update = g / (np.sqrt(v_hat) + eps)
                else:
                    update = m_hat / (np.sqrt(v_hat) + eps)
            w[k] = w[k] + lr * update if mistake == "uphill" else w[k] - lr * update
            out[k].append(w[k])
    return {k: np.array(a) for k, a in out.items()}


def _adam_reference(i: dict) -> dict[str, np.ndarray]:
    return {k: np.array(checks.adam_reference(w0, [s[k] for s in i["grads"]], i["lr"],
                                              *i["betas"], i["eps"]))
            for k, w0 in i["w0"].items()}


def _adam_mistakes(i: dict, want: dict) -> Mistakes:
    n = len(i["w0"])
    hints = {
        "no correction": "no bias correction: m^ = m / (1 - b1^t) and v^ = v / (1 - b2^t). "
                         "Without them the first steps come out wrong (m and v start at 0)",
        "no m correction": "v is corrected but m is not: m^ = m / (1 - b1^t)",
        "no v correction": "m is corrected but v is not: v^ = v / (1 - b2^t)",
        "eps inside": "eps inside the square root: Eq. (10) divides by sqrt(v^) + eps",
        "eps unscaled": "the step-size form lr_t = lr sqrt(1 - b2^t) / (1 - b1^t) needs eps "
                        "scaled too, eps_t = eps sqrt(1 - b2^t); or use m^ and v^ as in Eq. (10)",
        "t stays 1": "t is 1 at every step: count the steps in self.t (t += 1 at each step)",
        "t from 0": "t is 0 at the first step, so 1 - b1^t = 0 and m^ divides by zero: count "
                    "the step (self.t += 1) before using t",
        "t + 1": "t is off by one: it is 2 at the first step (self.t + 1 after self.t += 1, "
                 "or the step counted twice). t is 1 at the first step: count it once, then "
                 "use self.t",
        "t per parameter": f"t is counted once per parameter (self.t += 1 inside the loop over "
                           f"the weights): with these {n} weights t runs 1, 2 at the first "
                           "step, 3, 4 at the second. t counts steps: add 1 once, before "
                           "the loop",
        "v of g": "v averages g where g^2 belongs: v = b2 v + (1 - b2) g^2 (a negative v has "
                  "no square root)",
        "m and v restart": "m and v restart from 0 at every step: keep them across steps, in "
                           "self.m[name] and self.v[name]",
        "m and v after the step": "m^ and v^ come from m and v before this step's update (at "
                                  "the first step they are 0, and so is the step): update m "
                                  "and v with g first, then correct them and step",
        "betas swapped": "the weights of the running means are swapped: m = b1 m + (1 - b1) g "
                         "(b1 weighs the old m)",
        "betas unpacked swapped": "b1 and b2 the wrong way round (b2, b1 = self.betas): "
                                  "self.betas is (b1, b2) = (0.9, 0.999); b1 goes with m, b2 "
                                  "with v",
        "g for m": "the step uses g where m^ belongs: w -= lr m^ / (sqrt(v^) + eps)",
        "uphill": "the weights went uphill: w = w - lr m^ / (sqrt(v^) + eps)",
    }
    wrong = {mistake: _adam(i, mistake) for mistake in hints}
    steps = len(i["grads"])
    return {k: [
        (np.array([w0] * steps, dtype=np.float64),
         ("the weights did not change: update the caller's arrays in place "
          "(w -= ..., or self.params[name][...] = ...)")),
        *((wrong[mistake][k], hint) for mistake, hint in hints.items()),
    ] for k, w0 in i["w0"].items()}


def _adam_error_hint(exc: BaseException, line: str, i: dict) -> str | None:
    if not (isinstance(exc, ValueError) and ("broadcast" in str(exc) or "shape" in str(exc))):
        return None
    shapes = ", ".join(f"{k} {np.shape(w)}" for k, w in i.get("w0", {}).items())
    return (f"the check's weights have different shapes ({shapes}): is one m and v shared by "
            "all parameters? Each weight needs its own m and v, of its shape, kept across "
            "steps in self.m[name] and self.v[name]")


def _adam_float32(cls: type) -> tuple[str, str]:
    rng = np.random.default_rng(26)
    params = {k: _f32(rng, *shape) for k, shape in checks.ADAM_SHAPES.items()}
    opt = cls(params, lr=0.1)
    for _ in range(2):
        opt.step({k: _f32(rng, *shape) for k, shape in checks.ADAM_SHAPES.items()})
    return _float32("Adam.step", dict(params))


ADAM = Part(
    name="Adam", label="Adam.step", check=checks.check_adam, solution=optim.Adam,
    where="numpyvae/optim.py, Adam.update: Eq. (10) as written",
    watch=spy_optimizer, keys=tuple(checks.ADAM_SHAPES), forward="",
    reference=_adam_reference, mistakes=_adam_mistakes, error_hint=_adam_error_hint,
    extras=(Extra("Adam  float32 weights stay float32", _adam_float32),),
)


# ---- exercise 7: the VAE's backward pass, assembled ----------------------------------------
#
# The check (checks.check_vae_backward) gives one row per layer; the key of a row is "d" +
# the layer's name ("ddecoder.out", ...) and its arrays are the layer's dW and db, raveled
# and joined. The learner's model is watched by _spy_vae, which keeps what forward was given
# and the gradients backward left in ``grads``.

#: The layers of the check's model (input 6, hidden (7,), latent 3), as backward reaches them.
VAE_LAYERS = ("decoder.out", "decoder.0", "encoder.logvar", "encoder.mu", "encoder.0")


def _layer_grads(grads: dict) -> dict[str, np.ndarray]:
    """``{"ddecoder.out": dW and db raveled and joined, ...}`` from a model's ``grads``."""
    return {f"d{layer}": np.concatenate([np.ravel(grads[f"{layer}.W"]),
                                         np.ravel(grads[f"{layer}.b"])]).astype(np.float64)
            for layer in VAE_LAYERS}


def _spy_vae(cls: type, rec: Record) -> type:
    """A subclass of the learner's VAE that records its first forward (x, eps, beta, the
    config and the weights) and the gradients its first backward leaves in ``grads``."""

    class Spy(cls):
        def forward(self, x, eps=None, rng=None, beta=None, **kwargs):
            result = super().forward(x, eps=eps, rng=rng, beta=beta, **kwargs)
            if "x" not in rec.inputs:  # the first call; then the finite differences
                rec.inputs.update(x=np.array(x, copy=True), eps=np.array(result.eps, copy=True),
                                  beta=self._cache["beta"], config=self.config,
                                  params={k: w.copy() for k, w in self.params.items()})
            return result

        def backward(self):
            first = not rec.got
            out = super().backward()
            if first:
                rec.got.update(_layer_grads(self.grads))
            return out

    Spy.__name__, Spy.__qualname__ = cls.__name__, cls.__qualname__
    return Spy


#: The typical mistakes of exercise 7, as :func:`vae_backward` injects them.
VAE_MISTAKES = (
    "no KL", "no sample", "no 1/N", "no 1/N on the KL", "1/N twice", "1/N again on mu, logvar",
    "beta ignored", "beta on both", "KL subtracted", "mu only into h", "logvar only into h",
    "no logvar head",
)


def vae_backward(vae: object, mistake: str = "") -> None:
    """``VAE.backward`` of model.py step by step, with one of :data:`VAE_MISTAKES` (or none):
    the right gradients, or those a typical wrong version leaves in ``vae.grads``."""
    c = vae._cache
    n, beta = c["n"], c["beta"]
    per = 1.0 / n  # Eq. (6): d(mean)/d(example)
    recon = {"no 1/N": 1.0, "1/N twice": per * per, "beta on both": beta * per}.get(mistake, per)
    dz = vae.decoder.backward(vae.out.backward(recon * c["dlogits"]))
    dmu, dlogvar = vae.reparam.backward(dz)  # Eq. (7)
    if mistake == "no sample":
        dmu, dlogvar = np.zeros_like(dmu), np.zeros_like(dlogvar)
    weight = {"no 1/N": beta, "no 1/N on the KL": beta, "1/N twice": beta * per * per,
              "beta ignored": per, "KL subtracted": -beta * per}.get(mistake, beta * per)
    if mistake != "no KL":  # Eq. (8), the KL's share of Eq. (6)
        dmu, dlogvar = dmu + weight * c["dkl"][0], dlogvar + weight * c["dkl"][1]
    if mistake == "1/N again on mu, logvar":
        dmu, dlogvar = dmu * per, dlogvar * per
    dh_mu = vae.heads["mu"].backward(dmu)
    if mistake == "no logvar head":
        vae.heads["logvar"].grads["W"][...] = 0
        vae.heads["logvar"].grads["b"][...] = 0
        dh = dh_mu
    else:
        dh_logvar = vae.heads["logvar"].backward(dlogvar)
        dh = {"mu only into h": dh_mu, "logvar only into h": dh_logvar}.get(mistake,
                                                                          dh_mu + dh_logvar)
    vae.encoder.backward(dh, need_dx=False)
    vae._cache = None


def _vae_grads(i: dict, mistake: str = "") -> dict[str, np.ndarray]:
    """The layers' gradients (see :func:`_layer_grads`) from the inputs the check used,
    computed by the library's model with ``mistake`` injected."""
    vae = checks.VAE(i["config"])
    for k, w in i["params"].items():
        vae.params[k] = w
    vae.forward(i["x"], eps=i["eps"], beta=i["beta"])
    vae_backward(vae, mistake)
    return _layer_grads(vae.grads)


def _vae_reference(i: dict) -> dict[str, np.ndarray]:
    return _vae_grads(i)


def _vae_mistakes(i: dict, want: dict) -> Mistakes:
    n, beta = len(i["x"]), i["beta"]
    twice = (f"1/N applied twice (N = {n}): the batch mean of Eq. (6) divides once. Divide "
             f"dlogits by N and weight the KL by beta / N, nothing more: the 1/N that dz "
             f"carries already reaches mu and logvar")
    hints = {
        "no KL": ("the KL term's gradient is missing: mu and logvar get gradient from two "
                  "places, the sample z (Eq. 7) and the KL (Eq. 8). Add beta / N times "
                  "self._cache['dkl'] (dmu_kl, dlogvar_kl) to what self.reparam.backward "
                  "returned"),
        "no sample": ("mu and logvar get no gradient through the sample: run dz back through "
                      "self.reparam.backward (Eq. 7), then add the KL's gradient (Eq. 8) to "
                      "what it returns"),
        "no 1/N": (f"N = {n} times the right one: the 1/N of the batch mean is missing. "
                   "Eq. (6) is the mean over the batch of recon + beta KL, so both terms get "
                   "1/N: dlogits / N, and beta / N on the KL"),
        "no 1/N on the KL": ("the KL's gradient lacks the 1/N of the batch mean: its weight "
                             "in Eq. (6) is beta / N, not beta (dlogits got its 1/N; the KL "
                             "needs it too)"),
        "1/N twice": twice,
        "1/N again on mu, logvar": twice,
        "beta ignored": (f"beta is missing: the KL's weight is beta / N, with beta = "
                         f"self._cache['beta'] (here {beta:g}), the beta forward used. Not "
                         "self.config.beta (1 here): a KL warm-up changes beta batch by batch"),
        "beta on both": ("beta multiplies the reconstruction's gradient too: Eq. (6) is "
                         "recon + beta KL, so only the KL's gradient gets beta"),
        "KL subtracted": ("the KL's gradient is subtracted: the loss adds beta KL, so its "
                          "gradient adds too (dmu += ..., dlogvar += ...)"),
        "mu only into h": ("h gets the gradient of the mu head only: h feeds both heads, so "
                           "dh = heads['mu'].backward(dmu) + heads['logvar'].backward(dlogvar)"),
        "logvar only into h": ("h gets the gradient of the logvar head only (was the first "
                               "dh overwritten, dh = ... where dh += ... belongs?): h feeds "
                               "both heads, so their gradients add"),
        "no logvar head": ("the logvar head's gradients are all zeros: its backward never "
                           "ran. Call self.heads['logvar'].backward(dlogvar) and add what it "
                           "returns into dh"),
    }
    out: Mistakes = {}
    for mistake in VAE_MISTAKES:
        for key, wrong in _vae_grads(i, mistake).items():
            out.setdefault(key, []).append((wrong, hints[mistake]))
    return out


VAE_BACKWARD = Part(
    name="VAE", label="VAE.backward", check=checks.check_vae_backward, solution=checks.VAE,
    where="numpyvae/model.py, VAE.backward (and _backward_decoder, where the 1/N is)",
    watch=_spy_vae, keys=tuple(f"d{layer}" for layer in VAE_LAYERS), forward="",
    reference=_vae_reference, mistakes=_vae_mistakes,
)


EXERCISES = (
    Exercise(1, "dense", "Dense layer y = x W + b, Eq. (1)", (DENSE,)),
    Exercise(2, "relu", "ReLU", (RELU,)),
    Exercise(3, "sigmoid_cross_entropy", "Sigmoid, and sigmoid + cross entropy, Eq. (3), (4), (9)",
             (SIGMOID, BERNOULLI_NLL)),
    Exercise(4, "reparameterize", "Reparameterization trick, Eq. (2), (7)", (REPARAMETERIZE,)),
    Exercise(5, "kl", "KL term, Eq. (5), (8)", (KL,)),
    Exercise(6, "adam", "One Adam step, Eq. (10)", (ADAM,)),
    Exercise(7, "vae_backward", "The VAE's backward pass, assembled, Eq. (6)-(9)", (VAE_BACKWARD,)),
)
