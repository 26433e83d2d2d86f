"""A wrong ``VAE.backward`` diagnosed path by path: first WHERE, then, if it can, WHAT.

Every layer is a Dense, so its gradients are dW = a^T d and db = sum_n d for the input
``a`` forward gave it and the gradient ``d`` that reached it; with at most as many
examples as inputs, ``d`` is found back from the learner's dW (and db checked against it).
So the learner's gradient at every step of the chain is known, and each step is checked
on its own: the library's rule applied to the learner's gradient one step up. The first
step that differs is the stage named, with its equation:

    decoder.out            Eq. (9) and the 1/N of Eq. (6): d = (p - x) / N
    decoder.{i}            the decoder's layers, Eq. (3): d = (d_above W_above^T) * (x > 0)
    encoder.mu, .logvar    the two paths: dz (Eq. 7) plus beta / N times the KL's (Eq. 8)
    encoder.{i}            the encoder's layers, Eq. (1): h feeds both heads

Inside the stage, a typical mistake is named only when it explains EVERY setting the
model ran in (N = 1 and N > 1, beta = 0, 1 and others, eps = 0): the numbers of one
setting can make two mistakes coincide, never those of all. Otherwise the hint says what
differs in the stage, with numbers. Before all this: the same batch twice must give the
same gradients (random numbers drawn in backward), and a second call must not keep or
add the first's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ...layers import sigmoid
from ..language import say
from ..probes import Recorded

#: Two numbers of a stage agree when their relative error is under this (all float64).
TOL = 1e-7
#: A least-squares fit of a stage's gradient is exact below this relative residual.
FIT = 1e-6

DIAGNOSED = ("main", "again", "n1", "eps0", "beta1", "repeat", "beta0")


def _settings():
    from . import (
        vae,  # the settings live beside the rows; imported late (vae imports this)
    )

    return vae


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
    """One setting: the library's forward and each layer's input, weights and ReLU mask."""

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

    @property
    def sigma(self) -> np.ndarray:
        return np.exp(self.logvar / 2)

    def describe(self) -> str:
        """'N = 3, beta = 0.7' (and ', eps = 0')."""
        return f"N = {self.n}, beta = {self.beta:g}" + (", eps = 0" if self.zero_eps else "")


def trace(name: str) -> Trace:
    vae = _settings()
    s = vae.BY_NAME[name]
    model = vae.VAE(vae.config(s.hidden))
    for k, w in vae.params(s.hidden).items():
        model.params[k] = w
    x, eps = vae.batch(s)
    r = model.forward(x, eps=eps, beta=s.beta)
    t = Trace(name, s.hidden, s.n, s.beta, s.eps == "zero", x, eps, r.mu, r.logvar,
              sigmoid(r.logits))
    for part, mlp in (("encoder", model.encoder), ("decoder", model.decoder)):
        for i, (dense, act) in enumerate(zip(mlp.dense, mlp.acts)):
            t.inputs[f"{part}.{i}"], t.weights[f"{part}.{i}"] = dense.x, dense.params["W"]
            t.masks[f"{part}.{i}"] = act.mask
    for head, dense in model.heads.items():
        t.inputs[f"encoder.{head}"], t.weights[f"encoder.{head}"] = dense.x, dense.params["W"]
    t.inputs["decoder.out"], t.weights["decoder.out"] = model.out.x, model.out.params["W"]
    return t


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


# ---- what a stage's gradient may be instead: the typical mistakes -------------------------

#: (message key, the gradient into decoder.out it gives)
OUT_MISTAKES: list[tuple[str, Callable[[dict], np.ndarray]]] = [
    ("path.out.no_n", lambda c: c["pmx"]),
    ("path.out.n_twice", lambda c: c["pmx"] / c["n"] ** 2),
    ("path.out.beta", lambda c: c["beta"] * c["pmx"] / c["n"]),
    ("path.out.sign", lambda c: -c["pmx"] / c["n"]),
    ("path.out.p", lambda c: c["p"] / c["n"]),
    ("path.out.p", lambda c: c["p"]),
    ("path.out.sigmoid", lambda c: c["p"] * (1 - c["p"]) * c["pmx"] / c["n"]),
    ("path.out.dp", lambda c: c["pmx"] / (c["p"] * (1 - c["p"])) / c["n"]),
    ("path.out.mean_pixels", lambda c: c["pmx"] / (c["n"] * c["pmx"].shape[1])),
    ("path.never", lambda c: np.zeros_like(c["pmx"])),
]

#: the gradient into a hidden layer instead of (g * mask), g = what came from above
LAYER_MISTAKES: list[tuple[str, Callable[[dict], np.ndarray]]] = [
    ("path.layer.no_relu", lambda c: c["g"]),
    ("path.layer.flipped", lambda c: c["g"] * ~c["mask"]),
    ("path.layer.times_output", lambda c: c["g"] * c["post"]),
    ("path.never", lambda c: np.zeros_like(c["g"])),
    ("path.enc.mu_only", lambda c: c["heads"][0] * c["mask"] if c.get("heads") else None),
    ("path.enc.lv_only", lambda c: c["heads"][1] * c["mask"] if c.get("heads") else None),
    ("path.enc.mu_only_no_relu", lambda c: c["heads"][0] if c.get("heads") else None),
]


def _explains(key_fn, got_right: list[Step]) -> bool:
    for st in got_right:
        candidate = key_fn(st.ctx)
        if candidate is None or not close(np.asarray(st.got), candidate, TOL):
            return False
    return True


def _named(table, analysed: list[Step]) -> list[str]:
    """The keys of the mistakes that explain every setting (each key once)."""
    found = []
    for key, fn in table:
        if key not in found and _explains(fn, analysed):
            found.append(key)
    return found


def _factors(analysed: list[Step]) -> list[tuple[Trace, float | None]]:
    """Per setting, c with got = c * right when there is one (else None)."""
    out = []
    for st in analysed:
        got, right = np.asarray(st.got), np.asarray(st.right)
        c = None
        if np.any(right):
            c = float(np.vdot(got, right) / np.vdot(right, right))
            if not close(got, c * right, 1e-6):
                c = None
        out.append((st.ctx["trace"], c))
    return out


def _localise_simple(stage: str, analysed: list[Step]) -> str:
    """What differs in a Dense stage when no typical mistake explains every setting."""
    factors = _factors([st for st in analysed if not st.ok])
    if factors and all(c is not None for _, c in factors):
        listed = "; ".join(f"{t.describe()}: {c:.4g}" for t, c in factors)
        return say("path.factor", listed=listed)
    st = next(st for st in analysed if not st.ok)
    got, right = np.asarray(st.got), np.asarray(st.right)
    index = np.unravel_index(int(np.argmax(np.abs(got - right))), got.shape)
    return say("path.differs_at", setting=st.ctx["trace"].describe(),
               index=tuple(int(i) for i in index), got=f"{float(got[index]):.6g}",
               want=f"{float(right[index]):.6g}")


def heading(stage: str, hidden: tuple[int, ...] = (7,)) -> str:
    if stage == "decoder.out":
        return say("path.where.out")
    if stage == "heads":
        return say("path.where.heads")
    part, i = stage.split(".")
    if part == "decoder":
        return say("path.where.decoder", layer=stage)
    top = int(i) == len(hidden) - 1
    return say("path.where.encoder_top" if top else "path.where.encoder", layer=stage)


def stage_hint(stage: str, analysed: list[Step], hidden: tuple[int, ...]) -> str:
    """The hint of the first stage that differs: where, and what when a mistake explains
    every setting (otherwise what differs)."""
    head = heading(stage, hidden)
    problems = {st.problem for st in analysed if st.problem}
    if "dW" in problems or "missing" in problems:
        return f"{head}: " + say("path.no_single_d", layer=analysed[0].ctx["layer"])
    usable = [st for st in analysed if st.got is not None]
    never = [layer for layer in _stage_layers(stage) if _all_zero(usable, layer, stage)]
    if never:
        return f"{head}: " + " ".join(say("path.never", layer=layer) for layer in never)
    if stage == "heads":
        return f"{head}: " + heads_hint(usable)
    table = OUT_MISTAKES if stage == "decoder.out" else LAYER_MISTAKES
    named = _named(table, usable)
    text = " ".join(say(k, layer=stage) for k in named) if named else _localise_simple(
        stage, usable)
    if "db" in problems:
        text += " " + say("path.db_not_sum", layer=analysed[0].ctx["layer"])
    return f"{head}: {text}"


# ---- the two paths into mu and logvar ------------------------------------------------------

#: The KL's weight, beta / N, and what it becomes in typical mistakes: (key, weight)
WEIGHTS: list[tuple[str, Callable[[float, int], float]]] = [
    ("path.kl.beta_ignored", lambda b, n: 1 / n),
    ("path.kl.config_beta", lambda b, n: _settings().CONFIG_BETA / n),
    ("path.kl.no_n", lambda b, n: b),
    ("path.kl.n_twice", lambda b, n: b / n**2),
    ("path.kl.twice", lambda b, n: 2 * b / n),
    ("path.kl.divided_by_beta", lambda b, n: 1 / (b * n) if b else np.inf),
    ("path.kl.subtracted", lambda b, n: -b / n),
    ("path.kl.missing", lambda b, n: 0.0),
    ("path.kl.beta_squared", lambda b, n: b * b / n),
    ("path.kl.neither", lambda b, n: 1.0),
]

#: The sample's path into logvar, up to a factor: dz * eps * sigma / 2 and other forms.
SAMPLE_FORMS = {
    "right": lambda c: c["dz"] * c["eps"] * c["sigma"] / 2,
    "sigma2": lambda c: c["dz"] * c["eps"] * c["sigma"] ** 2 / 2,
    "no_sigma": lambda c: c["dz"] * c["eps"] / 2,
    "no_eps": lambda c: c["dz"] * c["sigma"] / 2,
}
#: (form, factor) -> its hint; (right, 1) is the lecture's
SAMPLE_MISTAKES = {("right", 2.0): "path.lv.no_half", ("right", 0.5): "path.lv.extra_half",
                   ("sigma2", 1.0): "path.lv.sigma2", ("sigma2", 2.0): "path.lv.exp_logvar",
                   ("no_sigma", 1.0): "path.lv.no_sigma", ("no_sigma", 2.0): "path.lv.dsigma",
                   ("no_eps", 1.0): "path.lv.no_eps", ("right", 0.0): "path.lv.missing",
                   ("right", -1.0): "path.lv.sign"}
#: The KL's path into logvar, up to its weight: (sigma^2 - 1) / 2 and other forms.
KL_FORMS = {
    "right": lambda c: np.expm1(c["logvar"]) / 2,
    "no_minus_1": lambda c: c["sigma"] ** 2 / 2,
    "sigma": lambda c: (c["sigma"] - 1) / 2,
    "minus_2": lambda c: (c["sigma"] ** 2 - 2) / 2,
    "log_sigma": lambda c: (c["sigma"] ** 4 - 1) / 2,
    "value": lambda c: (c["sigma"] ** 2 - c["logvar"] - 1) / 2,
    "dsigma": lambda c: c["sigma"] - 1 / c["sigma"],
}


def _fit(got: np.ndarray, columns: list[np.ndarray]) -> tuple[list[float | None], float]:
    """Least squares got = sum_j a_j columns_j: (a_j, None for a zero column; residual)."""
    use = [j for j, col in enumerate(columns) if np.max(np.abs(col)) > 1e-12]
    coef: list[float | None] = [None] * len(columns)
    fitted = np.zeros_like(got)
    if use:
        A = np.stack([columns[j].ravel() for j in use], axis=1)
        sol = np.linalg.lstsq(A, got.ravel(), rcond=None)[0]
        for j, a in zip(use, sol):
            coef[j] = float(a)
        fitted = (A @ sol).reshape(got.shape)
    scale = max(float(np.max(np.abs(got))), 1e-12)
    return coef, float(np.max(np.abs(got - fitted))) / scale


@dataclass
class Paths:
    """The learner's dmu and dlogvar of one setting, split into the two paths."""

    trace: Trace
    a_mu: float | None  # dmu = a_mu dz + c_mu mu
    c_mu: float | None
    form: str | None  # dlogvar = a_lv SAMPLE_FORMS[form] + c_lv KL_FORMS[kl_form]
    a_lv: float | None
    kl_form: str | None
    c_lv: float | None


