"""Every layer's backward against finite differences (float64), and its contracts."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from numpyvae.checks import away_from_zero
from numpyvae.gradcheck import BOUND_PIECEWISE, BOUND_SMOOTH, numerical_vjp, rel_error
from numpyvae.layers import MLP, Dense, ReLU, Sigmoid, Tanh, sigmoid


def test_dense_backward_matches_numerical():
    rng = np.random.default_rng(0)
    layer = Dense(5, 4, rng, dtype=np.float64)
    layer.params["b"][:] = rng.normal(size=4)
    x = rng.normal(size=(3, 5))
    dout = rng.normal(size=(3, 4))
    layer.forward(x)
    dx = layer.backward(dout)
    assert rel_error(dx, numerical_vjp(lambda: layer.forward(x), x, dout)) < BOUND_PIECEWISE
    for name in ("W", "b"):
        analytic = layer.grads[name].copy()
        numeric = numerical_vjp(lambda: layer.forward(x), layer.params[name], dout)
        assert rel_error(analytic, numeric) < BOUND_PIECEWISE, name


def test_dense_shapes_and_init():
    rng = np.random.default_rng(0)
    he = Dense(1000, 300, rng, init="he")
    glorot = Dense(1000, 300, rng, init="glorot")
    assert he.params["W"].shape == (1000, 300) and he.params["W"].dtype == np.float32
    assert abs(he.params["W"].std() - np.sqrt(2 / 1000)) < 0.002
    assert abs(glorot.params["W"].std() - np.sqrt(2 / 1300)) < 0.002
    assert np.all(he.params["b"] == 0)
    torch = Dense(400, 20, rng, init="torch")  # PyTorch's nn.Linear: U(+-1/sqrt(fan_in))
    for a in torch.params.values():
        assert np.abs(a).max() <= 1 / 20 and np.abs(a).max() > 0.9 / 20
    with pytest.raises(ValueError, match="init"):
        Dense(3, 3, rng, init="xavier-ish")


def test_dense_skips_input_gradient_for_the_first_layer():
    rng = np.random.default_rng(1)
    layer = Dense(4, 3, rng, dtype=np.float64)
    x, dout = rng.normal(size=(2, 4)), rng.normal(size=(2, 3))
    layer.forward(x)
    assert layer.backward(dout, need_dx=False) is None
    np.testing.assert_allclose(layer.grads["W"], x.T @ dout)


def test_relu_backward_matches_numerical():
    rng = np.random.default_rng(2)
    relu, x, dout = ReLU(), away_from_zero(rng, (4, 6)), rng.normal(size=(4, 6))
    relu.forward(x)
    assert rel_error(relu.backward(dout), numerical_vjp(lambda: relu.forward(x), x, dout)) < BOUND_PIECEWISE


def test_tanh_backward_matches_numerical():
    rng = np.random.default_rng(3)
    tanh, x, dout = Tanh(), rng.normal(size=(4, 6)), rng.normal(size=(4, 6))
    tanh.forward(x)
    assert rel_error(tanh.backward(dout), numerical_vjp(lambda: tanh.forward(x), x, dout)) < BOUND_SMOOTH


def test_sigmoid_backward_matches_numerical():
    rng = np.random.default_rng(4)
    sig, x, dout = Sigmoid(), rng.normal(size=(4, 6)) * 3, rng.normal(size=(4, 6))
    sig.forward(x)
    assert rel_error(sig.backward(dout), numerical_vjp(lambda: sig.forward(x), x, dout)) < BOUND_SMOOTH


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_mlp_backward_matches_numerical(activation):
    rng = np.random.default_rng(5)
    mlp = MLP((5, 7, 6, 4), activation, rng, dtype=np.float64)
    for name in mlp.params:
        if name.endswith(".b"):
            mlp.params[name][:] = rng.normal(size=mlp.params[name].shape) * 0.1
    x, dout = rng.normal(size=(3, 5)), rng.normal(size=(3, 4))
    mlp.forward(x)
    dx = mlp.backward(dout)
    grads = {k: v.copy() for k, v in mlp.grads.items()}
    assert rel_error(dx, numerical_vjp(lambda: mlp.forward(x), x, dout)) < BOUND_PIECEWISE
    for name, w in mlp.params.items():
        assert rel_error(grads[name], numerical_vjp(lambda: mlp.forward(x), w, dout)) < BOUND_PIECEWISE, name


def test_mlp_names_its_parameters_by_layer():
    mlp = MLP((5, 7, 4), "relu", np.random.default_rng(0))
    assert list(mlp.params) == ["0.W", "0.b", "1.W", "1.b"]
    assert mlp.params["1.W"].shape == (7, 4)


def test_sigmoid_does_not_overflow_for_huge_logits():
    x = np.array([-1e4, -100.0, 0.0, 100.0, 1e4], dtype=np.float32)
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is exact enough
        p = sigmoid(x)
    assert p.dtype == np.float32
    np.testing.assert_array_equal(p, [0.0, 0.0, 0.5, 1.0, 1.0])


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(["dense", "relu", "tanh", "sigmoid"]), st.integers(0, 2**31 - 1))
def test_backward_leaves_inputs_and_dout_unchanged(kind, seed):
    rng = np.random.default_rng(seed)
    layer = {
        "dense": lambda: Dense(4, 4, rng, dtype=np.float64),
        "relu": ReLU,
        "tanh": Tanh,
        "sigmoid": Sigmoid,
    }[kind]()
    x, dout = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    x0, dout0 = x.copy(), dout.copy()
    layer.forward(x)
    layer.backward(dout)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(dout, dout0)


@pytest.mark.parametrize("layer", [ReLU(), Tanh(), Sigmoid()])
def test_float32_in_gives_float32_out(layer):
    x = np.random.default_rng(0).normal(size=(3, 4)).astype(np.float32)
    y = layer.forward(x)
    assert y.dtype == np.float32
    assert layer.backward(np.ones_like(y)).dtype == np.float32
