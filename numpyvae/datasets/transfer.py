"""One download attempt: one URL streamed into one file, within time limits.

:func:`_download_one` prints ``downloading URL``, streams the response into a
temporary file beside the destination, checks its SHA-256 and renames it into
place; a failed attempt leaves nothing behind. It gives up (:class:`_GaveUp`)
when the mirror sends nothing for `timeout` seconds or the whole attempt,
name lookup and connecting included (:func:`_open_before`), takes longer than
`deadline` seconds. Both limits are passed in by :func:`.downloads.download`,
which reads them from its module at call time.
"""

from __future__ import annotations

import hashlib
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import BinaryIO

from ..errors import DataError
from ..fileio import atomic_write
from .folders import _not_writable


class _GaveUp(DataError):
    """An attempt took longer than its deadline, or its mirror fell silent."""

    def __init__(self, reason: str, when: str) -> None:
        super().__init__(reason)
        self.when = when  # "after 120 s", for the line on stderr


def _download_one(url: str, dest: Path, sha256: str | None, deadline: float,
                  timeout: float) -> None:
    """Stream `url` into a temporary file, check it, rename it to `dest`.

    Raises _GaveUp after `deadline` seconds in all, or `timeout` seconds
    without data (:data:`.downloads.DOWNLOAD_TIMEOUT`); _CacheNotWritable when
    the file cannot be written.
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