def split(st: Step) -> Paths:
    t = st.ctx["trace"]
    c = {"dz": st.ctx["dz"], "eps": t.eps, "sigma": t.sigma, "logvar": t.logvar}
    dmu, dlv = st.got
    (a_mu, c_mu), res = _fit(dmu, [c["dz"], t.mu])
    if res > FIT:
        a_mu = c_mu = None
    best = None
    for form, s_fn in SAMPLE_FORMS.items():
        for kl_form, k_fn in KL_FORMS.items():
            coef, res = _fit(dlv, [s_fn(c), k_fn(c)])
            if res <= FIT and (best is None or res < best[0] - 1e-12):
                best = (res, form, coef[0], kl_form, coef[1])
    if best is None:
        return Paths(t, a_mu, c_mu, None, None, None, None)
    return Paths(t, a_mu, c_mu, best[1], best[2], best[3], best[4])


def _same(a: float | None, b: float) -> bool:
    """``a`` equals ``b`` (an unknown ``a`` agrees with anything, an undefined ``b`` too:
    1 / beta at beta = 0 says nothing)."""
    return a is None or not np.isfinite(b) or abs(a - b) <= 1e-6 * max(1.0, abs(b))


def _all(paths: list[Paths], attr: str, fn) -> bool:
    """``attr`` of every setting agrees with ``fn(beta, N)``, and at least one is known."""
    known = [p for p in paths if getattr(p, attr) is not None]
    return bool(known) and all(_same(getattr(p, attr), fn(p.trace.beta, p.trace.n))
                               for p in known)


