"""``numpyvae train --resume``: the run in ``--out`` is read once, as a
:class:`~numpyvae.checkpoint.RunRecord`, and continued as it was made. Its model and
settings are kept; an option given on the command line must agree with them (only
``--epochs`` may grow, and ``--data-dir`` may point to where the data now are), or the
command stops and names every option that differs.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .. import checkpoint
from ..errors import CheckpointError, NumpyVAEError
from ..train import TrainSettings
from .options import notes, show


def absolute(path: str | None) -> str | None:
    """``path`` made absolute, as stored in a checkpoint: the run may be read from elsewhere."""
    return None if path is None else str(Path(path).expanduser().resolve())


def conflicts(args: argparse.Namespace, record: checkpoint.RunRecord) -> list[str]:
    """The options given on the command line that differ from the stored run."""
    config, settings = record.model.config, record.settings
    stored = {  # option (its argparse dest) -> the run's value
        "dataset": record.dataset,
        "binarize": settings.get("binarize"),
        "model": record.kind,
        "hidden": list(config.hidden_dims),  # as argparse gives it
        "latent_dim": config.latent_dim,
        "activation": config.activation,
        "beta": config.beta,
        "init": config.init,
        "batch_size": settings.get("batch_size"),
        "lr": settings.get("lr"),
        "warmup_epochs": settings.get("warmup_epochs"),
        "seed": settings.get("seed"),
    }
    found = []
    for name, old in stored.items():
        new = getattr(args, name, None)
        if new is not None and new != old:
            option = "--" + name.replace("_", "-")
            found.append(f"{option} {show(new)} (the run has {show(old)})")
    return found


def resume_run(args: argparse.Namespace, out: Path) -> tuple[checkpoint.RunRecord, TrainSettings]:
    """The run record in ``out`` and the settings to continue it with, checked against ``args``."""
    ckpt = out / checkpoint.CHECKPOINT
    if not ckpt.exists():
        raise NumpyVAEError(
            f"{out} has no {checkpoint.CHECKPOINT} to resume; "
            "drop --resume to start a new run there"
        )
    record = checkpoint.read_run(ckpt)
    notes(record, held=True)  # train holds the folder; history.json repaired if behind
    try:
        stored, done = dict(record.settings), record.epoch
    except (TypeError, ValueError) as e:
        raise CheckpointError(f"{ckpt}: no training settings stored ({e})") from e
    if not stored or done is None:
        missing = "settings" if not stored else "epoch"
        raise CheckpointError(f"{ckpt}: no training settings stored ({missing!r})")
    as_stored = settings_of(ckpt, stored)  # their types checked before any is used
    found = conflicts(args, record)
    if found:
        raise NumpyVAEError(
            f"--resume continues {out} as it was made, but these options differ: "
            + "; ".join(found)
            + ". Drop them, or choose another --out for a new run"
        )
    epochs = args.epochs or as_stored.epochs
    if epochs <= done:
        raise NumpyVAEError(
            f"{out} has already been trained for {done} epoch{'s' if done != 1 else ''}: "
            f"pass --epochs with more than {done} to extend it"
        )
    extra = dict(record.extra)
    if args.data_dir is not None:
        extra["data_dir"] = absolute(args.data_dir)
    stored.update(epochs=epochs, extra=extra)
    return record, settings_of(ckpt, stored)


def settings_of(ckpt: Path, stored: dict) -> TrainSettings:
    """The TrainSettings of a checkpoint's stored record; a CheckpointError naming the file
    if they do not fit (an unknown field, batch_size 1.5, a learning rate that is a string,
    a binarization that does not exist, ...)."""
    try:
        return TrainSettings(**stored)
    except (TypeError, ValueError) as e:
        raise CheckpointError(f"{ckpt}: unreadable training settings ({e})") from e
