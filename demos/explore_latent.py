"""Walk a 2-D latent space with the mouse: the digit at the pointer, decoded as you move.

Command:
    python demos/explore_latent.py [RUN] [--ae AE_RUN] [--epochs 10] [--data-dir DIR]
                                   [--seed 0] [--quick] [--out demo_out/explore_latent]

Lecture: 참고 - 확률분포 학습에 따른 새로운 Data 출력 (new data from the learned
distribution), and 도입 / 목적 (the AutoEncoder's manifold). A window opens with a
trained VAE's test codes at the left (the means mu, Eq. 1, coloured by digit, with the
circles |z| = 1 and 2 of N(0, I)) and, at the right, the image decoded (Eq. 3) at the
mouse pointer, redrawn as it moves. A click pins a point; a second click draws the line
between the two and, underneath, the images decoded along it; a third starts again.
The key 'm' switches to an AutoEncoder of the same architecture (784-400-2), and back:
where the VAE morphs smoothly from digit to digit, the pointer finds the AutoEncoder's
gaps, where it decodes fragments (demos/autoencoder_manifold.py counts them).

The models:
- without RUN, the demo trains both on MNIST (--epochs each, about 55 s
  of CPU; else the offline glyph-digits, with a message);
- RUN is a run folder of ``numpyvae train --latent-dim 2`` (a VAE): its model, on the
  test images of its own data set. The AutoEncoder comes from --ae AE_RUN, a run folder
  of ``numpyvae train --model ae --latent-dim 2`` with the same --hidden; without
  --ae, the demo trains one with RUN's architecture on RUN's data set (--epochs).

Without a display (a server, MPLBACKEND=Agg) no window can open: the demo says so in
one line and writes the static manifold instead, both models' decoded 20x20 grids.

With --quick a few seconds: 2000 images, a hidden layer of 128 (for the models it
trains), 12 epochs at Adam lr 0.01 (the tests run it without a display).

Writes (in --out, only without a display):
    explore_manifold.png   the AutoEncoder's and the VAE's decoded grids, side by side
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import _common
import numpy as np

from numpyvae import VAE, AutoEncoder, VAEConfig, plots
from numpyvae.checkpoint import RunRecord, read_run
from numpyvae.errors import NumpyVAEError
from numpyvae.train import fit

QUICK = _common.Quick(epochs=12, hidden=128, lr=1e-2, test=1000)


def from_run(path: Path, kind: str, config: VAEConfig | None = None) -> RunRecord:
    """The run in ``path``, checked: a model of ``kind`` ("vae" or "ae") with a 2-D latent
    space (and ``config``'s layers, when given); else a NumpyVAEError saying why."""
    record = read_run(path)
    cfg = record.model.config
    if record.kind != kind:
        want = {"vae": "a VAE (numpyvae train)", "ae": "an AutoEncoder (numpyvae train --model ae)"}
        raise NumpyVAEError(f"{path}: holds a {record.kind} model, not {want[kind]}")
    if cfg.latent_dim != 2:
        raise NumpyVAEError(f"{path}: its latent space has {cfg.latent_dim} dimensions; "
                            "the explorer needs 2 (numpyvae train --latent-dim 2)")
    if config is not None and (cfg.hidden_dims, cfg.input_dim) != (config.hidden_dims, config.input_dim):
        raise NumpyVAEError(f"{path}: its layers {cfg.hidden_dims} differ from the VAE's "
                            f"{config.hidden_dims}; train it with the same --hidden")
    return record


def models(args: argparse.Namespace) -> tuple[dict[str, VAE | AutoEncoder], _common.Data]:
    """The VAE and the AutoEncoder to explore (read or trained), and the data."""
    if args.run is None:
        data = _common.load(args)
        h = _common.hidden(args)
        config = VAEConfig(hidden_dims=(h,), latent_dim=2, seed=args.seed)
        found = {"VAE": VAE(config), "AutoEncoder": AutoEncoder(config)}
        todo = list(found)
    else:
        record = from_run(args.run, "vae")
        config = record.model.config
        data = _common.load(args, record.dataset or "mnist")
        found = {"VAE": record.model, "AutoEncoder": AutoEncoder(config)}
        if args.ae_run is not None:
            found["AutoEncoder"] = from_run(args.ae_run, "ae", config).model
        todo = [] if args.ae_run is not None else ["AutoEncoder"]
    net = "-".join(str(d) for d in (config.input_dim, *config.hidden_dims, 2))
    for name in todo:
        print(f"training the {name} {net}, {args.epochs} epoch(s)")
        fit(found[name], data.x_train, data.x_test, _common.settings(args))
    return found, data


def main(argv: list[str] | None = None) -> int:
    p = _common.parser(__doc__, "explore_latent", epochs=10, quick=QUICK)
    p.add_argument("run", type=Path, nargs="?", default=None, metavar="RUN",
                   help="a run folder of a VAE with a 2-D latent space (default: train one)")
    p.add_argument("--ae", dest="ae_run", type=Path, default=None, metavar="AE_RUN",
                   help="a run folder of an AutoEncoder with RUN's layers (default: train one)")
    args = _common.parse(p, argv)
    plots.require_matplotlib()  # before any training: the window is the point
    start = time.perf_counter()
    try:
        found, data = models(args)
    except (NumpyVAEError, OSError) as e:  # a missing or damaged run, data not to be had
        print(f"{p.prog}: error: {e}", file=sys.stderr)
        return 2
    explore = {name: plots.ExplorerModel(
        model.decode, model.encode(data.x_test)[0].astype(np.float64), data.y_test,
        prior=name == "VAE") for name, model in found.items()}

    import matplotlib
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(11, 7.5), layout="constrained")
    if fig.canvas.required_interactive_framework is None:  # Agg and the like: no window
        plt.close(fig)
        path = _common.ae_vae_grids(
            found["AutoEncoder"], explore["AutoEncoder"].codes, found["VAE"],
            args.out / "explore_manifold.png",
            f"The latent spaces to explore, decoded on 20x20 grids ({data.name})")
        print(f"no display (matplotlib backend {matplotlib.get_backend()!r}): no window can "
              f"open; the static manifold is in {path}")
        _common.quick_banner(args, data, [path])
        _common.report([path], start, args, data.name)
        return 0
    fig.canvas.manager.set_window_title("numpyvae: explore the latent space")
    plots.LatentExplorer(fig, explore)
    print(plots.explorer.HELP)
    plt.show()
    return 0


if __name__ == "__main__":
    sys.exit(main())
