"""A run folder as the commands read it: :func:`load_run` (evaluate, sample) with the
:func:`notes` of what reading it found, and ``numpyvae train --resume``: the run in ``--out`` is read once, as a
:class:`~numpyvae.checkpoint.RunRecord`, and continued as it was made. Its model and
settings are kept; an option given on the command line must agree with them (only
``--epochs`` may grow, and ``--data-dir`` may point to where the data now are), or the
command stops and names every option that differs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .. import checkpoint, runfolder
from ..errors import CheckpointError, NumpyVAEError


def show(value) -> str:
    """A value as it is typed on the command line: (512, 256) -> '512 256'."""
    return " ".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)


def load_run(run_dir: str | Path) -> checkpoint.RunRecord:
    """The run record of a run folder (or of a checkpoint file given directly), with
    notes on stderr for a checkpoint of format 1 (no digest) and for a history.json
    repaired (:func:`notes`)."""
    path = Path(run_dir)
    if not path.exists():
        raise NumpyVAEError(
            f"{path}: no such run folder (make one with: numpyvae train --out {path})"
        )
    if path.is_dir() and not (path / checkpoint.CHECKPOINT).exists():
        raise NumpyVAEError(f"{path} has no {checkpoint.CHECKPOINT}: not a run folder")
    record = checkpoint.read_run(path)
    notes(record)
    return record


def notes(record: checkpoint.RunRecord, held: bool = False) -> None:
    """Say on stderr what reading the run found: a checkpoint that carries no digest
    (format 1), and a history.json repaired from the checkpoint (``held``: this process
    holds the folder, see :func:`checkpoint.repair_history`)."""
    if not record.vouched:
        print(f"note: {record.path} was written before checkpoints carried a digest: its "
              "values were checked, but nothing vouches that they are the ones training "
              "wrote (its next epoch's checkpoint will carry one)", file=sys.stderr)
    if checkpoint.repair_history(record, held):
        print(f"note: {record.folder / runfolder.HISTORY} repaired: it now holds the "
              f"{len(record.history)} epochs of the checkpoint", file=sys.stderr)


# ---- argument types ----------------------------------------------------------------------


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


def resume_run(args: argparse.Namespace, out: Path) -> tuple[checkpoint.RunRecord, dict]:
    """The run record in ``out`` and the stored settings to continue it with (a record
    for :meth:`~numpyvae.train.TrainSettings.stored`), checked against ``args``."""
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
    found = conflicts(args, record)
    if found:
        raise NumpyVAEError(
            f"--resume continues {out} as it was made, but these options differ: "
            + "; ".join(found)
            + ". Drop them, or choose another --out for a new run"
        )
    epochs = args.epochs or stored.get("epochs")  # a whole number: read_run checked it
    if epochs is None:
        raise CheckpointError(f"{ckpt}: no training settings stored ('epochs'): pass --epochs")
    if epochs <= done:
        raise NumpyVAEError(
            f"{out} has already been trained for {done} epoch{'s' if done != 1 else ''}: "
            f"pass --epochs with more than {done} to extend it"
        )
    extra = dict(record.extra)
    if args.data_dir is not None:
        extra["data_dir"] = absolute(args.data_dir)
    stored.update(epochs=epochs, extra=extra)
    return record, stored
