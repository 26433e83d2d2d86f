"""The ``numpyvae`` command: help, exit codes, error messages, and the run folder.

Most tests call ``cli.main(argv)`` in-process with a small slice of the offline data
set glyph-digits (``small_data``), so that a training run takes a fraction of a
second; a few run the real ``python -m numpyvae`` and console script as subprocesses.
"""

import json
import math
import os
import re
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from numpyvae import checkpoint, cli, datasets, runfolder, train
from numpyvae.cli import train_cmd

TINY = ["--dataset", "glyph-digits", "--hidden", "32", "--latent-dim", "2", "--epochs", "1"]


@pytest.fixture
def small_data(monkeypatch):
    """glyph-digits with 600 training and 200 test images instead of 60,000 and 10,000."""
    real = datasets.load_dataset

    def load_small(name, split="train", data_dir=None, seed=0, n=None):
        return real(name, split, data_dir, seed, n=600 if split == "train" else 200)

    monkeypatch.setattr(datasets, "load_dataset", load_small)


def run(capsys, *argv):
    """``numpyvae argv...`` in-process: (exit status, stdout, stderr)."""
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_user_error(code, err, *words):
    """Status 2 and one line 'numpyvae: error: ...' (or argparse's usage + error)."""
    assert code == 2
    assert "Traceback" not in err
    assert "error:" in err
    for word in words:
        assert word in err


# ---- help and the command line ----------------------------------------------------------


@pytest.mark.parametrize(
    "command, words",
    [
        ([], ["train", "evaluate", "sample", "gradcheck"]),
        (["train"], ["--dataset", "--hidden", "--latent-dim", "--epochs", "--resume",
                     "--binarize", "--init", "NUMPYVAE_DATA", "runs/<dataset>-<model>-h<hidden>-z<latent>",
                     "checkpoint.npz", "history.json", "examples:"]),
        (["evaluate"], ["RUN_DIR", "--iw-samples", "--elbo-samples", "eval.json", "bits",
                        "examples:"]),
        (["sample"], ["RUN_DIR", "--n", "--out", "--seed", "samples.png", "pip install matplotlib",
                      "examples:"]),
        (["gradcheck"], ["float64", "exit status", "example:"]),
    ],
)
def test_help_of_each_command_names_its_options(capsys, command, words):
    code, out, _ = run(capsys, *command, "--help")
    assert code == 0
    for word in words:
        assert word in out


def test_version_names_the_folder_the_code_runs_from(capsys):
    import numpyvae

    code, out, _ = run(capsys, "--version")
    assert code == 0
    folder = Path(numpyvae.__file__).resolve().parent
    assert out.strip() == f"numpyvae {cli.__version__} from {folder}"


@pytest.mark.parametrize("argv", [["--bogus"], ["train", "--bogus"], ["frobnicate"], []])
def test_unknown_option_or_command_exits_2(capsys, argv):
    code, _, err = run(capsys, *argv)
    assert_user_error(code, err)


@pytest.mark.parametrize(
    "argv, option",
    [
        (["train", "--epochs", "0"], "--epochs"),
        (["train", "--epochs", "two"], "--epochs"),
        (["train", "--lr", "-1"], "--lr"),
        (["train", "--lr", "nan"], "--lr"),
        (["train", "--batch-size", "0"], "--batch-size"),
        (["train", "--hidden", "400", "0"], "--hidden"),
        (["train", "--latent-dim", "-3"], "--latent-dim"),
        (["train", "--beta", "-0.5"], "--beta"),
        (["train", "--warmup-epochs", "-1"], "--warmup-epochs"),
        (["train", "--seed", "-1"], "--seed"),
        (["train", "--dataset", "cifar"], "--dataset"),
        (["evaluate", "run", "--iw-samples", "-5"], "--iw-samples"),
        (["evaluate", "run", "--elbo-samples", "0"], "--elbo-samples"),
        (["sample", "run", "--n", "0"], "--n"),
    ],
)
def test_bad_values_are_rejected_naming_the_option(capsys, argv, option):
    code, _, err = run(capsys, *argv)
    assert_user_error(code, err, f"argument {option}")


