"""Bad data and bad settings are refused where they enter, with a message that says why;
the advice of a diverged run names its likely cause."""

import math

import numpy as np
import pytest

from numpyvae import cli, datasets
from numpyvae import model as model_module
from numpyvae.config import VAEConfig
from numpyvae.elbo import evaluate, log_likelihood_iw, neg_elbo
from numpyvae.errors import TrainingError
from numpyvae.fast.iw import log_likelihood_iw_blocked
from numpyvae.model import VAE, AutoEncoder
from numpyvae.train import TrainSettings, fit


def tiny(cls=VAE, likelihood="bernoulli", dtype="float32"):
    return cls(VAEConfig(input_dim=16, hidden_dims=(8,), latent_dim=2, likelihood=likelihood,
                         dtype=dtype, seed=0))


def pixels(n=4, d=16, seed=0):
    return np.random.default_rng(seed).random((n, d), dtype=np.float32)


# ---- model.forward and encode: where data enters --------------------------------------


@pytest.mark.parametrize("cls", [VAE, AutoEncoder])
@pytest.mark.parametrize(
    "make, message",
    [
        (lambda x: np.where(np.arange(x.size).reshape(x.shape) == 5, np.nan, x), "non-finite"),
        (lambda x: np.where(np.arange(x.size).reshape(x.shape) == 5, np.inf, x), "non-finite"),
        (lambda x: (x * 255).astype(np.uint8), "divide uint8 images by 255"),
        (lambda x: (x * 255).astype(np.int64), "pixels must be floats in"),
        (lambda x: x * 255, r"\[0, 1\]"),
        (lambda x: x - 0.5, r"\[0, 1\]"),
        (lambda x: x[:0], "empty"),
        (lambda x: x.astype(str), "numeric"),
        (lambda x: x.astype(np.complex64), "real"),
    ],
)
def test_forward_refuses_bad_pixels(cls, make, message):
    model = tiny(cls)
    x = make(pixels())
    with pytest.raises(ValueError, match=message):
        model.forward(x)
    with pytest.raises(ValueError, match=message):
        model.encode(x)
    with pytest.raises(ValueError, match=message):  # fit's one check of the whole set
        fit(model, x, settings=TrainSettings(epochs=1), log=None)


def test_one_nan_pixel_no_longer_poisons_the_parameters():
    model = tiny()
    before = model.params.flat.copy()
    x = pixels()
    x[1, 3] = np.nan
    with pytest.raises(ValueError, match="non-finite"):
        model.forward(x)
    np.testing.assert_array_equal(model.params.flat, before)


@pytest.mark.parametrize("kwargs, message", [
    ({"beta": float("nan")}, "beta must be a finite number >= 0"),
    ({"beta": float("inf")}, "beta must be a finite number >= 0"),
    ({"beta": -1.0}, "beta must be a finite number >= 0"),
    ({"beta": "1"}, "beta must be a number"),
    ({"eps": np.full((4, 2), np.nan)}, "eps has non-finite values"),
    ({"eps": np.array([[0.0, 1.0], [np.inf, 0.0], [0.0, 0.0], [1.0, 1.0]])}, "eps has non-finite"),
    ({"eps": np.full((4, 2), 1e300)}, "eps has non-finite"),  # inf in float32
    ({"eps": np.zeros((3, 2))}, r"eps must have one row per row of x: shape \(4, 2\)"),
    ({"eps": np.zeros((4, 3))}, r"eps must have shape \(N, 2\)"),
], ids=["beta nan", "beta inf", "beta -1", "beta a string", "eps nan", "eps one inf",
        "eps 1e300", "eps 3 rows", "eps 3 columns"])
def test_forward_refuses_a_beta_or_eps_that_would_poison_the_parameters(kwargs, message):
    model = tiny()
    before = model.params.flat.copy()
    with pytest.raises(ValueError, match=message):
        model.forward(pixels(), **kwargs)
    with pytest.raises(RuntimeError, match="call forward"):  # nothing left for backward
        model.backward()
    np.testing.assert_array_equal(model.params.flat, before)


def test_a_good_beta_and_eps_of_any_real_dtype_pass():
    model = tiny()
    eps = np.random.default_rng(1).standard_normal((4, 2))
    a = model.forward(pixels(), eps=eps, beta=np.float32(0.5)).loss
    b = model.forward(pixels(), eps=eps.astype(np.float32), beta=0.5).loss
    assert a == b and math.isfinite(a)
    assert model.forward(pixels(), eps=np.zeros((4, 2), dtype=int), beta=0).loss > 0


def test_uint8_pixels_are_refused_not_turned_into_a_huge_loss():
    with pytest.raises(ValueError, match="divide uint8 images by 255"):
        tiny().forward(np.full((3, 16), 200, dtype=np.uint8))


def test_the_gaussian_likelihood_takes_any_finite_floats_but_no_nan():
    model = tiny(likelihood="gaussian")
    assert math.isfinite(model.forward(pixels() * 50 - 20).loss)
    with pytest.raises(ValueError, match="non-finite"):
        model.forward(np.full((2, 16), np.nan, dtype=np.float32))
    with pytest.raises(ValueError, match="non-finite"):  # finite in float64, inf in float32
        model.forward(np.full((2, 16), 1e300))


