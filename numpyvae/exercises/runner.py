"""``numpyvae exercises init`` and ``check``: copy the skeletons, check a learner's code.

:func:`init` copies the skeletons of ``templates/`` into a folder, never overwriting.
:func:`check` imports each exercise file from that folder by its path, hands what it
defines to the checks of ``checks.py`` (the very checks ``numpyvae gradcheck`` runs on
the library), and turns what they return into one row per gradient: the relative
error, its bound, and a verdict,

- ``ok``: within the bound;
- ``not yet solved``: the code still raises NotImplementedError (not a failure);
- ``wrong``: over the bound, with a hint when the answer matches a typical mistake
  (see ``catalog.py``), or a shape, or an array changed in place;
- ``error``: the learner's code raised an exception: its type, message, file:line.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import re
import sys
import textwrap
import traceback
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import ModuleType

import numpy as np

from ..errors import NumpyVAEError
from ..gradcheck import rel_error, rel_errors
from .catalog import EXERCISES, Exercise, Part
from .spies import MISSING, InterfaceError, Record, describe, is_numbers

#: Where ``init`` puts the exercises, and where ``check`` looks, by default.
DEFAULT_DIR = "numpyvae-exercises"
#: A forward value must equal the library's up to rounding.
BOUND_FORWARD = 1e-9

OK, WRONG, UNSOLVED, ERROR = "ok", "wrong", "not yet solved", "error"


@dataclass
class Row:
    """One line of the report: a gradient (or a part not yet written) and its verdict."""

    name: str
    error: str
    bound: str
    verdict: str
    hint: str = ""
    where: str = ""  # file:line of the NotImplementedError still to replace


@dataclass
class Result:
    exercise: Exercise
    rows: list[Row] = field(default_factory=list)

    @property
    def status(self) -> str:
        """error, wrong, not yet solved, or solved: the worst verdict of the rows."""
        verdicts = {r.verdict for r in self.rows}
        return next((v for v in (ERROR, WRONG, UNSOLVED) if v in verdicts), "solved")


# ---- finding things -----------------------------------------------------------------------


def find_exercise(name: str) -> Exercise:
    """The exercise called ``name``: its number, key, file name, or the start of its key."""
    text = name.strip().lower().replace("-", "_").removesuffix(".py")
    for ex in EXERCISES:
        if text in (str(ex.number), ex.key, ex.file.removesuffix(".py")):
            return ex
    matches = [ex for ex in EXERCISES if ex.key.startswith(text)] if text else []
    if len(matches) == 1:
        return matches[0]
    names = ", ".join(ex.key for ex in EXERCISES)
    raise NumpyVAEError(f"no exercise {name!r}: use one of {names} (or their numbers 1-6)")


def _display(path: str | os.PathLike) -> str:
    """``path`` relative to the current folder when it is inside it."""
    path = Path(os.path.abspath(path))
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _same_file(a: str, b: str | os.PathLike) -> bool:
    return os.path.abspath(a) == os.path.abspath(b)


class _FreshLoader(importlib.machinery.SourceFileLoader):
    """Compiles the source every time: no ``__pycache__`` written into the learner's
    folder, and no stale bytecode read after a quick edit."""

    def get_code(self, fullname: str):
        return self.source_to_code(self.get_data(self.path), self.path)


def load(path: Path) -> ModuleType:
    """Import the learner's file at ``path`` as a module, without touching ``sys.path``.

    The module is in ``sys.modules`` only while its body runs (dataclasses need that),
    under a name no other module uses.
    """
    name = f"numpyvae_exercise_{path.stem}"
    location = os.path.abspath(path)
    spec = importlib.util.spec_from_file_location(name, location,
                                                  loader=_FreshLoader(name, location))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(name, None)
    return module


# ---- errors in the learner's code ---------------------------------------------------------


def _frame(exc: BaseException, path: Path | None) -> tuple[str, int, str] | None:
    """(file, line, source) where ``exc`` was raised: in the learner's file if it is there."""
    if isinstance(exc, SyntaxError) and exc.filename and exc.lineno:
        return exc.filename, exc.lineno, (exc.text or "").strip()
    frames = traceback.extract_tb(exc.__traceback__)
    numpy_dir = os.path.dirname(np.__file__)
    if path is not None:
        mine = [f for f in frames if _same_file(f.filename, path)]
    else:
        mine = [f for f in frames if not os.path.abspath(f.filename).startswith(numpy_dir)]
    frame = (mine or frames or [None])[-1]
    return None if frame is None else (frame.filename, frame.lineno, (frame.line or "").strip())


