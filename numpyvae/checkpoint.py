"""The checkpoint of a run folder: its format, written whole, read so that no damage gets
through, and the run record read from it. The files around it and the lock are
:mod:`numpyvae.runfolder`'s; this module writes and repairs them in their order.

A run folder holds ``checkpoint.npz`` (rewritten after every epoch), ``history.json``,
``run.json`` and, after ``numpyvae evaluate``, ``eval.json``. The checkpoint is the
run record:

- ``param/<name>``: every parameter, under the model's names (``encoder.0.W``, ...);
- ``optim/<key>``: the optimizer's state (Adam's t, m and v);
- ``meta``: one JSON string with ``format``, ``model`` ("vae" or "ae"), ``config``
  (VAEConfig), and, for a training run, ``run_id``, ``epoch``, ``history`` (one
  record per epoch), ``settings`` (TrainSettings, whose ``extra`` names the data set
  and its folder) and ``rng_state`` (the training generator, so that a resumed run
  ends bit for bit where an uninterrupted one ends);
- ``digest``: the SHA-256 of every other entry (its name, dtype, shape and bytes), so
  that the checkpoint vouches for itself: metadata edited by hand to fit the arrays
  (another activation, likelihood or beta), or an array changed, is refused on
  reading, naming what does not match. It is a check against edits and damage, not
  a signature: whoever rewrites a checkpoint can compute it again.

A checkpoint of ``format`` 1 (written before the digest and the run id existed) is
still read: it has every check below but the digest, and :attr:`RunRecord.vouched` is
False, which the commands say in a note. Its next checkpoint has both.

The checkpoint is the one source of truth. ``history.json`` is a copy of its history,
for reading (plots, a glance with ``cat``): it is written after the checkpoint, so a
crash between the two leaves it one epoch behind, never ahead; resuming the run
rewrites it, and so does any command that reads a run no ``train`` holds
(:func:`repair_history`). Nothing reads it back. ``run.json`` records the run's id,
drawn when its first epoch is saved: a checkpoint whose ``run_id`` is not the
folder's (one copied in from another run) is refused (:func:`read_run`).

One run per folder: ``numpyvae train`` holds ``runfolder.lock_run`` for its whole life;
readers take no lock: they see whole files.

Files are written to a temporary name and renamed into place (``fileio``), so a crash
never leaves a half-written checkpoint, and read with ``allow_pickle=False``. A
checkpoint is written only when every array it holds is finite. Reading checks
everything: a damaged file (whatever the zip or .npy reader raises on it), a file that
is not a regular file (a FIFO would block), entries declaring more than
:data:`MAX_INFLATION` times the file's size (refused unread, so memory stays bounded by
the file), a digest that does not match, parameters that are not float32/float64 or do
not fit the config (compared before the model is made), metadata of the wrong type or
out of range (epochs, history, settings, generator state), and an optimizer state out
of range (Adam's t at least one step per epoch, its v >= 0, finite) all give one
:class:`CheckpointError` that names the file (the opening and the checks are at the
end of this module).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import struct
import tokenize
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .config import MODEL_KINDS, VAEConfig, real_number, whole_number
from .errors import CheckpointError
from .fileio import (
    NotARegularFile,
    atomic_write,
    open_regular,
)
from .model import VAE, AutoEncoder
from .runfolder import (
    HISTORY,
    RUN,
    RunFolderInUse,
    holds,
    is_run_id,
    lock_run,
    new_run_id,
    read_run_id,
    write_history,
    write_json,
)

CHECKPOINT = "checkpoint.npz"
FORMAT = 2  # 1: before the digest and the run id
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
        "format": FORMAT,
        "model": "ae" if isinstance(model, AutoEncoder) else "vae",
        "config": model.config.to_dict(),
        **(meta or {}),
    }
    arrays["meta"] = np.array(json.dumps(info))
    arrays["digest"] = np.array(json.dumps(digest_of(arrays)))
    atomic_write(Path(path), lambda f: np.savez(f, **arrays))


def digest_of(arrays: dict[str, np.ndarray]) -> dict[str, str]:
    """The SHA-256 (hex) of each entry of a checkpoint but the digest itself, over its
    name, dtype, shape and bytes: what a checkpoint's ``digest`` entry holds."""
    out = {}
    for name, a in sorted(arrays.items()):
        if name == "digest":
            continue
        a = np.ascontiguousarray(a)
        h = hashlib.sha256(f"{name}\0{a.dtype.str}\0{a.shape}\0".encode())
        h.update(a.data if a.size else b"")
        out[name] = h.hexdigest()
    return out


