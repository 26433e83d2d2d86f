"""Data for the VAE: images as float32 rows of 784 pixels in [0, 1].

In the order a training run uses them:

* IDX files (:func:`read_idx`, :func:`write_idx`), the file format of MNIST.
* Download and cache (:func:`default_data_dir`, :func:`fetch`, :func:`download`):
  the original files come from public mirrors, are checked against their
  SHA-256 and kept under ``<data dir>/<data set>/<original file name>``.
* Loaders (:func:`load_mnist`, :func:`load_fashion_mnist`, :func:`load_dataset`)
  return ``(x, y)``: ``x`` float32 (N, 784) in [0, 1], ``y`` int64 (N,).
* ``glyph-digits`` (:func:`make_glyph_digits`): stroke-drawn digits made on the
  spot, for machines without internet. It is *not* MNIST.
* :func:`binarize`: 0/1 pixels for the Bernoulli decoder (Eq. 3, 4).
* Minibatches (:func:`batches`) and data larger than memory
  (:func:`write_npy_source`, :func:`save_npy_source`, :class:`MemmapSource`).

Only the standard library and NumPy are imported, and nothing is computed at
import time.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import http.client
import math
import os
import re
import struct
import sys
import urllib.error
import urllib.request
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO, Union

import numpy as np

from .errors import DataError
from .fileio import atomic_write

PathLike = Union[str, "os.PathLike[str]"]

# ---------------------------------------------------------------------------
# IDX files
# ---------------------------------------------------------------------------

#: IDX type code -> element type as stored in the file (multi-byte: big-endian).
IDX_TYPES: dict[int, np.dtype] = {
    0x08: np.dtype("u1"),
    0x09: np.dtype("i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
# The same table the other way round, keyed by kind and size ("u1", "f4", ...).
_IDX_CODES = {dtype.str[1:]: code for code, dtype in IDX_TYPES.items()}
_GZIP_MAGIC = b"\x1f\x8b"


def read_idx(path: PathLike) -> np.ndarray:
    """Read an IDX file, the format of MNIST, into an array.

    The layout (every integer big-endian)::

        bytes 0-1   zero
        byte  2     type code: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32,
                    0x0D float32, 0x0E float64
        byte  3     number of dimensions D (at least 1)
        4 * D       the size of each dimension, unsigned 32-bit
        the rest    the values in row-major order, exactly d_1 * ... * d_D of them

    A gzip-compressed file is recognised by its first two bytes (1f 8b), not
    by its name, and decompressed in memory.

    Args:
        path: the file.

    Returns:
        An array of shape (d_1, ..., d_D) with the file's element type in the
        machine's byte order (MNIST images: uint8 (N, 28, 28); labels: uint8 (N,)).

    Raises:
        DataError: the file cannot be read, is not an IDX file, is truncated, has
            trailing bytes, or is a corrupt gzip stream. The message starts with
            the file's path and says what is wrong.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    if raw[:2] == _GZIP_MAGIC:
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise DataError(f"{path}: corrupt gzip stream: {exc}") from exc
    return _parse_idx(raw, path)


def _parse_idx(raw: bytes, path: Path) -> np.ndarray:
    """Check the header and the payload length of the IDX bytes `raw`, then decode."""
    if len(raw) < 4:
        raise DataError(
            f"{path}: truncated header: an IDX file starts with 4 magic bytes, found {len(raw)}"
        )
    if raw[0] != 0 or raw[1] != 0:
        raise DataError(
            f"{path}: bad magic number 0x{raw[:4].hex()}: not an IDX file "
            "(its first two bytes must be zero)"
        )
    code, ndim = raw[2], raw[3]
    if code not in IDX_TYPES:
        known = ", ".join(f"0x{c:02X}" for c in IDX_TYPES)
        raise DataError(f"{path}: unknown IDX type code 0x{code:02X} (known: {known})")
    if ndim == 0:
        raise DataError(f"{path}: bad header: the number of dimensions is 0")
    header_size = 4 + 4 * ndim
    if len(raw) < header_size:
        raise DataError(
            f"{path}: truncated header: expected {4 * ndim} bytes for {ndim} dimension "
            f"sizes, found {len(raw) - 4}"
        )
    shape = struct.unpack(f">{ndim}I", raw[4:header_size])
    dtype = IDX_TYPES[code]
    count = math.prod(shape)
    expected, found = count * dtype.itemsize, len(raw) - header_size
    what = f"{'x'.join(map(str, shape))} {dtype.name}"
    if found < expected:
        raise DataError(
            f"{path}: truncated: expected {expected} bytes of data ({what}), found {found}"
        )
    if found > expected:
        raise DataError(
            f"{path}: {found - expected} trailing bytes after the {expected} bytes "
            f"of data ({what})"
        )
    native = dtype.newbyteorder("=")
    if count == 0:
        return np.zeros(shape, dtype=native)
    data = np.frombuffer(raw, dtype=dtype, count=count, offset=header_size)
    return data.astype(native).reshape(shape)  # a fresh, writeable copy


