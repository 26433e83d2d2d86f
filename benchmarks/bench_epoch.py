"""numpyvae beside its BLAS floor, PyTorch and JAX: one training epoch, and Eq. (11).

    python benchmarks/bench_epoch.py --data-dir DIR [--rounds 5] [--peers all] [--iw-images 500]

In ONE process and in rounds, it times one epoch of the recipe (784-400-20 ReLU, batch
128, Adam 1e-3, float32, grey pixels, summed BCE + KL averaged over the batch; MNIST's
60,000 training images) by each of:

  numpyvae       the public API loop (batches, model.forward, model.backward, Adam.step)
  floor          the same 14 matrix products per batch alone: what BLAS needs at least
  one thread     numpyvae again, its element-wise passes on one thread (fast.halves; on
                 a machine of 2 cores or more): what the helper thread gains
  torch-eager    PyTorch eager, torch.optim.Adam      (benchmarks/peers_torch.py)
  torch-fused    PyTorch eager, Adam(fused=True)
  torch-compile  torch.compile of model + loss, and of opt.step
  jax-jit        JAX + optax, one jit-compiled step per batch   (benchmarks/peers_jax.py)
  jax-scan       JAX + optax, the whole epoch in one jit with lax.scan

and then Eq. (11) (K = 1000 importance samples on the first 500 test images, on the
weights numpyvae trained in the rounds) by numpyvae's fast.iw.log_likelihood_iw_blocked (what evaluate runs), its own
floor (the products in its blocks), PyTorch eager under inference_mode (with any torch
peer) and a jit-compiled JAX function (with any jax peer).

Every round runs each implementation once, in an order rotated by one every round, so
that a machine whose speed drifts weighs on all alike; the ratios printed are the
medians of the per-round ratios. Each implementation keeps its own model from round to
round, all starting from numpyvae's initial weights, so round r is everyone's epoch r:
the mean training losses printed side by side check that they run the same recipe (and
the estimates of log p(x), that they compute the same Eq. (11)). Compiling and warm-up
happen before any timing, and their seconds are printed apart. A peer that does not
import (none is a dependency of numpyvae) is skipped, and said so.

Figures are only as good as the machine's quiet: each block ends with the cores other
processes used meanwhile (from /proc/stat, minus this process's own CPU time) and a
WARNING when that is above 0.2 cores. On a busy machine, ``--threads 1 --clock cpu``
compares the work of each implementation on one core by CPU time, which other processes
inflate far less than elapsed time. Last come the time of ``import numpyvae`` and the
peak memory of a ``numpyvae train`` run. Nothing is asserted: the script prints figures.
"""

from __future__ import annotations

import numpyvae  # noqa: F401  (first, as `numpyvae train` loads it: it sets OpenBLAS up before NumPy)

# isort: split
import argparse
import statistics
import sys
import time
from collections.abc import Callable

import numpy as np
import peers_jax
import peers_torch
from machine import (
    LoadMeter,
    import_time,
    machine_line,
    run_on_threads,
    train_run_peak_mb,
)
from recipe import (
    Outcome,
    Runner,
    count,
    find_data_dir,
    floor_epochs,
    floor_iw,
    initial_weights,
    load_data,
    numpyvae_epochs,
    numpyvae_iw,
)

from numpyvae.fast import halves

PEERS = (*peers_torch.VARIANTS, *peers_jax.VARIANTS)
EPOCH_LABELS = {
    "torch-eager": "PyTorch eager, Adam",
    "torch-fused": "PyTorch eager, Adam(fused=True)",
    "torch-compile": "torch.compile (model+loss, opt.step)",
    "jax-jit": "JAX + optax, jit per batch",
    "jax-scan": "JAX + optax, jit + lax.scan per epoch",
}


def peer_list(text: str) -> tuple[str, ...]:
    """An argparse type: peers separated by commas, ``all`` or ``none``."""
    if text == "all":
        return PEERS
    if text == "none":
        return ()
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in names if name not in PEERS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown peer {', '.join(unknown) or repr(text)}: "
                                         f"use all, none, or some of {', '.join(PEERS)}")
    return names


def rotated_rounds(runners: list[Runner], rounds: int, what: str, cpu: bool = False
                   ) -> dict[str, list[Outcome]]:
    """Each runner once per round, the order rotated by one every round; every outcome kept.
    With ``cpu``, the seconds are the process's CPU time over the whole call instead."""
    results: dict[str, list[Outcome]] = {r.label: [] for r in runners}
    for i in range(rounds):
        print(f"  {what}: round {i + 1} of {rounds}", file=sys.stderr, flush=True)
        shift = i % len(runners)
        for runner in runners[shift:] + runners[:shift]:
            start = time.process_time()
            seconds, check = runner.run()
            results[runner.label].append((time.process_time() - start if cpu else seconds, check))
    return results


