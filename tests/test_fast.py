"""Each piece of numpyvae/fast/ equals the plain form it stands in for."""

import math
import tracemalloc

import numpy as np
import pytest

from numpyvae import VAE, Adam, VAEConfig
from numpyvae.elbo import log_likelihood_iw
from numpyvae.fast.flat import FLUSH_EVERY, PIECE, FlatParams, flush_subnormals, pieces
from numpyvae.fast.iw import (
    ManyRowsDecoder,
    bernoulli_nll_rows,
    iw_blocks,
    log_likelihood_iw_blocked,
    sum_softplus,
)
from numpyvae.fast.loss import bernoulli_nll_fused
from numpyvae.losses import bernoulli_nll, softplus

# ---- the flat parameter buffer ------------------------------------------------------


def test_a_layers_arrays_are_views_of_the_models_flat_buffer():
    model = VAE(VAEConfig(input_dim=6, hidden_dims=(5,), latent_dim=2))
    W = model.encoder.dense[0].params["W"]
    assert np.shares_memory(W, model.params.flat)
    assert W is model.params["encoder.0.W"]


def test_rebinding_a_layers_array_updates_the_model():
    """``layer.params["W"] = a`` copies into the buffer: the model and Adam see it."""
    model = VAE(VAEConfig(input_dim=6, hidden_dims=(5,), latent_dim=2))
    layer = model.encoder.dense[0]
    new = np.full(layer.params["W"].shape, 0.25, dtype=np.float32)
    layer.params["W"] = new
    np.testing.assert_array_equal(model.params["encoder.0.W"], new)
    assert np.shares_memory(layer.params["W"], model.params.flat)
    layer.grads["b"] = np.ones(5, np.float32)
    np.testing.assert_array_equal(model.grads["encoder.0.b"], 1.0)


def test_rebinding_with_a_wrong_shape_or_name_is_a_clear_error():
    model = VAE(VAEConfig(input_dim=6, hidden_dims=(5,), latent_dim=2))
    layer = model.encoder.dense[0]
    with pytest.raises(ValueError, match=r"W: expected shape \(6, 5\), got \(5, 6\)"):
        layer.params["W"] = np.zeros((5, 6), np.float32)
    with pytest.raises(KeyError, match="unknown parameter 'w'"):
        layer.params["w"] = np.zeros((6, 5), np.float32)


@pytest.mark.parametrize("dtype,rtol", [(np.float64, 1e-13), (np.float32, 1e-5)])
def test_folded_adam_on_the_flat_buffer_equals_eq10_as_written(dtype, rtol):
    """Eq. (10), folded (the whole buffer, piece by piece) against Eq. (10) as written,
    name by name, on two parameters of different shapes over several steps."""
    rng = np.random.default_rng(1)
    shapes = {"W": (600, 500), "b": (500,)}
    assert PIECE < 600 * 501 // 2 < 2 * PIECE  # each half: two pieces, the second one short
    flat_p, flat_g = FlatParams(shapes, dtype), FlatParams(shapes, dtype)
    plain_p = {k: np.zeros(s, dtype) for k, s in shapes.items()}
    for k, shape in shapes.items():
        flat_p[k] = plain_p[k] = rng.normal(size=shape).astype(dtype)
    folded, literal = Adam(flat_p, lr=0.01), Adam(plain_p, lr=0.01, folded=False)
    for _ in range(5):
        g = {k: rng.normal(size=s).astype(dtype) for k, s in shapes.items()}
        for k in shapes:
            flat_g[k] = g[k]
        folded.step(flat_g)
        literal.step(g)
    for k in shapes:
        assert flat_p[k].dtype == plain_p[k].dtype == dtype
        np.testing.assert_allclose(flat_p[k], plain_p[k], rtol=rtol, atol=rtol)
        np.testing.assert_allclose(folded.m[k], literal.m[k], rtol=rtol, atol=rtol)
        np.testing.assert_allclose(folded.v[k], literal.v[k], rtol=rtol, atol=rtol)


def test_flush_subnormals_clears_exactly_the_subnormal_values():
    tiny = np.finfo(np.float32).tiny
    a = np.array([0.0, tiny, tiny / 2, -tiny / 8, 1.4e-45, -1.0, 3e-30, np.inf, -np.inf],
                 np.float32)
    flush_subnormals(a)
    np.testing.assert_array_equal(
        a, np.array([0.0, tiny, 0.0, 0.0, 0.0, -1.0, 3e-30, np.inf, -np.inf], np.float32))


