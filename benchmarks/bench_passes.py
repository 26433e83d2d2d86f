"""Where the time of a training step and of a block of Eq. (11) goes: every pass over a large array.

    python benchmarks/bench_passes.py --data-dir DIR [--repeats 15] [--iw-images 500] [--clock wall]

Lists, for one training step of the recipe (784-400-20 ReLU, batch 128, Adam, float32)
and for one block of Eq. (11) (K = 1000: 2 images x 1000 samples = 2,000 decoded rows),
every operation that numpyvae performs on an array of 40,000 numbers or more: the batch
gathered, each matrix product, each element-wise pass of the forward and backward
passes, of the loss (Eq. 4, 9) and of Adam (Eq. 10), as written in numpyvae's code
(model.py, layers.py, losses.py, reparam.py, optim.py, elbo.py and fast/; the rows are
in benchmarks/passes.py, the column "where" names the function). Each is timed alone, on arrays of its own shape and dtype
holding the values of a real step (a model trained for --train-epochs epochs on the
data, then one batch), called over and over: the median time of one call (elapsed, or
with --clock cpu the process's CPU time, steadier on a busy machine). The small
operations on (128, 20) arrays are timed together, as the library's own functions.

The rows' total is then set beside the step (or block) measured as a whole, the median
of --repeats runs of the public API, so that the table accounts for the time; what the
rows miss (Python's own work, the caches that an isolated pass keeps warm) is the
difference. Each row is also given per epoch (469 steps) or per --iw-images images, to
read beside bench_epoch.py's figures. The machine's load while it ran ends the output.
"""

from __future__ import annotations

import numpyvae  # noqa: F401  (first, as `numpyvae train` loads it: it sets OpenBLAS up before NumPy)

# isort: split
import argparse
import math
import statistics
import time
from collections.abc import Callable

import numpy as np
from machine import LoadMeter, machine_line
from passes import Pass, iw_passes, step_passes
from recipe import BATCH, LR, count, find_data_dir, load_data, numpyvae_epochs

from numpyvae.fast.iw import log_likelihood_iw_blocked
from numpyvae.optim import Adam

#: the clocks of --clock: wall time, or this process's CPU time (all its threads)
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


def seconds_per_call(fn: Callable[[], object], repeats: int, clock: Callable[[], float]) -> float:
    """The median over ``repeats`` runs of the time of one call, each run long enough
    (about 2 ms) for the clock."""
    start = time.perf_counter()
    fn()
    number = max(1, int(2e-3 / max(time.perf_counter() - start, 1e-7)))
    runs = []
    for _ in range(repeats):
        start = clock()
        for _ in range(number):
            fn()
        runs.append((clock() - start) / number)
    return statistics.median(runs)


def measured_step(model, x: np.ndarray, repeats: int, clock: Callable[[], float]) -> float:
    """The median time of one step of the public API loop (batch, forward, backward, Adam)."""
    optimizer = Adam(model.params, lr=LR)
    rng = np.random.default_rng(2)
    order = rng.permutation(len(x))
    times = []
    with np.errstate(over="ignore", invalid="ignore"):
        for i in range(4 * repeats + 4):
            start = clock()
            xb = x[order[(i * BATCH) % (len(x) - BATCH) :][:BATCH]]
            model.forward(xb, rng=rng, check=False)
            optimizer.step(model.backward())
            times.append(clock() - start)
    return statistics.median(times)


