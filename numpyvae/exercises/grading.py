"""Grading what a learner's code returned, in the parent process: the rows of the report.

Every verdict compares the learner's arrays with something computed here, independently
of the learner's code: central differences of the lecture's forward pass (``gradcheck``),
or the library's own code on the same inputs. :func:`explain` says why an answer is
wrong: the hint of the typical mistake it equals (each exercise's catalogue), or else
what is off (a shape, nan, a dtype, a constant factor, the largest difference);
:func:`failure_row` and :func:`error_text` write the row of what stopped a part.
"""

from __future__ import annotations

import numpy as np

from ..gradcheck import rel_error, rel_errors
from .exercise import ERROR, OK, UNSOLVED, WRONG, Recorded, Row, is_numbers
from .messages import say

#: A forward value must equal the library's up to rounding.
BOUND_FORWARD = 1e-9

#: Under this relative error an answer is "close" to the library's (rounding apart).
BOUND_CLOSE = 1e-12

#: (an array a typical wrong answer would give, its hint)
Candidates = list[tuple[np.ndarray, str]]


def generic(want: np.ndarray, n: int | None, columns: str = "") -> Candidates:
    """Wrong versions of any gradient: a sign, a factor 2 or 1/2, a mean over the batch
    (once or twice), a mean over the columns (``columns``: a message key naming them)."""
    out = [(-want, say("generic.sign")), (2 * want, say("generic.twice")),
           (want / 2, say("generic.half"))]
    if n and n > 1:
        out.append((want / n, say("generic.mean_batch", n=n)))
        out.append((want / n**2, say("generic.mean_batch_twice", n=n)))
    if columns and n and want.ndim == 2 and want.shape[0] == n and want.shape[1] > 1:
        d = want.shape[1]
        out.append((want / d, say("generic.mean_columns", d=d, columns=say(columns))))
        if n > 1:
            out.append((want / (n * d), say("generic.mean_all", d=d, nd=n * d,
                                            columns=say(columns))))
    return out


def versus(got: object, want: object) -> str:
    """How ``got`` compares with the library's ``want``: 'exact', 'close, 2.2e-16' or
    'differs, 0.5' (the largest absolute difference), or '' when not comparable."""
    if not (is_numbers(got) and isinstance(want, np.ndarray)):
        return ""
    if got.shape != want.shape:
        return say("versus.shape")
    if np.array_equal(got, want, equal_nan=True):
        return say("versus.exact")
    with np.errstate(all="ignore"):
        diff = float(np.max(np.abs(got.astype(np.float64) - want)))
        close = rel_error(got, want) < BOUND_CLOSE
    return say("versus.close" if close else "versus.differs", diff=f"{diff:.1e}")


def matches(got: np.ndarray, candidate: np.ndarray, tol: float) -> bool:
    """``got`` equals ``candidate`` to ``tol``, with nan or inf where the candidate has them."""
    candidate = np.asarray(candidate, dtype=np.float64)
    if candidate.shape != got.shape:
        return False
    finite = np.isfinite(got)
    return bool(np.array_equal(np.isfinite(candidate), finite)
                and rel_error(got[finite], candidate[finite]) < tol)


def explain(got: object, want: np.ndarray, candidates: Candidates, tol: float) -> str:
    """Why ``got`` is not ``want``: the hint of the first matching mistake, or the facts."""
    got = np.asarray(got)
    if not is_numbers(got):
        return say("explain.not_numbers", what=got.dtype)
    if got.shape != want.shape:
        return say("explain.shape", got=got.shape, want=want.shape)
    for candidate, hint in candidates:
        if matches(got, candidate, tol):
            return hint
    finite = np.isfinite(got)
    if not np.all(finite):
        index = tuple(int(i) for i in np.argwhere(~finite)[0])
        return say("explain.nan", index=index)
    if not np.any(got):
        return say("explain.zeros")
    if np.any(want):
        scale = float(np.vdot(got, want) / np.vdot(want, want))
        if np.isfinite(scale) and rel_error(got, scale * want) < tol:
            return say("explain.factor", scale=f"{scale:.4g}")
    index = np.unravel_index(int(np.argmax(rel_errors(got, want))), got.shape)
    at = tuple(int(i) for i in index)
    return say("explain.none", index=at, got=f"{float(got[index]):.6g}",
               want=f"{float(want[index]):.6g}")


