"""Loaders: MNIST, Fashion-MNIST and, by name, every data set in :data:`DATASETS`.

Each returns ``(x, y)``: ``x`` float32 (N, 784) in [0, 1], ``y`` int64 (N,).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import DataError
from ..fileio import PathLike
from .cache import fetch
from .glyphs import GLYPH_TEST_SIZE, GLYPH_TRAIN_SIZE, make_glyph_digits
from .idx import read_idx

#: The (images, labels) file names of each split, the same for both data sets.
SPLIT_FILES: dict[str, tuple[str, str]] = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}

DATASETS = ("mnist", "fashion-mnist", "glyph-digits")
SPLITS = ("train", "test")


def _check_split(split: str) -> None:
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; choose one of: {', '.join(SPLITS)}")


def load_mnist(split: str = "train", data_dir: PathLike | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
    """MNIST handwritten digits (LeCun and Cortes, CC BY-SA 3.0).

    Downloads and caches the original files on first use (see :func:`fetch`).

    Args:
        split: "train" (60,000 images) or "test" (10,000).
        data_dir: the cache directory; None means :func:`default_data_dir`.

    Returns:
        x: float32 (N, 784), pixels / 255 in [0, 1], rows of 28x28 images.
        y: int64 (N,), the digit 0..9.
    """
    return _load_image_files("mnist", split, data_dir)


def load_fashion_mnist(split: str = "train", data_dir: PathLike | None = None
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Fashion-MNIST clothing images (Zalando Research, MIT licence).

    Same format and sizes as :func:`load_mnist`; y is one of 10 clothing classes
    (0 T-shirt/top, 1 trouser, 2 pullover, 3 dress, 4 coat, 5 sandal, 6 shirt,
    7 sneaker, 8 bag, 9 ankle boot).
    """
    return _load_image_files("fashion-mnist", split, data_dir)


def _load_image_files(dataset: str, split: str, data_dir: PathLike | None,
                      n: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    _check_split(split)
    image_path, label_path = [fetch(dataset, name, data_dir) for name in SPLIT_FILES[split]]
    images = _read_cached(image_path)  # (N, 28, 28) uint8
    labels = _read_cached(label_path)  # (N,) uint8
    if images.dtype != np.uint8 or images.shape[1:] != (28, 28):
        found = f"{images.dtype} {images.shape}"
        raise _damaged(f"{image_path}: expected uint8 images (N, 28, 28), found {found}",
                       image_path)
    if labels.dtype != np.uint8 or labels.ndim != 1 or (labels.size and labels.max() > 9):
        found = f"{labels.dtype} {labels.shape}"
        raise _damaged(f"{label_path}: expected uint8 labels 0..9 (N,), found {found}",
                       label_path)
    if len(images) != len(labels):
        raise DataError(
            f"{image_path} has {len(images)} images but {label_path} has {len(labels)} labels"
        )
    images, labels = images[:n], labels[:n]  # the first n before converting (None: all)
    try:
        x = np.divide(images.reshape(len(images), 784), 255, dtype=np.float32)  # (N, 784) in [0, 1]
    except MemoryError:
        raise DataError(f"{image_path}: not enough memory for its {len(images)} images as "
                        f"float32 ({4 * images.size} bytes)") from None
    y = labels.astype(np.int64)  # (N,)
    return x, y


def _read_cached(path: Path) -> np.ndarray:
    """read_idx, with advice for a damaged file in the cache."""
    try:
        return read_idx(path)
    except DataError as exc:
        raise _damaged(str(exc), path) from exc


def _damaged(problem: str, path: Path) -> DataError:
    return DataError(
        f"{problem}\nThe cached file is damaged: delete {path} and it will be downloaded again."
    )


def load_dataset(
    name: str,
    split: str = "train",
    data_dir: PathLike | None = None,
    seed: int = 0,
    n: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Load one of :data:`DATASETS` as ``(x, y)``.

    Args:
        name: "mnist", "fashion-mnist" or "glyph-digits".
        split: "train" or "test".
        data_dir: the cache directory for the downloaded data sets.
        seed: for "glyph-digits" only: the training images are
            ``make_glyph_digits(GLYPH_TRAIN_SIZE, seed)``, the test images come
            from a different seed derived from `seed`, so they never repeat
            training images. The downloaded data sets ignore it.
        n: the number of examples: for "glyph-digits" how many to make
            (default :data:`GLYPH_TRAIN_SIZE` or :data:`GLYPH_TEST_SIZE`), for
            the others the first `n` of the file (default: all).

    Returns:
        x: float32 (N, 784) in [0, 1]; y: int64 (N,) with classes 0..9.
    """
    if name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}; choose one of: {', '.join(DATASETS)}")
    _check_split(split)
    if n is not None and n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if name == "glyph-digits":
        if split == "train":
            return make_glyph_digits(GLYPH_TRAIN_SIZE if n is None else n, seed)
        test_seed = int(np.random.SeedSequence(seed, spawn_key=(1,)).generate_state(1)[0])
        return make_glyph_digits(GLYPH_TEST_SIZE if n is None else n, test_seed)
    return _load_image_files(name, split, data_dir, n)
