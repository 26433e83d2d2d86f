"""Importing a learner's file fresh, and saying where in it an exception was raised.

:func:`load` imports an exercise file by its path (compiled anew each time, no
``__pycache__`` left behind); :func:`_location` and :func:`_error_text` turn an
exception into "file:line: the line of code", in the learner's file when it is there.
:class:`TimeLimit` stops an exercise that runs too long (an endless loop) by raising
:class:`TimeLimitExceeded` wherever the code is, so that its traceback says where.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import signal
import sys
import threading
import traceback
from pathlib import Path
from types import ModuleType

import numpy as np

from .spies import Record


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


# ---- a time limit per exercise ------------------------------------------------------------


class TimeLimitExceeded(BaseException):
    """Raised in whatever runs when an exercise's time is up. A BaseException, so that a
    learner's ``except Exception`` does not swallow it."""


class TimeLimit:
    """``with TimeLimit(seconds):`` raises :class:`TimeLimitExceeded` in the code that
    runs once ``seconds`` have passed, and again every half second until it is caught
    (should the learner's code catch it) and :meth:`stop` is called.

    POSIX only, on the main thread (``signal.setitimer``); elsewhere, or with ``seconds``
    None or 0, there is no limit.
    """

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.armed = False
        self.expired = False
        self._previous = None

    def __enter__(self) -> TimeLimit:  # noqa: PYI034 -- typing.Self is 3.11, numpyvae 3.10
        if (self.seconds and self.seconds > 0 and hasattr(signal, "setitimer")
                and threading.current_thread() is threading.main_thread()):
            self._previous = signal.signal(signal.SIGALRM, self._alarm)
            signal.setitimer(signal.ITIMER_REAL, self.seconds, 0.5)
            self.armed = True
        return self

    def _alarm(self, signum, frame) -> None:
        if self.armed:
            self.expired = True
            raise TimeLimitExceeded(self.seconds)

    def stop(self) -> None:
        """No more interrupts (the first thing to do on catching one)."""
        self.armed = False

    def __exit__(self, *exc) -> None:
        self.armed = False
        if self._previous is not None:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._previous)
            self._previous = None


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
    where = _location(exc, path)
    if isinstance(exc, TimeLimitExceeded):
        text = (f"took longer than {exc.args[0]:g} s (an endless loop?), and was stopped"
                + (f" at {where}" if where else ""))
        return text + "\n(the limit is an option: numpyvae exercises check --time-limit SECONDS)"
    if isinstance(exc, SystemExit):
        code = "" if exc.code is None else f"({exc.code!r})"
        text = (f"SystemExit{code}: sys.exit(), exit() or quit() was called; the checks "
                "cannot go on past it: remove it")
        return text + (f"\nat {where}" if where else "")
    text = f"{type(exc).__name__}: {exc.msg if isinstance(exc, SyntaxError) else exc}"
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
