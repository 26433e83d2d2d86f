"""Checking one exercise: the learner's code in a child process, the verdict in this one.

:func:`run_exercise` starts a child (``child.py``: forked, or ``python -m
numpyvae.exercises.child`` where there is no fork) under a CPU-time and a memory limit,
waits for it with a deadline of its own, then reads the arrays it wrote
(``numpy.load(..., allow_pickle=False)``: numbers only, never a pickle) and grades them
here with each part's ``grade`` (``exercise.Part``). Whatever the learner's code does,
the checker's process goes on: an endless loop, ``os._exit``, a fork, a signal handler,
a crash, numpyvae's code patched: each becomes an ``error`` row of that exercise saying
what happened, and the next exercise is checked.

This keeps honest code from hurting itself or the checker; it is not a security
sandbox (the child can read and write what the user can): a course runs untrusted
submissions in a container.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from .exercise import ERROR, UNSOLVED, Exercise, Recorded, Result, Row
from .grading import failure_row
from .loading import display
from .messages import current, say

#: Seconds an exercise may run (its checks take well under one) before it is stopped.
DEFAULT_TIME_LIMIT = 10.0
#: Megabytes an exercise may allocate beyond what the checker itself holds.
DEFAULT_MEMORY_MB = 1024
#: Seconds past the time limit after which the child is killed, whatever it does.
GRACE = 1.0
#: At most this much of what the learner's code printed is read.
MAX_PRINTED_BYTES = 64 * 1024


def _start(job: dict, folder: Path, ex: Exercise) -> int | subprocess.Popen:
    """The child: forked (a pid) where the platform can, else a new interpreter."""
    if hasattr(os, "fork") and not os.environ.get("NUMPYVAE_EXERCISES_SPAWN"):
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child: its own process group, so that its children die with it
            try:
                os.setpgid(0, 0)
                from .child import main

                main(job, ex)
            finally:
                os._exit(70)
        return pid
    path = folder / "job.json"
    path.write_text(json.dumps(job), encoding="utf-8")
    extra = ({"start_new_session": True} if os.name == "posix"
             else {"creationflags": getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)})
    return subprocess.Popen([sys.executable, "-m", "numpyvae.exercises.child", str(path)],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, **extra)


def _kill(child: int | subprocess.Popen) -> None:
    """Kill the child and whatever it started."""
    if isinstance(child, subprocess.Popen):
        try:
            if os.name == "posix":
                os.killpg(child.pid, signal.SIGKILL)
            else:
                child.kill()
        except OSError:
            pass
        return
    try:
        os.killpg(child, signal.SIGKILL)
    except OSError:
        pass


def _wait(child: int | subprocess.Popen, deadline: float | None) -> tuple[int | None, bool]:
    """(the child's status as os.waitstatus_to_exitcode gives it, whether it was killed at
    the deadline). A forked child is waited for on its pidfd (Linux), which wakes us the
    moment it ends; elsewhere by polling."""
    pause, killed, fd = 0.0005, False, None
    if not isinstance(child, subprocess.Popen) and hasattr(os, "pidfd_open"):
        try:
            fd = os.pidfd_open(child)
        except OSError:  # an older kernel: poll
            fd = None
    try:
        while True:
            if isinstance(child, subprocess.Popen):
                code = child.poll()
                status = None if code is None else code
            else:
                pid, raw = os.waitpid(child, os.WNOHANG)
                status = os.waitstatus_to_exitcode(raw) if pid else None
            if status is not None:
                return status, killed
            if deadline is not None and time.monotonic() > deadline and not killed:
                _kill(child)
                killed = True
            if fd is not None:  # until it ends, or the deadline
                left = None if killed or deadline is None else deadline - time.monotonic()
                select.select([fd], [], [], None if left is None else max(left, 0.0))
            else:
                time.sleep(pause)
                pause = min(pause * 2, 0.02)
    finally:
        if fd is not None:
            os.close(fd)


def _read_part(folder: Path, index: int) -> Recorded | None:
    """What the child wrote for one part, or None (not written, or not readable)."""
    try:
        meta = json.loads((folder / f"part{index}.json").read_text(encoding="utf-8"))
        with np.load(folder / f"part{index}.npz", allow_pickle=False) as data:
            arrays = {k: np.asarray(data[k]) for k in data.files}
    except (OSError, ValueError, KeyError):
        return None
    if not isinstance(meta, dict) or not all(a.dtype.kind in "biuf" for a in arrays.values()):
        return None
    done = meta.get("done") if isinstance(meta.get("done"), list) else []
    failure = meta.get("failure") if isinstance(meta.get("failure"), dict) else None
    notes = meta.get("notes") if isinstance(meta.get("notes"), dict) else {}
    return Recorded(arrays, notes, [str(d) for d in done], failure)


def _process_text(status: int | None, killed: bool, time_limit: float | None,
                  where: str) -> str:
    """What happened to a child that ended without its results."""
    if killed:
        return say("process.killed", seconds=f"{time_limit:g}", where=where)
    if status is not None and status < 0:
        number = -status
        name = signal.Signals(number).name if number in signal.valid_signals() else str(number)
        key = {"SIGKILL": "process.sigkill", "SIGXCPU": "process.sigxcpu",
               "SIGSEGV": "process.crash", "SIGABRT": "process.crash",
               "SIGBUS": "process.crash"}.get(name, "process.signal")
        return say(key, signal=name, where=where, seconds=f"{time_limit or 0:g}")
    return say("process.exited", status=status, where=where)


def _last_stage(path: Path) -> dict:
    """The stage the child began last (``{"part": i, "stage": name}``), or {}."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return {}
    for line in reversed(lines):  # a line cut short by a kill is passed over
        try:
            found = json.loads(line)
        except ValueError:
            continue
        if isinstance(found, dict):
            return found
    return {}


