"""Every pass over a large array of one training step, and of one block of Eq. (11), as numpyvae performs it.

:func:`step_passes` and :func:`iw_passes` enumerate, in the order numpyvae runs them,
the operations on arrays of 40,000 numbers or more (read from model.py, layers.py,
losses.py, reparam.py, optim.py, elbo.py and fast/: each row names its function), each
as a call on arrays of its own shape and dtype holding the values of a real step,
ready to be timed alone by bench_passes.py. When the library changes a pass, the rows
here change with it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from recipe import BATCH

from numpyvae.fast.flat import PIECE
from numpyvae.fast.iw import ManyRowsDecoder, iw_blocks
from numpyvae.losses import kl_std_normal
from numpyvae.reparam import Reparameterize


@dataclass
class Pass:
    """One operation as numpyvae performs it, ready to be called again and again."""

    phase: str
    what: str
    where: str
    shape: str
    fn: Callable[[], object]
    share: float = 1.0  # of it in one step or block (the encoder of Eq. 11 serves many blocks)
    note: str = ""  # how the row's time was scaled by ``share``


def shape(*arrays: np.ndarray) -> str:
    return " @ ".join(str(a.shape).replace(" ", "") for a in arrays)


def step_passes(model, x: np.ndarray, rng: np.random.Generator) -> list[Pass]:
    """The passes of one training step, in the order numpyvae runs them, on the values of
    a real step: the forward and backward recomputed here from the model's weights.

    An operation done in place is timed in place on a copy of its own; a scaling in place
    (``m *= b1``) is timed with the factor 1, so that thousands of calls do not drift into
    denormal numbers, which are far slower (the factor's value does not change the work).
    """
    W = {k: v.copy() for k, v in model.params.items()}
    g = {k: v.copy() for k, v in model.grads.items()}
    idx = rng.permutation(len(x))[:BATCH]
    xb = x[idx]
    n = np.float32(1 / len(xb))
    # the forward pass's intermediates, as model.forward computes them
    a0 = xb @ W["encoder.0.W"] + W["encoder.0.b"]
    m0 = a0 > 0
    h = a0 * m0
    mu_pre, lv_pre = h @ W["encoder.mu.W"], h @ W["encoder.logvar.W"]
    mu, logvar = mu_pre + W["encoder.mu.b"], lv_pre + W["encoder.logvar.b"]
    z = mu + np.exp(0.5 * logvar) * rng.standard_normal(mu.shape, dtype=np.float32)
    a1 = z @ W["decoder.0.W"] + W["decoder.0.b"]
    m1 = a1 > 0
    hd = a1 * m1
    logits = hd @ W["decoder.out.W"] + W["decoder.out.b"]
    e = np.exp(logits)  # the fused loss (fast.loss.bernoulli_nll_fused)
    sp = np.log1p(e)
    one_plus_e = e + 1
    prob = e / one_plus_e
    dlogits = n * (prob - xb)
    dhd = (dlogits @ W["decoder.out.W"].T) * m1
    dz = dhd @ W["decoder.0.W"].T
    dh_mu, dh_lv = dz @ W["encoder.mu.W"].T, dz @ W["encoder.logvar.W"].T
    dh = dh_mu + dh_lv
    reparam = Reparameterize()
    small_rng = np.random.default_rng(0)

    def small_ops():  # every (N, latent) operation of a step, by the library's own functions
        mu_ = mu_pre + W["encoder.mu.b"]  # (the heads' products are rows of their own)
        lv_ = lv_pre + W["encoder.logvar.b"]
        eps = small_rng.standard_normal(mu_.shape, dtype=np.float32)
        reparam.forward(mu_, lv_, eps)  # Eq. (2)
        kl, dkl = kl_std_normal(mu_, lv_)  # Eq. (5), (8)
        float(np.mean(kl + kl))  # Eq. (6)
        dmu, dlv = reparam.backward(dz)  # Eq. (7)
        dmu += n * dkl["mu"]
        dlv += n * dkl["logvar"]
        np.sum(dmu, axis=0, out=g["encoder.mu.b"])
        np.sum(dlv, axis=0, out=g["encoder.logvar.b"])

    # Adam runs over the flat buffer piece by piece (fast.flat.pieces), the five arrays of a
    # piece in the cache: each pass is timed on one piece, times the number of pieces
    w, grads = model.params.flat[:PIECE].copy(), model.grads.flat[:PIECE].copy()
    m, v = grads * 0.1, grads * grads * 0.001  # Adam's moments, of their usual size
    tmp, denom = np.empty_like(w), np.sqrt(v) + 1e-8
    n_pieces, size = model.params.flat.size / len(w), model.params.flat.size

    def adam(what: str, fn: Callable[[], object]) -> Pass:
        return Pass("Adam", what, "optim.Adam.update_folded", f"({size:,})", fn, n_pieces,
                    f"{len(w):,} values x {n_pieces:.2f} pieces")

    in_place = {name: a.copy() for name, a in [("a0", a0), ("a1", a1), ("logits", logits),
                                                 ("prob", prob), ("dh", dh)]}
    d, hid = f"({BATCH},{x.shape[1]})", f"({BATCH},{h.shape[1]})"
    return [
        Pass("batch", "x[order[i:j]]", "datasets.batches", d, lambda: x[idx]),
        Pass("product", "x @ W (encoder.0)", "layers.Dense.forward", shape(xb, W["encoder.0.W"]),
             lambda: xb @ W["encoder.0.W"]),
        Pass("forward", "y += b (encoder.0)", "layers.Dense.forward", hid,
             lambda: np.add(in_place["a0"], W["encoder.0.b"], out=in_place["a0"])),
        Pass("forward", "mask = x > 0 (encoder)", "layers.ReLU.forward", hid, lambda: a0 > 0),
        Pass("forward", "x * mask (encoder)", "layers.ReLU.forward", hid, lambda: a0 * m0),
        Pass("product", "h @ W_mu", "layers.Dense.forward", shape(h, W["encoder.mu.W"]), lambda: h @ W["encoder.mu.W"]),
        Pass("product", "h @ W_logvar", "layers.Dense.forward", shape(h, W["encoder.logvar.W"]),
             lambda: h @ W["encoder.logvar.W"]),
        Pass("small", "the (128, 20) work: head biases, eps, Eq. (2), (5)-(8), bias grads",
             "reparam, losses.kl_std_normal", "(128,20)", small_ops),
        Pass("product", "z @ W (decoder.0)", "layers.Dense.forward", shape(z, W["decoder.0.W"]),
             lambda: z @ W["decoder.0.W"]),
        Pass("forward", "y += b (decoder.0)", "layers.Dense.forward", hid,
             lambda: np.add(in_place["a1"], W["decoder.0.b"], out=in_place["a1"])),
        Pass("forward", "mask = x > 0 (decoder)", "layers.ReLU.forward", hid, lambda: a1 > 0),
        Pass("forward", "x * mask (decoder)", "layers.ReLU.forward", hid, lambda: a1 * m1),
        Pass("product", "h @ W_out", "layers.Dense.forward", shape(hd, W["decoder.out.W"]),
             lambda: hd @ W["decoder.out.W"]),
        Pass("forward", "y += b (decoder.out)", "layers.Dense.forward", d,
             lambda: np.add(in_place["logits"], W["decoder.out.b"], out=in_place["logits"])),
        Pass("loss", "e = np.exp(l)", "fast.loss.bernoulli_nll_fused", d, lambda: np.exp(logits)),
        Pass("loss", "np.log1p(e)", "fast.loss.bernoulli_nll_fused", d, lambda: np.log1p(e)),
        Pass("loss", "einsum('nd->n'): sum over pixels", "fast.loss.bernoulli_nll_fused", d,
             lambda: np.einsum("nd->n", sp)),
        Pass("loss", "np.vecdot(l, x)", "fast.loss.bernoulli_nll_fused", d, lambda: np.vecdot(logits, xb)),
        Pass("loss", "e + 1", "fast.loss.bernoulli_nll_fused", d, lambda: e + 1),
        Pass("loss", "p = e / (1 + e)", "fast.loss.bernoulli_nll_fused", d,
             lambda: np.divide(e, one_plus_e, out=in_place["prob"])),
        Pass("loss", "p - x (Eq. 9)", "fast.loss.bernoulli_nll_fused", d,
             lambda: np.subtract(prob, xb, out=in_place["prob"])),
        Pass("backward", "dlogits / N", "model.VAE.backward", d, lambda: n * dlogits),
        Pass("product", "h.T @ dlogits (dW_out)", "layers.Dense.backward", shape(hd.T, dlogits),
             lambda: np.matmul(hd.T, dlogits, out=g["decoder.out.W"])),
        Pass("backward", "np.sum(dout, axis=0) (db_out)", "layers.Dense.backward", d,
             lambda: np.sum(dlogits, axis=0, out=g["decoder.out.b"])),
        Pass("product", "dlogits @ W_out.T", "layers.Dense.backward", shape(dlogits, W["decoder.out.W"].T),
             lambda: dlogits @ W["decoder.out.W"].T),
        Pass("backward", "dout * mask (decoder)", "layers.ReLU.backward", hid, lambda: dhd * m1),
        Pass("product", "z.T @ dh (dW decoder.0)", "layers.Dense.backward", shape(z.T, dhd),
             lambda: np.matmul(z.T, dhd, out=g["decoder.0.W"])),
        Pass("backward", "np.sum(dout, axis=0) (db decoder.0)", "layers.Dense.backward", hid,
             lambda: np.sum(dhd, axis=0, out=g["decoder.0.b"])),
        Pass("product", "dh @ W.T (decoder.0)", "layers.Dense.backward", shape(dhd, W["decoder.0.W"].T),
             lambda: dhd @ W["decoder.0.W"].T),
        Pass("product", "h.T @ dmu (dW_mu)", "layers.Dense.backward", shape(h.T, dz),
             lambda: np.matmul(h.T, dz, out=g["encoder.mu.W"])),
        Pass("product", "dmu @ W_mu.T", "layers.Dense.backward", shape(dz, W["encoder.mu.W"].T),
             lambda: dz @ W["encoder.mu.W"].T),
        Pass("product", "h.T @ dlogvar (dW_logvar)", "layers.Dense.backward", shape(h.T, dz),
             lambda: np.matmul(h.T, dz, out=g["encoder.logvar.W"])),
        Pass("product", "dlogvar @ W_logvar.T", "layers.Dense.backward", shape(dz, W["encoder.logvar.W"].T),
             lambda: dz @ W["encoder.logvar.W"].T),
        Pass("backward", "dh += (the two heads)", "model.VAE.backward", hid,
             lambda: np.add(in_place["dh"], dh_lv, out=in_place["dh"])),
        Pass("backward", "dout * mask (encoder)", "layers.ReLU.backward", hid, lambda: dh * m0),
        Pass("product", "x.T @ dh (dW encoder.0)", "layers.Dense.backward", shape(xb.T, dh),
             lambda: np.matmul(xb.T, dh, out=g["encoder.0.W"])),
        Pass("backward", "np.sum(dout, axis=0) (db encoder.0)", "layers.Dense.backward", hid,
             lambda: np.sum(dh, axis=0, out=g["encoder.0.b"])),
        adam("tmp = g (1 - b1)", lambda: np.multiply(grads, 0.1, out=tmp)),
        adam("m *= b1", lambda: np.multiply(m, 1, out=m)),
        adam("m += tmp", lambda: np.add(m, tmp, out=m)),
        adam("tmp = g g", lambda: np.multiply(grads, grads, out=tmp)),
        adam("tmp *= 1 - b2", lambda: np.multiply(tmp, 1, out=tmp)),
        adam("v *= b2", lambda: np.multiply(v, 1, out=v)),
        adam("v += tmp", lambda: np.add(v, tmp, out=v)),
        adam("tmp = sqrt(v)", lambda: np.sqrt(v, out=tmp)),
        adam("tmp += eps_t", lambda: np.add(tmp, 1e-8, out=tmp)),
        adam("tmp = m / tmp", lambda: np.divide(m, denom, out=tmp)),
        adam("tmp *= lr_t", lambda: np.multiply(tmp, 1, out=tmp)),
        adam("w -= tmp", lambda: np.subtract(w, tmp, out=w)),
    ]


def iw_passes(model, x: np.ndarray, k: int, rng: np.random.Generator) -> tuple[list[Pass], int]:
    """The passes of one block of Eq. (11) (``elbo.iw_log_weight_chunks`` with the decoder
    and the softplus sums of fast/), with the encoder's share of it; returns them and the
    number of blocks for ``x``."""
    images, chunk, encode_rows = iw_blocks(len(x), k)
    blocks = sum(math.ceil(min(encode_rows, len(x) - f) / images) * math.ceil(k / chunk)
                 for f in range(0, len(x), encode_rows))
    share = min(blocks, math.ceil(min(encode_rows, len(x)) / images) * math.ceil(k / chunk))
    xe = x[:encode_rows]
    mu_e, logvar_e = model.encode(xe)
    xb, mu, logvar = xe[:images], mu_e[:images], logvar_e[:images]
    sigma = np.exp(0.5 * logvar)
    g, latent = mu.shape
    rows = g * chunk
    decode = ManyRowsDecoder(model, rows)
    eps = rng.standard_normal((g, chunk, latent), dtype=np.float32)
    se = sigma[:, None, :] * eps
    z = mu[:, None, :] + se
    logits = decode(z.reshape(rows, latent)).reshape(g, chunk, -1)
    zin, hin = decode.inputs
    w1, w2 = decode.weights
    xr = xb[:, None, :]
    with np.errstate(over="ignore"):
        e = np.exp(logits)
    log1p_out = np.empty_like(e)
    np.log1p(e, out=log1p_out)
    sums = np.asarray(np.einsum("...d->...", log1p_out))
    dots = np.vecdot(logits, xr)
    zz, ee = np.einsum("gcl,gcl->gc", z, z), np.einsum("gcl,gcl->gc", eps, eps)
    const = 0.5 * latent * math.log(2 * math.pi)

    def exp_logits():
        with np.errstate(over="ignore"):
            return np.exp(logits)

    def small():  # the (G, C) work: overflow test, Eq. (11)'s terms, the running logsumexp
        np.isposinf(sums).any()
        nll = sums - dots
        log_pz = -0.5 * zz - const
        log_qz = -0.5 * (ee + logvar.sum(axis=1)[:, None]) - const
        a = np.asarray(-nll + log_pz - log_qz, dtype=np.float64)
        top = a.max(axis=1)
        np.exp(a - top[:, None]).sum(axis=1)

    big, zs = f"({g},{chunk},{logits.shape[-1]})", f"({g},{chunk},{latent})"
    return [
        Pass("encoder", f"model.encode({min(encode_rows, len(x))} images): checks, products, ReLU",
             "model.VAE.encode", str(xe.shape).replace(" ", ""), lambda: model.encode(xe), 1 / share,
             f"1/{share} of one call"),
        Pass("sample", "eps ~ N(0, I)", "fast.iw_log_weight_chunks", zs,
             lambda: rng.standard_normal((g, chunk, latent), dtype=np.float32)),
        Pass("sample", "sigma * eps", "fast.iw_log_weight_chunks", zs, lambda: sigma[:, None, :] * eps),
        Pass("sample", "mu + sigma eps (Eq. 2)", "fast.iw_log_weight_chunks", zs, lambda: mu[:, None, :] + se),
        Pass("decoder", "[z, 1] <- z", "fast.ManyRowsDecoder", f"({rows},{latent})",
             lambda: zin.__setitem__((slice(None), slice(None, -1)), z.reshape(rows, latent))),
        Pass("product", "[z, 1] @ [[W], [b]]", "fast.ManyRowsDecoder", shape(zin, w1),
             lambda: np.matmul(zin, w1, out=hin[:, :-1])),
        Pass("decoder", "ReLU in place", "fast.ManyRowsDecoder", str(hin.shape).replace(" ", ""),
             lambda: decode.act(hin)),
        Pass("decoder", "the column of ones again", "fast.ManyRowsDecoder", f"({rows},1)",
             lambda: hin.__setitem__((slice(None), -1), 1)),
        Pass("product", "[h, 1] @ [[W_out], [b_out]]", "fast.ManyRowsDecoder", shape(hin, w2),
             lambda: np.matmul(hin, w2, out=decode.logits)),
        Pass("loss", "np.exp(l)", "fast.sum_softplus", big, exp_logits),
        Pass("loss", "np.log1p(e, out=e)", "fast.sum_softplus", big, lambda: np.log1p(e, out=log1p_out)),
        Pass("loss", "einsum('...d->...'): sum over pixels", "fast.sum_softplus", big,
             lambda: np.einsum("...d->...", log1p_out)),
        Pass("loss", "np.vecdot(l, x)", "fast.bernoulli_nll_rows", big, lambda: np.vecdot(logits, xr)),
        Pass("prior", "einsum z . z (log p(z))", "fast.iw_log_weight_chunks", zs,
             lambda: np.einsum("gcl,gcl->gc", z, z)),
        Pass("prior", "einsum eps . eps (log q(z|x))", "fast.iw_log_weight_chunks", zs,
             lambda: np.einsum("gcl,gcl->gc", eps, eps)),
        Pass("small", "(G, C) terms of Eq. (11), running logsumexp", "fast.running_logsumexp", f"({g},{chunk})", small),
    ], blocks
