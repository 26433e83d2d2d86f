"""Train the VAE of the lecture and look at what it learned.

Command:
    python demos/train_vae.py [--epochs 10] [--latent-dim 20] [--out demo_out/train_vae]
                              [--data-dir DIR] [--seed 0] [--quick]

Lecture: 단계1 Encoder, 단계2 Reparameterization, 단계3 Decoder, Loss Function
(steps 1-3 and the loss). The VAE 784-400-20-400-784 (ReLU, Bernoulli decoder) is
trained with Adam on MNIST, minimising Eq. (6) = the reconstruction error (Eq. 4, cross
entropy) + the regularization (Eq. 5, KL(q(z|x) || N(0, I))). Then:

- reconstructions: test images through encoder -> mu -> decoder;
- samples: "새로운 Data를 생성하기 위해 Sampling을 통해 Decoding 해준다" (to make new
  data, decode samples): z ~ N(0, I) through the decoder alone;
- the training curves, with the two terms of the loss drawn separately: the
  reconstruction error falls while the KL rises, the price of a latent space that
  follows N(0, I).

The demo prints how many reconstructions lie nearer their own input than any other
input shown: an untrained (or barely trained) decoder gives every input the same grey
blob, and that number is 1 or 2 of 40.

Time with the defaults: about 25 s of CPU (10 epochs on MNIST, plus loading and
evaluation). With --quick a few seconds: 2000 images, 8 epochs in batches
of 32, enough for the reconstructions to follow their inputs (36 to 39 of 40).

Writes (in --out):
    vae_reconstructions.png   40 test digits (4 per class) and their reconstructions
    vae_samples.png           100 images decoded from z ~ N(0, I)
    vae_training_curves.png   -ELBO (train and test), reconstruction error and KL per epoch
"""

from __future__ import annotations

import math
import time

import _common
import numpy as np

from numpyvae import VAE, VAEConfig, plots
from numpyvae.train import fit

QUICK = _common.Quick(epochs=8)


def own_input_matches(x: np.ndarray, recon: np.ndarray) -> int:
    """How many reconstructions (N, D) lie nearer (in pixels) their own input of x (N, D)
    than any other input: N when each follows its input, about 1 when all are one blob."""
    d = ((recon[:, None, :] - x[None, :, :]) ** 2).sum(axis=2)  # (N, N) squared distances
    return int(np.sum(d.argmin(axis=1) == np.arange(len(x))))


def main(argv: list[str] | None = None) -> None:
    p = _common.parser(__doc__, "train_vae", epochs=10, quick=QUICK)
    p.add_argument("--latent-dim", type=int, default=20, help="size of z (default: %(default)s)")
    args = _common.parse(p, argv)
    plots.require_matplotlib()  # before any training: the figures are the point
    start = time.perf_counter()
    data = _common.load(args)
    out = args.out
    rng = np.random.default_rng(args.seed)

    net = f"784-{_common.hidden(args)}-{args.latent_dim}"
    model = VAE(VAEConfig(hidden_dims=(_common.hidden(args),), latent_dim=args.latent_dim,
                          seed=args.seed))
    print(f"training the VAE {net} ({model.num_params:,} parameters), "
          f"{args.epochs} epoch(s)")
    history = fit(model, data.x_train, data.x_test, _common.settings(args))
    test = history[-1].test_loss  # the test -ELBO fit measured after the last epoch
    print(f"test -ELBO {test:.2f} nats per image "
          f"({test / (model.config.input_dim * math.log(2)):.3f} bits per pixel)")

    files = []
    idx = _common.pick_per_class(data.y_test, 4, rng)  # (40,) ordered by digit
    recon = model.reconstruct(data.x_test[idx])  # (40, 784): encoder -> mu -> decoder
    print(f"{own_input_matches(data.x_test[idx], recon)} of {len(idx)} reconstructions lie "
          "nearer their own input than any other input shown")
    files.append(plots.recon_grid(
        data.x_test[idx], recon, out / "vae_reconstructions.png",
        f"VAE {net}: test digits and their reconstructions ({data.name})",
    ))
    files.append(plots.image_grid(
        model.sample(100, rng), out / "vae_samples.png",
        f"VAE {net}: new images, decoded from z ~ N(0, I)", ncols=10,
    ))
    files.append(plots.training_curves(
        history, out / "vae_training_curves.png",
        f"VAE {net} on {data.name}: the loss and its two terms",
    ))
    _common.quick_banner(args, data, files)
    _common.report(files, start, args, data.name)


if __name__ == "__main__":
    main()
