"""The objective and how good a trained VAE is: -ELBO (Eq. 6) and log p(x) (Eq. 11).

- :func:`elbo_terms`, :func:`neg_elbo`: the two terms of -ELBO, reconstruction error
  (Eq. 4) and KL (Eq. 5), with z sampled from q(z|x), in nats per image;
- :func:`log_likelihood_iw`: the importance-weighted estimate of log p(x), Eq. (11),
  a tighter bound than the ELBO, as written, image by image (its fast form, in blocks
  and in memory flat in K, is :func:`numpyvae.fast.iw.log_likelihood_iw_blocked`);
- :func:`evaluate`: both, as the literature reports them, and bits per dimension.

What the two bounds approach from below, log p(x) itself by quadrature over z (for a
latent space of 1 or 2 dimensions), is :func:`numpyvae.quadrature.log_likelihood_grid`.

Only the model's public face is used: ``encode`` (the door that checks the images),
``decode_logits``, ``recon_nll``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .fast.iw import log_likelihood_iw_blocked
from .losses import kl_std_normal, log_normal, log_std_normal
from .model import VAE, AutoEncoder


def bits_per_dim(nats: float, dims: int) -> float:
    """Nats per image -> bits per pixel: nats / (D ln 2)."""
    return nats / (dims * math.log(2))


def elbo_terms(
    model: VAE | AutoEncoder,
    x: np.ndarray,
    rng: np.random.Generator,
    samples: int = 1,
    batch_size: int = 1000,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[float, float]:
    """The two terms of -ELBO, Eq. (6) with beta = 1, in nats per image averaged over ``x``:
    reconstruction error (Eq. 4) and KL (Eq. 5), with ``samples`` draws of z ~ q(z|x)
    per image. (With z = mu instead the figure would be too optimistic.) For an
    AutoEncoder, z is its code and the KL is 0. ``progress`` is called as
    ``progress(images done, samples * N)`` after each batch.
    """
    if len(x) == 0:
        raise ValueError("the -ELBO of no images: x is empty")
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    recon = kl = 0.0
    done = 0
    for _ in range(samples):
        for start in range(0, len(x), batch_size):
            xb = x[start : start + batch_size]  # (B, D)
            mu, logvar = model.encode(xb)  # Eq. (1)   (B, L) each; encode checks xb
            if logvar is None:  # the AutoEncoder: z is the code
                z = mu
            else:
                eps = rng.standard_normal(mu.shape, dtype=mu.dtype)
                z = mu + np.exp(logvar / 2) * eps  # Eq. (2)
                kl_n, _ = kl_std_normal(mu, logvar, need_grad=False)  # Eq. (5)   (B,)
                kl += float(kl_n.sum(dtype=np.float64))
            logits = model.decode_logits(z)  # Eq. (3)   (B, D)
            nll, _ = model.recon_nll(logits, np.asarray(xb), need_grad=False)  # Eq. (4)   (B,)
            recon += float(nll.sum(dtype=np.float64))
            done += len(xb)
            if progress is not None:
                progress(done, samples * len(x))
    n = samples * len(x)
    return recon / n, kl / n


def neg_elbo(
    model: VAE | AutoEncoder,
    x: np.ndarray,
    rng: np.random.Generator,
    samples: int = 1,
    batch_size: int = 1000,
    progress: Callable[[int, int], None] | None = None,
) -> float:
    """-ELBO (Eq. 6 with beta = 1) in nats per image, averaged over ``x``: the sum of
    :func:`elbo_terms`. One sample of z per image is what the PyTorch recipe reports."""
    recon, kl = elbo_terms(model, x, rng, samples, batch_size, progress)
    return recon + kl


def log_likelihood_iw(model: VAE, x: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """The importance-weighted estimate of log p(x), Eq. (11), for each image of ``x``:

        log p(x) ~ logsumexp_k [log p(x|z_k) + log p(z_k) - log q(z_k|x)] - log K,

    with K samples z_k = mu + sigma eps_k from q(z|x). It is a lower bound on log p(x)
    that rises towards it as K grows (K = 1 gives the ELBO). Written as the equation
    reads, one image at a time with its K samples decoded at once (K x D logits);
    :func:`numpyvae.fast.iw.log_likelihood_iw_blocked` computes the same, with the same
    draws of eps, in memory flat in K, and :func:`evaluate` uses it.

    Args:
        model: a VAE (an encoder q(z|x)).
        x: (N, D) images. k: samples per image. rng: the generator of eps.

    Returns:
        (N,) float64 estimates of log p(x), in nats.
    """
    if not isinstance(model, VAE):
        raise TypeError("the importance-weighted estimate needs a VAE (an encoder q(z|x))")
    if k < 1:
        raise ValueError(f"the number of importance samples must be >= 1, got {k}")
    mu, logvar = model.encode(x)  # Eq. (1)   (N, L) each; encode checks x
    x = np.asarray(x)
    out = np.empty(len(x), dtype=np.float64)
    for i in range(len(x)):  # one image at a time, its K samples at once
        eps = rng.standard_normal((k, mu.shape[1]), dtype=mu.dtype)
        z = mu[i] + np.exp(logvar[i] / 2) * eps  # Eq. (2)   (K, L): K samples of q(z|x)
        logits = model.decode_logits(z)  # Eq. (3)   (K, D)
        log_px_z = -model.recon_nll(logits, x[i], need_grad=False)[0]  # log p(x|z_k): -Eq. (4)   (K,)
        log_pz = log_std_normal(z)  # log p(z_k) = log N(z_k; 0, I)   (K,)
        log_qz = log_normal(z, mu[i], logvar[i])  # log q(z_k|x) = log N(z_k; mu, sigma^2)   (K,)
        log_w = np.asarray(log_px_z + log_pz - log_qz, dtype=np.float64)  # (K,)
        m = log_w.max()  # logsumexp, kept stable: m + log sum_k exp(log_w_k - m)
        out[i] = m + math.log(np.exp(log_w - m).sum()) - math.log(k)  # Eq. (11)
    return out


def _offset(progress: Callable[[int, int], None] | None, before: int, total: int, per: int
            ) -> Callable[[int, int], None] | None:
    """A callback for one part of a longer job: ``done`` of this part, each worth ``per``
    units, after ``before`` units of the ``total``."""
    if progress is None:
        return None
    return lambda done, _: progress(before + done * per, total)


def evaluate(
    model: VAE | AutoEncoder,
    x: np.ndarray,
    iw_samples: int = 0,
    elbo_samples: int = 1,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> dict:
    """The figures the literature reports, for the images ``x`` (N, D).

    Returns a dict with ``test_neg_elbo`` (nats per image, one sample of z per image),
    and, when ``elbo_samples > 1``, ``test_neg_elbo_avg`` (averaged over that many
    samples); for a VAE with ``iw_samples = K > 0``, ``test_nll_iw`` (Eq. 11 with K
    samples); ``bits_per_dim`` of the best of these estimates, named by
    ``bits_per_dim_of``.

    ``progress`` is called as ``progress(done, total)``, counting decoded samples of z:
    N for the -ELBO, N S for its average over S samples, N K for Eq. (11).
    """
    if len(x) == 0:
        raise ValueError("nothing to evaluate: x has no images")
    n = len(x)
    iw = iw_samples if iw_samples > 0 and isinstance(model, VAE) else 0
    avg = elbo_samples if elbo_samples > 1 else 0
    total = n * (1 + avg + iw)
    out: dict = {"images": len(x)}
    out["test_neg_elbo"] = neg_elbo(model, x, np.random.default_rng([seed, 1]),
                                    progress=_offset(progress, 0, total, 1))
    best = out["test_neg_elbo"]
    if elbo_samples > 1:
        out["elbo_samples"] = int(elbo_samples)
        out["test_neg_elbo_avg"] = neg_elbo(
            model, x, np.random.default_rng([seed, 2]), samples=elbo_samples,
            progress=_offset(progress, n, total, 1),
        )
    out["iw_samples"] = int(iw_samples)
    if iw:
        log_px = log_likelihood_iw_blocked(  # Eq. (11), in blocks (numpyvae/fast/iw.py)
            model, x, iw_samples, np.random.default_rng([seed, 3]),
            progress=_offset(progress, n * (1 + avg), total, iw))
        out["test_nll_iw"] = float(-log_px.mean())
        best = out["test_nll_iw"]
    else:
        out["test_nll_iw"] = None
    out["bits_per_dim"] = bits_per_dim(best, model.config.input_dim)
    out["bits_per_dim_of"] = "test_nll_iw" if out["test_nll_iw"] is not None else "test_neg_elbo"
    return out
