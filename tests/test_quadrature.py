"""log p(x) by quadrature (numpyvae/quadrature.py), against a closed form and against Eq. (6) and (11)."""

import math

import numpy as np
import pytest

from numpyvae import VAE, VAEConfig
from numpyvae.datasets import make_glyph_digits
from numpyvae.elbo import neg_elbo
from numpyvae.fast.iw import log_likelihood_iw_blocked
from numpyvae.quadrature import latent_grid, log_likelihood_grid
from numpyvae.train import TrainSettings, fit


def linear_gaussian_vae(latent: int, dims: int = 5, seed: int = 0, shift: float = 0.0,
                        widen: float = 1.0) -> tuple[VAE, np.ndarray, np.ndarray]:
    """x = z W + b + noise, z ~ N(0, I), noise ~ N(0, I): log p(x) = log N(x; b, W^T W + I).

    The encoder is set to the exact posterior's mean and marginal variances, then moved
    by ``shift`` posterior standard deviations and widened by ``widen``: the grid must
    not depend on q being right.
    """
    model = VAE(VAEConfig(input_dim=dims, hidden_dims=(), latent_dim=latent,
                          likelihood="gaussian", dtype="float64", seed=seed))
    rng = np.random.default_rng(seed)
    W, b = rng.normal(size=(latent, dims)), rng.normal(size=dims)
    model.out.params["W"], model.out.params["b"] = W, b
    cov_post = np.linalg.inv(np.eye(latent) + W @ W.T)  # (L, L)
    sd = np.sqrt(np.diag(cov_post))
    model.heads["mu"].params["W"] = W.T @ cov_post  # mu = (x - b) W^T Sigma
    model.heads["mu"].params["b"] = -b @ W.T @ cov_post + shift * sd
    model.heads["logvar"].params["W"] = np.zeros((dims, latent))
    model.heads["logvar"].params["b"] = np.log((widen * sd) ** 2)
    return model, W, b


def log_normal(x: np.ndarray, mean: np.ndarray, cov: np.ndarray) -> np.ndarray:
    d = x - mean
    _, logdet = np.linalg.slogdet(cov)
    return -0.5 * (np.sum(d @ np.linalg.inv(cov) * d, axis=1) + logdet + len(mean) * math.log(2 * math.pi))


@pytest.mark.parametrize("latent", [1, 2])
@pytest.mark.parametrize("shift,widen", [(0.0, 1.0), (1.0, 1.5), (-1.5, 0.7)])
def test_quadrature_equals_the_closed_form_log_likelihood(latent, shift, widen):
    model, W, b = linear_gaussian_vae(latent, shift=shift, widen=widen)
    x = np.random.default_rng(1).normal(size=(6, 5)) * 2
    expected = log_normal(x, b, W.T @ W + np.eye(5))
    np.testing.assert_allclose(log_likelihood_grid(model, x), expected, rtol=0, atol=1e-6)
    assert {g.laid_on for g in latent_grid(model, x)} == {"q(z|x)"}  # q near p: its grid is kept


@pytest.mark.parametrize("latent", [1, 2])
@pytest.mark.parametrize("shift,widen", [(25.0, 0.02), (-40.0, 0.01), (3.0, 60.0), (0.0, 0.001)])
def test_quadrature_is_exact_where_the_encoder_misses_the_posterior(latent, shift, widen):
    """q far off and sharp, or far too wide, or a needle at the right place (a grid laid
    on such a q misses log p(x) by 2 to 2000 nats): the grid is laid on p(z|x) instead."""
    model, W, b = linear_gaussian_vae(latent, shift=shift, widen=widen)
    x = np.random.default_rng(1).normal(size=(6, 5)) * 2
    expected = log_normal(x, b, W.T @ W + np.eye(5))
    grids = latent_grid(model, x)
    np.testing.assert_allclose([g.log_px for g in grids], expected, rtol=0, atol=1e-6)
    assert {g.laid_on for g in grids} == {"p(z|x)"}
    assert max(g.edge_mass for g in grids) < 1e-7
    # the posterior's moments on the grid are the closed form's
    cov_post = np.linalg.inv(np.eye(latent) + W @ W.T)
    np.testing.assert_allclose(grids[0].mean, (x[0] - b) @ W.T @ cov_post, atol=1e-6)
    np.testing.assert_allclose(grids[0].sd, np.sqrt(np.diag(cov_post)), rtol=1e-6)


def test_the_grid_posterior_is_normalised_and_holds_its_mass():
    model, _, _ = linear_gaussian_vae(2, shift=1.0)
    (grid,) = latent_grid(model, np.ones((1, 5)))
    assert grid.log_joint.shape == (41, 41)
    assert grid.posterior.sum() * grid.cell == pytest.approx(1.0)
    assert grid.edge_mass < 1e-7


def test_the_grid_needs_a_latent_space_of_one_or_two_dimensions():
    model = VAE(VAEConfig(input_dim=4, hidden_dims=(3,), latent_dim=3))
    with pytest.raises(ValueError, match="latent_dim 1 or 2, got 3"):
        log_likelihood_grid(model, np.zeros((1, 4)))


@pytest.fixture(scope="module")
def trained_2d():
    x, _ = make_glyph_digits(3200, seed=0)
    model = VAE(VAEConfig(hidden_dims=(128,), latent_dim=2, seed=1))
    fit(model, x[:3000], settings=TrainSettings(epochs=3, batch_size=64, seed=1), log=None)
    return model, x[3000:3030]


def test_on_a_trained_2d_model_noise_gets_a_grid_on_its_posterior(trained_2d):
    """Noise, which the encoder never saw: each grid is laid on p(z|x), holds it, and a grid
    twice as fine gives the same log p(x); the digits keep the grids laid on q."""
    model, x = trained_2d
    noise = (np.random.default_rng(0).random((3, x.shape[1])) < 0.5).astype(np.float32)
    grids = latent_grid(model, noise)
    assert {g.laid_on for g in grids} == {"p(z|x)"}
    assert max(g.edge_mass for g in grids) < 1e-7
    finer = log_likelihood_grid(model, noise, points=81)
    np.testing.assert_allclose([g.log_px for g in grids], finer, rtol=0, atol=1e-2)
    assert sum(g.laid_on == "q(z|x)" for g in latent_grid(model, x[:10])) >= 8


def test_on_a_trained_2d_model_quadrature_below_iw_below_elbo(trained_2d):
    """-log p(x) (quadrature) <= -IW_K <= -ELBO on average, and -IW_K falls as K grows."""
    model, x = trained_2d
    nll_grid = -log_likelihood_grid(model, x).mean()
    # each estimate averaged over enough seeds that its noise is well below the steps; Eq. (11)
    # in blocks, equal to elbo.log_likelihood_iw (tests/test_fast.py) and faster for small K
    seeds = {1: 20, 10: 10, 100: 4, 1000: 2}
    neg = {k: np.mean([-log_likelihood_iw_blocked(model, x, k, np.random.default_rng([k, s])).mean()
                       for s in range(n)]) for k, n in seeds.items()}
    elbo = np.mean([neg_elbo(model, x, np.random.default_rng(s)) for s in range(20)])
    assert neg[1] == pytest.approx(elbo, abs=1.0)  # K = 1 is the ELBO
    assert neg[1] > neg[10] > neg[100] > neg[1000]  # the bound tightens as K grows
    assert nll_grid <= neg[1000] + 0.05  # Monte Carlo noise of 30 images, K = 1000
    assert neg[1000] - nll_grid < 1.0  # and K = 1000 is close to log p(x) in 2-D
    assert elbo - nll_grid > 0.1  # the variational gap is there
