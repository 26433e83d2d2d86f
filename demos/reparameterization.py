"""The reparameterization trick: same distribution, a gradient that flows, and what
happens without the sample.

Command:
    python demos/reparameterization.py [--epochs 10] [--out demo_out/reparameterization]
                                       [--data-dir DIR] [--seed 0] [--quick]

Lecture: 단계2. Reparameterization Trick (Sampling), Eq. (2) and Eq. (7).

1. "정규분포에서 z(i)를 샘플링 하는것과 ε을 정규분포에서 샘플링하고 그 값을 분산과 곱하고
   평균을 더하는것은 같은 분포를 갖는다." (Sampling z from N(mu, sigma^2) and computing
   mu + sigma * eps with eps ~ N(0, 1) give the same distribution.) For three (mu, sigma)
   the demo draws 100,000 values both ways, prints their means, standard deviations and
   the two-sample Kolmogorov-Smirnov distance, and overlays the histograms.
2. "Sampling 결과를 backpropagation 할 수 없다." (A sample cannot be backpropagated.)
   ``rng.normal(mu, sigma)`` has no derivative in mu or sigma; z = mu + sigma * eps does.
   The demo backpropagates two losses through numpyvae's ``Reparameterize`` (Eq. 7,
   float64, eps fixed) and compares dL/dmu and dL/dlogvar with central differences:
   L = mean(z^2), and L = the cross entropy (Eq. 4) of a tiny random decoder's output
   sigmoid(z W + b) against a target. A last row shows what the check says about a
   common bug, dsigma/dlogvar = sigma (the 1/2 of Eq. 7 forgotten).

3. "Sampling 없이 추론한 경우" (inference without sampling): z = mu, eps = 0 in Eq. (2).
   Two VAEs 784-400-2 are trained on MNIST from the same initial weights and batches:
   the VAE, and one trained with z = mu (the VAE's loss with eps = 0: an AutoEncoder
   with a KL term on its code). The demo measures the test -ELBO of each twice, honestly
   (z ~ q(z|x), as Eq. 6 means it) and with z = mu:
   - on the VAE, z = mu claims a -ELBO a little lower than the honest one: evaluating
     with z = mu is too optimistic (the decoder is never asked about the spread of q);
   - the model trained with z = mu learns no sigma: nothing but the KL reads it, so
     sigma goes to 1 and its q(z|x) = N(mu, I) is as wide as the prior, a posterior
     its decoder never saw. The -ELBO it trained on even beats the VAE's honest one;
     its own honest -ELBO is over a hundred nats worse. Its means still gather within
     N(0, I) (the KL's mu^2 / 2 pulls them in), so its decodes of z ~ N(0, I) look
     like the VAE's: what it lost is the posterior, not the prior.

Time with the defaults: about 50 s of CPU (parts 1 and 2: 2 s; part 3: two
models x 10 epochs on MNIST). With --quick a few seconds: 10,000 draws in part
1; in part 3 2000 images, a hidden layer of 128, 8 epochs at Adam lr 0.003, enough for
both effects to show.

Writes (in --out):
    reparam_histograms.png        the two sampling methods' histograms for each (mu, sigma)
    reparam_without_sampling.png  the -ELBO of both models, honest and with z = mu; each
                                  model's test codes and its decodes of z ~ N(0, I)
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import _common
import numpy as np

from numpyvae import VAE, ForwardResult, VAEConfig, plots
from numpyvae.elbo import neg_elbo
from numpyvae.gradcheck import BOUND_SMOOTH, numerical_gradient, rel_error
from numpyvae.losses import bernoulli_nll
from numpyvae.reparam import Reparameterize
from numpyvae.train import fit

CASES = ((0.0, 1.0), (2.0, 0.5), (-1.0, 2.0))  # (mu, sigma)
QUICK = _common.Quick(epochs=8, hidden=128, lr=3e-3)


def ks_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sample Kolmogorov-Smirnov distance: max |F_a(t) - F_b(t)| over t."""
    a, b = np.sort(a), np.sort(b)
    t = np.concatenate([a, b])
    fa = np.searchsorted(a, t, side="right") / len(a)
    fb = np.searchsorted(b, t, side="right") / len(b)
    return float(np.max(np.abs(fa - fb)))


