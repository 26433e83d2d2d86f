"""The original files of MNIST and Fashion-MNIST: where they come from, what they must
hash to, where they are kept, and :func:`fetch`, which returns a cached file or
downloads it.

The files come from public mirrors (:data:`MIRRORS`, or ``$NUMPYVAE_MIRROR``), are
read no further than their size (:data:`SIZES`), checked against their SHA-256
(:data:`SHA256`) and kept under ``<data dir>/<data set>/<original file name>``
(:func:`default_data_dir`). A cached file is checked the first time a process uses it
(and again if its size or modification time changes); one that does not match is
someone's own file: it is moved aside (kept under another name, and said so on
stderr, never deleted) and the original downloaded in its place
(:func:`numpyvae.datasets.downloads.download`); if that fails it is put back. A data
directory given one level too deep (the ``<data set>/`` folder itself) is refused, and
a download that fails names every missing file of the data set. The environment
variables (``NUMPYVAE_MIRROR``, ``NUMPYVAE_DOWNLOAD_DEADLINE``) are checked before
anything else, each in one line.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import sys
import urllib.parse
from contextlib import suppress
from pathlib import Path

from ..errors import DataError
from ..fileio import PathLike
from .downloads import FolderNotWritable, download, download_deadline

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

#: The size in bytes of each original file: a mirror is never read past it.
SIZES: dict[str, int] = {
    "mnist/train-images-idx3-ubyte.gz": 9912422,
    "mnist/train-labels-idx1-ubyte.gz": 28881,
    "mnist/t10k-images-idx3-ubyte.gz": 1648877,
    "mnist/t10k-labels-idx1-ubyte.gz": 4542,
    "fashion-mnist/train-images-idx3-ubyte.gz": 26421880,
    "fashion-mnist/train-labels-idx1-ubyte.gz": 29515,
    "fashion-mnist/t10k-images-idx3-ubyte.gz": 4422102,
    "fashion-mnist/t10k-labels-idx1-ubyte.gz": 5148,
}

#: A cached file that is not the original is kept as ``<name>`` + this (+ "-2", ...).
MOVED_ASIDE = ".not-original"

#: the URL schemes a mirror may have (those urllib opens)
MIRROR_SCHEMES = ("http", "https", "ftp", "file")

#: Public mirrors serving the original files, tried in this order. (The original
#: yann.lecun.com address answers HTTP 403 to scripts, so it is not listed.)
MIRRORS: dict[str, tuple[str, ...]] = {
    "mnist": (
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    ),
    "fashion-mnist": ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",),
}

# Cached files found to match their SHA-256 in this process:
# (absolute path, size, mtime in ns, inode, expected SHA-256).
_VERIFIED: set[tuple[str, int, int, int, str]] = set()


def default_data_dir() -> Path:
    """The directory where data sets are cached.

    ``$NUMPYVAE_DATA`` if set, else ``$XDG_CACHE_HOME/numpyvae``, else
    ``~/.cache/numpyvae``. Files live in ``<dir>/mnist/`` and
    ``<dir>/fashion-mnist/`` under their original names.
    """
    explicit = os.environ.get("NUMPYVAE_DATA", "")
    if explicit.strip():  # blanks are unset: a folder named '   ' is no one's choice
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

    Raises:
        DataError: one line, if a base of ``$NUMPYVAE_MIRROR`` is not a URL with a
            scheme of :data:`MIRROR_SCHEMES` (and a host, but for file:, and a port
            that is a number, if any).
    """
    bases = re.split(r"[\s,]+", os.environ.get("NUMPYVAE_MIRROR", "").strip())
    bases = [base for base in bases if base]
    for base in bases:
        if not _is_mirror_url(base):
            raise DataError(f"NUMPYVAE_MIRROR: {base!r} is not the URL of a mirror "
                            "(e.g. https://host/mnist); separate several by spaces or commas")
    return [base.rstrip("/") + "/" + filename for base in bases or MIRRORS[dataset]]


