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


DENSE = Part(
    name="Dense", label="Dense.backward", check=checks.check_dense, solution=layers.Dense,
    where="numpyvae/layers.py, Dense.backward",
    watch=lambda impl, rec: spy_module(impl, rec, ("x",), "dout", ("dx",)),
    keys=("dx", "dW", "db"), forward="Dense  forward y = x W + b, Eq. (1)",
    reference=_dense_reference, mistakes=_dense_mistakes, shape_hint=_dense_shape_hint,
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
        ((x > 0) * 1.0, ("that is the local derivative dy/dx alone: by the chain rule, "
                         "multiply it by dout")),
    ]}


RELU = Part(
    name="ReLU", label="ReLU.backward", check=checks.check_relu, solution=layers.ReLU,
    where="numpyvae/layers.py, ReLU.backward",
    watch=lambda impl, rec: spy_module(impl, rec, ("x",), "dout", ("dx",)),
    keys=("dx",), forward="ReLU  forward y = max(x, 0)",
    reference=_relu_reference, mistakes=_relu_mistakes,
)


# ---- exercise 3: Sigmoid, and Sigmoid with the cross entropy ----------------------------


def _sigmoid_reference(i: dict) -> dict[str, np.ndarray]:
    sig = layers.Sigmoid()
    p = sig.forward(i["x"])
    return {"forward": p, "dx": sig.backward(i["dout"])}


def _sigmoid_mistakes(i: dict, want: dict) -> Mistakes:
    x, dout, p = i["x"], i["dout"], layers.sigmoid(i["x"])
    return {"dx": [
        (dout * p, "missing (1 - p): dp/dx = p (1 - p)"),
        (dout * (1 - p), "missing p: dp/dx = p (1 - p)"),
        (p * (1 - p), ("that is the local derivative dp/dx alone: by the chain rule, "
                       "multiply it by dout")),
        (dout * x * (1 - x), ("x (the input) where p = sigmoid(x) belongs: dp/dx = p (1 - p), "
                              "with p kept by forward in self.p")),
    ]}


SIGMOID = Part(
    name="Sigmoid", label="Sigmoid.backward", check=checks.check_sigmoid, solution=layers.Sigmoid,
    where="numpyvae/layers.py, Sigmoid.backward",
    watch=lambda impl, rec: spy_module(impl, rec, ("x",), "dout", ("dx",)),
    keys=("dx",), forward="Sigmoid  forward p = sigmoid(x), Eq. (3)",
    reference=_sigmoid_reference, mistakes=_sigmoid_mistakes,
)


def _bce_reference(i: dict) -> dict[str, np.ndarray]:
    nll, dlogits = losses.bernoulli_nll(i["logits"], i["x"])
    return {"forward": nll, "dlogits": dlogits}


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
    reference=_bce_reference, mistakes=_bce_mistakes,
)


# ---- exercise 4: the reparameterization trick --------------------------------------------


def _reparam_reference(i: dict) -> dict[str, np.ndarray]:
    r = reparam.Reparameterize()
    z = r.forward(i["mu"], i["logvar"], i["eps"])
    dmu, dlogvar = r.backward(i["dz"])
    return {"forward": z, "dmu": dmu, "dlogvar": dlogvar}