def compare_sampling(n: int, rng: np.random.Generator) -> list:
    """Part 1: the table on stdout, and the histogram panels."""
    print(f"\n1. Sampling, {n:,} draws each: z = mu + sigma * eps  vs  rng.normal(mu, sigma)")
    print(f"{'mu':>6} {'sigma':>6} | {'mean (trick)':>12} {'mean (direct)':>13} | "
          f"{'std (trick)':>11} {'std (direct)':>12} | {'KS distance':>11}")
    # KS distance that two samples of the same distribution exceed with probability 1 %
    critical = 1.63 * math.sqrt(2.0 / n)
    panels = []
    reparam = Reparameterize()
    for mu, sigma in CASES:
        eps = rng.standard_normal((n, 1))  # (n, 1): n examples, 1 latent dimension
        mu_a = np.full((n, 1), mu)
        logvar = np.full((n, 1), 2.0 * math.log(sigma))  # logvar = log sigma^2
        z_trick = reparam.forward(mu_a, logvar, eps)[:, 0]  # Eq. (2)
        z_direct = rng.normal(mu, sigma, size=n)
        ks = ks_distance(z_trick, z_direct)
        print(f"{mu:6.2f} {sigma:6.2f} | {z_trick.mean():12.4f} {z_direct.mean():13.4f} | "
              f"{z_trick.std():11.4f} {z_direct.std():12.4f} | {ks:11.4f}")
        panels.append((
            rf"$\mu$ = {mu:g}, $\sigma$ = {sigma:g}  (KS distance {ks:.3f})",
            {r"$\mu + \sigma\,\varepsilon$, $\varepsilon \sim N(0, 1)$": z_trick,
             r"rng.normal($\mu$, $\sigma$)": z_direct},
            (mu, sigma),
        ))
    print(f"(two samples of one distribution exceed a KS distance of {critical:.4f} only "
          "1 % of the time)")
    return panels


def gradient_table(rng: np.random.Generator) -> None:
    """Part 2: Reparameterize.backward (Eq. 7) against central differences, float64."""
    n, latent, pixels = 4, 3, 5
    mu = rng.normal(size=(n, latent))  # (N, L)
    logvar = rng.normal(size=(n, latent)) * 0.5  # (N, L)
    eps = rng.normal(size=(n, latent))  # (N, L), fixed: the randomness is not a parameter
    w = rng.normal(size=(latent, pixels))  # a tiny decoder: logits = z W + b
    b = rng.normal(size=pixels)
    x = (rng.random((n, pixels)) < 0.5).astype(np.float64)  # (N, D) target pixels
    reparam = Reparameterize()

    def loss_square() -> tuple[float, np.ndarray]:
        z = reparam.forward(mu, logvar, eps)  # Eq. (2)
        return float(np.mean(z**2)), 2.0 * z / z.size  # L, dL/dz

    def loss_decoder() -> tuple[float, np.ndarray]:
        z = reparam.forward(mu, logvar, eps)  # Eq. (2)
        nll, grads = bernoulli_nll(z @ w + b, x)  # Eq. (4): (N,); Eq. (9): p - x, (N, D)
        return float(nll.mean()), (grads["logits"] / n) @ w.T  # mean over N, then through z W

    print("\n2. Gradients through the sample (float64, eps fixed): "
          "Reparameterize.backward vs central differences")
    print(f"{'loss':<44} {'rel error dL/dmu':>16} {'rel error dL/dlogvar':>20}")
    for name, loss in (("L = mean(z^2)", loss_square),
                       ("L = cross entropy of sigmoid(z W + b), Eq. 4", loss_decoder)):
        _, dz = loss()
        dmu, dlogvar = reparam.backward(dz)  # Eq. (7)
        num_mu = numerical_gradient(lambda f=loss: f()[0], mu)
        num_logvar = numerical_gradient(lambda f=loss: f()[0], logvar)
        e_mu, e_lv = rel_error(dmu, num_mu), rel_error(dlogvar, num_logvar)
        ok = "ok" if max(e_mu, e_lv) < BOUND_SMOOTH else "FAIL"
        print(f"{name:<44} {e_mu:16.2e} {e_lv:20.2e}  {ok}")
        if loss is loss_decoder:
            wrong = dz * eps * np.exp(0.5 * logvar)  # bug: dsigma/dlogvar = sigma, no 1/2
            e_wrong = rel_error(wrong, num_logvar)
            print(f"{'  the same, with the bug dsigma/dlogvar = sigma':<44} {'':16} "
                  f"{e_wrong:20.2e}  caught")
    print(f"(bound for smooth functions in float64: {BOUND_SMOOTH:g}; README.md, \"Gradient checks\")")