@pytest.mark.parametrize("command", ["evaluate", "sample"])
def test_missing_run_folder_is_one_line_error(capsys, tmp_path, command):
    code, _, err = run(capsys, command, tmp_path / "no-such-run")
    assert_user_error(code, err, "no-such-run")
    assert err.count("\n") == 1 and err.startswith("numpyvae: error: ")


@pytest.mark.parametrize("command", ["evaluate", "sample"])
def test_an_empty_run_folder_name_is_refused_not_the_current_folder(capsys, trained_run,
                                                                   monkeypatch, command):
    monkeypatch.chdir(trained_run)  # '' would be the current folder, a run folder here
    code, _, err = run(capsys, command, "", "--iw-samples" if command == "evaluate" else "--n", "4")
    assert_user_error(code, err, "argument RUN_DIR: must name a folder, got ''")


def test_folder_without_checkpoint_is_not_a_run(capsys, tmp_path):
    code, _, err = run(capsys, "evaluate", tmp_path)
    assert_user_error(code, err, "checkpoint.npz")


def test_corrupt_checkpoint_is_one_line_error(capsys, tmp_path):
    (tmp_path / checkpoint.CHECKPOINT).write_bytes(b"not a zip file")
    code, _, err = run(capsys, "sample", tmp_path)
    assert_user_error(code, err, "checkpoint")
    assert err.count("\n") == 1


def rewrite_checkpoint(path, arrays=None, meta=None, sign=True):
    """Change the arrays (a dict, in place) or the metadata (a dict, returned) of a
    checkpoint, and compute its digest again (``sign``) as a forger would, so that the
    checks behind the digest are what refuses it; ``sign=False`` keeps the old digest."""
    with np.load(path) as npz:
        stored = {k: npz[k] for k in npz.files}
    if meta is not None:
        stored["meta"] = np.array(json.dumps(meta(json.loads(str(stored["meta"])))))
    if arrays is not None:
        arrays(stored)
    if sign:
        stored["digest"] = np.array(json.dumps(checkpoint.digest_of(
            {k: v for k, v in stored.items() if k != "digest"})))
    np.savez(path, **stored)


COMMANDS = {"evaluate": ["evaluate", "{run}", "--iw-samples", "5"], "sample": ["sample", "{run}"],
            "train --resume": ["train", "--out", "{run}", "--resume", "--epochs", "2"]}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("offset,value", [(6, 1), (8, 99)], ids=["encrypted", "compression"])
def test_damaged_zip_headers_are_a_one_line_error(capsys, trained_run, command, offset, value):
    """One flipped field of the first entry's zip headers (the 'encrypted' flag, the
    compression method) is the checkpoint error naming the file, in every command."""
    path = trained_run / checkpoint.CHECKPOINT
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        start = zf.start_dir  # the first central directory entry: its fields 2 bytes on
    data[offset] = data[start + offset + 2] = value
    path.write_bytes(data)
    code, _, err = run(capsys, *[a.format(run=trained_run) for a in COMMANDS[command]])
    assert_user_error(code, err, str(path))
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    "change,words",
    [
        (lambda m: {**m, "settings": {**m["settings"], "batch_size": 1.5}}, ["batch_size"]),
        (lambda m: {**m, "settings": {**m["settings"], "lr": "fast"}}, ["lr"]),
        (lambda m: {**m, "settings": [1]}, ["settings"]),
        (lambda m: {**m, "history": m["history"] * 2}, ["history", "epoch 1"]),
    ],
    ids=["batch_size 1.5", "lr a string", "settings a list", "history too long"],
)
def test_resume_of_damaged_metadata_is_a_one_line_error(capsys, trained_run, change, words):
    rewrite_checkpoint(trained_run / checkpoint.CHECKPOINT, meta=change)
    code, _, err = run(capsys, "train", "--out", trained_run, "--resume", "--epochs", "2")
    assert_user_error(code, err, str(trained_run / checkpoint.CHECKPOINT), *words)


