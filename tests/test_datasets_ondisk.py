"""Tests of numpyvae.datasets.ondisk: .npy files written in chunks, read back by rows."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from helpers import hang_guard

from numpyvae.datasets.batching import batches
from numpyvae.datasets.ondisk import NpyRows, save_npy_source, write_npy_source
from numpyvae.errors import DataError

REPO = Path(__file__).resolve().parents[1]


def test_npy_rows_gives_the_same_batches_as_the_array(tmp_path):
    x = np.random.default_rng(0).random((1037, 784), dtype=np.float32)
    path = save_npy_source(x, tmp_path / "x.npy")
    source = NpyRows(path)
    assert len(source) == 1037 and source.shape == (1037, 784)
    assert source.dtype == np.float32
    np.testing.assert_array_equal(np.load(path), x)
    for shuffle in (True, False):
        from_array = batches(x, 100, np.random.default_rng(5), shuffle=shuffle)
        from_file = batches(source, 100, np.random.default_rng(5), shuffle=shuffle)
        from_array, from_file = list(from_array), list(from_file)
        assert len(from_array) == len(from_file) == 11
        for a, b in zip(from_array, from_file):
            assert type(b) is np.ndarray and b.dtype == np.float32 and b.flags.writeable
            assert np.array_equal(a, b)


def test_npy_rows_says_what_it_is(tmp_path):
    path = save_npy_source(np.zeros((3, 5), dtype=np.float32), tmp_path / "x.npy")
    assert repr(NpyRows(path)) == f"NpyRows({str(path)!r}, shape=(3, 5), dtype=float32)"


def test_npy_rows_indexes_like_an_array(tmp_path):
    x = np.random.default_rng(2).random((40, 784)).astype(np.float32)
    source = NpyRows(save_npy_source(x, tmp_path / "x.npy"))
    mask = np.arange(40) % 3 == 0
    for idx in (7, -1, slice(5, 9), slice(None, None, 7), slice(30, 99), slice(9, 5),
                np.array([3, 1, 4, 1, -5]), np.array([[0, 1], [2, 3]]), mask):
        got = source[idx]
        assert got.dtype == np.float32 and np.array_equal(got, x[idx]), idx
    for bad in (40, -41, np.array([0, 40])):
        with pytest.raises(IndexError):
            source[bad]


def test_npy_rows_holds_about_one_batch_in_memory(tmp_path):
    pytest.importorskip("resource")  # measures peak memory, on Unix
    path = tmp_path / "big.npy"
    chunks = (np.full((1000, 784), i, dtype=np.float32) for i in range(32))
    write_npy_source(path, chunks, n_rows=32_000)  # 100 MB
    code = f"""if True:
        import resource, numpy as np
        from numpyvae.datasets.batching import batches
        from numpyvae.datasets.ondisk import NpyRows
        source = NpyRows({str(path)!r})
        source[np.arange(256)]
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        for batch in batches(source, 256, np.random.default_rng(0)):  # 0.8 MB each
            pass
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print((after - before) * {1 if sys.platform == "darwin" else 1024})
    """
    env = dict(os.environ, PYTHONPATH=str(REPO))
    grown = int(subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO, check=True,
                               capture_output=True, text=True).stdout)
    assert grown < 10e6, f"the process grew by {grown / 1e6:.0f} MB reading a 100 MB file"


def test_chunked_writer_makes_the_same_file(tmp_path):
    x = np.random.default_rng(1).random((250, 784), dtype=np.float32)
    save_npy_source(x, tmp_path / "whole.npy")
    chunks = (x[i : i + 33] for i in range(0, 250, 33))
    write_npy_source(tmp_path / "chunked.npy", chunks, n_rows=250, n_cols=784)
    assert (tmp_path / "chunked.npy").read_bytes() == (tmp_path / "whole.npy").read_bytes()
    np.save(tmp_path / "numpy.npy", x)
    assert (tmp_path / "chunked.npy").read_bytes() == (tmp_path / "numpy.npy").read_bytes()


def test_chunked_writer_leaves_nothing_when_rows_do_not_add_up(tmp_path):
    with pytest.raises(ValueError, match="10 rows"):
        write_npy_source(tmp_path / "x.npy", [np.zeros((10, 784))], n_rows=11)
    with pytest.raises(ValueError, match="n_rows"):
        write_npy_source(tmp_path / "x.npy", [np.zeros((10, 784))] * 2, n_rows=11)
    with pytest.raises(ValueError, match="shape"):
        write_npy_source(tmp_path / "x.npy", [np.zeros((10, 5))], n_rows=10)
    assert os.listdir(tmp_path) == []


def test_npy_rows_rejects_bad_files(tmp_path):
    (tmp_path / "junk.npy").write_bytes(b"not a npy file")
    with pytest.raises(DataError, match="junk.npy"):
        NpyRows(tmp_path / "junk.npy")
    np.save(tmp_path / "cube.npy", np.zeros((2, 3, 4), dtype=np.float32))
    with pytest.raises(DataError, match="cube.npy"):
        NpyRows(tmp_path / "cube.npy")
    save_npy_source(np.zeros((100, 784), dtype=np.float32), tmp_path / "cut.npy")
    with open(tmp_path / "cut.npy", "r+b") as f:
        f.truncate(1000)
    with pytest.raises(DataError, match="truncated"):
        NpyRows(tmp_path / "cut.npy")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_npy_rows_refuses_a_fifo_without_blocking(tmp_path):
    fifo = tmp_path / "rows.npy"
    os.mkfifo(fifo)
    with pytest.raises(DataError) as info:
        hang_guard(NpyRows, fifo, fifo=fifo)
    assert "rows.npy" in str(info.value) and "not a regular file" in str(info.value)
    with pytest.raises(DataError, match="not a regular file"):
        NpyRows(tmp_path)  # a directory
