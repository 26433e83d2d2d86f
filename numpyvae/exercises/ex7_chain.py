"""Exercise 7's chain, step by step: the gradient the learner's backward passed every layer
(the first half of its diagnosis, ``ex7_diagnosis.py``).

Every layer is a Dense, so its gradients are dW = a^T d and db = sum_n d for the input
``a`` forward gave it and the gradient ``d`` that reached it; with at most as many
examples as inputs, ``d`` is found back from the learner's dW (:func:`recover`; db is
checked against it). :func:`steps` walks the chain backward and, at each layer, puts the
learner's ``d`` beside the library's rule applied to the learner's ``d`` one step up: a
:class:`Step` that is ok or not on its own, whatever happened before it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: The model's own ``config.beta`` in every setting: never the beta forward is given, so
#: that a backward that reads ``self.config.beta`` instead of the batch's beta shows.
CONFIG_BETA = 2.0

#: Two numbers of a stage agree when their relative error is under this (all float64).
TOL = 1e-7
#: A least-squares fit of a stage's gradient is exact below this relative residual.
FIT = 1e-6


def close(got: object, want: object, tol: float = TOL) -> bool:
    """``got`` equals ``want`` up to ``tol`` times the larger of their largest entries (a
    gradient found back by least squares has rounding where the exact one has 0)."""
    if got is None or want is None:
        return False
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    if got.shape != want.shape or not np.all(np.isfinite(got)) or not np.all(np.isfinite(want)):
        return False
    scale = max(float(np.max(np.abs(got), initial=0)), float(np.max(np.abs(want), initial=0)))
    return float(np.max(np.abs(got - want), initial=0)) <= tol * max(scale, 1e-12)


# ---- the library's forward, and the learner's gradient at every layer ---------------------


@dataclass
class Trace:
    """One setting: the library's forward and each layer's input, weights and ReLU mask
    (``ex7_vae_backward.trace`` runs it, :func:`read_layers` reads them), the library's
    gradients ``want``."""

    name: str
    hidden: tuple[int, ...]
    n: int
    beta: float
    zero_eps: bool
    x: np.ndarray
    eps: np.ndarray
    mu: np.ndarray
    logvar: np.ndarray
    p: np.ndarray
    inputs: dict[str, np.ndarray] = field(default_factory=dict)
    weights: dict[str, np.ndarray] = field(default_factory=dict)
    masks: dict[str, np.ndarray] = field(default_factory=dict)
    want: dict[str, np.ndarray] = field(default_factory=dict)  # the library's gradients

    grads: dict = field(default_factory=dict)  # the learner's, when steps() has read them

    @property
    def sigma(self) -> np.ndarray:
        return np.exp(self.logvar / 2)

    def db(self, layer: str) -> np.ndarray:
        """The learner's db of ``layer`` (zeros when it has none)."""
        g = self.grads.get(f"{layer}.b")
        return g if g is not None else np.zeros(1)

    def describe(self) -> str:
        """'N = 3, beta = 0.7' (and ', eps = 0')."""
        return f"N = {self.n}, beta = {self.beta:g}" + (", eps = 0" if self.zero_eps else "")


def read_layers(t: Trace, model) -> Trace:
    """``t`` with the input, weights and ReLU mask of every layer of ``model`` (a VAE) as
    its last forward left them."""
    for part, mlp in (("encoder", model.encoder), ("decoder", model.decoder)):
        for i, (dense, act) in enumerate(zip(mlp.dense, mlp.acts)):
            t.inputs[f"{part}.{i}"], t.weights[f"{part}.{i}"] = dense.x, dense.params["W"]
            t.masks[f"{part}.{i}"] = act.mask
    for head, dense in model.heads.items():
        t.inputs[f"encoder.{head}"], t.weights[f"encoder.{head}"] = dense.x, dense.params["W"]
    t.inputs["decoder.out"], t.weights["decoder.out"] = model.out.x, model.out.params["W"]
    return t


def layers_of(hidden: tuple[int, ...]) -> list[str]:
    """The layers in the order backward reaches them: decoder.out, decoder.{k-1..0},
    encoder.logvar, encoder.mu, encoder.{k-1..0}."""
    k = len(hidden)
    return (["decoder.out", *(f"decoder.{i}" for i in reversed(range(k))), "encoder.logvar",
             "encoder.mu", *(f"encoder.{i}" for i in reversed(range(k)))])


