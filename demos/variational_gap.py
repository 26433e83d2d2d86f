"""The variational gap, seen: the true posterior p(z|x) against q(z|x), and the density
a VAE assigns to digits, to noise and to clothes.

Command:
    python demos/variational_gap.py [--epochs 10] [--out demo_out/variational_gap]
                                    [--data-dir DIR] [--seed 0] [--quick]

Lecture: Variational(변분법) Method. The posterior p(z|x) = p(x|z) p(z) / p(x) is hard
(p(x) is an integral over all z), so the VAE replaces it by an easy q(z|x) =
N(mu, diag sigma^2) (Eq. 1) and optimises that instead. What is lost is exactly

    log p(x) = ELBO + KL(q(z|x) || p(z|x))          (the variational gap, >= 0)

With a 2-D latent space, p(x) and p(z|x) can be computed on a grid of z (quadrature,
numpyvae.elbo.latent_grid), so the gap is measured, not guessed. The VAE 784-400-2 is
trained on MNIST; then, on test digits:

- gap_posteriors.png: for 6 of the first 300 test digits (the 2 with the largest gap,
  where the encoder puts q far from p(z|x); 2 from the top 10 %; 2 typical), p(z|x) as filled contours holding 39 % and 86 % of its mass, and
  q(z|x) as its 1- and 2-sigma ellipses (which hold the same masses); each title gives
  -ELBO, -log p(x) and their difference, the gap;
- gap_bounds.png: averaged over 300 test digits, -ELBO, the importance-weighted
  estimate of Eq. (11) for K = 1, 10, 100, 1000, and -log p(x) by quadrature: the
  estimate closes the gap as K grows (K = 1 is the ELBO, up to sampling noise);
- density_histograms.png (lecture: Density Estimation, "데이터의 밀도를 추정하면 됨"):
  log p(x) by quadrature for MNIST test digits, for noise images (uniform pixels, and
  Bernoulli pixels with the digits' mean intensity) and for Fashion-MNIST test images
  (skipped, with a note, when Fashion-MNIST is not available). The AutoEncoder's
  decoded random points failed because it has no density; the VAE has one, and it
  tells digits from noise. It need not rank other data sets below its own: an MNIST-
  trained model may give Fashion-MNIST a higher likelihood (Nalisnick et al. 2019,
  "Do deep generative models know what they don't know?"); the demo prints which.

Reparameterization (Eq. 2): the lecture's "분산과 곱하고" (multiply by the variance)
means multiplying eps by the standard deviation sigma = exp(logvar / 2). With
sigma^2 = exp(logvar) the samples z would have variance sigma^4 while the KL term
(Eq. 5) assumes sigma^2: training would optimise a q other than the one it samples.
강의의 "분산과 곱하고"는 표준편차 sigma = exp(logvar / 2)를 곱한다는 뜻입니다. 분산
sigma^2 = exp(logvar)를 곱하면 z의 분산이 sigma^4가 되어, KL 항(식 5)이 가정하는
q(z|x)와 실제로 샘플링하는 분포가 달라집니다 (버그). The ellipses here use sigma.

Time with the defaults: about 3 to 4 minutes on 2 cores (10 epochs of 3-6 s, then the
quadrature on 390 images, 0.1-0.6 s each: noise needs wider grids; more on a busy machine).

Writes (in --out):
    gap_posteriors.png     p(z|x) and q(z|x) of 6 test digits
    gap_bounds.png         -ELBO, Eq. (11) for K = 1 ... 1000, -log p(x)
    density_histograms.png log p(x) of digits, noise and Fashion-MNIST
"""

from __future__ import annotations

import math
import time

import _common
import numpy as np

from numpyvae import VAE, VAEConfig, plots
from numpyvae.datasets import load_dataset
from numpyvae.elbo import LatentGrid, latent_grid, log_likelihood_iw
from numpyvae.errors import DataError
from numpyvae.train import TrainSettings, fit

