"""``numpyvae exercises train``, the capstone: a VAE made of the learner's seven exercises,
trained by ``numpyvae.train.fit`` itself with the learner's Adam, trains like the
library's (same seed) to float32 noise; with an exercise wrong or not yet solved it
refuses, naming it, unless --anyway; when the two differ it says which exercise makes
the difference, by swapping the learner's pieces into the library's VAE one at a time.

Small runs: glyph-digits (drawn offline), a few hundred images, one epoch.
"""

import importlib.util

import numpy as np
import pytest
from helpers import run_cli as run
from test_exercises import RIGHT, solve

from numpyvae import VAE, VAEConfig, cli, train
from numpyvae.exercises.capstone import TOLERANCE, build_vae, capstone, learner_parts

SMALL = ["--dataset", "glyph-digits", "--images", "64", "--test-images", "32", "--epochs", "1"]


@pytest.fixture(autouse=True)
def english(monkeypatch):
    monkeypatch.setenv("NUMPYVAE_LANG", "en")


@pytest.fixture
def solved(tmp_path, capsys):
    """The seven exercises, every one solved right."""
    path = tmp_path / "exercises"
    assert cli.main(["exercises", "init", str(path)]) == 0
    capsys.readouterr()
    for answer in RIGHT:
        solve(path, *answer)
    return path


def test_your_vae_starts_from_the_library_weights_and_is_made_of_your_classes(solved):
    parts, problems, _, _ = learner_parts(solved, anyway=False, log=lambda s: None)
    assert problems == []
    config = VAEConfig(seed=3)
    yours, library = build_vae(config, parts), VAE(config)
    np.testing.assert_array_equal(yours.params.flat, library.params.flat)
    assert type(yours.out).__mro__[1].__module__.startswith("numpyvae_exercise_ex1")
    assert type(yours.encoder.acts[0]).__module__.startswith("numpyvae_exercise_ex2")
    assert type(yours.reparam).__module__.startswith("numpyvae_exercise_ex4")
    assert type(yours).__mro__[1].__module__.startswith("numpyvae_exercise_ex7")


def test_all_right_trains_like_fit_with_fit_itself(capsys, solved, tmp_path, monkeypatch):
    optimizers = []
    real_fit = train.fit

    def watched(*args, **kwargs):  # the capstone trains yours with fit, your Adam given
        optimizers.append(type(kwargs.get("optimizer")).__module__)
        return real_fit(*args, **kwargs)

    monkeypatch.setattr("numpyvae.exercises.capstone.fit", watched)
    code, out, err = run(capsys, "exercises", "train", solved, *SMALL, "--out", tmp_path / "pics")
    assert code == 0, out + err
    assert optimizers[0].startswith("numpyvae_exercise_ex6")  # yours, by fit
    line = next(line for line in out.splitlines() if line.startswith("test -ELBO after 1 epoch"))
    yours = float(line.split("yours ")[1].split(",")[0])
    library = float(line.split("the library's ")[1].split(",")[0])
    assert abs(yours - library) < TOLERANCE, line
    assert "your VAE trains like the library's" in out
    if importlib.util.find_spec("matplotlib") is not None:
        assert (tmp_path / "pics" / "samples.png").stat().st_size > 0


def test_solutions_train_like_fit(capsys, tmp_path, monkeypatch):
    drawn = []  # the pictures themselves: test_all_right_trains_like_fit_with_fit_itself
    monkeypatch.setattr("numpyvae.exercises.capstone.write_pictures",
                        lambda yours, library, *args: drawn.append((yours, library)))
    code, out, _ = run(capsys, "exercises", "train", "--solutions", *SMALL, "--out", tmp_path)
    assert code == 0, out
    assert "the library's own solutions" in out and "|diff| = 0.0000" in out
    assert len(drawn) == 1 and isinstance(drawn[0][1], VAE)


@pytest.mark.parametrize("file, label, code, status", [
    ("ex5_kl.py", "kl_std_normal_grad", 'return {"mu": mu.copy(), "logvar": np.exp(logvar) - 1}', "wrong"),
    ("ex7_vae_backward.py", "VAE.backward", None, "not yet solved"),
])
def test_one_exercise_not_right_refuses_naming_it(capsys, tmp_path, file, label, code, status):
    path = tmp_path / "exercises"
    assert cli.main(["exercises", "init", str(path)]) == 0
    for answer in RIGHT:
        if answer[1] != label:
            solve(path, *answer)
    if code is not None:
        solve(path, file, label, code)
    code, out, _err = run(capsys, "exercises", "train", path, *SMALL, "--out", tmp_path / "pics")
    assert code == 1, out
    assert f"not training: {file} is {status}" in out
    key = file.split("_", 1)[1].removesuffix(".py")
    assert f"numpyvae exercises check {path} --only {key}" in out and "--anyway" in out
    assert not (tmp_path / "pics").exists()


def test_a_wrong_exercise_trained_anyway_is_named_by_swapping(tmp_path, capsys):
    path = tmp_path / "exercises"
    assert cli.main(["exercises", "init", str(path)]) == 0
    for answer in RIGHT:
        if answer[0] != "ex1_dense.py":
            solve(path, *answer)
    solve(path, "ex1_dense.py", "Dense.backward",  # the PyTorch habit: gradients add up
          'self.grads["W"] += self.x.T @ dout\nself.grads["b"] += dout.sum(axis=0)\n'
          'return dout @ self.params["W"].T')
    lines = []
    outcome = capstone(str(path), anyway=True, dataset="glyph-digits", epochs=1, images=256,
                       test_images=100, out=tmp_path, log=lines.append)
    out = "\n".join(lines)
    assert outcome.status == 1 and outcome.diff > TOLERANCE, out
    assert "training anyway (--anyway), although ex1_dense.py is wrong" in out
    assert outcome.differs == [1], out  # Dense alone makes the difference
    assert "ex1_dense.py (Dense): its weights end" in out
    assert not (tmp_path / "samples.png").exists()  # pictures of a VAE that trains alike only


def test_quick_and_user_errors(capsys, tmp_path):
    code, _, err = run(capsys, "exercises", "train", tmp_path / "nowhere")
    assert code == 2 and "no such folder" in err
    code, _, err = run(capsys, "exercises", "train", tmp_path, "--solutions")
    assert code == 2 and "leave out the folder" in err
