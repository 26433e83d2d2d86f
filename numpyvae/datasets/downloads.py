"""Download and cache of the original MNIST and Fashion-MNIST files.

The files come from public mirrors (:data:`MIRRORS`, or ``$NUMPYVAE_MIRROR``),
are checked against their SHA-256 (:data:`SHA256`) and kept under
``<data dir>/<data set>/<original file name>`` (:func:`default_data_dir`).
:func:`fetch` returns a cached file or downloads it; :func:`download` is the
download itself.

Time limits, both read from this module on every attempt:

* :data:`DOWNLOAD_TIMEOUT` (30 s): a mirror that sends nothing for this long
  is given up.
* :data:`DOWNLOAD_DEADLINE` (120 s): the most one file may take from one
  mirror, all in (name lookup, connecting, every byte), so that a mirror
  trickling a byte now and then is given up too. The environment variable
  ``NUMPYVAE_DOWNLOAD_DEADLINE`` (seconds) overrides it. Giving up prints
  ``giving up on URL after N s, trying the next mirror`` to stderr.

A cached file is checked against its SHA-256 the first time a process uses it
(and again if its size or modification time changes); one that does not match
is reported on stderr and downloaded again.
"""

from __future__ import annotations

import errno
import hashlib
import http.client
import os
import re
import stat
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path
from typing import BinaryIO

from ..errors import DataError
from ..fileio import atomic_write, temp_path
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
#: Seconds one file may take from one mirror, all in, before the next mirror is
#: tried; ``$NUMPYVAE_DOWNLOAD_DEADLINE`` overrides it.
DOWNLOAD_DEADLINE = 120.0


class _GaveUp(DataError):
    """An attempt took longer than its deadline, or its mirror fell silent."""

    def __init__(self, reason: str, when: str) -> None:
        super().__init__(reason)
        self.when = when  # "after 120 s", for the line on stderr


class _CacheNotWritable(DataError):
    """The cache folder cannot be written: no mirror is to blame, none is tried."""


# Cached files found to match their SHA-256 in this process:
# (absolute path, size, mtime in ns, inode, expected SHA-256).
_VERIFIED: set[tuple[str, int, int, int, str]] = set()

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
                _download_one(url, dest, sha256, deadline)
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


def _not_writable(folder: Path, exc: OSError) -> _CacheNotWritable:
    """The error for a cache folder that refuses a file or a folder."""
    hint = " (read-only?)" if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM) else ""
    return _CacheNotWritable(
        f"cannot write into the cache folder {folder}{hint}: {exc.strerror or exc}"
    )


def _make_folders(folder: Path) -> list[Path]:
    """Create `folder` and its missing parents; the ones created, deepest first."""
    missing = []
    while not folder.exists() and folder.parent != folder:
        missing.append(folder)
        folder = folder.parent
    created: list[Path] = []
    for path in reversed(missing):
        try:
            path.mkdir(exist_ok=True)
        except OSError as exc:
            _remove_empty_folders(created)
            raise _not_writable(path.parent, exc) from exc
        created.insert(0, path)
    return created


