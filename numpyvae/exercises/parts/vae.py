"""Exercise 7, ``VAE.backward``: the settings it runs in, what they record, and its rows.

The learner's VAE runs forward and backward in several settings (:data:`SETTINGS`), on
one model with one hidden layer and one with two. The first is graded layer by layer
against central differences of the model's loss (eps fixed); the others against the
library's own backward in the same setting, as contracts: a second call on another
batch size (nothing kept or added across calls), two hidden layers, and settings that
switch paths off (N = 1, beta = 0, eps = 0, beta = 1, the same call twice). Beside
``model.grads`` the check reads what backward RETURNS: ``fit`` hands that to Adam, so it
must be the model's gradients, by name and shape, with this call's values.

The settings are ``vae_settings.py``'s; when one is wrong, ``vae_paths.py`` says where
and, when it can, what.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ...gradcheck import BOUND_MODEL, rel_error
from ...model import VAE
from ..exercise import Part, Stage
from ..grading import error_text, failure_row
from ..language import say
from ..probes import Recorded, Recorder, describe, give
from ..report import ERROR, OK, WRONG, Row
from . import vae_paths
from .common import failed_at
from .vae_settings import (
    BY_NAME,
    OTHERS,
    SETTINGS,
    Setting,
    batch,
    config,
    layers_of,
    learner_grads,
    library_grads,
    numeric_grads,
    params,
)


def _model(cls: type, hidden: tuple[int, ...], state: dict) -> object:
    """The learner's VAE with the check's weights (one per depth, kept across settings)."""
    if hidden not in state:
        model = cls(config(hidden))
        for k, w in params(hidden).items():
            model.params[k] = w
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
    worst = 0.0
    for k in keys:
        g = got.get(k)
        if g is None or g.shape != want[k].shape:
            return float("inf")
        with np.errstate(all="ignore"):
            worst = max(worst, rel_error(g, want[k]))
    return worst if np.isfinite(worst) else float("inf")


def _layer_rows(rec: Recorded, diagnosis: vae_paths.Diagnosis) -> list[Row]:
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
        grads, want = learner_grads(rec, s), library_grads(s)[0]
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
                 diagnosis: vae_paths.Diagnosis, main_ok: bool) -> Row | None:
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
        want = library_grads(s)[0]
        worst = max(worst, _error(learner_grads(rec, s), want, want))
    if worst < BOUND_MODEL:
        return Row(label, f"{worst:.1e}", b, OK)
    text = "shape" if worst == float("inf") else f"{worst:.1e}"
    return Row(label, text, b, WRONG, diagnosis.hint_for_settings(names, main_ok))


def grade(rec: Recorded) -> list[Row]:
    part = VAE_BACKWARD
    if failed_at(rec, "main"):
        return [failure_row(rec, part, part.label)]
    diagnosis = vae_paths.diagnose(rec)
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
