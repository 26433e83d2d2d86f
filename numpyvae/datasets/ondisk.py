"""Data larger than memory: an (N, D) ``.npy`` file written in chunks
(:func:`write_npy_source`, :func:`save_npy_source`) and read back a few rows at a
time (:class:`NpyRows`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from ..errors import DataError
from ..fileio import PathLike, atomic_write
from .idx import open_regular


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
    """Save `x`, shape (N, D), as a float32 ``.npy`` file for :class:`NpyRows`.

    Written in chunks of rows (no float32 copy of the whole of `x`) and renamed
    into place at the end, like :func:`write_npy_source`.
    """
    x = np.asarray(x)
    if x.ndim != 2:
        raise ValueError(f"expected an array (N, D), got shape {x.shape}")
    step = 4096
    chunks = (x[i : i + step] for i in range(0, len(x), step))
    return write_npy_source(path, chunks, x.shape[0], x.shape[1])


class NpyRows:
    """The rows of an (N, D) ``.npy`` file, read from disk on each indexing.

    Use it in place of an array for data that does not fit in memory:
    ``batches(NpyRows(path), ...)`` yields exactly the batches that
    ``batches(np.load(path), ...)`` would, for the same rng.

    Memory: the constructor reads only the file's header, and each
    ``rows[idx]`` reads just the requested rows into a new float32 array
    (one read per row, or one read for a slice), so the process holds about
    one batch, whatever the size of the file. Why not a memory map: every page a
    map touches counts as resident memory, up to the whole file in a shuffled epoch.

    Attributes:
        path: the file.
        shape: (N, D).
        dtype: the element type stored in the file.
    """

    def __init__(self, path: PathLike) -> None:
        self.path = Path(path)
        try:
            with open_regular(self.path) as f:  # a FIFO would block open() forever
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
        with open_regular(self.path, buffering=0) as f:  # it may have been replaced since
            for offset, target in pieces:
                f.seek(offset)
                view = memoryview(target.reshape(-1).view(np.uint8))  # its bytes
                while view:  # one read, unless the operating system returns less
                    count = f.readinto(view)
                    if not count:
                        raise DataError(f"{self.path}: file ended while reading rows")
                    view = view[count:]

    def __repr__(self) -> str:
        return f"NpyRows({str(self.path)!r}, shape={self.shape}, dtype={self.dtype})"
