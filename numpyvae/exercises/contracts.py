"""What the checks of exercises 1-5 share: a layer's first call graded row by row, then
the contracts of its later calls (the same call twice, a 2nd call, float32, arrays left
unchanged), and the whole check of a layer without parameters (ReLU, Sigmoid).

Each exercise's own file holds what is its own (inputs, typical mistakes, hints); the
rows themselves are ``grading.py``'s.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..gradcheck import numerical_vjp
from .exercise import (
    ERROR,
    OK,
    WRONG,
    Part,
    Recorded,
    Recorder,
    Row,
    Stage,
    give,
    module_round,
)
from .grading import (
    again_row,
    changed_in_place,
    failure_row,
    float32_row,
    forward_row,
    generic,
    gradient_row,
    inplace_rows,
    on_copy,
)
from .messages import say


def failed_at(rec: Recorded, stage: str) -> bool:
    return rec.failure is not None and rec.failure.get("stage") == stage


def first_call_failed(rec: Recorded, part: Part, expected: str = "") -> list[Row] | None:
    """The one row of a first call that raised, or returned another structure than
    ``expected`` (e.g. '{"logits": dlogits}'); None when it can be graded."""
    if failed_at(rec, "main"):
        return [failure_row(rec, part, part.label)]
    if expected and ("kind:main.return" in rec.notes or "main.return" in rec.arrays):
        return [Row(part.label, "-", "-", ERROR, say("interface.returns", label=part.label,
                                                    expected=expected,
                                                    got=rec.kind("main.return")))]
    return None


def finish(part: Part, name: str, rec: Recorded, rows: list[Row], changed: list[str],
           upstream: str, contracts: list) -> list[Row]:
    """The rows of a part: its first call's ``rows`` (each on a copy of ``upstream`` when that
    was ``changed`` in place) and the in-place rows; when all of them are ok, the rows of
    ``contracts`` (one function of no argument per recorded stage, None to skip)."""
    if upstream in changed:
        rows = on_copy(rows, part.label, upstream, name)
    rows = rows + inplace_rows(name, part.label, changed, upstream)
    if any(r.verdict != OK for r in rows):
        return rows
    for contract in contracts:
        row = contract()
        if row is not None:
            rows.append(row)
    if rec.failure is not None:
        rows.append(failure_row(rec, part, part.label))
    return rows


def after_forward(row: Row) -> Row:
    """A gradient row when the (given) forward was changed: say so first."""
    if row.verdict == OK:
        return row
    return Row(row.name, row.error, row.bound, row.verdict,
               say("forward.changed_first") + "\n" + row.hint, reference=row.reference)


def float32_contract(rec: Recorded, name: str, label: str, keys: list[str]):
    """The float32 row, once its stage has run (else None)."""
    def contract() -> Row | None:
        if "float32" not in rec.done:
            return None
        return float32_row(say("row.float32", part=name), label, rec, keys)
    return contract


def _repeat(cls: type, rec: Recorder, state: dict) -> None:
    """backward once more, on the same forward and the same upstream gradient."""
    layer = state["layer"]
    rec.put("repeat.dx", layer.backward(give(state["dout"])))
    grads = getattr(layer, "grads", {})
    for k in getattr(layer, "params", {}):
        rec.put(f"repeat.d{k}", grads.get(k) if isinstance(grads, dict) else None)


#: The stage that calls backward a second time after one forward (the main stage keeps the
#: layer and its upstream gradient in ``state["layer"]`` and ``state["dout"]``).
REPEAT = Stage("repeat", _repeat, "stage.repeat_backward")


def repeat_contract(rec: Recorded, name: str, label: str, keys: list[str]):
    """The row of REPEAT: the same numbers as the first backward (else None: not run)."""
    def contract() -> Row | None:
        if "repeat" not in rec.done:
            return None
        for key in keys:
            first, again = rec.get(f"main.{key}"), rec.get(f"repeat.{key}")
            if first is None or again is None or first.shape != again.shape or not np.allclose(
                    first, again, rtol=1e-12, atol=0, equal_nan=True):
                adds = first is not None and again is not None and first.shape == again.shape \
                    and np.any(first) and np.allclose(again, 2 * first, rtol=1e-12, atol=0)
                return Row(say("row.repeat", part=name), say("row.differs"), "-", WRONG,
                           say("repeat.adds" if adds else "repeat.differs", label=label, key=key))
        return Row(say("row.repeat", part=name), "0", "-", OK)
    return contract


# ---- a layer without parameters: ReLU (exercise 2), Sigmoid (exercise 3) -------------------

#: draws the inputs x of a shape: ``draw(rng, shape)``
Draw = Callable[[np.random.Generator, tuple[int, ...]], np.ndarray]


def activation_inputs(seed: int, draw: Draw | None = None) -> dict[str, np.ndarray]:
    """x, dout (4, 6); x2, dout2 (3, 5); float32 ones (4, 6). ``draw`` draws x."""
    rng = np.random.default_rng(seed)
    draw = draw or (lambda r, shape: r.normal(size=shape))
    return {"x": draw(rng, (4, 6)), "dout": rng.normal(size=(4, 6)),
            "x2": draw(rng, (3, 5)), "dout2": rng.normal(size=(3, 5)),
            "x32": draw(rng, (4, 6)).astype(np.float32),
            "dout32": rng.normal(size=(4, 6)).astype(np.float32)}


def activation_stages(seed: int, draw: Draw | None = None,
                      extra: tuple[Stage, ...] = ()) -> tuple[Stage, ...]:
    """main, the same call twice, again (another shape, the same layer), ``extra``, float32."""

    def main(cls, rec: Recorder, state: dict) -> None:
        i = activation_inputs(seed, draw)
        state["layer"], state["dout"] = cls(), i["dout"]
        module_round(rec, "main.", state["layer"], {"x": i["x"]}, ("dout", i["dout"]), ("dx",))

    def again(cls, rec: Recorder, state: dict) -> None:
        i = activation_inputs(seed, draw)
        module_round(rec, "again.", state["layer"], {"x": i["x2"]}, ("dout", i["dout2"]),
                     ("dx",))

    def float32(cls, rec: Recorder, state: dict) -> None:
        i = activation_inputs(seed, draw)
        module_round(rec, "float32.", cls(), {"x": i["x32"]}, ("dout", i["dout32"]), ("dx",))

    return (Stage("main", main), REPEAT, Stage("again", again, "stage.again_shape"), *extra,
            Stage("float32", float32, "stage.float32"))


def grade_activation(rec: Recorded, part: Part, name: str, lib: type, seed: int,
                     draw: Draw | None, bound: float, forward_name: str, mistakes,
                     extra=()) -> list[Row]:
    """The rows of a layer without parameters: dx, its forward, the same call twice, a 2nd
    call, ``extra`` (functions of ``rec`` giving a row or None), float32."""
    failed = first_call_failed(rec, part)
    if failed:
        return failed
    i = activation_inputs(seed, draw)
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
