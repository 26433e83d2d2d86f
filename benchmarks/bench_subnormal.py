"""What subnormal numbers in Adam's moments cost, and what clearing them saves.

Trains the recipe (784-400-20, batch 128, Adam 1e-3, MNIST) for ``--epochs`` epochs with the
moments never cleared (``numpyvae.optim.FLUSH_EVERY`` set beyond the run), counts the
subnormal values of m and v, then times one Adam step on that state as it is and with the
moments cleared (``fast.flat.flush_subnormals``), in alternating rounds in this one process,
and prints the medians and their ratio. Then the same epochs again with the moments
cleared every ``FLUSH_EVERY`` steps, to show that the weights end the same (to the bit, or
to rounding).

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_subnormal.py --data-dir DIR
"""

from __future__ import annotations

import numpyvae  # noqa: F401  (first, as `numpyvae train` loads it: it sets OpenBLAS up before NumPy)

# isort: split
import argparse
import statistics
import time

import numpy as np
from machine import LoadMeter, machine_line
from recipe import BATCH, LR, count, find_data_dir, load_data, new_model

from numpyvae import optim
from numpyvae.fast.flat import FLUSH_EVERY, FlatParams, flush_subnormals
from numpyvae.train import TrainSettings, fit


def subnormal(a: np.ndarray) -> int:
    return int(np.count_nonzero((a != 0) & (np.abs(a) < np.finfo(a.dtype).tiny)))


def trained(x: np.ndarray, epochs: int, flush_every: int) -> tuple:
    model = new_model()
    opt = optim.Adam(model.params, lr=LR)
    optim.FLUSH_EVERY = flush_every
    try:
        fit(model, x, settings=TrainSettings(epochs=epochs, batch_size=BATCH, seed=1),
            optimizer=opt, log=None)
    finally:
        optim.FLUSH_EVERY = FLUSH_EVERY
    return model, opt


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", help="folder with mnist/ (default: the library's data "
                        "directory; random data of MNIST's shape, with a warning, when it has no MNIST)")
    parser.add_argument("--epochs", type=count(1), default=3,
                        help="epochs of the recipe before the timing (default: 3)")
    parser.add_argument("--images", type=count(1), default=60000,
                        help="training images, the first ones (default: 60000)")
    parser.add_argument("--rounds", type=count(1), default=15,
                        help="timing rounds, each times both states (default: 15)")
    args = parser.parse_args()
    print(machine_line())
    x, _, source = load_data(find_data_dir(args.data_dir), n_train=args.images, n_test=1)
    print(f"data: {source}, {len(x):,} training images")
    model, opt = trained(x, args.epochs, flush_every=10**12)
    n = model.params.flat.size
    print(f"after {args.epochs} epochs ({opt.t} steps) without clearing: m has "
          f"{subnormal(opt.m.flat):,} subnormal values of {n:,}, v {subnormal(opt.v.flat):,}")

    grads = FlatParams.like(model.params)
    grads.flat[:] = np.random.default_rng(0).normal(size=n) * 1e-3
    grads.flat[opt.m.flat == 0] = 0  # the weights that got no gradient still get none
    grads.flat[(opt.m.flat != 0) & (np.abs(opt.m.flat) < np.finfo(np.float32).tiny)] = 0
    saved = [a.copy() for a in (model.params.flat, opt.m.flat, opt.v.flat)]
    steps = 20

    def timed(clear: bool) -> float:
        for a, s in zip((model.params.flat, opt.m.flat, opt.v.flat), saved):
            a[:] = s
        if clear:
            flush_subnormals(opt.m.flat)
            flush_subnormals(opt.v.flat)
        t0 = opt.t
        start = time.perf_counter()
        for _ in range(steps):
            opt.step(grads)
        seconds = (time.perf_counter() - start) / steps
        opt.t = t0
        return seconds

    times: dict[bool, list[float]] = {False: [], True: []}
    with LoadMeter() as meter:
        for r in range(args.rounds):
            for clear in ((False, True) if r % 2 == 0 else (True, False)):
                times[clear].append(timed(clear))
    for a, s in zip((model.params.flat, opt.m.flat, opt.v.flat), saved):
        a[:] = s  # the weights as the run left them, for the comparison below
    before, after = (statistics.median(times[c]) * 1e3 for c in (False, True))
    ratios = [a / b for a, b in zip(times[False], times[True])]
    print(f"one Adam step ({steps} steps per round, {args.rounds} rounds, median):")
    print(f"  moments as they are     {before:7.2f} ms")
    print(f"  moments cleared         {after:7.2f} ms")
    print(f"  as they are / cleared   {statistics.median(ratios):7.2f} (median of the rounds' ratios)")
    print(meter.load.line())

    cleared, _ = trained(x, args.epochs, flush_every=FLUSH_EVERY)
    same = np.array_equal(cleared.params.flat, model.params.flat)
    diff = float(np.max(np.abs(cleared.params.flat - model.params.flat)))
    print(f"the same {args.epochs} epochs, moments cleared every {FLUSH_EVERY} steps: weights "
          + ("identical to the bit" if same else f"differ by at most {diff:.3g}"))


if __name__ == "__main__":
    main()
