"""Data for the VAE: images as float32 rows of 784 pixels in [0, 1].

One module each:

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

Every public name lives in its module (``numpyvae.datasets.idx.read_idx``,
``numpyvae.datasets.cache.fetch`` ...). The package's own names are the ones the rest
of numpyvae, the demos, the benchmarks and the tests take from it (``train.py`` takes
the names of :mod:`.batching` from that module):

* :data:`DATASETS`, :func:`load_dataset` (:mod:`.mnist`): the names of the data sets,
  and ``(x, y)`` of one of them, downloaded on first use;
* :func:`make_glyph_digits` (:mod:`.glyphs`): the offline set, made on the spot;
* :func:`default_data_dir`, :data:`SHA256` (:mod:`.cache`): where the files are kept,
  and which files with which digests;
* :data:`BINARIZE_MODES`, :func:`binarize`, :func:`binarized_test_images`,
  :func:`batches` (:mod:`.batching`): 0/1 pixels and minibatches;
* :func:`write_npy_source`, :class:`NpyRows` (:mod:`.ondisk`): a data set larger than
  memory, on disk and read by rows.

Besides ``numpyvae.errors`` and ``numpyvae.fileio``, only the standard library and NumPy
are imported (``urllib`` and ``threading`` among them, by :mod:`.downloads`, whenever any
module of the package is), and nothing is computed at import time. The modules are named
apart from the functions they hold (``downloads`` holds :func:`~.downloads.download`,
``batching`` holds :func:`batches`), so that a module
constant such as ``numpyvae.datasets.downloads.DOWNLOAD_TIMEOUT`` (or
``DOWNLOAD_DEADLINE``) can be reached and changed.
"""

from .batching import BINARIZE_MODES, batches, binarize, binarized_test_images
from .cache import SHA256, default_data_dir
from .glyphs import make_glyph_digits
from .mnist import DATASETS, load_dataset
from .ondisk import NpyRows, write_npy_source

__all__ = [
    "BINARIZE_MODES",
    "DATASETS",
    "SHA256",
    "NpyRows",
    "batches",
    "binarize",
    "binarized_test_images",
    "default_data_dir",
    "load_dataset",
    "make_glyph_digits",
    "write_npy_source",
]
