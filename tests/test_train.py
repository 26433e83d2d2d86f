"""Training, evaluation (Eq. 11) and checkpoints."""

import json
import math
import os

import numpy as np
import pytest

from numpyvae import SGD, VAE, Adam, AutoEncoder, VAEConfig
from numpyvae.checkpoint import CHECKPOINT, load_checkpoint, save_checkpoint
from numpyvae.datasets import make_glyph_digits
from numpyvae.elbo import evaluate, log_likelihood_iw, neg_elbo
from numpyvae.errors import CheckpointError, TrainingError
from numpyvae.fast.iw import log_likelihood_iw_blocked
from numpyvae.runfolder import HISTORY
from numpyvae.train import TrainSettings, fit


@pytest.fixture(scope="module")
def glyphs():
    x, _ = make_glyph_digits(1200, seed=0)
    return x[:1000], x[1000:]


def small_vae(seed=0, latent=2, **kw):
    return VAE(VAEConfig(hidden_dims=(64,), latent_dim=latent, seed=seed, **kw))


def test_a_short_run_on_the_offline_data_lowers_the_loss(glyphs, tmp_path):
    x_train, x_test = glyphs
    model = small_vae()
    before = neg_elbo(model, x_test, np.random.default_rng(0))
    lines = []
    history = fit(model, x_train, x_test, TrainSettings(epochs=3, batch_size=50), tmp_path, log=lines.append)
    assert len(history) == 3 and len(lines) == 3 and lines[0].startswith("epoch   1")
    # 784 pixels at p = 0.5 cost 543 nats; three short epochs must take off a third of it
    assert before > 500
    assert history[-1].test_loss < 0.66 * before
    assert history[-1].train_loss < history[0].train_loss
    saved = json.loads((tmp_path / HISTORY).read_text())
    assert [h["epoch"] for h in saved] == [1, 2, 3]


def test_fit_trains_with_the_optimizer_it_is_given(glyphs, tmp_path):
    x_train = glyphs[0][:400]
    settings = TrainSettings(epochs=1, batch_size=100)
    default, given = small_vae(), small_vae()
    fit(default, x_train, settings=settings, log=None)
    steps = []

    class Counted(Adam):  # the same Adam: the same weights, and every step seen
        def step(self, grads):
            steps.append(grads)
            super().step(grads)

    fit(given, x_train, settings=settings, log=None, optimizer=Counted(given.params, lr=settings.lr))
    assert len(steps) == 4 and all(g is given.grads for g in steps)  # what backward returned
    np.testing.assert_array_equal(given.params.flat, default.params.flat)
    sgd = small_vae()
    fit(sgd, x_train, settings=settings, log=None, optimizer=SGD(sgd.params, lr=0.01))
    assert not np.array_equal(sgd.params.flat, default.params.flat)

    class Bare:  # an optimizer with step() only: no run folder for it
        def step(self, grads):
            pass

    with pytest.raises(ValueError, match="Bare has no state_dict"):
        fit(small_vae(), x_train, settings=settings, out_dir=tmp_path, log=None, optimizer=Bare())


def test_training_stays_float32(glyphs):
    x_train, _ = glyphs
    model = small_vae()
    fit(model, x_train.astype(np.float64), settings=TrainSettings(epochs=1, batch_size=100), log=None)
    out = model.forward(x_train[:10])
    grads = model.backward()
    assert all(a.dtype == np.float32 for a in model.params.values())
    assert all(a.dtype == np.float32 for a in grads.values())
    assert out.logits.dtype == out.z.dtype == out.recon.dtype == np.float32