def load_checkpoint(path: str | Path) -> tuple[VAE | AutoEncoder, dict, dict]:
    """Read a checkpoint (a file, or a run folder): ``(model, optimizer_state, meta)``.

    Raises :class:`CheckpointError` naming the file for a missing, damaged, truncated
    or foreign file, one that is not a regular file, one that does not match its
    digest, one whose arrays are not floats or do not fit the stored config, one
    whose metadata or optimizer state have the wrong types or are out of range. Given a
    run folder, its checkpoint must also belong to the folder's run (:func:`read_run`);
    a file given by its path is read alone.
    """
    if Path(path).is_dir():
        record = read_run(path)
        return record.model, record.optimizer_state, record.meta
    model, optim_state, meta, _ = _load(Path(path))
    return model, optim_state, meta


def load(path: str | Path) -> VAE | AutoEncoder:
    """The trained model of a run folder, or of a checkpoint file::

        model = numpyvae.load("runs/mnist-vae")
        model.sample(16)

    Everything of the checkpoint is checked first (see :func:`load_checkpoint`), and
    its ``run_id`` against the folder's ``run.json`` (see :func:`read_run`). A
    checkpoint of format 1, which carries no digest, is loaded with a UserWarning.
    """
    record = read_run(path)
    if not record.vouched:
        warnings.warn(f"{record.path} was written before checkpoints carried a digest: its "
                      "values were checked, but nothing vouches that they are the ones "
                      "training wrote", UserWarning, stacklevel=2)
    return record.model


def _load(path: Path) -> tuple[VAE | AutoEncoder, dict, dict, bool]:
    """load_checkpoint of a file, and whether the checkpoint carried a digest that matched."""
    arrays = _read_npz(path)
    if "meta" not in arrays:
        raise CheckpointError(f"{path}: not a numpyvae checkpoint (no 'meta' entry)")
    meta = _read_meta(path, arrays["meta"])
    vouched = _check_digest(path, arrays, meta)
    arrays.pop("meta")
    arrays.pop("digest", None)
    try:
        config = VAEConfig.from_dict(meta["config"])
        _refuse_a_config_larger_than_the_arrays(path, config, arrays)
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
    _check_optimizer_state(path, optim_state, model, meta.get("epoch"))
    return model, optim_state, meta, vouched


def _refuse_a_config_larger_than_the_arrays(path: Path, config: VAEConfig,
                                            arrays: dict[str, np.ndarray]) -> None:
    """A CheckpointError if ``config`` asks for more weights than the parameters stored:
    checked before the model is made, which allocates what the config says, so that a
    small file never takes the memory of a large model."""
    dims = (config.input_dim, *config.hidden_dims, config.latent_dim)
    needed = sum(a * b for a, b in itertools.pairwise(dims))  # a W each; the decoder mirrors
    held = sum(a.size for k, a in arrays.items() if k.startswith("param/"))
    if needed > held:
        raise CheckpointError(f"{path}: bad metadata (the config asks for at least {needed} "
                              f"weights, but the checkpoint holds {held})")


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

    @property
    def run_id(self) -> str | None:
        """The id drawn when the run saved its first epoch (None: format 1)."""
        return self.meta.get("run_id")

    #: whether the checkpoint carried a digest that matched (False: format 1)
    vouched: bool = True


