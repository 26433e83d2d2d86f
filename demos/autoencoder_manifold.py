"""The fair contrast: an AutoEncoder and a VAE, same network, same 2-D latent space.

Command:
    python demos/autoencoder_manifold.py [--epochs 12] [--out demo_out/autoencoder_manifold]
                                         [--data-dir DIR] [--seed 0] [--quick]

Lecture: 도입 / 목적 (introduction / purpose). An AutoEncoder learns a manifold: it
squeezes each image into a code of 2 numbers and back. "Manifold 위에 찍힌 점을 찍는다면
어떻게 될까? ... 실제 결과는 제대로된 데이터가 생성되진 않는다." (What if we pick a point
on the manifold and decode it? In practice we do not get proper data.) This demo trains
the deterministic AutoEncoder (no KL term) and the VAE with the same VAEConfig
(784-400-2-400-784), the same seed, the same batches and epochs, and puts them side by
side.

The random points are chosen the same way for both: 100 draws eps ~ N(0, I), each
mapped to z = m + L eps, where m and L L^T are the mean and covariance of that model's
test codes (the AutoEncoder's z, the VAE's mu). That is the Gaussian that best fits the
region each model uses, so neither is asked to decode outside its own codes' spread;
for the VAE it is close to N(0, I) itself, the prior it was trained toward (the demo
prints both fits). A point counts as far from the data when its nearest test code is
farther away than 99 % of the codes are from their own nearest neighbour, measured in
each model's own latent space.

What it shows: the AutoEncoder's codes lie in long arms with empty space between them,
so many of its random points land where no image was ever encoded, and those decode to
blurs, fragments or the same few digits; nothing asked its latent space to be a density
we can sample. The VAE's KL term (Eq. 5) packs its means into the N(0, I) disc with few
holes, so nearly every random point lies near real codes and decodes to a digit-like
image, and its grid morphs smoothly from digit to digit. That is the lecture's
motivation for a generative model. The demo prints, per model, how many random points
are far from every code.

Time with the defaults: about 70 s of CPU (2 models x 12 epochs on MNIST).
With --quick a few seconds: 2000 images, a hidden layer of 128, 12 epochs at Adam lr
0.01 (the larger step stands in for the full run's 60,000 images); 1000 test codes.
That is enough for the AutoEncoder's gaps to open (on MNIST 25 of 100 points far from
every code, against the VAE's 2) and for its far points to decode to fragments; the
digits of both are blurrier than a full run's.

Writes (in --out):
    ae_reconstructions.png        10 test digits, the AutoEncoder's and the VAE's
                                  reconstructions: as compressors both work
    ae_vs_vae_latent.png          the test codes of each, coloured by digit, on the same
                                  axes; each model's random points (crosses: far from
                                  every code; circles: near one); N(0, I)'s circles on
                                  the VAE; when the AutoEncoder's codes spread much wider,
                                  a third panel: the VAE's on axes of its own
    ae_vs_vae_random_decodes.png  the same 100 draws decoded by each model, in the order
                                  of the draws; red frames: points far from every code
    ae_vs_vae_grid.png            20x20 grids decoded by each: the AutoEncoder's evenly
                                  spaced over its codes' box (1st to 99th percentile),
                                  the VAE's by the inverse normal CDF (u = 0.05 ... 0.95)
"""

from __future__ import annotations

import time

import _common
import numpy as np

from numpyvae import VAE, AutoEncoder, VAEConfig, plots
from numpyvae.train import fit

N_RANDOM = 100
GRID = 20
QUICK = _common.Quick(epochs=12, hidden=128, lr=1e-2, test=1000)


def nearest_distance(a: np.ndarray, b: np.ndarray, exclude_self: bool = False) -> np.ndarray:
    """For each row of a (M, 2), the distance to the nearest row of b (N, 2): (M,).
    With ``exclude_self``, a is b[:M] and a row's zero distance to itself is skipped."""
    out = np.empty(len(a))
    for start in range(0, len(a), 500):
        d = np.linalg.norm(a[start : start + 500, None, :] - b[None, :, :], axis=2)  # (500, N)
        if exclude_self:
            d[np.arange(len(d)), np.arange(start, start + len(d))] = np.inf
        out[start : start + 500] = d.min(axis=1)
    return out


def far_from_codes(points: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, float]:
    """(M,) True where a point's nearest code is farther than the 99th percentile of the
    codes' own nearest-neighbour distance (``gap``, returned too)."""
    gap = np.quantile(nearest_distance(codes[:2000], codes, exclude_self=True), 0.99)
    return nearest_distance(points, codes) > gap, float(gap)


