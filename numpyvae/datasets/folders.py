"""The cache folder: making it, checking that it can be written, removing it again.

:func:`.downloads.download` creates the folders a file goes into
(:func:`_make_folders`), checks that a file can be created there before any
mirror is tried (:func:`_check_writable`), and removes the folders it created
when every mirror fails (:func:`_remove_empty_folders`). A folder that refuses
a file or a folder raises :class:`_CacheNotWritable`: no mirror is to blame.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from ..errors import DataError
from ..fileio import temp_path


class _CacheNotWritable(DataError):
    """The cache folder cannot be written: no mirror is to blame, none is tried."""


def _not_writable(folder: Path, exc: OSError) -> _CacheNotWritable:
    """The error for a cache folder that refuses a file or a folder."""
    hint = " (read-only?)" if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM) else ""
    return _CacheNotWritable(
        f"cannot write into the cache folder {folder}{hint}: {exc.strerror or exc}"
    )


def _make_folders(folder: Path) -> list[Path]:
    """Create `folder` and its missing parents; the ones created, deepest first."""
    missing = []
    while not folder.exists() and folder.parent != folder:
        missing.append(folder)
        folder = folder.parent
    created: list[Path] = []
    for path in reversed(missing):
        try:
            path.mkdir(exist_ok=True)
        except OSError as exc:
            _remove_empty_folders(created)
            raise _not_writable(path.parent, exc) from exc
        created.insert(0, path)
    return created


def _remove_empty_folders(folders: list[Path]) -> None:
    """Remove `folders` (deepest first), stopping at the first one that is not empty."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return


def _check_writable(folder: Path) -> None:
    """Raise _CacheNotWritable unless a file can be created in `folder`."""
    probe = temp_path(folder / "write-test")
    try:
        with open(probe, "xb"):
            pass
        os.unlink(probe)
    except OSError as exc:
        raise _not_writable(folder, exc) from exc
