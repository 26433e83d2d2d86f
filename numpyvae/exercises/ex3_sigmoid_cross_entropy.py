"""Exercise 3: ``Sigmoid.backward`` and ``bernoulli_nll_grad`` (Eq. (9)), each against
central differences of the lecture's forward; then the same call twice (Sigmoid), a
second call on another shape, saturated logits (the gradient stays finite), float32.
``bernoulli_nll`` returns what numpyvae's losses return, ``(nll, {"logits": dlogits})``."""

from __future__ import annotations

import numpy as np

from .. import layers, losses
from ..gradcheck import BOUND_SMOOTH, numerical_gradient
from .contracts import (
    activation_stages,
    finish,
    first_call_failed,
    float32_contract,
    grade_activation,
)
from .exercise import (
    OK,
    WRONG,
    Exercise,
    Part,
    Recorded,
    Recorder,
    Row,
    Stage,
    loss_round,
)
from .grading import again_row, changed_in_place, forward_row, generic, gradient_row
from .messages import say

SIGMOID_SEED = 3


# ---- exercise 3, part A: Sigmoid ----------------------------------------------------------


def sigmoid_mistakes(i: dict, want: dict) -> list:
    """The typical mistakes: (the array each one gives, its hint)."""
    x, dout, p = i["x"], i["dout"], layers.sigmoid(i["x"])
    twice = layers.sigmoid(p)
    return [
        (dout * p, say("sigmoid.no_1_minus_p")),
        (dout * (1 - p), say("sigmoid.no_p")),
        (p * (1 - p), say("sigmoid.local_only")),
        (dout * x * (1 - x), say("sigmoid.x_for_p")),
        (dout * twice * (1 - twice), say("sigmoid.twice")),
    ]


def _sigmoid_grade(rec: Recorded) -> list[Row]:
    return grade_activation(rec, SIGMOID, "Sigmoid", layers.Sigmoid, SIGMOID_SEED, None,
                            BOUND_SMOOTH, "Sigmoid  forward p = sigmoid(x), Eq. (3)",
                            sigmoid_mistakes)


SIGMOID = Part(name="Sigmoid", label="Sigmoid.backward", solution=layers.Sigmoid,
               where="numpyvae/layers.py, Sigmoid.backward",
               stages=activation_stages(SIGMOID_SEED), grade=_sigmoid_grade)


# ---- exercise 3, part B: the cross entropy's gradient, Eq. (9) -----------------------------


def bce_inputs() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(6)
    return {"logits": 3 * rng.normal(size=(3, 5)), "x": rng.uniform(size=(3, 5)),
            "logits2": 3 * rng.normal(size=(2, 4)), "x2": rng.uniform(size=(2, 4)),
            "logits32": rng.normal(size=(3, 5)).astype(np.float32),
            "x32": rng.uniform(size=(3, 5)).astype(np.float32)}


#: Logits a trained decoder reaches (a saturated sigmoid): the gradient must stay finite.
LARGE_LOGITS = np.array([[-800.0, -40.0, -5.0, 0.0, 5.0, 40.0, 800.0]] * 2)
LARGE_X = np.array([[0.0, 1.0, 0.3, 0.5, 0.7, 0.0, 1.0], [1.0, 0.0, 0.5, 0.2, 1.0, 1.0, 0.0]])


def _bce_round(fn, rec: Recorder, prefix: str, logits: np.ndarray, x: np.ndarray) -> None:
    """One call of the learner's bernoulli_nll: ``(nll, {"logits": dlogits})`` expected."""
    loss_round(rec, prefix, fn, {"logits": logits, "x": x}, ("logits",))


def _bce_stages() -> tuple[Stage, ...]:
    def main(fn, rec, state):
        i = bce_inputs()
        _bce_round(fn, rec, "main.", i["logits"], i["x"])

    def again(fn, rec, state):
        i = bce_inputs()
        _bce_round(fn, rec, "again.", i["logits2"], i["x2"])

    def float32(fn, rec, state):
        i = bce_inputs()
        _bce_round(fn, rec, "float32.", i["logits32"], i["x32"])

    def large(fn, rec, state):
        with np.errstate(all="ignore"):  # an overflow is what this stage looks for
            _bce_round(fn, rec, "large.", LARGE_LOGITS, LARGE_X)

    return (Stage("main", main), Stage("again", again, "stage.again_shape"),
            Stage("large", large, "stage.large"), Stage("float32", float32, "stage.float32"))


