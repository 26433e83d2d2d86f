"""The one reader and writer of a run folder.

A run folder holds ``checkpoint.npz`` (rewritten after every epoch), ``history.json``
and, after ``numpyvae evaluate``, ``eval.json``. The checkpoint is the run record:

- ``param/<name>``: every parameter, under the model's names (``encoder.0.W``, ...);
- ``optim/<key>``: the optimizer's state (Adam's t, m and v);
- ``meta``: one JSON string with ``format``, ``model`` ("vae" or "ae"), ``config``
  (VAEConfig), and, for a training run, ``epoch``, ``history`` (one record per epoch),
  ``settings`` (TrainSettings, whose ``extra`` names the data set and its folder) and
  ``rng_state`` (the training generator, so that a resumed run ends bit for bit where
  an uninterrupted one ends).

The checkpoint is the one source of truth. ``history.json`` is a copy of its history,
for reading (plots, a glance with ``cat``): it is written after the checkpoint, so a
crash between the two leaves it one epoch behind, never ahead, and resuming the run
rewrites it from the checkpoint (:func:`write_history`). Nothing reads it back.

Files are written to a temporary name and renamed into place (``fileio``), so a crash
never leaves a half-written checkpoint, and read with ``allow_pickle=False``. A
checkpoint is written only when every array it holds is finite. Reading checks
everything: a damaged file (whatever the zip or .npy reader raises on it), a file that
is not a regular file (a FIFO would block), parameters that are not float32/float64
or do not fit the config, and metadata of the wrong type all give one
:class:`CheckpointError` that names the file (the opening and the metadata checks are
at the end of this module).
"""

from __future__ import annotations

import json
import os
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .config import MODEL_KINDS, VAEConfig
from .errors import CheckpointError
from .fileio import atomic_write
from .model import VAE, AutoEncoder

CHECKPOINT = "checkpoint.npz"
HISTORY = "history.json"
EVAL = "eval.json"
MODEL_CLASSES = {"vae": VAE, "ae": AutoEncoder}  # one per config.MODEL_KINDS

def _finite_or_refuse(path: Path, arrays: dict[str, np.ndarray]) -> None:
    for name, a in arrays.items():
        if name != "meta" and not np.all(np.isfinite(a)):
            what = name.replace("param/", "parameter ").replace("optim/", "optimizer state ")
            raise CheckpointError(f"{path}: not written: {what} has non-finite values")


def save_checkpoint(path: str | Path, model: VAE | AutoEncoder, optimizer=None,
                    meta: dict | None = None) -> None:
    """Write ``model`` (and ``optimizer``, and ``meta``, any JSON-ready dict) to ``path``.

    Raises :class:`CheckpointError` (and writes nothing) when a parameter or the
    optimizer state holds a non-finite value: such a checkpoint could not be read back.
    """
    arrays = {f"param/{k}": v for k, v in model.params.items()}
    if optimizer is not None:
        arrays.update({f"optim/{k}": v for k, v in optimizer.state_dict().items()})
    _finite_or_refuse(Path(path), arrays)
    info = {
        "format": 1,
        "model": "ae" if isinstance(model, AutoEncoder) else "vae",
        "config": model.config.to_dict(),
        **(meta or {}),
    }
    arrays["meta"] = np.array(json.dumps(info))
    atomic_write(Path(path), lambda f: np.savez(f, **arrays))


def load_checkpoint(path: str | Path) -> tuple[VAE | AutoEncoder, dict, dict]:
    """Read a checkpoint (a file, or a run folder): ``(model, optimizer_state, meta)``.

    Raises :class:`CheckpointError` naming the file for a missing, damaged, truncated
    or foreign file, one that is not a regular file, one whose arrays are not floats or
    do not fit the stored config, and one whose metadata have the wrong types.
    """
    path = Path(path)
    if path.is_dir():
        path = path / CHECKPOINT
    arrays = _read_npz(path)
    if "meta" not in arrays:
        raise CheckpointError(f"{path}: not a numpyvae checkpoint (no 'meta' entry)")
    meta = _read_meta(path, arrays.pop("meta"))
    try:
        config = VAEConfig.from_dict(meta["config"])
        model = MODEL_CLASSES[meta.get("model", "vae")](config)
    except (ValueError, KeyError, TypeError, AttributeError, OverflowError, MemoryError) as e:
        raise CheckpointError(f"{path}: bad metadata ({e or type(e).__name__})") from e
    for name, w in model.params.items():
        a = arrays.get(f"param/{name}")
        if a is None or a.shape != w.shape:
            got = "missing" if a is None else f"shape {a.shape}"
            raise CheckpointError(f"{path}: parameter {name} is {got}, expected {w.shape}")
        if not _is_float(a):
            raise CheckpointError(f"{path}: parameter {name} is {a.dtype}, not float32 or float64")
        if not np.all(np.isfinite(a)):
            raise CheckpointError(f"{path}: parameter {name} has non-finite values")
        w[...] = a
    optim_state = {k[len("optim/"):]: v for k, v in arrays.items() if k.startswith("optim/")}
    for k, a in optim_state.items():
        ok = (a.dtype.kind in "iu" and a.shape == ()) if k == "t" else _is_float(a)
        if not ok:
            want = "a whole number" if k == "t" else "float32 or float64"
            raise CheckpointError(f"{path}: optim/{k} is {a.dtype} of shape {a.shape}, not {want}")
    return model, optim_state, meta


