"""How the cost of training grows: batch size, hidden width, and data larger than memory.

    python benchmarks/bench_scaling.py [--data-dir DIR] [--images 20000] [--sizes 60000 600000]

Prints three tables:
1. time per 60,000 images against the batch size (32 ... 1024), 784-400-20;
2. time per 60,000 images against the hidden width (100 ... 1000), batch 128;
3. peak resident memory of one training epoch against the size of the data set
   (60,000 ... 600,000 images), streamed from an .npy file on disk through
   ``numpyvae.datasets.NpyRows``; each size runs in a fresh child process, so
   each peak is its own.

The data are MNIST's training images when the data directory has them (repeated to
reach the larger sizes), random pixels otherwise. Nothing is asserted.
"""

from __future__ import annotations

import numpyvae  # noqa: F401  (first, as `numpyvae train` loads it: it sets OpenBLAS up before NumPy)

# isort: split
import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from machine import peak_rss_mb  # the script's own folder is on sys.path
from recipe import count, find_data_dir, load_data, numpyvae_epochs

from numpyvae.datasets import NpyRows, write_npy_source


def epoch_time(x, batch: int = 128, hidden: int = 400) -> float:
    """Seconds of one epoch of numpyvae's public API loop (recipe.numpyvae_epochs)."""
    return numpyvae_epochs(x, batch, hidden)[0]()[0]


def seconds_per_60k(x: np.ndarray, hidden: int, batch: int) -> float:
    return epoch_time(x, batch, hidden) * 60000 / len(x)


def child_memory(path: str) -> None:
    """In a child process: one epoch streamed from ``path``; print the peak RSS in MiB
    and the epoch's seconds (the public API loop, without the check of the data before it)."""
    seconds = epoch_time(NpyRows(path))
    print(f"{peak_rss_mb():.1f} {seconds:.1f}")


def memory_table(x: np.ndarray, sizes: list[int]) -> None:
    print("\npeak memory of one epoch streamed from disk (784-400-20, batch 128)")
    print(f"{'images':>9}  {'file MiB':>8}  {'peak RSS MiB':>12}  {'epoch s':>8}")
    base = None
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = Path(tmp) / f"train-{n}.npy"
            chunks = (x[i % len(x) : i % len(x) + min(10000, n - i)] for i in range(0, n, 10000))
            write_npy_source(path, chunks, n, x.shape[1])
            out = subprocess.check_output(
                [sys.executable, __file__, "--child-memory", str(path)], text=True
            ).split()
            peak, secs = float(out[0]), float(out[1])
            base = base or peak
            print(f"{n:9d}  {path.stat().st_size / 2**20:8.0f}  {peak:12.1f}  {secs:8.1f}"
                  f"   ({100 * (peak / base - 1):+.1f}% vs the first)")
            path.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", default=None,
                        help="folder with mnist/ (default: $NUMPYVAE_DATA, else ../shared/data; "
                             "random pixels when neither has it)")
    parser.add_argument("--images", type=count(1), default=20000,
                        help="images per timing run of tables 1 and 2 (default: 20000)")
    parser.add_argument("--sizes", type=count(1), nargs="+", default=[60000, 120000, 300000, 600000],
                        help="data set sizes of table 3, in images (default: 60000 120000 300000 600000)")
    parser.add_argument("--skip-timing", action="store_true", help="print table 3 only")
    parser.add_argument("--child-memory", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_memory:
        child_memory(args.child_memory)
        return
    x = load_data(find_data_dir(args.data_dir))[0]
    if not args.skip_timing:
        xs = x[: args.images]
        print(f"seconds per 60,000 images (timed on {len(xs)}), 784-H-20, Adam, float32")
        print(f"{'batch':>6}  {'s/60k':>7}      (hidden 400)")
        for batch in (32, 64, 128, 256, 512, 1024):
            print(f"{batch:6d}  {seconds_per_60k(xs, 400, batch):7.2f}")
        print(f"\n{'hidden':>6}  {'s/60k':>7}      (batch 128)")
        for hidden in (100, 200, 400, 700, 1000):
            print(f"{hidden:6d}  {seconds_per_60k(xs, hidden, 128):7.2f}")
    memory_table(x, args.sizes)


if __name__ == "__main__":
    main()
