"""The files of a run folder around its checkpoint, and one run per folder.

A run folder holds ``checkpoint.npz`` (its format, its checks and the run record read
from it: :mod:`numpyvae.checkpoint`, which writes the files below in their order),
``history.json``, ``run.json`` and, after ``numpyvae evaluate``, ``eval.json``:

- ``history.json``: a copy of the checkpoint's history, for reading (plots, a glance
  with ``cat``), written after the checkpoint (:func:`write_history`);
- ``run.json``: the run's id, drawn when its first epoch is saved (:func:`new_run_id`,
  :func:`read_run_id`): a checkpoint whose ``run_id`` is not the folder's is refused;
- ``eval.json``: one result of ``numpyvae evaluate`` per data set and K
  (:func:`read_evaluations`, :func:`add_evaluation`).

One run per folder: ``numpyvae train`` holds :func:`lock_run` for its whole life, an
advisory lock on ``train.lock`` in the folder which the operating system releases when
the process ends, however it ends; a second ``train`` on the folder is refused,
naming the PID that holds it. Readers take no lock: they see whole files, written to a
temporary name and renamed into place (``fileio``), and opened without blocking (a FIFO
in a record's place is refused, never waited on).
"""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from .errors import CheckpointError, NumpyVAEError
from .fileio import (
    LockedError,
    NotARegularFile,
    atomic_write,
    folder_lock,
    lock_file,
    make_folders,
    open_regular,
    remove_empty_folders,
)

if TYPE_CHECKING:  # only read by type checkers (typing.Self is Python 3.11+)
    from typing import Self

HISTORY = "history.json"
EVAL = "eval.json"
RUN = "run.json"
LOCK = "train.lock"

class RunFolderInUse(NumpyVAEError):
    """Another process trains in the run folder (:func:`lock_run`)."""



def new_run_id() -> str:
    """A fresh run id: 32 hex digits (a random UUID)."""
    return uuid.uuid4().hex


def read_run_id(folder: str | Path) -> str | None:
    """The run id ``run.json`` in ``folder`` records; None if there is no run.json, a
    CheckpointError naming it if it is damaged."""
    path = Path(folder) / RUN
    try:
        with _open_regular(path) as f:
            text = f.read(4096)
    except FileNotFoundError:
        return None
    except OSError as e:
        raise CheckpointError(f"{path}: cannot read it ({e.strerror or e})") from e
    try:
        run_id = json.loads(text).get("run_id")
    except (ValueError, AttributeError) as e:
        raise CheckpointError(f"{path}: not a run record ({e or 'not a JSON object'})") from e
    if not is_run_id(run_id):
        raise CheckpointError(f"{path}: not a run record (run_id is {run_id!r})")
    return run_id



def is_run_id(value: object) -> bool:
    """Whether ``value`` is a run id as run.json and a checkpoint's metadata hold it:
    32 hex digits."""
    return isinstance(value, str) and len(value) == 32 and all(
        c in "0123456789abcdef" for c in value)



def write_history(folder: Path, history: list[dict]) -> None:
    """``history.json`` of the run in ``folder``: the checkpoint's history, for reading.

    Called after every checkpoint, and when a run resumes, so that a history.json left
    an epoch behind by a crash between the two writes is repaired from the checkpoint.
    """
    history_json = json.dumps(history, indent=1).encode()
    atomic_write(Path(folder) / HISTORY, lambda f: f.write(history_json))



def _open_regular(path: Path) -> BinaryIO:
    """``path`` opened for reading without blocking (a FIFO would block ``open``, and
    any read); a CheckpointError naming it if it is not a regular file. An OSError of
    opening (FileNotFoundError, ...) is the caller's."""
    try:
        return open_regular(path)
    except NotARegularFile:
        raise CheckpointError(f"{path}: not a regular file, so not a record of the run") from None


def holds(path: Path, data: bytes) -> bool:
    """Whether ``path`` is a regular file holding ``data``, reading no more than that (a
    FIFO would block the read, /dev/zero never end it: neither holds it)."""
    try:
        with _open_regular(path) as f:
            return f.read(len(data) + 1) == data
    except (OSError, CheckpointError):
        return False  # missing, unreadable, or no file