@pytest.mark.parametrize("dtype", [np.int64, np.complex64, bool])
def test_evaluate_refuses_parameters_that_are_not_floats(capsys, trained_run, dtype):
    def cast(arrays):
        arrays["param/decoder.out.b"] = arrays["param/decoder.out.b"].astype(dtype)

    rewrite_checkpoint(trained_run / checkpoint.CHECKPOINT, arrays=cast)
    code, out, err = run(capsys, "evaluate", trained_run, "--iw-samples", "5")
    assert_user_error(code, err, "decoder.out.b")
    assert "nan" not in out


# ---- train ------------------------------------------------------------------------------


def test_train_writes_checkpoint_and_history(capsys, tmp_path, small_data):
    out_dir = tmp_path / "run"
    code, out, err = run(capsys, "train", *TINY, "--out", out_dir)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("glyph-digits: 600 train / 200 test images")
    assert "784-32-2" in lines[0] and "parameters" in lines[0] and str(out_dir) in lines[0]
    assert any(line.startswith("epoch   1  train") for line in lines)
    assert (out_dir / "checkpoint.npz").is_file()
    history = json.loads((out_dir / "history.json").read_text())
    assert [h["epoch"] for h in history] == [1]
    assert str(out_dir / "checkpoint.npz") in out and str(out_dir / "history.json") in out
    model, _, meta = checkpoint.load_checkpoint(out_dir)
    assert model.config.hidden_dims == (32,) and model.config.latent_dim == 2
    assert meta["settings"]["extra"]["dataset"] == "glyph-digits"


def test_train_default_run_folder_is_named_after_the_run(capsys, tmp_path, monkeypatch,
                                                         small_data):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "train", *TINY)
    assert code == 0, err
    assert (tmp_path / "runs" / "glyph-digits-vae-h32-z2-relu-b1" / "checkpoint.npz").is_file()


def test_train_refuses_to_overwrite_a_run(capsys, tmp_path, small_data):
    out_dir = tmp_path / "run"
    assert run(capsys, "train", *TINY, "--out", out_dir)[0] == 0
    before = (out_dir / "checkpoint.npz").read_bytes()
    code, _, err = run(capsys, "train", *TINY, "--out", out_dir)
    assert_user_error(code, err, "--resume", "--out", "epoch 1")
    assert (out_dir / "checkpoint.npz").read_bytes() == before


def test_resume_extends_epochs_as_one_uninterrupted_run(capsys, tmp_path, small_data):
    two_steps, one_go = tmp_path / "a", tmp_path / "b"
    assert run(capsys, "train", *TINY, "--out", two_steps)[0] == 0
    code, out, err = run(capsys, "train", "--out", two_steps, "--resume", "--epochs", "2")
    assert code == 0, err
    assert "resuming" in out and "epoch   2" in out
    assert run(capsys, "train", *TINY[:-1], "2", "--out", one_go)[0] == 0
    history = json.loads((two_steps / "history.json").read_text())
    assert [h["epoch"] for h in history] == [1, 2]
    resumed, _, meta = checkpoint.load_checkpoint(two_steps)
    direct, _, _ = checkpoint.load_checkpoint(one_go)
    assert meta["epoch"] == 2
    for name, w in direct.params.items():
        np.testing.assert_array_equal(resumed.params[name], w, err_msg=name)


def test_resume_takes_the_model_from_the_checkpoint(capsys, tmp_path, small_data):
    out_dir = tmp_path / "run"
    assert run(capsys, "train", *TINY, "--out", out_dir)[0] == 0
    # options that agree with the run are fine; the model options come from the checkpoint
    code, out, err = run(capsys, "train", "--out", out_dir, "--resume", "--epochs", "2",
                         "--latent-dim", "2")
    assert code == 0, err
    assert "784-32-2" in out