class WithoutSampling(VAE):
    """A VAE trained with z = mu: Eq. (2) with eps = 0, so nothing is sampled.

    The loss is still Eq. (6), but the decoder only ever sees the means, and the KL
    (Eq. 5) is all that reads logvar: an AutoEncoder with a KL term on its code.
    VAE.backward does the rest: with eps = 0, dz/dlogvar = eps sigma / 2 = 0 (Eq. 7).
    """

    def forward(self, x: np.ndarray, eps: np.ndarray | None = None,
                rng: np.random.Generator | None = None, beta: float | None = None,
                check: bool = True) -> ForwardResult:
        zeros = np.zeros((np.shape(x)[0], self.config.latent_dim), dtype=self.dtype)
        return super().forward(x, zeros, rng, beta, check)  # eps = 0: z = mu


def neg_elbo_at_mu(model: VAE, x: np.ndarray) -> float:
    """-ELBO with z = mu (eps = 0), nats per image: what skipping the sample claims."""
    mu, _ = model.encode(x)
    out = model.forward(x, eps=np.zeros_like(mu), beta=1.0)  # Eq. (6) at z = mu
    return float(out.recon.mean() + out.kl.mean())


def without_sampling(args: argparse.Namespace) -> tuple[Path, str]:
    """Part 3: the VAE and a model trained with z = mu; their -ELBO, codes and samples.
    Returns the figure and the data set's name."""
    data = _common.load(args)
    h = _common.hidden(args)
    print(f"\n3. Inference without sampling: two VAEs 784-{h}-2 on {data.name}, "
          f"{args.epochs} epoch(s) each, one trained with z = mu")
    config = VAEConfig(hidden_dims=(h,), latent_dim=2, seed=args.seed)  # the same start
    models = {"VAE": VAE(config), "trained with z = mu": WithoutSampling(config)}
    elbos, rows = {}, []
    z_prior = np.random.default_rng(args.seed).standard_normal((36, 2))  # the same for both
    for name, model in models.items():
        print(f"training: {name}")
        fit(model, data.x_train, None, _common.settings(args))
        honest = neg_elbo(model, data.x_test, np.random.default_rng(args.seed))  # z ~ q
        at_mu = neg_elbo_at_mu(model, data.x_test)
        elbos[name] = (honest, at_mu)
        mu, logvar = model.encode(data.x_test)  # Eq. (1)
        sigma = np.exp(logvar / 2)  # Eq. (2)
        print(f"  test -ELBO honest (z ~ q) {honest:8.2f}, with z = mu {at_mu:8.2f}: "
              f"z = mu claims {honest - at_mu:.2f} nats too little; mean sigma "
              f"({sigma[:, 0].mean():.2f}, {sigma[:, 1].mean():.2f})")
        rows.append((name, mu, data.y_test, sigma, model.decode(z_prior)))  # Eq. (3)
    vae, (nos, nos_mu) = elbos["VAE"][0], elbos["trained with z = mu"]
    print(f"the model trained with z = mu claimed {nos_mu:.2f}; honestly it has {nos:.2f}, "
          f"{nos - vae:.2f} nats worse than the VAE")
    path = plots.no_sampling_panels(
        elbos, rows, args.out / "reparam_without_sampling.png",
        f"Inference without sampling (z = mu): the VAE 784-{h}-2 and one trained with z = mu "
        f"({data.name})",
        caption="With z = mu the decoder never pays for the spread of q(z|x): the ELBO looks "
                "better than it is, and a model trained so learns no sigma (it goes to 1): its "
                "q(z|x) is as wide as N(0, I).",
    )
    _common.quick_banner(args, data, [path])
    return path, data.name


def main(argv: list[str] | None = None) -> None:
    args = _common.parse(_common.parser(__doc__, "reparameterization", epochs=10, quick=QUICK), argv)
    plots.require_matplotlib()  # before any training: the figures are the point
    start = time.perf_counter()
    rng = np.random.default_rng(args.seed)
    n = 10_000 if args.quick else 100_000
    panels = compare_sampling(n, rng)
    gradient_table(rng)
    files = [plots.histograms(
        panels, args.out / "reparam_histograms.png",
        r"Reparameterization trick: $\mu + \sigma\,\varepsilon$ has the distribution "
        r"$N(\mu, \sigma^2)$",
    )]
    path, data_name = without_sampling(args)
    print()
    _common.report([*files, path], start, args, data_name)


if __name__ == "__main__":
    main()