@dataclass
class RunRecord:
    """What a run folder's checkpoint holds, read once (:func:`read_run`)."""

    path: Path  # the checkpoint file
    model: VAE | AutoEncoder
    optimizer_state: dict
    meta: dict

    @property
    def folder(self) -> Path:
        return self.path.parent

    @property
    def kind(self) -> str:
        return self.meta.get("model", "vae")

    @property
    def epoch(self) -> int | None:
        epoch = self.meta.get("epoch")
        return None if epoch is None else int(epoch)

    @property
    def settings(self) -> dict:
        """The stored TrainSettings as a dict ({} for a checkpoint not made by fit)."""
        settings = self.meta.get("settings") or {}
        if not isinstance(settings, dict):
            raise CheckpointError(f"{self.path}: bad metadata (settings is not a record)")
        return settings

    @property
    def extra(self) -> dict:
        extra = self.settings.get("extra") or {}
        if not isinstance(extra, dict):
            raise CheckpointError(f"{self.path}: bad metadata (settings.extra is not a record)")
        return extra

    @property
    def dataset(self) -> str | None:
        return self.extra.get("dataset")

    @property
    def data_dir(self) -> str | None:
        return self.extra.get("data_dir")

    @property
    def history(self) -> list[dict]:
        return list(self.meta.get("history") or [])

    @property
    def rng_state(self) -> dict | None:
        return self.meta.get("rng_state")


def read_run(path: str | Path) -> RunRecord:
    """The run record of a run folder (or of a checkpoint file given directly)."""
    path = Path(path)
    if path.is_dir():
        path = path / CHECKPOINT
    model, optimizer_state, meta = load_checkpoint(path)
    return RunRecord(path, model, optimizer_state, meta)


def training_meta(epoch: int, rng: np.random.Generator, history: list[dict],
                  settings: dict) -> dict:
    """The ``meta`` of a training run's checkpoint after ``epoch`` (see the module doc)."""
    return {"epoch": epoch, "rng_state": rng.bit_generator.state, "history": history,
            "settings": settings}


def save_run(folder: Path, model: VAE | AutoEncoder, optimizer, meta: dict) -> None:
    """Write the checkpoint, then ``history.json`` from it (a copy, see the module doc)."""
    save_checkpoint(folder / CHECKPOINT, model, optimizer, meta)
    write_history(folder, meta["history"])


def write_history(folder: Path, history: list[dict]) -> None:
    """``history.json`` of the run in ``folder``: the checkpoint's history, for reading.

    Called after every checkpoint, and when a run resumes, so that a history.json left
    an epoch behind by a crash between the two writes is repaired from the checkpoint.
    """
    history_json = json.dumps(history, indent=1).encode()
    atomic_write(Path(folder) / HISTORY, lambda f: f.write(history_json))


def stored_epoch(path: str | Path) -> int | None:
    """The epoch of the checkpoint at ``path`` from its metadata alone; None if unreadable."""
    try:
        meta = _read_meta(Path(path), _read_npz(Path(path), ("meta",))["meta"])
    except (CheckpointError, KeyError):
        return None
    return meta.get("epoch")


def write_json(path: Path, record: dict) -> None:
    """A JSON record (e.g. eval.json), written atomically."""
    data = (json.dumps(record, indent=1) + "\n").encode()
    atomic_write(path, lambda f: f.write(data))


# ---- reading the .npz file so that no damage gets through ---------------------------

#: what reading a damaged .npz can raise: zipfile (BadZipFile, NotImplementedError for an
#: unknown compression method or flag, RuntimeError for the 'encrypted' flag, struct and
#: zlib errors, EOFError, KeyError), numpy's .npy reader (ValueError, and MemoryError for
#: a header that claims a huge array), and decoding the metadata (UnicodeDecodeError,
#: json's JSONDecodeError, both ValueErrors)
_DAMAGED = (
    zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, ValueError, EOFError,
    KeyError, IndexError, TypeError, OverflowError, MemoryError, zlib.error, struct.error,
    UnicodeDecodeError, json.JSONDecodeError,
)


def _read_npz(path: Path, names: tuple[str, ...] | None = None) -> dict[str, np.ndarray]:
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
        except _DAMAGED as e:
            why = "not an .npz file" if "pickle" in str(e) else (str(e) or type(e).__name__)
            raise CheckpointError(f"{path}: not a readable checkpoint ({why})") from e


def _is_float(a: np.ndarray) -> bool:
    """Whether ``a`` holds float32 or float64 values, the only dtypes a checkpoint keeps."""
    return a.dtype.kind == "f" and a.dtype.itemsize in (4, 8)


def _read_meta(path: Path, entry: np.ndarray) -> dict:
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
