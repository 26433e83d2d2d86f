"""The whole VAE and AutoEncoder: names, shapes, end-to-end gradients, learning."""

import itertools

import numpy as np
import pytest

from numpyvae import VAE, Adam, AutoEncoder, VAEConfig
from numpyvae.gradcheck import BOUND_MODEL, numerical_gradient, rel_error

COMBINATIONS = list(itertools.product(["relu", "tanh"], ["bernoulli", "gaussian"], [(7,), (7, 5)]))


def small_model(cls, activation, likelihood, hidden, seed=0, init="he"):
    config = VAEConfig(
        input_dim=6, hidden_dims=hidden, latent_dim=3, activation=activation,
        likelihood=likelihood, beta=1.0, dtype="float64", seed=seed, init=init,
    )
    model = cls(config)
    rng = np.random.default_rng(seed + 100)
    for name, w in model.params.items():
        if name.endswith(".b"):  # non-zero biases, so their gradients are tested too
            w[...] = rng.normal(size=w.shape) * 0.1
    x = rng.uniform(size=(4, 6))
    eps = rng.standard_normal((4, 3))
    return model, x, eps


def check_every_parameter(model, x, eps):
    model.forward(x, eps=eps)
    grads = {k: g.copy() for k, g in model.backward().items()}
    assert set(grads) == set(model.params)
    errors = {
        name: rel_error(grads[name], numerical_gradient(lambda: model.forward(x, eps=eps).loss, w))
        for name, w in model.params.items()
    }
    worst = max(errors, key=errors.get)
    assert errors[worst] < BOUND_MODEL, f"{worst}: rel error {errors[worst]:.2e}"


@pytest.mark.parametrize("activation,likelihood,hidden", COMBINATIONS)
def test_vae_gradient_matches_numerical_for_every_parameter(activation, likelihood, hidden):
    check_every_parameter(*small_model(VAE, activation, likelihood, hidden))


@pytest.mark.parametrize("activation,likelihood,hidden", COMBINATIONS)
def test_autoencoder_gradient_matches_numerical_for_every_parameter(activation, likelihood, hidden):
    check_every_parameter(*small_model(AutoEncoder, activation, likelihood, hidden))


def test_vae_gradient_with_the_torch_initialisation():
    check_every_parameter(*small_model(VAE, "relu", "bernoulli", (7,), seed=3, init="torch"))


def test_vae_gradient_with_beta_not_one():
    model, x, eps = small_model(VAE, "tanh", "bernoulli", (7,))
    model.config.beta = 3.5
    check_every_parameter(model, x, eps)


def test_parameter_names_and_shapes():
    model = VAE(VAEConfig(input_dim=784, hidden_dims=(512, 256), latent_dim=20))
    shapes = {k: v.shape for k, v in model.params.items()}
    assert shapes == {
        "encoder.0.W": (784, 512), "encoder.0.b": (512,),
        "encoder.1.W": (512, 256), "encoder.1.b": (256,),
        "encoder.mu.W": (256, 20), "encoder.mu.b": (20,),
        "encoder.logvar.W": (256, 20), "encoder.logvar.b": (20,),
        "decoder.0.W": (20, 256), "decoder.0.b": (256,),
        "decoder.1.W": (256, 512), "decoder.1.b": (512,),
        "decoder.out.W": (512, 784), "decoder.out.b": (784,),
    }
    assert list(model.grads) == list(model.params)
    ae = AutoEncoder(VAEConfig(input_dim=784, hidden_dims=(400,), latent_dim=2))
    assert list(ae.params) == [
        "encoder.0.W", "encoder.0.b", "encoder.z.W", "encoder.z.b",
        "decoder.0.W", "decoder.0.b", "decoder.out.W", "decoder.out.b",
    ]


def test_parameters_are_the_arrays_the_layers_use():
    model, x, eps = small_model(VAE, "relu", "bernoulli", (7,))
    before = model.forward(x, eps=eps).loss
    model.params["decoder.out.b"] += 1.0  # in place, as an optimizer does
    assert model.forward(x, eps=eps).loss != before


def test_assigning_parameters_by_name_reaches_the_layers():
    model, x, eps = small_model(VAE, "relu", "bernoulli", (7,))
    new = {k: np.full(w.shape, 0.01) for k, w in model.params.items()}
    model.params.update(new)
    same = VAE(model.config)
    for k in same.params:
        same.params[k] = new[k]
    assert model.forward(x, eps=eps).loss == same.forward(x, eps=eps).loss
    np.testing.assert_array_equal(model.heads["mu"].params["W"], 0.01)
    with pytest.raises(ValueError, match="shape"):
        model.params["encoder.0.W"] = np.zeros((2, 2))
    with pytest.raises(KeyError, match="unknown parameter"):
        model.params["encoder.9.W"] = np.zeros((2, 2))


def test_forward_result_is_the_lecture_loss():
    model, x, eps = small_model(VAE, "relu", "bernoulli", (7,))
    out = model.forward(x, eps=eps)
    mu, logvar = model.encode(x)
    np.testing.assert_allclose(out.mu, mu)
    np.testing.assert_allclose(out.z, mu + np.exp(logvar / 2) * eps)  # Eq. (2)
    p = 1 / (1 + np.exp(-out.logits))
    recon = -np.sum(x * np.log(p) + (1 - x) * np.log(1 - p), axis=1)  # Eq. (4)
    kl = 0.5 * np.sum(mu**2 + np.exp(logvar) - logvar - 1, axis=1)  # Eq. (5)
    np.testing.assert_allclose(out.recon, recon, rtol=1e-10)
    np.testing.assert_allclose(out.kl, kl, rtol=1e-10)
    assert out.loss == pytest.approx(np.mean(recon + kl), rel=1e-12)  # Eq. (6)
    np.testing.assert_allclose(model.decode(out.z), p, rtol=1e-10)


