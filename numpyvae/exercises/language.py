"""Which language the exercises speak, and every message a learner reads in it.

Each message is one row of :data:`numpyvae.exercises.messages.MESSAGES`, in English and
in Korean side by side; :func:`say` picks the language of the moment, which
:func:`speaking` sets for a block of code (the checker, ``train``, the pytest form).

The language is chosen in this order (:func:`choose`):

1. ``--lang en|ko`` on the command line;
2. the environment variable ``NUMPYVAE_LANG`` (``en`` or ``ko``);
3. the language the folder was made in: ``numpyvae exercises init`` writes it into
   ``.numpyvae-exercises.json`` beside the exercises, so ``check``, ``train`` and
   ``pytest`` answer in the language of the skeletons;
4. the locale: Korean when the first of ``LC_ALL``, ``LC_MESSAGES``, ``LANG`` that is set
   starts with ``ko`` (``LANG=ko_KR.UTF-8``);
5. English.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import os
from collections.abc import Iterator
from pathlib import Path

from .messages import MESSAGES

#: The languages of the course: English and Korean.
LANGUAGES = ("en", "ko")

#: The file ``init`` writes beside the exercises: the folder's language.
FOLDER_FILE = ".numpyvae-exercises.json"

#: The environment variable that overrides the folder's language and the locale.
ENV = "NUMPYVAE_LANG"

_current: contextvars.ContextVar[str] = contextvars.ContextVar("numpyvae_exercises_language",
                                                               default="en")


def current() -> str:
    """The language messages are given in now: "en" or "ko"."""
    return _current.get()


@contextlib.contextmanager
def speaking(lang: str) -> Iterator[None]:
    """Within the block, :func:`say` answers in ``lang``."""
    token = _current.set(lang if lang in LANGUAGES else "en")
    try:
        yield
    finally:
        _current.reset(token)


def say(key: str, /, **fields: object) -> str:
    """The message ``key`` of :data:`MESSAGES` in the current language, ``fields`` filled in."""
    en, ko = MESSAGES[key]
    return (ko if _current.get() == "ko" else en).format(**fields)


def both(key: str, /, **fields: object) -> dict[str, str]:
    """The message ``key`` in every language: ``{"en": ..., "ko": ...}``."""
    return {lang: text.format(**fields) for lang, text in zip(LANGUAGES, MESSAGES[key])}


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


def choose(explicit: str | None = None, folder: str | os.PathLike | None = None,
           environ: dict[str, str] | None = None) -> str:
    """The language to speak: see the order in this module's docstring."""
    environ = os.environ if environ is None else environ
    if explicit in LANGUAGES:
        return explicit
    env = environ.get(ENV, "").strip().lower()
    if env in LANGUAGES:
        return env
    return of_folder(folder) or from_locale(environ)
