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
- ``error``: the learner's code raised an exception: its type, message, file:line
  (``sys.exit()`` too), or it ran past the time limit of the exercise (an endless loop:
  where it was stopped).

What the learner's code prints is captured per exercise and shown under its rows, each
line once. With ``reference=True`` each row also says how the answer compares with the
library's own: exact, close, or differs, and by how much.

The work is shared by ``loading.py`` (importing the learner's file, locating errors),
``diagnose.py`` (the rows of a check, with hints) and ``report.py`` (the rows, the
verdicts, the text).
"""

from __future__ import annotations

import contextlib
import io
from importlib import resources
from pathlib import Path
from types import ModuleType

from ..errors import NumpyVAEError
from .catalog import EXERCISES, Exercise, Part
from .diagnose import diagnose
from .loading import (
    TimeLimit,
    TimeLimitExceeded,
    _definition,
    _display,
    _error_text,
    _frame,
    _location,
    load,
)
from .report import ERROR, OK, UNSOLVED, WRONG, Result, Row, _next_step, format_report
from .spies import InterfaceError, Record

#: Where ``init`` puts the exercises, and where ``check`` looks, by default.
DEFAULT_DIR = "numpyvae-exercises"

#: Seconds an exercise may run (its checks take well under one) before it is stopped.
DEFAULT_TIME_LIMIT = 10.0

#: What ``init`` writes beside the exercises: ``pytest DIR`` runs the same checks.
CONFTEST = "conftest.py"
CONFTEST_TEXT = '''"""Lets pytest run the checks of 'numpyvae exercises check', one test per gradient:

    pytest .        (or: pytest numpyvae-exercises/, from the folder above)

Written by 'numpyvae exercises init'; the tests are numpyvae/exercises/pytest_plugin.py.
"""

from numpyvae.exercises.pytest_plugin import pytest_collect_file  # noqa: F401
'''


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


# ---- running ------------------------------------------------------------------------------


def _error_row(label: str, exc: BaseException, path: Path | None, rec: Record | None,
               part: Part | None = None, timer: TimeLimit | None = None) -> Row:
    """The row of an exception (or of the time running out) in the learner's code."""
    if isinstance(exc, TimeLimitExceeded) and timer is not None:
        timer.stop()
    text = _error_text(exc, path, rec)
    if part is not None and isinstance(exc, Exception):
        frame = _frame(exc, path)
        try:
            hint = part.error_hint(exc, frame[2] if frame else "", rec.inputs if rec else {})
        except Exception:  # noqa: BLE001 -- a hint that cannot be made is left out
            hint = None
        if hint:
            text += "\n" + hint
    return Row(label, "-", "-", ERROR, text)


def _extras(part: Part, impl: object, path: Path | None, timer: TimeLimit | None) -> list[Row]:
    """The rows of the part's checks beyond finite differences (float32, ReLU at 0 ...)."""
    rows = []
    for extra in part.extras:
        try:
            measured, hint = extra.run(impl)
        except (Exception, SystemExit, TimeLimitExceeded) as e:  # noqa: BLE001
            rows.append(_error_row(extra.name, e, path, None, None, timer))
            if isinstance(e, TimeLimitExceeded):
                break
        else:
            rows.append(Row(extra.name, measured, "-", WRONG if hint else OK, hint))
    return rows


def run_part(part: Part, impl: object, module: ModuleType | None = None,
             timer: TimeLimit | None = None) -> list[Row]:
    """The rows of one part: run its check on ``impl`` (watched), then diagnose; then,
    when every row is ok, the part's extra checks.

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
    except (Exception, SystemExit, TimeLimitExceeded) as e:  # noqa: BLE001 -- whatever the learner's code raises is reported
        return [_error_row(label, e, path, rec, part, timer)]
    rows = diagnose(part, checked, rec)
    if all(r.verdict == OK for r in rows):
        rows += _extras(part, impl, path, timer)
    return rows


def _fill(result: Result, folder: Path | None, timer: TimeLimit) -> None:
    """The rows of ``result.exercise``, appended to ``result.rows`` as they come."""
    ex = result.exercise
    if folder is None:
        for p in ex.parts:
            result.rows += run_part(p, p.solution, timer=timer)
        return
    path = folder / ex.file
    if not path.exists():
        result.rows.append(Row(ex.file, "-", "-", UNSOLVED,
                               f"{_display(path)} is missing: 'numpyvae exercises init "
                               f"{_display(folder)}' puts it back (it overwrites nothing)"))
        return
    try:
        module = load(path)
    except NotImplementedError as e:
        where = _location(e, path, source=False)
        result.rows.append(Row(ex.file, "-", "-", UNSOLVED, where=where))
        return
    except (Exception, SystemExit, TimeLimitExceeded) as e:  # noqa: BLE001 -- whatever the learner's file raises is reported
        result.rows.append(_error_row(ex.file, e, path, None, None, timer))
        return
    for part in ex.parts:
        impl = getattr(module, part.name, None)
        if timer.expired:
            result.rows.append(Row(part.label, "-", "-", ERROR,
                                   "not run: the time limit of this exercise ran out above"))
        elif impl is None:
            result.rows.append(Row(part.label, "-", "-", ERROR,
                                   f"{ex.file} defines no {part.name}: keep the names of the "
                                   "skeleton (the checks look them up)"))
        else:
            result.rows += run_part(part, impl, module, timer)


def run_exercise(ex: Exercise, folder: Path | None,
                 time_limit: float | None = DEFAULT_TIME_LIMIT) -> Result:
    """Check one exercise: the file in ``folder``, or the library's own code if None.

    What the code prints goes to ``Result.output``, not to the screen; past
    ``time_limit`` seconds the exercise is stopped (see :class:`TimeLimit`).
    """
    result = Result(ex)
    printed = io.StringIO()
    with (contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed),
          TimeLimit(time_limit) as timer):
        try:
            _fill(result, folder, timer)
        except TimeLimitExceeded as e:  # between two parts: in the checker's own code
            path = folder / ex.file if folder is not None else None
            result.rows.append(_error_row(ex.file, e, path, None, None, timer))
    result.output = printed.getvalue()
    return result


# ---- the commands --------------------------------------------------------------------------


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
          solutions: bool = False, reference: bool = False,
          time_limit: float | None = DEFAULT_TIME_LIMIT) -> tuple[str, int]:
    """``numpyvae exercises check``: the report, and the exit status.

    Args:
        folder: where the learner's files are (default: ./numpyvae-exercises, or the
            current folder if it holds them).
        only: names of exercises to check (see :func:`find_exercise`); default all.
        solutions: check the library's own implementation instead of a folder.
        reference: say, per row, how the answer compares with the library's own (exact,
            close, differs); off by default, so that it gives nothing away before trying.
        time_limit: seconds each exercise may run (None or 0: no limit).

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
        results = [run_exercise(ex, None, time_limit) for ex in chosen]
        heading = ("numpyvae exercises: the library's own implementation, through the checks "
                   "the exercises get\n(rel error against central differences in float64 "
                   "must stay under the bound)")
        text = format_report(results, heading, solutions=True, reference=reference)
    else:
        path, arg = _check_folder(folder)
        results = [run_exercise(ex, path, time_limit) for ex in chosen]
        heading = (f"numpyvae exercises: checking {_display(path)}/\n(rel error against "
                   "central differences in float64 must stay under the bound)")
        next_step = _next_step(results, f"numpyvae exercises check{arg}", only)
        text = format_report(results, heading, next_step, reference=reference)
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
    try:  # pytest DIR runs the same checks (see pytest_plugin.py); a kept one stays
        with open(path / CONFTEST, "x", encoding="utf-8") as f:
            f.write(CONFTEST_TEXT)
        conftest = True
    except FileExistsError:
        conftest = False
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
    if conftest:
        lines.append(f"(or, as tests, one per gradient: pytest {shown}; {CONFTEST} says how)")
    return "\n".join(lines)
