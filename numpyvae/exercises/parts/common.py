"""What the parts of exercises 1-5 share: a layer's first call graded row by row, then
the contracts of a second call, float32 and arrays left unchanged."""

from __future__ import annotations

import numpy as np

from ..exercise import Part, Stage
from ..grading import failure_row, float32_row, inplace_rows, on_copy
from ..language import say
from ..probes import Recorded, Recorder, give
from ..report import ERROR, OK, WRONG, Row


def failed_at(rec: Recorded, stage: str) -> bool:
    return rec.failure is not None and rec.failure.get("stage") == stage


def first_call_failed(rec: Recorded, part: Part, expected: str = "") -> list[Row] | None:
    """The one row of a first call that raised, or returned another structure than
    ``expected`` (e.g. "(dmu, dlogvar)"); None when it can be graded."""
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