def heads_hint(analysed: list[Step]) -> str:
    """What is wrong with the gradients into mu and logvar, path by path."""
    if all(close(st.got[0], st.right[1], TOL) and close(st.got[1], st.right[0], TOL)
           for st in analysed):
        return say("path.heads.swapped")
    paths = [split(st) for st in analysed]
    found = _sample_findings(paths, analysed) + _kl_findings(paths)
    return " ".join(found) if found else say("path.heads.unexplained")


def _sample_findings(paths: list[Paths], analysed: list[Step]) -> list[str]:
    """The sample's path, Eq. (7): dz into mu (dz/dmu = 1), dz * eps * sigma / 2 into logvar."""
    found = []
    per_n = lambda b, n: 1 / n
    mu_right = all(_same(p.a_mu, 1.0) for p in paths)
    lv_fitted = [p for p in paths if p.form is not None]
    lv_right = len(lv_fitted) == len(paths) and all(
        p.a_lv is None or (p.form == "right" and _same(p.a_lv, 1.0)) for p in paths)
    if not mu_right and not lv_right and _all(paths, "a_mu", per_n) and all(
            p.form == "right" for p in paths) and _all(paths, "a_lv", per_n):
        return [say("path.sample.n_again")]
    if not mu_right:
        named = [k for k, a in (("path.mu.missing", 0.0), ("path.mu.sign", -1.0),
                                ("path.mu.twice", 2.0)) if _all(paths, "a_mu", lambda b, n, a=a: a)]
        if not named and _all(paths, "a_mu", per_n):
            named = ["path.sample.n_again"]
        found += [say(k) for k in named] or [_listed("path.mu.factor", paths, "a_mu")]
    if len(lv_fitted) < len(paths):
        found.append(say("path.lv.no_form") + _eps0_note(analysed))
    elif not lv_right:
        named = [key for (form, a), key in SAMPLE_MISTAKES.items()
                 if all(p.a_lv is None or (p.form == form and _same(p.a_lv, a)) for p in paths)]
        if not named and all(p.form == "right" for p in paths) and _all(paths, "a_lv", per_n):
            named = ["path.sample.n_again"]
        found += [say(k) for k in named if say(k) not in found] or [
            _listed("path.lv.factor", paths, "a_lv")]
    return found