def test_checkpoint_round_trip_is_bit_for_bit(tmp_path, glyphs):
    model = small_vae(seed=3, activation="tanh", beta=2.0)
    fit(model, glyphs[0][:200], settings=TrainSettings(epochs=1, batch_size=50), log=None)
    save_checkpoint(tmp_path / "c.npz", model, meta={"note": "hello"})
    loaded, optim_state, meta = load_checkpoint(tmp_path / "c.npz")
    assert loaded.config == model.config and meta["note"] == "hello" and optim_state == {}
    for k, w in model.params.items():
        assert loaded.params[k].dtype == w.dtype
        np.testing.assert_array_equal(loaded.params[k], w)
    ae = AutoEncoder(VAEConfig(hidden_dims=(8,), latent_dim=2))
    save_checkpoint(tmp_path / "ae.npz", ae)
    assert isinstance(load_checkpoint(tmp_path / "ae.npz")[0], AutoEncoder)


def test_resume_ends_where_an_uninterrupted_run_ends(tmp_path, glyphs):
    x_train, x_test = glyphs
    settings = TrainSettings(epochs=3, batch_size=64, seed=5, warmup_epochs=2, binarize="dynamic")
    straight = small_vae(seed=1)
    fit(straight, x_train, x_test, settings, tmp_path / "a", log=None)

    interrupted = small_vae(seed=1)
    fit(interrupted, x_train, x_test, TrainSettings(**{**settings.__dict__, "epochs": 2}), tmp_path / "b", log=None)
    resumed = small_vae(seed=1)
    history = fit(resumed, x_train, x_test, settings, tmp_path / "b", resume=True, log=None)
    assert [h.epoch for h in history] == [1, 2, 3]
    for k, w in straight.params.items():
        np.testing.assert_array_equal(resumed.params[k], w)


def test_a_non_finite_loss_stops_training_and_keeps_the_last_checkpoint(tmp_path, glyphs):
    x_train, _ = glyphs
    model = small_vae()
    fit(model, x_train[:200], settings=TrainSettings(epochs=1, batch_size=50), out_dir=tmp_path, log=None)
    good = (tmp_path / CHECKPOINT).read_bytes()
    model.params["encoder.logvar.b"][...] = 1e30  # sigma = exp(5e29): the loss overflows
    with pytest.raises(TrainingError, match=r"loss became (nan|inf).*last good checkpoint"):
        fit(model, x_train[:200], settings=TrainSettings(epochs=2, batch_size=50), out_dir=tmp_path,
            resume=False, log=None)
    assert (tmp_path / CHECKPOINT).read_bytes() == good


def test_divergence_in_the_last_step_of_an_epoch_is_never_saved(tmp_path, glyphs):
    """One batch per epoch and a huge learning rate: the only step of epoch 1 blows up the
    weights, which no loss of that epoch shows; the checkpoint must not take them."""
    x_train, x_test = glyphs
    model = small_vae()
    with pytest.raises(TrainingError, match="epoch 1") as error:
        fit(model, x_train[:100], x_test[:50], TrainSettings(epochs=2, batch_size=100, lr=1e30),
            out_dir=tmp_path, log=None)
    assert "checkpoint" not in str(error.value)  # there is none yet: do not point at one
    assert not (tmp_path / CHECKPOINT).exists()


def test_an_overflowed_optimizer_state_is_never_saved_and_the_last_checkpoint_resumes(tmp_path, glyphs):
    """The reported run: the weights stay finite but Adam's v overflows float32. With the
    encoder's log-variance bias at 50 the KL gradient is exp(50) / 2 = 3e21, whose square
    is inf in v, while every step stays finite (m / sqrt(inf) = 0): a checkpoint of that
    state could never be resumed, so it must not be written."""
    x_train, _ = glyphs
    settings = TrainSettings(epochs=1, batch_size=50)
    model = small_vae()
    fit(model, x_train[:200], settings=settings, out_dir=tmp_path, log=None)
    good = (tmp_path / CHECKPOINT).read_bytes()
    model.params["encoder.logvar.b"][...] = 50
    with pytest.raises(TrainingError, match=r"optimizer state .*non-finite.*last good checkpoint"):
        fit(model, x_train[:200], settings=settings, out_dir=tmp_path, log=None)
    assert np.all(np.isfinite(model.params.flat))  # only the optimizer state overflowed
    assert (tmp_path / CHECKPOINT).read_bytes() == good
    history = fit(small_vae(), x_train[:200], settings=TrainSettings(epochs=2, batch_size=50),
                  out_dir=tmp_path, resume=True, log=None)
    assert [h.epoch for h in history] == [1, 2]


