"""Exercise 2, ``ReLU.backward``: dx against central differences of y = max(x, 0), with x
kept away from the kink; then the same call twice, a second call on another shape, the
value at x = 0 exactly (0: the mask x > 0), and float32."""

from __future__ import annotations

import numpy as np

from .. import layers
from ..gradcheck import BOUND_PIECEWISE
from .contracts import activation_stages, grade_activation
from .exercise import (
    OK,
    WRONG,
    Exercise,
    Part,
    Recorded,
    Recorder,
    Row,
    Stage,
    module_round,
)
from .messages import say

SEED = 1

#: ReLU at x = 0 exactly: the gradient there is 0 (the mask x > 0).
ZERO_X = np.array([[-1.0, 0.0, 2.0], [0.0, 3.0, -0.5]])
ZERO_DOUT = np.array([[1.5, 2.0, -1.0], [-3.0, 0.5, 4.0]])


def away_from_zero(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """|x| >= 0.1: a finite-difference step never crosses ReLU's kink."""
    return rng.uniform(0.1, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def _at_zero(cls, rec: Recorder, state: dict) -> None:
    module_round(rec, "zero.", cls(), {"x": ZERO_X}, ("dout", ZERO_DOUT), ("dx",))


def mistakes(i: dict, want: dict) -> list:
    """The typical mistakes: (the array each one gives, its hint)."""
    x, dout = i["x"], i["dout"]
    return [
        (dout * (x < 0), say("relu.wrong_side")),
        (dout, say("relu.everywhere")),
        (np.maximum(dout, 0), say("relu.of_dout")),
        (dout * np.maximum(x, 0), say("relu.times_output")),
        (dout * x, say("relu.times_x")),
        ((x > 0) * 1.0, say("relu.local_only")),
    ]


def _zero_row(rec: Recorded) -> Row | None:
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


def grade(rec: Recorded) -> list[Row]:
    return grade_activation(rec, RELU, "ReLU", layers.ReLU, SEED, away_from_zero, BOUND_PIECEWISE,
                            "ReLU  forward y = max(x, 0)", mistakes, (_zero_row,))


RELU = Part(name="ReLU", label="ReLU.backward", solution=layers.ReLU,
            where="numpyvae/layers.py, ReLU.backward",
            stages=activation_stages(SEED, away_from_zero,
                                     (Stage("zero", _at_zero, "stage.zero"),)),
            grade=grade)

EXERCISE = Exercise(2, "relu", "title.relu", (RELU,))
