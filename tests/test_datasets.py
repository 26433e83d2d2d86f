"""Tests of numpyvae.datasets: IDX files, download, loaders, glyph-digits, batches."""

from __future__ import annotations

import functools
import gzip
import hashlib
import http.server
import os
import struct
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from numpyvae import datasets
from numpyvae.datasets import (
    BINARIZE_MODES,
    DATASETS,
    MIRRORS,
    SHA256,
    MemmapSource,
    batches,
    binarize,
    default_data_dir,
    download,
    fetch,
    load_dataset,
    load_fashion_mnist,
    load_mnist,
    make_glyph_digits,
    mirror_urls,
    read_idx,
    save_npy_source,
    write_idx,
    write_npy_source,
)
from numpyvae.errors import DataError

REPO = Path(__file__).resolve().parents[1]


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def idx_bytes(code: int, shape: tuple[int, ...], payload: bytes) -> bytes:
    """An IDX file built by hand: magic, dimension sizes, payload."""
    return bytes([0, 0, code, len(shape)]) + struct.pack(f">{len(shape)}I", *shape) + payload


# ---------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------


def test_import_loads_neither_matplotlib_nor_data():
    code = (
        "import sys, numpyvae.datasets as d; "
        "assert 'matplotlib' not in sys.modules; "
        "assert d._glyph_fields.cache_info().currsize == 0"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO))
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=REPO)


# ---------------------------------------------------------------------------
# IDX files
# ---------------------------------------------------------------------------

IDX_DTYPES = [np.uint8, np.int8, ">i2", "<i2", ">i4", "<i4", ">f4", "<f4", ">f8", "<f8"]


@settings(max_examples=60, deadline=None)
@given(
    array=hnp.arrays(
        dtype=st.sampled_from(IDX_DTYPES).map(np.dtype),
        shape=hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=5),
    ),
    compressed=st.booleans(),
)
def test_idx_round_trip(array, compressed):
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / ("a.idx.gz" if compressed else "a.idx")
        write_idx(path, array)
        back = read_idx(path)
        assert back.shape == array.shape
        assert back.dtype == array.dtype.newbyteorder("=")
        assert back.dtype.isnative
        # Compare bytes so that NaNs (and -0.0) must come back exactly too.
        assert back.tobytes() == array.astype(back.dtype).tobytes()
        assert (path.read_bytes()[:2] == b"\x1f\x8b") == compressed
        assert os.listdir(directory) == [path.name]  # no temporary file left


def test_read_idx_detects_gzip_by_content_not_name(tmp_path):
    array = np.arange(12, dtype=np.int32).reshape(3, 4)
    write_idx(tmp_path / "a.gz", array)
    os.replace(tmp_path / "a.gz", tmp_path / "plain-name")
    np.testing.assert_array_equal(read_idx(tmp_path / "plain-name"), array)
    write_idx(tmp_path / "raw", array)
    os.replace(tmp_path / "raw", tmp_path / "raw.gz")  # named .gz, not compressed
    np.testing.assert_array_equal(read_idx(tmp_path / "raw.gz"), array)


def test_write_idx_matches_the_mnist_layout(tmp_path):
    labels = np.array([7, 2, 1], dtype=np.uint8)
    write_idx(tmp_path / "labels", labels)
    assert (tmp_path / "labels").read_bytes() == b"\x00\x00\x08\x01\x00\x00\x00\x03\x07\x02\x01"


def test_write_idx_rejects_types_it_cannot_store(tmp_path):
    for bad in (np.zeros(3, dtype=np.int64), np.zeros(3, dtype=bool), np.float32(1.0)):
        with pytest.raises(ValueError):
            write_idx(tmp_path / "x.idx", bad)
    assert os.listdir(tmp_path) == []


GOOD_PAYLOAD = bytes(range(12))
MALFORMED = {
    "bad magic": (b"\x01\x02\x08\x01" + struct.pack(">I", 12) + GOOD_PAYLOAD, "magic"),
    "unknown type": (b"\x00\x00\x07\x01" + struct.pack(">I", 12) + GOOD_PAYLOAD, "type code"),
    "too short": (b"\x00\x00", "truncated header"),
    "truncated header": (b"\x00\x00\x08\x03" + struct.pack(">I", 12), "truncated header"),
    "no dimensions": (b"\x00\x00\x08\x00", "dimensions"),
    "truncated payload": (idx_bytes(0x08, (3, 4), GOOD_PAYLOAD[:5]), "truncated"),
    "truncated float payload": (idx_bytes(0x0D, (3,), b"\x00" * 11), "expected 12 bytes"),
    "trailing bytes": (idx_bytes(0x08, (3, 4), GOOD_PAYLOAD + b"xy"), "2 trailing bytes"),
}