def test_a_loss_that_rose_a_thousandfold_is_divergence(tmp_path, glyphs):
    """Finite numbers, but a train -ELBO 1000 times the run's lowest: the run has diverged."""
    x_train, _ = glyphs
    fit(small_vae(), x_train[:200], settings=TrainSettings(epochs=1, batch_size=50),
        out_dir=tmp_path, log=None)
    good = (tmp_path / CHECKPOINT).read_bytes()
    model = small_vae()

    def blow_up(line):  # once the stored weights are in: every pixel's p = sigmoid(1e4) = 1
        if line.startswith("resuming"):
            model.params["decoder.out.b"][...] = 1e4

    with pytest.raises(TrainingError, match=r"epoch 2 .*1000 times .*last good checkpoint"):
        fit(model, x_train[:200], settings=TrainSettings(epochs=2, batch_size=50),
            out_dir=tmp_path, resume=True, log=blow_up)
    assert np.all(np.isfinite(model.params.flat))
    assert (tmp_path / CHECKPOINT).read_bytes() == good


def test_resume_from_a_damaged_state_is_a_clear_error(tmp_path, glyphs):
    model = small_vae()
    fit(model, glyphs[0][:100], settings=TrainSettings(epochs=1, batch_size=50), out_dir=tmp_path, log=None)
    _, _, meta = load_checkpoint(tmp_path)
    del meta["rng_state"]
    save_checkpoint(tmp_path / CHECKPOINT, model, meta=meta)  # no optimizer state either
    with pytest.raises(CheckpointError, match="cannot resume"):
        fit(small_vae(), glyphs[0][:100], settings=TrainSettings(epochs=2, batch_size=50),
            out_dir=tmp_path, resume=True, log=None)


def test_a_file_that_is_not_an_npz_is_named_as_such(tmp_path):
    (tmp_path / CHECKPOINT).write_text("hello, I am text")
    with pytest.raises(CheckpointError, match="not an .npz file"):
        load_checkpoint(tmp_path / CHECKPOINT)


@pytest.mark.parametrize(
    "content,message",
    [(b"", "not a readable checkpoint"), (b"PK\x03\x04garbage", "not a readable checkpoint")],
)
def test_corrupt_checkpoints_give_a_clear_error(tmp_path, content, message):
    path = tmp_path / CHECKPOINT
    path.write_bytes(content)
    with pytest.raises(CheckpointError, match=message):
        load_checkpoint(path)