def test_resume_with_conflicting_options_names_them(capsys, tmp_path, small_data):
    out_dir = tmp_path / "run"
    assert run(capsys, "train", *TINY, "--out", out_dir)[0] == 0
    code, _, err = run(capsys, "train", "--out", out_dir, "--resume", "--epochs", "2",
                       "--latent-dim", "5", "--lr", "0.01")
    assert_user_error(code, err, "--latent-dim 5 (the run has 2)", "--lr 0.01 (the run has 0.001)")


def test_resume_needs_more_epochs_than_done(capsys, tmp_path, small_data):
    out_dir = tmp_path / "run"
    assert run(capsys, "train", *TINY, "--out", out_dir)[0] == 0
    code, _, err = run(capsys, "train", "--out", out_dir, "--resume")
    assert_user_error(code, err, "--epochs")


def test_resume_without_checkpoint_is_an_error(capsys, tmp_path, small_data):
    code, _, err = run(capsys, "train", *TINY, "--out", tmp_path / "new", "--resume")
    assert_user_error(code, err, "no checkpoint.npz")


def test_interrupt_reports_the_last_checkpoint(capsys, tmp_path, small_data, monkeypatch):
    real_fit = train.fit

    def fit_interrupted_in_epoch_2(*args, **kwargs):
        def log(line):
            print(line)
            if line.startswith("epoch   2"):  # before epoch 2's checkpoint is written
                raise KeyboardInterrupt

        return real_fit(*args, **{**kwargs, "log": log})

    monkeypatch.setattr(train, "fit", fit_interrupted_in_epoch_2)
    out_dir = tmp_path / "run"
    code, _, err = run(capsys, "train", *TINY[:-1], "3", "--out", out_dir)
    assert code == 130
    assert f"interrupted; the last checkpoint (epoch 1) is in {out_dir}" in err
    assert "Traceback" not in err


def test_interrupt_in_the_first_epoch_says_nothing_was_saved(capsys, tmp_path, small_data,
                                                             monkeypatch):
    def fit_interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(train, "fit", fit_interrupted)
    code, _, err = run(capsys, "train", *TINY, "--out", tmp_path / "run")
    assert code == 130
    assert "no checkpoint" in err and "Traceback" not in err


def test_data_that_cannot_be_read_leaves_no_run_folder(capsys, tmp_path, monkeypatch, dead_url):
    monkeypatch.setenv("NUMPYVAE_MIRROR", dead_url)
    out_dir = tmp_path / "runs" / "mnist"
    code, _, err = run(capsys, "train", "--dataset", "mnist", "--data-dir", tmp_path / "empty",
                       "--out", out_dir)
    assert code == 2
    assert "t10k-images-idx3-ubyte.gz" in err  # the test files are named with the others
    assert not (tmp_path / "runs").exists()


def test_data_dir_is_stored_absolute(capsys, tmp_path, small_data, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "train", *TINY, "--data-dir", "cache", "--out", "run")[0] == 0
    _, _, meta = checkpoint.load_checkpoint(tmp_path / "run")
    assert meta["settings"]["extra"]["data_dir"] == str((tmp_path / "cache").resolve())


# ---- evaluate and sample ----------------------------------------------------------------


@pytest.fixture
def trained_run(capsys, tmp_path, small_data):
    out_dir = tmp_path / "run"
    code, _, err = run(capsys, "train", *TINY, "--out", out_dir)
    assert code == 0, err
    return out_dir


