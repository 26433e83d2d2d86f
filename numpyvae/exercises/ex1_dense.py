"""Exercise 1, ``Dense.backward``: dx, dW, db against central differences of y = x W + b,
then the same call twice, a second call on another batch (no gradient kept or added
across calls), the gradients written into the layer's own ``grads`` (the model's
buffer), and float32; a matrix product's shape error says which transpose is missing."""

from __future__ import annotations

import re

import numpy as np

from .. import layers
from ..fast.flat import ParamSlots
from ..gradcheck import BOUND_PIECEWISE, numerical_vjp
from .contracts import REPEAT, failed_at, finish, float32_contract, repeat_contract
from .exercise import (
    WRONG,
    Exercise,
    Part,
    Recorded,
    Recorder,
    Row,
    Slots,
    Stage,
    module_round,
)
from .grading import (
    again_row,
    changed_in_place,
    failure_row,
    forward_row,
    generic,
    gradient_row,
)
from .messages import say

IN, OUT, N, N2 = 5, 4, 3, 2


def inputs() -> dict[str, np.ndarray]:
    """The check's arrays (the same in the child and the parent: fixed seeds)."""
    rng = np.random.default_rng(0)
    return {"W": rng.normal(size=(IN, OUT)), "b": rng.normal(size=OUT),
            "x": rng.normal(size=(N, IN)), "dout": rng.normal(size=(N, OUT)),
            "x2": rng.normal(size=(N2, IN)), "dout2": rng.normal(size=(N2, OUT)),
            "x32": rng.normal(size=(N, IN)).astype(np.float32),
            "dout32": rng.normal(size=(N, OUT)).astype(np.float32)}


def _layer(cls: type, i: dict, dtype: type) -> object:
    """The learner's Dense holding the check's weights, its ``params`` and ``grads`` in
    slots as a model holds them (an assignment copies into the slot's array)."""
    layer = cls(IN, OUT, np.random.default_rng(0), dtype=dtype)
    layer.params = ParamSlots({"W": i["W"].astype(dtype), "b": i["b"].astype(dtype)})
    layer.grads = Slots({k: np.zeros_like(w) for k, w in layer.params.items()})
    return layer


def _main(cls: type, rec: Recorder, state: dict) -> None:
    i = inputs()
    layer = state["layer"] = _layer(cls, i, np.float64)
    state["dout"] = i["dout"]
    slots = layer.grads
    module_round(rec, "main.", layer, {"x": i["x"]}, ("dout", i["dout"]), ("dx",))
    rec.note("main.rebound", layer.grads is not slots)
    state["slots"] = slots


def _again(cls: type, rec: Recorder, state: dict) -> None:
    i, layer, slots = inputs(), state["layer"], state["slots"]
    module_round(rec, "again.", layer, {"x": i["x2"]}, ("dout", i["dout2"]), ("dx",))
    for k in ("W", "b"):  # what the model reads: its own buffer
        rec.put(f"again.slot.d{k}", slots[k])


def _float32(cls: type, rec: Recorder, state: dict) -> None:
    i = inputs()
    layer = _layer(cls, i, np.float32)
    module_round(rec, "float32.", layer, {"x": i["x32"]}, ("dout", i["dout32"]), ("dx",))


def reference(x: np.ndarray, dout: np.ndarray, i: dict) -> dict[str, np.ndarray]:
    """The library's forward and gradients for a batch."""
    layer = layers.Dense(IN, OUT, np.random.default_rng(0), dtype=np.float64)
    layer.params["W"][...] = i["W"]
    layer.params["b"][...] = i["b"]
    y = layer.forward(x)
    dx = layer.backward(dout)
    return {"forward": y, "dx": dx, "dW": layer.grads["W"].copy(), "db": layer.grads["b"].copy()}


def _numeric(i: dict) -> dict[str, np.ndarray]:
    """Central differences of the lecture's y = x W + b, as vector-Jacobian products."""
    layer = layers.Dense(IN, OUT, np.random.default_rng(0), dtype=np.float64)
    layer.params["W"][...] = i["W"]
    layer.params["b"][...] = i["b"]
    x = i["x"].copy()
    f = lambda: layer.forward(x)
    return {"dx": numerical_vjp(f, x, i["dout"]),
            "dW": numerical_vjp(f, layer.params["W"], i["dout"]),
            "db": numerical_vjp(f, layer.params["b"], i["dout"])}


def never_written(key: str) -> str:
    return say("dense.never_written", k=repr(key[1:]), key=key)