def _kl_findings(paths: list[Paths]) -> list[str]:
    """The KL's path, Eq. (8), weighted beta / N: the weight on mu (c_mu, of mu) and on
    logvar (c_lv, of (sigma^2 - 1) / 2), and the form of logvar's."""
    right = lambda b, n: b / n
    lv = [p for p in paths if p.kl_form is not None]
    weighted = [p for p in lv if p.c_lv is not None and abs(p.c_lv) > 1e-12]
    forms = {p.kl_form for p in weighted}
    if forms - {"right"}:  # logvar's share is not (sigma^2 - 1) / 2 up to its weight
        lv_text = say("path.kl.form." + forms.pop()) if len(forms) == 1 else say(
            "path.kl.lv_differs")
        lv_ok = False
    else:
        lv_text, lv_ok = "", _all(lv, "c_lv", right) or not lv
    mu_ok = all(_same(p.c_mu, right(p.trace.beta, p.trace.n)) for p in paths)
    if mu_ok and lv_ok:
        return []
    found = []
    # one weight, wrong the same way on both: beta or 1/N
    both = [key for key, fn in WEIGHTS if _all(paths, "c_mu", fn) and not lv_text
            and (_all(lv, "c_lv", fn) or not lv)]
    if both:
        return [say(both[0])]
    if not mu_ok:
        named = [key for key, fn in WEIGHTS if _all(paths, "c_mu", fn)]
        if _all(paths, "c_mu", lambda b, n: 2 * b / n) and lv_ok:
            named = ["path.kl.mu_2"]
        elif _all(paths, "c_mu", lambda b, n: -b / n) and lv_ok:
            named = ["path.kl.mu_sign"]
        found += ([say("path.kl.of_mu") + " " + say(named[0])] if named and named[0] in dict(
            WEIGHTS) else [say(k) for k in named[:1]]) or [
            _listed("path.kl.factor", paths, "c_mu", right)]
    if lv_text:
        found.append(lv_text)
    elif not lv_ok:
        if _all(lv, "c_lv", lambda b, n: 2 * b / n) and mu_ok:
            found.append(say("path.kl.lv_no_half"))
        elif _all(lv, "c_lv", lambda b, n: -b / n) and mu_ok:
            found.append(say("path.kl.lv_sign"))
        else:
            named = [key for key, fn in WEIGHTS if _all(lv, "c_lv", fn)]
            found.append(say("path.kl.of_lv") + " " + say(named[0]) if named else _listed(
                "path.kl.lv_factor", lv, "c_lv", right))
    return found