def test_truncated_and_foreign_checkpoints(tmp_path):
    model = small_vae()
    save_checkpoint(tmp_path / "c.npz", model)
    data = (tmp_path / "c.npz").read_bytes()
    (tmp_path / "t.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="t.npz"):
        load_checkpoint(tmp_path / "t.npz")
    np.savez(tmp_path / "f.npz", a=np.zeros(3))
    with pytest.raises(CheckpointError, match="not a numpyvae checkpoint"):
        load_checkpoint(tmp_path / "f.npz")
    with pytest.raises(CheckpointError, match="no such checkpoint"):
        load_checkpoint(tmp_path / "missing.npz")


def test_a_failed_save_leaves_the_old_checkpoint_intact(tmp_path, monkeypatch):
    model = small_vae()
    save_checkpoint(tmp_path / CHECKPOINT, model)
    before = (tmp_path / CHECKPOINT).read_bytes()

    def broken_savez(f, **arrays):
        f.write(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", broken_savez)
    model.params["decoder.out.b"] += 1
    with pytest.raises(OSError, match="disk full"):
        save_checkpoint(tmp_path / CHECKPOINT, model)
    assert (tmp_path / CHECKPOINT).read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [CHECKPOINT]  # no temporary file left


def test_importance_weighted_log_likelihood_matches_numerical_integration():
    """Eq. (11) against log p(x) = log integral p(x|z) p(z) dz, by quadrature in 1-D."""
    config = VAEConfig(input_dim=5, hidden_dims=(6,), latent_dim=1, dtype="float64", seed=2, init="he")
    model = VAE(config)
    x = (np.random.default_rng(0).uniform(size=(3, 5)) > 0.5).astype(np.float64)
    z = np.linspace(-8, 8, 4001)[:, None]
    p = model.decode(z)  # (Z, 5)
    log_pz = -0.5 * (z[:, 0] ** 2 + math.log(2 * math.pi))
    dz = z[1, 0] - z[0, 0]
    for i in range(3):
        log_px_given_z = np.sum(x[i] * np.log(p) + (1 - x[i]) * np.log(1 - p), axis=1)
        a = log_px_given_z + log_pz
        exact = a.max() + math.log(np.sum(np.exp(a - a.max())) * dz)
        estimate = log_likelihood_iw(model, x[i : i + 1], k=20000, rng=np.random.default_rng(i))[0]
        assert estimate == pytest.approx(exact, abs=0.02)


def test_iw_bound_is_tighter_than_the_elbo_and_memory_blocks_do_not_change_it(glyphs):
    x_train, x_test = glyphs
    model = small_vae(seed=4, latent=4)
    fit(model, x_train, settings=TrainSettings(epochs=2, batch_size=50), log=None)
    figures = evaluate(model, x_test, iw_samples=200, elbo_samples=5)
    assert figures["test_nll_iw"] < figures["test_neg_elbo_avg"]
    assert figures["bits_per_dim"] == pytest.approx(figures["test_nll_iw"] / (784 * math.log(2)))
    assert figures["bits_per_dim_of"] == "test_nll_iw"
    a = log_likelihood_iw_blocked(model, x_test[:7], 300, np.random.default_rng(1), max_rows=50)
    b = log_likelihood_iw_blocked(model, x_test[:7], 300, np.random.default_rng(1), max_rows=100000)
    # eps is drawn image by image, sample by sample, whatever the blocks: same numbers
    np.testing.assert_allclose(a, b, rtol=1e-5)


def test_iw_estimate_over_several_encoder_batches_equals_image_by_image():
    model = VAE(VAEConfig(input_dim=6, hidden_dims=(5,), latent_dim=2, dtype="float64", seed=6))
    x = (np.random.default_rng(1).uniform(size=(1100, 6)) > 0.5).astype(np.float64)  # > 1024 images
    whole = log_likelihood_iw_blocked(model, x, 2, np.random.default_rng(3))
    rng = np.random.default_rng(3)
    one_by_one = [log_likelihood_iw_blocked(model, x[i : i + 1], 2, rng)[0] for i in range(len(x))]
    np.testing.assert_allclose(whole, one_by_one, rtol=1e-12)


@pytest.mark.parametrize("dtype,rtol", [("float64", 1e-10), ("float32", 2e-5)])
def test_iw_estimate_equals_eq11_written_out(dtype, rtol):
    """log_likelihood_iw against Eq. (11) written out plainly, with the same draws of eps."""
    model = VAE(VAEConfig(input_dim=12, hidden_dims=(8,), latent_dim=3, dtype=dtype, seed=5))
    x = (np.random.default_rng(0).uniform(size=(4, 12)) > 0.5).astype(dtype)
    k = 50
    got = log_likelihood_iw(model, x, k, np.random.default_rng(9))
    eps = np.random.default_rng(9).standard_normal((4, k, 3), dtype=model.dtype)  # one block
    mu, logvar = (a.astype(np.float64) for a in model.encode(x))
    z = mu[:, None] + np.exp(0.5 * logvar)[:, None] * eps
    logits = model.decode_logits(z.reshape(-1, 3).astype(model.dtype)).reshape(4, k, 12).astype(np.float64)
    log_px = np.sum(x[:, None] * logits - np.logaddexp(0, logits), axis=2)
    log_pz = np.sum(-0.5 * z**2 - 0.5 * math.log(2 * math.pi), axis=2)
    log_qz = np.sum(-0.5 * eps**2 - 0.5 * logvar[:, None] - 0.5 * math.log(2 * math.pi), axis=2)
    log_w = log_px + log_pz - log_qz
    expected = np.log(np.mean(np.exp(log_w - log_w.max(1, keepdims=True)), axis=1)) + log_w.max(1)
    np.testing.assert_allclose(got, expected, rtol=rtol)


@pytest.mark.parametrize(
    "kwargs,message",
    [({"epochs": 0}, "epochs"), ({"batch_size": 0}, "batch size"), ({"lr": -1.0}, "learning rate"),
     ({"warmup_epochs": -1}, "warm-up"), ({"binarize": "sometimes"}, "binarize")],
)
def test_bad_settings_are_clear_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TrainSettings(**kwargs)


@pytest.mark.parametrize(
    "kwargs,name",
    [({"epochs": 2.0}, "epochs"), ({"epochs": True}, "epochs"), ({"batch_size": 1.5}, "batch_size"),
     ({"batch_size": "128"}, "batch_size"), ({"lr": "fast"}, "lr"), ({"seed": 1.5}, "seed"),
     ({"warmup_epochs": None}, "warmup_epochs"), ({"binarize": 1}, "binarize"),
     ({"extra": ["mnist"]}, "extra")],
)
def test_settings_of_the_wrong_type_are_a_clear_error(kwargs, name):
    with pytest.raises(ValueError, match=name):
        TrainSettings(**kwargs)


def test_settings_keep_plain_python_numbers():
    settings = TrainSettings(epochs=np.int64(3), batch_size=np.int32(10), lr=np.float32(0.5))
    assert json.loads(json.dumps(settings.__dict__))["epochs"] == 3
    with pytest.raises(ValueError, match="seed"):
        TrainSettings(seed=-1)


@pytest.mark.parametrize("warmup", [5, 1e308])
def test_fit_refuses_a_warm_up_longer_than_the_run(tmp_path, warmup):
    model = VAE(VAEConfig(hidden_dims=(8,), latent_dim=2))
    before = model.params.flat.copy()
    x = np.random.default_rng(0).random((20, 784)).astype(np.float32)
    with pytest.raises(ValueError, match="warm-up of .* epochs is longer than the run"):
        fit(model, x, settings=TrainSettings(epochs=2, warmup_epochs=warmup),
            out_dir=tmp_path / "run", log=None)
    assert np.array_equal(model.params.flat, before) and os.listdir(tmp_path) == []


def test_bad_data_is_a_clear_error():
    model = small_vae()
    x = np.full((10, 784), 0.5, dtype=np.float32)
    x[3, 7] = np.nan
    with pytest.raises(ValueError, match="non-finite"):
        fit(model, x, log=None)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        fit(model, np.full((10, 784), 2.0, dtype=np.float32), log=None)
    with pytest.raises(ValueError, match=r"\(N, 784\)"):
        fit(model, np.zeros((10, 783), dtype=np.float32), log=None)


def test_fit_resume_refuses_a_step_count_that_the_data_does_not_make(tmp_path, glyphs):
    """Through the API as through the command line: Adam's t after 1 epoch of 300 images
    in batches of 100 is 3; resumed on 500 images, the run could not end where an
    uninterrupted one ends."""
    x_train, _ = glyphs
    settings = TrainSettings(epochs=1, batch_size=100)
    fit(small_vae(), x_train[:300], settings=settings, out_dir=tmp_path, log=None)
    good = (tmp_path / CHECKPOINT).read_bytes()
    with pytest.raises(CheckpointError, match=r"optim/t .* is 3, but 1 epochs of 5 steps "
                                              r"\(500 images in batches of 100\) make 5"):
        fit(small_vae(), x_train[:500], settings=TrainSettings(epochs=2, batch_size=100),
            out_dir=tmp_path, resume=True, log=None)
    assert (tmp_path / CHECKPOINT).read_bytes() == good