def _remove_empty_folders(folders: list[Path]) -> None:
    """Remove `folders` (deepest first), stopping at the first one that is not empty."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return


def _check_writable(folder: Path) -> None:
    """Raise _CacheNotWritable unless a file can be created in `folder`."""
    probe = temp_path(folder / "write-test")
    try:
        with open(probe, "xb"):
            pass
        os.unlink(probe)
    except OSError as exc:
        raise _not_writable(folder, exc) from exc


def _download_one(url: str, dest: Path, sha256: str | None, deadline: float) -> None:
    """Stream `url` into a temporary file, check it, rename it to `dest`.

    Raises _GaveUp after `deadline` seconds in all, or :data:`DOWNLOAD_TIMEOUT`
    seconds without data; _CacheNotWritable when the file cannot be written.
    """
    print(f"downloading {url}", file=sys.stderr)
    request = urllib.request.Request(url, headers={"User-Agent": "numpyvae"})
    give_up_at = time.monotonic() + deadline
    stages = []  # "started" once the temporary file is open, "written" at the end

    def gave_up() -> _GaveUp:
        return _GaveUp(
            f"gave up after {deadline:g} s (the download deadline: DOWNLOAD_DEADLINE, "
            "or NUMPYVAE_DOWNLOAD_DEADLINE in seconds)",
            f"after {deadline:g} s",
        )

    def silent() -> _GaveUp:
        return _GaveUp(f"timed out: no data for {DOWNLOAD_TIMEOUT:g} s",
                       f"after {DOWNLOAD_TIMEOUT:g} s without data")

    def timed_out() -> _GaveUp:
        return gave_up() if time.monotonic() >= give_up_at - 0.01 else silent()

    def write(out: BinaryIO) -> None:
        stages.append("started")
        digest = hashlib.sha256()
        received = 0
        response = _open_before(request, give_up_at, gave_up, timed_out)
        with response:
            sock = _socket_of(response)
            read = getattr(response, "read1", response.read)
            while True:
                remaining = give_up_at - time.monotonic()
                if remaining <= 0:
                    raise gave_up()
                if sock is not None:  # each read waits no longer than the deadline
                    sock.settimeout(min(DOWNLOAD_TIMEOUT, remaining))
                try:
                    chunk = read(1 << 16)  # what has arrived, up to 64 kB
                except TimeoutError:  # socket.timeout
                    raise timed_out() from None
                if not chunk:
                    break
                digest.update(chunk)
                received += len(chunk)
                try:
                    out.write(chunk)
                except OSError as exc:
                    raise _not_writable(dest.parent, exc) from exc
            short = getattr(response, "length", None)  # bytes promised but not sent
            if isinstance(short, int) and short > 0:
                raise DataError(f"the connection closed after {received} bytes, "
                                f"{short} bytes short of the promised size")
        if sha256 is not None and digest.hexdigest() != sha256.lower():
            raise DataError(
                f"checksum mismatch: expected SHA-256 {sha256.lower()}, got {digest.hexdigest()}"
            )
        stages.append("written")

    try:
        atomic_write(dest, write)  # a failed attempt leaves nothing behind
    except OSError as exc:
        if stages != ["started"]:  # creating, syncing or renaming the file failed
            raise _not_writable(dest.parent, exc) from exc
        raise


def _open_before(request: urllib.request.Request, give_up_at: float, gave_up, timed_out):
    """``urlopen(request)``, given up (raising ``gave_up()``) at time `give_up_at`;
    a socket timeout raises ``timed_out()``.

    Opening runs in a daemon thread because a name lookup has no timeout and a
    connection tries each address of a host in turn, each with the full timeout.
    A thread that is given up closes its response if it gets one later.
    """
    box: dict = {}
    lock = threading.Lock()
    done = threading.Event()
    timeout = max(min(DOWNLOAD_TIMEOUT, give_up_at - time.monotonic()), 0.001)

    def target() -> None:
        try:
            response = urllib.request.urlopen(request, timeout=timeout)
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread
            box["error"] = exc
        else:
            with lock:
                if box.get("abandoned"):
                    response.close()
                else:
                    box["response"] = response
        finally:
            done.set()

    threading.Thread(target=target, name="numpyvae-download", daemon=True).start()
    done.wait(max(give_up_at - time.monotonic(), 0))
    with lock:
        if not done.is_set() and "response" not in box:
            box["abandoned"] = True
            raise gave_up()
    if "error" in box:
        error = box["error"]
        if isinstance(error, TimeoutError) or (
                isinstance(error, urllib.error.URLError)
                and isinstance(error.reason, TimeoutError)):
            raise timed_out() from error
        raise error
    return box["response"]


def _socket_of(response):
    """The socket a urllib response reads from, or None (then timeouts stay as opened)."""
    raw = getattr(getattr(response, "fp", None), "raw", None)
    sock = getattr(raw, "_sock", None)
    return sock if hasattr(sock, "settimeout") else None


def _describe(exc: BaseException) -> str:
    """A short account of why a download attempt failed."""
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        return str(exc.reason)
    return str(exc) or type(exc).__name__


def fetch(dataset: str, filename: str, data_dir: PathLike | None = None) -> Path:
    """The path of one original file of `dataset`, downloading it if it is not cached.

    A cached file (``<data_dir>/<dataset>/<filename>``) is checked against its
    SHA-256 in :data:`SHA256` the first time this process uses it (again if
    its size or modification time changed since); one that does not match is
    reported on stderr and downloaded again, replacing it. A downloaded file
    must match too. Mirrors come from :func:`mirror_urls`.

    Args:
        dataset: "mnist" or "fashion-mnist".
        filename: an original file name, e.g. "t10k-labels-idx1-ubyte.gz".
        data_dir: the cache directory, the folder that holds ``<dataset>/``;
            None means :func:`default_data_dir`.

    Raises:
        ValueError: unknown data set or file name.
        DataError: the file is missing (or does not match its SHA-256) and no
            mirror could provide it; `data_dir` is the ``<dataset>/`` folder
            itself ("pass the parent folder"); or the cache cannot be written.
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
    for path in paths:
        digest = SHA256[f"{dataset}/{path.name}"]
        if os.path.lexists(path):
            problem = _check_cached(path, digest)
            if problem is None:
                continue
            print(f"{path} does not match its SHA-256 ({problem}); downloading it again",
                  file=sys.stderr)
            try:
                download(mirror_urls(dataset, path.name), path, digest)
            except DataError as exc:
                raise DataError(_bad_cache_message(path, problem, str(exc))) from None
            _remember_verified(path, digest)
            continue
        _refuse_the_data_set_folder(directory, dataset)
        try:
            download(mirror_urls(dataset, path.name), path, digest)
        except _CacheNotWritable as exc:
            raise DataError(
                f"{path} is missing, and it cannot be downloaded: {exc}\nChoose a data directory that can be written "
                "(--data-dir DIR, data_dir=DIR in Python, or NUMPYVAE_DATA), or put the "
                "original files there by hand."
            ) from None
        except DataError as exc:
            # Stop at the first failure: the next file would fail the same way. Name
            # every file of the data set that is missing, the other split's too, so
            # that a user copying files by hand gets them all at once.
            every = [directory / name for name in SHA256 if name.startswith(f"{dataset}/")]
            missing = [p for p in every if not p.exists()]
            raise DataError(
                _missing_files_message(dataset, directory, missing, str(exc))
            ) from None
        except OSError as exc:  # e.g. the cache directory cannot be created
            raise DataError(f"{path}: cannot store the download: {exc}") from exc
        _remember_verified(path, digest)
    return paths


def _cache_key(path: Path, digest: str) -> tuple[str, int, int, int, str]:
    info = os.stat(path)
    return (os.path.abspath(path), info.st_size, info.st_mtime_ns, info.st_ino, digest)


def _remember_verified(path: Path, digest: str) -> None:
    with suppress(OSError):
        _VERIFIED.add(_cache_key(path, digest))


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
             "file, and it could not be downloaded again:"),
            download_report,
            (f"The cached file is damaged: delete {path} and it will be downloaded again, "
             "or put the original file there."),
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
