"""Download: one file from a list of URLs, checked against its SHA-256, within time limits.

:func:`download` tries each URL in turn. One attempt streams the response into a
temporary file beside the destination, checks its SHA-256 and renames it into place;
a failed attempt leaves nothing behind, and the folders made for the file are removed
again when every URL fails. A folder that cannot be written raises
:class:`FolderNotWritable` before any URL is tried: no mirror is to blame. Which files
the data sets have, where they come from and where they are kept is
:mod:`numpyvae.datasets.cache`'s business.

Time limits, both read from this module at call time (so either can be changed):

* :data:`DOWNLOAD_TIMEOUT` (30 s): a mirror that sends nothing for this long
  is given up.
* :data:`DOWNLOAD_DEADLINE` (120 s): the most one file may take from one
  mirror, all in (name lookup, connecting, every byte), so that a mirror
  trickling a byte now and then is given up too. The environment variable
  ``NUMPYVAE_DOWNLOAD_DEADLINE`` (seconds) overrides it
  (:func:`download_deadline`, which checks it before anything is tried). Giving up
  prints ``giving up on URL after N s, trying the next mirror`` to stderr.

A mirror given up so is skipped, with one line on stderr, for the next
:data:`SKIP_HUNG_FOR` seconds (600: the rest of a command), so that a command
fetching four files waits for a hanging mirror once, not four times. A file whose
size is known is never read past it: a mirror sending more (an endless body) is
given up at the first byte too many.
"""

from __future__ import annotations

import errno
import hashlib
import http.client
import os
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from ..errors import DataError
from ..fileio import (
    PathLike,
    atomic_write,
    make_folders,
    remove_empty_folders,
    temp_path,
)

DOWNLOAD_TIMEOUT = 30.0  # seconds without data before a mirror is given up
#: Seconds one file may take from one mirror, all in, before the next mirror is
#: tried; ``$NUMPYVAE_DOWNLOAD_DEADLINE`` overrides it.
DOWNLOAD_DEADLINE = 120.0
#: seconds a mirror that hung (given up at a deadline or timeout) is skipped
SKIP_HUNG_FOR = 600.0

# the origins ("http://host:port") of the mirrors that hung, and when
_HUNG: dict[str, float] = {}


class FolderNotWritable(DataError):
    """The folder a download goes into cannot be written: no mirror is to blame, so
    :func:`download` tries none (the cache says so, and how to choose another folder)."""


# What a failed download attempt can raise: network and file errors (OSError,
# which includes URLError, HTTPError and timeouts), a broken HTTP response,
# a malformed URL (ValueError) and a checksum mismatch (DataError).
_DOWNLOAD_ERRORS = (OSError, http.client.HTTPException, ValueError, DataError)


def download(urls: str | Sequence[str], dest: PathLike, sha256: str | None = None,
             size: int | None = None) -> Path:
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
    next URL is tried, and its mirror is skipped for :data:`SKIP_HUNG_FOR`
    seconds (``skipping URL ...``).

    Args:
        urls: one URL or several, tried in order.
        dest: where the file goes; its directory is created if needed.
        sha256: the expected SHA-256 as hex, or None to accept any content.
        size: the file's size in bytes, if known: a mirror announcing or sending
            more is given up (a body without end never fills the disk).

    Returns:
        `dest` as a Path.

    Raises:
        DataError: every URL failed (the message lists what each one said), or
            ``$NUMPYVAE_DOWNLOAD_DEADLINE`` is not a number of seconds (one line,
            before anything is tried).
        FolderNotWritable: a DataError: the folder of `dest` cannot be written
            ("cannot write into the cache folder ..."); then no URL is tried.
    """
    urls = [urls] if isinstance(urls, str) else list(urls)
    if not urls:
        raise ValueError("download() needs at least one URL")
    dest = Path(dest)
    deadline = download_deadline()
    try:
        created = make_folders(dest.parent)
    except OSError as exc:
        raise _not_writable(Path(exc.filename or dest.parent).parent, exc) from exc
    try:
        _check_writable(dest.parent)
        failures = []
        for i, url in enumerate(urls):
            more = ", trying the next mirror" if i + 1 < len(urls) else ""
            hung = _hung_since(url)
            if hung is not None:
                print(f"skipping {url}: it hung {hung:.0f} s ago{more}", file=sys.stderr)
                failures.append(f"  {url}: skipped, it hung {hung:.0f} s ago")
                continue
            try:
                _download_one(url, dest, sha256, size, deadline, DOWNLOAD_TIMEOUT)
                return dest
            except FolderNotWritable:
                raise
            except _GaveUp as exc:
                _HUNG[_origin(url)] = time.monotonic()
                print(f"giving up on {url} {exc.when}{more}", file=sys.stderr)
                failures.append(f"  {url}: {exc}")
            except _DOWNLOAD_ERRORS as exc:
                failures.append(f"  {url}: {_describe(exc)}")
        raise DataError(f"cannot download {dest.name}; every URL failed:\n" + "\n".join(failures))
    except BaseException:
        remove_empty_folders(created)
        raise


def download_deadline() -> float:
    """:data:`DOWNLOAD_DEADLINE`, or ``$NUMPYVAE_DOWNLOAD_DEADLINE`` when set: a
    DataError of one line if that is not a number of seconds above 0."""
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


def _origin(url: str) -> str:
    """'http://host:port' of a URL: what a hanging mirror is remembered by."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _hung_since(url: str) -> float | None:
    """Seconds since the mirror of `url` hung, if that is less than SKIP_HUNG_FOR."""
    since = _HUNG.get(_origin(url))
    if since is None or time.monotonic() - since >= SKIP_HUNG_FOR:
        return None
    return time.monotonic() - since


