"""Fixtures shared by several test files."""

import os

# One BLAS thread, set before NumPy loads (the demos' subprocesses run so too): the suite's
# products are small, and on a busy machine a second thread waiting for a core stalls each.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import inspect
import shutil
import socket
import tempfile
from pathlib import Path

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


@pytest.hookimpl(trylast=True)  # after -k and --deselect have chosen the tests
def pytest_collection_modifyitems(session, config, items):
    """The demos' quick runs (tests/test_demos.py) that the selected tests read start in the
    background now, and those tests run last: the runs and the rest of the suite share the
    2 cores."""
    readers = [item for item in items if "quick" in getattr(item, "fixturenames", ())]
    if not readers:
        return
    from test_demos import EXPECTED, QuickRuns

    names = {name for item in readers for name in EXPECTED
             if f"[{name}]" in item.nodeid or f'quick("{name}")' in inspect.getsource(item.function)}
    items[:] = [item for item in items if item not in readers] + readers
    config.quick_runs = QuickRuns(Path(tempfile.mkdtemp(prefix="numpyvae-quick-")))
    config.quick_runs.start(sorted(names))


def pytest_unconfigure(config):
    runs = getattr(config, "quick_runs", None)
    if runs is not None:
        runs.stop()
        if runs.worker is not None:
            runs.worker.join(timeout=10)
        shutil.rmtree(runs.root, ignore_errors=True)
