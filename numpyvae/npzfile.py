"""Reading a checkpoint's .npz file so that no damage gets through: checkpoint.py's helper.

:mod:`numpyvae.checkpoint` stays the only reader and writer of a run folder; this
module is its helper and nothing else imports it. It opens the file (refusing what is
not a regular file, so a FIFO never blocks), turns whatever a damaged file makes the
zip, .npy or JSON readers raise into one :class:`~numpyvae.errors.CheckpointError`
that names the file, and checks the types of the metadata record.
"""

from __future__ import annotations

import json
import os
import stat
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np

from .config import MODEL_KINDS
from .errors import CheckpointError

#: what reading a damaged .npz can raise: zipfile (BadZipFile, NotImplementedError for an
#: unknown compression method or flag, RuntimeError for the 'encrypted' flag, struct and
#: zlib errors, EOFError, KeyError), numpy's .npy reader (ValueError, and MemoryError for
#: a header that claims a huge array), and decoding the metadata (UnicodeDecodeError,
#: json's JSONDecodeError, both ValueErrors)
DAMAGED = (
    zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, ValueError, EOFError,
    KeyError, IndexError, TypeError, OverflowError, MemoryError, zlib.error, struct.error,
    UnicodeDecodeError, json.JSONDecodeError,
)


def read_npz(path: Path, names: tuple[str, ...] | None = None) -> dict[str, np.ndarray]:
    """The arrays of the .npz file at ``path`` (only ``names``, if given).

    The one place that opens a checkpoint: a missing file, one that is not a regular
    file, and anything a damaged file makes the readers raise become CheckpointError.
    """
    try:
        # O_NONBLOCK: a FIFO opens at once (and is refused below) instead of blocking
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise CheckpointError(f"{path}: no such checkpoint") from None
    except OSError as e:
        raise CheckpointError(f"{path}: cannot open it ({e.strerror or e})") from e
    try:
        regular = stat.S_ISREG(os.fstat(fd).st_mode)
    except OSError:
        regular = False
    if not regular:
        os.close(fd)
        raise CheckpointError(f"{path}: not a regular file, so not a checkpoint")
    with os.fdopen(fd, "rb") as f:
        try:
            npz = np.load(f, allow_pickle=False)
            if not isinstance(npz, np.lib.npyio.NpzFile):
                raise CheckpointError(f"{path}: not a readable checkpoint (not an .npz file)")
            with npz:
                wanted = npz.files if names is None else [k for k in names if k in npz.files]
                return {k: npz[k] for k in wanted}
        except CheckpointError:
            raise
        except DAMAGED as e:
            why = "not an .npz file" if "pickle" in str(e) else (str(e) or type(e).__name__)
            raise CheckpointError(f"{path}: not a readable checkpoint ({why})") from e


def is_float(a: np.ndarray) -> bool:
    """Whether ``a`` holds float32 or float64 values, the only dtypes a checkpoint keeps."""
    return a.dtype.kind == "f" and a.dtype.itemsize in (4, 8)


def read_meta(path: Path, entry: np.ndarray) -> dict:
    """The metadata record, its types checked (see checkpoint.py's module doc)."""
    def bad(why: str) -> CheckpointError:
        return CheckpointError(f"{path}: bad metadata ({why})")

    if entry.dtype.kind != "U" or entry.shape != ():
        raise bad(f"the meta entry is {entry.dtype} of shape {entry.shape}, not a string")
    try:
        meta = json.loads(str(entry))
    except ValueError as e:
        raise bad(f"not JSON: {e}") from e
    if not isinstance(meta, dict):
        raise bad("not a record")
    if not isinstance(meta.get("config"), dict):
        raise bad("config is missing or not a record")
    if not isinstance(meta.get("model", "vae"), str) or meta.get("model", "vae") not in MODEL_KINDS:
        raise bad(f"model is {meta.get('model')!r}, not one of {sorted(MODEL_KINDS)}")
    epoch = meta.get("epoch")
    if "epoch" in meta and (type(epoch) is not int or epoch < 0):
        raise bad(f"epoch is {epoch!r}, not a whole number >= 0")
    history = meta.get("history")
    if "history" in meta:
        if not isinstance(history, list) or not all(isinstance(h, dict) for h in history):
            raise bad("history is not a list of records")
        if "epoch" in meta and len(history) != epoch:
            raise bad(f"the history holds {len(history)} epochs, but this is the checkpoint "
                      f"of epoch {epoch}")
    settings = meta.get("settings")
    if settings is not None:
        if not isinstance(settings, dict):
            raise bad("settings is not a record")
        extra = settings.get("extra")
        if extra is not None and not isinstance(extra, dict):
            raise bad("settings.extra is not a record")
        for key in ("dataset", "data_dir"):
            value = (extra or {}).get(key)
            if value is not None and not isinstance(value, str):
                raise bad(f"settings.extra.{key} is {value!r}, not a string")
    if meta.get("rng_state") is not None and not isinstance(meta["rng_state"], dict):
        raise bad("rng_state is not a record")
    return meta