def write_idx(path: PathLike, array: np.ndarray) -> None:
    """Write `array` as an IDX file, gzip-compressed when `path` ends with ``.gz``.

    The file is written to a temporary file in the same directory and renamed
    into place, so `path` never holds a half-written file.

    Args:
        path: the file to write (its directory must exist).
        array: shape (d_1, ..., d_D) with 1 <= D <= 255, dtype uint8, int8,
            int16, int32, float32 or float64 (any byte order).

    Raises:
        ValueError: the dtype or the number of dimensions has no IDX encoding.
    """
    path = Path(path)
    array = np.asarray(array)
    code = _IDX_CODES.get(array.dtype.str[1:])
    if code is None:
        raise ValueError(
            f"IDX cannot store dtype {array.dtype}; use one of: "
            + ", ".join(d.newbyteorder("=").name for d in IDX_TYPES.values())
        )
    if not 1 <= array.ndim <= 255:
        raise ValueError(f"IDX stores 1 to 255 dimensions, got an array of shape {array.shape}")
    if max(array.shape) >= 2**32:
        raise ValueError(f"IDX dimension sizes must be below 2**32, got {array.shape}")
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    payload = array.astype(IDX_TYPES[code], copy=False).tobytes()  # C order, big-endian

    def write(out: BinaryIO) -> None:
        if path.name.endswith(".gz"):
            # filename="" and mtime=0: the same array always gives the same bytes.
            with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0) as gz:
                gz.write(header)
                gz.write(payload)
        else:
            out.write(header)
            out.write(payload)

    atomic_write(path, write)


# ---------------------------------------------------------------------------
# Data directory, checksums, mirrors, download
# ---------------------------------------------------------------------------

#: SHA-256 of the original files, keyed by their path under the data directory.
SHA256: dict[str, str] = {
    "mnist/train-images-idx3-ubyte.gz":
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "mnist/train-labels-idx1-ubyte.gz":
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "mnist/t10k-images-idx3-ubyte.gz":
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "mnist/t10k-labels-idx1-ubyte.gz":
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    "fashion-mnist/train-images-idx3-ubyte.gz":
        "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
    "fashion-mnist/train-labels-idx1-ubyte.gz":
        "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
    "fashion-mnist/t10k-images-idx3-ubyte.gz":
        "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
    "fashion-mnist/t10k-labels-idx1-ubyte.gz":
        "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
}

#: Public mirrors serving the original files, tried in this order. (The original
#: yann.lecun.com address answers HTTP 403 to scripts, so it is not listed.)
MIRRORS: dict[str, tuple[str, ...]] = {
    "mnist": (
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    ),
    "fashion-mnist": ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",),
}

#: The (images, labels) file names of each split, the same for both data sets.
SPLIT_FILES: dict[str, tuple[str, str]] = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}

DOWNLOAD_TIMEOUT = 30.0  # seconds without data before a mirror is given up

# What a failed download attempt can raise: network and file errors (OSError,
# which includes URLError, HTTPError and timeouts), a broken HTTP response,
# a malformed URL (ValueError) and a checksum mismatch (DataError).
_DOWNLOAD_ERRORS = (OSError, http.client.HTTPException, ValueError, DataError)


def default_data_dir() -> Path:
    """The directory where data sets are cached.

    ``$NUMPYVAE_DATA`` if set, else ``$XDG_CACHE_HOME/numpyvae``, else
    ``~/.cache/numpyvae``. Files live in ``<dir>/mnist/`` and
    ``<dir>/fashion-mnist/`` under their original names.
    """
    explicit = os.environ.get("NUMPYVAE_DATA")
    if explicit:
        return Path(explicit).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME")
    base = Path(cache) if cache and os.path.isabs(cache) else Path.home() / ".cache"
    return base / "numpyvae"


def mirror_urls(dataset: str, filename: str) -> list[str]:
    """The URLs to try, in order, for one file of `dataset`.

    ``$NUMPYVAE_MIRROR``, when set, replaces the built-in :data:`MIRRORS` for
    both data sets: a list of base URLs separated by whitespace or commas.
    A file's URL is ``base.rstrip("/") + "/" + filename``, so
    ``NUMPYVAE_MIRROR=http://127.0.0.1:8000/mnist`` fetches
    ``http://127.0.0.1:8000/mnist/train-images-idx3-ubyte.gz``.
    """
    bases = re.split(r"[\s,]+", os.environ.get("NUMPYVAE_MIRROR", "").strip())
    bases = [base for base in bases if base] or list(MIRRORS[dataset])
    return [base.rstrip("/") + "/" + filename for base in bases]


