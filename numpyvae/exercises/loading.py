"""Importing a learner's file fresh, and saying where in it an exception was raised.

:func:`load` imports an exercise file by its path (compiled anew each time, no
``__pycache__`` left behind); :func:`_location` and :func:`_error_text` turn an
exception into "file:line: the line of code", in the learner's file when it is there.
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