def shape_message(key: str, kind: str, want: tuple[int, ...], got: object = None,
                  specific: str | None = None) -> str:
    """What is wrong with a gradient that is not an array of the right shape."""
    of = key[1:]
    if kind == "missing":
        return say("shape.missing", of=of)
    if kind == "None":
        return say("shape.none", key=key)
    if not is_numbers(got):
        return say("shape.not_array", key=key, kind=kind, want=want)
    text = say("shape.differs", key=key, got=got.shape, of=of, want=want)
    return f"{text}: {specific}" if specific else text + say("shape.rule")


def gradient_row(name: str, rec: Recorded, key: str, of: str, numeric: np.ndarray,
                 want: np.ndarray, bound: float, candidates: Candidates,
                 specific=None) -> Row:
    """The row of one gradient: ``rec``'s ``key`` against central differences ``numeric``;
    when it is over the bound, why (against the library's ``want`` and ``candidates``).
    ``specific(got)``: a hint for a wrong shape, or None."""
    got, b = rec.get(key), f"{bound:.0e}"
    reference = versus(got, want)
    if not is_numbers(got, want.shape):
        kind = rec.kind(key)
        label = "missing" if kind == "missing" else "shape"
        hint = shape_message("d" + of, kind, want.shape, got,
                             specific(got) if specific and got is not None else None)
        return Row(name, label, b, WRONG, hint, reference=reference)
    with np.errstate(all="ignore"):
        error = rel_error(got, numeric)
    if np.isfinite(error) and error < bound:
        return Row(name, f"{error:.1e}", b, OK, reference=reference)
    return Row(name, f"{error:.1e}", b, WRONG, explain(got, want, candidates, bound),
               reference=reference)


def forward_row(name: str, rec: Recorded, key: str, want: np.ndarray,
                candidates: Candidates) -> Row | None:
    """A row when the forward value (given code) differs from the lecture's, else None."""
    got, b = rec.get(key), f"{BOUND_FORWARD:.0e}"
    if not is_numbers(got, want.shape):
        return Row(name, "shape", b, WRONG, say("forward.shape", got=rec.kind(key),
                                               want=want.shape))
    with np.errstate(all="ignore"):
        error = rel_error(got, want)
    if np.isfinite(error) and error < BOUND_FORWARD:
        return None
    return Row(name, f"{error:.1e}", b, WRONG,
               say("forward.differs", why=explain(got, want, candidates, BOUND_FORWARD)))


def changed_in_place(rec: Recorded, prefix: str, originals: dict[str, np.ndarray]) -> list[str]:
    """The names of the arrays the learner's code changed in place (in ``originals`` order)."""
    changed = []
    for name, a in originals.items():
        after = rec.get(f"{prefix}after.{name}")
        if after is not None and not np.array_equal(after, a, equal_nan=True):
            changed.append(name)
    return changed


def inplace_rows(part_name: str, label: str, changed: list[str], upstream: str) -> list[Row]:
    """One wrong row per array changed in place."""
    rows = []
    for name in changed:
        if name.startswith("d"):
            hint = say("inplace.upstream", label=label, name=name)
            if name == upstream:
                hint += say("inplace.checked_on_copy", name=name)
        else:
            hint = say("inplace.input", part=part_name, name=name)
        rows.append(Row(say("row.unchanged", part=part_name, name=name), say("row.changed"),
                        "-", WRONG, hint))
    return rows


def on_copy(rows: list[Row], label: str, upstream: str, part_name: str) -> list[Row]:
    """Gradient rows when ``upstream`` was changed in place: right ones are wrong all the same
    (the caller's gradient was destroyed); every hint says it was checked on a copy."""
    changed = say("row.unchanged", part=part_name, name=upstream)
    out = []
    for row in rows:
        if row.verdict == OK:
            out.append(Row(row.name, row.error, row.bound, WRONG,
                           say("inplace.right_but_changed", label=label, upstream=upstream,
                               row=changed), reference=row.reference))
        else:
            hint = row.hint + "\n" + say("inplace.wrong_and_changed", upstream=upstream,
                                         label=label, row=changed)
            out.append(Row(row.name, row.error, row.bound, row.verdict, hint.strip(),
                           reference=row.reference))
    return out


