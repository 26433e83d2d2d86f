"""The recipe every implementation runs, and numpyvae's side of it.

The recipe: MNIST's 60,000 training images as grey pixels in [0, 1], 784-400-20 with
ReLU, batches of 128 shuffled every epoch, Adam with lr 1e-3, float32, the loss of each
batch = summed binary cross entropy + KL, averaged over the batch (Eq. 6). Every
implementation starts from the same weights (:func:`initial_weights`, numpyvae's with
seed 1) and keeps training its own model from round to round, so that round r is its
epoch r and the mean training losses of one round can be compared.

A *runner* is a callable that does one timed piece of work (an epoch, or Eq. (11) on
the test images) and returns ``(seconds, check)``: the check is the epoch's mean
training loss, or the mean estimate of log p(x), printed to show that each
implementation computes the same thing. Here: numpyvae's runners and the BLAS floors.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from numpyvae import VAE, VAEConfig
from numpyvae.datasets import batches, default_data_dir, load_dataset
from numpyvae.errors import DataError
from numpyvae.fast.iw import iw_blocks, log_likelihood_iw_blocked
from numpyvae.inputs import check_data
from numpyvae.optim import Adam

BATCH, INPUT, HIDDEN, LATENT, LR, SEED = 128, 784, 400, 20, 1e-3, 1
LOG_2PI = math.log(2 * math.pi)

#: what a runner returns: seconds, and the figure that checks the work (None: no check)
Outcome = tuple[float, float | None]


@dataclass
class Runner:
    """One implementation's timed piece of work, and what making it cost beforehand."""

    label: str
    run: Callable[[], Outcome]
    compile_seconds: float | None = None  # compiling and warm-up, apart from any timing


# ---- command line and data ---------------------------------------------------------


def count(minimum: int):
    """An argparse type: an integer >= ``minimum``, or a clear error naming the bound."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be >= {minimum}, got {value}")
        return value

    return parse


def find_data_dir(explicit: str | None) -> str | None:
    """The folder to read MNIST from: ``explicit`` (which must hold mnist/), else the
    library's own data directory (numpyvae.datasets.default_data_dir(), as the command
    line uses it) when it holds MNIST, else None: random data, said loudly."""
    if explicit is not None:
        if not Path(explicit, "mnist").is_dir():
            sys.exit(f"--data-dir {explicit}: no mnist/ folder there")
        return explicit
    default = default_data_dir()
    if Path(default, "mnist").is_dir():
        return str(default)
    print(f"WARNING: no MNIST in {default} (the library's data directory): timing RANDOM data "
          "of MNIST's shape. Pass --data-dir DIR for the real figures.", file=sys.stderr, flush=True)
    return None


def load_data(data_dir: str | None, n_train: int = 60000, n_test: int = 10000
              ) -> tuple[np.ndarray, np.ndarray, str]:
    """The first ``n_train`` training and ``n_test`` test images of MNIST in ``data_dir``,
    or random pixels of their shape (``data_dir`` None)."""
    if data_dir is None:
        rng = np.random.default_rng(0)
        return (rng.random((n_train, INPUT), dtype=np.float32), rng.random((n_test, INPUT), dtype=np.float32),
                "RANDOM pixels (no MNIST)")
    try:
        train, test = load_dataset("mnist", "train", data_dir)[0], load_dataset("mnist", "test", data_dir)[0]
    except DataError as e:
        sys.exit(f"cannot read MNIST: {e}")
    return train[:n_train], test[:n_test], f"MNIST ({data_dir})"


# ---- numpyvae ------------------------------------------------------------------------


def new_model(hidden: int = HIDDEN) -> VAE:
    return VAE(VAEConfig(hidden_dims=(hidden,), latent_dim=LATENT, seed=SEED))


def initial_weights() -> dict[str, np.ndarray]:
    """The starting weights of every implementation: numpyvae's, by name, W shaped (in, out)."""
    return {name: a.copy() for name, a in new_model().params.items()}