KS = (1, 10, 100, 1000)  # importance samples of Eq. (11)
IMAGES = 300  # test digits for the bounds and the histograms (--quick: 24)
OTHERS = 30  # images of each other kind (noise, Fashion-MNIST) (--quick: 16)
QUICK_EPOCHS = 20  # on the 2000 images of --quick: enough for the bounds' ordering
LOG_2PI = math.log(2 * math.pi)


def exact_elbo(grid: LatentGrid, mu: np.ndarray, sigma: np.ndarray) -> float:
    """ELBO = E_q[log p(x, z) - log q(z|x)], by quadrature on the grid of p(x, z).

    The grid is 0.4 sigma fine and at least 8 sigma wide around mu, so it holds q whole."""
    log_q = [-0.5 * ((a - m) / s) ** 2 - math.log(s) - 0.5 * LOG_2PI
             for a, m, s in zip(grid.axes, mu, sigma)]
    log_q = log_q[0][:, None] + log_q[1][None, :]  # (n, n): q is a product of two normals
    w = np.exp(log_q)
    w /= w.sum()  # q's mass in each cell
    return float(np.sum(w * (grid.log_joint - log_q)))


def quadrature(model: VAE, x: np.ndarray) -> tuple[list[LatentGrid], np.ndarray, np.ndarray]:
    """Grids of log p(x, z), log p(x) and the ELBO of each image: (grids, (N,), (N,))."""
    grids = latent_grid(model, x)
    mu, logvar = model.encode(x)  # Eq. (1)
    sigma = np.exp(logvar.astype(np.float64) / 2)  # Eq. (2): the standard deviation
    log_px = np.array([g.log_px for g in grids])
    elbo = np.array([exact_elbo(g, mu[i], sigma[i]) for i, g in enumerate(grids)])
    return grids, log_px, elbo