def _is_mirror_url(base: str) -> bool:
    """Whether ``base`` is a URL a mirror can have: a scheme of :data:`MIRROR_SCHEMES`, a
    host (but for file:), and a port, if any, that is a number from 0 to 65535."""
    try:  # urlsplit refuses a bracket left open; .port a port that is not 0..65535
        parts = urllib.parse.urlsplit(base)
        parts.port  # noqa: B018 - read for the ValueError it raises
    except ValueError:
        return False
    return parts.scheme in MIRROR_SCHEMES and bool(parts.netloc or parts.scheme == "file")


def fetch(dataset: str, filename: str, data_dir: PathLike | None = None) -> Path:
    """The path of one original file of `dataset`, downloading it if it is not cached.

    A cached file (``<data_dir>/<dataset>/<filename>``) is checked against its
    SHA-256 in :data:`SHA256` the first time this process uses it (again if its size
    or modification time changed since). One that does not match is moved aside,
    to ``<filename>.not-original`` (or ``-2``, ``-3``, ...: never over another file),
    said on stderr, and the original downloaded in its place; if the download fails,
    it is moved back. A downloaded file must match too, and no more than its size in
    :data:`SIZES` is read. Mirrors come from :func:`mirror_urls`. The environment
    (``NUMPYVAE_MIRROR``, ``NUMPYVAE_DOWNLOAD_DEADLINE``) is checked first.

    Args:
        dataset: "mnist" or "fashion-mnist".
        filename: an original file name, e.g. "t10k-labels-idx1-ubyte.gz".
        data_dir: the cache directory, the folder that holds ``<dataset>/``;
            None means :func:`default_data_dir`.

    Raises:
        ValueError: unknown data set or file name.
        DataError: the file is missing (or does not match its SHA-256) and no
            mirror could provide it (the message names every missing file of the
            data set, so that all of them can be copied by hand at once);
            `data_dir` is the ``<dataset>/`` folder itself ("pass the parent
            folder"); the cache cannot be written; or an environment variable
            is wrong (one line).
    """
    if dataset not in MIRRORS:
        raise ValueError(f"unknown data set {dataset!r}; choose one of: {', '.join(MIRRORS)}")
    key = f"{dataset}/{filename}"
    if key not in SHA256:
        raise ValueError(f"unknown file {key!r}; known files: {', '.join(SHA256)}")
    download_deadline()  # the environment first, each variable in one line
    urls = mirror_urls(dataset, filename)
    directory = Path(data_dir) if data_dir is not None else default_data_dir()
    path, digest, size = directory / dataset / filename, SHA256[key], SIZES.get(key)
    if os.path.lexists(path):
        problem = _check_cached(path, digest)
        if problem is None:
            return path
        aside = _move_aside(path, problem)
        print(f"{path} does not match its SHA-256 ({problem}), so it is not the original "
              f"file: kept as {aside.name}; downloading the original", file=sys.stderr)
        try:
            download(urls, path, digest, size)
        except DataError as exc:
            if not os.path.lexists(path):
                os.rename(aside, path)  # as it was: the user's file, under its name
            raise DataError(_bad_cache_message(path, problem, str(exc))) from None
        _remember_verified(path, digest)
        return path
    _refuse_the_data_set_folder(directory, dataset)
    try:
        download(urls, path, digest, size)
    except FolderNotWritable as exc:
        raise DataError(
            f"{path} is missing, and it cannot be downloaded: {exc}\nChoose a data directory that can be written "
            "(--data-dir DIR, data_dir=DIR in Python, or NUMPYVAE_DATA), or put the "
            "original files there by hand."
        ) from None
    except DataError as exc:
        # Name every file of the data set that is missing, the other split's too, so
        # that a user copying files by hand gets them all at once.
        every = [directory / name for name in SHA256 if name.startswith(f"{dataset}/")]
        missing = [p for p in every if not p.exists()]
        raise DataError(_missing_files_message(dataset, directory, missing, str(exc))) from None
    except OSError as exc:  # e.g. the cache directory cannot be created
        raise DataError(f"{path}: cannot store the download: {exc}") from exc
    _remember_verified(path, digest)
    return path


def _cache_key(path: Path, digest: str) -> tuple[str, int, int, int, str]:
    info = os.stat(path)
    return (os.path.abspath(path), info.st_size, info.st_mtime_ns, info.st_ino, digest)


def _remember_verified(path: Path, digest: str) -> None:
    with suppress(OSError):
        _VERIFIED.add(_cache_key(path, digest))