def print_table(results: dict[str, list[Outcome]], unit: str, reference: str, floor: str,
                check: str, check_format: str) -> None:
    """Median seconds, the medians of the per-round ratios to ``reference`` and to
    ``floor``, and each round's check figure."""
    seconds = {label: [s for s, _ in outs] for label, outs in results.items()}
    width = max(map(len, results)) + 2
    print(f"{'':<{width}}{unit:>8} {'/ numpyvae':>10} {'/ floor':>8}   {check}, round by round")
    for label, outs in results.items():
        ratio = statistics.median(a / b for a, b in zip(seconds[label], seconds[reference]))
        to_floor = statistics.median(a / b for a, b in zip(seconds[label], seconds[floor]))
        checks = " ".join(format(c, check_format) for _, c in outs if c is not None)
        print(f"{label:<{width}}{statistics.median(seconds[label]):8.2f} {ratio:10.2f} {to_floor:8.2f}   {checks}")
    print("seconds of each round:")
    for label, secs in seconds.items():
        print(f"  {label:<{width}}{' '.join(f'{s:6.2f}' for s in secs)}")


def largest_difference(results: dict[str, list[Outcome]], reference: str, relative: bool) -> None:
    """Each implementation's check figure against the reference's, round by round: the
    largest difference (relative for losses, in nats for log p(x))."""
    ref = [c for _, c in results[reference]]
    others = [label for label, outs in results.items() if label != reference and outs[0][1] is not None]
    if others:
        print(f"largest difference from {reference}'s {'mean training loss' if relative else 'estimate'} "
              "of the same round:")
    for label in others:
        outs = results[label]
        diffs = [c / r - 1 if relative else c - r for (_, c), r in zip(outs, ref)]
        worst = max(diffs, key=abs)
        text = f"{100 * worst:+.2f} %" if relative else f"{worst:+.3f} nats"
        print(f"  {label}: {text}")


def on_one_thread(run: Callable[[], Outcome]) -> Callable[[], Outcome]:
    """``run`` with numpyvae's element-wise passes on one thread (``fast.halves``)."""

    def alone() -> Outcome:
        previous = halves.set_threads(1)
        try:
            return run()
        finally:
            halves.set_threads(previous)

    return alone


def epoch_block(x: np.ndarray, peers: tuple[str, ...], rounds: int, modules: dict, cpu: bool):
    """Build the epoch's runners (compiling the peers), time them in rounds, print; returns
    numpyvae's trained model."""
    weights = initial_weights()
    run, model = numpyvae_epochs(x)
    runners = [Runner("numpyvae (public API loop)", run), Runner("BLAS floor (the 14 products)", floor_epochs(len(x)))]
    if halves.threads() > 1:  # the same loop with every element-wise pass on one thread
        runners.append(Runner("numpyvae, one thread (NUMPYVAE_THREADS=1)", on_one_thread(numpyvae_epochs(x)[0])))
    for name in peers:
        side = "torch" if name.startswith("torch") else "jax"
        if modules[side] is None:
            continue
        try:
            if side == "torch":
                runner = peers_torch.epoch_runner(modules["torch"], x, weights, EPOCH_LABELS[name],
                                                  **peers_torch.VARIANTS[name])
            else:
                runner = peers_jax.epoch_runner(*modules["jax"], x, weights, EPOCH_LABELS[name],
                                                scan=name == "jax-scan")
        except Exception as e:  # noqa: BLE001 (a peer that fails to build is skipped, and said)
            print(f"{EPOCH_LABELS[name]}: skipped: {peers_torch.one_line(e)}")
            continue
        print(f"{runner.label}: compiling and warm-up {runner.compile_seconds:.1f} s (not timed below)")
        runners.append(runner)
    print(f"\none epoch, {len(x)} images, {rounds} rounds, the order rotated every round")
    with LoadMeter() as meter:
        results = rotated_rounds(runners, rounds, "epochs", cpu)
    print_table(results, "s/epoch", runners[0].label, runners[1].label, "mean training loss", ".2f")
    largest_difference(results, runners[0].label, relative=True)
    print(meter.load.line())
    return model


