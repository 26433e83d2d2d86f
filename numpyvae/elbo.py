"""The objective and how good a trained VAE is: -ELBO (Eq. 6) and log p(x) (Eq. 11).

- :func:`elbo_terms`, :func:`neg_elbo`: the two terms of -ELBO, reconstruction error
  (Eq. 4) and KL (Eq. 5), with z sampled from q(z|x), in nats per image;
- :func:`log_likelihood_iw`: the importance-weighted estimate of log p(x), Eq. (11),
  a tighter bound than the ELBO;
- :func:`evaluate`: both, as the literature reports them, and bits per dimension;
- :func:`log_likelihood_grid`: log p(x) itself, by quadrature over z, for a latent
  space of 1 or 2 dimensions: what the two bounds approach from below.

Only the model's public face is used: ``encode``, ``decode_logits``, ``recon_nll``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .datasets.batching import batches
from .fast.decoder import ManyRowsDecoder
from .fast.softplus import bernoulli_nll_rows
from .losses import kl_std_normal
from .model import VAE, AutoEncoder

LOG_2PI = math.log(2 * math.pi)
#: rows decoded at once by the importance-weighted estimate: memory stays bounded for
#: any K (about 6 MB of float32 logits for 784 pixels; benchmarks/README.md)
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
) -> tuple[float, float]:
    """The two terms of -ELBO, Eq. (6) with beta = 1, in nats per image averaged over ``x``:
    reconstruction error (Eq. 4) and KL (Eq. 5), with ``samples`` draws of z ~ q(z|x)
    per image. (With z = mu instead the figure would be too optimistic.) For an
    AutoEncoder, z is its code and the KL is 0.
    """
    recon = kl = 0.0
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
    n = samples * len(x)
    return recon / n, kl / n


def neg_elbo(
    model: VAE | AutoEncoder,
    x: np.ndarray,
    rng: np.random.Generator,
    samples: int = 1,
    batch_size: int = 1000,
) -> float:
    """-ELBO (Eq. 6 with beta = 1) in nats per image, averaged over ``x``: the sum of
    :func:`elbo_terms`. One sample of z per image is what the PyTorch recipe reports."""
    recon, kl = elbo_terms(model, x, rng, samples, batch_size)
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


def iw_log_weights(
    model: VAE,
    decode: ManyRowsDecoder,
    xb: np.ndarray,
    mu: np.ndarray,
    logvar: np.ndarray,
    k: int,
    chunk: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """The terms of Eq. (11)'s sum, log p(x|z_k) + log p(z_k) - log q(z_k|x), for K
    samples z_k ~ q(z|x) of each of G images, drawn ``chunk`` samples at a time.

    xb (G, D), mu and logvar (G, L) -> (G, K) float64.
    """
    g, latent = mu.shape
    sigma = np.exp(0.5 * logvar)  # Eq. (2)
    log_w = np.empty((g, k), dtype=np.float64)
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
        log_w[:, s : s + c] = log_px + log_pz - log_qz  # Eq. (11), inside the sum
    return log_w


def log_likelihood_iw(
    model: VAE,
    x: np.ndarray,
    k: int,
    rng: np.random.Generator,
    max_rows: int = IW_MAX_ROWS,
) -> np.ndarray:
    """Importance-weighted estimate of log p(x) per image, Eq. (11).

        log p(x) ~ logsumexp_k [log p(x|z_k) + log p(z_k) - log q(z_k|x)] - log K,

    with z_k = mu + sigma eps_k drawn from q(z|x). It is a lower bound on log p(x)
    that rises towards it as K grows (K = 1 gives the ELBO). The work goes in blocks
    of at most ``max_rows`` decoded samples, so memory stays bounded for any K.

    Args:
        x: (N, D) images. k: samples per image.

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
            log_w = iw_log_weights(model, decode, xe[group], mu_e[group], logvar_e[group], k, chunk, rng)
            m = log_w.max(axis=1, keepdims=True)  # stable logsumexp over the K samples
            log_sum = m[:, 0] + np.log(np.exp(log_w - m).sum(axis=1))
            out[first + start : first + start + len(log_w)] = log_sum - math.log(k)  # Eq. (11)
    return out


def evaluate(
    model: VAE | AutoEncoder,
    x: np.ndarray,
    iw_samples: int = 0,
    elbo_samples: int = 1,
    seed: int = 0,
) -> dict:
    """The figures the literature reports, for the images ``x`` (N, D).

    Returns a dict with ``test_neg_elbo`` (nats per image, one sample of z per image),
    and, when ``elbo_samples > 1``, ``test_neg_elbo_avg`` (averaged over that many
    samples); for a VAE with ``iw_samples = K > 0``, ``test_nll_iw`` (Eq. 11 with K
    samples); ``bits_per_dim`` of the best of these estimates, named by
    ``bits_per_dim_of``.
    """
    out: dict = {"images": len(x)}
    out["test_neg_elbo"] = neg_elbo(model, x, np.random.default_rng([seed, 1]))
    best = out["test_neg_elbo"]
    if elbo_samples > 1:
        out["elbo_samples"] = int(elbo_samples)
        out["test_neg_elbo_avg"] = neg_elbo(
            model, x, np.random.default_rng([seed, 2]), samples=elbo_samples
        )
    out["iw_samples"] = int(iw_samples)
    if iw_samples > 0 and isinstance(model, VAE):
        log_px = log_likelihood_iw(model, x, iw_samples, np.random.default_rng([seed, 3]))
        out["test_nll_iw"] = float(-log_px.mean())
        best = out["test_nll_iw"]
    else:
        out["test_nll_iw"] = None
    out["bits_per_dim"] = bits_per_dim(best, model.config.input_dim)
    out["bits_per_dim_of"] = "test_nll_iw" if out["test_nll_iw"] is not None else "test_neg_elbo"
    return out