def main(argv: list[str] | None = None) -> None:
    args = _common.parse(_common.parser(__doc__, "autoencoder_manifold", epochs=12,
                                        quick=QUICK), argv)
    plots.require_matplotlib()  # before any training: the figures are the point
    start = time.perf_counter()
    data = _common.load(args)
    out = args.out
    rng = np.random.default_rng(args.seed)

    net = f"784-{_common.hidden(args)}-2"
    config = VAEConfig(latent_dim=2, hidden_dims=(_common.hidden(args),), seed=args.seed)  # both
    models = {"AutoEncoder": AutoEncoder(config), "VAE": VAE(config)}
    for name, model in models.items():
        print(f"\ntraining the {name} {net} ({model.num_params:,} parameters), "
              f"{args.epochs} epoch(s)")
        fit(model, data.x_train, data.x_test, _common.settings(args))

    eps = rng.standard_normal((N_RANDOM, 2))  # (100, 2): the same draws for both models
    codes, points, far, spread = {}, {}, {}, {}
    print()
    for name, model in models.items():
        c = model.encode(data.x_test)[0].astype(np.float64)  # (N, 2): z, or mu (Eq. 1)
        m, cov = c.mean(axis=0), np.cov(c.T)  # (2,), (2, 2)
        points[name] = m + eps @ np.linalg.cholesky(cov).T  # (100, 2) ~ N(m, cov)
        far[name], gap = far_from_codes(points[name], c)
        codes[name] = c
        sd = np.sqrt(np.diag(cov))
        spread[name] = sd.max()
        print(f"{name:>11}: codes' mean ({m[0]:.2f}, {m[1]:.2f}), std ({sd[0]:.2f}, "
              f"{sd[1]:.2f}), correlation {cov[0, 1] / sd.prod():.2f}; "
              f"{far[name].sum()} of {N_RANDOM} random points are farther than {gap:.2f} "
              "from every test code")
    inside = np.mean(np.linalg.norm(codes["VAE"], axis=1) < 2)
    print(f"{100 * inside:.0f} % of the VAE's test means lie inside |z| = 2 "
          "(N(0, I) puts 86 % there)")

    ae, vae = models["AutoEncoder"], models["VAE"]
    idx = _common.pick_per_class(data.y_test, 1, rng)  # (10,) one test digit per class
    files = [plots.image_grid(
        np.concatenate([data.x_test[idx], ae.reconstruct(data.x_test[idx]),
                        vae.reconstruct(data.x_test[idx])]), out / "ae_reconstructions.png",
        f"Test digits and their reconstructions, same {net} network ({data.name})",
        ncols=len(idx), row_labels=["input", "AutoEncoder", "VAE"],
    )]

    def label(name: str) -> str:
        return f"{name}: {far[name].sum()} of {N_RANDOM} points far from every code"

    files.append(plots.latent_panels(
        [(label(name), codes[name], data.y_test,
          {"random point,\nfar from every code": points[name][far[name]],
           "random point,\nnear a code": points[name][~far[name]]}, name == "VAE")
         for name in models],
        out / "ae_vs_vae_latent.png",
        f"Codes of the test set ({data.name}) on the same axes, and 100 random points each",
        caption="The same draws eps ~ N(0, I), mapped to the mean and covariance of each "
                "model's codes. The AutoEncoder's codes leave wide gaps; the VAE's fill "
                "the N(0, I) disc.",
        zoom=1 if spread["AutoEncoder"] > 2 * spread["VAE"] else None,  # the VAE again
    ))
    files.append(plots.decode_panels(
        [(label(name), model.decode(points[name]), far[name])  # Eq. (3): (100, 784)
         for name, model in models.items()],
        out / "ae_vs_vae_random_decodes.png",
        "The same 100 random draws, decoded by each model (red frame: far from every code)",
        caption="An AutoEncoder's latent space is not a distribution we can sample; "
                "the VAE's is trained toward N(0, I). Hence a generative model, the VAE.",
    ))

    files.append(_common.ae_vae_grids(
        ae, codes["AutoEncoder"], vae, out / "ae_vs_vae_grid.png",
        f"Decoded {GRID}x{GRID} grids of each model's latent space ({data.name})", GRID,
    ))
    _common.quick_banner(args, data, files)
    _common.report(files, start, args, data.name)


if __name__ == "__main__":
    main()
