"""Adam against Eq. (10) computed by hand; SGD; optimizer state."""

import numpy as np
import pytest

from numpyvae import SGD, VAE, Adam, VAEConfig
from numpyvae.fast.flat import FlatParams
from numpyvae.gradcheck import (
    adam_reference as adam_by_hand,  # Eq. (10) by hand, one copy
)


def test_eq10_by_hand_gives_the_numbers_worked_out_on_paper():
    """w = 1, lr = 0.1, eps = 1e-8, g = 0.5 then -0.2. Step 1: m^ = g and v^ = g^2, so w
    moves by lr g / (|g| + eps). Step 2: m = 0.045 - 0.02 = 0.025 and
    v = 0.00024975 + 0.00004 = 0.00028975, corrected by 1 - 0.9^2 = 0.19 and
    1 - 0.999^2 = 0.001999."""
    w1, w2 = adam_by_hand(1.0, [0.5, -0.2], lr=0.1)
    step1 = 1.0 - 0.1 * 0.5 / (0.5 + 1e-8)
    assert w1 == pytest.approx(step1, rel=1e-15)
    assert w2 == pytest.approx(step1 - 0.1 * (0.025 / 0.19) / ((0.00028975 / 0.001999) ** 0.5 + 1e-8),
                               rel=1e-12)


@pytest.mark.parametrize("flat", [False, True])
def test_adam_first_three_steps_equal_eq10_by_hand(flat):
    w0 = [1.0, -2.0, 0.5]
    g_steps = [[0.3, -1.0, 2e-9], [-0.2, 0.5, 1e-3], [0.7, 0.25, -4.0]]
    if flat:
        params = FlatParams({"a": (2,), "b": (1,)}, np.float64)
        grads = FlatParams.like(params)
    else:
        params, grads = {"a": np.zeros(2), "b": np.zeros(1)}, {"a": np.zeros(2), "b": np.zeros(1)}
    params["a"][:] = w0[:2]
    params["b"][:] = w0[2:]
    opt = Adam(params, lr=0.1)
    got = []
    for g in g_steps:
        grads["a"][:] = g[:2]
        grads["b"][:] = g[2:]
        opt.step(grads)
        got.append(np.concatenate([params["a"], params["b"]]).copy())
    for i in range(3):
        expected = adam_by_hand(w0[i], [g[i] for g in g_steps], lr=0.1)
        np.testing.assert_allclose([step[i] for step in got], expected, rtol=1e-13, atol=1e-15)


def test_adam_first_step_moves_every_weight_by_lr():
    """After one step m^ = g and v^ = g^2, so each weight moves by lr * sign(g)."""
    params = {"w": np.array([0.0, 0.0, 0.0])}
    opt = Adam(params, lr=0.01)
    opt.step({"w": np.array([5.0, -1e-3, 100.0])})
    np.testing.assert_allclose(params["w"], [-0.01, 0.01, -0.01], rtol=1e-4)  # eps / |g| <= 1e-5


def test_adam_on_a_model_updates_the_models_arrays_in_place():
    model = VAE(VAEConfig(input_dim=12, hidden_dims=(8,), latent_dim=2))
    before = {k: v.copy() for k, v in model.params.items()}
    ids = {k: id(v) for k, v in model.params.items()}
    opt = Adam(model.params)
    model.forward(np.random.default_rng(0).uniform(size=(4, 12)))
    opt.step(model.backward())
    assert {k: id(v) for k, v in model.params.items()} == ids
    assert all(not np.array_equal(before[k], v) for k, v in model.params.items() if k.endswith("W"))


def test_adam_state_round_trip():
    params = {"w": np.array([1.0, 2.0])}
    opt = Adam(params)
    opt.step({"w": np.array([0.1, -0.3])})
    params2 = {"w": params["w"].copy()}
    opt2 = Adam(params2)
    opt2.load_state_dict({k: np.array(v) for k, v in opt.state_dict().items()})
    g = {"w": np.array([0.5, 0.5])}
    opt.step(g)
    opt2.step(g)
    np.testing.assert_array_equal(params["w"], params2["w"])


def test_sgd_with_momentum():
    params = {"w": np.array([1.0])}
    opt = SGD(params, lr=0.1, momentum=0.9)
    opt.step({"w": np.array([1.0])})  # v = -0.1
    opt.step({"w": np.array([1.0])})  # v = -0.09 - 0.1 = -0.19
    np.testing.assert_allclose(params["w"], [1.0 - 0.1 - 0.19])


@pytest.mark.parametrize("kwargs", [{"lr": 0}, {"lr": -1}, {"betas": (0.9, 1.0)}, {"eps": 0}])
def test_adam_rejects_bad_hyperparameters(kwargs):
    with pytest.raises(ValueError):
        Adam({"w": np.zeros(1)}, **kwargs)
