"""IDX files, the file format of MNIST: :func:`read_idx` and :func:`write_idx`; and the
rule of every data file read here, :func:`open_regular`."""

from __future__ import annotations

import gzip
import math
import os
import struct
import zlib
from pathlib import Path
from typing import BinaryIO

import numpy as np

from ..errors import DataError
from ..fileio import NotARegularFile, PathLike, atomic_write
from ..fileio import open_regular as fileio_open_regular

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
_MAX_DIMS = 64  # NumPy's limit on the number of dimensions of an array
_MAX_BYTES = np.iinfo(np.intp).max  # no array (or axis) can be larger than this
# deflate makes at most 1032 bytes of one compressed byte (a 258-byte match in two
# bits): a gzip file declaring more data than that cannot hold it, whatever it holds
_MAX_GZIP_RATIO = 1032
_CHUNK = 1 << 16  # bytes read at a time past the data, to find trailing bytes
# bytes decompressed at a time into the array: GzipFile.readinto of a larger buffer
# would first make a bytes object of the buffer's whole size, a second copy
_READ_CHUNK = 1 << 20


def read_idx(path: PathLike) -> np.ndarray:
    """Read an IDX file, the format of MNIST, into an array.

    The layout (every integer big-endian)::

        bytes 0-1   zero
        byte  2     type code: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32,
                    0x0D float32, 0x0E float64
        byte  3     number of dimensions D (1 to 64, NumPy's limit)
        4 * D       the size of each dimension, unsigned 32-bit
        the rest    the values in row-major order, exactly d_1 * ... * d_D of them

    A gzip-compressed file is recognised by its first two bytes (1f 8b), not
    by its name, and decompressed as it is read: the header first, then at
    most the declared number of data bytes and one chunk more to detect
    trailing bytes, so a small file that decompresses to gigabytes (a "gzip
    bomb") is refused without ever being held in memory. A header that
    declares more data than the file could hold (its size; 1032 times its
    size for a gzip file, deflate's most) is refused before anything is
    allocated. Memory: one copy of the declared data (the array returned,
    byte order swapped in place), and 1 MiB more while decompressing.

    Args:
        path: the file; it must be a regular file (a FIFO or a device is
            refused before it is opened, so reading never blocks on one).

    Returns:
        An array of shape (d_1, ..., d_D) with the file's element type in the
        machine's byte order (MNIST images: uint8 (N, 28, 28); labels: uint8 (N,)).

    Raises:
        DataError: the file cannot be read, is not a regular file, is not an
            IDX file, has a shape NumPy cannot make, is truncated, has trailing
            bytes, or is a corrupt gzip stream. The message starts with the
            file's path and says what is wrong.
    """
    path = Path(path)
    try:
        with open_regular(path) as f:
            magic = f.read(2)
            f.seek(0)
            if magic != _GZIP_MAGIC:
                return _read_idx_stream(f, path, os.fstat(f.fileno()).st_size)
            try:
                with gzip.GzipFile(fileobj=f, mode="rb") as gz:
                    return _read_idx_stream(gz, path, None, os.fstat(f.fileno()).st_size)
            except (OSError, EOFError, zlib.error) as exc:
                raise DataError(f"{path}: corrupt gzip stream: {exc}") from exc
    except MemoryError as exc:  # anywhere while reading: say which file was too big
        raise DataError(f"{path}: not enough memory to read it ({exc or 'MemoryError'})") from None


def open_regular(path: Path, buffering: int = -1) -> BinaryIO:
    """Open `path` for reading in binary, refusing anything but a regular file: the
    rule of every data file read by numpyvae.datasets (IDX files here, the rows of
    :class:`~numpyvae.datasets.ondisk.NpyRows`).

    The file is opened without blocking (``O_NONBLOCK``), so a FIFO in its place
    is refused at once instead of waiting forever for a writer. `buffering` is
    that of :func:`open`.

    Raises:
        DataError: the file cannot be opened or is not a regular file; the
            message starts with its path.
    """
    try:
        return fileio_open_regular(path, buffering)
    except NotARegularFile as exc:
        raise DataError(f"{path}: not a regular file ({exc.kind})") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot read: {exc.strerror or exc}") from exc