def _large_row(rec: Recorded) -> Row | None:
    """Saturated logits: the gradient is p - x, finite, whatever the size of the logits."""
    if "large" not in rec.done:
        return None
    name, got = say("bce.large_row"), rec.get("large.dlogits")
    want = losses.bernoulli_nll(LARGE_LOGITS, LARGE_X)[1]["logits"]
    if got is None or got.shape != want.shape:
        return Row(name, "shape", "-", WRONG, say("explain.shape", got=rec.kind("large.dlogits"),
                                                  want=want.shape))
    if np.all(np.isfinite(got)) and np.allclose(got, want, rtol=1e-9, atol=1e-12):
        return Row(name, "finite", "-", OK)
    return Row(name, "nan/inf" if not np.all(np.isfinite(got)) else "differs", "-", WRONG,
               say("bce.overflow"))


def bce_mistakes(i: dict, want: dict) -> list:
    """The typical mistakes: (the array each one gives, its hint)."""
    logits, x = i["logits"], i["x"]
    p = layers.sigmoid(logits)
    return [
        (x - p, say("bce.sign")),
        (p * (1 - p) * (p - x), say("bce.sigmoid_again")),
        ((p - x) / (p * (1 - p)), say("bce.dL_dp")),
        (logits - x, say("bce.logits_for_p")),
        (p, say("bce.no_x")),
        (p - 1, say("bce.one_for_x")),
        (layers.sigmoid(p) - x, say("bce.sigmoid_twice")),
        (want["dlogits"] / x.shape[1], say("bce.mean_pixels")),
        (want["dlogits"] / x.size, say("bce.mean_all")),
    ]


def _bce_grade(rec: Recorded) -> list[Row]:
    part = BERNOULLI_NLL
    failed = first_call_failed(rec, part, '{"logits": dlogits}')
    if failed:
        return failed
    i = bce_inputs()
    nll, grads = losses.bernoulli_nll(i["logits"], i["x"])
    dlogits = grads["logits"]
    want = {"forward": nll, "dlogits": dlogits}
    logits = i["logits"].copy()
    numeric = numerical_gradient(lambda: np.sum(losses.bernoulli_nll(logits, i["x"])[0]), logits)
    candidates = bce_mistakes(i, want) + generic(dlogits, 3, "columns.pixels")
    rows = [gradient_row("bernoulli_nll  dlogits", rec, "main.dlogits", "logits", numeric,
                         dlogits, BOUND_SMOOTH, candidates)]
    fwd = forward_row("bernoulli_nll  value, Eq. (4)", rec, "main.forward", nll, [])
    rows += [fwd] if fwd else []
    changed = changed_in_place(rec, "main.", {"logits": i["logits"], "x": i["x"]})

    def again() -> Row | None:
        if "again" not in rec.done:
            return None
        return again_row(say("row.again_shape", part="bernoulli_nll", shape=(2, 4)),
                         {"dlogits": rec.get("again.dlogits")},
                         {"dlogits": losses.bernoulli_nll(i["logits2"], i["x2"])[1]["logits"]},
                         {},
                         BOUND_SMOOTH, part.label)

    contracts = [again, lambda: _large_row(rec),
                 float32_contract(rec, "bernoulli_nll", part.label, ["float32.dlogits"])]
    return finish(part, "bernoulli_nll", rec, rows, changed, "", contracts)


BERNOULLI_NLL = Part(
    name="bernoulli_nll", label="bernoulli_nll_grad", solution=losses.bernoulli_nll,
    where="numpyvae/losses.py, bernoulli_nll", stages=_bce_stages(), grade=_bce_grade,
)

EXERCISE = Exercise(3, "sigmoid_cross_entropy", "title.sigmoid", (SIGMOID, BERNOULLI_NLL))