def main(argv: list[str] | None = None) -> None:
    args = _common.parser(__doc__, "variational_gap", epochs=10).parse_args(argv)
    start = time.perf_counter()
    data = _common.load(args)
    if args.quick:
        args.epochs = QUICK_EPOCHS  # 2000 images: a few seconds
    n, n_other = (24, 16) if args.quick else (IMAGES, OTHERS)
    out = args.out
    rng = np.random.default_rng(args.seed)
    note = (f"quick run (--quick): {data.name}, {len(data.x_train)} images, "
            f"{args.epochs} epochs; not MNIST's numbers") if args.quick else None

    model = VAE(VAEConfig(hidden_dims=(400,), latent_dim=2, seed=args.seed))
    print(f"training the VAE 784-400-2 ({model.num_params:,} parameters), {args.epochs} epoch(s)")
    fit(model, data.x_train, data.x_test[:2000], TrainSettings(epochs=args.epochs, seed=args.seed))

    x, y = data.x_test[:n], data.y_test[:n]
    t0 = time.perf_counter()
    grids, log_px, elbo = quadrature(model, x)
    gap = log_px - elbo  # KL(q(z|x) || p(z|x)) of each image, >= 0
    print(f"quadrature on {n} test images: {time.perf_counter() - t0:.1f}s "
          f"(largest posterior mass outside a grid: {max(g.edge_mass for g in grids):.1e})")

    # ---- the posteriors of a few digits -------------------------------------------------
    order = np.argsort(gap)[::-1]  # largest gap first
    q90, q50 = len(order) // 10, len(order) // 2
    picks = np.concatenate([order[:2], order[q90 : q90 + 2], order[q50 : q50 + 2]])
    kinds = ["largest gap"] * 2 + ["gap in the top 10 %"] * 2 + ["typical (median gap)"] * 2
    mu, logvar = model.encode(x)  # Eq. (1)
    sigma = np.exp(logvar.astype(np.float64) / 2)  # Eq. (2): sigma, not sigma^2
    titles = [f"{kind}: test #{i} (a {y[i]})\n-ELBO {-elbo[i]:.2f}, -log p(x) {-log_px[i]:.2f}\n"
              f"gap = KL(q || p(z|x)) = {gap[i]:.2f} nats" for kind, i in zip(kinds, picks)]
    files = [plots.posterior_panels(
        x[picks], [grids[i].axes for i in picks], [grids[i].posterior for i in picks],
        mu[picks], sigma[picks], titles, out / "gap_posteriors.png",
        f"Variational method: the true posterior p(z|x) against q(z|x) ({data.name})",
        caption=note or "the gap is what the ELBO loses by replacing p(z|x) with q(z|x): "
                        "log p(x) = ELBO + KL(q(z|x) || p(z|x))",
    )]

    # ---- the bounds, averaged ----------------------------------------------------------
    iw = [float(-log_likelihood_iw(model, x, k, rng).mean()) for k in KS]  # Eq. (11)
    neg_elbo, nll = float(-elbo.mean()), float(-log_px.mean())
    print(f"\nmean over {n} test images, nats per image:")
    print(f"  -ELBO (quadrature over q)      {neg_elbo:9.2f}")
    for k, v in zip(KS, iw):
        print(f"  -log p(x), Eq. (11), K = {k:<5d} {v:9.2f}")
    print(f"  -log p(x) by quadrature        {nll:9.2f}")
    print(f"  variational gap = KL(q || p(z|x)) = -ELBO - (-log p(x)) = {neg_elbo - nll:.2f} nats"
          f" (largest of one image: {gap.max():.2f})")
    files.append(plots.bound_curve(
        KS, iw, neg_elbo, nll, out / "gap_bounds.png",
        f"Bounds on -log p(x), mean over {n} test images ({data.name})", note=note,
    ))

    # ---- density estimation: digits, noise, clothes ------------------------------------
    mean_ink = float(data.x_train.mean())
    others = {
        "uniform noise": rng.random((n_other, 784), dtype=np.float32),
        f"Bernoulli noise (p = {mean_ink:.2f})": (rng.random((n_other, 784)) < mean_ink).astype(np.float32),
    }
    try:
        others["Fashion-MNIST test"], _ = load_dataset("fashion-mnist", "test", args.data_dir, n=n_other)
    except DataError as e:
        print(f"\nFashion-MNIST is not available ({str(e).strip().splitlines()[0]}); "
              "its histogram is skipped.")
    shown = "MNIST" if data.name == "mnist" else data.name
    density = {f"{shown} test": log_px}
    t0 = time.perf_counter()
    for name, images in others.items():
        density[name] = quadrature(model, images)[1]
    print(f"\nlog p(x) by quadrature ({time.perf_counter() - t0:.1f}s for the other images), "
          "mean per image:")
    for name, v in density.items():
        print(f"  {name:28s} {v.mean():9.1f} nats  ({len(v)} images)")
    print("  the test digits get the highest: the density tells them from noise"
          if log_px.mean() > max(v.mean() for v in density.values() if v is not log_px)
          else "  not the digits, but another set gets the highest mean log p(x)")
    fashion = density.get("Fashion-MNIST test")
    if fashion is not None:
        verdict = ("HIGHER than the digits it was trained on: a likelihood alone does not tell "
                   "in- from out-of-distribution (Nalisnick et al. 2019)"
                   if fashion.mean() > log_px.mean() else
                   "lower than the digits it was trained on (though an MNIST-trained model may "
                   "well rank another data set higher: Nalisnick et al. 2019)")
        print(f"  Fashion-MNIST gets a mean log p(x) {verdict}.")
    files.append(plots.density_histograms(
        {k: -v for k, v in density.items()}, out / "density_histograms.png",
        f"Density estimation: -log p(x) under the VAE trained on {shown}",
        caption="log p(x) by quadrature over z; dashed lines: the means", note=note,
    ))
    _common.report(files, start)


if __name__ == "__main__":
    main()