def _location(exc: BaseException, path: Path | None, source: bool = True) -> str:
    """'file:line: the line of code' where ``exc`` was raised ('' if unknown)."""
    frame = _frame(exc, path)
    if frame is None:
        return ""
    mine = path is not None and _same_file(frame[0], path)
    name = Path(frame[0]).name if mine else _display(frame[0])
    where = f"{name}:{frame[1]}"
    return f"{where}: {frame[2]}" if source and frame[2] else where


def _definition(module: ModuleType, label: str) -> str:
    """'file:line' of the function or method ``label`` ("Dense.backward") in ``module``."""
    obj = module
    for attr in label.split("."):
        obj = getattr(obj, attr, None)
    code = getattr(obj, "__code__", None)
    return f"{Path(code.co_filename).name}:{code.co_firstlineno}" if code else ""


def _error_text(exc: BaseException, path: Path | None, rec: Record | None = None) -> str:
    text = f"{type(exc).__name__}: {exc.msg if isinstance(exc, SyntaxError) else exc}"
    where = _location(exc, path)
    frame = _frame(exc, path)
    if where and path is not None and frame and not _same_file(frame[0], path):
        where += "\n(that is the check calling your code: keep the skeleton's signatures)"
    if where:
        text += f"\nat {where}"
    if isinstance(exc, ValueError) and rec is not None and rec.inputs:
        shapes = ", ".join(f"{k} {v.shape}" for k, v in rec.inputs.items()
                           if isinstance(v, np.ndarray))
        text += f"\nthe arrays of this check: {shapes}"
    return text


# ---- diagnosis ----------------------------------------------------------------------------


def _generic(want: np.ndarray, n: int | None) -> list[tuple[np.ndarray, str]]:
    """Wrong versions of any gradient: a sign, a factor 2 or 1/2, a mean over the batch."""
    out = [
        (-want, "sign flipped: yours is -1 times the right one"),
        (2 * want, "twice the right one: an extra factor 2 (or a missing 1/2)"),
        (want / 2, "half the right one: an extra factor 1/2 (or a missing 2)"),
    ]
    if n and n > 1:
        out.append((want / n, (f"divided by the batch size N = {n}: the loss of this check is "
                               "summed over the batch, so no mean (the caller averages)")))
    return out


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
            candidates = mistakes.get("forward", []) + _generic(forward, n)
            hint = explain(got, forward, candidates, BOUND_FORWARD)
            extra.append(Row(part.forward, f"{error:.1e}", bound, WRONG,
                             f"the forward value differs from the lecture's: {hint}"))
    for name in rec.changed:
        extra.append(Row(f"{part.name}  leaves {name} unchanged", "changed", "-", WRONG,
                         _inplace_hint(part, name)))
    for name in rec.rebound:
        extra.append(Row(f"{part.name}  updates {name} in place", "rebound", "-", WRONG,
                         f"{part.label} bound a new array to params[{name!r}] (params[name] = "
                         "w - ...): the model holds the old array and never sees the update. "
                         "Write w -= ... (or params[name][...] = ...)"))

    rows = []
    for key, c in zip(part.keys, checked):
        bound = f"{c.bound:.0e}"
        if key in rec.bad:
            got = rec.bad[key]
            label = "missing" if got is MISSING else "shape"
            hint = _shape_message(part, key, got, rec.inputs)
            rows.append(Row(c.name, label, bound, WRONG, hint))
        elif c.ok:
            rows.append(Row(c.name, f"{c.error:.1e}", bound, OK))
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
                    candidates = mistakes.get(key, []) + (_generic(want[key], n) if n else [])
                    hint = explain(got, want[key], candidates, c.bound)
            rows.append(Row(c.name, f"{c.error:.1e}", bound, WRONG, hint))
    return rows + extra


# ---- running ------------------------------------------------------------------------------


def run_part(part: Part, impl: object, module: ModuleType | None = None) -> list[Row]:
    """The rows of one part: run its check on ``impl`` (watched), then diagnose.

    ``module`` is the learner's file ``impl`` comes from (None: the library's own code).
    """
    rec = Record()
    path = Path(module.__file__) if module is not None else None
    label = part.label if module is not None else part.name
    try:
        checked = part.check(part.watch(impl, rec))
    except NotImplementedError as e:
        return [Row(label, "-", "-", UNSOLVED, where=_location(e, path, source=False))]
    except InterfaceError as e:
        where = _definition(module, part.label) if module is not None else ""
        hint = f"{e}\n{part.label} is at {where}" if where else str(e)
        return [Row(label, "-", "-", ERROR, hint)]
    except Exception as e:  # noqa: BLE001 -- whatever the learner's code raises is reported
        return [Row(label, "-", "-", ERROR, _error_text(e, path, rec))]
    return diagnose(part, checked, rec)


