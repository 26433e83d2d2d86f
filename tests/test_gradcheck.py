"""The referee itself: numerical gradients, rel_error, float64 only."""

import numpy as np
import pytest

from numpyvae.gradcheck import numerical_gradient, numerical_vjp, rel_error


def test_numerical_gradient_of_a_known_function():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    g = numerical_gradient(lambda: np.sum(x**3), x)
    np.testing.assert_allclose(g, 3 * x**2, rtol=1e-8)
    np.testing.assert_array_equal(x, [[1.0, -2.0], [0.5, 3.0]])  # restored exactly


def test_numerical_vjp_of_a_linear_map():
    rng = np.random.default_rng(0)
    A, x, dout = rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=3)
    np.testing.assert_allclose(numerical_vjp(lambda: A @ x, x, dout), A.T @ dout, rtol=1e-8)


def test_it_refuses_float32():
    x = np.ones(3, dtype=np.float32)
    with pytest.raises(TypeError, match="float64"):
        numerical_gradient(lambda: float(x.sum()), x)
    with pytest.raises(TypeError, match="float64"):
        numerical_vjp(lambda: x * 2, np.ones(3), np.ones(3, dtype=np.float32))


def test_rel_error():
    assert rel_error(np.array([1.0, 2.0]), np.array([1.0, 2.0])) == 0.0
    assert rel_error(np.array([1.0]), np.array([1.1])) == pytest.approx(0.1 / 2.1)
    assert rel_error(np.zeros(2), np.zeros(2)) == 0.0  # the 1e-8 floor avoids 0 / 0
    with pytest.raises(ValueError, match="shapes"):
        rel_error(np.zeros(2), np.zeros(3))
