"""Exercise 7, ``VAE.backward``: the settings it runs in, what they record, and its rows.

The learner's VAE runs in several settings (:data:`SETTINGS`, from fixed seeds). The first
is graded layer by layer against central differences of the model's loss (eps fixed);
the others against the library's backward, as contracts: a second call on another batch
(nothing kept or added), two hidden layers, settings that switch paths off (N = 1,
beta = 0, eps = 0, beta = 1, the same call twice). What backward RETURNS is read too: it
goes to Adam in ``fit``. ``ex7_diagnosis.py`` says where a wrong one differs, and what.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import numpy as np

from ..config import VAEConfig
from ..gradcheck import BOUND_MODEL, numerical_gradient, rel_error
from ..layers import sigmoid
from ..model import VAE
from .contracts import failed_at
from .ex7_chain import CONFIG_BETA, Trace, layers_of, read_layers
from .ex7_diagnosis import DIAGNOSED, Diagnosis, diagnose
from .exercise import (
    ERROR,
    OK,
    WRONG,
    Exercise,
    Part,
    Recorded,
    Recorder,
    Row,
    Stage,
    describe,
    give,
)
from .grading import error_text, failure_row
from .messages import say

INPUT, LATENT = 6, 3


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


def _frozen(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Copies that cannot be written to: what the cached functions below share."""
    out = {k: np.array(a, copy=True) for k, a in arrays.items()}
    for a in out.values():
        a.setflags(write=False)
    return out


@cache
def params(hidden: tuple[int, ...]) -> dict[str, np.ndarray]:
    """The check's weights: the library's initial ones, with positive biases (few ReLU units
    sit near their kink, where finite differences would fail). Read-only."""
    model = VAE(config(hidden))
    rng = np.random.default_rng(112)
    for name, w in model.params.items():
        if name.endswith(".b"):
            w[...] = rng.uniform(0.05, 0.3, size=w.shape)
    return _frozen(model.params)


def batch(s: Setting) -> tuple[np.ndarray, np.ndarray]:
    """(x, eps) of a setting."""
    rng = np.random.default_rng(200 + s.seed)
    x, eps = rng.uniform(size=(s.n, INPUT)), rng.standard_normal((s.n, LATENT))
    return x, (np.zeros_like(eps) if s.eps == "zero" else eps)


def _library_vae(hidden: tuple[int, ...]) -> VAE:
    model = VAE(config(hidden))
    for k, w in params(hidden).items():
        model.params[k] = w
    return model


@cache
def library_grads(s: Setting) -> dict[str, np.ndarray]:
    """The library's gradients in setting ``s`` (read-only)."""
    model, (x, eps) = _library_vae(s.hidden), batch(s)
    model.forward(x, eps=eps, beta=s.beta)
    return _frozen(model.backward())


@cache
def numeric_grads(s: Setting) -> dict[str, np.ndarray]:
    """Central differences of the model's loss, Eq. (6), eps fixed (read-only)."""
    model, (x, eps) = _library_vae(s.hidden), batch(s)
    loss = lambda: model.forward(x, eps=eps, beta=s.beta, check=False).loss
    return _frozen({k: numerical_gradient(loss, w) for k, w in model.params.items()})


def learner_grads(rec: Recorded, s: Setting) -> dict[str, np.ndarray | None]:
    """The learner's gradients in setting ``s``, as recorded (None where none was)."""
    return {k: rec.get(f"{s.name}.grads.{k}") for k in params(s.hidden)}


def trace(s: Setting) -> Trace:
    """The library's forward in setting ``s`` and its gradients, as the diagnosis reads them."""
    model, (x, eps) = _library_vae(s.hidden), batch(s)
    r = model.forward(x, eps=eps, beta=s.beta)
    return read_layers(Trace(s.name, s.hidden, s.n, s.beta, s.eps == "zero", x, eps, r.mu,
                             r.logvar, sigmoid(r.logits), want=library_grads(s)), model)


def _diagnose(rec: Recorded) -> Diagnosis:
    """``ex7_diagnosis.diagnose`` on the learner's gradients of every setting that ran."""
    names = (*DIAGNOSED, "deep")
    got = {n: learner_grads(rec, BY_NAME[n]) if n in rec.done and not rec.notes.get(f"failed:{n}")
           else None for n in names}
    return diagnose({n: trace(BY_NAME[n]) for n in names}, got)


def _model(cls: type, hidden: tuple[int, ...], state: dict) -> object:
    """The learner's VAE with the check's weights (one per depth, kept across settings)."""
    if hidden not in state:
        model = cls(config(hidden))
        for k, w in params(hidden).items():
            model.params[k] = w.copy()
        state[hidden] = (model, model.grads)
    return state[hidden][0]


def _run(s: Setting):
    def run(cls: type, rec: Recorder, state: dict) -> None:
        model = _model(cls, s.hidden, state)
        x, eps = batch(s)
        result = model.forward(give(x), eps=give(eps), beta=s.beta)
        rec.put(f"{s.name}.loss", getattr(result, "loss", None))
        returned = model.backward()
        grads = model.grads
        rec.note(f"{s.name}.own_grads", grads is state[s.hidden][1])
        for k in model.params:
            rec.put(f"{s.name}.grads.{k}", grads.get(k) if isinstance(grads, Mapping) else None)
        if isinstance(returned, Mapping):
            rec.note(f"{s.name}.returned", [str(k) for k in returned])
            for k, v in returned.items():
                rec.put(f"{s.name}.ret.{k}", v)
        else:
            rec.note(f"{s.name}.returned", describe(returned))
    return run