@pytest.mark.parametrize("compressed", [False, True], ids=["raw", "gz"])
@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_idx_raises_data_error_naming_the_file(tmp_path, case, compressed):
    content, problem = MALFORMED[case]
    path = tmp_path / f"t10k-broken-{case.replace(' ', '-')}"
    path.write_bytes(gzip.compress(content) if compressed else content)
    with pytest.raises(DataError) as info:
        read_idx(path)
    assert path.name in str(info.value)
    assert problem in str(info.value)


def test_truncated_payload_message_gives_both_sizes(tmp_path):
    path = tmp_path / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(idx_bytes(0x08, (10000, 28, 28), b"\x00" * 1234)))
    with pytest.raises(DataError, match=r"t10k-images-idx3-ubyte\.gz: truncated: "
                       r"expected 7840000 bytes .*found 1234"):
        read_idx(path)


@pytest.mark.parametrize("damage", ["cut short", "flipped bytes"])
def test_corrupt_gzip_raises_data_error(tmp_path, damage):
    good = gzip.compress(idx_bytes(0x08, (100,), bytes(range(100))))
    bad = good[: len(good) // 2] if damage == "cut short" else (
        good[:12] + bytes(b ^ 0xFF for b in good[12:-8]) + good[-8:])
    path = tmp_path / "train-labels-idx1-ubyte.gz"
    path.write_bytes(bad)
    with pytest.raises(DataError, match=r"train-labels-idx1-ubyte\.gz: corrupt gzip"):
        read_idx(path)


def test_missing_file_raises_data_error(tmp_path):
    with pytest.raises(DataError, match="nothing-here"):
        read_idx(tmp_path / "nothing-here")


# ---------------------------------------------------------------------------
# Data directory and mirrors
# ---------------------------------------------------------------------------


def test_default_data_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("NUMPYVAE_DATA", str(tmp_path / "data"))
    assert default_data_dir() == tmp_path / "data"
    monkeypatch.delenv("NUMPYVAE_DATA")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert default_data_dir() == tmp_path / "cache" / "numpyvae"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_data_dir() == tmp_path / "home" / ".cache" / "numpyvae"


def test_checksum_table_and_mirrors_cover_every_file():
    for dataset in ("mnist", "fashion-mnist"):
        for names in datasets.SPLIT_FILES.values():
            for name in names:
                assert len(SHA256[f"{dataset}/{name}"]) == 64
    assert len(SHA256) == 8
    assert not any("lecun.com" in url for urls in MIRRORS.values() for url in urls)


def test_mirror_urls_default_and_override(monkeypatch):
    monkeypatch.delenv("NUMPYVAE_MIRROR", raising=False)
    assert mirror_urls("mnist", "f.gz") == [
        "https://ossci-datasets.s3.amazonaws.com/mnist/f.gz",
        "https://storage.googleapis.com/cvdf-datasets/mnist/f.gz",
    ]
    monkeypatch.setenv("NUMPYVAE_MIRROR", " http://a/x/, http://b/y \n http://c ")
    assert mirror_urls("fashion-mnist", "f.gz") == [
        "http://a/x/f.gz", "http://b/y/f.gz", "http://c/f.gz"]