def measured_iw_block(model, x: np.ndarray, k: int, blocks: int, repeats: int,
                      clock: Callable[[], float]) -> float:
    """The median time of log_likelihood_iw_blocked on ``x``, per block."""
    rng = np.random.default_rng(3)
    runs = []
    for _ in range(max(3, repeats // 3)):
        start = clock()
        log_likelihood_iw_blocked(model, x, k, rng)
        runs.append((clock() - start) / blocks)
    return statistics.median(runs)


def print_table(title: str, passes: list[Pass], seconds: list[float], measured: float, times: int,
                per: str) -> None:
    """The rows, subtotals by phase, and the rows' total beside the measured step or block."""
    print(f"\n{title}")
    width = max(len(q.what) for q in passes) + 2
    wshape = max(len(q.shape) for q in passes) + 2
    print(f"{'phase':<9}{'operation':<{width}}{'shape':<{wshape}}{'µs':>9} {per:>10} {'share':>6}  where")
    for q, s in zip(passes, seconds):
        us = s * q.share * 1e6
        print(f"{q.phase:<9}{q.what:<{width}}{q.shape:<{wshape}}{us:9.1f} {us * times / 1e6:10.3f} "
              f"{100 * us / (measured * 1e6):5.1f}%  {q.where}"
              + (f" ({q.note})" if q.note else ""))
    print("by phase:")
    phases: dict[str, float] = {}
    for q, s in zip(passes, seconds):
        phases[q.phase] = phases.get(q.phase, 0.0) + s * q.share
    for phase, s in phases.items():
        count_ = sum(q.phase == phase for q in passes)
        print(f"  {phase:<9}{count_:3d} rows {s * 1e6:9.1f} µs {s * times:9.3f} {100 * s / measured:5.1f}%")
    total = sum(phases.values())
    print(f"  {'all rows':<18}{total * 1e6:9.1f} µs {total * times:9.3f} {100 * total / measured:5.1f}%")
    print(f"  {'measured whole':<18}{measured * 1e6:9.1f} µs {measured * times:9.3f} 100.0%   "
          f"(the rows account for {100 * total / measured:.0f} %; the rest: Python, and caches "
          "that an isolated pass keeps warm)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog="\n\n".join(__doc__.split("\n\n")[2:]),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default=None,
                        help="folder with mnist/ (default: the library's data directory; random data of "
                             "MNIST's shape, with a warning, when it has no MNIST)")
    parser.add_argument("--repeats", type=count(1), default=15,
                        help="timed runs of each pass, of about 2 ms each, whose median is printed "
                             "(default: 15)")
    parser.add_argument("--train-epochs", type=count(0), default=1,
                        help="epochs of the recipe before the measurements, so that the values are "
                             "those of training (default: 1)")
    parser.add_argument("--images", type=count(BATCH * 2), default=60000,
                        help="training images, the first ones (default: 60000)")
    parser.add_argument("--iw-images", type=count(0), default=500,
                        help="test images of Eq. (11) (default: 500; 0: skip Eq. 11)")
    parser.add_argument("--iw-samples", type=count(1), default=1000, help="K (default: 1000)")
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="wall",
                        help="wall: elapsed time (the default); cpu: this process's CPU time, which "
                             "other processes inflate far less on a busy machine; it counts every "
                             "thread, so set OPENBLAS_NUM_THREADS=1 with it, or the products count twice")
    args = parser.parse_args()
    clock = CLOCKS[args.clock]

    x_train, x_test, source = load_data(find_data_dir(args.data_dir), args.images, args.iw_images)
    steps = math.ceil(len(x_train) / BATCH)
    print(f"clock: {args.clock} ({'elapsed time' if args.clock == 'wall' else 'CPU time of this process'})")
    print(f"data: {source}, {len(x_train)} training images ({steps} steps an epoch), "
          f"{len(x_test)} test images; numpy {np.__version__}\n{machine_line()}")
    one_epoch, model = numpyvae_epochs(x_train)
    for _ in range(args.train_epochs):
        one_epoch()
    rng = np.random.default_rng(1)
    with LoadMeter() as meter:
        passes = step_passes(model, x_train, rng)
        with np.errstate(over="ignore", under="ignore"):
            seconds = [seconds_per_call(q.fn, args.repeats, clock) for q in passes]
        step = measured_step(model, x_train, args.repeats, clock)
        print_table(f"one training step, batch {BATCH}: each pass alone (median µs), per epoch of {steps} steps "
                    "(s), share of the measured step", passes, seconds, step, steps, "s/epoch")
        if args.iw_images > 0:
            iw, blocks = iw_passes(model, x_test, args.iw_samples, rng)
            with np.errstate(over="ignore", under="ignore"):
                iw_seconds = [seconds_per_call(q.fn, args.repeats, clock) for q in iw]
            block = measured_iw_block(model, x_test, args.iw_samples, blocks, args.repeats, clock)
            print_table(f"one block of Eq. (11), K = {args.iw_samples}: each pass alone (median µs), "
                        f"per {len(x_test)} images = {blocks} blocks (s), share of the measured block",
                        iw, iw_seconds, block, blocks, "s/images")
    print()
    print(meter.load.line())


if __name__ == "__main__":
    main()
