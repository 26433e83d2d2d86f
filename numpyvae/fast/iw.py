"""Eq. (11) for many images and large K, in memory that does not grow with K.

``elbo.log_likelihood_iw`` is Eq. (11) as written, image by image: its K samples
decoded at once, K x D logits. :func:`log_likelihood_iw_blocked` computes the same
estimate, with the same draws of eps, in blocks of at most ``max_rows`` decoded
samples, several images at a time when K is small, and keeps the logsumexp over the K
samples running from block to block (:func:`running_logsumexp`), so that memory stays
flat for any K. Each block decodes with :class:`ManyRowsDecoder` (Eq. 3 with the
biases folded into the products) and sums Eq. (4) with :func:`bernoulli_nll_rows`
(softplus in two passes). tests/test_fast.py ties each piece to its plain form;
``elbo.evaluate`` and ``numpyvae evaluate`` use it. Why each piece pays, with the
figures: benchmarks/README.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator

import numpy as np

from ..losses import log_std_normal
from ..progress import ProgressCallback
from .halves import in_halves

#: rows decoded at once by :func:`log_likelihood_iw_blocked`: its memory stays bounded
#: for any K (about 6 MB of float32 logits for 784 pixels; benchmarks/README.md)
IW_MAX_ROWS = 2048


# ---- Eq. (3) for many rows: the decoder ----------------------------------------------

#: the activations of Eq. (1) and (3) in place; no mask is kept, no backward follows.
#: ReLU against a row of zeros: NumPy's loop for a scalar 0 is slower.
ACT_IN_PLACE = {
    "relu": lambda a: np.maximum(a, np.zeros(a.shape[-1], a.dtype), out=a),
    "tanh": lambda a: np.tanh(a, out=a),
}


class ManyRowsDecoder:
    """Eq. (3) before the sigmoid, z -> logits, equal to ``model.decode_logits(z)``
    (tests/test_fast.py), computed with each bias folded into its layer's product,

        [h, 1] @ [[W], [b]] = h W + b,

    which spares a pass over every layer's output, with buffers allocated once for all
    the blocks (up to ``rows`` rows each), and each hidden activation over half of the
    rows on each core (``fast.halves``). Nothing is kept for a backward pass.
    The weights are copied when the decoder is made: make a new one after training.
    """

    def __init__(self, model, rows: int) -> None:
        layers = [*model.decoder.dense, model.out]
        self.weights = [np.vstack([d.params["W"], d.params["b"]]) for d in layers]  # (in + 1, out)
        dtype = self.weights[0].dtype
        # the input of each layer with its column of ones: z, then every hidden layer
        self.inputs = [np.ones((rows, w.shape[0]), dtype=dtype) for w in self.weights]
        self.logits = np.empty((rows, self.weights[-1].shape[1]), dtype=dtype)
        self.act = ACT_IN_PLACE[model.config.activation]

    def __call__(self, z: np.ndarray) -> np.ndarray:
        """z (R, latent_dim), R <= rows -> logits (R, input_dim), a view of a reused buffer."""
        r = len(z)
        self.inputs[0][:r, :-1] = z
        for w, h, nxt in zip(self.weights, self.inputs, self.inputs[1:]):
            np.matmul(h[:r], w, out=nxt[:r, :-1])  # h W + b
            # the activation on whole rows (contiguous is faster), half of them on each core
            in_halves(lambda a, b, hand, nxt=nxt: self.act(nxt[a:b]), r, align=1, size=nxt.shape[1])
            nxt[:r, -1] = 1  # the ones again
        return np.matmul(self.inputs[-1][:r], self.weights[-1], out=self.logits[:r])


# ---- Eq. (4) for many rows: the softplus sums ---------------------------------------
#
# losses.bernoulli_nll writes softplus(l) = max(l, 0) + log(1 + e^-|l|), the form that
# never overflows: four passes over the logits. Eq. (11) decodes K samples of every image,
# so there this sum costs as much as the decoder's products; sum_softplus takes two.


def sum_softplus(logits: np.ndarray) -> np.ndarray:
    """logits (..., D) -> (...,): the sums over the D pixels of softplus(l) = log(1 + e^l).

    First as log(1 + e^l), as written: two passes. Only the rows where e^l overflowed
    (a logit above 88 in float32 makes the sum inf) are recomputed in the stable form
    max(l, 0) + log(1 + e^-|l|). Equal to ``losses.softplus(logits).sum(-1)`` up to
    rounding (tests/test_fast.py).
    """
    with np.errstate(over="ignore"):
        e = np.exp(logits)
    np.log1p(e, out=e)  # log(1 + e^l)
    total = np.asarray(np.einsum("...d->...", e))  # einsum: no BLAS call for a sum
    overflowed = np.isposinf(total)
    if overflowed.any():
        big = logits[overflowed]  # (rows, D)
        a = np.abs(big)
        np.negative(a, out=a)
        np.exp(a, out=a)
        np.log1p(a, out=a)  # log(1 + e^-|l|), in [0, log 2]
        a += np.maximum(big, 0)
        total[overflowed] = np.einsum("rd->r", a)
    return total


def bernoulli_nll_rows(logits: np.ndarray, x: np.ndarray,
                       beside: Callable[[], None] | None = None, share: float = 0.5) -> np.ndarray:
    """Eq. (4) summed over the pixels, sum_d softplus(l_d) - x_d l_d, without a gradient.

    logits (..., D) and x (..., D) broadcast against each other (x (G, 1, D) against
    logits (G, C, D): C samples of each of G images) -> (...,). Equal to
    ``losses.bernoulli_nll(logits, x)[0]`` up to rounding (tests/test_fast.py).

    The rows are shared between two cores (:func:`~numpyvae.fast.halves.in_halves`);
    ``beside``, if given, runs on this thread beside the helper's part, and ``share`` is
    the fraction of the rows this thread takes.
    """
    dtype = np.result_type(np.float16, logits.dtype)  # e^l's: float32 stays, integers give float64
    shape = np.broadcast_shapes(logits.shape, np.shape(x))[:-1]
    if logits.ndim < 2 or shape[-1] != logits.shape[-2]:  # one row, or x adds rows: not shared
        if beside is not None:
            beside()
        return (sum_softplus(logits) - np.vecdot(logits, x)).astype(dtype, copy=False)
    nll = np.empty(shape, dtype)
    x = np.asarray(x)
    x_rows = x.ndim >= 2 and x.shape[-2] != 1  # x row by row, or one row for all of them

    def part(start: int, stop: int, hand: int) -> None:
        rows = logits[..., start:stop, :]
        nll[..., start:stop] = sum_softplus(rows)
        # x . l: one short dot per row
        nll[..., start:stop] -= np.vecdot(rows, x[..., start:stop, :] if x_rows else x)

    # every row alike: half of the rows (of each image) on each core (fast.halves)
    in_halves(part, logits.shape[-2], align=1, size=logits[..., 0, :].size, beside=beside,
              share=share)
    return nll


# ---- Eq. (11) in blocks ----------------------------------------------------------------


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


#: the share of a block's softplus sums this thread takes while it also draws the next
#: block's eps (benchmarks/README.md)
IW_SHARE = 0.4


def block_shapes(n: int, k: int, images: int, chunk: int, encode_rows: int, latent: int
                 ) -> Iterator[tuple[int, int, int]]:
    """The shapes (G, C, L) of eps, block by block, in the order
    :func:`log_likelihood_iw_blocked` uses them on n images."""
    for first in range(0, n, encode_rows):
        e = min(encode_rows, n - first)
        for start in range(0, e, images):
            for s in range(0, k, chunk):
                yield min(images, e - start), min(chunk, k - s), latent


class DrawsAhead:
    """eps ~ N(0, I) for each block of Eq. (11), from one generator, in the blocks' order:
    :meth:`take` gives this block's, :meth:`draw_next` draws the next block's while the
    helper thread computes this block's sums. The same draws, in the same order, as one
    call per block when it is needed."""

    def __init__(self, rng: np.random.Generator, shapes: Iterable[tuple[int, ...]],
                 dtype: np.dtype) -> None:
        self.rng, self.shapes, self.dtype = rng, iter(shapes), dtype
        self.ready: np.ndarray | None = None

    def take(self, shape: tuple[int, ...]) -> np.ndarray:
        eps, self.ready = self.ready, None
        if eps is None:
            eps = self.rng.standard_normal(next(self.shapes), dtype=self.dtype)
        if eps.shape != shape:  # the schedule and the loops disagree: a bug, not bad input
            raise RuntimeError(f"eps drawn for a block of shape {eps.shape}, needed {shape}")
        return eps

    def draw_next(self) -> None:
        if self.ready is None:
            shape = next(self.shapes, None)
            if shape is not None:
                self.ready = self.rng.standard_normal(shape, dtype=self.dtype)


def iw_log_weight_chunks(
    model,
    decode: ManyRowsDecoder,
    xb: np.ndarray,
    mu: np.ndarray,
    logvar: np.ndarray,
    k: int,
    chunk: int,
    rng: np.random.Generator,
    draws: DrawsAhead | None = None,
) -> Iterator[np.ndarray]:
    """The terms of Eq. (11)'s sum, log p(x|z_k) + log p(z_k) - log q(z_k|x), for K
    samples z_k ~ q(z|x) of each of G images, drawn ``chunk`` samples at a time.

    xb (G, D), mu and logvar (G, L) -> yields (G, C) float64 arrays, C = ``chunk``
    (the last one may be narrower), K columns in all. eps comes from ``rng``, or from
    ``draws`` (the same draws), which draws the next block's beside the sums.
    """
    g, latent = mu.shape
    sigma = np.exp(0.5 * logvar)  # Eq. (2)
    for s in range(0, k, chunk):
        c = min(chunk, k - s)
        if draws is None:
            eps = rng.standard_normal((g, c, latent), dtype=mu.dtype)
        else:
            eps = draws.take((g, c, latent))
        z = mu[:, None, :] + sigma[:, None, :] * eps  # Eq. (2)   (G, C, L)
        logits = decode(z.reshape(g * c, latent)).reshape(g, c, -1)  # Eq. (3)   (G, C, D)
        if model.config.likelihood == "bernoulli":
            ahead = {} if draws is None else {"beside": draws.draw_next, "share": IW_SHARE}
            log_px = -bernoulli_nll_rows(logits, xb[:, None, :], **ahead)  # minus Eq. (4)   (G, C)
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
    draws = None
    for first in range(0, len(x), encode_rows):  # the encoder runs on larger batches
        xe = x[first : first + encode_rows]
        mu_e, logvar_e = model.encode(xe)  # Eq. (1)   (E, L); encode checks xe
        if logvar_e is None:  # an AutoEncoder's code: no q(z|x) to sample from
            raise TypeError("the importance-weighted estimate needs a VAE (an encoder q(z|x))")
        if draws is None:  # eps block by block, the next one drawn beside this one's sums
            shapes = block_shapes(len(x), k, images, chunk, encode_rows, mu_e.shape[1])
            draws = DrawsAhead(rng, shapes, mu_e.dtype)
        xe = np.asarray(xe)
        for start in range(0, len(xe), images):
            group = slice(start, start + images)  # (G,) images
            chunks = iw_log_weight_chunks(model, decode, xe[group], mu_e[group], logvar_e[group],
                                          k, chunk, rng, draws)
            log_sum = running_logsumexp(chunks)  # stable logsumexp over the K samples
            out[first + start : first + start + len(log_sum)] = log_sum - math.log(k)  # Eq. (11)
            if progress is not None:
                progress(first + start + len(log_sum), len(x))
    return out
