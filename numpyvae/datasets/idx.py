"""IDX files, the file format of MNIST: :func:`read_idx` and :func:`write_idx`."""

from __future__ import annotations

import gzip
import math
import os
import struct
import zlib
from pathlib import Path
from typing import BinaryIO, Union

import numpy as np

from ..errors import DataError
from ..fileio import atomic_write

PathLike = Union[str, "os.PathLike[str]"]

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