def download(urls: str | Sequence[str], dest: PathLike, sha256: str | None = None) -> Path:
    """Download a file, trying each URL in turn until one gives the right bytes.

    Each attempt prints one line, ``downloading URL``, to stderr, streams the
    response into a temporary file beside `dest`, checks its SHA-256 (when
    `sha256` is given) and only then renames it to `dest`. A failed attempt
    (HTTP error, refused connection, timeout, checksum mismatch) deletes its
    temporary file, so nothing partial is ever left behind.

    Args:
        urls: one URL or several, tried in order.
        dest: where the file goes; its directory is created if needed.
        sha256: the expected SHA-256 as hex, or None to accept any content.

    Returns:
        `dest` as a Path.

    Raises:
        DataError: every URL failed; the message lists what each one said.
    """
    urls = [urls] if isinstance(urls, str) else list(urls)
    if not urls:
        raise ValueError("download() needs at least one URL")
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    failures = []
    for url in urls:
        try:
            _download_one(url, dest, sha256)
            return dest
        except _DOWNLOAD_ERRORS as exc:
            failures.append(f"  {url}: {_describe(exc)}")
    raise DataError(f"cannot download {dest.name}; every URL failed:\n" + "\n".join(failures))


def _download_one(url: str, dest: Path, sha256: str | None) -> None:
    """Stream `url` into a temporary file, check it, rename it to `dest`."""
    print(f"downloading {url}", file=sys.stderr)
    request = urllib.request.Request(url, headers={"User-Agent": "numpyvae"})

    def write(out: BinaryIO) -> None:
        digest = hashlib.sha256()
        with urllib.request.urlopen(request, timeout=DOWNLOAD_TIMEOUT) as response:
            for chunk in iter(lambda: response.read(1 << 16), b""):  # 64 kB at a time
                digest.update(chunk)
                out.write(chunk)
        if sha256 is not None and digest.hexdigest() != sha256.lower():
            raise DataError(
                f"checksum mismatch: expected SHA-256 {sha256.lower()}, got {digest.hexdigest()}"
            )

    atomic_write(dest, write)  # a failed attempt leaves nothing behind


def _describe(exc: BaseException) -> str:
    """A short account of why a download attempt failed."""
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        return str(exc.reason)
    return str(exc) or type(exc).__name__


def fetch(dataset: str, filename: str, data_dir: PathLike | None = None) -> Path:
    """The path of one original file of `dataset`, downloading it if it is not cached.

    A cached file (``<data_dir>/<dataset>/<filename>``) is used as it is; a
    downloaded one must match its SHA-256 in :data:`SHA256`. Mirrors come from
    :func:`mirror_urls`.

    Args:
        dataset: "mnist" or "fashion-mnist".
        filename: an original file name, e.g. "t10k-labels-idx1-ubyte.gz".
        data_dir: the cache directory; None means :func:`default_data_dir`.

    Raises:
        ValueError: unknown data set or file name.
        DataError: the file is missing and no mirror could provide it.
    """
    return _fetch_files(dataset, (filename,), data_dir)[0]


def _fetch_files(
    dataset: str, filenames: Sequence[str], data_dir: PathLike | None
) -> list[Path]:
    """Fetch several files of `dataset`; on failure, one error names all missing ones."""
    if dataset not in MIRRORS:
        raise ValueError(f"unknown data set {dataset!r}; choose one of: {', '.join(MIRRORS)}")
    directory = Path(data_dir) if data_dir is not None else default_data_dir()
    paths = [directory / dataset / name for name in filenames]
    for path in paths:
        key = f"{dataset}/{path.name}"
        if key not in SHA256:
            raise ValueError(f"unknown file {key!r}; known files: {', '.join(SHA256)}")
        if path.exists():
            continue
        try:
            download(mirror_urls(dataset, path.name), path, SHA256[key])
        except DataError as exc:
            # Stop at the first failure: the next file would fail the same way. Name
            # every file of the data set that is missing, the other split's too, so
            # that a user copying files by hand gets them all at once.
            every = [directory / name for name in SHA256 if name.startswith(f"{dataset}/")]
            missing = [p for p in every if not p.exists()]
            raise DataError(_missing_files_message(dataset, missing, str(exc))) from None
        except OSError as exc:  # e.g. the cache directory cannot be created
            raise DataError(f"{path}: cannot store the download: {exc}") from exc
    return paths