def mistakes(want: dict) -> dict[str, list]:
    """The typical mistakes, by gradient: (the array each one gives, its hint)."""
    return {
        "dW": [(np.zeros_like(want["dW"]), never_written("dW"))],
        "db": [(np.zeros_like(want["db"]), never_written("db")),
               (want["db"] / N, say("dense.db_mean"))],
    }


def _shape_hint(key: str, got: np.ndarray) -> str | None:
    shape = got.shape
    if key == "dW" and shape == (OUT, IN):
        return say("dense.dW_transposed", shape=(IN, OUT))
    if key == "db" and shape == (N, OUT):
        return say("dense.db_not_summed", out=OUT)
    if key == "db" and shape == (1, OUT):
        return say("dense.db_keepdims", out=OUT)
    if key == "db" and shape == (N,):
        return say("dense.db_axis1")
    if key == "dx" and shape == (N, OUT):
        return say("dense.dx_shape_of_dout")
    if key == "dx" and shape == (IN, N):
        return say("dense.dx_transposed")
    return None


_W = r"""(?:self\.params\[["']W["']\]|\bW\b)"""
_X = r"(?:self\.x|\bx\b)"


def error_hint(f: dict) -> str | None:
    """Which transpose a matrix product of Dense.backward is missing (from its line)."""
    message, line = f.get("message", ""), f.get("line", "")
    if f.get("type") != "ValueError" or not ("matmul" in message or "aligned" in message):
        return None
    dx = say("dense.dx_product", n=N, out=OUT, inn=IN, a=(N, OUT), b=(OUT, IN), c=(N, IN))
    dw = say("dense.dW_product", n=N, out=OUT, inn=IN, a=(IN, N), b=(N, OUT), c=(IN, OUT))
    code = re.sub(r"""grads\[["'][Wb]["']\]""", "", line.replace(" ", ""))
    code = re.sub(r"""^(return|[\w.\[\]"']+[-+*/@]?=(?!=))""", "", code)  # the right side
    if "dout" in code and re.search(_W, code):
        key = "dense.needs_WT" if not re.search(_W + r"\.T", code) else "dense.WT_order"
        return say(key, dx=dx)
    if "dout" in code and re.search(_X, code):
        key = "dense.needs_xT" if not re.search(_X + r"\.T", code) else "dense.xT_order"
        return say(key, dw=dw)
    return say("dense.both_products", dx=dx, dw=dw)


def grade(rec: Recorded) -> list[Row]:
    if failed_at(rec, "main"):
        return [failure_row(rec, DENSE, DENSE.label)]
    i = inputs()
    want, numeric = reference(i["x"], i["dout"], i), _numeric(i)
    typical = mistakes(want)
    rows = []
    for key, of in (("dx", "x"), ("dW", "W"), ("db", "b")):
        candidates = typical.get(key, []) + generic(want[key], N)
        rows.append(gradient_row(f"Dense  dL/d{of}", rec, f"main.{key}", of, numeric[key],
                                 want[key], BOUND_PIECEWISE, candidates,
                                 lambda got, key=key: _shape_hint(key, got)))
    fwd = forward_row(say("dense.forward_row"), rec, "main.forward", want["forward"], [])
    rows += [fwd] if fwd else []
    if rec.notes.get("main.rebound"):
        rows.append(Row(say("dense.own_grads_row"), say("row.rebound"), "-", WRONG,
                        say("dense.rebound")))
    changed = changed_in_place(rec, "main.", {"x": i["x"], "dout": i["dout"]})

    def again() -> Row | None:
        if "again" not in rec.done:
            return None
        now = reference(i["x2"], i["dout2"], i)
        got = {"dx": rec.get("again.dx"), "dW": rec.get("again.slot.dW"),
               "db": rec.get("again.slot.db")}
        return again_row(say("row.again", part="Dense", n=N2), got,
                         {k: now[k] for k in got}, {k: want[k] for k in got},
                         BOUND_PIECEWISE, DENSE.label)

    float32 = float32_contract(rec, "Dense", DENSE.label,
                               ["float32.dx", "float32.dW", "float32.db"])
    repeat = repeat_contract(rec, "Dense", DENSE.label, ["dx", "dW", "db"])
    return finish(DENSE, "Dense", rec, rows, changed, "dout", [repeat, again, float32])


DENSE = Part(
    name="Dense", label="Dense.backward", solution=layers.Dense,
    where="numpyvae/layers.py, Dense.backward",
    stages=(Stage("main", _main), REPEAT, Stage("again", _again, "stage.again"),
            Stage("float32", _float32, "stage.float32")),
    grade=grade, error_hint=error_hint,
    shapes=f"x {(N, IN)}, W {(IN, OUT)}, b {(OUT,)}, dout {(N, OUT)}",
)

EXERCISE = Exercise(1, "dense", "title.dense", (DENSE,))
