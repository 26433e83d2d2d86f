"""Why an answer is wrong: the rows of a part's checks, with hints.

:func:`diagnose` turns what a check returned (and what the spies recorded) into one
:class:`Row` per gradient; :func:`explain` finds the typical mistake (see
``catalog.py``) an answer matches, or else says what is off: a shape, nan, a dtype,
a constant factor, the largest difference. Each row also records how the answer
compares with the library's own (``Row.reference``: exact, close, differs), which the
report shows when asked (``--reference``).
"""

from __future__ import annotations

import numpy as np

from ..gradcheck import rel_error, rel_errors
from .catalog import Part
from .report import OK, WRONG, Row
from .spies import MISSING, Record, describe, is_numbers

#: A forward value must equal the library's up to rounding.
BOUND_FORWARD = 1e-9

#: Under this relative error an answer is "close" to the library's (rounding apart).
BOUND_CLOSE = 1e-12


def _generic(want: np.ndarray, n: int | None, columns: str = "") -> list[tuple[np.ndarray, str]]:
    """Wrong versions of any gradient: a sign, a factor 2 or 1/2, a mean over the batch
    (once or twice), a mean over the columns (``columns`` names them)."""
    out = [
        (-want, "sign flipped: yours is -1 times the right one"),
        (2 * want, "twice the right one: an extra factor 2 (or a missing 1/2)"),
        (want / 2, "half the right one: an extra factor 1/2 (or a missing 2)"),
    ]
    if n and n > 1:
        out.append((want / n, (f"divided by the batch size N = {n}: the loss of this check is "
                               "summed over the batch, so no mean (the caller averages)")))
        out.append((want / n**2, (f"divided by N twice (1/N^2, N = {n}): a mean taken in two "
                                  "places, or none at all: the loss of this check is summed "
                                  "over the batch")))
    if columns and n and want.ndim == 2 and want.shape[0] == n and want.shape[1] > 1:
        d = want.shape[1]
        out.append((want / d, (f"divided by {d}, the number of {columns.removeprefix('the ')}: "
                               f"a mean over {columns}, which the loss sums")))
        if n > 1:
            out.append((want / (n * d), (f"divided by N * {d} = {n * d}: np.mean over the "
                                         f"batch and {columns}; the loss here is a plain sum")))
    return out


def _as_array(value: object) -> object:
    """An array from an array, or from a list of them (Adam's weights, step by step)."""
    if isinstance(value, (list, tuple)):
        try:
            return np.array(value)
        except ValueError:  # arrays of different shapes
            return value
    return value


def versus(got: object, want: object) -> str:
    """How ``got`` compares with the library's ``want``: 'exact', 'close, 2.2e-16' or
    'differs, 0.5' (the largest absolute difference), or '' when not comparable."""
    if not (is_numbers(got) and isinstance(want, np.ndarray)):
        return ""
    if got.shape != want.shape:
        return "differs, shape"
    if np.array_equal(got, want, equal_nan=True):
        return "exact"
    with np.errstate(all="ignore"):
        diff = float(np.max(np.abs(got.astype(np.float64) - want)))
        close = rel_error(got, want) < BOUND_CLOSE
    return f"{'close' if close else 'differs'}, {diff:.1e}"


def explain(got: object, want: np.ndarray, candidates: list, tol: float) -> str:
    """Why ``got`` is not ``want``: the hint of the first matching mistake, or the facts."""
    got = np.asarray(got)
    if not is_numbers(got):
        return f"yours is {describe(got)}: not numbers"
    if got.shape != want.shape:
        return f"yours has shape {got.shape}, the right one {want.shape}"
    finite = np.isfinite(got)
    for candidate, hint in candidates:  # nan or inf where the mistake has them, else equal
        candidate = np.asarray(candidate, dtype=np.float64)
        if (candidate.shape == got.shape and np.array_equal(np.isfinite(candidate), finite)
                and rel_error(got[finite], candidate[finite]) < tol):
            return hint
    if not np.all(finite):
        index = tuple(int(i) for i in np.argwhere(~finite)[0])
        return f"yours has nan or inf entries (the first at index {index}): look for a " \
               "division by zero, a log of 0, an exp that overflows, or a sqrt of a negative"
    if got.dtype.itemsize < 8 and got.dtype.kind == "f":
        return (f"yours is {got.dtype}: the checks run in float64 and need float64 back; "
                "don't convert (astype, np.float32), keep the dtype of the inputs")
    if not np.any(got):
        return "yours is all zeros"
    if np.any(want):
        scale = float(np.vdot(got, want) / np.vdot(want, want))
        if np.isfinite(scale) and rel_error(got, scale * want) < tol:
            return f"yours is {scale:.4g} times the right one everywhere: a constant factor is off"
    index = np.unravel_index(int(np.argmax(rel_errors(got, want))), got.shape)
    at = tuple(int(i) for i in index)
    return (f"no typical mistake matches. The largest difference is at index {at}: "
            f"yours {float(got[index]):.6g}, the right one {float(want[index]):.6g}")