def _describe(exc: BaseException) -> str:
    """A short account of why a download attempt failed."""
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        return str(exc.reason)
    return str(exc) or type(exc).__name__


# ---- one attempt: one URL streamed into one file ------------------------------------


class _GaveUp(DataError):
    """An attempt took longer than its deadline, or its mirror fell silent."""

    def __init__(self, reason: str, when: str) -> None:
        super().__init__(reason)
        self.when = when  # "after 120 s", for the line on stderr


def _download_one(url: str, dest: Path, sha256: str | None, size: int | None,
                  deadline: float, timeout: float) -> None:
    """Stream `url` into a temporary file, check it, rename it to `dest`.

    Raises _GaveUp after `deadline` seconds in all, or `timeout` seconds
    without data (:data:`DOWNLOAD_TIMEOUT`); FolderNotWritable when
    the file cannot be written; DataError past `size` bytes.
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
        return _GaveUp(f"timed out: no data for {timeout:g} s",
                       f"after {timeout:g} s without data")

    def timed_out() -> _GaveUp:
        return gave_up() if time.monotonic() >= give_up_at - 0.01 else silent()

    def write(out: BinaryIO) -> None:
        stages.append("started")
        digest = hashlib.sha256()
        received = 0
        response = _open_before(request, give_up_at, timeout, gave_up, timed_out)
        with response:
            announced = getattr(response, "length", None)  # Content-Length, if sent
            if size is not None and isinstance(announced, int) and announced > size:
                raise DataError(f"the mirror announces {announced} bytes, but the file has {size}")
            sock = _socket_of(response)
            read = getattr(response, "read1", response.read)
            while True:
                remaining = give_up_at - time.monotonic()
                if remaining <= 0:
                    raise gave_up()
                if sock is not None:  # each read waits no longer than the deadline
                    sock.settimeout(min(timeout, remaining))
                try:
                    chunk = read(1 << 16)  # what has arrived, up to 64 kB
                except TimeoutError:  # socket.timeout
                    raise timed_out() from None
                if not chunk:
                    break
                if size is not None and received + len(chunk) > size:
                    raise DataError(f"the mirror sent more than the {size} bytes of the file")
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


def _open_before(request: urllib.request.Request, give_up_at: float, timeout: float,
                 gave_up, timed_out):
    """``urlopen(request)``, given up (raising ``gave_up()``) at time `give_up_at`;
    a socket timeout (`timeout` seconds without data) raises ``timed_out()``.

    Opening runs in a daemon thread because a name lookup has no timeout and a
    connection tries each address of a host in turn, each with the full timeout.
    A thread that is given up closes its response if it gets one later.
    """
    box: dict = {}
    lock = threading.Lock()
    done = threading.Event()
    open_timeout = max(min(timeout, give_up_at - time.monotonic()), 0.001)

    def target() -> None:
        try:
            response = urllib.request.urlopen(request, timeout=open_timeout)
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


# ---- the folder of the file ----------------------------------------------------------


def _not_writable(folder: Path, exc: OSError) -> FolderNotWritable:
    """The error for a cache folder that refuses a file or a folder."""
    hint = " (read-only?)" if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM) else ""
    return FolderNotWritable(
        f"cannot write into the cache folder {folder}{hint}: {exc.strerror or exc}"
    )


def _check_writable(folder: Path) -> None:
    """Raise FolderNotWritable unless a file can be created in `folder`."""
    probe = temp_path(folder / "write-test")
    try:
        with open(probe, "xb"):
            pass
        os.unlink(probe)
    except OSError as exc:
        raise _not_writable(folder, exc) from exc