def run_exercise(ex: Exercise, folder: Path | None) -> Result:
    """Check one exercise: the file in ``folder``, or the library's own code if None."""
    if folder is None:
        return Result(ex, [row for p in ex.parts for row in run_part(p, p.solution)])
    path = folder / ex.file
    if not path.exists():
        return Result(ex, [Row(ex.file, "-", "-", UNSOLVED,
                               f"{_display(path)} is missing: 'numpyvae exercises init "
                               f"{_display(folder)}' puts it back (it overwrites nothing)")])
    try:
        module = load(path)
    except NotImplementedError as e:
        where = _location(e, path, source=False)
        return Result(ex, [Row(ex.file, "-", "-", UNSOLVED, where=where)])
    except Exception as e:  # noqa: BLE001 -- whatever the learner's file raises is reported
        return Result(ex, [Row(ex.file, "-", "-", ERROR, _error_text(e, path))])
    result = Result(ex)
    for part in ex.parts:
        impl = getattr(module, part.name, None)
        if impl is None:
            result.rows.append(Row(part.label, "-", "-", ERROR,
                                   f"{ex.file} defines no {part.name}: keep the names of the "
                                   "skeleton (the checks look them up)"))
        else:
            result.rows += run_part(part, impl, module)
    return result


# ---- the report ---------------------------------------------------------------------------


def _keep_together(match: re.Match) -> str:
    return match.group(0).replace(" ", "\N{NO-BREAK SPACE}")


def _wrap(text: str, indent: str = "      ") -> list[str]:
    """``text`` indented, long lines wrapped; never inside "Eq. (9)" or a shape "(4, 3)"."""
    lines = []
    for paragraph in text.splitlines():
        if paragraph.startswith("at ") or len(paragraph) + len(indent) <= 96:
            lines.append(indent + paragraph)
            continue
        glued = re.sub(r"Eq\. \(|\(\d+(, \d+)*,?\)", _keep_together, paragraph)
        wrapped = textwrap.wrap(glued, 96, initial_indent=indent, subsequent_indent=indent)
        lines += [line.replace("\N{NO-BREAK SPACE}", " ") for line in wrapped]
    return lines


def summary(results: list[Result]) -> str:
    """'3 of 6 exercises solved, 0 wrong, 3 not yet solved' (and errors, if any)."""
    count = {s: sum(r.status == s for r in results) for s in ("solved", WRONG, UNSOLVED, ERROR)}
    total = len(results)
    text = (f"{count['solved']} of {total} exercise{'s' if total != 1 else ''} solved, "
            f"{count[WRONG]} wrong, {count[UNSOLVED]} not yet solved")
    if count[ERROR]:
        text += f", {count[ERROR]} with {'an error' if count[ERROR] == 1 else 'errors'}"
    return text


def format_report(results: list[Result], heading: str, next_step: str = "",
                  solutions: bool = False) -> str:
    """The report: a heading, one block per exercise, the summary, the next step."""
    width = max([len(row.name) for r in results for row in r.rows] + [30])
    lines = [heading, "", f"  {'gradient':<{width}}  {'rel error':>9}  {'bound':>6}  verdict"]
    for r in results:
        lines += ["", f"{r.exercise.file}  {r.exercise.title}  [{r.status}]"]
        if solutions:
            lines += [f"  the library's: {part.where}" for part in r.exercise.parts]
        for row in r.rows:
            verdict = row.verdict + (f" ({row.where})" if row.where else "")
            lines.append(f"  {row.name:<{width}}  {row.error:>9}  {row.bound:>6}  {verdict}")
            if row.hint:
                lines += _wrap(row.hint)
    lines += ["", summary(results)]
    if next_step:
        lines.append(next_step)
    return "\n".join(lines)


def _next_step(results: list[Result], command: str, only: list[str] | None) -> str:
    statuses = {r.status for r in results}
    if statuses & {WRONG, ERROR}:
        again = command + "".join(f" --only {name}" for name in only or ())
        return f"next: fix what is marked wrong or error above, then run again: {again}"
    for r in results:
        for row in r.rows:
            if row.verdict == UNSOLVED:
                at = f"{row.where}, " if row.where else ""
                return (f"next: {at}{row.name}: replace the `raise NotImplementedError` with "
                        f"your code, then run: {command} --only {r.exercise.key}")
    if len(results) < len(EXERCISES):
        wheres = "; ".join(part.where for r in results for part in r.exercise.parts)
        return f"solved. After trying, compare with the library's own: {wheres}"
    return (f"all {len(EXERCISES)} exercises solved. Compare each with the library's own "
            "(its docstring says where)")