def write_json(path: Path, record: dict) -> None:
    """A JSON record (e.g. run.json), written atomically."""
    data = (json.dumps(record, indent=1) + "\n").encode()
    atomic_write(path, lambda f: f.write(data))


# ---- eval.json: one result per data set and K -------------------------------------------


def read_evaluations(folder: str | Path) -> list[dict]:
    """The results in ``eval.json`` of ``folder`` ([] if there is none): a record
    ``{"evaluations": [...]}``, or the one result an older numpyvae wrote. A
    CheckpointError naming the file if it is neither (it is never overwritten then)."""
    path = Path(folder) / EVAL
    try:
        with _open_regular(path) as f:
            text = f.read(1 << 24)
    except FileNotFoundError:
        return []
    except OSError as e:
        raise CheckpointError(f"{path}: cannot read it ({e.strerror or e})") from e
    try:
        record = json.loads(text)
    except ValueError as e:
        raise CheckpointError(f"{path}: not a record of evaluations ({e}); move it away to "
                              "keep it, and evaluate again") from e
    results = record.get("evaluations") if isinstance(record, dict) else None
    if isinstance(record, dict) and "evaluations" not in record and "dataset" in record:
        results = [record]  # one result, as written before eval.json kept several
    if not isinstance(results, list) or not all(
            isinstance(r, dict) and isinstance(r.get("dataset"), str) for r in results):
        raise CheckpointError(f"{path}: not a record of evaluations (no list of results with "
                              "a data set each); move it away to keep it, and evaluate again")
    return results


def add_evaluation(folder: str | Path, result: dict) -> dict | None:
    """Put ``result`` into ``eval.json`` of ``folder``, beside the others: one result per
    data set, test pixels and number of importance samples K, so that a result is only
    replaced by one of the same kind. Returns the result it replaced, if any. Read and
    written under a short lock of the folder, so that two evaluations at once keep both."""
    key = ("dataset", "test_pixels", "iw_samples")
    with folder_lock(folder):
        results = read_evaluations(folder)
        same = [r for r in results if all(r.get(k) == result.get(k) for k in key)]
        kept = [r for r in results if r not in same] + [result]
        kept.sort(key=lambda r: (r["dataset"], str(r.get("test_pixels")), r.get("iw_samples") or 0))
        write_json(Path(folder) / EVAL, {"evaluations": kept})
    return same[-1] if same else None


# ---- one run per folder ------------------------------------------------------------------


class RunLock:
    """The lock of a run folder taken by :func:`lock_run`; ``release()`` ends it."""

    def __init__(self, folder: Path, held, created: list[Path]) -> None:
        self.folder, self._held, self._created = folder, held, created

    def release(self) -> None:
        """End the lock, and remove the folders it made if nothing was put in them."""
        self._held.release()
        remove_empty_folders(self._created)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def lock_run(folder: str | Path, holder: str = "numpyvae train", wait: float = 0.0) -> RunLock:
    """Hold the run folder ``folder`` (made if missing) for this process alone, until
    ``release()`` or the end of the process, however it ends (the operating system
    releases the lock: a killed run leaves none behind).

    Raises :class:`RunFolderInUse`, touching nothing, if another process holds it (for
    ``wait`` seconds: a command that only checks the folder lets it go in a moment):
    the message names the folder and the PID of the holder. ``holder`` says what holds
    it (written into ``train.lock`` after the PID).
    """
    folder = Path(folder)
    created = make_folders(folder)
    give_up_at = time.monotonic() + wait
    while True:
        try:
            held = lock_file(folder / LOCK, f"PID {os.getpid()}, {holder}")
            break
        except LockedError as e:
            if time.monotonic() < give_up_at:
                time.sleep(0.05)
                continue
            locked = e
        except BaseException:
            remove_empty_folders(created)
            raise
        remove_empty_folders(created)
        raise RunFolderInUse(
            f"{folder} is in use: {locked.holder or 'another process'} holds it "
            f"({folder / LOCK}); wait until it ends, or choose another --out"
        ) from None
    return RunLock(folder, held, created)
