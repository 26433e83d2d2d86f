"""How fast is one training epoch, next to the floor that BLAS sets on this machine?

    python benchmarks/bench_epoch.py [--data-dir DIR] [--repeats 5] [--iw-images 10000] [--torch-rounds 3]

Times, in one run (medians of --repeats, except where said):
- one epoch of the default recipe (784-400-20 ReLU, batch 128, Adam, float32) with
  numpyvae.train.fit, on MNIST when the data directory has it, else on random data
  of the same shape;
- the floor: the same matrix products alone, with the same shapes, in the same order,
  for the same number of batches (what any dense VAE must pay);
- the Adam updates of one epoch alone: element-wise work that the floor does not
  include and no product can hide, so 1 + adam / floor bounds epoch / floor from below;
- the floor's products on one BLAS thread (in a child process), in turns with the
  floor: the time of one core that they need at least; with the epoch's work beyond
  its products, it bounds epoch / floor from below for any sharing of the two cores;
- the importance-weighted evaluation (Eq. 11, K = 1000 on 10,000 test images) and its
  own floor (the encoder and decoder products for the same rows, in the same blocks),
  timed in turns on 100 images at a time so that a drifting machine moves both alike;
- the time of ``import numpyvae`` in a fresh interpreter, and the peak memory of a full
  ``numpyvae train`` run (10 epochs) in a child process;
- last, when torch happens to be importable (it is not a dependency of numpyvae), the
  same recipe in PyTorch on the CPU (benchmarks/torch_recipe.py: eager, with fused Adam,
  and compiled), in this process, in turns with numpyvae epoch by epoch for
  --torch-rounds rounds: the median of the per-round ratios numpyvae / PyTorch.

Nothing here is asserted: the script prints figures.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from numpyvae import VAE, VAEConfig
from numpyvae.datasets import default_data_dir, load_dataset
from numpyvae.errors import DataError
from numpyvae.fast.iw import iw_blocks
from numpyvae.fast.iw import log_likelihood_iw_blocked as log_likelihood_iw
from numpyvae.optim import Adam
from numpyvae.train import TrainSettings, fit

HERE = Path(__file__).resolve().parent


def peak_rss_mb() -> float:
    """This process's peak resident memory in MiB: VmHWM of /proc/self/status.

    (``getrusage`` would do on a fresh process, but on Linux a child keeps the peak of
    the process it was forked from across exec, so a big parent would hide its child's.)
    """
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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


def load_data(data_dir: str | None) -> tuple[np.ndarray, np.ndarray, str]:
    """MNIST's training and test images from ``data_dir``, or random data of their shape."""
    if data_dir is None:
        rng = np.random.default_rng(0)
        return rng.random((60000, 784), dtype=np.float32), rng.random((10000, 784), dtype=np.float32), "random"
    try:
        return load_dataset("mnist", "train", data_dir)[0], load_dataset("mnist", "test", data_dir)[0], f"MNIST ({data_dir})"
    except DataError as e:
        sys.exit(f"cannot read MNIST: {e}")


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


def median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def epoch_time(x: np.ndarray, batch: int = 128, hidden: int = 400) -> float:
    """Seconds of one training epoch (fit's own per-epoch clock: batches, forward,
    backward, Adam; not the one-time check of the data before the first epoch)."""
    model = VAE(VAEConfig(hidden_dims=(hidden,), latent_dim=20, seed=1))
    return fit(model, x, settings=TrainSettings(epochs=1, batch_size=batch, seed=1), log=None)[-1].seconds


def adam_epoch(n: int, repeats: int, batch: int = 128) -> float:
    """Seconds of the Adam updates of one epoch alone (Eq. 10 on all 652,824 parameters,
    once per batch): element-wise work that no product can hide, so that epoch / floor
    cannot go below 1 + adam / floor."""
    model = VAE(VAEConfig(hidden_dims=(400,), latent_dim=20, seed=1))
    model.grads.flat[:] = np.random.default_rng(0).normal(0, 1e-3, model.num_params)
    optimizer = Adam(model.params)
    steps = -(-n // batch)

    def updates():
        for _ in range(steps):
            optimizer.step(model.grads)

    return median_time(updates, repeats)


def floor_epoch(n: int, repeats: int, batch: int = 128, d: int = 784, h: int = 400, k: int = 20) -> float:
    """The matrix products of one epoch of 784-400-20, alone: 5 forward, 9 backward."""
    rng = np.random.default_rng(0)
    f32 = np.float32
    W0, Wmu, Wlv = rng.random((d, h), f32), rng.random((h, k), f32), rng.random((h, k), f32)
    Wd, Wout = rng.random((k, h), f32), rng.random((h, d), f32)
    sizes = [batch] * (n // batch) + ([n % batch] if n % batch else [])
    data = {b: [rng.random(s, f32) for s in [(b, d), (b, h), (b, k), (b, d), (b, h)]] for b in set(sizes)}

    def products():
        for b in sizes:
            x, hh, z, dlogits, dh = data[b]
            x @ W0, hh @ Wmu, hh @ Wlv, z @ Wd, hh @ Wout  # forward
            hh.T @ dlogits, dlogits @ Wout.T  # decoder.out
            z.T @ dh, dh @ Wd.T  # decoder.0
            hh.T @ z, z @ Wmu.T, hh.T @ z, z @ Wlv.T  # the two heads
            x.T @ dh  # encoder.0 (no gradient for the data)

    return median_time(products, repeats)


def floor_one_thread(n: int, repeats: int) -> float:
    """The floor of :func:`floor_epoch` with BLAS on one thread: a child process, since
    BLAS reads its thread count when NumPy loads."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, __file__, "--child-floor", str(n), str(repeats)],
                         env=env, check=True, capture_output=True, text=True).stdout
    return float(out)


def floor_iw(model: VAE, x: np.ndarray, k: int) -> float:
    """The products of the IW evaluation alone, with its own block shapes: the encoder
    on batches of ``encode_rows`` images, the decoder on blocks of ``images * chunk`` rows."""
    p = model.params
    images, chunk, encode_rows = iw_blocks(len(x), k)
    rng = np.random.default_rng(0)
    z = rng.random((images * chunk, model.config.latent_dim), np.float32)
    h = rng.random((images * chunk, model.config.hidden_dims[0]), np.float32)
    t = time.perf_counter()
    for first in range(0, len(x), encode_rows):
        hx = x[first : first + encode_rows] @ p["encoder.0.W"]
        hx @ p["encoder.mu.W"], hx @ p["encoder.logvar.W"]
        for start in range(first, min(first + encode_rows, len(x)), images):
            g = min(images, len(x) - start)
            for s in range(0, k, chunk):
                rows = g * min(chunk, k - s)
                z[:rows] @ p["decoder.0.W"]
                h[:rows] @ p["decoder.out.W"]
    return time.perf_counter() - t


def iw_against_floor(model: VAE, x: np.ndarray, k: int, piece: int = 100) -> list[tuple[float, float]]:
    """Seconds of the IW evaluation and of its floor, measured in turns on pieces of
    ``piece`` images: one (evaluation, floor) pair per piece. Both sides of a pair then
    see the same machine, even one whose speed drifts over the minute that the whole
    evaluation takes. (Each image's estimate depends on that image alone, so the
    pieces add up to the whole evaluation.)"""
    pairs = []
    rng = np.random.default_rng(0)
    for start in range(0, len(x), piece):
        xs = x[start : start + piece]
        t = time.perf_counter()
        log_likelihood_iw(model, xs, k, rng)
        pairs.append((time.perf_counter() - t, floor_iw(model, xs, k)))
    return pairs


def import_time(repeats: int = 5) -> float:
    code = "import time; t = time.perf_counter(); import numpyvae; print(time.perf_counter() - t)"
    times = [float(subprocess.check_output([sys.executable, "-c", code], text=True)) for _ in range(repeats)]
    return statistics.median(times)


#: the child of train_run_peak_mb: ``numpyvae ARGS...``, then its own peak memory
_PEAK_OF_COMMAND = """
import sys
sys.path.insert(0, sys.argv[1])
from bench_epoch import peak_rss_mb
from numpyvae.cli import main
if main(sys.argv[2:]):
    sys.exit("numpyvae failed")
print("peak", peak_rss_mb())
"""


def train_run_peak_mb(data_dir: str | None, epochs: int) -> float | None:
    """Peak resident memory of ``numpyvae train`` in a child process, in MiB.

    The child reports its own peak (VmHWM): ``getrusage`` would report this (big)
    process's peak, which a child inherits across fork and exec on Linux.
    """
    if data_dir is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        args = ["train", "--dataset", "mnist", "--data-dir", data_dir, "--epochs", str(epochs),
                "--out", str(Path(tmp) / "run")]
        out = subprocess.run([sys.executable, "-c", _PEAK_OF_COMMAND, str(HERE), *args], check=True,
                             capture_output=True, text=True).stdout
    return float(out.split("peak")[-1])


def paired_with_torch(x: np.ndarray, rounds: int) -> None:
    """Print numpyvae / PyTorch for each variant of torch_recipe, timed in turns in this
    process: round r runs one numpyvae epoch and one epoch of every PyTorch variant, in
    that order on even rounds and in the reverse order on odd ones, so that a machine
    whose speed drifts weighs on both sides alike; each ratio is taken round by round."""
    from torch_recipe import epoch_runners  # beside this script; imports torch

    found = epoch_runners(x)
    if found is None:
        print("PyTorch                  not installed (optional)")
        return
    version, runners, skipped = found
    load = os.getloadavg()[0]
    print(f"{version}, {rounds} rounds in turns with numpyvae (order reversed every other round), "
          f"load average {load:.1f}:")
    for name, why in skipped.items():
        print(f"{'PyTorch ' + name:<24} skipped: {why}")
    times: dict[str, list[float]] = {name: [] for name in ["numpyvae", *runners]}
    for r in range(rounds):
        order = list(times) if r % 2 == 0 else list(times)[::-1]
        for name in order:
            times[name].append(epoch_time(x) if name == "numpyvae" else runners[name]())

    def each(ts: list[float]) -> str:
        return ", ".join(f"{t:.2f}" for t in ts)

    print(f"{'numpyvae epoch':<24} {statistics.median(times['numpyvae']):8.2f} s   (each round: {each(times['numpyvae'])})")
    for name in runners:
        ratios = [a / b for a, b in zip(times["numpyvae"], times[name])]
        print(f"{'PyTorch ' + name:<24} {statistics.median(times[name]):8.2f} s   numpyvae / PyTorch "
              f"{statistics.median(ratios):.2f} (median of {rounds}; {min(ratios):.2f} to {max(ratios):.2f})"
              f"   (each round: {each(times[name])})")
    print(f"{'load average after':<24} {os.getloadavg()[0]:8.1f}     (1 minute; above {os.cpu_count()}, "
          "other processes shared these cores)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", default=None,
                        help="folder with mnist/ (default: the library's data directory, "
                             "$NUMPYVAE_DATA or the cache; random data of MNIST's shape, with a "
                             "warning, when it has no MNIST)")
    parser.add_argument("--repeats", type=count(1), default=5,
                        help="epoch/floor and one-thread/floor pairs, and Adam runs, "
                             "whose median is printed (default: 5)")
    parser.add_argument("--iw-images", type=count(0), default=10000,
                        help="test images of the importance-weighted evaluation (default: 10000; 0: skip it)")
    parser.add_argument("--iw-samples", type=count(1), default=1000,
                        help="K, importance samples per image (default: 1000)")
    parser.add_argument("--train-epochs", type=count(0), default=10,
                        help="epochs of the `numpyvae train` run whose peak memory is printed "
                             "(default: 10; 0: skip it)")
    parser.add_argument("--torch-rounds", type=count(0), default=3,
                        help="rounds of one numpyvae epoch and one epoch of each PyTorch variant "
                             "(eager, fused Adam, compiled), in turns, whose paired ratios' median is "
                             "printed, when torch can be imported (default: 3; 0: skip PyTorch)")
    parser.add_argument("--child-floor", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_floor:  # in the child of floor_one_thread
        print(floor_epoch(*args.child_floor))
        return

    data_dir = find_data_dir(args.data_dir)
    x_train, x_test, source = load_data(data_dir)
    print(f"data: {source}, {len(x_train)} training images")
    print(f"numpy {np.__version__}, {os.cpu_count()} cores")

    t_import = import_time()
    # epoch and floor alternate, and the ratio is taken pair by pair: a shared machine
    # whose speed drifts over minutes then moves both sides of each ratio together
    pairs = [(epoch_time(x_train), floor_epoch(len(x_train), 1)) for _ in range(args.repeats)]
    t_epoch = statistics.median(e for e, _ in pairs)
    t_floor = statistics.median(f for _, f in pairs)
    ratio = statistics.median(e / f for e, f in pairs)
    print(f"import numpyvae          {t_import:8.3f} s")
    print(f"epoch (784-400-20, b128) {t_epoch:8.2f} s   (each run: {', '.join(f'{e:.2f}' for e, _ in pairs)})")
    print(f"matrix-product floor     {t_floor:8.2f} s   (each run: {', '.join(f'{f:.2f}' for _, f in pairs)})")
    print(f"epoch / floor            {ratio:8.2f}     (median of the paired ratios)")
    t_adam = adam_epoch(len(x_train), args.repeats)
    print(f"Adam updates alone       {t_adam:8.2f} s   = {t_adam / t_floor:.2f} of the floor, so epoch / floor "
          f"is at least about {1 + t_adam / t_floor:.2f} in NumPy")
    # the products on one BLAS thread: the least time of one core they need, however the
    # epoch's work were shared between the cores
    one = [(floor_one_thread(len(x_train), 1), floor_epoch(len(x_train), 1)) for _ in range(args.repeats)]
    one_ratio = statistics.median(a / b for a, b in one)
    print(f"products on one thread   {statistics.median(a for a, _ in one):8.2f} s   = "
          f"{one_ratio:.2f} times the floor (in turns with it)")
    # in units of the floor: one core needs one_ratio for the products, and the epoch's
    # work beyond its products takes ratio - 1 (single-threaded NumPy); all the cores,
    # never waiting, need that sum shared between them
    cores = os.cpu_count() or 1
    print(f"{f'{cores} cores, never idle':<24} {(one_ratio + ratio - 1) / cores:8.2f}     times the floor at least, "
          f"for this work however it is shared: (one thread + (epoch - floor)) / {cores}")

    if args.iw_images > 0:
        model = VAE(VAEConfig(hidden_dims=(400,), latent_dim=20, seed=1))
        fit(model, x_train, settings=TrainSettings(epochs=1, seed=1), log=None)
        xs = x_test[: args.iw_images]
        iw_pairs = iw_against_floor(model, xs, args.iw_samples)
        t_iw, t_iw_floor = sum(a for a, _ in iw_pairs), sum(b for _, b in iw_pairs)
        print(f"IW eval K={args.iw_samples}, {len(xs)} images {t_iw:8.2f} s   "
              "(in turns with its floor, 100 images at a time)")
        print(f"IW matrix-product floor  {t_iw_floor:8.2f} s")
        print(f"IW / floor               {statistics.median(a / b for a, b in iw_pairs):8.2f}     "
              f"(median of the {len(iw_pairs)} paired ratios; of the sums: {t_iw / t_iw_floor:.2f})")
    print(f"peak memory, this process {peak_rss_mb():7.0f} MiB")
    if args.train_epochs > 0:
        peak = train_run_peak_mb(data_dir, args.train_epochs)
        if peak is None:
            print("peak memory of `numpyvae train`: skipped (no MNIST files)")
        else:
            epochs = f"{args.train_epochs} epoch{'s' if args.train_epochs > 1 else ''}"
            print(f"peak memory of `numpyvae train` ({epochs}) {peak:7.0f} MiB")
    # last, so that torch's import weighs neither on the memory above nor on any timing before
    if args.torch_rounds > 0:
        paired_with_torch(x_train, args.torch_rounds)


if __name__ == "__main__":
    main()
