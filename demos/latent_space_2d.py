"""A VAE with a 2-D latent space: the learned distribution, seen whole.

Command:
    python demos/latent_space_2d.py [--epochs 25] [--out demo_out/latent_space_2d]
                                    [--data-dir DIR] [--seed 0] [--quick]

Lecture: 참고 - 확률분포 학습에 따른 새로운 Data 출력 (note: new data from the learned
distribution). With latent_dim = 2 the whole latent space fits on a page. The VAE
784-400-2-400-784 is trained on MNIST; then

- the test set's means mu (Eq. 1) coloured by digit: the KL term (Eq. 5) holds them
  around the origin, mostly within a few units as N(0, I) would, each digit a region
  (the dashed circle holds 86 % of N(0, I));
- the 20x20 manifold: z on a grid spaced by the inverse normal CDF (u from 0.05 to 0.95
  in each coordinate, so every cell holds the same prior mass), decoded (Eq. 3).
  Unlike the AutoEncoder's (demos/autoencoder_manifold.py), almost every point decodes
  to a digit, and neighbours morph smoothly into each other;
- interpolation: the straight line between the means of two test digits of different
  classes, decoded at 10 points.

The demo prints the share of the test means inside |z| = 2 (N(0, I) puts 86 % of its
mass there).

Time with the defaults: about 60 s of CPU (25 epochs on MNIST). With --quick
a few seconds: 2000 images, a hidden layer of 128, 12 epochs at Adam lr 0.01: enough
for the means to gather inside the circle and the grid to morph from digit to digit,
in blurrier digits than a full run's.

Writes (in --out):
    vae2d_latent_scatter.png   test means coloured by digit
    vae2d_manifold.png         the 20x20 decoded grid
    vae2d_interpolation.png    four rows: test digit A, 10 decoded points from A to B, digit B
"""

from __future__ import annotations

import time

import _common
import numpy as np

from numpyvae import VAE, VAEConfig, plots
from numpyvae.train import fit

STEPS = 10  # decoded points per interpolation
PAIRS = ((1, 7), (3, 8), (4, 9), (0, 6))  # pairs of classes to interpolate between
QUICK = _common.Quick(epochs=12, hidden=128, lr=1e-2)


def main(argv: list[str] | None = None) -> None:
    args = _common.parse(_common.parser(__doc__, "latent_space_2d", epochs=25, quick=QUICK), argv)
    plots.require_matplotlib()  # before any training: the figures are the point
    start = time.perf_counter()
    data = _common.load(args)
    out = args.out
    rng = np.random.default_rng(args.seed)

    net = f"784-{_common.hidden(args)}-2"
    model = VAE(VAEConfig(hidden_dims=(_common.hidden(args),), latent_dim=2, seed=args.seed))
    print(f"training the VAE {net} ({model.num_params:,} parameters), {args.epochs} epoch(s)")
    fit(model, data.x_train, data.x_test, _common.settings(args))

    files = []
    mu, _ = model.encode(data.x_test)  # Eq. (1): (N, 2)
    inside = np.mean(np.linalg.norm(mu, axis=1) < 2)
    print(f"{100 * inside:.0f} % of the test means lie inside |z| = 2 (N(0, I) puts 86 % there)")
    files.append(plots.latent_scatter(
        mu, data.y_test, out / "vae2d_latent_scatter.png",
        f"VAE {net}: means of the test set ({data.name})", prior_circle=True,
    ))
    files.append(plots.manifold_grid(
        model.decode, out / "vae2d_manifold.png", n=20,
        title=f"VAE {net}: a 20x20 grid of z, decoded",
    ))

    rows, labels = [], []
    t = np.linspace(0.0, 1.0, STEPS)[:, None]  # (STEPS, 1)
    for a, b in PAIRS:
        i = rng.choice(np.flatnonzero(data.y_test == a))
        j = rng.choice(np.flatnonzero(data.y_test == b))
        z = (1 - t) * mu[i] + t * mu[j]  # (STEPS, 2): the line from mu_A to mu_B
        rows += [data.x_test[i : i + 1], model.decode(z), data.x_test[j : j + 1]]  # Eq. (3)
        labels.append(f"{a} to {b}")
    columns = ["A"] + [f"t={s:.2f}".rstrip("0").rstrip(".") for s in t[:, 0]]
    files.append(plots.image_grid(
        np.concatenate(rows), out / "vae2d_interpolation.png",
        f"VAE {net}: decoding the line between the means of two test digits A and B",
        ncols=STEPS + 2, row_labels=labels, col_labels=columns + ["B"],
    ))
    _common.quick_banner(args, data, files)
    _common.report(files, start, args, data.name)


if __name__ == "__main__":
    main()