# ---------------------------------------------------------------------------
# Download, against a local HTTP server
# ---------------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def server(tmp_path):
    """A web server on 127.0.0.1 serving the directory `root`; yields (root, base URL)."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def test_download_verifies_and_stores_the_file(server, tmp_path, capsys):
    root, base = server
    (root / "file.bin").write_bytes(b"some data" * 1000)
    dest = tmp_path / "cache" / "sub" / "file.bin"
    got = download(f"{base}/file.bin", dest, sha256_of(root / "file.bin"))
    assert got == dest
    assert dest.read_bytes() == b"some data" * 1000
    assert os.listdir(dest.parent) == ["file.bin"]
    assert capsys.readouterr().err == f"downloading {base}/file.bin\n"


def test_download_with_wrong_checksum_leaves_nothing_behind(server, tmp_path):
    root, base = server
    (root / "file.bin").write_bytes(b"corrupted on the mirror")
    dest = tmp_path / "cache" / "file.bin"
    with pytest.raises(DataError, match="checksum mismatch"):
        download(f"{base}/file.bin", dest, hashlib.sha256(b"the real data").hexdigest())
    assert os.listdir(dest.parent) == []


def test_download_tries_the_next_mirror(server, dead_url, tmp_path, capsys):
    root, base = server
    (root / "file.bin").write_bytes(b"payload")
    dest = tmp_path / "file.bin"
    urls = [f"{dead_url}/file.bin", f"{base}/missing.bin", f"{base}/file.bin"]
    download(urls, dest, hashlib.sha256(b"payload").hexdigest())
    assert dest.read_bytes() == b"payload"
    assert capsys.readouterr().err.splitlines() == [f"downloading {url}" for url in urls]


def test_download_reports_what_every_mirror_said(server, dead_url, tmp_path):
    root, base = server
    (root / "file.bin").write_bytes(b"wrong bytes")
    urls = [f"{dead_url}/file.bin", f"{base}/missing.bin", f"{base}/file.bin"]
    with pytest.raises(DataError) as info:
        download(urls, tmp_path / "file.bin", hashlib.sha256(b"payload").hexdigest())
    message = str(info.value)
    assert "refused" in message.lower()
    assert "HTTP 404" in message
    assert "checksum mismatch" in message
    assert os.listdir(tmp_path) == ["www"]


def fake_mnist(root: Path, monkeypatch, n: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """Write small MNIST-like train files under root/mnist and trust their checksums."""
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    images[0, 0, 0], images[0, 0, 1] = 0, 255
    labels = rng.integers(0, 10, size=n, dtype=np.uint8)
    (root / "mnist").mkdir(parents=True, exist_ok=True)
    for name, array in zip(datasets.SPLIT_FILES["train"], (images, labels)):
        write_idx(root / "mnist" / name, array)
        monkeypatch.setitem(SHA256, f"mnist/{name}", sha256_of(root / "mnist" / name))
    return images, labels


def test_load_mnist_downloads_from_numpyvae_mirror(server, dead_url, tmp_path, monkeypatch):
    root, base = server
    images, labels = fake_mnist(root, monkeypatch)
    monkeypatch.setenv("NUMPYVAE_MIRROR", f"{dead_url}/mnist, {base}/mnist/")
    cache = tmp_path / "cache"
    x, y = load_mnist("train", data_dir=cache)
    assert x.dtype == np.float32 and x.shape == (30, 784)
    assert y.dtype == np.int64 and y.shape == (30,)
    np.testing.assert_array_equal(x, images.reshape(30, 784) / np.float32(255))
    assert x.min() == 0.0 and x.max() == 1.0
    np.testing.assert_array_equal(y, labels)
    assert sorted(os.listdir(cache / "mnist")) == sorted(datasets.SPLIT_FILES["train"])
    # Once cached, no network is needed: with every mirror dead it still loads.
    monkeypatch.setenv("NUMPYVAE_MIRROR", dead_url)
    x2, _ = load_mnist("train", data_dir=cache)
    np.testing.assert_array_equal(x2, x)
    assert fetch("mnist", "train-labels-idx1-ubyte.gz", cache).exists()


def test_fetch_uses_default_data_dir(server, tmp_path, monkeypatch):
    root, base = server
    fake_mnist(root, monkeypatch)
    monkeypatch.setenv("NUMPYVAE_MIRROR", f"{base}/mnist")
    monkeypatch.setenv("NUMPYVAE_DATA", str(tmp_path / "data"))
    path = fetch("mnist", "train-labels-idx1-ubyte.gz")
    assert path == tmp_path / "data" / "mnist" / "train-labels-idx1-ubyte.gz"
    assert path.read_bytes() == (root / "mnist" / path.name).read_bytes()


def test_offline_without_cache_names_missing_files_and_the_offline_data_set(
        dead_url, tmp_path, monkeypatch):
    monkeypatch.setenv("NUMPYVAE_MIRROR", f"{dead_url}/a {dead_url}/b")
    cache = tmp_path / "cache"
    with pytest.raises(DataError) as info:
        load_mnist("test", data_dir=cache)
    message = str(info.value)
    for name in datasets.SPLIT_FILES["test"] + datasets.SPLIT_FILES["train"]:
        assert str(cache / "mnist" / name) in message  # the other split's files too
    assert "--data-dir" in message and "NUMPYVAE_DATA" in message  # how to point at files
    assert f"{dead_url}/a/t10k-images-idx3-ubyte.gz" in message
    assert f"{dead_url}/b/t10k-images-idx3-ubyte.gz" in message
    assert "glyph-digits" in message
    assert os.listdir(cache / "mnist") == []


def test_damaged_cached_file_says_to_delete_it(tmp_path, monkeypatch):
    fake_mnist(tmp_path, monkeypatch)
    image_path = tmp_path / "mnist" / "train-images-idx3-ubyte.gz"
    image_path.write_bytes(image_path.read_bytes()[:-100])
    with pytest.raises(DataError) as info:
        load_mnist("train", data_dir=tmp_path)
    assert str(image_path) in str(info.value)
    assert "delete" in str(info.value)


def test_images_and_labels_must_agree_in_number(tmp_path, monkeypatch):
    fake_mnist(tmp_path, monkeypatch)
    write_idx(tmp_path / "mnist" / "train-labels-idx1-ubyte.gz", np.zeros(29, dtype=np.uint8))
    with pytest.raises(DataError, match="30 images .* 29 labels"):
        load_mnist("train", data_dir=tmp_path)


def test_bad_split_and_bad_name_are_value_errors(tmp_path):
    with pytest.raises(ValueError, match="train, test"):
        load_mnist("validation", data_dir=tmp_path)
    with pytest.raises(ValueError, match="mnist, fashion-mnist, glyph-digits"):
        load_dataset("cifar10")
    with pytest.raises(ValueError, match="train, test"):
        load_dataset("glyph-digits", "val")


# ---------------------------------------------------------------------------
# The real MNIST and Fashion-MNIST files, when this machine has them
# ---------------------------------------------------------------------------


def _reference_data() -> Path | None:
    candidates = [os.environ.get("NUMPYVAE_TEST_DATA"), REPO.parent / "shared" / "data"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "mnist").is_dir():
            return Path(candidate)
    return None


REFERENCE_DATA = _reference_data()
needs_reference_data = pytest.mark.skipif(
    REFERENCE_DATA is None, reason="no reference data (set NUMPYVAE_TEST_DATA)")

MNIST_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
MNIST_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@needs_reference_data
def test_reference_files_match_their_checksums():
    for key, digest in SHA256.items():
        assert sha256_of(REFERENCE_DATA / key) == digest, key


@needs_reference_data
@pytest.mark.parametrize(("split", "counts"), [("train", MNIST_TRAIN_COUNTS),
                                                ("test", MNIST_TEST_COUNTS)])
def test_mnist_facts(split, counts, monkeypatch):
    monkeypatch.setenv("NUMPYVAE_MIRROR", "http://127.0.0.1:9/never-used")
    x, y = load_mnist(split, data_dir=REFERENCE_DATA)
    assert x.shape == (sum(counts), 784) and x.dtype == np.float32
    assert y.shape == (sum(counts),) and y.dtype == np.int64
    assert x.min() == 0.0 and x.max() == 1.0
    assert np.bincount(y, minlength=10).tolist() == counts
    raw = read_idx(REFERENCE_DATA / "mnist" / datasets.SPLIT_FILES[split][0])
    assert raw.shape == (sum(counts), 28, 28) and raw.dtype == np.uint8
    np.testing.assert_array_equal(x[:100] * 255, raw[:100].reshape(100, 784))


@needs_reference_data
@pytest.mark.parametrize(("split", "per_class"), [("train", 6000), ("test", 1000)])
def test_fashion_mnist_facts(split, per_class):
    x, y = load_fashion_mnist(split, data_dir=REFERENCE_DATA)
    assert x.shape == (10 * per_class, 784) and x.dtype == np.float32
    assert 0.0 <= x.min() and x.max() <= 1.0
    assert np.bincount(y, minlength=10).tolist() == [per_class] * 10


@needs_reference_data
def test_load_dataset_n_takes_the_first_examples():
    x, y = load_dataset("mnist", "test", data_dir=REFERENCE_DATA, n=50)
    x_all, y_all = load_mnist("test", data_dir=REFERENCE_DATA)
    np.testing.assert_array_equal(x, x_all[:50])
    np.testing.assert_array_equal(y, y_all[:50])


# ---------------------------------------------------------------------------
# glyph-digits
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def glyphs() -> tuple[np.ndarray, np.ndarray]:
    return make_glyph_digits(2000, seed=0)


def test_glyph_digits_format(glyphs):
    x, y = glyphs
    assert x.shape == (2000, 784) and x.dtype == np.float32
    assert y.shape == (2000,) and y.dtype == np.int64
    assert x.min() == 0.0 and x.max() == 1.0
    assert np.bincount(y, minlength=10).tolist() == [200] * 10
    ink = x.reshape(-1, 28, 28)
    assert ink.sum(axis=(1, 2)).min() > 20  # every image has a digit on it
    # Drawn in the centre, like MNIST: under 1% of the ink in the 2-pixel border.
    border = ink.sum(axis=(1, 2)) - ink[:, 2:26, 2:26].sum(axis=(1, 2))
    assert border.sum() < 0.01 * ink.sum()


def test_glyph_digits_are_deterministic(glyphs):
    x, y = make_glyph_digits(2000, seed=0)
    assert np.array_equal(x, glyphs[0]) and np.array_equal(y, glyphs[1])
    x1, y1 = make_glyph_digits(2000, seed=1)
    assert not np.array_equal(y1, glyphs[1])
    assert not np.array_equal(x1, glyphs[0])


def test_glyph_digit_classes_are_distinct(glyphs):
    x_train, y_train = glyphs
    x_test, y_test = make_glyph_digits(1000, seed=1)
    means = np.stack([x_train[y_train == k].mean(axis=0) for k in range(10)])  # (10, 784)
    distances = ((x_test[:, None, :] - means[None]) ** 2).sum(-1)  # (1000, 10)
    accuracy = (distances.argmin(axis=1) == y_test).mean()
    assert accuracy > 0.8


def test_glyph_digits_look_like_their_labels(glyphs):
    x, y = glyphs
    means = np.stack([x[y == k].mean(axis=0) for k in range(10)]).reshape(10, 28, 28)
    ink = means.sum(axis=(1, 2))
    centre = means[:, 12:16, 12:16].mean(axis=(1, 2))
    top, bottom = means[:, 4:11].sum(axis=(1, 2)), means[:, 17:24].sum(axis=(1, 2))
    assert ink.argmin() == 1 and ink.argmax() == 8  # a single stroke; two loops
    assert centre.argmin() == 0  # the hole of the 0
    assert top[7] > 2 * bottom[7] and top[9] > 2 * bottom[9]  # heads on a thin stem
    assert bottom[6] > 1.5 * top[6]  # a 6 is heavy at the bottom


def test_glyph_digits_vary_within_a_class(glyphs):
    x, y = glyphs
    sevens = x[y == 7]
    assert len(np.unique(sevens, axis=0)) == len(sevens)
    assert sevens.std(axis=0).max() > 0.3


def test_load_dataset_glyph_digits_train_and_test_differ():
    x_train, y_train = load_dataset("glyph-digits", "train", seed=3, n=500)
    x_test, y_test = load_dataset("glyph-digits", "test", seed=3, n=500)
    x_made, y_made = make_glyph_digits(500, 3)
    assert np.array_equal(x_train, x_made) and np.array_equal(y_train, y_made)
    assert x_test.shape == (500, 784)
    assert np.bincount(y_test, minlength=10).tolist() == [50] * 10
    assert not np.array_equal(x_train, x_test)
    x_again, _ = load_dataset("glyph-digits", "test", seed=3, n=500)
    assert np.array_equal(x_test, x_again)
    assert datasets.GLYPH_TRAIN_SIZE == 60_000 and datasets.GLYPH_TEST_SIZE == 10_000
    assert "glyph-digits" in DATASETS


# ---------------------------------------------------------------------------
# Binarization
# ---------------------------------------------------------------------------


def test_binarize_none_returns_the_same_object():
    x = np.random.default_rng(0).random((4, 784), dtype=np.float32)
    assert binarize(x, "none", None) is x


@pytest.mark.parametrize("mode", ["static", "dynamic"])
def test_binarize_samples_bernoulli_pixels(mode):
    x = np.tile(np.linspace(0, 1, 11, dtype=np.float32), (20000, 1))  # (20000, 11)
    b = binarize(x, mode, np.random.default_rng(0))
    assert b.dtype == np.float32 and b.shape == x.shape
    assert set(np.unique(b).tolist()) <= {0.0, 1.0}
    assert b[:, 0].max() == 0.0 and b[:, -1].min() == 1.0
    np.testing.assert_allclose(b.mean(axis=0), x[0], atol=0.015)
    same = binarize(x, mode, np.random.default_rng(0))
    assert np.array_equal(b, same)
    assert not np.array_equal(b, binarize(x, mode, np.random.default_rng(1)))


def test_binarize_rejects_unknown_modes_and_missing_rng():
    x = np.zeros((2, 3), dtype=np.float32)
    with pytest.raises(ValueError, match="none, static, dynamic"):
        binarize(x, "threshold", np.random.default_rng(0))
    with pytest.raises(ValueError, match="rng"):
        binarize(x, "dynamic", None)
    assert BINARIZE_MODES == ("none", "static", "dynamic")


# ---------------------------------------------------------------------------
# Minibatches and data larger than memory
# ---------------------------------------------------------------------------


@given(n=st.integers(0, 60), batch_size=st.integers(1, 70), drop_last=st.booleans(),
       seed=st.integers(0, 2**32 - 1))
def test_batches_cover_every_row_once_per_epoch(n, batch_size, drop_last, seed):
    x = np.arange(n)[:, None] * np.ones((1, 3))  # row i holds i
    out = list(batches(x, batch_size, np.random.default_rng(seed), drop_last=drop_last))
    assert all(len(b) == batch_size for b in out[:-1])
    seen = np.concatenate([b[:, 0] for b in out]) if out else np.zeros(0)
    if drop_last:
        assert all(len(b) == batch_size for b in out)
        assert len(seen) == n - n % batch_size and len(np.unique(seen)) == len(seen)
    else:
        assert sorted(seen.tolist()) == list(range(n))
    again = list(batches(x, batch_size, np.random.default_rng(seed), drop_last=drop_last))
    assert len(again) == len(out) and all(map(np.array_equal, again, out))


def test_batches_shuffle_differs_between_epochs_and_can_be_turned_off():
    x = np.arange(100)[:, None]
    rng = np.random.default_rng(0)
    epoch1 = np.concatenate(list(batches(x, 10, rng)))
    epoch2 = np.concatenate(list(batches(x, 10, rng)))
    assert not np.array_equal(epoch1, epoch2)
    in_order = list(batches(x, 30, None, shuffle=False))
    assert [len(b) for b in in_order] == [30, 30, 30, 10]
    np.testing.assert_array_equal(np.concatenate(in_order), x)


def test_batches_checks_its_arguments_at_once():
    with pytest.raises(ValueError, match="batch_size"):
        batches(np.zeros((5, 2)), 0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="rng"):
        batches(np.zeros((5, 2)), 2, None)


def test_memmap_source_gives_the_same_batches_as_the_array(tmp_path):
    x = np.random.default_rng(0).random((1037, 784), dtype=np.float32)
    path = save_npy_source(x, tmp_path / "x.npy")
    source = MemmapSource(path)
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


def test_memmap_source_indexes_like_an_array(tmp_path):
    x = np.random.default_rng(2).random((40, 784)).astype(np.float32)
    source = MemmapSource(save_npy_source(x, tmp_path / "x.npy"))
    mask = np.arange(40) % 3 == 0
    for idx in (7, -1, slice(5, 9), slice(None, None, 7), slice(30, 99), slice(9, 5),
                np.array([3, 1, 4, 1, -5]), np.array([[0, 1], [2, 3]]), mask):
        got = source[idx]
        assert got.dtype == np.float32 and np.array_equal(got, x[idx]), idx
    for bad in (40, -41, np.array([0, 40])):
        with pytest.raises(IndexError):
            source[bad]


def test_memmap_source_holds_about_one_batch_in_memory(tmp_path):
    pytest.importorskip("resource")  # measures peak memory, on Unix
    path = tmp_path / "big.npy"
    chunks = (np.full((1000, 784), i, dtype=np.float32) for i in range(32))
    write_npy_source(path, chunks, n_rows=32_000)  # 100 MB
    code = f"""if True:
        import resource, numpy as np
        from numpyvae.datasets import MemmapSource, batches
        source = MemmapSource({str(path)!r})
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


def test_memmap_source_rejects_bad_files(tmp_path):
    (tmp_path / "junk.npy").write_bytes(b"not a npy file")
    with pytest.raises(DataError, match="junk.npy"):
        MemmapSource(tmp_path / "junk.npy")
    np.save(tmp_path / "cube.npy", np.zeros((2, 3, 4), dtype=np.float32))
    with pytest.raises(DataError, match="cube.npy"):
        MemmapSource(tmp_path / "cube.npy")
    save_npy_source(np.zeros((100, 784), dtype=np.float32), tmp_path / "cut.npy")
    with open(tmp_path / "cut.npy", "r+b") as f:
        f.truncate(1000)
    with pytest.raises(DataError, match="truncated"):
        MemmapSource(tmp_path / "cut.npy")
