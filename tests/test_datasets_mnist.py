"""Tests of numpyvae.datasets.mnist: the loaders, on small files and on the real ones."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import pytest

from numpyvae.datasets.cache import SHA256
from numpyvae.datasets.glyphs import (
    GLYPH_TEST_SIZE,
    GLYPH_TRAIN_SIZE,
    make_glyph_digits,
)
from numpyvae.datasets.idx import read_idx, write_idx
from numpyvae.datasets.mnist import (
    DATASETS,
    SPLIT_FILES,
    load_dataset,
    load_fashion_mnist,
    load_mnist,
)
from numpyvae.errors import DataError

REPO = Path(__file__).resolve().parents[1]


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_trusted(path: Path, array: np.ndarray, monkeypatch) -> None:
    """write_idx, and make its SHA-256 the one a cached file must match."""
    write_idx(path, array)
    monkeypatch.setitem(SHA256, f"{path.parent.name}/{path.name}", sha256_of(path))


def fake_mnist(root: Path, monkeypatch, n: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """Write small MNIST-like train files under root/mnist and trust their checksums
    (a cached file is checked against its SHA-256 when first used)."""
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n, dtype=np.uint8)
    (root / "mnist").mkdir(parents=True, exist_ok=True)
    for name, array in zip(SPLIT_FILES["train"], (images, labels)):
        write_trusted(root / "mnist" / name, array, monkeypatch)
    return images, labels


def test_damaged_cached_file_says_to_delete_it(tmp_path, monkeypatch, dead_url):
    monkeypatch.setenv("NUMPYVAE_MIRROR", dead_url)  # it cannot be downloaded again
    fake_mnist(tmp_path, monkeypatch)
    image_path = tmp_path / "mnist" / "train-images-idx3-ubyte.gz"
    image_path.write_bytes(image_path.read_bytes()[:-100])
    with pytest.raises(DataError) as info:
        load_mnist("train", data_dir=tmp_path)
    assert str(image_path) in str(info.value)
    assert "delete" in str(info.value)


def test_a_file_that_matches_its_checksum_but_is_no_image_file_says_to_delete_it(
        tmp_path, monkeypatch, dead_url):
    monkeypatch.setenv("NUMPYVAE_MIRROR", dead_url)
    fake_mnist(tmp_path, monkeypatch)
    image_path = tmp_path / "mnist" / "train-images-idx3-ubyte.gz"
    write_trusted(image_path, np.zeros((30, 7), dtype=np.uint8), monkeypatch)
    with pytest.raises(DataError, match=r"expected uint8 images .*\n.*delete"):
        load_mnist("train", data_dir=tmp_path)


def test_images_and_labels_must_agree_in_number(tmp_path, monkeypatch):
    fake_mnist(tmp_path, monkeypatch)
    write_trusted(tmp_path / "mnist" / "train-labels-idx1-ubyte.gz",
                  np.zeros(29, dtype=np.uint8), monkeypatch)
    with pytest.raises(DataError, match="30 images .* 29 labels"):
        load_mnist("train", data_dir=tmp_path)


def test_no_memory_for_the_pixels_names_the_file(tmp_path, monkeypatch):
    fake_mnist(tmp_path, monkeypatch)

    def no_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(np, "divide", no_memory)
    with pytest.raises(DataError, match=r"train-images-idx3-ubyte\.gz: not enough memory "
                       r"for its 30 images"):
        load_mnist("train", data_dir=tmp_path)


def test_bad_split_and_bad_name_are_value_errors(tmp_path):
    with pytest.raises(ValueError, match="train, test"):
        load_mnist("validation", data_dir=tmp_path)
    with pytest.raises(ValueError, match="mnist, fashion-mnist, glyph-digits"):
        load_dataset("cifar10")
    with pytest.raises(ValueError, match="train, test"):
        load_dataset("glyph-digits", "val")


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
    assert GLYPH_TRAIN_SIZE == 60_000 and GLYPH_TEST_SIZE == 10_000
    assert "glyph-digits" in DATASETS


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
    raw = read_idx(REFERENCE_DATA / "mnist" / SPLIT_FILES[split][0])
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