def test_adam_with_moments_flushed_moves_the_weights_as_eq10_as_written():
    """Weights whose gradient stops: their m shrinks by b1 each step into the subnormal range
    and stays there as written; the fast path clears it every FLUSH_EVERY steps, and the
    weights still follow Eq. (10) as written to float32 rounding."""
    rng = np.random.default_rng(3)
    shapes = {"W": (50, 40), "b": (40,)}
    flat_p, flat_g = FlatParams(shapes, np.float32), FlatParams(shapes, np.float32)
    plain_p = {k: np.zeros(s, np.float32) for k, s in shapes.items()}
    for k, shape in shapes.items():
        flat_p[k] = plain_p[k] = rng.normal(size=shape).astype(np.float32)
    folded, literal = Adam(flat_p, lr=0.01), Adam(plain_p, lr=0.01, folded=False)
    steps = 3 * FLUSH_EVERY
    for t in range(steps):
        g = {k: rng.normal(size=s).astype(np.float32) for k, s in shapes.items()}
        g["W"][:25] *= 1e-30 if t < 20 else 0  # then no gradient: m decays by b1 a step
        for k in shapes:
            flat_g[k] = g[k]
        folded.step(flat_g)
        literal.step(g)
    tiny = np.finfo(np.float32).tiny
    subnormal = (literal.m["W"] != 0) & (np.abs(literal.m["W"]) < tiny)
    assert subnormal[:25].mean() > 0.9  # as written: stuck in the subnormal range
    assert not np.any((folded.m.flat != 0) & (np.abs(folded.m.flat) < tiny))  # flushed
    for k in shapes:
        np.testing.assert_allclose(flat_p[k], plain_p[k], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("n, size", [(10, 3), (9, 3), (1, 5), (0, 4), (PIECE + 1, PIECE)])
def test_the_pieces_cover_the_buffer_once_in_order(n, size):
    covered = [i for p in pieces(n, size) for i in range(n)[p]]
    assert covered == list(range(n))
    assert all(0 < p.stop - p.start <= size for p in pieces(n, size))


def test_adam_folded_false_never_takes_the_flat_path():
    params = FlatParams({"w": (3,)}, np.float64)
    grads = FlatParams.like(params)
    opt = Adam(params, lr=0.1, folded=False)
    grads["w"][:] = [1.0, -2.0, 3.0]
    opt.step(grads)
    assert opt._tmp is None  # no scratch buffer: Eq. (10) as written, name by name
    np.testing.assert_allclose(params["w"], [-0.1, 0.1, -0.1], rtol=1e-6)



# ---- Eq. (4) and (9) from one exp, for training ---------------------------------------------


@pytest.mark.parametrize("dtype,rtol,atol", [(np.float64, 1e-12, 1e-15), (np.float32, 2e-6, 2e-7)])
@pytest.mark.parametrize("scale", [0.1, 3.0, 30.0])
def test_the_fused_loss_equals_bernoulli_nll(dtype, rtol, atol, scale):
    rng = np.random.default_rng(5)
    logits = (rng.normal(size=(16, 784)) * scale).astype(dtype)
    x = rng.uniform(size=(16, 784)).astype(dtype)
    x[:4] = x[:4] > 0.5  # black and white rows too
    nll, grads = bernoulli_nll_fused(logits, x)
    plain_nll, plain = bernoulli_nll(logits, x)
    assert grads.keys() == plain.keys() == {"logits"}
    dlogits, plain_d = grads["logits"], plain["logits"]
    assert nll.dtype == dlogits.dtype == dtype
    np.testing.assert_allclose(nll, plain_nll, rtol=rtol)
    np.testing.assert_allclose(dlogits, plain_d, rtol=rtol, atol=atol)


def test_the_fused_loss_refuses_to_broadcast():
    """x of another shape than the logits (one image against K samples of it) is the plain
    form's business: the fused form says so instead of broadcasting."""
    rng = np.random.default_rng(6)
    logits, x = rng.normal(size=(5, 30)) * 4, rng.uniform(size=30)
    with pytest.raises(ValueError, match=r"losses.bernoulli_nll"):
        bernoulli_nll_fused(logits, x)


def test_a_training_step_takes_its_loss_from_the_fused_form(monkeypatch):
    import numpyvae.model

    calls = []
    monkeypatch.setattr(numpyvae.model, "bernoulli_nll_fused",
                        lambda logits, x: calls.append(logits.shape) or bernoulli_nll(logits, x))
    model = VAE(VAEConfig(input_dim=6, hidden_dims=(5,), latent_dim=2))
    model.forward(np.random.default_rng(0).uniform(size=(4, 6)))
    assert calls == [(4, 6)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_fused_loss_is_exact_where_exp_overflows(dtype):
    """Logits whose e^l overflows give the plain form's values, and no warning."""
    big = 1e4 if dtype == np.float32 else 1e6
    logits = np.array([[big, 3.0, -big, 0.5], [100.0, -100.0, 2.0, 1e3], [1.0, -2.0, 0.0, 4.0],
                       [89.0, 88.0, 710.0, 709.0]], dtype)  # at float32's and float64's edge
    x = np.array([[1.0, 0.0, 0.0, 0.3], [0.0, 0.0, 1.0, 0.0], [0.2, 0.4, 0.6, 0.8],
                  [0.5, 1.0, 0.0, 0.7]], dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        nll, grads = bernoulli_nll_fused(logits, x)
    plain_nll, plain = bernoulli_nll(logits, x)
    dlogits, plain_d = grads["logits"], plain["logits"]
    assert np.all(np.isfinite(nll)) and np.all(np.isfinite(dlogits))
    np.testing.assert_allclose(nll, plain_nll, rtol=1e-6)
    np.testing.assert_allclose(dlogits, plain_d, rtol=1e-6, atol=1e-7)


# ---- the softplus sums of Eq. (4), for Eq. (11) ------------------------------------------


@pytest.mark.parametrize("scale", [1.0, 20.0, 200.0])
def test_sum_softplus_equals_the_plain_softplus_summed(scale):
    logits = (np.random.default_rng(3).normal(size=(4, 6, 784)) * scale).astype(np.float32)
    np.testing.assert_allclose(sum_softplus(logits), softplus(logits).sum(-1), rtol=2e-6)


@pytest.mark.parametrize(
    "logits",
    [[-1e6] * 783 + [100.0],  # far below zero, beside one that overflows e^l in float32
     [-np.inf, 1e4, 3.0],  # -inf beside an overflow
     [1000.0, 2.0]],  # one image as a 1-D array
)
def test_softplus_sums_stay_exact_where_exp_overflows(logits):
    logits = np.array(logits, dtype=np.float32)
    expected = np.sum(np.logaddexp(0, logits.astype(np.float64)))
    assert sum_softplus(logits) == pytest.approx(expected, rel=1e-6)
    assert sum_softplus(np.stack([logits, logits])[None]).shape == (1, 2)  # leading axes



@pytest.mark.parametrize("dtype,rtol", [(np.float64, 1e-12), (np.float32, 1e-5)])
def test_bernoulli_nll_rows_equals_bernoulli_nll(dtype, rtol):
    """x (G, 1, D) against logits (G, C, D), as Eq. (11) uses it."""
    rng = np.random.default_rng(8)
    logits, x = (rng.normal(size=(3, 4, 50)) * 5).astype(dtype), rng.uniform(size=(3, 1, 50)).astype(dtype)
    got = bernoulli_nll_rows(logits, x)
    assert got.dtype == dtype
    np.testing.assert_allclose(got, bernoulli_nll(logits, x, need_grad=False)[0], rtol=rtol)


# ---- the many-rows decoder of Eq. (3), for Eq. (11) ----------------------------------------


@pytest.mark.parametrize("dtype,tol", [("float64", 1e-12), ("float32", 1e-5)])
@pytest.mark.parametrize(
    "hidden,activation", [((), "relu"), ((6,), "relu"), ((6,), "tanh"), ((6, 5), "relu"), ((6, 5), "tanh")]
)
def test_the_evaluation_decoder_gives_the_models_logits(hidden, activation, dtype, tol):
    """Biases folded into the products, [h, 1] @ [[W], [b]], change nothing."""
    model = VAE(VAEConfig(input_dim=9, hidden_dims=hidden, latent_dim=3, activation=activation,
                          dtype=dtype, seed=3))
    decode = ManyRowsDecoder(model, rows=20)
    for rows in (20, 7):
        z = np.random.default_rng(rows).normal(size=(rows, 3)).astype(dtype)
        np.testing.assert_allclose(decode(z), model.decode_logits(z), rtol=tol, atol=tol)


# ---- Eq. (11) in blocks ------------------------------------------------------------------


def tiny(dtype="float32", likelihood="bernoulli"):
    return VAE(VAEConfig(input_dim=16, hidden_dims=(8,), latent_dim=2, likelihood=likelihood,
                         dtype=dtype, seed=0))


def pixels(n=4, d=16, seed=0):
    return np.random.default_rng(seed).random((n, d), dtype=np.float32)


@pytest.mark.parametrize("dtype,rtol", [("float64", 1e-10), ("float32", 1e-5)])
@pytest.mark.parametrize("likelihood", ["bernoulli", "gaussian"])
@pytest.mark.parametrize("n, k, max_rows", [(5, 300, 64), (50, 10, 64), (7, 1, 4), (3, 40, 2048),
                                            (1030, 2, 2048)])
def test_the_blocked_iw_equals_eq11_as_written(n, k, max_rows, likelihood, dtype, rtol):
    """Blocks of samples (chunk < K), groups of images (chunk = K), several encoder batches
    (N > 1024): the same draws of eps, the same estimate as elbo.log_likelihood_iw."""
    model = tiny(dtype, likelihood)
    x = pixels(n).astype(dtype)
    plain = log_likelihood_iw(model, x, k, np.random.default_rng(4))
    blocked = log_likelihood_iw_blocked(model, x, k, np.random.default_rng(4), max_rows)
    np.testing.assert_allclose(blocked, plain, rtol=rtol)


def reference_iw(model, x, k, rng, max_rows):
    """The blocked form as it was: the (G, K) array of log-weights, then one logsumexp."""
    images, chunk, encode_rows = iw_blocks(len(x), k, max_rows)
    decode = ManyRowsDecoder(model, images * chunk)
    out = np.empty(len(x))
    latent = model.config.latent_dim
    log_2pi = math.log(2 * math.pi)
    for first in range(0, len(x), encode_rows):
        xe = model.as_batch(x[first : first + encode_rows])
        mu_e, logvar_e = model.encode(xe)
        for start in range(0, len(xe), images):
            xb, mu, logvar = (a[start : start + images] for a in (xe, mu_e, logvar_e))
            g = len(mu)
            sigma = np.exp(0.5 * logvar)
            log_w = np.empty((g, k))
            for s in range(0, k, chunk):
                c = min(chunk, k - s)
                eps = rng.standard_normal((g, c, latent), dtype=mu.dtype)
                z = mu[:, None, :] + sigma[:, None, :] * eps
                logits = decode(z.reshape(g * c, latent)).reshape(g, c, -1)
                log_px = -bernoulli_nll_rows(logits, xb[:, None, :])
                log_pz = -0.5 * np.einsum("gcl,gcl->gc", z, z) - 0.5 * latent * log_2pi
                log_qz = (-0.5 * (np.einsum("gcl,gcl->gc", eps, eps) + logvar.sum(axis=1)[:, None])
                          - 0.5 * latent * log_2pi)
                log_w[:, s : s + c] = log_px + log_pz - log_qz
            m = log_w.max(axis=1, keepdims=True)
            out[first + start : first + start + g] = (m[:, 0] + np.log(np.exp(log_w - m).sum(axis=1))
                                                      - math.log(k))
    return out


@pytest.mark.parametrize("n, k, max_rows", [(5, 300, 64), (50, 10, 64), (7, 1, 4), (3, 2048, 2048),
                                            (9, 33, 100)])
def test_iw_equals_the_implementation_with_the_whole_array(n, k, max_rows):
    model = tiny(dtype="float64")
    x = pixels(n).astype(np.float64)
    new = log_likelihood_iw_blocked(model, x, k, np.random.default_rng(4), max_rows)
    old = reference_iw(model, x, k, np.random.default_rng(4), max_rows)
    np.testing.assert_allclose(new, old, rtol=0, atol=1e-12)


def iw_peak_bytes(k):
    model = tiny()
    x = pixels(2)
    log_likelihood_iw_blocked(model, x, 10, np.random.default_rng(0), max_rows=256)  # warm up
    tracemalloc.start()
    try:
        log_likelihood_iw_blocked(model, x, k, np.random.default_rng(0), max_rows=256)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_iw_memory_does_not_grow_with_k():
    small, large = iw_peak_bytes(2_000), iw_peak_bytes(40_000)
    # the (G, K) float64 array and its exp() grew by 16 bytes per sample: 600 kB here
    assert large - small < 50_000, (small, large)