def _move_aside(path: Path, problem: str) -> Path:
    """Rename the cached file `path`, which is not the original, to a free name beside
    it (``<name>.not-original``, then ``-2``, ...); the new name."""
    for n in range(1, 1000):
        aside = path.with_name(path.name + MOVED_ASIDE + (f"-{n}" if n > 1 else ""))
        if os.path.lexists(aside):
            continue
        try:
            os.rename(path, aside)
        except OSError as exc:
            raise DataError(f"{path} is not the original file ({problem}), and it cannot be "
                            f"moved aside to {aside.name}: {exc.strerror or exc}") from exc
        return aside
    raise DataError(f"{path} is not the original file ({problem}); move it away (999 "
                    f"files named {path.name}{MOVED_ASIDE}-N are there already)")


def _check_cached(path: Path, digest: str) -> str | None:
    """None if the cached file `path` matches `digest`, else what is wrong with it.

    A file found to match is remembered with its size, modification time and
    inode, and not read again by this process unless one of those changes.

    Raises:
        DataError: `path` is not a regular file (a FIFO would block the check),
            or cannot be read.
    """
    try:
        info = os.stat(path)
    except OSError as exc:
        raise DataError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    if not stat.S_ISREG(info.st_mode):
        raise DataError(f"{path}: not a regular file; the cache must hold the original "
                        f"{path.name} there")
    key = _cache_key(path, digest)
    if key in _VERIFIED:
        return None
    hasher = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                hasher.update(chunk)
    except OSError as exc:
        raise DataError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    if hasher.hexdigest() != digest.lower():
        return f"expected {digest.lower()}, found {hasher.hexdigest()}"
    _VERIFIED.add(key)
    return None


def _bad_cache_message(path: Path, problem: str, download_report: str) -> str:
    """The error for a cached file that does not match its SHA-256 and was not replaced."""
    return "\n".join(
        [
            (f"{path} does not match its SHA-256 ({problem}): it is damaged or another "
             "file, and the original could not be downloaded:"),
            download_report,
            (f"{path} is left as it was. Move it away (or delete it) and the original "
             "will be downloaded, or put the original file there."),
        ]
    )


def _refuse_the_data_set_folder(directory: Path, dataset: str) -> None:
    """Raise DataError if `directory` holds the files of `dataset` itself, i.e. it
    is the ``<dataset>/`` folder and not the data directory above it."""
    for key in SHA256:
        if key.startswith(f"{dataset}/") and (directory / key.split("/", 1)[1]).is_file():
            name = key.split("/", 1)[1]
            raise DataError(
                f"{directory} holds {name} itself: it is the {dataset}/ folder, but the "
                f"data directory is the folder above it (numpyvae looks for "
                f"{directory / dataset / name}); "
                f"pass the parent folder: --data-dir {directory.parent} "
                f"(data_dir={str(directory.parent)!r} in Python, or NUMPYVAE_DATA)."
            )
    if directory.name == dataset:
        print(f"note: the data directory {directory} is named like the data set; if it is "
              f"the {dataset}/ folder itself, pass the parent folder: "
              f"--data-dir {directory.parent}", file=sys.stderr)


def _missing_files_message(dataset: str, directory: Path, missing: list[Path],
                           mirror_report: str) -> str:
    """The one error a user sees when data cannot be downloaded: what, where, and why."""
    parent_hint = (
        [(f"If {directory} is the {dataset}/ folder itself, pass the parent folder: "
          f"--data-dir {directory.parent}")]
        if directory.name == dataset else []
    )
    return "\n".join(
        [
            f"{dataset}: {len(missing)} file(s) missing and the download failed.",
            "Put the original .gz files here:",
            *(f"  {path}" for path in missing),
            f"or point numpyvae at a folder that holds {dataset}/ with them: --data-dir DIR on",
            "the command line, data_dir=DIR in Python, or the environment variable NUMPYVAE_DATA.",
            *parent_hint,
            mirror_report,
            "Other mirrors can be given in NUMPYVAE_MIRROR (base URLs, space-separated).",
            "To work offline, use the stroke-drawn digits instead: --dataset glyph-digits",
        ]
    )
