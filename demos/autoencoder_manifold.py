"""Decoding random points of an AutoEncoder's latent space: often not a digit.

Command:
    python demos/autoencoder_manifold.py [--epochs 12] [--out demo_out/autoencoder_manifold]
                                         [--data-dir DIR] [--seed 0] [--quick]

Lecture: 도입 / 목적 (introduction / purpose). An AutoEncoder learns a manifold: it
squeezes each image into a code of 2 numbers and back. "Manifold 위에 찍힌 점을 찍는다면
어떻게 될까? ... 실제 결과는 제대로된 데이터가 생성되진 않는다." (What if we pick a point
on the manifold and decode it? In practice we do not get proper data.) This demo
trains the deterministic AutoEncoder (784-400-2-400-784, no KL term), draws the test
set's codes coloured by digit, then decodes points drawn uniformly at random inside the
bounding box of those codes. The codes fill the box unevenly, in long arms with empty
space between them: most random points land far from every code (the demo counts
them), and many decode to blurs, fragments or non-digits. Nothing asked the
AutoEncoder to make its latent space a density we can sample. That is the lecture's
motivation for a generative model, the VAE (compare demos/latent_space_2d.py).

Time with the defaults: about 35 s on 2 cores (12 epochs of ~2.5 s on MNIST).

Writes (in --out):
    ae_reconstructions.png   test digits and their reconstructions: as a compressor it works
    ae_latent_scatter.png    the 10,000 test codes coloured by digit, the random points
                             (crosses: far from every code; circles: near one)
    ae_random_decodes.png    the 100 random points decoded, in the order of their draw
"""

from __future__ import annotations

import time

import _common
import numpy as np

from numpyvae import AutoEncoder, VAEConfig, plots
from numpyvae.train import TrainSettings, fit

N_RANDOM = 100


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


def main(argv: list[str] | None = None) -> None:
    args = _common.parser(__doc__, "autoencoder_manifold", epochs=12).parse_args(argv)
    start = time.perf_counter()
    data = _common.load(args)
    out = args.out
    rng = np.random.default_rng(args.seed)

    model = AutoEncoder(VAEConfig(latent_dim=2, hidden_dims=(400,), seed=args.seed))
    print(f"training the AutoEncoder 784-400-2 ({model.num_params:,} parameters), "
          f"{args.epochs} epoch(s)")
    fit(model, data.x_train, data.x_test, TrainSettings(epochs=args.epochs, seed=args.seed))

    files = []
    idx = _common.pick_per_class(data.y_test, 2, rng)  # 20 test digits, 2 per class
    files.append(plots.recon_grid(
        data.x_test[idx], model.reconstruct(data.x_test[idx]), out / "ae_reconstructions.png",
        f"AutoEncoder (2-D code): test digits and reconstructions ({data.name})",
    ))

    codes, _ = model.encode(data.x_test)  # (N, 2)
    lo, hi = codes.min(axis=0), codes.max(axis=0)
    points = lo + (hi - lo) * rng.random((N_RANDOM, 2))  # (100, 2) uniform in the bounding box
    # A point is "far from the data" when its nearest test code is farther away than
    # 99 % of the codes are from their own nearest neighbour.
    gap = np.quantile(nearest_distance(codes[:2000], codes, exclude_self=True), 0.99)
    far = nearest_distance(points, codes) > gap  # (100,) bool
    print(f"{far.sum()} of {N_RANDOM} random points are farther than {gap:.2f} from every "
          "test code (the codes' own nearest-neighbour distance is below that 99 % of the time)")
    files.append(plots.latent_scatter(
        codes, data.y_test, out / "ae_latent_scatter.png",
        "AutoEncoder: codes of the test set, and 100 random points",
        points={"random point,\nfar from every code": points[far],
                "random point,\nnear a code": points[~far]},
        caption=f"Random points, uniform in the box around the codes: {far.sum()} of "
                f"{N_RANDOM} land where no test digit was encoded.",
    ))
    files.append(plots.image_grid(
        model.decode(points), out / "ae_random_decodes.png",  # Eq. (3): (100, 784)
        "AutoEncoder: decoding 100 random latent points", ncols=10,
        caption="Many are not digits, and some digits hardly appear: an AutoEncoder's "
                "latent space is not a distribution we can sample. Hence a generative "
                "model, the VAE.",
    ))
    _common.report(files, start)


if __name__ == "__main__":
    main()