def iw_block(model, x: np.ndarray, k: int, peers: tuple[str, ...], rounds: int, modules: dict,
             cpu: bool) -> None:
    """Eq. (11) by numpyvae, its floor and the peers, in rounds; print."""
    weights = {name: a.copy() for name, a in model.params.items()}
    runners = [Runner("numpyvae log_likelihood_iw_blocked", numpyvae_iw(model, x, k)),
               Runner("its BLAS floor (the products)", floor_iw(model, x, k))]
    if halves.threads() > 1:
        runners.append(Runner("numpyvae, one thread (NUMPYVAE_THREADS=1)",
                              on_one_thread(numpyvae_iw(model, x, k))))
    if modules["torch"] is not None and any(p.startswith("torch") for p in peers):
        runners.append(peers_torch.iw_runner(modules["torch"], x, weights, k))
    if modules["jax"] is not None and any(p.startswith("jax") for p in peers):
        runner = peers_jax.iw_runner(*modules["jax"], x, weights, k)
        print(f"{runner.label} (Eq. 11): compiling {runner.compile_seconds:.1f} s (not timed below)")
        runners.append(runner)
    print(f"\nEq. (11), K = {k}, {len(x)} test images, {rounds} rounds, the order rotated every round")
    with LoadMeter() as meter:
        results = rotated_rounds(runners, rounds, "Eq. (11)", cpu)
    print_table(results, "s", runners[0].label, runners[1].label, "mean estimate of log p(x)", ".3f")
    largest_difference(results, runners[0].label, relative=False)
    print(meter.load.line())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog="\n\n".join(__doc__.split("\n\n")[2:]),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default=None,
                        help="folder with mnist/ (default: the library's data directory, "
                             "$NUMPYVAE_DATA or the cache; random data of MNIST's shape, with a "
                             "warning, when it has no MNIST)")
    parser.add_argument("--rounds", type=count(1), default=5,
                        help="rounds of the epoch and of Eq. (11); each runs every implementation once "
                             "(default: 5)")
    parser.add_argument("--images", type=count(1), default=60000,
                        help="training images per epoch, the first ones (default: 60000, all)")
    parser.add_argument("--peers", type=peer_list, default=PEERS,
                        help=f"which peers to time beside numpyvae and the floor: all (the default), none, "
                             f"or some of {', '.join(PEERS)}, separated by commas")
    parser.add_argument("--iw-images", type=count(0), default=500,
                        help="test images of Eq. (11), the first ones (default: 500; 0: skip Eq. 11)")
    parser.add_argument("--iw-samples", type=count(1), default=1000,
                        help="K, importance samples per image (default: 1000)")
    parser.add_argument("--import-repeats", type=count(0), default=5,
                        help="fresh interpreters whose median `import numpyvae` time is printed "
                             "(default: 5; 0: skip)")
    parser.add_argument("--train-epochs", type=count(0), default=10,
                        help="epochs of the `numpyvae train` run whose peak memory is printed, in a child "
                             "process, on MNIST only (default: 10; 0: skip)")
    parser.add_argument("--threads", type=count(1), default=None,
                        help="run every implementation on this many threads (BLAS, PyTorch, XLA; the "
                             "script starts itself again with them set): 1 is steadier on a busy "
                             "machine and shows the work apart from its sharing over cores "
                             "(default: each library's own choice, every core)")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="wall: elapsed time (the default); cpu: the process's CPU time over each "
                             "run, all threads added up, which other processes inflate far less: with "
                             "--threads 1, the work of each implementation on one core")
    args = parser.parse_args()
    if args.threads:
        run_on_threads(args.threads)

    data_dir = find_data_dir(args.data_dir)
    x_train, x_test, source = load_data(data_dir, args.images, args.iw_images)
    print(f"data: {source}, {len(x_train)} training images, {len(x_test)} test images")
    modules = {"torch": None, "jax": None}
    versions = [f"numpy {np.__version__}"]
    if any(p.startswith("torch") for p in args.peers):
        modules["torch"] = peers_torch.load(args.threads)
        versions.append(peers_torch.version(modules["torch"]) if modules["torch"] else "PyTorch: not installed")
    if any(p.startswith("jax") for p in args.peers):
        modules["jax"] = peers_jax.load()
        versions.append(peers_jax.version(*modules["jax"]) if modules["jax"] else "JAX/optax: not installed")
    print(f"{'; '.join(versions)}\n{machine_line()}")
    print(f"clock: {args.clock} ({'elapsed time' if args.clock == 'wall' else 'CPU time of this process'})")
    if args.threads:
        print(f"every library on {args.threads} thread{'s' if args.threads > 1 else ''} (--threads)")

    model = epoch_block(x_train, args.peers, args.rounds, modules, args.clock == "cpu")
    if args.iw_images > 0:
        iw_block(model, x_test, args.iw_samples, args.peers, args.rounds, modules, args.clock == "cpu")
    print()
    if args.import_repeats > 0:
        print(f"import numpyvae: {import_time(args.import_repeats):.3f} s (median of {args.import_repeats})")
    if args.train_epochs > 0:
        if data_dir is None:
            print("peak memory of `numpyvae train`: skipped (no MNIST files)")
        else:
            peak = train_run_peak_mb(data_dir, args.train_epochs)
            print(f"peak memory of `numpyvae train --epochs {args.train_epochs}`: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
