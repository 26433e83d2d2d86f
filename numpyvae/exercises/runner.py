"""The seven exercises in order (:data:`EXERCISES`), and ``numpyvae exercises init`` and
``check``: copy the skeletons, check a learner's code, in the folder's language.

:func:`init` copies the skeletons of ``templates/en/`` or ``templates/ko/`` into a folder,
never overwriting, with the two files of the pytest form and the folder's language.
:func:`check` checks each exercise file of a folder (``sandbox.run_exercise``: the
learner's code in a child process, the verdict here) and returns the report, or the
records of ``--json``. Each row has a verdict:

- ``ok``: within the bound;
- ``not yet solved``: the code still raises NotImplementedError;
- ``wrong``: over the bound, or a contract broken (a second call, float32, an array
  changed in place ...), with a hint when the answer matches a typical mistake;
- ``error``: the learner's code raised an exception, or ran past the time limit, or
  ended, forked or patched the process of the check: what, and where.

The language is chosen in this order (:func:`choose_language`):

1. ``--lang en|ko`` on the command line;
2. the environment variable ``NUMPYVAE_LANG`` (``en`` or ``ko``);
3. the language the folder was made in: ``init`` writes it into
   ``.numpyvae-exercises.json`` beside the exercises, so ``check``, ``train`` and
   ``pytest`` answer in the language of the skeletons;
4. the locale: Korean when the first of ``LC_ALL``, ``LC_MESSAGES``, ``LANG`` that is set
   starts with ``ko`` (``LANG=ko_KR.UTF-8``);
5. English.
"""

from __future__ import annotations

import json
import os
from importlib import resources
from pathlib import Path

from ..errors import NumpyVAEError
from . import (
    ex1_dense,
    ex2_relu,
    ex3_sigmoid_cross_entropy,
    ex4_reparameterize,
    ex5_kl,
    ex6_adam,
    ex7_vae_backward,
)
from .exercise import ERROR, WRONG, Exercise
from .loading import display
from .messages import LANGUAGES, say, speaking
from .report import format_report, next_step, records
from .sandbox import DEFAULT_TIME_LIMIT, run_exercise

#: The seven exercises, in the order of the lecture: the one list every count comes from.
#: Each is defined, with its checks and typical mistakes, in the module named like its file.
EXERCISES: tuple[Exercise, ...] = tuple(m.EXERCISE for m in (
    ex1_dense, ex2_relu, ex3_sigmoid_cross_entropy, ex4_reparameterize, ex5_kl, ex6_adam,
    ex7_vae_backward))

#: How many exercises there are ("1 of 7", "numbers 1-7").
COUNT = len(EXERCISES)

#: Where ``init`` puts the exercises, and where ``check`` looks, by default.
DEFAULT_DIR = "numpyvae-exercises"

#: What ``init`` writes beside the exercises so that ``pytest DIR`` grades them: one test
#: per exercise (``test_ex1_dense`` ...), and the option ``--exercises-json FILE``.
PYTEST_FILES = {
    "conftest.py": '''"""Lets pytest grade the exercises: pytest .  (or pytest numpyvae-exercises/)

One test per exercise; --exercises-json FILE writes one record per exercise (verdict,
hint) for an autograder. Written by 'numpyvae exercises init'.
"""

from numpyvae.exercises.pytest_plugin import pytest_addoption, pytest_sessionfinish  # noqa: F401
''',
    "test_exercises.py": f'''"""The {COUNT} exercises as tests, {EXERCISES[0].test_name} ... {EXERCISES[-1].test_name}:
each fails until its exercise is solved. Written by 'numpyvae exercises init'.
"""

from numpyvae.exercises.pytest_plugin import *  # noqa: F403
''',
}


# ---- the language a folder speaks -----------------------------------------------------------

#: The file ``init`` writes beside the exercises: the folder's language.
FOLDER_FILE = ".numpyvae-exercises.json"

#: The environment variable that overrides the folder's language and the locale.
ENV = "NUMPYVAE_LANG"


def from_locale(environ: dict[str, str] | None = None) -> str:
    """"ko" when the locale is Korean (the first set of LC_ALL, LC_MESSAGES, LANG), else "en"."""
    environ = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")
        if value:
            return "ko" if value.lower().startswith("ko") else "en"
    return "en"


def of_folder(folder: str | os.PathLike | None) -> str | None:
    """The language ``init`` wrote into ``folder`` (None when it wrote none, or it is unreadable)."""
    if folder is None:
        return None
    try:
        lang = json.loads((Path(folder) / FOLDER_FILE).read_text(encoding="utf-8")).get("lang")
    except (OSError, ValueError, AttributeError):
        return None
    return lang if lang in LANGUAGES else None


def remember(folder: str | os.PathLike, lang: str) -> None:
    """Write the folder's language (see :data:`FOLDER_FILE`)."""
    text = json.dumps({"lang": lang, "written by": "numpyvae exercises init"}) + "\n"
    (Path(folder) / FOLDER_FILE).write_text(text, encoding="utf-8")


def choose_language(explicit: str | None = None, folder: str | os.PathLike | None = None,
                    environ: dict[str, str] | None = None) -> str:
    """The language to speak: see the order in this module's docstring."""
    environ = os.environ if environ is None else environ
    if explicit in LANGUAGES:
        return explicit
    env = environ.get(ENV, "").strip().lower()
    if env in LANGUAGES:
        return env
    return of_folder(folder) or from_locale(environ)


# ---- init and check -------------------------------------------------------------------------


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
    raise NumpyVAEError(say("runner.no_exercise", name=repr(name), names=names, count=COUNT))