def _collect(ex: Exercise, folder: Path, path: Path | None, status: int | None, killed: bool,
             time_limit: float | None) -> list[Row]:
    """The rows of every part, from what the child wrote (or why it wrote nothing)."""
    try:
        file_failure = json.loads((folder / "file.json").read_text(encoding="utf-8"))["failure"]
    except (OSError, ValueError, KeyError, TypeError):
        file_failure = None
    if isinstance(file_failure, dict):
        label = ex.file
        if file_failure.get("kind") == "unsolved":
            return [Row(label, "-", "-", UNSOLVED, where=file_failure.get("where", ""))]
        return [failure_row(Recorded(failure=file_failure), None, label)]
    where = _last_stage(folder / "where.log")
    rows: list[Row] = []
    stopped = False
    for index, part in enumerate(ex.parts):
        rec = _read_part(folder, index)
        if rec is None:
            if stopped:
                rows.append(Row(part.label, "-", "-", ERROR, say("process.not_run")))
                continue
            stage = where.get("stage") if where.get("part") == index else None
            label = next((s.label for s in part.stages if s.name == stage), "stage.main")
            text = _process_text(status, killed, time_limit,
                                 f"{part.label}, {say(label)}" if stage else part.label)
            rows.append(Row(part.label, "-", "-", ERROR, text))
            stopped = True
            continue
        rows += _part_rows(ex, part, rec, path)
    return rows


def _part_rows(ex: Exercise, part, rec: Recorded, path: Path | None) -> list[Row]:
    f = rec.failure or {}
    if f.get("kind") == "undefined":
        return [Row(part.label, "-", "-", ERROR, say("error.undefined", file=ex.file,
                                                     name=part.name))]
    if f.get("kind") in ("patched",):
        return [Row(part.label, "-", "-", ERROR, failure_row(rec, part, part.label).hint)]
    try:
        return part.grade(rec)
    except Exception as e:  # noqa: BLE001 -- a recording too odd to grade is an error row
        what = f"{type(e).__name__}: {e}"
        return [Row(part.label, "-", "-", ERROR, say("error.ungradable", what=what))]


def run_exercise(ex: Exercise, folder: Path | None,
                 time_limit: float | None = DEFAULT_TIME_LIMIT,
                 memory_mb: float | None = DEFAULT_MEMORY_MB) -> Result:
    """Check one exercise: the file in ``folder``, or the library's own code if None."""
    result = Result(ex)
    path = None
    if folder is not None:
        path = Path(folder) / ex.file
        if not path.exists():
            result.rows.append(Row(ex.file, "-", "-", UNSOLVED,
                                   say("report.missing_file", path=display(path),
                                       folder=display(folder))))
            return result
    scratch = Path(tempfile.mkdtemp(prefix="numpyvae-exercise-"))
    job = {"module": ex.module, "file": str(path) if path else None, "out": str(scratch),
           "time_limit": time_limit or None, "memory_mb": memory_mb, "lang": current()}
    child = None
    try:
        child = _start(job, scratch, ex)
        deadline = time.monotonic() + time_limit + GRACE if time_limit else None
        status, killed = _wait(child, deadline)
        _kill(child)  # anything it started and left behind
        result.rows = _collect(ex, scratch, path, status, killed, time_limit)
        try:
            with open(scratch / "printed.txt", "rb") as f:
                result.output = f.read(MAX_PRINTED_BYTES).decode("utf-8", "replace")
        except OSError:
            pass
    except BaseException:
        if child is not None:
            _kill(child)
        raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return result
