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
numpyvae.quadrature.latent_grid), so the gap is measured, not guessed.

Every image here is a 0/1 image: the test images are one fixed Bernoulli sample of
each grey image (the sample `numpyvae evaluate` uses for a binarized run), and the
VAE 784-400-2 is trained on fresh 0/1 samples of MNIST's (--binarize dynamic). Then
p(x|z) (Eq. 3, 4) is a probability of the image x, and log p(x) a log-probability
over the 2^784 black-and-white images. (Of grey pixels the Bernoulli cross entropy is
no log-probability: even a perfect decoder pays each pixel's own entropy.) Then:

- gap_posteriors.png: for 6 of the first 300 test digits (the 2 with the largest gap,
  where the encoder puts q far from p(z|x); 2 from the top 10 %; 2 typical), p(z|x)
  as filled contours holding 39 % and 86 % of its mass, and q(z|x) as its 1- and
  2-sigma ellipses (which hold the same masses); each title gives -ELBO, -log p(x)
  and their difference, the gap;
- gap_bounds.png: averaged over 300 test digits, the exact -ELBO (by quadrature over
  q), the importance-weighted bound -L_K of Eq. (11) for K = 1, 10, 100, 1000 (an
  upper bound on -log p(x) in expectation, with its standard error), and -log p(x)
  by quadrature: -L_K closes the gap as K grows. K = 1 is the -ELBO estimated with
  one z per image, so it sits above or below the exact line by sampling noise;
- density_histograms.png (lecture: Density Estimation, "데이터의 밀도를 추정하면 됨"):
  -log p(x) by quadrature for the 0/1 MNIST test digits, for noise images (0/1
  pixels, each 1 with probability 0.5, or with the digits' mean ink) and for the 0/1
  Fashion-MNIST test images (skipped, with a note, when Fashion-MNIST is not
  available). For these images the encoder's q(z|x) can sit far from p(z|x): the
  quadrature then lays its grid on p(z|x), found on a coarse grid first (the demo
  prints for how many). The AutoEncoder's decoded random points failed because it has no
  density; the VAE has one, and it tells digits from noise. It need not rank other
  data sets below its own: an MNIST-trained model may give Fashion-MNIST a higher
  likelihood (Nalisnick et al. 2019, "Do deep generative models know what they don't
  know?"); the demo prints which.

Reparameterization (Eq. 2): the lecture's "분산과 곱하고" (multiply by the variance)
means multiplying eps by the standard deviation sigma = exp(logvar / 2). With
sigma^2 = exp(logvar) the samples z would have variance sigma^4 while the KL term
(Eq. 5) assumes sigma^2: training would optimise a q other than the one it samples.
강의의 "분산과 곱하고"는 표준편차 sigma = exp(logvar / 2)를 곱한다는 뜻입니다. 분산
sigma^2 = exp(logvar)를 곱하면 z의 분산이 sigma^4가 되어, KL 항(식 5)이 가정하는
q(z|x)와 실제로 샘플링하는 분포가 달라집니다 (버그). The ellipses here use sigma.

Time with the defaults: about 50 s of CPU (10 epochs on MNIST, then the quadrature on
390 images). With --quick a
few seconds: 2000 images, a hidden layer of 128, 48 digits and 8 images of each
other kind; the order -ELBO > -L_K > -log p(x) already holds there.

Writes (in --out):
    gap_posteriors.png     p(z|x) and q(z|x) of 6 test digits
    gap_bounds.png         -ELBO, -L_K of Eq. (11) for K = 1 ... 1000, -log p(x)
    density_histograms.png -log p(x) of 0/1 digits, noise and Fashion-MNIST
"""

from __future__ import annotations

import math
import time

import _common
import numpy as np

from numpyvae import VAE, VAEConfig, plots
from numpyvae.datasets import binarize, binarized_test_images, load_dataset
from numpyvae.elbo import log_likelihood_iw
from numpyvae.errors import DataError
from numpyvae.losses import log_normal
from numpyvae.quadrature import LatentGrid, grid_around, latent_grid
from numpyvae.train import fit

KS = (1, 10, 100, 1000)  # importance samples of Eq. (11)
IMAGES = 300  # test digits for the bounds and the histograms (--quick: 48)
OTHERS = 30  # images of each other kind (noise, Fashion-MNIST) (--quick: 8)
QUICK = _common.Quick(epochs=12, hidden=128, lr=3e-3)


def exact_elbo(model: VAE, x: np.ndarray, grid: LatentGrid, mu: np.ndarray,
               logvar: np.ndarray) -> float:
    """ELBO = E_q[log p(x, z) - log q(z|x)] of one image x (D,), by quadrature over q.

    On the image's grid when it was laid on q (0.4 sigma fine, at least 8 sigma wide
    around mu: it holds q whole), else on a grid of its own around q."""
    if grid.laid_on != "q(z|x)":
        grid = grid_around(model, x, mu, np.exp(logvar / 2))
    mesh = np.stack(np.meshgrid(*grid.axes, indexing="ij"), axis=-1)  # (n, n, 2)
    log_q = log_normal(mesh, mu, logvar)  # log q(z|x) = log N(z; mu, sigma^2)   (n, n)
    w = np.exp(log_q)
    w /= w.sum()  # q's mass in each cell
    return float(np.sum(w * (grid.log_joint - log_q)))


def quadrature(model: VAE, x: np.ndarray) -> tuple[list[LatentGrid], np.ndarray, np.ndarray]:
    """Grids of log p(x, z), log p(x) and the ELBO of each image: (grids, (N,), (N,))."""
    grids = latent_grid(model, x)
    mu, logvar = model.encode(x)  # Eq. (1)
    mu, logvar = mu.astype(np.float64), logvar.astype(np.float64)
    log_px = np.array([g.log_px for g in grids])
    elbo = np.array([exact_elbo(model, x[i], g, mu[i], logvar[i]) for i, g in enumerate(grids)])
    return grids, log_px, elbo


def main(argv: list[str] | None = None) -> None:
    args = _common.parse(_common.parser(__doc__, "variational_gap", epochs=10, quick=QUICK), argv)
    plots.require_matplotlib()  # before any training: the figures are the point
    start = time.perf_counter()
    data = _common.load(args)
    n, n_other = (48, 8) if args.quick else (IMAGES, OTHERS)
    out = args.out
    rng = np.random.default_rng(args.seed)
    net = f"784-{_common.hidden(args)}-2"

    model = VAE(VAEConfig(hidden_dims=(_common.hidden(args),), latent_dim=2, seed=args.seed))
    print(f"training the VAE {net} ({model.num_params:,} parameters) on 0/1 images (fresh "
          f"samples every batch), {args.epochs} epoch(s)")
    fit(model, data.x_train, data.x_test[:2000], _common.settings(args, binarize="dynamic"))

    # the fixed 0/1 test images of a binarized run: p(x|z) is a probability of each
    x, y = binarized_test_images(data.x_test[:n], args.seed), data.y_test[:n]
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
        f"Variational method: the true posterior p(z|x) against q(z|x) (VAE {net}, "
        f"0/1 {data.name} digits)",
        caption="the gap is what the ELBO loses by replacing p(z|x) with q(z|x): "
                "log p(x) = ELBO + KL(q(z|x) || p(z|x))",
    )]

    # ---- the bounds, averaged ----------------------------------------------------------
    bounds = [-log_likelihood_iw(model, x, k, rng) for k in KS]  # -L_K of Eq. (11), (n,) each
    iw = [float(b.mean()) for b in bounds]
    neg_elbo, nll = float(-elbo.mean()), float(-log_px.mean())
    # -L_1 of an image is one draw whose mean is that image's exact -ELBO: their difference
    # is sampling noise alone; k1_se is the standard deviation of its mean over the images
    k1_se = float(np.std(bounds[0] + elbo, ddof=1) / math.sqrt(n))
    print(f"\nmean over {n} test images, nats per image:")
    print(f"  -ELBO (exact, by quadrature over q)  {neg_elbo:9.2f}")
    for k, v in zip(KS, iw):
        print(f"  -L_K, Eq. (11), K = {k:<5d}            {v:9.2f}")
    print(f"  -log p(x) by quadrature              {nll:9.2f}")
    print("  (-L_K is an upper bound on -log p(x) in expectation; K = 1 is one draw of the "
          f"-ELBO: {iw[0] - neg_elbo:+.2f} from the exact value, noise of sd {k1_se:.2f})")
    print(f"  variational gap = KL(q || p(z|x)) = -ELBO - (-log p(x)) = {neg_elbo - nll:.2f} nats"
          f" (largest of one image: {gap.max():.2f})")
    files.append(plots.bound_curve(
        KS, iw, neg_elbo, nll, out / "gap_bounds.png",
        f"Bounds on -log p(x), mean over {n} 0/1 test images (VAE {net}, {data.name})",
        caption=f"K = 1: {iw[0] - neg_elbo:+.2f} nats from the exact -ELBO, "
                f"sampling noise of sd {k1_se:.2f}",
    ))

    # ---- density estimation: digits, noise, clothes ------------------------------------
    mean_ink = float(data.x_train.mean())
    others = {
        "noise, 0/1 pixels (p = 0.5)": (rng.random((n_other, 784)) < 0.5).astype(np.float32),
        f"noise, 0/1 pixels (p = {mean_ink:.2f})": (rng.random((n_other, 784)) < mean_ink).astype(np.float32),
    }
    try:
        fashion, _ = load_dataset("fashion-mnist", "test", args.data_dir, n=n_other)
        others["Fashion-MNIST test, 0/1"] = binarize(fashion, "static", np.random.default_rng([args.seed, 2]))
    except DataError as e:
        print(f"\nFashion-MNIST is not available ({str(e).strip().splitlines()[0]}); "
              "its histogram is skipped.")
    shown = "MNIST" if data.name == "mnist" else data.name
    density = {f"{shown} test, 0/1": log_px}
    t0, outside, on_p = time.perf_counter(), 0.0, 0
    for name, images in others.items():
        grids_other = latent_grid(model, images)  # laid on p(z|x) where q misses it
        density[name] = np.array([g.log_px for g in grids_other])
        outside = max([outside] + [g.edge_mass for g in grids_other])
        on_p += sum(g.laid_on == "p(z|x)" for g in grids_other)
    print(f"\nlog p(x) of 0/1 images by quadrature ({time.perf_counter() - t0:.1f}s for the "
          f"other images; largest posterior mass outside a grid: {outside:.1e}), mean per image:")
    print(f"  (q(z|x) missed p(z|x) for {on_p} of the {n_other * len(others)} other images and "
          f"{sum(g.laid_on == 'p(z|x)' for g in grids)} of the {n} digits: their grids are laid "
          "on p(z|x), found on a coarse grid first)")
    for name, v in density.items():
        print(f"  {name:32s} {v.mean():9.1f} nats  ({len(v)} images)")
    print("  the test digits get the highest: the density tells them from noise"
          if log_px.mean() > max(v.mean() for v in density.values() if v is not log_px)
          else "  not the digits, but another set gets the highest mean log p(x)")
    fashion_px = density.get("Fashion-MNIST test, 0/1")
    if fashion_px is not None:
        verdict = ("HIGHER than the digits it was trained on: a likelihood alone does not tell "
                   "in- from out-of-distribution (Nalisnick et al. 2019)"
                   if fashion_px.mean() > log_px.mean() else
                   "lower than the digits it was trained on (though an MNIST-trained model may "
                   "well rank another data set higher: Nalisnick et al. 2019)")
        print(f"  Fashion-MNIST gets a mean log p(x) {verdict}.")
    files.append(plots.density_histograms(
        {k: -v for k, v in density.items()}, out / "density_histograms.png",
        f"Density estimation: -log p(x) of 0/1 images under the VAE {net} trained on {shown}",
        caption="0/1 pixels (of grey images: one fixed Bernoulli sample), so p(x|z) is a "
                "probability of x\nlog p(x) by quadrature over z; dashed lines: the means",
    ))
    _common.quick_banner(args, data, files)
    _common.report(files, start, args, data.name)


if __name__ == "__main__":
    main()