def read_run(path: str | Path) -> RunRecord:
    """The run record of a run folder (or of a checkpoint file given directly).

    The checkpoint of a folder (``checkpoint.npz``) must belong to the folder's run: a
    CheckpointError if its ``run_id`` is not the one ``run.json`` records (a checkpoint
    copied in from another run, or one of format 1 where a run of format 2 was).
    """
    path = Path(path)
    if path.is_dir():
        path = path / CHECKPOINT
    model, optimizer_state, meta, vouched = _load(path)
    record = RunRecord(path, model, optimizer_state, meta, vouched)
    if path.name == CHECKPOINT:
        recorded = read_run_id(path.parent)
        if recorded is not None and record.run_id != recorded:
            theirs = f"run {record.run_id}" if record.run_id else "no run id (format 1)"
            raise CheckpointError(
                f"{path} belongs to another run: it carries {theirs}, but this folder's "
                f"{RUN} records run {recorded} (copied in from another run folder?); "
                f"put it back in its own folder, or delete {path.parent / RUN} to make "
                "it this folder's run"
            )
    return record


def training_meta(epoch: int, rng: np.random.Generator, history: list[dict],
                  settings: dict) -> dict:
    """The ``meta`` of a training run's checkpoint after ``epoch`` (see the module doc)."""
    return {"epoch": epoch, "rng_state": rng.bit_generator.state, "history": history,
            "settings": settings}


def save_run(folder: Path, model: VAE | AutoEncoder, optimizer, meta: dict) -> None:
    """Write the checkpoint, then ``history.json`` from it (a copy, see the module doc).

    The run's id is ``meta["run_id"]`` if given; else a new one for its first epoch (a
    new run), else the one of ``run.json`` (or, that gone, of the checkpoint there).
    ``run.json`` is removed before a checkpoint of another id is written and written
    after it, so that a crash at any point leaves a folder :func:`read_run` accepts.
    """
    folder = Path(folder)
    try:
        recorded = read_run_id(folder)
    except CheckpointError:
        recorded = ""  # damaged: replaced below
    run_id = meta.get("run_id")
    if run_id is None:
        run_id = new_run_id() if meta.get("epoch") == 1 else (
            recorded or _stored_run_id(folder / CHECKPOINT) or new_run_id())
    if recorded is not None and recorded != run_id:
        (folder / RUN).unlink(missing_ok=True)
    save_checkpoint(folder / CHECKPOINT, model, optimizer, {**meta, "run_id": run_id})
    write_history(folder, meta["history"])
    if recorded != run_id:
        write_json(folder / RUN, {"run_id": run_id})


def _stored_run_id(path: Path) -> str | None:
    """The run id of the checkpoint at ``path`` from its metadata alone; None if none."""
    try:
        meta = _stored_meta(path)
    except CheckpointError:
        return None
    return meta.get("run_id")


def repair_history(record: RunRecord, held: bool = False) -> bool:
    """Rewrite ``history.json`` from the checkpoint of ``record`` if it differs (a kill
    between the last checkpoint and history.json leaves it behind); True if rewritten.

    Only when no ``train`` holds the folder (a run in progress writes it itself; with
    ``held``, the caller holds it), the folder can be written, the checkpoint is the
    folder's own ``checkpoint.npz``, and it still holds the epoch ``record`` was read
    with (a run that saved a later one since and ended wrote its history.json itself).
    """
    folder = record.folder
    if record.path.name != CHECKPOINT or "history" not in record.meta:
        return False
    wanted = json.dumps(record.history, indent=1).encode()
    if holds(folder / HISTORY, wanted):
        return False
    try:
        if held:
            write_history(folder, record.history)
        else:
            with lock_run(folder, "repairing history.json"):
                if not _still_stored(record):  # a run saved a later epoch since: no repair
                    return False
                write_history(folder, record.history)
    except (RunFolderInUse, OSError):
        return False
    return True