def test_evaluate_writes_eval_json(capsys, trained_run):
    code, out, err = run(capsys, "evaluate", trained_run, "--iw-samples", "50",
                         "--elbo-samples", "10")
    assert code == 0, err
    assert "nats per image" in out and "bits/dim" in out
    assert "-L_50 (Eq. 11), an importance-weighted upper bound on -log p(x)" in out
    assert "-log p(x), importance" not in out  # not -log p(x) itself: a bound on it
    [result] = json.loads((trained_run / "eval.json").read_text())["evaluations"]
    for key in ("dataset", "images", "epoch", "test_neg_elbo", "test_nll_iw", "iw_samples",
                "bits_per_dim"):
        assert key in result, key
    assert result["dataset"] == "glyph-digits" and result["images"] == 200
    assert result["epoch"] == 1 and result["iw_samples"] == 50
    assert all(math.isfinite(result[k]) for k in ("test_neg_elbo", "test_neg_elbo_avg",
                                                   "test_nll_iw", "bits_per_dim"))
    # Eq. (11): K importance samples give a tighter bound than the ELBO (in expectation)
    assert result["test_nll_iw"] <= result["test_neg_elbo_avg"] + 0.5
    assert result["bits_per_dim"] == pytest.approx(result["test_nll_iw"] / (784 * math.log(2)))


def test_evaluate_binarized_run_on_binarized_test_images(capsys, tmp_path, small_data):
    out_dir = tmp_path / "binary"
    assert run(capsys, "train", *TINY, "--binarize", "dynamic", "--out", out_dir)[0] == 0
    code, out, err = run(capsys, "evaluate", out_dir, "--iw-samples", "5")
    assert code == 0, err
    assert "binarized" in out
    [result] = json.loads((out_dir / "eval.json").read_text())["evaluations"]
    assert result["test_pixels"] == "binarized"


def test_evaluate_autoencoder_run_is_user_error(capsys, tmp_path, small_data):
    out_dir = tmp_path / "ae"
    code, out, _ = run(capsys, "train", *TINY, "--model", "ae", "--out", out_dir)
    assert code == 0
    assert f"next:       numpyvae sample {out_dir}\n" in out  # and not evaluate
    code, _, err = run(capsys, "evaluate", out_dir, "--iw-samples", "5")
    assert_user_error(code, err, "AutoEncoder")
    assert not (out_dir / "eval.json").exists()


def test_sample_writes_png(capsys, trained_run, tmp_path):
    pytest.importorskip("matplotlib")
    png = tmp_path / "pictures" / "grid.png"
    png.parent.mkdir()
    code, out, err = run(capsys, "sample", trained_run, "--n", "9", "--out", png)
    assert code == 0, err
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert str(png) in out


def test_sample_default_file_is_in_the_run_folder(capsys, trained_run):
    pytest.importorskip("matplotlib")
    code, _, err = run(capsys, "sample", trained_run, "--n", "4")
    assert code == 0, err
    assert (trained_run / "samples.png").is_file()