def again_row(name: str, got: dict[str, np.ndarray | None], want: dict[str, np.ndarray],
              before: dict[str, np.ndarray], bound: float, label: str) -> Row:
    """A second call on another batch: each array against the library's for that batch;
    when wrong, whether the first call's values were kept or added in."""
    worst = 0.0
    for key, w in want.items():
        g = got.get(key)
        if not is_numbers(g, w.shape):
            return Row(name, "shape", f"{bound:.0e}", WRONG,
                       say("again.shape", key=key, got=g.shape if is_numbers(g) else "-",
                           want=w.shape, label=label))
        with np.errstate(all="ignore"):
            worst = max(worst, rel_error(g, w))
    b = f"{bound:.0e}"
    if np.isfinite(worst) and worst < bound:
        return Row(name, f"{worst:.1e}", b, OK)
    for key, w in want.items():
        g, prev = got[key], before.get(key)
        if prev is None or prev.shape != w.shape or rel_error(g, w) < bound:
            continue
        if matches(g, prev + w, bound):
            return Row(name, f"{worst:.1e}", b, WRONG, say("again.accumulates", key=key,
                                                             label=label))
        if matches(g, prev, bound):
            return Row(name, f"{worst:.1e}", b, WRONG, say("again.stale", key=key, label=label))
    return Row(name, f"{worst:.1e}", b, WRONG, say("again.differs", label=label))


def float32_row(name: str, label: str, rec: Recorded, keys: list[str]) -> Row:
    """Every gradient of float32 inputs must be float32."""
    for key in keys:
        g = rec.get(key)
        if not (g is not None and g.dtype == np.float32):
            got = str(g.dtype) if g is not None else rec.kind(key)
            return Row(name, got, "-", WRONG,
                       say("float32.promoted", label=label, key=key.split(".")[-1], got=got))
    return Row(name, "float32", "-", OK)


def failure_row(rec: Recorded, part, label: str) -> Row:
    """The row of what stopped a part: not yet solved, or an error saying what and where."""
    f = rec.failure or {}
    if f.get("kind") == "unsolved":
        return Row(label, "-", "-", UNSOLVED, where=f.get("where", ""))
    text = error_text(f)
    if part is not None and part.shapes and f.get("type") == "ValueError":
        text += "\n" + say("error.shapes", shapes=part.shapes)
    if f.get("stage_label") and f.get("stage") != "main":
        text = say("error.in_stage", stage=say(f["stage_label"])) + "\n" + text
    try:
        hint = part.error_hint(f) if part is not None and f.get("kind") == "exception" else None
    except Exception:  # noqa: BLE001 -- a hint that cannot be made is left out
        hint = None
    return Row(label, "-", "-", ERROR, text + ("\n" + hint if hint else ""))


def error_text(f: dict) -> str:
    """The lines of an error row from the facts ``child.py`` recorded (or ``sandbox.py``)."""
    where = f.get("where", "")
    kind = f.get("kind")
    if kind == "time":
        text = say("error.time", seconds=f.get("seconds", 0))
        return text + (say("error.stopped_at", where=where) if where else "") + \
            "\n" + say("error.time_option")
    if kind == "exit":
        code = f.get("code", "")
        text = say("error.sys_exit", code=f"({code})" if code else "")
    elif kind == "forbidden":
        text = say("error.forbidden", what=f.get("what", ""))
    elif kind == "memory":
        text = say("error.memory", message=f.get("message", ""), mb=f.get("mb", 0))
    elif kind == "patched":
        return say("error.patched", names=", ".join(f.get("names", [])[:5]))
    elif kind == "process":
        return f.get("text", "")
    else:
        text = f"{f.get('type', 'Exception')}: {f.get('message', '')}"
    if where:
        text += "\n" + say("error.at", where=where)
        if f.get("outside"):
            text += "\n" + say("error.caller")
    return text
