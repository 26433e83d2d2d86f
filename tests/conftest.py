"""Fixtures shared by several test files."""

import os

# One BLAS thread, set before NumPy loads (the demos' subprocesses run so too): the suite's
# products are small, and on a busy machine a second thread waiting for a core stalls each.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import socket

import pytest
from helpers import run_cli


@pytest.fixture
def dead_url():
    """A URL on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def folder(tmp_path, capsys):
    """Fresh skeletons, as ``numpyvae exercises init DIR`` writes them."""
    path = tmp_path / "exercises"
    assert run_cli(capsys, "exercises", "init", path)[0] == 0
    return path


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory):
    """A run folder of a tiny VAE trained on 300 glyph-digits (tests of evaluate and sample)."""
    from numpyvae import cli, datasets

    out = tmp_path_factory.mktemp("tiny") / "run"
    with pytest.MonkeyPatch.context() as mp:
        real = datasets.load_dataset
        mp.setattr(datasets, "load_dataset", lambda name, split="train", data_dir=None:
                   real(name, split, data_dir, n=300 if split == "train" else 100))
        assert cli.main(["train", "--dataset", "glyph-digits", "--hidden", "16",
                         "--latent-dim", "2", "--epochs", "1", "--out", str(out)]) == 0
    return out