def check_folder(folder: str | None) -> tuple[Path, str]:
    """The folder to check, and how to name it in a command ('' for the default)."""
    if folder is None:
        if Path(DEFAULT_DIR).is_dir():
            path, arg = Path(DEFAULT_DIR), ""
        elif any(Path(ex.file).exists() for ex in EXERCISES):
            path, arg = Path("."), ""
        else:
            raise NumpyVAEError(say("runner.none_here", folder=DEFAULT_DIR))
    else:
        path, arg = Path(folder), f" {folder}"
        if not path.exists():
            raise NumpyVAEError(say("runner.no_folder", folder=folder))
        if not path.is_dir():
            raise NumpyVAEError(say("runner.is_file", folder=folder))
    if not any((path / ex.file).exists() for ex in EXERCISES):
        raise NumpyVAEError(say("runner.no_files", folder=display(path), arg=arg))
    return path, arg


def folder_language(folder: str | None, lang: str | None = None) -> str:
    """The language to check ``folder`` in (see :func:`choose_language`)."""
    if folder is None:
        folder = DEFAULT_DIR if Path(DEFAULT_DIR).is_dir() else "."
    return choose_language(lang, folder)


def check(folder: str | None = None, only: list[str] | None = None,
          solutions: bool = False, reference: bool = False,
          time_limit: float | None = DEFAULT_TIME_LIMIT, lang: str | None = None,
          as_json: bool = False) -> tuple[str, int]:
    """``numpyvae exercises check``: the report (or, ``as_json``, the records of every
    exercise as JSON), and the exit status.

    Args:
        folder: where the learner's files are (default: ./numpyvae-exercises, or the
            current folder if it holds them).
        only: names of exercises to check (see :func:`find_exercise`); default all.
        solutions: check the library's own implementation instead of a folder.
        reference: say, per row, how the answer compares with the library's own (exact,
            close, differs); off by default, so that it gives nothing away before trying.
        time_limit: seconds each exercise may run (None or 0: no limit).
        lang: "en" or "ko" (default: see :func:`choose_language`).

    Returns:
        the text; 0 when no exercise is wrong or stopped by an error (exercises not yet
        solved are fine), 1 otherwise.
    """
    lang = choose_language(lang) if solutions else folder_language(folder, lang)
    with speaking(lang):
        chosen = [find_exercise(name) for name in only] if only else list(EXERCISES)
        chosen = [ex for ex in EXERCISES if ex in chosen]
        if solutions:
            if folder is not None:
                raise NumpyVAEError(say("runner.solutions_folder"))
            results = [run_exercise(ex, None, time_limit) for ex in chosen]
            heading = say("runner.heading_solutions")
            text = format_report(results, heading, solutions=True, reference=reference)
        else:
            path, arg = check_folder(folder)
            results = [run_exercise(ex, path, time_limit) for ex in chosen]
            heading = say("runner.heading", folder=display(path))
            step = next_step(results, f"numpyvae exercises check{arg}", only, COUNT)
            text = format_report(results, heading, step, reference=reference)
        if as_json:
            text = json.dumps(records(results, lang), ensure_ascii=False, indent=1)
    bad = any(r.status in (WRONG, ERROR) for r in results)
    return text, int(bad)


def init(folder: str | None = None, lang: str | None = None) -> str:
    """``numpyvae exercises init``: copy the skeletons into ``folder``; what was done.

    An existing file is never overwritten (it may hold a learner's work). The skeletons
    are in ``lang`` ("en" or "ko"; default: the folder's, else the locale's); the folder
    remembers it, so that ``check``, ``train`` and ``pytest`` answer in it.
    """
    path = Path(folder if folder is not None else DEFAULT_DIR)
    lang = choose_language(lang, path if path.is_dir() else None)
    with speaking(lang):
        if path.exists() and not path.is_dir():
            raise NumpyVAEError(say("runner.init_is_file", folder=path))
        path.mkdir(parents=True, exist_ok=True)
        if of_folder(path) != lang:
            remember(path, lang)
        templates = resources.files(__package__) / "templates" / lang
        created, kept = [], []
        _replace_old_conftest(path / "conftest.py")
        pytest_files = [name for name, text in PYTEST_FILES.items() if _create(path / name, text)]
        for ex in EXERCISES:
            source = (templates / ex.file).read_text(encoding="utf-8")
            (created if _create(path / ex.file, source) else kept).append(ex)
        shown = display(path)
        arg = "" if folder is None else f" {folder}"
        lines = []
        if created:
            lines.append(say("runner.wrote", n=len(created), folder=shown,
                             s="s" if len(created) != 1 else ""))
            lines += [f"  {ex.file:<30}  {say(ex.title_key)}" for ex in created]
        if kept:
            lines.append(say("runner.kept", files=", ".join(ex.file for ex in kept)))
        first = created[0] if created else EXERCISES[0]
        lines += [say("runner.next", folder=shown, file=first.file),
                  f"  numpyvae exercises check{arg}"]
        if pytest_files:
            lines.append(say("runner.pytest", folder=shown))
        return "\n".join(lines)


def _replace_old_conftest(path: Path) -> None:
    """A conftest.py an earlier init wrote imports a hook that is gone (its tests were one per
    row): remove it, so that init writes the current one. A changed conftest.py is kept."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return
    if "import pytest_collect_file" in text and "numpyvae.exercises.pytest_plugin" in text:
        path.unlink()


def _create(path: Path, text: str) -> bool:
    """Write ``text`` to a new file ``path``; False when it exists (it is kept)."""
    try:
        with open(path, "x", encoding="utf-8") as f:
            f.write(text)
    except FileExistsError:
        return False
    return True