# ---- log p(x) by quadrature, for a latent space of 1 or 2 dimensions ---------------------


@dataclass
class LatentGrid:
    """log p(x, z) = log p(x|z) + log p(z) of one image on a regular grid of z.

    ``axes`` holds one (n,) array per latent dimension, ``log_joint`` is (n,) or (n, n)
    (axis j along ``axes[j]``), ``cell`` the length or area of one grid cell.
    """

    axes: list[np.ndarray]
    log_joint: np.ndarray
    cell: float

    @property
    def log_px(self) -> float:
        """log p(x) = log of the integral of p(x, z) over z, as a sum over the cells."""
        m = float(self.log_joint.max())
        return m + math.log(float(np.exp(self.log_joint - m).sum()) * self.cell)

    @property
    def posterior(self) -> np.ndarray:
        """p(z|x) = p(x, z) / p(x) at the grid points (a density: sums to 1 / cell)."""
        return np.exp(self.log_joint - self.log_px)

    @property
    def edge_mass(self) -> float:
        """The posterior's mass in the grid's outermost cells: near 0 when the grid holds it."""
        mass = self.posterior * self.cell
        inner = mass[(slice(1, -1),) * mass.ndim].sum()
        return float(mass.sum() - inner)


def latent_grid(model: VAE, x: np.ndarray, points: int = 41, span: float = 8.0,
                max_rows: int = 8192) -> list[LatentGrid]:
    """log p(x, z) of each image of ``x`` (N, D) on a grid of z around its q(z|x).

    The grid of each image has ``points`` points per latent dimension, from
    mu - span sigma to mu + span sigma (mu and sigma of q(z|x), Eq. 1 and 2), so it
    follows a posterior wherever it lies. Where more than 1e-7 of the posterior's mass
    lies in the grid's outer cells (q was too narrow, or off), that image's grid is
    made twice as wide, with the same spacing, up to three times. Only for latent_dim
    1 or 2: the grid costs points^latent_dim decodes per image.
    """
    latent = model.config.latent_dim
    if latent not in (1, 2):
        raise ValueError(f"a grid over z needs latent_dim 1 or 2, got {latent}")
    if points < 3 or span <= 0:
        raise ValueError(f"need points >= 3 and span > 0, got {points} and {span}")
    x = model.as_batch(x)
    mu, logvar = model.encode(x)  # Eq. (1)   (N, L)
    sigma = np.exp(logvar.astype(np.float64) / 2)  # Eq. (2)
    grids = []
    for i in range(len(x)):
        for widen in range(4):  # span, 2 span, 4 span, 8 span
            n = (points - 1) * 2**widen + 1
            t = np.linspace(-span * 2**widen, span * 2**widen, n)  # in units of sigma
            grid = _grid_of_one(model, x[i], [mu[i, j] + sigma[i, j] * t for j in range(latent)], max_rows)
            if grid.edge_mass < 1e-7:
                break
        grids.append(grid)
    return grids


def _grid_of_one(model: VAE, x: np.ndarray, axes: list[np.ndarray], max_rows: int) -> LatentGrid:
    """log p(x|z) + log p(z) of one image x (D,) at every point of the grid ``axes``."""
    latent = len(axes)
    mesh = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, latent)  # (P, L)
    log_px_z = np.empty(len(mesh))
    for s in range(0, len(mesh), max_rows):
        logits = model.decode_logits(mesh[s : s + max_rows].astype(model.dtype))  # Eq. (3)
        log_px_z[s : s + max_rows] = -model.recon_nll(logits, x, need_grad=False)[0]  # -Eq. (4)
    log_pz = -0.5 * np.sum(mesh**2, axis=1) - 0.5 * latent * LOG_2PI  # log N(z; 0, I)
    cell = float(np.prod([a[1] - a[0] for a in axes]))
    return LatentGrid(axes, (log_px_z + log_pz).reshape([len(a) for a in axes]), cell)


def log_likelihood_grid(model: VAE, x: np.ndarray, points: int = 41, span: float = 8.0) -> np.ndarray:
    """log p(x) of each image by quadrature over z: (N,) float64, in nats.

        log p(x) = log integral p(x|z) p(z) dz ~ log sum_cells p(x|z_c) p(z_c) |cell|

    on the grid of :func:`latent_grid`, 0.4 sigma of q apart by default. For a smooth,
    bell-shaped integrand such a sum converges faster than any power of the spacing
    (for a Gaussian of width s the error is about 2 exp(-2 pi^2 s^2 / h^2): 1e-53 at
    h = 0.4 s), so what limits it is the mass outside the grid, kept under 1e-7. On a
    linear-Gaussian model, whose log p(x) is known in closed form, it is exact to 1e-6
    nats even when q is off or too narrow (tests/test_elbo.py).
    Unlike Eq. (11) it is no bound and has no sampling noise: it is the log-likelihood
    that the ELBO and the importance-weighted estimate approach from below.
    """
    return np.array([g.log_px for g in latent_grid(model, x, points, span)])
