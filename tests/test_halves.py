"""fast/halves.py: work split between this thread and a helper gives the values of one
thread to the bit, covers every item once, hands back errors, survives a fork, and sets
OpenBLAS's spin only when it can and may."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import numpy as np
import pytest

import numpyvae
from numpyvae.fast import halves
from numpyvae.fast.flat import FLUSH_EVERY
from numpyvae.fast.iw import bernoulli_nll_rows
from numpyvae.fast.loss import bernoulli_nll_fused
from numpyvae.optim import Adam


@pytest.fixture
def two_hands(monkeypatch):
    """Split anything of 2 items or more, on two threads."""
    monkeypatch.setattr(halves, "MIN_SPLIT", 2)
    monkeypatch.setattr(halves._hands, "threads", 2)


@pytest.fixture
def one_hand(monkeypatch):
    monkeypatch.setattr(halves._hands, "threads", 1)


def record(n, align=1, size=1):
    seen = []

    def work(start, stop, hand):
        seen.append((start, stop, hand, threading.current_thread() is threading.main_thread()))

    halves.in_halves(work, n, align=align, size=size)
    return sorted(seen)


def test_the_halves_cover_every_item_once_each_on_its_own_thread(two_hands):
    assert record(1000, align=64) == [(0, 448, 0, True), (448, 1000, 1, False)]
    assert record(7) == [(0, 3, 0, True), (3, 7, 1, False)]


def test_small_work_one_thread_or_a_busy_helper_runs_whole_here(two_hands, monkeypatch):
    assert record(1) == [(0, 1, 0, True)]
    assert record(100, align=64) == [(0, 100, 0, True)]  # no multiple of 64 in between
    monkeypatch.setattr(halves, "MIN_SPLIT", 1000)
    assert record(100, size=9) == [(0, 100, 0, True)]  # 900 values
    assert record(100, size=10) == [(0, 50, 0, True), (50, 100, 1, False)]
    monkeypatch.setattr(halves._hands, "threads", 1)
    assert record(100, size=10) == [(0, 100, 0, True)]
    monkeypatch.setattr(halves._hands, "threads", 2)
    helper = halves._hands.helper
    assert helper.busy.acquire()  # another thread is using the helper
    try:
        assert record(100, size=10) == [(0, 100, 0, True)]
    finally:
        helper.busy.release()


@pytest.mark.parametrize("failing_hand", [0, 1])
def test_an_error_in_either_half_is_raised_after_both_stopped(two_hands, failing_hand):
    finished = []

    def work(start, stop, hand):
        if hand == failing_hand:
            raise ZeroDivisionError(f"half {hand}")
        finished.append(hand)

    with pytest.raises(ZeroDivisionError, match=f"half {failing_hand}"):
        halves.in_halves(work, 10, align=1)
    assert finished == [1 - failing_hand]
    assert record(10) == [(0, 5, 0, True), (5, 10, 1, False)]  # the helper serves on


def test_the_helper_works_under_the_callers_errstate(two_hands):
    big = np.full(10, 1e30, np.float32)

    def square(start, stop, hand):
        big[start:stop] * big[start:stop]

    with np.errstate(over="raise"), pytest.raises(FloatingPointError):
        halves.in_halves(square, 10, align=1)
    with np.errstate(over="ignore"):
        halves.in_halves(square, 10, align=1)  # no warning, in either thread


def test_threads_reads_numpyvae_threads(monkeypatch):
    monkeypatch.setenv("NUMPYVAE_THREADS", "1")
    assert halves.threads() == 1
    monkeypatch.setenv("NUMPYVAE_THREADS", "8")
    assert halves.threads() == 2
    monkeypatch.setenv("NUMPYVAE_THREADS", "two")
    with pytest.raises(ValueError, match="NUMPYVAE_THREADS must be a whole number, got 'two'"):
        halves.threads()


def adam_run(seed, steps):
    model = numpyvae.VAE(numpyvae.VAEConfig(input_dim=30, hidden_dims=(20,), latent_dim=3,
                                            seed=seed))
    optimizer = Adam(model.params)
    rng = np.random.default_rng(seed)
    x = (rng.random((16, 30)) < 0.3).astype(np.float32)
    for _ in range(steps):
        model.forward(x, rng=rng)
        optimizer.step(model.backward())
    return model.params.flat.copy(), optimizer.m.flat.copy(), optimizer.v.flat.copy()


def test_adam_in_halves_equals_adam_on_one_thread_to_the_bit(monkeypatch):
    monkeypatch.setattr(halves, "MIN_SPLIT", 2)
    monkeypatch.setattr(halves._hands, "threads", 1)
    alone = adam_run(0, FLUSH_EVERY + 5)  # through one clearing of subnormals
    monkeypatch.setattr(halves._hands, "threads", 2)
    split = adam_run(0, FLUSH_EVERY + 5)
    for a, b in zip(alone, split):
        np.testing.assert_array_equal(a, b)


def test_the_fused_loss_in_halves_equals_one_thread_to_the_bit(monkeypatch):
    rng = np.random.default_rng(1)
    logits = (rng.standard_normal((9, 50)) * 30).astype(np.float32)
    logits[4, 7] = 200  # e^l overflows: the row computed again after the halves
    x = rng.random((9, 50)).astype(np.float32)
    monkeypatch.setattr(halves, "MIN_SPLIT", 2)
    results = {}
    for k in (1, 2):
        monkeypatch.setattr(halves._hands, "threads", k)
        results[k] = [bernoulli_nll_fused(logits, x), bernoulli_nll_fused(logits[0], x[0]),
                      bernoulli_nll_rows(logits.reshape(3, 3, 50), x[:3, None, :]),
                      bernoulli_nll_rows(logits.reshape(3, 3, 50), x.reshape(3, 3, 50))]
    (nll1, g1), (row1, rg1), iw1, full1 = results[1]
    (nll2, g2), (row2, rg2), iw2, full2 = results[2]
    for a, b in [(nll1, nll2), (g1["logits"], g2["logits"]), (row1, row2),
                 (rg1["logits"], rg2["logits"]), (iw1, iw2), (full1, full2)]:
        np.testing.assert_array_equal(a, b)
    assert np.isfinite(nll2).all() and row2.shape == ()
    np.testing.assert_allclose(full2.reshape(9), nll2, rtol=1e-6)  # x row by row, in halves too


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_a_forked_child_gets_a_helper_of_its_own(two_hands):
    record(10)  # the parent's helper is running
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: the parent's helper thread did not come along
        try:
            os.write(write, repr(record(10)).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as f:
        got = f.read()
    os.waitpid(pid, 0)
    assert got == repr([(0, 5, 0, True), (5, 10, 1, False)])


def blas_setting(code: str, **env) -> str:
    environment = {k: v for k, v in os.environ.items() if k != "OPENBLAS_THREAD_TIMEOUT"}
    environment.update(env)
    out = subprocess.run([sys.executable, "-c", code + "; import os; "
                          "print(os.environ.get('OPENBLAS_THREAD_TIMEOUT'))"],
                         env=environment, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_importing_numpyvae_first_shortens_openblas_spin_unless_told_otherwise():
    assert blas_setting("import numpyvae") == str(halves.BLAS_SPIN)
    assert blas_setting("import numpyvae", OPENBLAS_THREAD_TIMEOUT="28") == "28"
    assert blas_setting("import numpy; import numpyvae") == "None"  # too late: left alone


def test_ctrl_c_while_waiting_is_raised_only_once_the_helper_is_done(two_hands):
    import signal
    import time

    done = []

    def work(start, stop, hand):
        if hand == 1:
            time.sleep(0.3)  # still writing when the Ctrl-C comes
            done.append(hand)

    timer = threading.Timer(0.05, signal.raise_signal, (signal.SIGINT,))
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        timer.start()
        with pytest.raises(KeyboardInterrupt):
            halves.in_halves(work, 10, align=1)
        assert done == [1]  # the helper's half finished before the caller saw the Ctrl-C
    finally:
        timer.cancel()
        signal.signal(signal.SIGINT, previous)
    assert record(10) == [(0, 5, 0, True), (5, 10, 1, False)]  # and it serves on


def test_one_row_overflowing_and_integer_logits_as_on_one_thread(two_hands):
    row = np.r_[np.float32(200), np.zeros(49, np.float32)]
    nll, grads = bernoulli_nll_fused(row, np.ones(50, np.float32))
    assert nll.shape == () and np.isfinite(nll) and grads["logits"][0] == 0
    ints = np.arange(-50, 50).reshape(2, 50)
    x = np.ones((2, 50))
    nll, grads = bernoulli_nll_fused(ints, x)
    assert nll.dtype == grads["logits"].dtype == np.float64
    assert bernoulli_nll_rows(ints[:, None, :], x[:, None, :]).dtype == np.float64


def test_the_helper_calls_the_callers_error_callback(two_hands):
    calls = []
    zeros = np.zeros(10)

    def divide(start, stop, hand):
        np.divide(1.0, zeros[start:stop])

    with np.errstate(divide="call", call=lambda kind, flag: calls.append(kind)):
        halves.in_halves(divide, 10, align=1)
    assert calls == ["divide by zero", "divide by zero"]


def test_an_idle_helper_keeps_nothing_of_the_last_job_alive(two_hands):
    import gc
    import weakref

    def job():
        a = np.zeros(10)

        def fill(start, stop, hand):
            a[start:stop] = 1

        return weakref.ref(a), fill

    alive, fill = job()
    halves.in_halves(fill, 10, align=1)
    del fill
    gc.collect()
    assert alive() is None


def test_a_job_nobody_waits_for_does_not_answer_for_the_next_one(two_hands):
    import time

    record(10)  # the helper is running
    out = np.zeros(10)

    def slow(start, stop, hand):  # as if its caller had been interrupted after handing it over
        time.sleep(0.2)

    def fill(start, stop, hand):
        out[start:stop] = 1

    halves._hands.helper.jobs.put((object(), slow, 0, 1, np.geterr(), None))
    halves.in_halves(fill, 10, align=1)
    assert out.tolist() == [1] * 10  # the helper's half was done when the call returned


def threads_in(code: str, **env) -> str:
    environment = {k: v for k, v in os.environ.items()
                   if k not in ("OPENBLAS_THREAD_TIMEOUT", "NUMPYVAE_THREADS")}
    environment.update(env)
    out = subprocess.run([sys.executable, "-c", code + "; from numpyvae.fast import halves; "
                          "print(halves.threads(), halves.blas_lets_go())"],
                         env=environment, capture_output=True, text=True, check=True)
    return out.stdout.strip()


CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@pytest.mark.skipif(CORES < 2, reason="one core: one thread whatever the BLAS")
def test_two_threads_only_where_openblas_lets_go_of_the_second_core():
    name = str(np.__config__.CONFIG["Build Dependencies"]["blas"]["name"]).lower()
    if "openblas" not in name:
        pytest.skip(f"NumPy's BLAS here is {name}")
    assert threads_in("import numpyvae") == "2 True"  # numpyvae first: the spin shortened
    assert threads_in("import numpy; import numpyvae") == "1 False"  # OpenBLAS spins 2^28
    assert threads_in("import numpy; import numpyvae", OPENBLAS_THREAD_TIMEOUT="10") == "2 True"
    assert threads_in("import numpyvae", OPENBLAS_THREAD_TIMEOUT="28") == "1 False"
    assert threads_in("import numpy; import numpyvae", NUMPYVAE_THREADS="2") == "2 False"
    assert threads_in("import numpyvae", NUMPYVAE_THREADS="1") == "1 True"


@pytest.mark.parametrize("n,k,max_rows", [(5, 7, 16), (3, 40, 16), (4, 16, 64)])
def test_eq11_with_its_draws_ahead_equals_one_thread_to_the_bit(monkeypatch, n, k, max_rows):
    """Several images per block, several blocks per image, a short last group: the next
    block's eps drawn beside this block's sums are the draws of one thread, in order."""
    from numpyvae.fast.iw import log_likelihood_iw_blocked

    monkeypatch.setattr(halves, "MIN_SPLIT", 2)
    model = numpyvae.VAE(numpyvae.VAEConfig(input_dim=30, hidden_dims=(20,), latent_dim=3,
                                            seed=4))
    x = (np.random.default_rng(5).random((n, 30)) < 0.4).astype(np.float32)
    out, after = {}, {}
    for threads in (1, 2):
        monkeypatch.setattr(halves._hands, "threads", threads)
        rng = np.random.default_rng(6)
        out[threads] = log_likelihood_iw_blocked(model, x, k, rng, max_rows=max_rows)
        after[threads] = rng.standard_normal()  # the generator left where it was
    np.testing.assert_array_equal(out[1], out[2])
    assert after[1] == after[2]


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_eq11s_decoder_in_halves_equals_one_thread_to_the_bit(monkeypatch, activation):
    """Each hidden activation over half of the rows on each core, every layer of it."""
    from numpyvae.fast.iw import ManyRowsDecoder

    monkeypatch.setattr(halves, "MIN_SPLIT", 2)
    model = numpyvae.VAE(numpyvae.VAEConfig(input_dim=30, hidden_dims=(20, 12), latent_dim=3,
                                            activation=activation, seed=4))
    z = np.random.default_rng(5).standard_normal((37, 3)).astype(np.float32)
    out = {}
    for threads in (1, 2):
        monkeypatch.setattr(halves._hands, "threads", threads)
        out[threads] = ManyRowsDecoder(model, 40)(z).copy()
    np.testing.assert_array_equal(out[1], out[2])
    np.testing.assert_allclose(out[2], model.decode_logits(z), rtol=1e-5, atol=1e-5)


def test_two_first_callers_at_once_make_one_helper(two_hands, monkeypatch):
    made = []

    class Counted(halves._Helper):
        def __init__(self):
            made.append(self)
            super().__init__()

    monkeypatch.setattr(halves, "_Helper", Counted)
    monkeypatch.setattr(halves._hands, "helper", None)
    start = threading.Barrier(4)

    def first_call():
        start.wait()
        record(10)

    callers = [threading.Thread(target=first_call) for _ in range(4)]
    for t in callers:
        t.start()
    for t in callers:
        t.join()
    assert len(made) == 1


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_a_child_forked_while_a_helper_was_being_made_makes_its_own(two_hands):
    read, write = os.pipe()
    with halves._hands.making:  # as if another thread were making the helper at the fork
        pid = os.fork()
        if pid == 0:
            try:
                os.write(write, repr(record(10)).encode())
            finally:
                os._exit(0)
    os.close(write)
    import select
    import signal

    ready, _, _ = select.select([read], [], [], 20)  # a child stuck on the lock never writes
    if not ready:
        os.kill(pid, signal.SIGKILL)
    with os.fdopen(read) as f:
        got = f.read() if ready else "nothing: the child hung"
    os.waitpid(pid, 0)
    assert got == repr([(0, 5, 0, True), (5, 10, 1, False)])
