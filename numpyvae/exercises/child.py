"""What runs in the child process of a check: the learner's file, under limits.

:func:`main` is the whole life of the child (``sandbox.py`` forks it, or starts it as
``python -m numpyvae.exercises.child JOB.json`` where there is no fork):

1. what the learner's code prints goes to a file; stdin is empty;
2. limits it cannot lift: CPU time (``RLIMIT_CPU``: a soft signal, then a kill), memory
   (``RLIMIT_AS``); a timer that stops an endless loop where it is;
3. the calls that would end, copy or stop the process raise :class:`Forbidden` instead
   (``os._exit``, ``os.fork``, ``os.kill``, ``signal.signal``, ``signal.setitimer``,
   ``resource.setrlimit`` ...); a fork that gets past them ends its copy at once;
4. the learner's file is imported and each part's stages run (``exercise.Stage``); a new
   interpreter imports the exercise's own module first (``ex4_reparameterize.py`` ...);
5. after each part, numpyvae's own modules are compared with how they were before the
   learner's code ran: a change is reported, never trusted;
6. each stage appends its name to ``where.log`` before it runs (what the parent names
   when the child is killed: appending is cheap where replacing a file is not); each
   part's results are written for the parent: arrays as ``partN.npz`` (numbers only),
   facts as ``partN.json``; then ``os._exit``.

The child never decides a verdict: the parent reads the arrays (``allow_pickle=False``)
and grades them itself.
"""

from __future__ import annotations

import importlib
import json
import math
import os
import signal
import sys
import time
from pathlib import Path

import numpy as np

from .exercise import Exercise, Recorder
from .loading import Forbidden, TimeLimitExceeded, facts, load_file

#: Seconds after the CPU-time limit before the kernel kills a child that ignores it.
CPU_GRACE = 2


def _write(folder: Path, name: str, text: str) -> None:
    tmp = folder / (name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, folder / name)


def _write_part(folder: Path, index: int, rec: Recorder, done: list[str],
                failure: dict | None) -> None:
    tmp = folder / f"part{index}.tmp.npz"
    np.savez(tmp, **rec.arrays)
    os.replace(tmp, folder / f"part{index}.npz")
    _write(folder, f"part{index}.json", json.dumps(
        {"notes": rec.notes, "done": done, "failure": failure}, default=str))


def _limit(memory_mb: float | None, seconds: float | None) -> None:
    """The resource limits of the child (where the platform has them)."""
    try:
        import resource
    except ImportError:  # not POSIX: the parent's deadline is the only limit
        return
    if seconds:
        soft = math.ceil(seconds) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (soft, soft + CPU_GRACE))
    if memory_mb:
        try:  # on top of what the process already maps (numpy, the checker)
            with open("/proc/self/statm") as f:
                mapped = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
            limit = mapped + int(memory_mb * 2**20)
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (OSError, ValueError):
            pass


class _Clock:
    """The exercise's time: a SIGALRM (wall clock) and a SIGXCPU (CPU time) each raise
    TimeLimitExceeded where the code is, again every half second until it stops."""

    def __init__(self, seconds: float | None, setitimer) -> None:
        self.seconds, self.setitimer = seconds, setitimer
        self.left = seconds
        self.started = 0.0

    def _raise(self, signum, frame):
        raise TimeLimitExceeded(self.seconds)

    def install(self) -> None:
        if self.seconds and hasattr(signal, "SIGALRM"):
            signal.signal(signal.SIGALRM, self._raise)
        if self.seconds and hasattr(signal, "SIGXCPU"):
            signal.signal(signal.SIGXCPU, self._raise)

    def start(self) -> None:
        if self.left is not None and self.seconds and self.setitimer:
            self.started = time.monotonic()
            self.setitimer(signal.ITIMER_REAL, max(self.left, 0.001), 0.5)

    def stop(self) -> None:
        if self.seconds and self.setitimer:
            self.setitimer(signal.ITIMER_REAL, 0)
            self.left -= time.monotonic() - self.started


def _guard(events: list[str]) -> dict:
    """Replace the calls that end, copy or stop the process with ones that raise Forbidden.
    Returns the real ones (the child's own exit needs one)."""
    modules = [os, signal]
    try:
        import posix
        modules.append(posix)
    except ImportError:
        pass
    try:
        import resource
        modules.append(resource)
    except ImportError:
        pass
    names = {"_exit", "fork", "forkpty", "kill", "killpg", "abort", "system", "setitimer",
             "alarm", "pthread_kill", "pthread_sigmask", "siginterrupt", "setrlimit", "prlimit",
             "signal", "register_at_fork"}
    real = {}
    for module in modules:
        for name in names:
            fn = getattr(module, name, None)
            if fn is None:
                continue
            real.setdefault(name, fn)
            what = f"{module.__name__}.{name}()"

            def forbidden(*args, _what=what, **kwargs):
                events.append(_what)
                raise Forbidden(_what)

            setattr(module, name, forbidden)
    return real


