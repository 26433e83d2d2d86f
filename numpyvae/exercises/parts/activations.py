"""Exercises 2 and 3: ``ReLU.backward``, ``Sigmoid.backward`` and ``bernoulli_nll_grad``
(Eq. (9)), each against central differences of the lecture's forward, then a second call
on another shape, float32, and (ReLU) the value at x = 0 exactly."""

from __future__ import annotations

import numpy as np

from ... import layers, losses
from ...gradcheck import (
    BOUND_PIECEWISE,
    BOUND_SMOOTH,
    numerical_gradient,
    numerical_vjp,
)
from ..exercise import Part, Stage
from ..grading import (
    again_row,
    changed_in_place,
    forward_row,
    generic,
    gradient_row,
)
from ..language import say
from ..probes import Recorded, Recorder, give, module_round
from ..report import OK, WRONG, Row
from .common import REPEAT, finish, first_call_failed, float32_contract, repeat_contract


def away_from_zero(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """|x| >= 0.1: a finite-difference step never crosses ReLU's kink."""
    return rng.uniform(0.1, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def inputs(seed: int, first=None) -> dict[str, np.ndarray]:
    """x, dout (4, 6); x2, dout2 (3, 5); float32 ones (4, 6). ``first`` draws x."""
    rng = np.random.default_rng(seed)
    draw = first or (lambda r, shape: r.normal(size=shape))
    return {"x": draw(rng, (4, 6)), "dout": rng.normal(size=(4, 6)),
            "x2": draw(rng, (3, 5)), "dout2": rng.normal(size=(3, 5)),
            "x32": draw(rng, (4, 6)).astype(np.float32),
            "dout32": rng.normal(size=(4, 6)).astype(np.float32)}


#: ReLU at x = 0 exactly: the gradient there is 0 (the mask x > 0).
ZERO_X = np.array([[-1.0, 0.0, 2.0], [0.0, 3.0, -0.5]])
ZERO_DOUT = np.array([[1.5, 2.0, -1.0], [-3.0, 0.5, 4.0]])


def _activation_stages(seed: int, first=None, zero: bool = False) -> tuple[Stage, ...]:
    """main, again (another shape, the same layer), (ReLU: at zero,) float32."""

    def main(cls, rec: Recorder, state: dict) -> None:
        i = inputs(seed, first)
        state["layer"], state["dout"] = cls(), i["dout"]
        module_round(rec, "main.", state["layer"], {"x": i["x"]}, ("dout", i["dout"]), ("dx",))

    def again(cls, rec: Recorder, state: dict) -> None:
        i = inputs(seed, first)
        module_round(rec, "again.", state["layer"], {"x": i["x2"]}, ("dout", i["dout2"]),
                     ("dx",))

    def at_zero(cls, rec: Recorder, state: dict) -> None:
        module_round(rec, "zero.", cls(), {"x": ZERO_X}, ("dout", ZERO_DOUT), ("dx",))

    def float32(cls, rec: Recorder, state: dict) -> None:
        i = inputs(seed, first)
        module_round(rec, "float32.", cls(), {"x": i["x32"]}, ("dout", i["dout32"]), ("dx",))

    return (Stage("main", main), REPEAT, Stage("again", again, "stage.again_shape"),
            *((Stage("zero", at_zero, "stage.zero"),) if zero else ()),
            Stage("float32", float32, "stage.float32"))


def grade_activation(rec: Recorded, part: Part, name: str, lib: type, seed: int, first,
                     bound: float, forward_name: str, mistakes, extra=()) -> list[Row]:
    """The rows of an activation layer: dx, its forward, a 2nd call, ``extra``, float32."""
    failed = first_call_failed(rec, part)
    if failed:
        return failed
    i = inputs(seed, first)
    layer = lib()
    want = {"forward": layer.forward(i["x"]), "dx": layer.backward(i["dout"])}
    x = i["x"].copy()
    numeric = numerical_vjp(lambda: lib().forward(x), x, i["dout"])
    candidates = mistakes(i, want) + generic(want["dx"], len(x))
    rows = [gradient_row(f"{name}  dL/dx", rec, "main.dx", "x", numeric, want["dx"], bound,
                         candidates)]
    fwd = forward_row(forward_name, rec, "main.forward", want["forward"], [])
    rows += [fwd] if fwd else []
    changed = changed_in_place(rec, "main.", {"x": i["x"], "dout": i["dout"]})

    def again() -> Row | None:
        if "again" not in rec.done:
            return None
        other = lib()
        other.forward(i["x2"])
        return again_row(say("row.again_shape", part=name, shape=i["x2"].shape),
                         {"dx": rec.get("again.dx")}, {"dx": other.backward(i["dout2"])},
                         {}, bound, part.label)

    contracts = [repeat_contract(rec, name, part.label, ["dx"]), again,
                 *(lambda f=f: f(rec) for f in extra),
                 float32_contract(rec, name, part.label, ["float32.dx"])]
    return finish(part, name, rec, rows, changed, "dout", contracts)


# ---- exercise 2: ReLU ---------------------------------------------------------------------


def _relu_mistakes(i: dict, want: dict) -> list:
    x, dout = i["x"], i["dout"]
    return [
        (dout * (x < 0), say("relu.wrong_side")),
        (dout, say("relu.everywhere")),
        (np.maximum(dout, 0), say("relu.of_dout")),
        (dout * np.maximum(x, 0), say("relu.times_output")),
        (dout * x, say("relu.times_x")),
        ((x > 0) * 1.0, say("relu.local_only")),
    ]


def _relu_at_zero(rec: Recorded) -> Row | None:
    """At x = 0 exactly the gradient is 0: the library's convention, x > 0."""
    if "zero" not in rec.done:
        return None
    name = say("relu.zero_row")
    dx = rec.get("zero.dx")
    if dx is None or dx.shape != ZERO_X.shape:
        return Row(name, "shape", "-", WRONG, say("relu.zero_shape", got=rec.kind("zero.dx"),
                                                 want=ZERO_X.shape))
    at = ZERO_X == 0
    if np.array_equal(dx[at], np.zeros(at.sum())):
        return Row(name, "0", "-", OK)
    if np.array_equal(dx[at], ZERO_DOUT[at]):
        return Row(name, "dout", "-", WRONG, say("relu.zero_ge"))
    if np.allclose(dx[at], ZERO_DOUT[at] / 2):
        return Row(name, "dout/2", "-", WRONG, say("relu.zero_half"))
    return Row(name, "other", "-", WRONG, say("relu.zero_other"))


def _relu_grade(rec: Recorded) -> list[Row]:
    return grade_activation(rec, RELU, "ReLU", layers.ReLU, 1, away_from_zero, BOUND_PIECEWISE,
                            "ReLU  forward y = max(x, 0)", _relu_mistakes, (_relu_at_zero,))


RELU = Part(name="ReLU", label="ReLU.backward", solution=layers.ReLU,
            where="numpyvae/layers.py, ReLU.backward",
            stages=_activation_stages(1, away_from_zero, zero=True), grade=_relu_grade)


# ---- exercise 3, part A: Sigmoid ----------------------------------------------------------


def _sigmoid_mistakes(i: dict, want: dict) -> list:
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
    return grade_activation(rec, SIGMOID, "Sigmoid", layers.Sigmoid, 3, None, BOUND_SMOOTH,
                            "Sigmoid  forward p = sigmoid(x), Eq. (3)", _sigmoid_mistakes)


SIGMOID = Part(name="Sigmoid", label="Sigmoid.backward", solution=layers.Sigmoid,
               where="numpyvae/layers.py, Sigmoid.backward",
               stages=_activation_stages(3), grade=_sigmoid_grade)


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
    """One call of the learner's bernoulli_nll: ``(nll, {"logits": dlogits})``, as the
    library's losses return it, or else what it returned."""
    given_l, given_x = give(logits), give(x)
    out = fn(given_l, given_x)
    grads = out[1] if isinstance(out, (tuple, list)) and len(out) == 2 else None
    if isinstance(grads, dict) and set(grads) == {"logits"}:
        rec.put(prefix + "forward", out[0])
        rec.put(prefix + "dlogits", grads["logits"])
    else:
        rec.put(prefix + "return", out if grads is None else grads)
    rec.put(prefix + "after.logits", given_l)
    rec.put(prefix + "after.x", given_x)


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


def _bce_mistakes(i: dict, want: dict) -> list:
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
    candidates = _bce_mistakes(i, want) + generic(dlogits, 3, "columns.pixels")
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
