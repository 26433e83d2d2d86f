"""Data for the VAE: images as float32 rows of 784 pixels in [0, 1].

In the order a training run uses them, one module each:

* :mod:`.idx`: IDX files (:func:`read_idx`, :func:`write_idx`), the file format
  of MNIST, and :func:`open_regular`, the rule of every data file read here.
* :mod:`.downloads`: :func:`download`, one file from a list of URLs, checked
  against its SHA-256, within time limits (:data:`DOWNLOAD_TIMEOUT`,
  :data:`DOWNLOAD_DEADLINE`), into a folder it can write (else
  :class:`FolderNotWritable`).
* :mod:`.cache`: the original files of the data sets (:data:`SHA256`, their
  :data:`MIRRORS` and :func:`mirror_urls`) kept under
  ``<data dir>/<data set>/<original file name>`` (:func:`default_data_dir`);
  :func:`fetch` checks a cached file on first use and downloads it when missing or
  damaged.
* :mod:`.mnist`: loaders (:func:`load_mnist`, :func:`load_fashion_mnist`,
  :func:`load_dataset`) return ``(x, y)``: ``x`` float32 (N, 784) in [0, 1],
  ``y`` int64 (N,).
* :mod:`.glyphs`: ``glyph-digits`` (:func:`make_glyph_digits`): stroke-drawn
  digits made on the spot, for machines without internet. It is *not* MNIST.
* :mod:`.batching`: :func:`binarize`, 0/1 pixels for the Bernoulli decoder
  (Eq. 3, 4), :func:`binarized_test_images`, the fixed 0/1 test images of a
  binarized run, and minibatches (:func:`batches`).
* :mod:`.ondisk`: data larger than memory (:func:`write_npy_source`,
  :func:`save_npy_source`, :class:`NpyRows`).

Every public name is importable from ``numpyvae.datasets``. Only the standard
library and NumPy are imported, and nothing is computed at import time.

The modules are named apart from the functions they hold (``downloads`` holds
:func:`download`, ``batching`` holds :func:`batches`), so that a module constant such
as ``numpyvae.datasets.downloads.DOWNLOAD_TIMEOUT`` (or ``DOWNLOAD_DEADLINE``) can be
reached and changed.
"""

from .batching import BINARIZE_MODES, batches, binarize, binarized_test_images
from .cache import MIRRORS, SHA256, default_data_dir, fetch, mirror_urls
from .downloads import DOWNLOAD_DEADLINE, DOWNLOAD_TIMEOUT, FolderNotWritable, download
from .glyphs import GLYPH_TEST_SIZE, GLYPH_TRAIN_SIZE, make_glyph_digits
from .idx import IDX_TYPES, PathLike, open_regular, read_idx, write_idx
from .mnist import (
    DATASETS,
    SPLIT_FILES,
    SPLITS,
    load_dataset,
    load_fashion_mnist,
    load_mnist,
)
from .ondisk import NpyRows, save_npy_source, write_npy_source

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
    "FolderNotWritable",
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
    "open_regular",
    "read_idx",
    "save_npy_source",
    "write_idx",
    "write_npy_source",
]
