"""The exercises as tests, for grading: ``pytest numpyvae-exercises/``.

``numpyvae exercises init`` writes two files beside the exercises: ``test_exercises.py``
imports the tests below, one per exercise (``test_ex1_dense`` ... ``test_ex7_vae_backward``),
and ``conftest.py`` imports the hooks. Each test checks its exercise as ``numpyvae
exercises check`` does (the learner's code in a child process) and

- passes when every row is ok;
- FAILS otherwise, not yet solved included ("not yet solved: write Dense.backward ..."):
  an untouched folder scores 0 of 7; the failure's text is the report's block of that
  exercise, in the folder's language (``runner.choose_language``).

For an autograder: ``--exercises-json FILE`` writes one record per exercise (its test,
verdict and the hint to act on first, see ``report.records``); pytest's own
``--junitxml FILE`` carries the verdict and hint as properties of each test case.
``NUMPYVAE_EXERCISES_TIME_LIMIT`` sets the seconds each exercise may run.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from .exercise import OK, SOLVED, UNSOLVED, Exercise
from .messages import say, speaking
from .report import display_width, exercise_block, first_hint, records
from .runner import EXERCISES, choose_language
from .sandbox import DEFAULT_TIME_LIMIT, run_exercise

#: Seconds each exercise may run (default: ``DEFAULT_TIME_LIMIT``; 0: no limit).
TIME_LIMIT = "NUMPYVAE_EXERCISES_TIME_LIMIT"

_RESULTS = pytest.StashKey[dict]()


def pytest_addoption(parser) -> None:
    parser.addoption("--exercises-json", metavar="FILE", default=None,
                     help="write the exercises' verdicts and hints to FILE, one record each")


def pytest_sessionfinish(session, exitstatus) -> None:
    path = session.config.getoption("--exercises-json", None)
    found = session.config.stash.get(_RESULTS, {})
    if path and found:
        results = [found[n] for n in sorted(found)]
        lang = results[0][1]
        text = json.dumps(records([r for r, _ in results], lang), ensure_ascii=False, indent=1)
        Path(path).write_text(text + "\n", encoding="utf-8")


def _grade(ex: Exercise, request) -> None:
    folder = Path(request.path).parent
    limit = float(os.environ.get(TIME_LIMIT, "") or DEFAULT_TIME_LIMIT)
    lang = choose_language(None, folder)
    with speaking(lang):
        result = run_exercise(ex, folder, limit)
        request.config.stash.setdefault(_RESULTS, {})[ex.number] = (result, lang)
        request.node.user_properties += [("verdict", result.status),
                                         ("hint", first_hint(result))]
        if result.status == SOLVED:
            return
        width = max([display_width(row.name) for row in result.rows] + [30])
        lines = exercise_block(result, width)
        if result.status == UNSOLVED:
            todo = [row for row in result.rows if row.verdict == UNSOLVED]
            lines.insert(0, say("pytest.unsolved", what=", ".join(
                f"{row.name}" + (f" ({row.where})" if row.where else "") for row in todo)))
        elif any(row.verdict != OK for row in result.rows):
            lines.insert(0, say("pytest.not_right", file=ex.file))
    pytest.fail("\n".join(lines), pytrace=False)


def _test(ex: Exercise):
    def test(request) -> None:
        _grade(ex, request)

    test.__name__ = test.__qualname__ = ex.test_name
    test.__doc__ = f"{ex.file}: every check of exercise {ex.number} is ok."
    return test


for _ex in EXERCISES:
    globals()[_ex.test_name] = _test(_ex)

__all__ = [ex.test_name for ex in EXERCISES]
