"""Eq. (11) for many images and large K, in memory that does not grow with K.

``elbo.log_likelihood_iw`` is Eq. (11) as written, image by image: its K samples
decoded at once, K x D logits. Here the same estimate, with the same draws of eps, is
taken in blocks of at most ``max_rows`` decoded samples, several images at a time when
K is small, and the logsumexp over the K samples is kept running from block to block
(:func:`running_logsumexp`), so that memory stays flat for any K. Each block decodes
with :class:`~numpyvae.fast.decoder.ManyRowsDecoder` and sums Eq. (4) with
:func:`~numpyvae.fast.softplus.bernoulli_nll_rows`. tests/test_fast.py ties it to the
plain form; ``elbo.evaluate`` and ``numpyvae evaluate`` use it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator

import numpy as np

from ..losses import log_std_normal
from ..progress import ProgressCallback
from .decoder import ManyRowsDecoder
from .softplus import bernoulli_nll_rows

#: rows decoded at once by :func:`log_likelihood_iw_blocked`: its memory stays bounded
#: for any K (about 6 MB of float32 logits for 784 pixels; benchmarks/README.md)
IW_MAX_ROWS = 2048


def iw_blocks(n: int, k: int, max_rows: int = IW_MAX_ROWS) -> tuple[int, int, int]:
    """How :func:`log_likelihood_iw_blocked` splits its work on n images:
    ``(images, chunk, encode_rows)``.

    Each block decodes ``chunk`` samples for each of ``images`` images (at most
    ``max_rows`` rows, at least one image and one sample); the encoder runs on batches
    of ``encode_rows`` images, a multiple of ``images``. Several images share a block
    only when each brings all its K samples (chunk = K), so eps is drawn image by
    image, sample by sample, whatever the blocks: the draws of the plain form.
    """
    images = max(1, min(n, max_rows // k))  # images per block
    chunk = max(1, min(k, max_rows // images))  # samples per image per block
    return images, chunk, images * max(1, 1024 // images)


def iw_log_weight_chunks(
    model,
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
        log_pz = log_std_normal(z)  # log N(z; 0, I)   (G, C)
        # log N(z; mu, sigma^2) = log N(eps; 0, I) - sum_j log sigma_j, as (z - mu) / sigma
        # = eps: exact, where z - mu would lose digits when |mu| >> sigma
        log_qz = log_std_normal(eps) - 0.5 * logvar.sum(axis=1)[:, None]  # (G, C)
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


def log_likelihood_iw_blocked(
    model,
    x: np.ndarray,
    k: int,
    rng: np.random.Generator,
    max_rows: int = IW_MAX_ROWS,
    progress: ProgressCallback | None = None,
) -> np.ndarray:
    """``elbo.log_likelihood_iw`` in blocks: the importance-weighted estimate of log p(x)
    per image, Eq. (11), with the same draws of eps, in memory flat in K.

    Memory: one block's logits (``max_rows`` x D), a few arrays of ``max_rows`` floats,
    and the (N,) result; nothing grows with K.

    Args:
        model: a VAE (an encoder q(z|x)).
        x: (N, D) images. k: samples per image.
        max_rows: decoded samples per block.
        progress: called as ``progress(images done, N)`` after each group of images
            (see :mod:`numpyvae.progress`).

    Returns:
        (N,) float64 estimates of log p(x), in nats.
    """
    if k < 1:
        raise ValueError(f"the number of importance samples must be >= 1, got {k}")
    images, chunk, encode_rows = iw_blocks(len(x), k, max_rows)
    decode = ManyRowsDecoder(model, images * chunk)  # equals model.decode_logits
    out = np.empty(len(x), dtype=np.float64)
    for first in range(0, len(x), encode_rows):  # the encoder runs on larger batches
        xe = x[first : first + encode_rows]
        mu_e, logvar_e = model.encode(xe)  # Eq. (1)   (E, L); encode checks xe
        if logvar_e is None:  # an AutoEncoder's code: no q(z|x) to sample from
            raise TypeError("the importance-weighted estimate needs a VAE (an encoder q(z|x))")
        xe = np.asarray(xe)
        for start in range(0, len(xe), images):
            group = slice(start, start + images)  # (G,) images
            chunks = iw_log_weight_chunks(model, decode, xe[group], mu_e[group], logvar_e[group],
                                          k, chunk, rng)
            log_sum = running_logsumexp(chunks)  # stable logsumexp over the K samples
            out[first + start : first + start + len(log_sum)] = log_sum - math.log(k)  # Eq. (11)
            if progress is not None:
                progress(first + start + len(log_sum), len(x))
    return out
