"""Reconstruction error (Eq. 4, 9), Gaussian NLL, the closed-form KL (Eq. 5, 8) and the
log-densities of Eq. (11)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from numpyvae.gradcheck import (
    BOUND_SMOOTH,
    numerical_gradient,
    numerical_vjp,
    rel_error,
)
from numpyvae.losses import (
    LOG_2PI,
    bernoulli_nll,
    gaussian_nll,
    kl_std_normal,
    log_normal,
    log_std_normal,
)


def test_bernoulli_nll_backward_matches_numerical():
    rng = np.random.default_rng(0)
    logits, x = rng.normal(size=(3, 5)) * 3, rng.uniform(size=(3, 5))
    _, grads = bernoulli_nll(logits, x)
    numeric = numerical_gradient(lambda: bernoulli_nll(logits, x)[0].sum(), logits)
    assert rel_error(grads["logits"], numeric) < BOUND_SMOOTH


def test_bernoulli_nll_equals_the_cross_entropy_of_eq4():
    rng = np.random.default_rng(1)
    logits, x = rng.normal(size=(4, 6)), rng.uniform(size=(4, 6))
    p = 1 / (1 + np.exp(-logits))
    expected = -np.sum(x * np.log(p) + (1 - x) * np.log(1 - p), axis=1)
    nll, grads = bernoulli_nll(logits, x)
    np.testing.assert_allclose(nll, expected, rtol=1e-12)
    np.testing.assert_allclose(grads["logits"], p - x, rtol=1e-12, atol=1e-15)  # Eq. (9)


def test_gaussian_nll_backward_matches_numerical():
    rng = np.random.default_rng(2)
    mean, x = rng.normal(size=(3, 5)), rng.normal(size=(3, 5))
    nll, grads = gaussian_nll(mean, x, sigma=0.7)
    numeric = numerical_gradient(lambda: gaussian_nll(mean, x, sigma=0.7)[0].sum(), mean)
    assert rel_error(grads["mean"], numeric) < BOUND_SMOOTH
    # the density of N(mean, 0.49) at x, summed over pixels in log space
    log_pdf = -0.5 * ((x - mean) / 0.7) ** 2 - np.log(0.7 * np.sqrt(2 * np.pi))
    np.testing.assert_allclose(nll, -log_pdf.sum(axis=1), rtol=1e-12)


def test_kl_backward_matches_numerical():
    rng = np.random.default_rng(3)
    mu, logvar = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    _, grads = kl_std_normal(mu, logvar)
    dmu, dlogvar = grads["mu"], grads["logvar"]
    dkl = rng.normal(size=4)  # a random upstream gradient on the per-example KL
    assert rel_error(dmu * dkl[:, None], numerical_vjp(lambda: kl_std_normal(mu, logvar)[0], mu, dkl)) < BOUND_SMOOTH
    numeric = numerical_vjp(lambda: kl_std_normal(mu, logvar)[0], logvar, dkl)
    assert rel_error(dlogvar * dkl[:, None], numeric) < BOUND_SMOOTH


def test_kl_matches_the_definition_by_monte_carlo():
    """Eq. (5) is E_q[log q(z) - log p(z)]; check it against samples (catches a wrong 1/2)."""
    rng = np.random.default_rng(4)
    mu, logvar = np.array([[0.7, -1.2]]), np.array([[0.4, -0.9]])
    sigma = np.exp(logvar / 2)
    z = mu + sigma * rng.standard_normal((400_000, 2))
    log_q = -0.5 * (((z - mu) / sigma) ** 2 + logvar + np.log(2 * np.pi))
    log_p = -0.5 * (z**2 + np.log(2 * np.pi))
    mc = np.mean(np.sum(log_q - log_p, axis=1))
    kl, _ = kl_std_normal(mu, logvar)
    assert abs(kl[0] - mc) < 0.01


finite = {"allow_nan": False, "allow_infinity": False}


@settings(max_examples=200, deadline=None)
@given(
    hnp.arrays(np.float64, (3, 4), elements=st.floats(-30, 30, **finite)),
    hnp.arrays(np.float64, (3, 4), elements=st.floats(-30, 30, **finite)),
)
def test_kl_is_never_negative(mu, logvar):
    kl, _ = kl_std_normal(mu, logvar)
    assert np.all(kl >= 0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_kl_is_exactly_zero_at_the_prior(dtype):
    kl, grads = kl_std_normal(np.zeros((2, 5), dtype), np.zeros((2, 5), dtype))
    assert np.all(kl == 0) and np.all(grads["mu"] == 0) and np.all(grads["logvar"] == 0)


@settings(max_examples=100, deadline=None)
@given(
    hnp.arrays(np.float32, (2, 6), elements=st.floats(-1e4, 1e4, width=32, **finite)),
    hnp.arrays(np.float32, (2, 6), elements=st.floats(0, 1, width=32)),
)
def test_losses_and_gradients_stay_finite_for_extreme_logits(logits, x):
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is exact enough
        nll, grads = bernoulli_nll(logits, x)
    dlogits = grads["logits"]
    assert np.all(np.isfinite(nll)) and np.all(np.isfinite(dlogits))
    assert np.all(nll >= -1e-3 * np.abs(logits).sum(axis=1) - 1e-3)  # cross entropy of x with itself >= 0
    assert nll.dtype == dlogits.dtype == np.float32


def test_bernoulli_nll_at_huge_logits_is_exact():
    logits = np.array([[1e4, -1e4, 1e4, -1e4]], dtype=np.float32)
    x = np.array([[1.0, 0.0, 0.0, 1.0]], dtype=np.float32)
    nll, grads = bernoulli_nll(logits, x)
    assert nll[0] == pytest.approx(2e4)  # two confident mistakes cost |l| each
    np.testing.assert_array_equal(grads["logits"], [[0.0, 0.0, 1.0, -1.0]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_losses_keep_the_dtype(dtype):
    rng = np.random.default_rng(5)
    a, b = rng.normal(size=(2, 3)).astype(dtype), rng.uniform(size=(2, 3)).astype(dtype)
    for value, grads in [bernoulli_nll(a, b), gaussian_nll(a, b), kl_std_normal(a, a)]:
        assert value.dtype == dtype and all(g.dtype == dtype for g in grads.values())


def test_losses_leave_their_inputs_unchanged():
    rng = np.random.default_rng(6)
    a, b = rng.normal(size=(2, 3)), rng.uniform(size=(2, 3))
    a0, b0 = a.copy(), b.copy()
    bernoulli_nll(a, b)
    gaussian_nll(a, b)
    _, grads = kl_std_normal(a, b)
    grads["mu"] += 1
    np.testing.assert_array_equal(a, a0)
    np.testing.assert_array_equal(b, b0)


# e^80 fits float32; e^89 overflows float32 but not float64; e^1e4 overflows both, and
# those rows are recomputed in the stable form
@pytest.mark.parametrize("largest", [80.0, 89.0, 1e4])
def test_bernoulli_nll_sums_softplus_right_whether_or_not_exp_overflows(largest):
    rng = np.random.default_rng(7)
    logits = rng.normal(size=(5, 30)) * 20
    logits[2, 3] = largest
    x = rng.uniform(size=(5, 30))
    expected = np.sum(np.logaddexp(0, logits) - x * logits, axis=1)  # softplus(l) - x l
    np.testing.assert_allclose(bernoulli_nll(logits, x, need_grad=False)[0], expected, rtol=1e-12)
    nll32 = bernoulli_nll(logits.astype(np.float32), x.astype(np.float32), need_grad=False)[0]
    np.testing.assert_allclose(nll32, expected, rtol=1e-5)


def test_bernoulli_nll_of_several_samples_per_image():
    """x (G, 1, D) against logits (G, C, D): C samples of each of G images (Eq. 11)."""
    rng = np.random.default_rng(8)
    logits, x = rng.normal(size=(3, 4, 7)) * 3, rng.uniform(size=(3, 1, 7))
    nll, _ = bernoulli_nll(logits, x, need_grad=False)
    expected = [bernoulli_nll(logits[g], np.repeat(x[g], 4, axis=0))[0] for g in range(3)]
    np.testing.assert_allclose(nll, expected, rtol=1e-12)


@pytest.mark.parametrize("loss, args, names", [
    (bernoulli_nll, ("logits", "x"), ["logits"]),
    (gaussian_nll, ("mean", "x"), ["mean"]),
    (kl_std_normal, ("mu", "logvar"), ["mu", "logvar"]),
])
def test_every_loss_returns_its_value_and_grads_keyed_by_its_inputs(loss, args, names):
    """One convention: (value (N,), {input name: gradient of value.sum()}), or (value, None)
    without need_grad, with the same value."""
    rng = np.random.default_rng(9)
    arrays = {"logits": rng.normal(size=(3, 4)), "mean": rng.normal(size=(3, 4)),
              "x": rng.uniform(size=(3, 4)), "mu": rng.normal(size=(3, 4)),
              "logvar": rng.normal(size=(3, 4))}
    value, grads = loss(*(arrays[a] for a in args))
    assert value.shape == (3,) and sorted(grads) == sorted(names)
    for name in names:
        numeric = numerical_gradient(lambda: loss(*(arrays[a] for a in args))[0].sum(),
                                     arrays[name])
        assert grads[name].shape == arrays[name].shape
        assert rel_error(grads[name], numeric) < BOUND_SMOOTH
    alone, none = loss(*(arrays[a] for a in args), need_grad=False)
    assert none is None and np.array_equal(alone, value)


def test_the_log_densities_of_eq11_are_normalised_gaussians():
    """log N(z; mu, sigma^2) integrates to 1 (a 1-D grid), peaks at -1/2 (logvar + log 2 pi)
    at z = mu, and with mu = 0, logvar = 0 is log N(z; 0, I)."""
    z = np.linspace(-12, 12, 24001)[:, None]  # (P, 1)
    mu, logvar = np.array([[0.7]]), np.array([[np.log(2.25)]])  # sigma = 1.5
    density = np.exp(log_normal(z, mu, logvar))
    assert density.sum() * (z[1, 0] - z[0, 0]) == pytest.approx(1.0, abs=1e-9)
    assert log_normal(mu, mu, logvar)[0] == pytest.approx(-0.5 * (np.log(2.25) + LOG_2PI))
    rng = np.random.default_rng(0)
    z3 = rng.normal(size=(5, 4, 3))
    np.testing.assert_allclose(log_normal(z3, np.zeros(3), np.zeros(3)), log_std_normal(z3),
                               rtol=1e-15)
    np.testing.assert_allclose(log_std_normal(z3), -0.5 * (z3**2).sum(-1) - 1.5 * np.log(2 * np.pi),
                               rtol=1e-15)
