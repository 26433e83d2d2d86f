"""Importing a learner's file fresh, and the facts of an exception raised in it.

:func:`load_file` imports an exercise file by its path (compiled anew each time, no
``__pycache__`` left behind); :func:`facts` turns an exception into what the parent
needs to write its row: what it was, "file:line: the line of code" in the learner's file
when it is there, and which step of the check was running.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import sys
import traceback
from pathlib import Path
from types import ModuleType

import numpy as np


def display(path: str | os.PathLike) -> str:
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


def load_file(path: Path) -> ModuleType:
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


class TimeLimitExceeded(BaseException):
    """Raised in whatever runs when an exercise's time is up. A BaseException, so that a
    learner's ``except Exception`` does not swallow it."""


class Forbidden(BaseException):
    """Raised by a call the checker does not allow in an exercise (os._exit, os.fork,
    signal.signal ...): it would end, copy or stop the process of the check."""


def _frame(exc: BaseException, path: Path | None) -> tuple[str, int, str] | None:
    """(file, line, source) where ``exc`` was raised: in the learner's file if it is there."""
    if isinstance(exc, SyntaxError) and exc.filename and exc.lineno:
        return exc.filename, exc.lineno, (exc.text or "").strip()
    frames = traceback.extract_tb(exc.__traceback__)
    numpy_dir = os.path.dirname(np.__file__)
    here = os.path.dirname(os.path.abspath(__file__))
    if path is not None:
        mine = [f for f in frames if _same_file(f.filename, path)]
    else:
        mine = [f for f in frames if not os.path.abspath(f.filename).startswith(numpy_dir)]
    if not mine:  # the learner's file is not on the stack: the innermost frame but ours
        mine = [f for f in frames if not os.path.abspath(f.filename).startswith(here)]
    frame = (mine or frames or [None])[-1]
    return None if frame is None else (frame.filename, frame.lineno, (frame.line or "").strip())


def location(exc: BaseException, path: Path | None, source: bool = True) -> str:
    """'file:line: the line of code' where ``exc`` was raised ('' if unknown)."""
    frame = _frame(exc, path)
    if frame is None:
        return ""
    mine = path is not None and _same_file(frame[0], path)
    name = Path(frame[0]).name if mine else display(frame[0])
    where = f"{name}:{frame[1]}"
    return f"{where}: {frame[2]}" if source and frame[2] else where


def facts(exc: BaseException, path: Path | None, seconds: float | None = None) -> dict:
    """What the parent needs to write the row of ``exc``: a JSON-ready dict."""
    frame = _frame(exc, path)
    out: dict = {"type": type(exc).__name__, "where": location(exc, path),
                 "line": frame[2] if frame else "",
                 "outside": bool(frame and path is not None and not _same_file(frame[0], path))}
    if isinstance(exc, NotImplementedError):
        return {"kind": "unsolved", "where": location(exc, path, source=False)}
    if isinstance(exc, TimeLimitExceeded):
        out.update(kind="time", seconds=seconds or 0)
    elif isinstance(exc, SystemExit):
        out.update(kind="exit", code="" if exc.code is None else repr(exc.code))
    elif isinstance(exc, Forbidden):
        out.update(kind="forbidden", what=str(exc))
    elif isinstance(exc, MemoryError):
        out.update(kind="memory", message=str(exc)[:200])
    else:
        message = exc.msg if isinstance(exc, SyntaxError) else str(exc)
        out.update(kind="exception", message=message[:500])
    return out
