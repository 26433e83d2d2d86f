"""The exercises as tests: ``pytest numpyvae-exercises/`` runs the checks of
``numpyvae exercises check``, one test per row (per gradient), with the same messages.

``numpyvae exercises init`` writes a ``conftest.py`` beside the exercises that imports
:func:`pytest_collect_file` from here; then, in a course, ``pytest DIR`` grades them:

- a row that is ``ok`` passes;
- ``not yet solved`` is skipped (it is no failure, and no pass either);
- ``wrong`` and ``error`` fail, the report's line and hint as the failure's text, with
  what the exercise printed.

Each exercise file is one collector: its check runs once, as the file is collected,
under the time limit of ``numpyvae exercises check`` (settable in seconds with the
environment variable ``NUMPYVAE_EXERCISES_TIME_LIMIT``). With
``NUMPYVAE_EXERCISES_SOLUTIONS=1`` the library's own code is checked instead of the
files, as ``check --solutions`` does (the library's CI runs it so).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from .catalog import EXERCISES, Exercise
from .report import ERROR, OK, UNSOLVED, Row, _wrap, format_output, row_line
from .runner import DEFAULT_TIME_LIMIT, run_exercise

#: Set to 1: check the library's own implementation, not the files of the folder.
SOLUTIONS = "NUMPYVAE_EXERCISES_SOLUTIONS"
#: Seconds each exercise may run (default: ``DEFAULT_TIME_LIMIT``; 0: no limit).
TIME_LIMIT = "NUMPYVAE_EXERCISES_TIME_LIMIT"

_BY_FILE = {ex.file: ex for ex in EXERCISES}


def pytest_collect_file(file_path, parent):
    """An exercise file (``ex1_dense.py`` ...) is collected as the rows of its check."""
    exercise = _BY_FILE.get(file_path.name)
    if exercise is None:
        return None
    node = ExerciseFile.from_parent(parent, path=file_path)
    node.exercise = exercise
    return node


class RowFailed(Exception):
    """A row that is wrong, or an error."""


class ExerciseFile(pytest.File):
    """One exercise file: checked once, one item per row of the report."""

    exercise: Exercise

    def collect(self) -> Iterator[ExerciseRow]:
        solutions = os.environ.get(SOLUTIONS, "").strip() not in ("", "0")
        limit = float(os.environ.get(TIME_LIMIT, "") or DEFAULT_TIME_LIMIT)
        result = run_exercise(self.exercise, None if solutions else self.path.parent, limit)
        seen: set[str] = set()
        for row in result.rows:
            name = " ".join(row.name.split())
            while name in seen:  # two rows of the same name stay two tests
                name += "'"
            seen.add(name)
            item = ExerciseRow.from_parent(self, name=name)
            item.row, item.output = row, result.output
            yield item


class ExerciseRow(pytest.Item):
    """One row of the report: passes when ok, skipped when not yet solved, else fails."""

    row: Row
    output: str

    def runtest(self) -> None:
        if self.row.verdict == OK:
            return
        if self.row.verdict == UNSOLVED:
            where = f" ({self.row.where})" if self.row.where else ""
            pytest.skip(f"{self.row.name.split()[0]}: not yet solved{where}")
        raise RowFailed(self.row.verdict)

    def repr_failure(self, excinfo, style=None):
        if not isinstance(excinfo.value, RowFailed):
            return super().repr_failure(excinfo, style)
        lines = [" ".join(row_line(self.row, 0).split())]  # the short summary shows it
        if self.row.hint:
            lines += _wrap(self.row.hint)
        lines += format_output(self.output)
        if self.row.verdict == ERROR:
            lines.append("  (an error in the code: the exercise could not be checked)")
        return "\n".join(lines)

    def reportinfo(self):
        return self.path, None, f"{self.path.name}::{self.name}"
