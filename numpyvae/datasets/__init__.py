"""Data for the VAE: images as float32 rows of 784 pixels in [0, 1].

In the order a training run uses them, one module each:

* :mod:`.idx`: IDX files (:func:`read_idx`, :func:`write_idx`), the file format
  of MNIST.
* :mod:`.downloads`: download (:func:`download`, :func:`mirror_urls`,
  :func:`default_data_dir`): the original files come from public mirrors and
  are checked against their SHA-256 (:data:`SHA256`). One attempt at one
  mirror is in :mod:`.transfer`, the checks of the cache folder in :mod:`.folders`.
* :mod:`.cache`: the cache (:func:`fetch`): files are kept under
  ``<data dir>/<data set>/<original file name>``, checked on first use and
  downloaded when missing or damaged.
* :mod:`.mnist`: loaders (:func:`load_mnist`, :func:`load_fashion_mnist`,
  :func:`load_dataset`) return ``(x, y)``: ``x`` float32 (N, 784) in [0, 1],
  ``y`` int64 (N,).
* :mod:`.glyphs`: ``glyph-digits`` (:func:`make_glyph_digits`): stroke-drawn
  digits made on the spot, for machines without internet. It is *not* MNIST.
* :mod:`.batching`: :func:`binarize`, 0/1 pixels for the Bernoulli decoder
  (Eq. 3, 4), :func:`binarized_test_images`, the fixed 0/1 test images of a
  binarized run, and minibatches (:func:`batches`).
* :mod:`.ondisk`: data larger than memory (:func:`write_npy_source`,
  :func:`save_npy_source`, :class:`NpyRows`; :class:`MemmapSource` is its
  former name).

Every public name is importable from ``numpyvae.datasets``. Only the standard
library and NumPy are imported, and nothing is computed at import time.

The modules are named apart from the functions they hold (``downloads`` holds
:func:`download`, ``batching`` holds :func:`batches`), so that a module constant such
as ``numpyvae.datasets.downloads.DOWNLOAD_TIMEOUT`` (or ``DOWNLOAD_DEADLINE``) can be
reached and changed.
"""

from .batching import BINARIZE_MODES, batches, binarize, binarized_test_images
from .cache import fetch
from .downloads import (
    DOWNLOAD_DEADLINE,
    DOWNLOAD_TIMEOUT,
    MIRRORS,
    SHA256,
    default_data_dir,
    download,
    mirror_urls,
)
from .glyphs import GLYPH_TEST_SIZE, GLYPH_TRAIN_SIZE, make_glyph_digits
from .idx import IDX_TYPES, PathLike, read_idx, write_idx
from .mnist import (
    DATASETS,
    SPLIT_FILES,
    SPLITS,
    load_dataset,
    load_fashion_mnist,
    load_mnist,
)
from .ondisk import MemmapSource, NpyRows, save_npy_source, write_npy_source

__all__ = [  # every public name of the submodules
    "BINARIZE_MODES",
    "DATASETS",
    "DOWNLOAD_DEADLINE",
    "DOWNLOAD_TIMEOUT",
    "GLYPH_TEST_SIZE",
    "GLYPH_TRAIN_SIZE",
    "IDX_TYPES",
    "MIRRORS",
    "SHA256",
    "SPLITS",
    "SPLIT_FILES",
    "MemmapSource",
    "NpyRows",
    "PathLike",
    "batches",
    "binarize",
    "binarized_test_images",
    "default_data_dir",
    "download",
    "fetch",
    "load_dataset",
    "load_fashion_mnist",
    "load_mnist",
    "make_glyph_digits",
    "mirror_urls",
    "read_idx",
    "save_npy_source",
    "write_idx",
    "write_npy_source",
]
