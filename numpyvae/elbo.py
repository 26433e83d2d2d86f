"""The objective and how good a trained VAE is: -ELBO (Eq. 6) and log p(x) (Eq. 11).

- :func:`elbo_terms`, :func:`neg_elbo`: the two terms of -ELBO, reconstruction error
  (Eq. 4) and KL (Eq. 5), with z sampled from q(z|x), in nats per image;
- :func:`log_likelihood_iw`: the importance-weighted estimate of log p(x), Eq. (11),
  a tighter bound than the ELBO;
- :func:`evaluate`: both, as the literature reports them, and bits per dimension;
- :func:`log_likelihood_grid` (numpyvae/quadrature.py, re-exported here): log p(x)
  itself, by quadrature over z, for a latent space of 1 or 2 dimensions: what the two
  bounds approach from below.

Only the model's public face is used: ``encode``, ``decode_logits``, ``recon_nll``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator

import numpy as np

from .datasets.batching import batches
from .fast.decoder import ManyRowsDecoder
from .fast.softplus import bernoulli_nll_rows
from .losses import kl_std_normal
from .model import VAE, AutoEncoder
from .progress import ProgressCallback
from .quadrature import LatentGrid, latent_grid, log_likelihood_grid  # noqa: F401 (re-exported)

LOG_2PI = math.log(2 * math.pi)
#: rows decoded at once by the importance-weighted estimate: its memory stays bounded
#: for any K (about 6 MB of float32 logits for 784 pixels; benchmarks/README.md)
IW_MAX_ROWS = 2048


def bits_per_dim(nats: float, dims: int) -> float:
    """Nats per image -> bits per pixel: nats / (D ln 2)."""
    return nats / (dims * math.log(2))


def elbo_terms(
    model: VAE | AutoEncoder,
    x: np.ndarray,
    rng: np.random.Generator,
    samples: int = 1,
    batch_size: int = 1000,
    progress: ProgressCallback | None = None,
) -> tuple[float, float]:
    """The two terms of -ELBO, Eq. (6) with beta = 1, in nats per image averaged over ``x``:
    reconstruction error (Eq. 4) and KL (Eq. 5), with ``samples`` draws of z ~ q(z|x)
    per image. (With z = mu instead the figure would be too optimistic.) For an
    AutoEncoder, z is its code and the KL is 0. ``progress`` is called as
    ``progress(images done, samples * N)`` after each batch.
    """
    if len(x) == 0:
        raise ValueError("the -ELBO of no images: x is empty")
    recon = kl = 0.0
    done = 0
    for _ in range(samples):
        for xb in batches(x, batch_size, None, shuffle=False):
            xb = model.as_batch(xb)  # (B, D)
            mu, logvar = model.encode(xb)  # Eq. (1)   (B, L) each
            if logvar is None:  # the AutoEncoder: z is the code
                z = mu
            else:
                eps = rng.standard_normal(mu.shape, dtype=mu.dtype)
                z = mu + np.exp(logvar / 2) * eps  # Eq. (2)
                kl += float(kl_std_normal(mu, logvar)[0].sum(dtype=np.float64))  # Eq. (5)
            logits = model.decode_logits(z)  # Eq. (3)   (B, D)
            nll, _ = model.recon_nll(logits, xb, need_grad=False)  # Eq. (4)   (B,)
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
    progress: ProgressCallback | None = None,
) -> float:
    """-ELBO (Eq. 6 with beta = 1) in nats per image, averaged over ``x``: the sum of
    :func:`elbo_terms`. One sample of z per image is what the PyTorch recipe reports."""
    recon, kl = elbo_terms(model, x, rng, samples, batch_size, progress)
    return recon + kl


def iw_blocks(n: int, k: int, max_rows: int = IW_MAX_ROWS) -> tuple[int, int, int]:
    """How :func:`log_likelihood_iw` splits its work on n images: ``(images, chunk, encode_rows)``.

    Each block decodes ``chunk`` samples for each of ``images`` images (at most
    ``max_rows`` rows, at least one image and one sample); the encoder runs on batches
    of ``encode_rows`` images, a multiple of ``images``.
    """
    images = max(1, min(n, max_rows // k))  # images per block
    chunk = max(1, min(k, max_rows // images))  # samples per image per block
    return images, chunk, images * max(1, 1024 // images)


def iw_log_weight_chunks(
    model: VAE,
    decode: ManyRowsDecoder,
    xb: np.ndarray,
    mu: np.ndarray,
    logvar: np.ndarray,
    k: int,
    chunk: int,
    rng: np.random.Generator,
) -> Iterator[np.ndarray]:
    """The terms of Eq. (11)'s sum, log p(x|z_k) + log p(z_k) - log q(z_k|x), for K
    samples z_k ~ q(z|x) of each of G images, drawn ``chunk`` samples at a time.

    xb (G, D), mu and logvar (G, L) -> yields (G, C) float64 arrays, C = ``chunk``
    (the last one may be narrower), K columns in all.
    """
    g, latent = mu.shape
    sigma = np.exp(0.5 * logvar)  # Eq. (2)
    for s in range(0, k, chunk):
        c = min(chunk, k - s)
        eps = rng.standard_normal((g, c, latent), dtype=mu.dtype)
        z = mu[:, None, :] + sigma[:, None, :] * eps  # Eq. (2)   (G, C, L)
        logits = decode(z.reshape(g * c, latent)).reshape(g, c, -1)  # Eq. (3)   (G, C, D)
        if model.config.likelihood == "bernoulli":
            log_px = -bernoulli_nll_rows(logits, xb[:, None, :])  # minus Eq. (4)   (G, C)
        else:
            log_px = -model.recon_nll(logits, xb[:, None, :], need_grad=False)[0]
        log_pz = -0.5 * np.einsum("gcl,gcl->gc", z, z) - 0.5 * latent * LOG_2PI  # log N(z; 0, I)
        log_qz = (  # log N(z; mu, sigma^2), with (z - mu) / sigma = eps
            -0.5 * (np.einsum("gcl,gcl->gc", eps, eps) + logvar.sum(axis=1)[:, None])
            - 0.5 * latent * LOG_2PI
        )
        yield np.asarray(log_px + log_pz - log_qz, dtype=np.float64)  # Eq. (11), inside the sum


def running_logsumexp(chunks: Iterable[np.ndarray]) -> np.ndarray:
    """logsumexp along axis 1 of the (G, C_i) arrays ``chunks`` joined side by side,
    one chunk at a time: (G,) float64, holding only one chunk and two (G,) arrays.

    Stable: the sum is kept scaled by the running maximum m, as
    ``m + log(sum exp(a - m))``, and rescaled when a chunk raises m.
    """
    m = total = None
    for a in chunks:
        top = a.max(axis=1)
        if m is None:
            m = top
            total = np.exp(a - m[:, None]).sum(axis=1)
            continue
        new_m = np.maximum(m, top)
        total = np.exp(m - new_m) * total + np.exp(a - new_m[:, None]).sum(axis=1)
        m = new_m
    if m is None:
        raise ValueError("running_logsumexp needs at least one chunk")
    return m + np.log(total)


def log_likelihood_iw(
    model: VAE,
    x: np.ndarray,
    k: int,
    rng: np.random.Generator,
    max_rows: int = IW_MAX_ROWS,
    progress: ProgressCallback | None = None,
) -> np.ndarray:
    """Importance-weighted estimate of log p(x) per image, Eq. (11).

        log p(x) ~ logsumexp_k [log p(x|z_k) + log p(z_k) - log q(z_k|x)] - log K,

    with z_k = mu + sigma eps_k drawn from q(z|x). It is a lower bound on log p(x)
    that rises towards it as K grows (K = 1 gives the ELBO). The work goes in blocks
    of at most ``max_rows`` decoded samples, and the logsumexp over the K samples is
    kept running, block by block (:func:`running_logsumexp`), so memory stays bounded
    for any K: one block's logits (``max_rows`` x D), a few arrays of ``max_rows``
    floats, and the (N,) result; nothing grows with K.

    Args:
        x: (N, D) images. k: samples per image.
        progress: called as ``progress(images done, N)`` after each group of images
            (see :mod:`numpyvae.progress`).

    Returns:
        (N,) float64 estimates of log p(x), in nats.
    """
    if not isinstance(model, VAE):
        raise TypeError("the importance-weighted estimate needs a VAE (an encoder q(z|x))")
    if k < 1:
        raise ValueError(f"the number of importance samples must be >= 1, got {k}")
    images, chunk, encode_rows = iw_blocks(len(x), k, max_rows)
    decode = ManyRowsDecoder(model, images * chunk)  # numpyvae/fast: equals decode_logits
    out = np.empty(len(x), dtype=np.float64)
    for first in range(0, len(x), encode_rows):  # the encoder runs on larger batches
        xe = model.as_batch(x[first : first + encode_rows])
        mu_e, logvar_e = model.encode(xe)  # Eq. (1)   (E, L)
        for start in range(0, len(xe), images):
            group = slice(start, start + images)  # (G,) images
            chunks = iw_log_weight_chunks(model, decode, xe[group], mu_e[group], logvar_e[group],
                                          k, chunk, rng)
            log_sum = running_logsumexp(chunks)  # stable logsumexp over the K samples
            out[first + start : first + start + len(log_sum)] = log_sum - math.log(k)  # Eq. (11)
            if progress is not None:
                progress(first + start + len(log_sum), len(x))
    return out


def _offset(progress: ProgressCallback | None, before: int, total: int, per: int
            ) -> ProgressCallback | None:
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
    progress: ProgressCallback | None = None,
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
        log_px = log_likelihood_iw(model, x, iw_samples, np.random.default_rng([seed, 3]),
                                   progress=_offset(progress, n * (1 + avg), total, iw))
        out["test_nll_iw"] = float(-log_px.mean())
        best = out["test_nll_iw"]
    else:
        out["test_nll_iw"] = None
    out["bits_per_dim"] = bits_per_dim(best, model.config.input_dim)
    out["bits_per_dim_of"] = "test_nll_iw" if out["test_nll_iw"] is not None else "test_neg_elbo"
    return out