def _reparam_mistakes(i: dict, want: dict) -> Mistakes:
    mu, logvar, eps, dz = i["mu"], i["logvar"], i["eps"], i["dz"]
    sigma = np.exp(logvar / 2)
    return {
        "dmu": [
            (np.ones_like(dz), ("dz/dmu = 1 is the local derivative: by the chain rule "
                                "dmu = dz * dz/dmu = dz")),
            (dz * eps, "that is dL/dsigma; dmu = dz * dz/dmu = dz"),
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
    reference=_reparam_reference, mistakes=_reparam_mistakes,
)


# ---- exercise 5: the KL term --------------------------------------------------------------


def _kl_reference(i: dict) -> dict[str, np.ndarray]:
    kl, (dmu, dlogvar) = losses.kl_std_normal(i["mu"], i["logvar"])
    return {"forward": kl, "dmu": dmu, "dlogvar": dlogvar}


def _kl_mistakes(i: dict, want: dict) -> Mistakes:
    mu, logvar = i["mu"], i["logvar"]
    var = np.exp(logvar)
    return {
        "dmu": [
            (2 * mu, "an extra factor 2: with the 1/2 of Eq. (5), d/dmu (mu^2 / 2) = mu"),
            (mu / 2, "an extra 1/2: d/dmu (mu^2 / 2) = mu, the 2 of the square cancels the 1/2"),
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
        ],
    }


KL = Part(
    name="kl_std_normal", label="kl_std_normal_grad", check=checks.check_kl,
    solution=losses.kl_std_normal, where="numpyvae/losses.py, kl_std_normal",
    watch=lambda impl, rec: spy_function(impl, rec, ("mu", "logvar"), ("dmu", "dlogvar")),
    keys=("dmu", "dlogvar"), forward="KL  value, Eq. (5)",
    reference=_kl_reference, mistakes=_kl_mistakes,
)


# ---- exercise 6: Adam ---------------------------------------------------------------------


def _adam(i: dict, mistake: str) -> np.ndarray:
    """The weights after each step (steps, ...), by Eq. (10) with one typical mistake
    (the right ones are ``checks.adam_reference``'s: ``optim.Adam.update``)."""
    w = i["w0"]["w"].astype(np.float64)
    lr, (b1, b2), eps = i["lr"], i["betas"], i["eps"]
    m, v, out = np.zeros_like(w), np.zeros_like(w), []
    for step, grads in enumerate(i["grads"], start=1):
        g = grads["w"]
        t = {"t stays 1": 1, "t from 0": step - 1}.get(mistake, step)
        if mistake == "m and v restart":
            m, v = np.zeros_like(w), np.zeros_like(w)
        if mistake == "betas swapped":
            m, v = b1 * g + (1 - b1) * m, b2 * g * g + (1 - b2) * v
        else:
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * (g if mistake == "v of g" else g * g)
        with np.errstate(all="ignore"):  # some mistakes divide by zero, or take sqrt(-1)
            m_hat = m if mistake in ("no correction", "no m correction") else m / (1 - b1**t)
            v_hat = v if mistake in ("no correction", "no v correction") else v / (1 - b2**t)
            if mistake == "eps inside":
                update = m_hat / np.sqrt(v_hat + eps)
            elif mistake == "eps unscaled":  # the step-size form, with eps not scaled
                update = np.sqrt(1 - b2**t) / (1 - b1**t) * m / (np.sqrt(v) + eps)
            elif mistake == "g for m":
                update = g / (np.sqrt(v_hat) + eps)
            else:
                update = m_hat / (np.sqrt(v_hat) + eps)
        w = w + lr * update if mistake == "uphill" else w - lr * update
        out.append(w)
    return np.array(out)


def _adam_reference(i: dict) -> dict[str, np.ndarray]:
    grads = [s["w"] for s in i["grads"]]
    return {"w": np.array(checks.adam_reference(i["w0"]["w"], grads, i["lr"], *i["betas"], i["eps"]))}


def _adam_mistakes(i: dict, want: dict) -> Mistakes:
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
        "v of g": "v averages g where g^2 belongs: v = b2 v + (1 - b2) g^2 (a negative v has "
                  "no square root)",
        "m and v restart": "m and v restart from 0 at every step: keep them across steps, in "
                           "self.m[name] and self.v[name]",
        "betas swapped": "the weights of the running means are swapped: m = b1 m + (1 - b1) g "
                         "(b1 weighs the old m)",
        "g for m": "the step uses g where m^ belongs: w -= lr m^ / (sqrt(v^) + eps)",
        "uphill": "the weights went uphill: w = w - lr m^ / (sqrt(v^) + eps)",
    }
    unchanged = np.array([i["w0"]["w"]] * len(i["grads"]), dtype=np.float64)
    return {"w": [
        (unchanged, ("the weights did not change: update the caller's arrays in place "
                     "(w -= ..., or self.params[name][...] = ...)")),
        *((_adam(i, mistake), hint) for mistake, hint in hints.items()),
    ]}


ADAM = Part(
    name="Adam", label="Adam.step", check=checks.check_adam, solution=optim.Adam,
    where="numpyvae/optim.py, Adam.update: Eq. (10) as written",
    watch=spy_optimizer, keys=("w",), forward="",
    reference=_adam_reference, mistakes=_adam_mistakes,
)


EXERCISES = (
    Exercise(1, "dense", "Dense layer y = x W + b, Eq. (1)", (DENSE,)),
    Exercise(2, "relu", "ReLU", (RELU,)),
    Exercise(3, "sigmoid_cross_entropy", "Sigmoid, and sigmoid + cross entropy, Eq. (3), (4), (9)",
             (SIGMOID, BERNOULLI_NLL)),
    Exercise(4, "reparameterize", "Reparameterization trick, Eq. (2), (7)", (REPARAMETERIZE,)),
    Exercise(5, "kl", "KL term, Eq. (5), (8)", (KL,)),
    Exercise(6, "adam", "One Adam step, Eq. (10)", (ADAM,)),
)