def _shape_message(part: Part, key: str, got: object, inputs: dict) -> str:
    of = key[1:]
    want = inputs[of].shape
    if got is MISSING:
        return f"self.grads has no {of!r}: write d{of} into self.grads[{of!r}]"
    if got is None:
        return f"{key} is None: is a `return` (or an assignment) missing?"
    if not is_numbers(got):
        return f"{key} is {describe(got)}: it must be an array of shape {want}"
    text = f"{key} has shape {got.shape}, but {of} has shape {want}"
    specific = part.shape_hint(key, got, inputs)
    if specific:
        return f"{text}: {specific}"
    return f"{text}: a gradient always has the shape of what it is the gradient of"


def _inplace_hint(part: Part, name: str) -> str:
    if name == "grads":
        return (f"{part.label} changed the gradients in place (g *= ... or g -= ...); they "
                "belong to the caller: compute new arrays from them instead")
    if name.startswith("d"):
        return (f"{part.label} changed {name} in place (as {name}[mask] = 0 or {name} *= ... "
                f"do). The caller still holds {name}: in the VAE it is the gradient another "
                "layer reads. Compute a new array instead")
    return (f"{part.name} changed its input {name} in place (in forward or backward): "
            "work on a copy")


def diagnose(part: Part, checked: list, rec: Record) -> list[Row]:
    """Rows for the checks of ``part``, with hints; plus what the numbers alone miss."""
    try:
        want = part.reference(rec.inputs)
        mistakes = part.mistakes(rec.inputs, want)
    except (AttributeError, IndexError, KeyError, TypeError, ValueError):
        # a learner's version too odd to diagnose: verdicts without hints
        want, mistakes = {}, {}
    forward = want.get("forward")
    n = forward.shape[0] if isinstance(forward, np.ndarray) and forward.ndim else None

    extra = []  # what the numbers of the checks alone miss: the forward value, in place
    if part.forward and forward is not None and "forward" in rec.got:
        got = rec.got["forward"]
        bound = f"{BOUND_FORWARD:.0e}"
        if not is_numbers(got, forward.shape):
            hint = f"forward returned {describe(got)}; it must have shape {forward.shape}"
            extra.append(Row(part.forward, "shape", bound, WRONG, hint))
        elif (error := rel_error(got, forward)) >= BOUND_FORWARD or not np.isfinite(error):
            candidates = mistakes.get("forward", []) + _generic(forward, n, part.columns)
            hint = explain(got, forward, candidates, BOUND_FORWARD)
            extra.append(Row(part.forward, f"{error:.1e}", bound, WRONG,
                             f"the forward value differs from the lecture's: {hint}"))
    upstream = rec.upstream if rec.upstream in rec.changed else ""
    for name in rec.changed:
        hint = _inplace_hint(part, name)
        if name == upstream:
            hint += (f". The upstream gradient {name} was modified: the rows above check your "
                     f"gradients against an unmodified copy of it")
        extra.append(Row(f"{part.name}  leaves {name} unchanged", "changed", "-", WRONG, hint))
    for name in rec.rebound:
        extra.append(Row(f"{part.name}  updates {name} in place", "rebound", "-", WRONG,
                         f"{part.label} bound a new array to params[{name!r}] (params[name] = "
                         "w - ...): the model holds the old array and never sees the update. "
                         "Write w -= ... (or params[name][...] = ...)"))

    rows = []
    changed_row = f"{part.name}  leaves {upstream} unchanged"
    for key, c in zip(part.keys, checked):
        bound = f"{c.bound:.0e}"
        compared = versus(_as_array(rec.got.get(key)), want.get(key))
        if key in rec.bad:
            got = rec.bad[key]
            label = "missing" if got is MISSING else "shape"
            hint = _shape_message(part, key, got, rec.inputs)
            rows.append(Row(c.name, label, bound, WRONG, hint))
        elif c.ok and upstream:
            rows.append(Row(c.name, f"{c.error:.1e}", bound, WRONG,
                            f"{key} is right against an unmodified copy of {upstream}, but "
                            f"{part.label} changed {upstream} in place: see "
                            f"{changed_row!r} below", reference=compared))
        elif c.ok:
            rows.append(Row(c.name, f"{c.error:.1e}", bound, OK, reference=compared))
        else:
            hint = ""
            if key in want and key in rec.got:
                got = np.asarray(rec.got[key])
                if got.shape == want[key].shape and rel_error(got, want[key]) < c.bound:
                    hint = (f"{key} is the lecture's, but the check differentiates your own "
                            "forward by finite differences, and that went wrong: see "
                            f"{extra[0].name.strip()!r} below" if extra else
                            f"{key} is the lecture's, but not the finite differences of your "
                            "forward")
                else:
                    # n is None for Adam: its rows are weights, for which the generic
                    # hints on gradients (a sign flipped, a sum for a mean) would mislead
                    candidates = mistakes.get(key, []) + (
                        _generic(want[key], n, part.columns) if n else [])
                    hint = explain(got, want[key], candidates, c.bound)
            if upstream:
                hint += (f"\n(checked against an unmodified copy of {upstream}, which "
                         f"{part.label} changed in place: see {changed_row!r} below)")
            rows.append(Row(c.name, f"{c.error:.1e}", bound, WRONG, hint.strip(),
                            reference=compared))
    return rows + extra