def recover(a: np.ndarray, dW: np.ndarray | None, db: np.ndarray | None):
    """The gradient d (N, out) that reached a Dense layer of input ``a``, from its dW = a^T d
    (and db = the sum of d over the batch when dW alone cannot tell); and '' or what is
    wrong: 'db' when db is not the sum of d, 'dW' when dW and db come from no one d,
    'missing', or 'unknown' when N is too large to tell."""
    if dW is None or db is None or dW.shape[0] != a.shape[1] or db.shape != dW.shape[1:]:
        return None, "missing"
    scale = max(float(np.max(np.abs(dW))), float(np.max(np.abs(db))), 1e-12)
    n = a.shape[0]
    if np.linalg.matrix_rank(a) == n:
        d = np.linalg.lstsq(a.T, dW, rcond=None)[0]
        if float(np.max(np.abs(a.T @ d - dW))) > 1e-8 * scale:
            return None, "dW"
        if not np.allclose(db, d.sum(axis=0), rtol=1e-7, atol=1e-10 * scale):
            return d, "db"
        return d, ""
    joint = np.hstack([a, np.ones((n, 1))])  # (N, in + 1): dW and db together
    if np.linalg.matrix_rank(joint) < n:
        return None, "unknown"
    d = np.linalg.lstsq(joint.T, np.vstack([dW, db]), rcond=None)[0]
    if float(np.max(np.abs(joint.T @ d - np.vstack([dW, db])))) > 1e-8 * scale:
        return None, "dW"
    return d, ""


# ---- one stage, checked against what the learner passed it --------------------------------


@dataclass
class Step:
    """A stage in one setting: the learner's gradient there and the library's rule applied
    to the learner's gradient one step up (``right``), with what a mistake needs (``ctx``)."""

    stage: str  # "decoder.out", "decoder.0", "heads", "encoder.0" ...
    got: np.ndarray | tuple | None
    right: np.ndarray | tuple | None
    ctx: dict
    problem: str = ""  # from recover(): "db", "dW", "missing", "unknown"

    @property
    def ok(self) -> bool:
        if self.problem or self.got is None:
            return False
        pairs = zip(self.got, self.right) if isinstance(self.got, tuple) else [(self.got,
                                                                               self.right)]
        return all(close(g, r, TOL) for g, r in pairs)


def steps(t: Trace, grads: dict[str, np.ndarray | None]) -> list[Step]:
    """The stages of one setting in backward order, until one cannot be followed further."""
    d, out = {}, []
    t.grads = grads
    for layer in t.inputs:
        d[layer] = recover(t.inputs[layer], grads.get(f"{layer}.W"), grads.get(f"{layer}.b"))
    k = len(t.hidden)
    base = {"n": t.n, "beta": t.beta, "trace": t}

    def step(stage, layer, right, ctx):
        got, problem = d[layer]
        out.append(Step(stage, got, right, {**base, **ctx, "layer": layer}, problem))
        return got is not None and problem in ("", "db")

    pmx = t.p - t.x
    if not step("decoder.out", "decoder.out", pmx / t.n, {"pmx": pmx, "p": t.p}):
        return out
    above = "decoder.out"
    for i in reversed(range(k)):
        layer = f"decoder.{i}"
        g = d[above][0] @ t.weights[above].T
        post = t.inputs[above]
        if not step(layer, layer, g * t.masks[layer], {"g": g, "mask": t.masks[layer],
                                                        "post": post}):
            return out
        above = layer
    dz = d["decoder.0"][0] @ t.weights["decoder.0"].T
    (dmu, pm), (dlv, pl) = d["encoder.mu"], d["encoder.logvar"]
    sigma, w = t.sigma, t.beta / t.n
    right = (dz + w * t.mu, dz * t.eps * sigma / 2 + w * np.expm1(t.logvar) / 2)
    ctx = {"dz": dz, "layer": "encoder.mu"}
    if dmu is None or dlv is None or pm not in ("", "db") or pl not in ("", "db"):
        out.append(Step("heads", None, right, {**base, **ctx},
                        pm if pm not in ("", "db") else pl))
        return out
    out.append(Step("heads", (dmu, dlv), right, {**base, **ctx}, pm or pl))
    parts = (dmu @ t.weights["encoder.mu"].T, dlv @ t.weights["encoder.logvar"].T)
    above = None
    for i in reversed(range(k)):
        layer = f"encoder.{i}"
        g = parts[0] + parts[1] if above is None else d[above][0] @ t.weights[above].T
        post = t.inputs["encoder.mu"] if above is None else t.inputs[above]
        ctx = {"g": g, "mask": t.masks[layer], "post": post,
               "heads": parts if above is None else None}
        if not step(layer, layer, g * t.masks[layer], ctx):
            return out
        above = layer
    return out