def _error(got: dict, want: dict, keys) -> float:
    """The largest rel error of ``got`` over ``keys``; inf for a missing or misshapen one."""
    if any(got.get(k) is None or got[k].shape != want[k].shape for k in keys):
        return float("inf")
    with np.errstate(all="ignore"):
        worst = max((rel_error(got[k], want[k]) for k in keys), default=0.0)
    return worst if np.isfinite(worst) else float("inf")


def _layer_rows(rec: Recorded, diagnosis: Diagnosis) -> list[Row]:
    s = BY_NAME["main"]
    got, numeric = learner_grads(rec, s), numeric_grads(s)
    rows, b = [], f"{BOUND_MODEL:.0e}"
    for layer in layers_of(s.hidden):
        keys = [f"{layer}.W", f"{layer}.b"]
        error = _error(got, numeric, keys)
        text = "shape" if error == float("inf") else f"{error:.1e}"
        if error < BOUND_MODEL:
            rows.append(Row(f"VAE  {layer}  dW, db", text, b, OK))
        else:
            rows.append(Row(f"VAE  {layer}  dW, db", text, b, WRONG, diagnosis.hint_for(layer)))
    return rows


def _returned_row(rec: Recorded) -> Row:
    """What backward returns is the model's gradients: names, shapes, this call's values."""
    name = say("vae.returns_row")
    for s in (BY_NAME["main"], BY_NAME["again"]):
        if s.name not in rec.done:
            continue
        returned = rec.notes.get(f"{s.name}.returned")
        names = list(params(s.hidden))
        if not isinstance(returned, list):
            return Row(name, str(returned), "-", WRONG, say("vae.returns_not_mapping",
                                                             got=returned))
        missing, extra = sorted(set(names) - set(returned)), sorted(set(returned) - set(names))
        if missing:
            return Row(name, "names", "-", WRONG, say("vae.returns_names", missing=missing[:3],
                                                       extra=extra[:3]))
        grads, want = learner_grads(rec, s), library_grads(s)
        for k in names:
            r = rec.get(f"{s.name}.ret.{k}")
            if r is None or r.shape != want[k].shape:
                return Row(name, "shape", "-", WRONG, say("vae.returns_shape", k=k,
                                                          got=rec.kind(f"{s.name}.ret.{k}"),
                                                          want=want[k].shape))
            if grads[k] is not None and not np.array_equal(r, grads[k]):
                key = "vae.returns_stale" if s.name == "again" else "vae.returns_other"
                return Row(name, "values", "-", WRONG, say(key, k=k))
    return Row(name, "-", "-", OK)


def _setting_row(rec: Recorded, names: tuple[str, ...], label: str,
                 diagnosis: Diagnosis, main_ok: bool) -> Row | None:
    """One row for some settings against the library's backward: ok, wrong (with where),
    or an error (what the learner's code raised in the first that raised)."""
    worst, b = 0.0, f"{BOUND_MODEL:.0e}"
    for n in names:
        s = BY_NAME[n]
        failed = rec.notes.get(f"failed:{n}")
        if failed:
            text = say("error.in_stage", stage=say(s.label)) + "\n" + error_text(failed)
            hint = error_hint(failed)
            if n == "deep" and main_ok:
                text += "\n" + say("vae.every_layer")
            elif hint:
                text += "\n" + hint
            return Row(label, "-", "-", ERROR, text)
        if n not in rec.done:
            return None
        want = library_grads(s)
        worst = max(worst, _error(learner_grads(rec, s), want, want))
    if worst < BOUND_MODEL:
        return Row(label, f"{worst:.1e}", b, OK)
    text = "shape" if worst == float("inf") else f"{worst:.1e}"
    return Row(label, text, b, WRONG, diagnosis.hint_for_settings(names, main_ok))


def grade(rec: Recorded) -> list[Row]:
    part = VAE_BACKWARD
    if failed_at(rec, "main"):
        return [failure_row(rec, part, part.label)]
    diagnosis = _diagnose(rec)
    rows = _layer_rows(rec, diagnosis)
    if not rec.notes.get("main.own_grads", True):
        rows.append(Row(say("vae.own_grads_row"), say("row.rebound"), "-", WRONG,
                        say("vae.rebound_grads")))
    main_ok = all(r.verdict == OK for r in rows)
    rows.append(_returned_row(rec))
    for names, label in ((("again",), say("row.again", part="VAE", n=BY_NAME["again"].n)),
                         (("deep",), say("vae.deep_row")),
                         (OTHERS, say("vae.others_row"))):
        row = _setting_row(rec, names, label, diagnosis, main_ok)
        if row is not None:
            rows.append(row)
    return rows


def error_hint(f: dict) -> str | None:
    """A hand-written step gave a layer an array it does not fit, or None."""
    message = f.get("message", "")
    if f.get("type") == "ValueError" and any(w in message for w in ("broadcast", "matmul",
                                                                      "shape")):
        return say("vae.shape_error")
    if f.get("type") == "TypeError" and "NoneType" in message:
        return say("vae.none_error")
    return None


VAE_BACKWARD = Part(
    name="VAE", label="VAE.backward", solution=VAE,
    where="numpyvae/model.py, VAE.backward",
    stages=tuple(Stage(s.name, _run(s), s.label, optional=s.name != "main")
                 for s in SETTINGS),
    grade=grade, error_hint=error_hint,
)

EXERCISE = Exercise(7, "vae_backward", "title.vae_backward", (VAE_BACKWARD,))