def _listed(key: str, paths: list[Paths], attr: str, want=None) -> str:
    items = []
    for p in paths:
        value = getattr(p, attr)
        if value is None:
            continue
        extra = f" ({say('path.instead_of')} {want(p.trace.beta, p.trace.n):.4g})" if want else ""
        items.append(f"{p.trace.describe()}: {value:.4g}{extra}")
    return say(key, listed="; ".join(items))


def _eps0_note(analysed: list[Step]) -> str:
    for st in analysed:
        t = st.ctx["trace"]
        if t.zero_eps:
            _, res = _fit(st.got[1], [KL_FORMS["right"]({"logvar": t.logvar,
                                                             "sigma": t.sigma})])
            if res > FIT:
                return " " + say("path.lv.eps0")
    return ""


# ---- the diagnosis of a whole check ---------------------------------------------------------


@dataclass
class Diagnosis:
    """What ``vae.py``'s rows say when they are wrong."""

    first: str = ""  # the hint of the first stage that differs (main's model)
    first_layers: tuple[str, ...] = ()
    random: str = ""  # random numbers drawn in backward
    kept: str = ""  # gradients added or kept across calls
    by_setting: dict[str, str] = field(default_factory=dict)
    layers_ok: set = field(default_factory=set)  # layers whose own step is right

    def hint_for(self, layer: str) -> str:
        if self.kept:
            return self.kept
        if self.random:
            return self.random
        if self.first and layer in self.first_layers:
            return self.first
        if self.first and layer in self.layers_ok:
            return say("path.follows")
        return self.first or say("path.unlocated")

    def hint_for_settings(self, names: tuple[str, ...], main_ok: bool) -> str:
        """The hint of a row of other settings; ``main_ok``: the first setting's rows are."""
        if self.kept:
            return self.kept
        found = [self.by_setting[n] for n in names if self.by_setting.get(n)]
        if found:
            return found[0]
        if main_ok:
            return self.random or self.first or say("path.unlocated")
        return say("path.see_above") if self.first or self.random else say("path.unlocated")


