"""The reparameterization trick, Eq. (2) and Eq. (7)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from numpyvae.gradcheck import BOUND_SMOOTH, numerical_vjp, rel_error
from numpyvae.reparam import Reparameterize


def setup(seed=0, shape=(4, 3)):
    rng = np.random.default_rng(seed)
    return rng.normal(size=shape), rng.normal(size=shape) * 0.5, rng.normal(size=shape), rng.normal(size=shape)


def test_reparam_backward_through_mu_matches_numerical():
    mu, logvar, eps, dz = setup(0)
    r = Reparameterize()
    r.forward(mu, logvar, eps)
    dmu, _ = r.backward(dz)
    assert rel_error(dmu, numerical_vjp(lambda: r.forward(mu, logvar, eps), mu, dz)) < BOUND_SMOOTH


def test_reparam_backward_through_logvar_matches_numerical():
    mu, logvar, eps, dz = setup(1)
    r = Reparameterize()
    r.forward(mu, logvar, eps)
    _, dlogvar = r.backward(dz)
    numeric = numerical_vjp(lambda: r.forward(mu, logvar, eps), logvar, dz)
    assert rel_error(dlogvar, numeric) < BOUND_SMOOTH


def test_reparam_uses_sigma_equal_exp_half_logvar():
    r = Reparameterize()
    z = r.forward(np.zeros((1, 1)), np.array([[np.log(4.0)]]), np.ones((1, 1)))
    assert z[0, 0] == 2.0  # sigma^2 = 4 -> sigma = 2, not 4


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_reparam_is_deterministic_given_eps(seed):
    mu, logvar, eps, _ = setup(seed)
    a = Reparameterize().forward(mu, logvar, eps)
    b = Reparameterize().forward(mu.copy(), logvar.copy(), eps.copy())
    np.testing.assert_array_equal(a, b)


@settings(max_examples=20, deadline=None)
@given(
    st.floats(-3, 3),
    st.floats(-3, 2),
    st.integers(0, 2**31 - 1),
)
def test_reparam_samples_have_mean_mu_and_variance_sigma_squared(mu0, logvar0, seed):
    n = 200_000
    rng = np.random.default_rng(seed)
    mu, logvar = np.full((n, 1), mu0), np.full((n, 1), logvar0)
    z = Reparameterize().forward(mu, logvar, rng.standard_normal((n, 1)))
    sigma2 = np.exp(logvar0)
    # 6 standard errors: the mean's is sigma / sqrt(n), the variance's ~ sigma^2 sqrt(2 / n)
    assert abs(z.mean() - mu0) < 6 * np.sqrt(sigma2 / n)
    assert abs(z.var() - sigma2) < 6 * sigma2 * np.sqrt(2 / n)


def test_reparam_backward_leaves_dz_unchanged_and_keeps_float32():
    mu, logvar, eps, dz = (a.astype(np.float32) for a in setup(2))
    r = Reparameterize()
    z = r.forward(mu, logvar, eps)
    dz0 = dz.copy()
    dmu, dlogvar = r.backward(dz)
    np.testing.assert_array_equal(dz, dz0)
    assert z.dtype == dmu.dtype == dlogvar.dtype == np.float32
    dmu += 1  # the gradient it returns is its own array
    np.testing.assert_array_equal(dz, dz0)