def _missing_files_message(dataset: str, missing: list[Path], mirror_report: str) -> str:
    """The one error a user sees when data cannot be downloaded: what, where, and why."""
    return "\n".join(
        [
            f"{dataset}: {len(missing)} file(s) missing and the download failed.",
            "Put the original .gz files here:",
            *(f"  {path}" for path in missing),
            f"or point numpyvae at a folder that holds {dataset}/ with them: --data-dir DIR on",
            "the command line, data_dir=DIR in Python, or the environment variable NUMPYVAE_DATA.",
            mirror_report,
            "Other mirrors can be given in NUMPYVAE_MIRROR (base URLs, space-separated).",
            "To work offline, use the stroke-drawn digits instead: --dataset glyph-digits",
        ]
    )


# ---------------------------------------------------------------------------
# Loaders
# ---------------------------------------------------------------------------

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
    image_path, label_path = _fetch_files(dataset, SPLIT_FILES[split], data_dir)
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
    x = np.divide(images.reshape(len(images), 784), 255, dtype=np.float32)  # (N, 784) in [0, 1]
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


# ---------------------------------------------------------------------------
# glyph-digits: an offline data set of stroke-drawn digits
# ---------------------------------------------------------------------------

GLYPH_TRAIN_SIZE = 60_000
GLYPH_TEST_SIZE = 10_000
# Images rendered at once. The temporary arrays (128 x 784 float32, 400 kB) stay
# in the CPU cache, which is several times faster than big chunks.
_GLYPH_CHUNK = 128

# Each digit is drawn in a unit box: x to the right, y *down*, the digit from
# y = 0 (top) to y = 1 (bottom) and about 0.6 wide around x = 0.5. Angles are
# in degrees and, as y points down, turn clockwise: 0 right, 90 down, -90 up.


def _arc(cx: float, cy: float, rx: float, ry: float, start: float, stop: float,
         n: int = 16) -> np.ndarray:
    """Points (n + 1, 2) on an ellipse arc from angle `start` to `stop` (degrees)."""
    t = np.radians(np.linspace(start, stop, n + 1))
    return np.stack([cx + rx * np.cos(t), cy + ry * np.sin(t)], axis=1)