def test_good_input_of_any_float_dtype_passes():
    model = tiny()
    x = pixels()
    a = model.forward(x, rng=np.random.default_rng(1)).loss
    assert a == pytest.approx(model.forward(x.astype(np.float64), rng=np.random.default_rng(1)).loss)
    model.forward(np.zeros((1, 16), np.float16))
    model.forward(np.ones((1, 16), np.float32))  # the bounds are allowed


def test_check_false_skips_only_the_values():
    model = tiny()
    model.forward(pixels() * 2, check=False)  # out of [0, 1], not looked at
    with pytest.raises(ValueError, match="divide uint8"):  # the dtype is always checked
        model.forward(np.zeros((2, 16), np.uint8), check=False)
    with pytest.raises(ValueError, match="shape"):
        model.forward(np.zeros((2, 15), np.float32), check=False)


def test_fit_checks_its_data_once_and_its_batches_not_again():
    model = tiny()
    calls = []
    real = model.forward

    def spy(*args, **kwargs):
        calls.append(kwargs.get("check", True))
        return real(*args, **kwargs)

    model.forward = spy
    fit(model, pixels(64), settings=TrainSettings(epochs=1, batch_size=16), log=None)
    assert calls == [False] * 4
    bad = pixels(64)
    bad[40, 2] = np.nan
    with pytest.raises(ValueError, match="non-finite"):  # fit's own check of the whole set
        fit(tiny(), bad, settings=TrainSettings(epochs=1, batch_size=16), log=None)


def test_evaluation_checks_each_batch_once(monkeypatch):
    """encode is the one door of a batch: neither elbo_terms nor the estimates of Eq. (11)
    check it again before or after (the rules of inputs.py, one pass each)."""
    checked = []
    real = model_module.as_data

    def spy(x, *args, **kwargs):
        checked.append(len(x))
        return real(x, *args, **kwargs)

    monkeypatch.setattr(model_module, "as_data", spy)
    model, x = tiny(), pixels(2500)
    neg_elbo(model, x, np.random.default_rng(0), batch_size=1000)
    assert checked == [1000, 1000, 500]
    checked.clear()
    log_likelihood_iw(model, x[:3], 5, np.random.default_rng(0))
    log_likelihood_iw_blocked(model, x, 5, np.random.default_rng(0))
    assert checked == [3, 818, 818, 818, 46]  # encoder batches of 2 blocks of 409 images (iw_blocks)


def test_evaluate_of_no_images_is_a_clear_error():
    with pytest.raises(ValueError, match="no images"):
        evaluate(tiny(), np.zeros((0, 16), np.float32))


# ---- TrainSettings ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"epochs": 1.5}, "epochs must be a whole number"),
        ({"epochs": 2.0}, "epochs must be a whole number"),
        ({"epochs": "3"}, "epochs must be a whole number"),
        ({"epochs": True}, "epochs must be a whole number"),
        ({"batch_size": 64.5}, "batch_size must be a whole number"),
        ({"lr": float("inf")}, "learning rate"),
        ({"lr": float("nan")}, "learning rate"),
        ({"lr": 0}, "learning rate"),
        ({"lr": "0.001"}, "lr must be a number"),
        ({"warmup_epochs": float("inf")}, "finite"),
        ({"warmup_epochs": float("nan")}, "warm-up"),
        ({"warmup_epochs": -1}, "warm-up"),
    ],
)
def test_bad_settings_are_a_value_error_at_once(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TrainSettings(**kwargs)


def test_numpy_numbers_are_taken_and_stored_as_python_numbers():
    s = TrainSettings(epochs=np.int64(3), batch_size=np.int32(16), lr=np.float32(0.5),
                      warmup_epochs=np.int64(2))
    assert (s.epochs, s.batch_size, s.warmup_epochs) == (3, 16, 2.0)
    assert type(s.epochs) is int and type(s.batch_size) is int
    assert type(s.lr) is float and type(s.warmup_epochs) is float
    fit(tiny(), pixels(32), settings=TrainSettings(epochs=np.int64(1), batch_size=np.int64(16)),
        log=None)


# ---- the advice of a diverged run ------------------------------------------------------


def test_a_huge_beta_is_named_as_the_likely_cause():
    model = VAE(VAEConfig(input_dim=16, hidden_dims=(8,), latent_dim=2, beta=1e308))
    with pytest.raises(TrainingError) as info:
        fit(model, pixels(64), settings=TrainSettings(epochs=1, batch_size=16), log=None)
    assert "--beta" in str(info.value) and "very large" in str(info.value)
    assert "learning rate" not in str(info.value)


def test_a_huge_learning_rate_is_still_named():
    with pytest.raises(TrainingError, match="smaller learning rate"):
        fit(tiny(), pixels(256), settings=TrainSettings(epochs=3, batch_size=16, lr=1e30),
            log=None)


def test_numpyvae_train_beta_1e308_says_beta(capsys, tmp_path, monkeypatch):
    real = datasets.load_dataset
    monkeypatch.setattr(datasets, "load_dataset", lambda name, split="train", data_dir=None:
                        real(name, split, data_dir, n=200 if split == "train" else 50))
    code = cli.main(["train", "--dataset", "glyph-digits", "--hidden", "16", "--latent-dim", "2",
                     "--epochs", "1", "--beta", "1e308", "--out", str(tmp_path / "run")])
    _, err = capsys.readouterr()
    assert code == 2 and "Traceback" not in err
    assert err.startswith("numpyvae: error: ") and "--beta" in err and "very large" in err
    assert "learning rate" not in err
