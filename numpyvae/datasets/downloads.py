"""Download of the original MNIST and Fashion-MNIST files from public mirrors.

The files come from public mirrors (:data:`MIRRORS`, or ``$NUMPYVAE_MIRROR``),
are checked against their SHA-256 (:data:`SHA256`) and stored under
``<data dir>/<data set>/<original file name>`` (:func:`default_data_dir`).
:func:`download` tries each mirror in turn; one attempt is
:func:`.transfer._download_one`, the cache folder checks are in :mod:`.folders`,
and the cache itself (:func:`.cache.fetch`) is in :mod:`.cache`.

Time limits, both read from this module at call time (so either can be changed):

* :data:`DOWNLOAD_TIMEOUT` (30 s): a mirror that sends nothing for this long
  is given up.
* :data:`DOWNLOAD_DEADLINE` (120 s): the most one file may take from one
  mirror, all in (name lookup, connecting, every byte), so that a mirror
  trickling a byte now and then is given up too. The environment variable
  ``NUMPYVAE_DOWNLOAD_DEADLINE`` (seconds) overrides it. Giving up prints
  ``giving up on URL after N s, trying the next mirror`` to stderr.
"""

from __future__ import annotations

import http.client
import os
import re
import sys
import urllib.error
from collections.abc import Sequence
from pathlib import Path

from ..errors import DataError
from .folders import (
    _CacheNotWritable,
    _check_writable,
    _make_folders,
    _remove_empty_folders,
)
from .idx import PathLike
from .transfer import _download_one, _GaveUp

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
#: Seconds one file may take from one mirror, all in, before the next mirror is
#: tried; ``$NUMPYVAE_DOWNLOAD_DEADLINE`` overrides it.
DOWNLOAD_DEADLINE = 120.0


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
    `sha256` is given) and only then renames it to `dest` (replacing any file
    there). A failed attempt (HTTP error, refused connection, timeout, checksum
    mismatch) deletes its temporary file, so nothing partial is ever left
    behind, and folders it created for `dest` are removed again if every URL
    fails.

    An attempt is given up when its mirror sends nothing for
    :data:`DOWNLOAD_TIMEOUT` seconds, or when it is not complete after
    :data:`DOWNLOAD_DEADLINE` seconds (``$NUMPYVAE_DOWNLOAD_DEADLINE``
    overrides it); either prints ``giving up on URL ...`` to stderr before the
    next URL is tried.

    Args:
        urls: one URL or several, tried in order.
        dest: where the file goes; its directory is created if needed.
        sha256: the expected SHA-256 as hex, or None to accept any content.

    Returns:
        `dest` as a Path.

    Raises:
        DataError: every URL failed (the message lists what each one said), or
            the folder of `dest` cannot be written ("cannot write into the cache
            folder ..."; then no URL is tried).
    """
    urls = [urls] if isinstance(urls, str) else list(urls)
    if not urls:
        raise ValueError("download() needs at least one URL")
    dest = Path(dest)
    deadline = _download_deadline()
    created = _make_folders(dest.parent)
    try:
        _check_writable(dest.parent)
        failures = []
        for i, url in enumerate(urls):
            try:
                _download_one(url, dest, sha256, deadline, DOWNLOAD_TIMEOUT)
                return dest
            except _CacheNotWritable:
                raise
            except _GaveUp as exc:
                more = ", trying the next mirror" if i + 1 < len(urls) else ""
                print(f"giving up on {url} {exc.when}{more}", file=sys.stderr)
                failures.append(f"  {url}: {exc}")
            except _DOWNLOAD_ERRORS as exc:
                failures.append(f"  {url}: {_describe(exc)}")
        raise DataError(f"cannot download {dest.name}; every URL failed:\n" + "\n".join(failures))
    except BaseException:
        _remove_empty_folders(created)
        raise


def _download_deadline() -> float:
    """:data:`DOWNLOAD_DEADLINE`, or ``$NUMPYVAE_DOWNLOAD_DEADLINE`` when set."""
    raw = os.environ.get("NUMPYVAE_DOWNLOAD_DEADLINE", "").strip()
    if not raw:
        return float(DOWNLOAD_DEADLINE)
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not 0 < value < float("inf"):
        raise DataError(
            f"NUMPYVAE_DOWNLOAD_DEADLINE={raw!r}: expected a number of seconds above 0"
        )
    return value


def _describe(exc: BaseException) -> str:
    """A short account of why a download attempt failed."""
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        return str(exc.reason)
    return str(exc) or type(exc).__name__

