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

Time with the defaults: about 30 s on 2 cores (10 epochs of ~2.5 s on MNIST, plus
loading and evaluation).

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
from numpyvae.train import TrainSettings, fit


def main(argv: list[str] | None = None) -> None:
    p = _common.parser(__doc__, "train_vae", epochs=10)
    p.add_argument("--latent-dim", type=int, default=20, help="size of z (default: %(default)s)")
    args = p.parse_args(argv)
    plots.require_matplotlib()  # before any training: the figures are the point
    start = time.perf_counter()
    data = _common.load(args)
    out = args.out
    rng = np.random.default_rng(args.seed)

    model = VAE(VAEConfig(hidden_dims=(400,), latent_dim=args.latent_dim, seed=args.seed))
    print(f"training the VAE 784-400-{args.latent_dim} ({model.num_params:,} parameters), "
          f"{args.epochs} epoch(s)")
    history = fit(model, data.x_train, data.x_test,
                  TrainSettings(epochs=args.epochs, seed=args.seed))
    test = history[-1].test_loss  # the test -ELBO fit measured after the last epoch
    print(f"test -ELBO {test:.2f} nats per image "
          f"({test / (model.config.input_dim * math.log(2)):.3f} bits per pixel)")

    files = []
    idx = _common.pick_per_class(data.y_test, 4, rng)  # (40,) ordered by digit
    files.append(plots.recon_grid(
        data.x_test[idx], model.reconstruct(data.x_test[idx]), out / "vae_reconstructions.png",
        f"VAE 784-400-{args.latent_dim}: test digits and their reconstructions ({data.name})",
    ))
    files.append(plots.image_grid(
        model.sample(100, rng), out / "vae_samples.png",
        f"VAE 784-400-{args.latent_dim}: new images, decoded from z ~ N(0, I)", ncols=10,
    ))
    files.append(plots.training_curves(
        history, out / "vae_training_curves.png",
        f"VAE 784-400-{args.latent_dim} on {data.name}: the loss and its two terms",
    ))
    _common.report(files, start)


if __name__ == "__main__":
    main()