def snapshot() -> dict[str, object]:
    """Every name of numpyvae's modules and of their classes, with its object."""
    out: dict[str, object] = {}
    for name, module in list(sys.modules.items()):
        if module is None or not (name == "numpyvae" or name.startswith("numpyvae.")):
            continue
        for attr, value in list(vars(module).items()):
            out[f"{name}.{attr}"] = value
            if isinstance(value, type) and value.__module__ == name:
                for a, v in list(vars(value).items()):
                    out[f"{name}.{attr}.{a}"] = v
    return out


def changed_names(before: dict[str, object]) -> list[str]:
    """The names of ``before`` whose object is not the same any more (or is gone)."""
    now = snapshot()
    gone = object()
    return sorted(k for k, v in before.items() if now.get(k, gone) is not v)


def main(job: dict, exercise: Exercise | None = None) -> None:
    """The child's life (see the module's docstring); never returns. ``exercise`` is the
    one to check (a forked child has it); a new interpreter imports the module that holds
    it, named in the job (``Exercise.module``)."""
    out = Path(job["out"])
    exit_ = os._exit
    try:
        fd = os.open(out / "printed.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        sys.stdin = open(0, closefd=False)  # noqa: SIM115 -- the process's own, kept open
        sys.stdout = sys.stderr = open(1, "w", buffering=1, closefd=False)  # noqa: SIM115
        ex = exercise or importlib.import_module(job["module"]).EXERCISE
        path = Path(job["file"]) if job.get("file") else None
        _limit(job.get("memory_mb"), job.get("time_limit"))
        clock = _Clock(job.get("time_limit"), getattr(signal, "setitimer", None))
        clock.install()
        if hasattr(os, "register_at_fork"):  # a fork past the guards: its copy ends at once
            os.register_at_fork(after_in_child=lambda: exit_(71))
        events: list[str] = []
        before = snapshot()
        real = _guard(events)
        _run(ex, path, job, clock, before, out, real)
    except BaseException as e:  # noqa: BLE001 -- the child must end here, whatever happened
        try:
            _write(out, "crash.json", json.dumps({"type": type(e).__name__, "message": str(e)}))
        except BaseException:  # noqa: BLE001, S110 -- nowhere left to report it
            pass
    finally:
        try:
            sys.stdout.flush()
        except BaseException:  # noqa: BLE001, S110 -- nowhere left to report it
            pass
        exit_(0)


def _run(ex, path: Path | None, job: dict, clock: _Clock, before: dict, out: Path,
         real: dict) -> None:
    seconds = job.get("time_limit")
    impls: dict[str, object] = {}
    clock.start()
    try:
        if path is None:
            impls = {p.name: p.solution for p in ex.parts}
        else:
            module = load_file(path)
            impls = {p.name: getattr(module, p.name, None) for p in ex.parts}
    except BaseException as e:  # noqa: BLE001 -- whatever the learner's file raises is reported
        clock.stop()
        _write(out, "file.json", json.dumps({"failure": facts(e, path, seconds)}, default=str))
        return
    clock.stop()
    patched = changed_names(before)
    where = os.open(out / "where.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    for index, part in enumerate(ex.parts):
        rec, done, failure, state = Recorder(), [], None, {}
        impl = impls.get(part.name)
        if impl is None:
            failure = {"kind": "undefined", "name": part.name}
        elif patched:
            failure = {"kind": "patched", "names": patched}
        for stage in part.stages if failure is None else ():
            os.write(where, json.dumps({"part": index, "stage": stage.name}).encode() + b"\n")
            clock.start()
            try:
                stage.run(impl, rec, state)
            except BaseException as e:  # noqa: BLE001 -- reported as the row of this stage
                clock.stop()
                f = facts(e, path, seconds)
                f.update(stage=stage.name, stage_label=stage.label)
                if stage.optional and f["kind"] != "time":
                    rec.note(f"failed:{stage.name}", f)
                    continue
                failure = f
                break
            clock.stop()
            done.append(stage.name)
        patched = patched or changed_names(before)
        if patched:
            failure = {"kind": "patched", "names": patched}
        _write_part(out, index, rec, done, failure)


if __name__ == "__main__":  # where there is no fork: python -m numpyvae.exercises.child JOB
    main(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")))