def _stored_meta(path: str | Path) -> dict:
    """The checked metadata of the checkpoint at ``path``, its arrays left unread; a
    CheckpointError if there is none."""
    path = Path(path)
    try:
        return _read_meta(path, _read_npz(path, ("meta",))["meta"])
    except KeyError:
        raise CheckpointError(f"{path}: not a numpyvae checkpoint (no 'meta' entry)") from None


def _still_stored(record: RunRecord) -> bool:
    """Whether the checkpoint file of ``record`` still holds the epoch and run it was
    read with (its metadata alone is read again)."""
    try:
        meta = _stored_meta(record.path)
    except CheckpointError:
        return False
    return meta.get("epoch") == record.meta.get("epoch") and (
        meta.get("run_id") == record.meta.get("run_id"))


def stored_epoch(path: str | Path) -> int | None:
    """The epoch of the checkpoint at ``path`` from its metadata alone; None if unreadable."""
    try:
        meta = _stored_meta(Path(path))
    except CheckpointError:
        return None
    return meta.get("epoch")


# ---- reading the .npz file so that no damage gets through ---------------------------

#: what reading a damaged .npz can raise: zipfile (BadZipFile, NotImplementedError for an
#: unknown compression method or flag, RuntimeError for the 'encrypted' flag, struct and
#: zlib errors, EOFError, KeyError), numpy's .npy reader (ValueError, MemoryError for a
#: header that claims a huge array, SyntaxError and tokenize's TokenError for a header
#: that is no longer a Python literal, read before the CRC of a large entry is), and
#: decoding the metadata (UnicodeDecodeError, json's JSONDecodeError, both ValueErrors)
_DAMAGED = (
    zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, ValueError, EOFError,
    KeyError, IndexError, TypeError, OverflowError, MemoryError, zlib.error, struct.error,
    UnicodeDecodeError, json.JSONDecodeError, SyntaxError, tokenize.TokenError,
)


def _read_npz(path: Path, names: tuple[str, ...] | None = None) -> dict[str, np.ndarray]:
    """The arrays of the .npz file at ``path`` (only ``names``, if given).

    The one place that opens a checkpoint: a missing file, one that is not a regular
    file, and anything a damaged file makes the readers raise become CheckpointError.
    """
    try:
        f = open_regular(path)  # a FIFO is refused at once instead of blocking
    except NotARegularFile:
        raise CheckpointError(f"{path}: not a regular file, so not a checkpoint") from None
    except FileNotFoundError:
        raise CheckpointError(f"{path}: no such checkpoint") from None
    except OSError as e:
        raise CheckpointError(f"{path}: cannot open it ({e.strerror or e})") from e
    with f:
        try:
            npz = np.load(f, allow_pickle=False)
            if not isinstance(npz, np.lib.npyio.NpzFile):
                raise CheckpointError(f"{path}: not a readable checkpoint (not an .npz file)")
            with npz:
                wanted = npz.files if names is None else [k for k in names if k in npz.files]
                _refuse_a_zip_bomb(path, npz.zip, wanted, os.fstat(f.fileno()).st_size)
                return {k: npz[k] for k in wanted}
        except CheckpointError:
            raise
        except _DAMAGED as e:
            why = "not an .npz file" if "pickle" in str(e) else (str(e) or type(e).__name__)
            raise CheckpointError(f"{path}: not a readable checkpoint ({why})") from e


#: numpyvae writes its checkpoints uncompressed, and float arrays compress little: entries
#: that declare more than this many times the file's size (and 1 MiB more) are refused
#: before any is read, so that a small file never takes gigabytes of memory
MAX_INFLATION = 16


def _refuse_a_zip_bomb(path: Path, archive: zipfile.ZipFile, keys: list[str],
                       size: int) -> None:
    """A CheckpointError if the entries ``keys`` of the .npz ``archive`` declare more
    than :data:`MAX_INFLATION` times the file's ``size``: zipfile never reads an entry
    past its declared size, so this bounds the memory reading them takes."""
    members = set(archive.namelist())
    declared = sum(archive.getinfo(f"{k}.npy" if f"{k}.npy" in members else k).file_size
                   for k in keys)
    if declared > MAX_INFLATION * size + (1 << 20):
        raise CheckpointError(
            f"{path}: not a readable checkpoint (its entries declare {declared} bytes, more "
            f"than {MAX_INFLATION} times the file's {size}: a checkpoint is not so compressed)")