def numpyvae_epochs(x: np.ndarray, batch: int = BATCH, hidden: int = HIDDEN
                    ) -> tuple[Callable[[], Outcome], VAE]:
    """``(one_epoch, model)``: one epoch at a time of numpyvae's public API, the loop that
    ``train.fit`` runs per batch (``batches``, ``model.forward``, ``model.backward``,
    ``Adam.step``), on ``model``; ``one_epoch()`` returns seconds and the mean loss."""
    model = new_model(hidden)
    check_data(x, "training data", INPUT, "bernoulli")  # once, as fit does, untimed
    optimizer = Adam(model.params, lr=LR)
    rng = np.random.default_rng(SEED)

    def one_epoch() -> Outcome:
        start = time.perf_counter()
        total = 0.0
        with np.errstate(over="ignore", invalid="ignore"):  # as in fit
            for xb in batches(x, batch, rng):
                result = model.forward(xb, rng=rng, check=False)  # Eq. (1)-(6)
                optimizer.step(model.backward())  # Eq. (7)-(10)
                total += result.loss * len(xb)
        return time.perf_counter() - start, total / len(x)

    return one_epoch, model


def floor_epochs(n: int, batch: int = BATCH) -> Callable[[], Outcome]:
    """The 14 matrix products of one epoch of 784-400-20 alone (5 forward, 9 backward),
    with the recipe's shapes and order, for the same number of batches: what any dense
    VAE must pay on this machine's BLAS."""
    rng = np.random.default_rng(0)
    f32 = np.float32
    d, h, k = INPUT, HIDDEN, LATENT
    W0, Wmu, Wlv = rng.random((d, h), f32), rng.random((h, k), f32), rng.random((h, k), f32)
    Wd, Wout = rng.random((k, h), f32), rng.random((h, d), f32)
    sizes = [batch] * (n // batch) + ([n % batch] if n % batch else [])
    data = {b: [rng.random(s, f32) for s in [(b, d), (b, h), (b, k), (b, d), (b, h)]] for b in set(sizes)}

    def products() -> Outcome:
        start = time.perf_counter()
        for b in sizes:
            x, hh, z, dlogits, dh = data[b]
            x @ W0, hh @ Wmu, hh @ Wlv, z @ Wd, hh @ Wout  # forward
            hh.T @ dlogits, dlogits @ Wout.T  # decoder.out
            z.T @ dh, dh @ Wd.T  # decoder.0
            hh.T @ z, z @ Wmu.T, hh.T @ z, z @ Wlv.T  # the two heads
            x.T @ dh  # encoder.0 (no gradient for the data)
        return time.perf_counter() - start, None

    return products


def numpyvae_iw(model: VAE, x: np.ndarray, k: int) -> Callable[[], Outcome]:
    """Eq. (11) with ``fast.iw.log_likelihood_iw_blocked`` (what ``evaluate`` runs): seconds and the mean log p(x) estimate."""
    rng = np.random.default_rng(SEED)

    def run() -> Outcome:
        start = time.perf_counter()
        log_px = log_likelihood_iw_blocked(model, x, k, rng)
        return time.perf_counter() - start, float(log_px.mean())

    return run


def floor_iw(model: VAE, x: np.ndarray, k: int) -> Callable[[], Outcome]:
    """The products of Eq. (11) alone, in ``log_likelihood_iw_blocked``'s own blocks: the encoder
    on batches of ``encode_rows`` images, the decoder on blocks of ``images * chunk`` rows."""
    p = model.params
    images, chunk, encode_rows = iw_blocks(len(x), k)
    rng = np.random.default_rng(0)
    z = rng.random((images * chunk, LATENT), np.float32)
    h = rng.random((images * chunk, model.config.hidden_dims[0]), np.float32)

    def products() -> Outcome:
        start = time.perf_counter()
        for first in range(0, len(x), encode_rows):
            hx = x[first : first + encode_rows] @ p["encoder.0.W"]
            hx @ p["encoder.mu.W"], hx @ p["encoder.logvar.W"]
            for s in range(first, min(first + encode_rows, len(x)), images):
                g = min(images, len(x) - s)
                for c in range(0, k, chunk):
                    rows = g * min(chunk, k - c)
                    z[:rows] @ p["decoder.0.W"]
                    h[:rows] @ p["decoder.out.W"]
        return time.perf_counter() - start, None

    return products
