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

One exercise is run by ``sandbox.py`` (:func:`run_exercise`: the time limit, the prints
captured, every exception a row), with ``loading.py`` (importing the learner's file,
locating errors) and ``diagnose.py`` (the rows of a check, with hints); ``report.py``
makes the verdicts and the text.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from ..errors import NumpyVAEError
from .catalog import EXERCISES, Exercise
from .loading import _display
from .report import ERROR, WRONG, Result, Row, _next_step, format_report
from .sandbox import DEFAULT_TIME_LIMIT, run_exercise, run_part

__all__ = [  # the commands' own, and what code imported from here before sandbox.py
    "CONFTEST", "CONFTEST_TEXT", "DEFAULT_DIR", "DEFAULT_TIME_LIMIT", "Result", "Row",
    "check", "find_exercise", "init", "run_exercise", "run_part",
]

#: Where ``init`` puts the exercises, and where ``check`` looks, by default.
DEFAULT_DIR = "numpyvae-exercises"

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
