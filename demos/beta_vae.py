"""beta-VAE: the two terms of the loss, pulled against each other.

Command:
    python demos/beta_vae.py [--betas 0.5 1 4] [--epochs 10] [--out demo_out/beta_vae]
                             [--data-dir DIR] [--seed 0] [--quick]

Lecture: Loss Function - "Loss Function은 Reconstruction Error와 Regularization 두가지를
고려해야 한다" (the loss weighs two things: the reconstruction error and the
regularization). Eq. (6) is recon + beta * KL; beta = 1 is the VAE. One VAE
784-400-2-400-784 is trained per beta, each from the same initial weights and on the
same batches, then measured on the test set. A small beta buys a lower
reconstruction error with a larger KL: the codes spread out beyond N(0, I), so that
z ~ N(0, I) lands mostly on the few digits in the middle. A large beta shrinks the KL at
the price of a higher reconstruction error: the codes are packed into N(0, I), and
samples from N(0, I) cover the digits more evenly. A table on stdout gives both terms
per beta (test set, nats per image); with a 2-D latent space the differences in the
reconstructions are visible but small, the table shows them plainly.

Time with the defaults: about 65 s of CPU (3 models x 10 epochs on MNIST).
With --quick a few seconds (2000 images, a hidden layer of 128, 8 epochs at Adam lr
0.003); the table already shows the trend there: the reconstruction error rises and the
KL falls as beta grows.

Writes (in --out):
    beta_reconstructions.png   test digits (top row) and each model's reconstructions
    beta_samples.png           64 images decoded from z ~ N(0, I), per beta
    beta_latent_scatter.png    the test means per beta, coloured by digit
    beta_loss_terms.png        reconstruction error and KL per beta, side by side
"""

from __future__ import annotations

import time

import _common
import numpy as np

from numpyvae import VAE, VAEConfig, plots
from numpyvae.elbo import elbo_terms
from numpyvae.train import fit

QUICK = _common.Quick(epochs=8, hidden=128, lr=3e-3)


def main(argv: list[str] | None = None) -> None:
    p = _common.parser(__doc__, "beta_vae", epochs=10, quick=QUICK)
    p.add_argument("--betas", type=float, nargs="+", default=[0.5, 1.0, 4.0],
                   help="weights of the KL term, one model each (default: 0.5 1 4)")
    args = _common.parse(p, argv)
    plots.require_matplotlib()  # before any training: the figures are the point
    start = time.perf_counter()
    data = _common.load(args)
    out = args.out
    rng = np.random.default_rng(args.seed)
    idx = _common.pick_per_class(data.y_test, 1, rng)  # (10,) one test digit per class
    z_prior = rng.standard_normal((64, 2)).astype(np.float32)  # the same z for every beta

    names, recons, samples, scatters, table = [], [], [], [], []
    for beta in args.betas:
        name = f"beta = {beta:g}"
        print(f"\n{name}: training the VAE 784-{_common.hidden(args)}-2, {args.epochs} epoch(s)")
        model = VAE(VAEConfig(hidden_dims=(_common.hidden(args),), latent_dim=2, beta=beta,
                              seed=args.seed))
        fit(model, data.x_train, data.x_test, _common.settings(args))
        # Eq. (4) and Eq. (5) on the test set, one z per image
        recon, kl = elbo_terms(model, data.x_test, np.random.default_rng(args.seed))
        table.append((beta, recon, kl))
        names.append(name)
        recons.append(model.reconstruct(data.x_test[idx]))
        samples.append((name, model.decode(z_prior)))
        mu, _ = model.encode(data.x_test)  # Eq. (1): (N, 2)
        scatters.append((name, mu, data.y_test))

    print(f"\ntest set, nats per image ({data.name}, {args.epochs} epoch(s) per model)")
    print(f"{'beta':>6} {'recon (Eq. 4)':>14} {'KL (Eq. 5)':>11} {'-ELBO':>8} "
          f"{'recon + beta KL':>16}")
    for beta, recon, kl in table:
        print(f"{beta:6g} {recon:14.2f} {kl:11.2f} {recon + kl:8.2f} {recon + beta * kl:16.2f}")

    files = [
        plots.image_grid(
            np.concatenate([data.x_test[idx], *recons]), out / "beta_reconstructions.png",
            f"beta-VAE (2-D latent): test digits and their reconstructions ({data.name})",
            ncols=len(idx), row_labels=["input", *names],
        ),
        plots.grid_panels(
            samples, out / "beta_samples.png",
            "beta-VAE: decoded from the same 64 points z ~ N(0, I)", ncols=8,
        ),
        plots.scatter_panels(
            scatters, out / "beta_latent_scatter.png",
            "beta-VAE: means of the test set; a larger beta pulls them in towards N(0, I)",
            prior_circle=True,
        ),
        plots.loss_terms(
            names, [t[1] for t in table], [t[2] for t in table], out / "beta_loss_terms.png",
            "beta-VAE on the test set: the two terms of the loss, Eq. (6) = Eq. (4) "
            "+ beta Eq. (5)",
        ),
    ]
    _common.quick_banner(args, data, files)
    _common.report(files, start, args, data.name)


if __name__ == "__main__":
    main()