def _read_exactly(stream: BinaryIO, buffer: memoryview) -> int:
    """Fill `buffer` from `stream`, at most :data:`_READ_CHUNK` bytes at a time; the
    number of bytes read (fewer only at the end)."""
    done = 0
    while done < len(buffer):
        count = stream.readinto(buffer[done : done + _READ_CHUNK])
        if not count:
            break
        done += count
    return done


def _read_idx_stream(stream: BinaryIO, path: Path, size: int | None,
                     compressed_size: int | None = None) -> np.ndarray:
    """Read an IDX file from `stream`: the header, then the declared data and no more.

    `size` is the length of an uncompressed file (None for a gzip stream, whose
    length is only known at its end); `compressed_size` that of a gzip file.
    """
    head = stream.read(4)
    if len(head) < 4:
        raise DataError(
            f"{path}: truncated header: an IDX file starts with 4 magic bytes, found {len(head)}"
        )
    if head[0] != 0 or head[1] != 0:
        raise DataError(
            f"{path}: bad magic number 0x{head.hex()}: not an IDX file "
            "(its first two bytes must be zero)"
        )
    code, ndim = head[2], head[3]
    if code not in IDX_TYPES:
        known = ", ".join(f"0x{c:02X}" for c in IDX_TYPES)
        raise DataError(f"{path}: unknown IDX type code 0x{code:02X} (known: {known})")
    if ndim == 0:
        raise DataError(f"{path}: bad header: the number of dimensions is 0")
    sizes = stream.read(4 * ndim)
    if len(sizes) < 4 * ndim:
        raise DataError(
            f"{path}: truncated header: expected {4 * ndim} bytes for {ndim} dimension "
            f"sizes, found {len(sizes)}"
        )
    shape = struct.unpack(f">{ndim}I", sizes)
    header_size = 4 + 4 * ndim
    dtype = IDX_TYPES[code]
    count = math.prod(shape)
    expected = count * dtype.itemsize
    what = f"{'x'.join(map(str, shape))} {dtype.name}"
    if ndim > _MAX_DIMS:
        raise DataError(
            f"{path}: bad header: {ndim} dimensions ({what}); NumPy arrays have at most "
            f"{_MAX_DIMS}"
        )
    if math.prod(d or 1 for d in shape) * dtype.itemsize > _MAX_BYTES:  # NumPy's own rule
        raise DataError(
            f"{path}: bad header: the shape {what} is too big for an array "
            f"(more than {_MAX_BYTES} bytes, not counting the zero dimensions)"
        )

    def truncated(found: int) -> DataError:
        return DataError(
            f"{path}: truncated: expected {expected} bytes of data ({what}), found {found}"
        )

    def trailing(extra: int, at_least: bool = False) -> DataError:
        amount = f"at least {extra}" if at_least else f"{extra}"
        return DataError(
            f"{path}: {amount} trailing bytes after the {expected} bytes of data ({what})"
        )

    if size is not None:  # an uncompressed file: its size says it all
        found = size - header_size
        if found < expected:
            raise truncated(found)
        if found > expected:
            raise trailing(found - expected)
    elif compressed_size is not None and header_size + expected > _MAX_GZIP_RATIO * compressed_size:
        raise DataError(
            f"{path}: the header declares {expected} bytes of data ({what}), more than a "
            f"gzip file of {compressed_size} bytes can hold (at most {_MAX_GZIP_RATIO} bytes "
            "per byte): truncated, or not an IDX file"
        )
    try:
        data = np.empty(count, dtype=dtype)  # (d_1 * ... * d_D,) as stored
    except (ValueError, MemoryError) as exc:
        raise DataError(f"{path}: cannot hold {expected} bytes of data ({what}): {exc}") from exc
    found = _read_exactly(stream, memoryview(data.view(np.uint8)))
    if found < expected:
        raise truncated(found)
    if size is None:  # a gzip stream: it must end here (reading to its end checks its CRC)
        extra = len(stream.read(_CHUNK))
        if extra:
            raise trailing(extra, at_least=extra == _CHUNK)
    if not dtype.isnative:  # big-endian values: swapped in place, no second copy
        data = data.byteswap(inplace=True).view(dtype.newbyteorder("="))
    try:
        return data.reshape(shape)
    except ValueError as exc:
        raise DataError(f"{path}: cannot make an array of shape {what}: {exc}") from exc


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