def test_sample_without_matplotlib_says_what_to_install(capsys, trained_run, tmp_path,
                                                        monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    code, _, err = run(capsys, "sample", trained_run, "--out", tmp_path / "x.png")
    assert_user_error(code, err, "pip install matplotlib")


# ---- the real command, as a subprocess --------------------------------------------------


def test_python_m_numpyvae_gradcheck_passes():
    proc = subprocess.run([sys.executable, "-m", "numpyvae", "gradcheck"],
                          check=False, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = [line for line in proc.stdout.splitlines() if line.endswith(" ok")]
    assert len(rows) > 10
    assert proc.stdout.splitlines()[-1] == f"all {len(rows)} gradients within their bounds"


def test_console_script_error_is_one_line_without_traceback(tmp_path):
    script = Path(sys.executable).with_name("numpyvae")
    if not script.exists():
        pytest.skip("the numpyvae console script is not installed beside this Python")
    proc = subprocess.run([str(script), "evaluate", str(tmp_path / "missing")],
                          check=False, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith("numpyvae: error: ") and proc.stderr.count("\n") == 1


def test_python_m_numpyvae_rejects_bad_number():
    proc = subprocess.run([sys.executable, "-m", "numpyvae", "train", "--epochs", "0"],
                          check=False, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "argument --epochs: must be a positive integer" in proc.stderr
    assert "Traceback" not in proc.stderr


# ---- one run per folder, signals, and a run's own files ---------------------------------


TRAIN_CHILD = """
import sys
from numpyvae import cli, datasets
real = datasets.load_dataset
datasets.load_dataset = lambda name, split="train", data_dir=None, seed=0, n=None: real(
    name, split, data_dir, seed, n=600 if split == "train" else 200)
raise SystemExit(cli.main(sys.argv[1:]))
"""


def start_training(out):
    """A real ``numpyvae train`` process (on the 600 glyph-digits of small_data) that goes on
    for ever."""
    return subprocess.Popen(
        [sys.executable, "-c", TRAIN_CHILD, "train", "--dataset", "glyph-digits", "--hidden",
         "8", "--latent-dim", "2", "--epochs", "100000", "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_epoch(process, epoch):
    """Read the process's stdout up to the line of ``epoch`` (printed as it ends)."""
    for line in process.stdout:
        if line.startswith(f"epoch {epoch:3d}"):
            return
    pytest.fail(f"the training process ended: {process.wait()} {process.stderr.read()}")


def snapshot(folder):
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


@pytest.mark.skipif(sys.platform == "win32", reason="flock, SIGSTOP and SIGKILL")
def test_a_second_train_on_a_folder_in_use_touches_nothing_and_a_killed_run_leaves_no_lock(
        capsys, tmp_path, small_data):
    out = tmp_path / "run"
    holder = start_training(out)
    try:
        wait_for_epoch(holder, 2)  # printed before its checkpoint: epoch 1's is written
        holder.send_signal(signal.SIGSTOP)  # still holding the folder, writing nothing
        before = snapshot(out)
        second = subprocess.run([sys.executable, "-m", "numpyvae", "train", "--dataset",
                                 "glyph-digits", "--out", str(out)],
                                check=False, capture_output=True, text=True, timeout=120)
        assert snapshot(out) == before
    finally:
        holder.kill()  # SIGKILL: nothing of it runs again
        holder.wait()
    assert second.returncode == 2 and second.stdout == ""
    assert second.stderr == (f"numpyvae: error: {out} is in use: PID {holder.pid}, numpyvae "
                             f"train holds it ({out / runfolder.LOCK}); wait until it ends, "
                             "or choose another --out\n")
    done = checkpoint.read_run(out).epoch  # the killed run's last checkpoint: whole
    code, printed, err = run(capsys, "train", "--out", out, "--resume", "--epochs", done + 1)
    assert code == 0, err  # no lock was left behind
    assert f"epoch {done + 1:3d}" in printed and not (out / runfolder.LOCK).exists()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM as on POSIX")
def test_sigterm_ends_train_like_ctrl_c_with_one_line_and_status_143(tmp_path):
    out = tmp_path / "run"
    process = start_training(out)
    try:
        wait_for_epoch(process, 2)
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=120)
    finally:
        process.kill()
    assert process.returncode == 143, err
    match = re.fullmatch(r"terminated \(SIGTERM\); the last checkpoint \(epoch (\d+)\) is in "
                         rf"{re.escape(str(out))} \(continue it with: numpyvae train --out "
                         rf"{re.escape(str(out))} --resume\)\n", err)
    assert match, err
    record = checkpoint.read_run(out)  # whole, and the epoch said (its line is printed
    assert record.epoch == int(match[1]) >= 1  # before its checkpoint is written)
    assert len(json.loads((out / "history.json").read_text())) in (record.epoch - 1, record.epoch)
    assert not (out / runfolder.LOCK).exists()


@pytest.mark.parametrize("command", [
    ["evaluate", "{run}", "--iw-samples", "5"], ["sample", "{run}", "--n", "4"],
    ["train", "--out", "{run}", "--resume"], ["train", *TINY, "--out", "{run}"]],
    ids=["evaluate", "sample", "train --resume of a finished run", "train over a run"])
def test_reading_a_finished_run_repairs_a_history_json_left_behind(capsys, trained_run,
                                                                   command):
    if command[0] == "sample":
        pytest.importorskip("matplotlib")
    history = trained_run / "history.json"
    whole = history.read_text()
    history.write_text("[]")  # killed right after the last epoch's checkpoint
    code, _, err = run(capsys, *[a.format(run=trained_run) for a in command])
    assert code == (0 if command[0] != "train" else 2), err
    assert f"note: {history} repaired: it now holds the 1 epochs of the checkpoint" in err
    assert history.read_text() == whole


def test_eval_json_keeps_a_result_per_data_set_and_k(capsys, trained_run):
    for k in (5, 10):
        assert run(capsys, "evaluate", trained_run, "--iw-samples", k)[0] == 0
    results = json.loads((trained_run / "eval.json").read_text())["evaluations"]
    assert [r["iw_samples"] for r in results] == [5, 10]
    code, out, _ = run(capsys, "evaluate", trained_run, "--iw-samples", "5", "--seed", "1")
    assert code == 0 and "replacing its result for glyph-digits with K = 5 (epoch 1, seed 0)" in out
    results = json.loads((trained_run / "eval.json").read_text())["evaluations"]
    assert [(r["iw_samples"], r["seed"]) for r in results] == [(5, 1), (10, 0)]


@pytest.mark.parametrize("argv, usage, match", [
    (["train", "--epoch", "2"], "usage: numpyvae train ", "--epochs"),
    (["train", "--datset", "mnist"], "usage: numpyvae train ", "--dataset"),
    (["evaluate", "run", "--iw-sample", "5"], "usage: numpyvae evaluate ", "--iw-samples"),
    (["trian"], "usage: numpyvae ", "train"),
    (["train", "--dataset", "mnsit"], "usage: numpyvae train ", "mnist"),
    (["evaluate", "run", "--iw", "5"], "usage: numpyvae evaluate ", "--iw-samples"),
    (["train", "--warm", "1"], "usage: numpyvae train ", "--warmup-epochs"),
    (["--vers"], "usage: numpyvae ", "--version"),
], ids=["--epoch", "--datset", "--iw-sample", "trian", "mnsit", "--iw", "--warm", "--vers"])
def test_no_abbreviations_and_a_close_match_for_what_was_mistyped(capsys, argv, usage, match):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith(usage) and err.endswith(f" (did you mean {match}?)\n")


def test_out_empty_is_refused(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "train", *TINY, "--out", "")
    assert_user_error(code, err, "argument --out: must name a folder, got ''")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("argv", [["train", *TINY], ["evaluate", "run"],
                                  ["exercises", "train"]], ids=["train", "evaluate", "exercises"])
def test_data_dir_empty_is_refused_not_the_current_folder(capsys, tmp_path, monkeypatch, argv):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, *argv, "--data-dir", " ")
    assert_user_error(code, err, "argument --data-dir: must name a folder, got ' '")
    assert os.listdir(tmp_path) == []


def test_exercises_train_out_empty_is_refused(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "exercises", "train", "--out", "")
    assert_user_error(code, err, "argument --out: must name a folder, got ''")


def test_the_default_out_names_every_choice_of_the_model():
    """Runs that differ in any choice of the model get folders of their own."""
    folders = []
    for extra in ([], ["--hidden", "16"], ["--hidden", "16", "8"], ["--activation", "tanh"],
                  ["--beta", "4"], ["--latent-dim", "5"], ["--model", "ae"],
                  ["--binarize", "dynamic"], ["--init", "he"], ["--seed", "3"]):
        args = cli.build_parser().parse_args(["train", "--dataset", "glyph-digits", *extra])
        folders.append(str(train_cmd.default_out(args)))
    assert folders == [f"runs/glyph-digits-{name}" for name in (
        "vae-h400-z20-relu-b1", "vae-h16-z20-relu-b1", "vae-h16x8-z20-relu-b1",
        "vae-h400-z20-tanh-b1", "vae-h400-z20-relu-b4", "vae-h400-z5-relu-b1",
        "ae-h400-z20-relu", "vae-h400-z20-relu-b1-dynamic", "vae-h400-z20-relu-b1-he",
        "vae-h400-z20-relu-b1-seed3")]


@pytest.mark.parametrize("beta, name", [("1.0000001", "b1.0000001"), ("0.1234567", "b0.1234567"),
                                        ("-0.0", "b0"), ("0.5", "b0.5"), ("1e-300", "b1e-300")])
def test_the_default_out_never_names_two_betas_alike(beta, name):
    args = cli.build_parser().parse_args(["train", "--beta", beta])
    assert str(train_cmd.default_out(args)) == f"runs/mnist-vae-h400-z20-relu-{name}"


def test_a_warm_up_longer_than_the_run_is_refused(capsys, tmp_path, small_data):
    code, _, err = run(capsys, "train", *TINY, "--warmup-epochs", "1e308", "--out",
                       tmp_path / "run")
    assert_user_error(code, err, "--warmup-epochs 1e+308 is longer than the run (1 epochs)")
    assert err.count("\n") == 1 and os.listdir(tmp_path) == []


def test_a_batch_larger_than_the_data_is_said(capsys, tmp_path, small_data):
    code, _, err = run(capsys, "train", *TINY, "--batch-size", "100000", "--out",
                         tmp_path / "run")
    assert code == 0, err
    assert "note: batches of 100000 are more than the 600 training images: each epoch is " \
           "one step on all of them\n" in err


def test_resume_refuses_an_optimizer_step_count_this_run_did_not_save(capsys, trained_run):
    def one_step_more(arrays):
        arrays["optim/t"] = arrays["optim/t"] + 1

    rewrite_checkpoint(trained_run / train.CHECKPOINT, arrays=one_step_more)
    code, _, err = run(capsys, "train", "--out", trained_run, "--resume", "--epochs", "2")
    assert_user_error(code, err, "optim/t (the optimizer's step count) is 6, but 1 epochs of "
                      "5 steps (600 images in batches of 128) make 5")


def test_resume_refuses_a_checkpoint_of_another_run(capsys, tmp_path, trained_run):
    other = tmp_path / "other"
    assert run(capsys, "train", *TINY, "--out", other)[0] == 0
    history = (trained_run / "history.json").read_bytes()
    (trained_run / train.CHECKPOINT).write_bytes((other / train.CHECKPOINT).read_bytes())
    code, _, err = run(capsys, "train", "--out", trained_run, "--resume", "--epochs", "2")
    assert_user_error(code, err, "belongs to another run")
    assert err.count("\n") == 1 and (trained_run / "history.json").read_bytes() == history


def test_metadata_edited_by_hand_is_a_one_line_error(capsys, trained_run):
    tanh = lambda m: {**m, "config": {**m["config"], "activation": "tanh"}}
    rewrite_checkpoint(trained_run / train.CHECKPOINT, meta=tanh, sign=False)
    code, out, err = run(capsys, "evaluate", trained_run, "--iw-samples", "5")
    assert_user_error(code, err, "does not match its own digest: the metadata changed")
    assert err.count("\n") == 1 and out == ""


def test_a_checkpoint_of_format_1_is_evaluated_with_a_note(capsys, trained_run):
    (trained_run / "run.json").unlink()
    old = lambda m: {**{k: v for k, v in m.items() if k != "run_id"}, "format": 1}
    rewrite_checkpoint(trained_run / train.CHECKPOINT, meta=old, sign=False)
    with np.load(trained_run / train.CHECKPOINT) as npz:
        arrays = {k: npz[k] for k in npz.files if k != "digest"}
    np.savez(trained_run / train.CHECKPOINT, **arrays)
    code, _, err = run(capsys, "evaluate", trained_run, "--iw-samples", "5")
    assert code == 0, err
    assert "was written before checkpoints carried a digest" in err


def test_sample_into_a_folder_that_does_not_exist_is_refused(capsys, trained_run, tmp_path):
    code, _, err = run(capsys, "sample", trained_run, "--out", tmp_path / "typo" / "x.png")
    assert_user_error(code, err, f"there is no folder {tmp_path / 'typo'}")
    assert err.count("\n") == 1 and not (tmp_path / "typo").exists()
