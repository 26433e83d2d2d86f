"""Running one exercise on a learner's code, sandboxed: :func:`run_exercise`.

The learner's file is imported (``loading.py``) and each of its parts is handed to its
check, all under a time limit of the exercise (:class:`~.loading.TimeLimit`, a timer
that interrupts an endless loop where it is), with what the code prints captured into
``Result.output`` instead of the screen. Whatever the code raises, ``sys.exit()`` and the
time running out included, becomes an ``error`` row saying where (:func:`_error_row`)
instead of stopping the checker; ``NotImplementedError`` is ``not yet solved``. The rows
of a check that ran come from ``diagnose.py``; when all are ok, the part's extra checks
(float32, ReLU at 0 ...) run too.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from types import ModuleType

from .catalog import Exercise, Part
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
from .report import ERROR, OK, UNSOLVED, WRONG, Result, Row
from .spies import InterfaceError, Record

#: Seconds an exercise may run (its checks take well under one) before it is stopped.
DEFAULT_TIME_LIMIT = 10.0


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
