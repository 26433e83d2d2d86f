"""Writing files so that a crash never leaves a half-written one behind.

:func:`atomic_write` writes to a hidden temporary file beside the target,
``.{name}.{pid}.{token}.tmp``, and renames it into place. A name too long for that
(file names have at most 255 bytes) is cut to its first :data:`TEMP_STEM_BYTES` bytes
in the temporary name, so that every legal target name can be written. A writer killed
outright (SIGKILL, a power cut) cannot remove its temporary file; the next write of the
same target does (:func:`remove_stale_temp_files`). An error names the file being
written, never its temporary name.

:func:`lock_file` takes an exclusive advisory lock (``flock``) on a lock file, for the
life of a process at most: the operating system releases it when the process ends,
however it ends (SIGKILL included), so a lock is never left stale. The holder writes a
line about itself into the file (its PID), which a process refused reads back.
:func:`make_folders` and :func:`remove_empty_folders` create missing folders and remove
them again when nothing was put in them.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Union

if TYPE_CHECKING:  # only read by type checkers (typing.Self is Python 3.11+)
    from typing import Self

try:  # POSIX; elsewhere lock_file takes no lock (see there)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

#: a file's path as the public functions take it: a string or a path object
PathLike = Union[str, "os.PathLike[str]"]

#: a temporary file untouched for this long (seconds) is stale even if its PID is alive
#: (the PID may have been reused, or the writer ran on another machine)
STALE_AFTER = 3600.0

#: file names have at most 255 bytes (NAME_MAX); the temporary name adds at most 25 to
#: its stem ('.', '.' + a PID of up to 10 digits, '.' + 8 hex digits, '.tmp')
NAME_MAX = 255
TEMP_STEM_BYTES = NAME_MAX - 25


def temp_stem(name: str) -> str:
    """``name``, cut to its first :data:`TEMP_STEM_BYTES` bytes on disk: the part of a
    target's name its temporary names start with (a cut inside a character is fine: a
    file name is bytes, and os.fsdecode keeps them as they are)."""
    raw = os.fsencode(name)
    return name if len(raw) <= TEMP_STEM_BYTES else os.fsdecode(raw[:TEMP_STEM_BYTES])


def temp_path(path: Path) -> Path:
    """A fresh hidden name beside ``path``, for writing before the final rename; at most
    :data:`NAME_MAX` bytes whatever the length of ``path``'s name."""
    return path.with_name(f".{temp_stem(path.name)}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def _pid_alive(pid: int) -> bool:
    """Whether a process ``pid`` runs on this machine (True when it cannot be told)."""
    if os.name != "posix" or pid <= 0:
        return True  # os.kill(pid, 0) would end the process on Windows
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. PermissionError: it exists, and belongs to another user
        return True
    return True


def _temp_pid(name: str, target: str) -> int | None:
    """The PID in ``name`` if it is a temporary name of :func:`temp_path` for ``target``."""
    prefix = f".{temp_stem(target)}."
    if not (name.startswith(prefix) and name.endswith(".tmp")):
        return None
    pid, _, token = name[len(prefix) : -len(".tmp")].partition(".")
    if not (pid.isdigit() and len(token) == 8 and all(c in "0123456789abcdef" for c in token)):
        return None
    return int(pid)


def remove_stale_temp_files(path: PathLike, max_age: float = STALE_AFTER) -> list[Path]:
    """Remove the temporary files of ``path`` left by writers that are gone; the removed.

    A temporary file of ``path`` (``.{name}.{pid}.{token}.tmp`` beside it) is stale when
    no process ``pid`` runs on this machine, or when it has not been written to for
    ``max_age`` seconds. Other files, and the temporary files of other targets, are
    never touched. This assumes that the writers of one folder share this machine's
    process IDs; a file being written elsewhere is kept while it keeps changing.
    """
    path = Path(path)
    removed = []
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        pid = _temp_pid(entry.name, path.name)
        if pid is None:
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            age = now - entry.stat(follow_symlinks=False).st_mtime
            own = pid == os.getpid()  # perhaps another thread writing the same target now
            if age > max_age or (not own and not _pid_alive(pid)):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:  # gone already, or not ours to remove
            continue
    return removed


def _named(error: OSError, path: Path) -> OSError:
    """``error`` as raised for ``path`` (the file being written), not its temporary name."""
    if error.errno is None:
        return error
    return OSError(error.errno, error.strerror, str(path))  # the subclass of the errno


class _NamedFile:
    """A file object whose OSErrors name the target file instead of the temporary one."""

    def __init__(self, file: BinaryIO, path: Path) -> None:
        self._file, self._path = file, path

    def __getattr__(self, name: str):
        attr = getattr(self._file, name)
        if not callable(attr):
            return attr

        def call(*args, **kwargs):
            try:
                return attr(*args, **kwargs)
            except OSError as e:
                raise _named(e, self._path) from e

        return call

    def __iter__(self):
        return iter(self._file)


def atomic_write(path: PathLike, write: Callable[[BinaryIO], None]) -> None:
    """Call ``write(file)`` on a temporary file beside ``path``, then rename it to ``path``.

    The data reaches the disk (fsync) before the rename, and the rename is atomic, so
    ``path`` holds either its old content or the complete new one. On any failure the
    temporary file is removed and ``path`` is left untouched. Missing parent folders
    are created, and stale temporary files of ``path`` (:func:`remove_stale_temp_files`)
    removed first. An OSError of the file itself (a full disk, a folder that cannot be
    written) is raised with ``filename`` set to ``path``; what ``write`` raises on its
    own (e.g. a network error while downloading) passes through unchanged.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temp_files(path)
    tmp = temp_path(path)
    try:
        try:
            out = open(tmp, "xb")  # noqa: SIM115 - closed below, its errors renamed
        except OSError as e:
            raise _named(e, path) from e
        try:
            write(_NamedFile(out, path))  # type: ignore[arg-type]
        except BaseException:
            with suppress(OSError):
                out.close()
            raise
        try:
            out.flush()
            os.fsync(out.fileno())
            out.close()
            os.replace(tmp, path)
        except OSError as e:
            with suppress(OSError):
                out.close()
            raise _named(e, path) from e
    finally:
        with suppress(OSError):  # never hides the error that brought us here
            os.unlink(tmp)  # still there only if something failed


# ---- folders -------------------------------------------------------------------------


def make_folders(folder: str | os.PathLike) -> list[Path]:
    """Create ``folder`` and its missing parents; the ones created, deepest first (for
    :func:`remove_empty_folders`). An OSError names the folder that could not be made;
    the folders made before it are removed again."""
    folder = Path(folder)
    missing = []
    while not folder.exists() and folder.parent != folder:
        missing.append(folder)
        folder = folder.parent
    created: list[Path] = []
    for path in reversed(missing):
        try:
            path.mkdir(exist_ok=True)
        except OSError:
            remove_empty_folders(created)
            raise
        created.insert(0, path)
    return created


def remove_empty_folders(folders: list[Path]) -> None:
    """Remove ``folders`` (deepest first), stopping at the first one that is not empty."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return


# ---- an exclusive lock for the life of a process -------------------------------------


class LockedError(BlockingIOError):
    """Another process holds the lock; ``holder`` is the line it wrote about itself."""

    def __init__(self, path: Path, holder: str) -> None:
        super().__init__(f"{path} is held by {holder or 'another process'}")
        self.path, self.holder = path, holder


class FileLock:
    """The lock of :func:`lock_file`, held until :meth:`release` (or the process ends)."""

    def __init__(self, path: Path, fd: int | None) -> None:
        self.path, self._fd = path, fd

    def release(self) -> None:
        """Remove the lock file and let the lock go (removed first, while still held, so
        that no other process takes a lock on a file that is about to vanish)."""
        if self._fd is None:
            return
        with suppress(OSError):
            os.unlink(self.path)
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def _holder_of(path: Path) -> str:
    """The line the holder of the lock file ``path`` wrote about itself ('' if none yet)."""
    with suppress(OSError), open(path, "rb") as f:
        return f.read(200).decode("utf-8", "replace").strip()
    return ""


def lock_file(path: str | os.PathLike, holder: str) -> FileLock:
    """Take an exclusive advisory lock on the file ``path`` (created if missing) and write
    ``holder`` (who holds it, e.g. "PID 123, numpyvae train") into it.

    Never waits: if another process (or another lock of this process) holds it, raises
    :class:`LockedError` with the line that holder wrote, and leaves the file as it is.
    The lock ends with :meth:`FileLock.release`, or with the process, whatever ends it.
    A lock file removed or replaced while this one waited is locked afresh. Where the
    system has no ``flock`` (Windows), no lock is taken.
    """
    path = Path(path)
    if fcntl is None:  # pragma: no cover - Windows
        return FileLock(path, None)
    while True:
        fd = _open_lock_file(path)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            text = _holder_of(path)
            if not text:  # taken a moment ago: its holder is writing its line now
                time.sleep(0.05)
                text = _holder_of(path)
            raise LockedError(path, text) from None
        except BaseException:
            os.close(fd)
            raise
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if not same:  # released and removed by its holder meanwhile: lock the new one
            os.close(fd)
            continue
        try:
            os.ftruncate(fd, 0)
            os.write(fd, f"{holder}\n".encode())
        except BaseException:
            os.close(fd)
            raise
        return FileLock(path, fd)


def _open_lock_file(path: Path) -> int:
    """The lock file opened for writing (made if missing), never through a symbolic link
    (the holder's line would be written over the file it points to) and only if it is a
    regular file; else an OSError that names it."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
    except OSError as e:
        if not path.is_symlink():
            raise
        raise OSError(e.errno, f"{path.name} is a symbolic link, not a lock file: remove it",
                      str(path)) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(errno.EINVAL, f"{path.name} is not a regular file, so not a lock file: "
                      "remove it", str(path))
    return fd


@contextmanager
def folder_lock(folder: str | os.PathLike) -> Iterator[None]:
    """A short exclusive lock on ``folder`` itself (``flock`` on its descriptor, waited
    for), around reading, changing and writing back a file in it (e.g. eval.json), so
    that two processes doing so at once both keep their change. No lock without flock."""
    if fcntl is None:  # pragma: no cover - Windows
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


class NotARegularFile(OSError):
    """:func:`open_regular` found something else than a regular file; ``kind`` says what
    ('a FIFO (named pipe)', 'a directory', ...)."""

    def __init__(self, path: PathLike, kind: str) -> None:
        super().__init__(f"{path}: not a regular file ({kind})")
        self.kind = kind


def open_regular(path: PathLike, buffering: int = -1) -> BinaryIO:
    """``path`` opened for reading in binary, if it is a regular file: the rule of every
    file numpyvae reads. It is opened without blocking (``O_NONBLOCK``), so a FIFO in its
    place is refused at once instead of waiting for ever for a writer; ``buffering`` is
    that of :func:`open`. Raises :class:`NotARegularFile`, or the OSError of opening."""
    nonblocking = getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, os.O_RDONLY | nonblocking | getattr(os, "O_BINARY", 0))
    except IsADirectoryError:
        raise NotARegularFile(path, "a directory") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotARegularFile(path, file_kind(mode))
        if nonblocking and hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb", buffering=buffering)
    except BaseException:
        os.close(fd)
        raise


def file_kind(mode: int) -> str:
    """'a FIFO (named pipe)', 'a directory', ...: what a file that is not a regular one is."""
    kinds = [(stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
             (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
             (stat.S_ISBLK, "a block device")]
    return next((name for test, name in kinds if test(mode)), "not a plain file")
