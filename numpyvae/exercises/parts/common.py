"""What the parts of exercises 1-5 share: a layer's first call graded row by row, then
the contracts of a second call, float32 and arrays left unchanged."""

from __future__ import annotations

from ..exercise import Part
from ..grading import failure_row, float32_row, inplace_rows, on_copy
from ..language import say
from ..probes import Recorded
from ..report import ERROR, OK, Row


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
