"""What every demo shares: the command-line options, the data (MNIST, or the offline
glyph-digits when MNIST cannot be had), and the list of files written.

Not a demo itself. The demos import it as a sibling module (``import _common``), which
works when a demo is run as a script: Python puts the script's folder on the path.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from numpyvae.datasets import load_dataset
from numpyvae.errors import DataError
from numpyvae.train import TrainSettings

QUICK_TRAIN = 2000  # images, with --quick
QUICK_TEST = 500
QUICK_BATCH = 32  # with --quick and settings(): 4x the Adam steps of the default 128 per epoch


@dataclass
class Data:
    """Training and test images (N, 784) float32 in [0, 1], labels (N,) int64."""

    name: str  # "mnist" or "glyph-digits"
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def parser(doc: str, name: str, epochs: int | None, data: bool = True,
           quick_epochs: int = 1) -> argparse.ArgumentParser:
    """The options every demo takes; ``doc`` (the demo's docstring) is its --help.

    ``epochs``: the default of --epochs (None: no such option); ``data``: whether the
    demo reads MNIST (--data-dir); ``quick_epochs``: the epochs with --quick (a demo
    whose figures show a trend trains long enough, in batches of QUICK_BATCH through
    :func:`settings`, for the trend to show)."""
    p = argparse.ArgumentParser(
        prog=f"python demos/{name}.py",
        description=doc,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--out", type=Path, default=Path("demo_out") / name,
                   help="folder for the figures (default: %(default)s)")
    p.add_argument("--seed", type=int, default=0, help="seed of the models and of training")
    if data:
        p.add_argument("--data-dir", type=Path, default=None, metavar="DIR",
                       help="folder with mnist/*.gz (default: the numpyvae cache, "
                            "downloading on first use)")
        if quick_epochs == 1:
            what = "a few seconds: {} training and {} test images, 1 epoch (for tests)"
        else:
            what = ("under a minute: {} training and {} test images, "
                    f"{quick_epochs} epochs in batches of {QUICK_BATCH} (for tests)")
        p.add_argument("--quick", action="store_true",
                       help=what.format(QUICK_TRAIN, QUICK_TEST))
        p.set_defaults(quick_epochs=quick_epochs)
    else:
        p.add_argument("--quick", action="store_true", help="fewer samples (for tests)")
    if epochs is not None:
        p.add_argument("--epochs", type=int, default=epochs,
                       help="training epochs (default: %(default)s)")
    return p


def load(args: argparse.Namespace) -> Data:
    """MNIST from ``args.data_dir``; if that fails, say so in one line and use the offline
    glyph-digits. With ``args.quick``, small subsets; ``args.epochs`` is set to the
    parser's ``quick_epochs`` (1 unless the demo asked for more)."""
    n_train, n_test = (QUICK_TRAIN, QUICK_TEST) if args.quick else (None, None)
    if args.quick and hasattr(args, "epochs"):
        args.epochs = getattr(args, "quick_epochs", 1)
    start = time.perf_counter()
    try:
        x, y = load_dataset("mnist", "train", data_dir=args.data_dir, n=n_train)
        xt, yt = load_dataset("mnist", "test", data_dir=args.data_dir, n=n_test)
        name = "mnist"
    except DataError as e:
        reason = str(e).strip().splitlines()[0]
        print(f"MNIST is not available ({reason}); falling back to the offline glyph-digits "
              "set (stroke-drawn digits, not MNIST).", flush=True)
        name = "glyph-digits"
        x, y = load_dataset(name, "train", seed=args.seed, n=n_train)
        xt, yt = load_dataset(name, "test", seed=args.seed, n=n_test)
    print(f"data: {name}, {len(x)} training and {len(xt)} test images "
          f"({time.perf_counter() - start:.1f}s)", flush=True)
    return Data(name, x, y, xt, yt)


def settings(args: argparse.Namespace) -> TrainSettings:
    """How the demo's models are trained: ``args.epochs`` and ``args.seed``, and with
    ``args.quick`` batches of QUICK_BATCH (more Adam steps from the small subset)."""
    extra = {"batch_size": QUICK_BATCH} if args.quick else {}
    return TrainSettings(epochs=args.epochs, seed=args.seed, **extra)


def pick_per_class(y: np.ndarray, per_class: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of ``per_class`` examples of each class, ordered by class: (10 * per_class,)."""
    idx = []
    for c in np.unique(y):
        where = np.flatnonzero(y == c)
        idx.extend(rng.choice(where, size=min(per_class, len(where)), replace=False))
    return np.array(idx)


def report(files: list[Path], start: float) -> None:
    """Print the files written and the time taken."""
    print(f"done in {time.perf_counter() - start:.1f}s; wrote:")
    for f in files:
        print(f"  {f}  ({Path(f).stat().st_size // 1024} kB)")