def _is_float(a: np.ndarray) -> bool:
    """Whether ``a`` holds float32 or float64 values, the only dtypes a checkpoint keeps."""
    return a.dtype.kind == "f" and a.dtype.itemsize in (4, 8)


def _read_meta(path: Path, entry: np.ndarray) -> dict:
    """The metadata record, its types and ranges checked (see the module doc)."""
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
    fmt = meta.get("format", 1)
    if type(fmt) is not int or not 1 <= fmt <= FORMAT:
        newer = " (written by a newer numpyvae?)" if type(fmt) is int and fmt > FORMAT else ""
        raise bad(f"format is {fmt!r}, not 1 to {FORMAT}{newer}")
    if not isinstance(meta.get("config"), dict):
        raise bad("config is missing or not a record")
    if not isinstance(meta.get("model", "vae"), str) or meta.get("model", "vae") not in MODEL_KINDS:
        raise bad(f"model is {meta.get('model')!r}, not one of {sorted(MODEL_KINDS)}")
    if "run_id" in meta and not is_run_id(meta["run_id"]):
        raise bad(f"run_id is {meta['run_id']!r}, not 32 hex digits")
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
        for i, record in enumerate(history, 1):
            why = _history_record_problem(record, i)
            if why:
                raise bad(f"history[{i - 1}]: {why}")
    settings = meta.get("settings")
    if settings is not None:
        if not isinstance(settings, dict):
            raise bad("settings is not a record")
        why = _settings_problem(settings, epoch)
        if why:
            raise bad(f"settings.{why}")
    if meta.get("rng_state") is not None:
        why = _rng_state_problem(meta["rng_state"])
        if why:
            raise bad(f"rng_state {why}")
    return meta


#: the numbers of a history record (fit's EpochStats) and the least each may be
_HISTORY_NUMBERS = {"train_loss": None, "train_recon": None, "train_kl": 0.0,
                    "test_loss": None, "seconds": 0.0, "beta": 0.0}


def _history_record_problem(record: dict, epoch: int) -> str | None:
    """What is wrong with the history record of ``epoch`` (1, 2, ...), or None."""
    if record.get("epoch") != epoch or type(record.get("epoch")) is not int:
        return f"its epoch is {record.get('epoch')!r}, not {epoch}"
    for key, least in _HISTORY_NUMBERS.items():
        value = record.get(key)
        if value is None and (key == "test_loss" or key not in record):
            continue  # no test data; or an abridged record (not made by fit)
        try:
            real_number(value, key, least=least)
        except ValueError as e:
            return str(e)
    return None


#: the binarizations of TrainSettings (datasets.BINARIZE_MODES, which this module does
#: not import: tests/test_checkpoint.py keeps the two equal)
BINARIZE_MODES = ("none", "static", "dynamic")


def _settings_problem(settings: dict, epoch: int | None) -> str | None:
    """What is wrong with the numbers and choices of the stored TrainSettings, or None."""
    extra = settings.get("extra")
    if extra is not None and not isinstance(extra, dict):
        return "extra is not a record"
    for key in ("dataset", "data_dir"):
        value = (extra or {}).get(key)
        if value is not None and not isinstance(value, str):
            return f"extra.{key} is {value!r}, not a string"
    if settings.get("binarize", "none") not in BINARIZE_MODES:
        return f"binarize is {settings['binarize']!r}, not one of {BINARIZE_MODES}"
    try:
        for key, least in (("epochs", max(1, epoch or 0)), ("batch_size", 1), ("seed", 0)):
            if key in settings:
                whole_number(settings[key], key, least)
        if "lr" in settings:
            real_number(settings["lr"], "lr", above=0.0)
        if "warmup_epochs" in settings:
            real_number(settings["warmup_epochs"], "warmup_epochs", least=0.0)
    except ValueError as e:
        return str(e)
    return None