def test_forward_is_reproducible_for_a_generator_seed():
    model, x, _ = small_model(VAE, "relu", "bernoulli", (7,))
    a = model.forward(x, rng=np.random.default_rng(7))
    b = model.forward(x, rng=np.random.default_rng(7))
    assert a.loss == b.loss
    np.testing.assert_array_equal(a.eps, b.eps)


def test_backward_before_forward_is_a_clear_error():
    model, x, _ = small_model(VAE, "relu", "bernoulli", (7,))
    with pytest.raises(RuntimeError, match="forward"):
        model.backward()
    model.forward(x)
    model.encode(x)  # another pass through the layers spoils what backward needs
    with pytest.raises(RuntimeError, match="forward"):
        model.backward()


def test_float32_model_stays_float32():
    model = VAE(VAEConfig(input_dim=12, hidden_dims=(8,), latent_dim=2))
    x = np.random.default_rng(0).uniform(size=(5, 12))  # float64 data is cast, not upcast
    out = model.forward(x)
    grads = model.backward()
    for a in (out.recon, out.kl, out.mu, out.logvar, out.z, out.logits, *grads.values()):
        assert a.dtype == np.float32
    assert model.sample(3).dtype == np.float32
    assert model.reconstruct(x).dtype == np.float32


def test_sample_and_reconstruct_shapes():
    model = VAE(VAEConfig(input_dim=12, hidden_dims=(8,), latent_dim=2))
    s = model.sample(5, rng=np.random.default_rng(0))
    assert s.shape == (5, 12) and np.all((s >= 0) & (s <= 1))
    assert model.reconstruct(np.zeros((3, 12))).shape == (3, 12)


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"activation": "gelu"}, "activation"),
        ({"likelihood": "poisson"}, "likelihood"),
        ({"latent_dim": 0}, "latent_dim"),
        ({"hidden_dims": (400, -1)}, "hidden_dims"),
        ({"beta": float("nan")}, "beta"),
        ({"beta": -0.5}, "beta"),
        ({"beta": True}, "beta must be a number"),
        ({"beta": "1"}, "beta must be a number"),
        ({"dtype": "float16"}, "dtype"),
        ({"dtype": None}, "dtype must be one of"),
        ({"latent_dim": 2.9}, "latent_dim must be a whole number, got 2.9"),
        ({"latent_dim": 2.0}, "latent_dim must be a whole number"),
        ({"latent_dim": True}, "latent_dim must be a whole number, got True"),
        ({"input_dim": "784"}, "input_dim must be a whole number"),
        ({"hidden_dims": (400.5,)}, "hidden_dims must be a whole number, got 400.5"),
        ({"hidden_dims": 7.5}, "hidden_dims must be a tuple of whole numbers"),
        ({"hidden_dims": "400"}, "hidden_dims must be a tuple of whole numbers"),
        ({"seed": 1.5}, "seed must be a whole number"),
        ({"seed": -1}, "seed must be at least 0"),
    ],
)
def test_bad_config_is_a_clear_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        VAEConfig(**kwargs)


def test_wrong_input_shape_is_a_clear_error():
    model = VAE(VAEConfig(input_dim=12, hidden_dims=(8,), latent_dim=2))
    with pytest.raises(ValueError, match=r"\(N, 12\)"):
        model.forward(np.zeros((3, 11)))
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        model.decode(np.zeros((3, 3)))


def test_config_round_trips_through_a_dict():
    config = VAEConfig(hidden_dims=(300, 100), latent_dim=2, activation="tanh", beta=4, seed=3)
    assert VAEConfig.from_dict(config.to_dict()) == config
    with pytest.raises(ValueError, match="unknown"):
        VAEConfig.from_dict({**config.to_dict(), "layers": 3})


def make_blobs(rng, n=1024, dim=32):
    """Binary images made of 4 prototypes with 5% of pixels flipped."""
    prototypes = rng.uniform(size=(4, dim)) < 0.5
    labels = rng.integers(0, 4, size=n)
    flip = rng.uniform(size=(n, dim)) < 0.05
    return (prototypes[labels] ^ flip).astype(np.float32)


@pytest.mark.parametrize("cls", [VAE, AutoEncoder])
def test_a_few_hundred_adam_steps_lower_the_loss(cls):
    rng = np.random.default_rng(0)
    x = make_blobs(rng)
    model = cls(VAEConfig(input_dim=32, hidden_dims=(64,), latent_dim=2, seed=1))
    opt = Adam(model.params, lr=3e-3)
    start = model.forward(x, rng=rng).loss
    for step in range(300):
        batch = x[rng.integers(0, len(x), size=64)]
        model.forward(batch, rng=rng)
        opt.step(model.backward())
    end = np.mean([model.forward(x, rng=rng).loss for _ in range(5)])
    # 32 random pixels cost 32 log 2 = 22.2 nats; flipping 5% of them leaves about
    # 32 * H(0.05) = 6.4 nats that no model can remove. Demand most of the way down.
    assert start > 20
    assert end < 0.5 * start, (start, end)
