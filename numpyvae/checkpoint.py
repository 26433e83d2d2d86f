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

Files are written to a temporary name and renamed into place (``fileio``), so a crash
never leaves a half-written checkpoint, and read with ``allow_pickle=False``.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import CheckpointError
from .fileio import atomic_write
from .model import VAE, AutoEncoder, VAEConfig

CHECKPOINT = "checkpoint.npz"
HISTORY = "history.json"
EVAL = "eval.json"
MODEL_CLASSES = {"vae": VAE, "ae": AutoEncoder}


def save_checkpoint(path: str | Path, model: VAE | AutoEncoder, optimizer=None,
                    meta: dict | None = None) -> None:
    """Write ``model`` (and ``optimizer``, and ``meta``, any JSON-ready dict) to ``path``."""
    arrays = {f"param/{k}": v for k, v in model.params.items()}
    if optimizer is not None:
        arrays.update({f"optim/{k}": v for k, v in optimizer.state_dict().items()})
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

    Raises :class:`CheckpointError` naming the file for a missing, truncated or
    foreign file, or one whose arrays do not fit the stored config.
    """
    path = Path(path)
    if path.is_dir():
        path = path / CHECKPOINT
    if not path.exists():
        raise CheckpointError(f"{path}: no such checkpoint")
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as e:
        why = "not an .npz file" if "pickle" in str(e) else str(e)
        raise CheckpointError(f"{path}: not a readable checkpoint ({why})") from e
    if "meta" not in arrays:
        raise CheckpointError(f"{path}: not a numpyvae checkpoint (no 'meta' entry)")
    try:
        meta = json.loads(str(arrays.pop("meta")))
        config = VAEConfig.from_dict(meta["config"])
        model = MODEL_CLASSES[meta.get("model", "vae")](config)
    except (ValueError, KeyError, TypeError) as e:
        raise CheckpointError(f"{path}: bad metadata ({e})") from e
    for name, w in model.params.items():
        a = arrays.get(f"param/{name}")
        if a is None or a.shape != w.shape:
            got = "missing" if a is None else f"shape {a.shape}"
            raise CheckpointError(f"{path}: parameter {name} is {got}, expected {w.shape}")
        if not np.all(np.isfinite(a)):
            raise CheckpointError(f"{path}: parameter {name} has non-finite values")
        w[...] = a
    optim_state = {k[len("optim/"):]: v for k, v in arrays.items() if k.startswith("optim/")}
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
    """Write the checkpoint, then ``history.json`` (the same history, for reading)."""
    save_checkpoint(folder / CHECKPOINT, model, optimizer, meta)
    history_json = json.dumps(meta["history"], indent=1).encode()
    atomic_write(folder / HISTORY, lambda f: f.write(history_json))


def stored_epoch(path: str | Path) -> int | None:
    """The epoch of the checkpoint at ``path`` from its metadata alone; None if unreadable."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            return int(json.loads(str(npz["meta"]))["epoch"])
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile, EOFError):
        return None


def write_json(path: Path, record: dict) -> None:
    """A JSON record (e.g. eval.json), written atomically."""
    data = (json.dumps(record, indent=1) + "\n").encode()
    atomic_write(path, lambda f: f.write(data))