def _rng_state_problem(state: object) -> str | None:
    """What is wrong with a stored generator state, or None: NumPy itself must take it."""
    if not isinstance(state, dict):
        return "is not a record"
    try:
        np.random.default_rng().bit_generator.state = state
    except (TypeError, ValueError, KeyError, OverflowError, AttributeError) as e:
        return f"is not a state of NumPy's generator ({e or type(e).__name__})"
    return None


def _check_digest(path: Path, arrays: dict[str, np.ndarray], meta: dict) -> bool:
    """Check the ``digest`` entry against the other entries; True if there is one (and
    it matches), False for a checkpoint of format 1, which has none."""
    if "digest" not in arrays:
        if meta.get("format", 1) >= 2:
            raise CheckpointError(f"{path}: its digest is missing: a checkpoint of format "
                                  f"{meta['format']} vouches for itself with one")
        return False
    entry = arrays["digest"]
    try:
        stored = json.loads(str(entry)) if entry.dtype.kind == "U" and entry.shape == () else None
    except ValueError:
        stored = None
    if not isinstance(stored, dict):
        raise CheckpointError(f"{path}: its digest entry is not a record of SHA-256 digests")
    computed = digest_of(arrays)
    changed = [k for k in computed if k in stored and stored[k] != computed[k]]
    what = [_entry_name(k) + " changed" for k in changed]
    what += [_entry_name(k) + " was added" for k in computed if k not in stored]
    what += [_entry_name(k) + " is missing" for k in stored if k not in computed]
    if what:
        raise CheckpointError(
            f"{path}: does not match its own digest: {', '.join(what)} since it was written "
            "(edited, or damaged); a checkpoint is only read as training wrote it"
        )
    return True


def _entry_name(key: str) -> str:
    """'the metadata', 'parameter encoder.0.W', 'optimizer state m.decoder.out.b'."""
    if key == "meta":
        return "the metadata"
    return key.replace("param/", "parameter ").replace("optim/", "optimizer state ")


def _check_optimizer_state(path: Path, state: dict[str, np.ndarray], model, epoch) -> None:
    """Types and ranges of the optimizer state: t a whole number, at least one step per
    epoch done; every other entry float and finite, of the shape of the parameter it
    belongs to (``m.<name>``, ``v.<name>``, ``velocity.<name>``), Adam's v >= 0."""
    for k, a in state.items():
        if k == "t":
            if not (a.dtype.kind in "iu" and a.shape == ()):
                raise CheckpointError(f"{path}: optim/t is {a.dtype} of shape {a.shape}, "
                                      "not a whole number")
            t = int(a)
            least = epoch if isinstance(epoch, int) else 0  # each epoch is one step or more
            if t < least or t >= 2**53:
                if t >= 2**53:
                    why = ": more steps than any run takes (2**53)"
                elif least == 1:
                    why = ": 1 epoch takes at least 1 step"
                else:
                    why = f": {epoch} epochs take at least {least} steps" if least else ""
                raise CheckpointError(f"{path}: optim/t (the optimizer's step count) is {t}, "
                                      f"out of range{why}")
            continue
        if not _is_float(a):
            raise CheckpointError(f"{path}: optim/{k} is {a.dtype} of shape {a.shape}, "
                                  "not float32 or float64")
        slot, _, name = k.partition(".")
        w = model.params.get(name)
        if w is not None and a.shape != w.shape:
            raise CheckpointError(f"{path}: optim/{k} has shape {a.shape}, but parameter "
                                  f"{name} has {w.shape}")
        if not np.all(np.isfinite(a)):
            raise CheckpointError(f"{path}: optim/{k} has non-finite values")
        if slot == "v" and a.size and float(a.min()) < 0:
            raise CheckpointError(f"{path}: optim/{k} has negative values: Adam's second "
                                  "moment v is a mean of squares, never below 0")
