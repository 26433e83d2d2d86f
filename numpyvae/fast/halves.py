"""Element-wise work on both cores: the first half here, the second on a helper thread.

NumPy runs a matrix product on every core (BLAS's threads) but an element-wise pass
(Adam's update, the loss over the logits) on one. Such a pass on a slice of an array
computes exactly what it computes on the whole, so :func:`in_halves` cuts the work in
two, gives the second half to one long-lived helper thread and does the first itself;
NumPy lets go of Python's lock inside each large pass, so the halves run at once. The
values are the same to the bit (tests/test_halves.py); only the time changes.

One setting outside NumPy's reach decides whether the helper finds a free core: after a
product, OpenBLAS's own threads wait for the next one by spinning, 2^28 CPU cycles
(about 0.1 s) by default, long enough to hold the second core through all the
element-wise work of a training step. So this module, imported by ``numpyvae`` before
NumPy is, shortens that spin to 2^:data:`BLAS_SPIN` cycles (about 10 µs) by setting
``OPENBLAS_THREAD_TIMEOUT``, unless it is already set. If NumPy was imported first,
OpenBLAS has read its settings already: unless the shell set a short spin, every pass
then stays on one thread, since a helper that finds the second core held is slower than
none (so import ``numpyvae`` first). ``NUMPYVAE_THREADS=1`` keeps every pass on one
thread, ``2`` splits them whatever the BLAS. The figures: benchmarks/README.md.
"""

from __future__ import annotations

import os
import queue
import sys
import threading
from collections.abc import Callable

#: OpenBLAS's idle threads spin for 2^BLAS_SPIN CPU cycles before they sleep
BLAS_SPIN = 15

#: below this many values a pass stays on one thread: handing it over costs more
MIN_SPLIT = 1 << 15

if "numpy" not in sys.modules:  # OpenBLAS reads its settings once, when NumPy loads it
    os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", str(BLAS_SPIN))
#: the spin OpenBLAS read when NumPy loaded it (or, NumPy loaded first, as the shell set it)
SPIN_READ = os.environ.get("OPENBLAS_THREAD_TIMEOUT", "")

import numpy as np  # after the setting above


def blas_lets_go() -> bool:
    """Whether NumPy's BLAS is OpenBLAS with its idle spin shortened (to 2^20 cycles or
    less): else its threads hold the second core after every product, and a helper
    thread, measured, only slows the passes down."""
    try:
        name = str(np.__config__.CONFIG["Build Dependencies"]["blas"]["name"])
        spin = int(SPIN_READ)
    except (AttributeError, KeyError, TypeError, ValueError):
        return False
    return "openblas" in name.lower() and spin <= 20


def threads() -> int:
    """How many threads :func:`in_halves` uses: ``NUMPYVAE_THREADS`` (1, or 2 and more:
    2) when set; else 2 on a machine of two cores or more whose BLAS lets go of the
    second core (:func:`blas_lets_go`), 1 otherwise."""
    asked = os.environ.get("NUMPYVAE_THREADS", "").strip()
    if asked:
        try:
            return 1 if int(asked) < 2 else 2
        except ValueError:
            raise ValueError(f"NUMPYVAE_THREADS must be a whole number, got {asked!r}") from None
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return 2 if (cores or 1) >= 2 and blas_lets_go() else 1