def _grads(rec: Recorded, name: str) -> dict[str, np.ndarray | None] | None:
    vae = _settings()
    if name not in rec.done or rec.notes.get(f"failed:{name}"):
        return None
    return vae.learner_grads(rec, vae.BY_NAME[name])


def finite(grads: dict[str, np.ndarray | None]) -> bool:
    return all(g is None or np.all(np.isfinite(g)) for g in grads.values())


def _first_stage(per_setting: list[list[Step]]) -> tuple[str, list[Step]] | None:
    """The first stage (backward order) that differs in any setting, and its steps."""
    order: list[str] = []
    for ss in per_setting:
        for st in ss:
            if st.stage not in order:
                order.append(st.stage)
    for stage in order:
        analysed = [st for ss in per_setting for st in ss if st.stage == stage]
        if any(not st.ok for st in analysed):
            return stage, analysed
    return None


def _all_zero(analysed: list[Step], layer: str, stage: str) -> bool:
    """Whether the learner's gradient into ``layer`` is zero in every setting (where the
    library's is not): its backward never ran."""
    if not analysed:
        return False
    index = {"encoder.mu": 0, "encoder.logvar": 1}.get(layer) if stage == "heads" else None
    for st in analysed:
        got = st.got[index] if index is not None else st.got
        right = st.right[index] if index is not None else st.right
        if np.any(got) or not np.any(right):
            return False
    return True


def _stage_layers(stage: str) -> tuple[str, ...]:
    return ("encoder.mu", "encoder.logvar") if stage == "heads" else (stage,)


def _kept(rec: Recorded) -> str:
    """When the first call is right and the second (on the same model) is not: whether
    backward adds the first call's gradients in, or keeps them."""
    vae = _settings()
    main, again = _grads(rec, "main"), _grads(rec, "again")
    if main is None or again is None:
        return ""
    want_main = vae.library_grads(vae.BY_NAME["main"])[0]
    want_again = vae.library_grads(vae.BY_NAME["again"])[0]
    if not all(close(main[k], w) for k, w in want_main.items()):
        return ""
    if all(close(again[k], want_main[k] + w) for k, w in want_again.items()):
        return say("vae.accumulates")
    if all(close(again[k], want_main[k]) for k in want_again):
        return say("vae.stale")
    return ""


def diagnose(rec: Recorded) -> Diagnosis:
    vae = _settings()
    d = Diagnosis()
    kept = _kept(rec)
    if kept:
        d.kept = kept
        return d
    again, repeat = _grads(rec, "again"), _grads(rec, "repeat")
    if again and repeat and any(
            a is not None and b is not None and not np.array_equal(a, b)
            for a, b in zip(again.values(), repeat.values())):
        d.random = say("path.random")
    per_setting, nonfinite = [], []
    for name in DIAGNOSED:
        grads = _grads(rec, name)
        if grads is not None and not finite(grads):
            nonfinite.append(trace(name).describe())
        elif grads is not None:
            per_setting.append(steps(trace(name), grads))
    first = _first_stage(per_setting)
    if first:
        stage, analysed = first
        d.first = stage_hint(stage, analysed, (7,))
        if nonfinite:
            d.first += " " + say("path.nonfinite", settings="; ".join(nonfinite))
        d.first_layers = _stage_layers(stage)
        d.layers_ok = {layer for ss in per_setting for st in ss if st.ok
                       for layer in _stage_layers(st.stage)}
    elif nonfinite:
        d.first = say("path.nonfinite", settings="; ".join(nonfinite))
    deep = _grads(rec, "deep")
    if deep is not None and finite(deep):
        found = _first_stage([steps(trace("deep"), deep)])
        if found:
            d.by_setting["deep"] = stage_hint(found[0], found[1], vae.BY_NAME["deep"].hidden)
            if not first:
                d.by_setting["deep"] += " " + say("vae.every_layer")
    return d