def _curve(p0: Sequence[float], p1: Sequence[float], p2: Sequence[float],
           p3: Sequence[float], n: int = 8) -> np.ndarray:
    """Points (n + 1, 2) on the cubic Bezier curve with control points p0..p3."""
    t = np.linspace(0.0, 1.0, n + 1)[:, None]
    p0, p1, p2, p3 = (np.asarray(p, dtype=float) for p in (p0, p1, p2, p3))
    return (1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * p1 + 3 * (1 - t) * t**2 * p2 + t**3 * p3


def _line(*points: Sequence[float]) -> np.ndarray:
    """The polyline through `points`, as an array (len(points), 2)."""
    return np.array(points, dtype=float)


def _glyph_styles() -> list[list[list[np.ndarray]]]:
    """For each digit 0..9, its styles; a style is a list of polylines (K, 2)."""
    cat = np.concatenate
    return [
        [[_arc(0.5, 0.5, 0.28, 0.48, -90, 270, 24)],  # 0: an oval
         [_arc(0.5, 0.5, 0.2, 0.48, -90, 270, 24)]],
        [[_line((0.5, 0.0), (0.5, 1.0))],  # 1: a stem, with or without a flag
         [_line((0.32, 0.2), (0.52, 0.0), (0.52, 1.0))]],
        [[cat([_arc(0.5, 0.3, 0.28, 0.28, 180, 400), _line((0.2, 1.0), (0.84, 1.0))])],  # 2
         [cat([_arc(0.5, 0.28, 0.27, 0.26, 190, 380),
               _curve((0.76, 0.37), (0.6, 0.65), (0.3, 0.8), (0.2, 0.97)),
               _line((0.2, 0.97), (0.86, 0.97))])]],
        [[_arc(0.48, 0.26, 0.26, 0.24, 200, 450),  # 3: two bowls
          _arc(0.48, 0.74, 0.3, 0.26, -90, 160)]],
        [[_line((0.66, 1.0), (0.66, 0.0), (0.14, 0.66), (0.88, 0.66))],  # 4: closed
         [_line((0.24, 0.0), (0.2, 0.6), (0.84, 0.6)),  # 4: open
          _line((0.68, 0.05), (0.66, 1.0))]],
        [[cat([_line((0.8, 0.02), (0.3, 0.02), (0.27, 0.44)),  # 5: bar, neck, bowl
               _arc(0.48, 0.68, 0.3, 0.3, -130, 150)])]],
        [[cat([_curve((0.72, 0.02), (0.4, 0.1), (0.2, 0.45), (0.22, 0.72)),  # 6
               _arc(0.5, 0.72, 0.28, 0.26, 180, 540, 24)])]],
        [[_line((0.16, 0.02), (0.84, 0.02), (0.4, 1.0))],  # 7: with or without a bar
         [_line((0.16, 0.02), (0.84, 0.02), (0.4, 1.0)), _line((0.36, 0.52), (0.76, 0.52))]],
        [[_arc(0.5, 0.25, 0.22, 0.24, -90, 270, 20),  # 8: two loops
          _arc(0.5, 0.73, 0.27, 0.26, -90, 270, 20)]],
        [[_arc(0.48, 0.28, 0.27, 0.26, 0, 360, 24),  # 9: a loop and a stem
          _curve((0.75, 0.28), (0.76, 0.55), (0.72, 0.8), (0.68, 1.0))]],
    ]


# The distance fields are sampled on a _FIELD_SIZE^2 grid over [_FIELD_LO, _FIELD_HI]^2
# of the unit box (a margin around it, for the random distortions).
_FIELD_SIZE = 96
_FIELD_LO, _FIELD_HI = -0.5, 1.5


def _distance_to_segments(points: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distance from each point (P, 2) to the nearest segment a[s] -> b[s] (S, 2): (P,)."""
    e = b - a  # (S, 2)
    u = points[:, None, :] - a[None, :, :]  # (P, S, 2)
    t = np.clip((u * e).sum(-1) / np.maximum((e * e).sum(-1), 1e-12), 0.0, 1.0)  # (P, S)
    return np.sqrt(((u - t[..., None] * e) ** 2).sum(-1)).min(axis=1)  # (P,)


@functools.lru_cache(maxsize=1)
def _glyph_fields() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distance fields of every style, computed once on first use.

    Returns:
        fields: float32 (n_styles, G, G): distance (unit-box units) from grid
            point [row i, column j] to the style's strokes.
        first: int64 (10,): index of digit k's first style.
        count: int64 (10,): number of styles of digit k.
    """
    axis = np.linspace(_FIELD_LO, _FIELD_HI, _FIELD_SIZE)
    gx, gy = np.meshgrid(axis, axis)  # (G, G): x varies along columns, y along rows
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1)  # (G*G, 2)
    fields, count = [], []
    for styles in _glyph_styles():
        count.append(len(styles))
        for polylines in styles:
            a = np.concatenate([line[:-1] for line in polylines])  # (S, 2) segment starts
            b = np.concatenate([line[1:] for line in polylines])  # (S, 2) segment ends
            fields.append(_distance_to_segments(grid, a, b).reshape(_FIELD_SIZE, _FIELD_SIZE))
    count = np.array(count)
    first = np.concatenate([[0], np.cumsum(count)[:-1]])
    return np.array(fields, dtype=np.float32), first, count


def make_glyph_digits(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Make `n` images of stroke-drawn digits: an offline stand-in for MNIST.

    This is NOT MNIST and not handwriting: each digit 0-9 is a few polylines,
    arcs and curves in a unit box (two styles for some digits, e.g. a 7 with and
    without a bar). Each image picks a style and a random pen:

    * an affine map: rotation within +-15 degrees, the unit box 15 to 19
      pixels high and 0.8 to 1.2 times that wide, shear (slant) within +-0.3,
      a shift within +-1.5 pixels; the box's centre lands in the middle of the
      28x28 image, so the digit (with its stroke about 20 pixels high) sits in
      the central ~20x20 like MNIST's;
    * a gentle bend (x shifts with y^2 and y with x^2) so strokes are not all
      straight;
    * a stroke half-width of 0.8 to 1.8 pixels.

    Rendering is by distance to the strokes: a pixel's ink is
    ``clip(half_width - distance + 0.5, 0, 1)``, an anti-aliased edge one pixel
    wide. The distance to the strokes is computed once per style on a fine grid
    (a distance field, as fonts are rendered) and each pixel's centre is mapped
    back into the unit box through the inverse pen transform and looks it up
    with bilinear interpolation, so the cost per image does not grow with the
    number of segments (60,000 images take about a second).

    Classes are balanced (``n // 10`` or one more each) in random order. The
    same `n` and `seed` give bit-identical arrays on the same NumPy.

    Args:
        n: number of images, >= 0.
        seed: seed of the ``np.random.default_rng`` that draws everything.

    Returns:
        x: float32 (n, 784) in [0, 1], rows of 28x28 images.
        y: int64 (n,), the digit 0..9.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.arange(n) % 10).astype(np.int64)  # (n,) balanced classes
    fields, first, count = _glyph_fields()
    style = first[y] + (rng.random(n) * count[y]).astype(np.int64)  # (n,)
    # One row of uniform [0, 1) numbers per image, mapped to the pen's parameters.
    u = rng.random((n, 9))  # (n, 9)
    angle = np.radians(-15 + 30 * u[:, 0])
    height = 15 + 4 * u[:, 1]  # pixels per unit of the box
    aspect = 0.8 + 0.4 * u[:, 2]
    shear = -0.3 + 0.6 * u[:, 3]
    shift = -1.5 + 3 * u[:, 4:6]  # (n, 2) pixels
    bend = -0.3 + 0.6 * u[:, 6:8]  # (n, 2)
    half_width = 0.8 + 1.0 * u[:, 8]  # pixels

    # The pen maps a point c of the unit box to the pixel p = centre + shift + M (c - 0.5).
    zero, one = np.zeros(n), np.ones(n)
    rotation = _matrices(np.cos(angle), -np.sin(angle), np.sin(angle), np.cos(angle))
    slant = _matrices(one, shear, zero, one)
    stretch = _matrices(aspect, zero, zero, one)
    m = height[:, None, None] * (rotation @ slant @ stretch)  # (n, 2, 2)
    m_inv = np.linalg.inv(m)  # (n, 2, 2): rendering maps pixels back into the box
    # Distances scale by sqrt(|det M|), the pen's mean magnification.
    pixels_per_unit = np.sqrt(np.abs(np.linalg.det(m)))  # (n,)

    x = np.empty((n, 784), dtype=np.float32)
    for start in range(0, n, _GLYPH_CHUNK):
        part = slice(start, min(start + _GLYPH_CHUNK, n))
        x[part] = _render_glyphs(
            fields, style[part], m_inv[part], shift[part], bend[part],
            pixels_per_unit[part], half_width[part],
        )
    return x, y


def _matrices(a: np.ndarray, b: np.ndarray, c: np.ndarray, d: np.ndarray) -> np.ndarray:
    """The 2x2 matrices [[a, b], [c, d]] from four arrays (n,): shape (n, 2, 2)."""
    return np.stack([np.stack([a, b], axis=-1), np.stack([c, d], axis=-1)], axis=-2)


def _render_glyphs(fields: np.ndarray, style: np.ndarray, m_inv: np.ndarray,
                   shift: np.ndarray, bend: np.ndarray, pixels_per_unit: np.ndarray,
                   half_width: np.ndarray) -> np.ndarray:
    """Render B images: style (B,), m_inv (B, 2, 2), shift (B, 2), bend (B, 2),
    pixels_per_unit (B,), half_width (B,) -> float32 (B, 784) in [0, 1]."""
    f32 = np.float32
    col = np.tile(np.arange(28, dtype=f32), 28) - f32(13.5)  # (784,) pixel centres,
    row = np.repeat(np.arange(28, dtype=f32), 28) - f32(13.5)  # relative to the middle
    px = col[None, :] - shift[:, 0:1].astype(f32)  # (B, 784)
    py = row[None, :] - shift[:, 1:2].astype(f32)  # (B, 784)
    mi = m_inv.astype(f32)
    cx = f32(0.5) + mi[:, 0, 0:1] * px + mi[:, 0, 1:2] * py  # (B, 784) in the unit box
    cy = f32(0.5) + mi[:, 1, 0:1] * px + mi[:, 1, 1:2] * py
    bx, by = bend[:, 0:1].astype(f32), bend[:, 1:2].astype(f32)
    cx, cy = cx + bx * (cy - f32(0.5)) ** 2, cy + by * (cx - f32(0.5)) ** 2

    # Bilinear lookup of the style's distance field at (cx, cy).
    g = _FIELD_SIZE
    scale = f32((g - 1) / (_FIELD_HI - _FIELD_LO))
    gx = np.clip((cx - f32(_FIELD_LO)) * scale, 0, g - 1.001)  # (B, 784) grid column
    gy = np.clip((cy - f32(_FIELD_LO)) * scale, 0, g - 1.001)  # (B, 784) grid row
    x0, y0 = np.floor(gx), np.floor(gy)
    fx, fy = gx - x0, gy - y0  # (B, 784) position inside the grid cell
    ix, iy = x0.astype(np.intp), y0.astype(np.intp)
    flat = fields.reshape(-1)
    i00 = style[:, None] * (g * g) + iy * g + ix  # (B, 784) index of the top-left corner
    top = flat[i00] * (1 - fx) + flat[i00 + 1] * fx
    bottom = flat[i00 + g] * (1 - fx) + flat[i00 + g + 1] * fx
    distance = (top * (1 - fy) + bottom * fy) * pixels_per_unit[:, None].astype(f32)  # pixels

    ink = half_width[:, None].astype(f32) + f32(0.5) - distance  # (B, 784)
    return np.clip(ink, 0, 1, out=ink)


# ---------------------------------------------------------------------------
# Binarization
# ---------------------------------------------------------------------------

BINARIZE_MODES = ("none", "static", "dynamic")


def binarize(x: np.ndarray, mode: str, rng: np.random.Generator | None = None) -> np.ndarray:
    """Turn grey pixels into 0/1 pixels for a Bernoulli decoder (Eq. 3, 4).

    Each pixel becomes 1 with probability equal to its grey value:
    ``(rng.random(x.shape, dtype=float32) < x)`` as float32. The two modes that
    do so differ only in how often the caller draws:

    * "static": call it once, on the whole data set, and keep the result: the
      data set is one fixed Bernoulli sample (as in "binarized MNIST");
    * "dynamic": call it again every epoch (or on every batch), so the model
      sees fresh samples and overfits less;
    * "none": keep the grey values; `x` itself is returned, not a copy.

    Args:
        x: float (N, D) with values in [0, 1] (a data set or a batch).
        mode: one of :data:`BINARIZE_MODES`.
        rng: the generator to draw with (needed unless mode is "none").

    Returns:
        float32 (N, D) of 0.0 and 1.0, or `x` itself for "none".
    """
    if mode not in BINARIZE_MODES:
        raise ValueError(
            f"unknown binarize mode {mode!r}; choose one of: {', '.join(BINARIZE_MODES)}"
        )
    if mode == "none":
        return x
    if rng is None:
        raise ValueError(f"binarize mode {mode!r} draws random pixels: pass rng")
    return (rng.random(np.shape(x), dtype=np.float32) < x).astype(np.float32)


# ---------------------------------------------------------------------------
# Minibatches and data larger than memory
# ---------------------------------------------------------------------------


def batches(
    x: Any,
    batch_size: int,
    rng: np.random.Generator | None = None,
    shuffle: bool = True,
    drop_last: bool = False,
) -> Iterator[np.ndarray]:
    """Iterate over minibatches of `x` for one epoch.

    With `shuffle`, the batches are ``x[idx]`` for consecutive chunks ``idx``
    of ``rng.permutation(len(x))``, so each row appears exactly once per epoch
    and the same rng state gives the same batches. Without it, they are the
    slices ``x[i : i + batch_size]`` in order.

    Args:
        x: (N, D) array, or anything with ``len()`` and indexing by an index
            array and by a slice, such as a :class:`MemmapSource`.
        batch_size: rows per batch, >= 1; the last batch may be smaller.
        rng: the generator that shuffles (needed when `shuffle`).
        shuffle: shuffle the rows (training) or keep their order (evaluation).
        drop_last: skip a last batch smaller than `batch_size`.

    Yields:
        (B, D) arrays with B = batch_size (the last one: N mod batch_size).
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    if shuffle and rng is None:
        raise ValueError("batches(shuffle=True) needs rng")
    n = len(x)
    stop = n - n % batch_size if drop_last else n
    order = rng.permutation(n) if shuffle else None  # drawn now, not at the first batch

    def generate() -> Iterator[np.ndarray]:
        for start in range(0, stop, batch_size):
            end = min(start + batch_size, stop)
            yield x[order[start:end]] if order is not None else x[start:end]

    return generate()


def write_npy_source(
    path: PathLike, chunks: Iterable[np.ndarray], n_rows: int, n_cols: int = 784
) -> Path:
    """Write a float32 (n_rows, n_cols) ``.npy`` file from chunks of rows.

    Chunks are written one after another as they come, so a file much bigger
    than memory (say 600,000 images) can be made from a generator. The file is
    written under a temporary name and renamed at the end, so `path` never
    holds a partial file.

    Args:
        path: the ``.npy`` file to write.
        chunks: arrays (k, n_cols) whose rows, in order, make the data set.
        n_rows: the total number of rows the chunks must add up to.
        n_cols: the number of columns (784 for 28x28 images).

    Returns:
        `path` as a Path.

    Raises:
        ValueError: a chunk has the wrong shape, or the rows do not add up to `n_rows`.
    """
    path = Path(path)
    header = {"descr": "<f4", "fortran_order": False, "shape": (n_rows, n_cols)}

    def write(out: BinaryIO) -> None:
        np.lib.format.write_array_header_1_0(out, header)
        rows = 0
        for chunk in chunks:
            chunk = np.asarray(chunk)
            if chunk.ndim != 2 or chunk.shape[1] != n_cols:
                raise ValueError(f"expected chunks of shape (k, {n_cols}), got {chunk.shape}")
            rows += len(chunk)
            if rows > n_rows:
                raise ValueError(f"the chunks have more than n_rows={n_rows} rows")
            out.write(np.ascontiguousarray(chunk, dtype="<f4"))  # its bytes, no copy
        if rows != n_rows:
            raise ValueError(f"the chunks have {rows} rows, expected n_rows={n_rows}")

    atomic_write(path, write)
    return path


def save_npy_source(x: np.ndarray, path: PathLike) -> Path:
    """Save `x`, shape (N, D), as a float32 ``.npy`` file for :class:`MemmapSource`.

    Written in chunks of rows (no float32 copy of the whole of `x`) and renamed
    into place at the end, like :func:`write_npy_source`.
    """
    x = np.asarray(x)
    if x.ndim != 2:
        raise ValueError(f"expected an array (N, D), got shape {x.shape}")
    step = 4096
    chunks = (x[i : i + step] for i in range(0, len(x), step))
    return write_npy_source(path, chunks, x.shape[0], x.shape[1])


class MemmapSource:
    """The rows of an (N, D) ``.npy`` file, read from disk only when asked for.

    Use it in place of an array for data that does not fit in memory:
    ``batches(MemmapSource(path), ...)`` yields exactly the batches that
    ``batches(np.load(path), ...)`` would, for the same rng.

    Memory: the constructor reads only the file's header, and each
    ``source[idx]`` reads just the requested rows into a new float32 array
    (one read per row, or one read for a slice), so the process holds about
    one batch, whatever the size of the file. A NumPy memory map
    (``np.load(path, mmap_mode="r")``) would be shorter to write but costs
    more: every page it touches counts as the process's resident memory while
    it is mapped, so a map kept open grows to the size of the file over a
    shuffled epoch; and even a map opened and dropped in every call briefly
    holds far more than a batch, because Linux maps page-cache pages in large
    blocks (up to 2 MB per touched row: about 250 MB for 128 random rows).

    Attributes:
        path: the file.
        shape: (N, D).
        dtype: the element type stored in the file.
    """

    def __init__(self, path: PathLike) -> None:
        self.path = Path(path)
        try:
            with open(self.path, "rb") as f:
                version = np.lib.format.read_magic(f)
                if version == (1, 0):
                    shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(f)
                else:
                    shape, fortran_order, dtype = np.lib.format.read_array_header_2_0(f)
                self._offset = f.tell()  # where the data starts
        except (OSError, ValueError) as exc:
            raise DataError(f"{self.path}: cannot read the .npy header: {exc}") from exc
        if len(shape) != 2 or fortran_order or dtype.hasobject:
            raise DataError(
                f"{self.path}: expected a C-ordered numeric array (N, D), found "
                f"shape {shape}, dtype {dtype}, fortran_order={fortran_order}"
            )
        size = self._offset + math.prod(shape) * dtype.itemsize
        if self.path.stat().st_size < size:
            raise DataError(f"{self.path}: truncated: the header promises {size} bytes")
        self.shape: tuple[int, int] = shape
        self.dtype: np.dtype = dtype

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, idx: Any) -> np.ndarray:
        """Rows `idx` as a new float32 array.

        Args:
            idx: an index array (B,) of ints (negative ones count from the end)
                or of bools (N,), a slice, or an int.

        Returns:
            float32 (B, D); (D,) for an int.
        """
        n, d = self.shape
        row_bytes = d * self.dtype.itemsize
        if isinstance(idx, slice) and idx.indices(n)[2] == 1:
            start, stop, _ = idx.indices(n)
            out = np.empty((max(stop - start, 0), d), dtype=self.dtype)  # (B, D)
            self._read_into([(self._offset + start * row_bytes, out)])
            return out.astype(np.float32, copy=False)
        if isinstance(idx, slice):
            rows = np.arange(*idx.indices(n))
        else:
            rows = np.asarray(idx)
            if rows.dtype == bool:
                if rows.shape != (n,):
                    raise IndexError(f"a boolean index must have shape ({n},), got {rows.shape}")
                rows = np.flatnonzero(rows)
            elif rows.dtype.kind not in "iu":
                raise IndexError(f"rows must be indexed by ints, got {rows.dtype}")
            if rows.size and (rows.min() < -n or rows.max() >= n):
                raise IndexError(f"row index out of range for {n} rows")
        flat = rows.reshape(-1) % n  # (B,) in 0..n-1
        out = np.empty((flat.size, d), dtype=self.dtype)  # (B, D)
        self._read_into([(self._offset + int(r) * row_bytes, out[i]) for i, r in enumerate(flat)])
        return out.reshape(*rows.shape, d).astype(np.float32, copy=False)

    def _read_into(self, pieces: list[tuple[int, np.ndarray]]) -> None:
        """Fill each (contiguous) array of `pieces` with the file's bytes at its offset."""
        with open(self.path, "rb", buffering=0) as f:
            for offset, target in pieces:
                f.seek(offset)
                view = memoryview(target.reshape(-1).view(np.uint8))  # its bytes
                while view:  # one read, unless the operating system returns less
                    count = f.readinto(view)
                    if not count:
                        raise DataError(f"{self.path}: file ended while reading rows")
                    view = view[count:]

    def __repr__(self) -> str:
        return f"MemmapSource({str(self.path)!r}, shape={self.shape}, dtype={self.dtype})"