class _Helper:
    """One daemon thread that runs ``work(start, stop, 1)`` jobs, one at a time, under
    the caller's ``np.errstate`` and ``np.seterrcall`` (NumPy keeps them per thread)."""

    def __init__(self) -> None:
        self.busy = threading.Lock()  # one caller at a time: another runs its work alone
        self.jobs: queue.SimpleQueue = queue.SimpleQueue()
        self.done = threading.Condition()
        self.result: tuple[object, BaseException | None] | None = None  # (ticket, error)
        threading.Thread(target=self._serve, name="numpyvae-half", daemon=True).start()

    def finish(self, ticket: object) -> BaseException | None:
        """Wait until the job of ``ticket`` is done; its error, or None. A Ctrl-C meanwhile
        is raised once the helper's half is done, so that no thread still writes
        into the arrays when the caller sees it."""
        interrupted, got, error = None, False, None
        while not got:
            try:
                with self.done:  # waiting again after a Ctrl-C loses nothing
                    while self.result is None or self.result[0] is not ticket:
                        self.done.wait()
                    # one statement: no signal handler runs between its stores
                    error, self.result, got = self.result[1], None, True
            except BaseException as signal_error:  # noqa: BLE001  (raised below)
                interrupted = signal_error
        if interrupted is not None:
            raise interrupted
        return error

    def _serve(self) -> None:
        while True:
            ticket, work, start, stop, errors, call = self.jobs.get()
            error = None
            try:
                with np.errstate(call=call, **errors):
                    work(start, stop, 1)
            except BaseException as e:  # noqa: BLE001  (handed back to the caller, raised there)
                error = e
            work = None  # the job's arrays are not kept alive by an idle helper
            with self.done:
                self.result = (ticket, error)
                self.done.notify_all()
            del ticket, error


class _Hands:
    """What :func:`in_halves` learns once: how many threads, and the helper (made when
    first needed). Its attributes change, never the module's names."""

    def __init__(self) -> None:
        self.threads: int | None = None
        self.helper: _Helper | None = None
        self.making = threading.Lock()  # two first callers at once make one helper, not two

    def forget(self) -> None:
        """In a forked child: the parent's helper thread and locks did not come along."""
        self.helper, self.making = None, threading.Lock()


_hands = _Hands()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_hands.forget)


def set_threads(count: int | None) -> int | None:
    """Use ``count`` threads (1 or 2) from now on, or with None what :func:`threads` says;
    returns the setting it replaces (to compare both in one process: benchmarks/)."""
    if count not in (None, 1, 2):
        raise ValueError(f"the element-wise passes run on 1 or 2 threads, not {count!r}")
    previous, _hands.threads = _hands.threads, count
    return previous


def in_halves(
    work: Callable[[int, int, int], None], n: int, align: int = 64, size: int = 1,
    beside: Callable[[], None] | None = None, share: float = 0.5,
) -> None:
    """Run ``work(start, stop, hand)`` over ``range(n)``: ``work(0, mid, 0)`` on this
    thread and ``work(mid, n, 1)`` on the helper at the same time, ``mid`` a multiple of
    ``align``; or ``work(0, n, 0)`` alone when the n items (of ``size`` values each)
    hold fewer than :data:`MIN_SPLIT` values, on one thread (:func:`threads`), or while
    another thread is using the helper.

    ``work`` must touch only its own part of every array it writes (``hand`` picks the
    scratch space of each half). ``beside()``, if given, runs on this thread first, while
    the helper works (or before the whole, alone); ``share`` is then the fraction of the
    items this thread takes (``mid`` = ``share`` n). An error in either half is raised
    here, after both have stopped.
    """
    if _hands.threads is None:
        _hands.threads = threads()

    def alone() -> None:
        if beside is not None:
            beside()
        work(0, n, 0)

    mid = int(n * share) // align * align
    if n * size < MIN_SPLIT or _hands.threads < 2 or mid == 0:
        return alone()
    if _hands.helper is None:  # made once per process: a forked child forgets the parent's
        with _hands.making:
            if _hands.helper is None:
                try:
                    _hands.helper = _Helper()
                except RuntimeError:  # no thread to be had (a memory limit, say): one thread
                    _hands.threads = 1
        if _hands.threads < 2:
            return alone()
    helper = _hands.helper
    if not helper.busy.acquire(blocking=False):
        return alone()
    try:
        ticket = object()
        helper.jobs.put((ticket, work, mid, n, np.geterr(), np.geterrcall()))
        try:
            if beside is not None:
                beside()
            work(0, mid, 0)
        finally:
            error = helper.finish(ticket)  # even if ours failed: nothing writes after we return
        if error is not None:
            raise error
    finally:
        helper.busy.release()