def _check_folder(folder: str | None) -> tuple[Path, str]:
    """The folder to check, and how to name it in a command ('' for the default)."""
    if folder is None:
        if Path(DEFAULT_DIR).is_dir():
            path, arg = Path(DEFAULT_DIR), ""
        elif any(Path(ex.file).exists() for ex in EXERCISES):
            path, arg = Path("."), ""
        else:
            raise NumpyVAEError(
                "no exercises here: make them with 'numpyvae exercises init' "
                f"(into ./{DEFAULT_DIR}), or pass the folder that holds them"
            )
    else:
        path, arg = Path(folder), f" {folder}"
        if not path.exists():
            raise NumpyVAEError(
                f"{folder}: no such folder (make it with: numpyvae exercises init {folder})"
            )
        if not path.is_dir():
            raise NumpyVAEError(f"{folder} is a file: pass the folder that holds the exercises")
    if not any((path / ex.file).exists() for ex in EXERCISES):
        raise NumpyVAEError(f"{_display(path)} holds no exercise files (ex1_dense.py ...): "
                            f"make them with: numpyvae exercises init{arg}")
    return path, arg


def check(folder: str | None = None, only: list[str] | None = None,
          solutions: bool = False) -> tuple[str, int]:
    """``numpyvae exercises check``: the report, and the exit status.

    Args:
        folder: where the learner's files are (default: ./numpyvae-exercises, or the
            current folder if it holds them).
        only: names of exercises to check (see :func:`find_exercise`); default all.
        solutions: check the library's own implementation instead of a folder.

    Returns:
        the report text; 0 when no exercise is wrong or stopped by an error (exercises
        not yet solved are fine), 1 otherwise.
    """
    chosen = [find_exercise(name) for name in only] if only else list(EXERCISES)
    chosen = [ex for ex in EXERCISES if ex in chosen]
    if solutions:
        if folder is not None:
            raise NumpyVAEError("--solutions checks the library's own code, not a folder: "
                                "leave out the folder")
        results = [run_exercise(ex, None) for ex in chosen]
        heading = ("numpyvae exercises: the library's own implementation, through the checks "
                   "the exercises get\n(rel error against central differences in float64 "
                   "must stay under the bound)")
        text = format_report(results, heading, solutions=True)
    else:
        path, arg = _check_folder(folder)
        results = [run_exercise(ex, path) for ex in chosen]
        heading = (f"numpyvae exercises: checking {_display(path)}/\n(rel error against "
                   "central differences in float64 must stay under the bound)")
        next_step = _next_step(results, f"numpyvae exercises check{arg}", only)
        text = format_report(results, heading, next_step)
    bad = any(r.status in (WRONG, ERROR) for r in results)
    return text, int(bad)


def init(folder: str | None = None) -> str:
    """``numpyvae exercises init``: copy the skeletons into ``folder``; what was done.

    An existing file is never overwritten (it may hold a learner's work).
    """
    path = Path(folder if folder is not None else DEFAULT_DIR)
    if path.exists() and not path.is_dir():
        raise NumpyVAEError(f"{path} is a file, not a folder")
    path.mkdir(parents=True, exist_ok=True)
    templates = resources.files(__package__) / "templates"
    created, kept = [], []
    for ex in EXERCISES:
        source = (templates / ex.file).read_text(encoding="utf-8")
        try:
            with open(path / ex.file, "x", encoding="utf-8") as f:
                f.write(source)
        except FileExistsError:
            kept.append(ex)
        else:
            created.append(ex)
    shown = _display(path)
    arg = "" if folder is None else f" {folder}"
    lines = []
    if created:
        lines.append(f"wrote {len(created)} exercise{'s' if len(created) != 1 else ''} "
                     f"into {shown}/:")
        lines += [f"  {ex.file:<30}  {ex.title}" for ex in created]
    if kept:
        lines.append(f"kept as they are (already there, not overwritten): "
                     f"{', '.join(ex.file for ex in kept)}")
    first = created[0] if created else EXERCISES[0]
    lines += [
        (f"next: read {shown}/{first.file}, write your code where it raises "
         "NotImplementedError, then run"),
        f"  numpyvae exercises check{arg}",
    ]
    return "\n".join(lines)
