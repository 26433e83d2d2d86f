"""Download and cache of the original MNIST and Fashion-MNIST files.

The files come from public mirrors (:data:`MIRRORS`, or ``$NUMPYVAE_MIRROR``),
are checked against their SHA-256 (:data:`SHA256`) and kept under
``<data dir>/<data set>/<original file name>`` (:func:`default_data_dir`).
:func:`fetch` returns a cached file or downloads it; :func:`download` is the
download itself.

:data:`DOWNLOAD_TIMEOUT` is read from this module on every attempt.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from ..errors import DataError
from ..fileio import atomic_write
from .idx import PathLike

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
