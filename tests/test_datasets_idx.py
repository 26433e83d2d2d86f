"""Tests of numpyvae.datasets.idx: reading and writing IDX files."""

from __future__ import annotations

import gzip
import math
import os
import struct
import tempfile
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from helpers import hang_guard
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from numpyvae.datasets.idx import read_idx, write_idx
from numpyvae.errors import DataError


def idx_bytes(code: int, shape: tuple[int, ...], payload: bytes) -> bytes:
    """An IDX file built by hand: magic, dimension sizes, payload."""
    return bytes([0, 0, code, len(shape)]) + struct.pack(f">{len(shape)}I", *shape) + payload



IDX_CODE = {"u1": 0x08, "i2": 0x0B, "f8": 0x0E}  # by kind and size, for idx_bytes

IDX_DTYPES = [np.uint8, np.int8, ">i2", "<i2", ">i4", "<i4", ">f4", "<f4", ">f8", "<f8"]


@settings(max_examples=60, deadline=None)
@given(
    array=hnp.arrays(
        dtype=st.sampled_from(IDX_DTYPES).map(np.dtype),
        shape=hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=5),
    ),
    compressed=st.booleans(),
)
def test_idx_round_trip(array, compressed):
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / ("a.idx.gz" if compressed else "a.idx")
        write_idx(path, array)
        back = read_idx(path)
        assert back.shape == array.shape
        assert back.dtype == array.dtype.newbyteorder("=")
        assert back.dtype.isnative
        # Compare bytes so that NaNs (and -0.0) must come back exactly too.
        assert back.tobytes() == array.astype(back.dtype).tobytes()
        assert (path.read_bytes()[:2] == b"\x1f\x8b") == compressed
        assert os.listdir(directory) == [path.name]  # no temporary file left


def test_read_idx_detects_gzip_by_content_not_name(tmp_path):
    array = np.arange(12, dtype=np.int32).reshape(3, 4)
    write_idx(tmp_path / "a.gz", array)
    os.replace(tmp_path / "a.gz", tmp_path / "plain-name")
    np.testing.assert_array_equal(read_idx(tmp_path / "plain-name"), array)
    write_idx(tmp_path / "raw", array)
    os.replace(tmp_path / "raw", tmp_path / "raw.gz")  # named .gz, not compressed
    np.testing.assert_array_equal(read_idx(tmp_path / "raw.gz"), array)


def test_write_idx_matches_the_mnist_layout(tmp_path):
    labels = np.array([7, 2, 1], dtype=np.uint8)
    write_idx(tmp_path / "labels", labels)
    assert (tmp_path / "labels").read_bytes() == b"\x00\x00\x08\x01\x00\x00\x00\x03\x07\x02\x01"


def test_write_idx_rejects_types_it_cannot_store(tmp_path):
    for bad in (np.zeros(3, dtype=np.int64), np.zeros(3, dtype=bool), np.float32(1.0)):
        with pytest.raises(ValueError):
            write_idx(tmp_path / "x.idx", bad)
    assert os.listdir(tmp_path) == []


GOOD_PAYLOAD = bytes(range(12))
MALFORMED = {
    "bad magic": (b"\x01\x02\x08\x01" + struct.pack(">I", 12) + GOOD_PAYLOAD, "magic"),
    "unknown type": (b"\x00\x00\x07\x01" + struct.pack(">I", 12) + GOOD_PAYLOAD, "type code"),
    "too short": (b"\x00\x00", "truncated header"),
    "truncated header": (b"\x00\x00\x08\x03" + struct.pack(">I", 12), "truncated header"),
    "no dimensions": (b"\x00\x00\x08\x00", "dimensions"),
    "truncated payload": (idx_bytes(0x08, (3, 4), GOOD_PAYLOAD[:5]), "truncated"),
    "truncated float payload": (idx_bytes(0x0D, (3,), b"\x00" * 11), "expected 12 bytes"),
    "trailing bytes": (idx_bytes(0x08, (3, 4), GOOD_PAYLOAD + b"xy"), "2 trailing bytes"),
}


@pytest.mark.parametrize("compressed", [False, True], ids=["raw", "gz"])
@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_idx_raises_data_error_naming_the_file(tmp_path, case, compressed):
    content, problem = MALFORMED[case]
    path = tmp_path / f"t10k-broken-{case.replace(' ', '-')}"
    path.write_bytes(gzip.compress(content) if compressed else content)
    with pytest.raises(DataError) as info:
        read_idx(path)
    assert path.name in str(info.value)
    assert problem in str(info.value)


def test_truncated_payload_message_gives_both_sizes(tmp_path):
    path = tmp_path / "t10k-images-idx3-ubyte.gz"
    noise = np.random.default_rng(0).integers(0, 256, 1234, dtype=np.uint8).tobytes()
    path.write_bytes(gzip.compress(idx_bytes(0x08, (100, 28, 28), noise)))
    with pytest.raises(DataError, match=r"t10k-images-idx3-ubyte\.gz: truncated: "
                       r"expected 78400 bytes .*found 1234"):
        read_idx(path)


@pytest.mark.parametrize("damage", ["cut short", "flipped bytes"])
def test_corrupt_gzip_raises_data_error(tmp_path, damage):
    good = gzip.compress(idx_bytes(0x08, (100,), bytes(range(100))))
    bad = good[: len(good) // 2] if damage == "cut short" else (
        good[:12] + bytes(b ^ 0xFF for b in good[12:-8]) + good[-8:])
    path = tmp_path / "train-labels-idx1-ubyte.gz"
    path.write_bytes(bad)
    with pytest.raises(DataError, match=r"train-labels-idx1-ubyte\.gz: corrupt gzip"):
        read_idx(path)


def test_missing_file_raises_data_error(tmp_path):
    with pytest.raises(DataError, match="nothing-here"):
        read_idx(tmp_path / "nothing-here")


# ---------------------------------------------------------------------------
# Hostile files: a gzip bomb, absurd shapes, a FIFO
# ---------------------------------------------------------------------------


def test_gzip_bomb_is_refused_without_decompressing_it(tmp_path, monkeypatch):
    # A header declaring 10 bytes, then 200 MB of zeros: about 200 kB of gzip (made
    # of 201 gzip members, one valid gzip stream, to save compressing 200 MB here).
    path = tmp_path / "train-labels-idx1-ubyte.gz"
    one_mb = gzip.compress(bytes(1 << 20), mtime=0)
    path.write_bytes(gzip.compress(idx_bytes(0x08, (10,), b"")) + one_mb * 200)
    assert path.stat().st_size < 1_000_000
    decompressed = []

    class CountingGzipFile(gzip.GzipFile):  # counts the bytes read_idx decompresses
        def read(self, size=-1):
            data = super().read(size)
            decompressed.append(len(data))
            return data

        def read1(self, size=-1):
            data = super().read1(size)
            decompressed.append(len(data))
            return data

    monkeypatch.setattr(gzip, "GzipFile", CountingGzipFile)
    tracemalloc.start()
    try:
        with pytest.raises(DataError, match=r"train-labels-idx1-ubyte\.gz: .*trailing bytes"):
            read_idx(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50_000_000, f"read_idx held {peak / 1e6:.0f} MB for a 10-byte payload"
    assert decompressed and sum(decompressed) < 1_000_000, (  # of the 200 MB there
        f"read_idx decompressed {sum(decompressed)} bytes for a 10-byte payload")


@pytest.mark.parametrize("dtype, compressed", [(np.uint8, True), (">i2", False), (">f8", True)],
                         ids=["gz uint8", "raw int16", "gz float64"])
def test_read_idx_holds_one_copy_of_the_data(tmp_path, dtype, compressed):
    """The array returned (3 MB), and at most 1 MiB more while decompressing: no second
    copy inside GzipFile, none to swap the byte order."""
    rows = 4000 // np.dtype(dtype).itemsize
    values = np.random.default_rng(0).integers(0, 256, size=(rows, 28, 28)).astype(dtype)
    content = idx_bytes(IDX_CODE[values.dtype.str[1:]], values.shape, values.tobytes())
    path = tmp_path / "values"
    path.write_bytes(gzip.compress(content, compresslevel=1) if compressed else content)
    tracemalloc.start()
    try:
        back = read_idx(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    np.testing.assert_array_equal(back, values)
    assert back.flags.writeable and back.dtype.isnative
    assert peak < values.nbytes + (3 << 19), f"{peak / values.nbytes:.2f} copies"


def test_a_size_no_gzip_file_could_hold_is_refused_before_allocating(tmp_path):
    """Deflate makes at most 1032 bytes of a byte: a 20 kB gzip file declaring 21 MB
    (about 1050 times its size) is refused at once, and nothing of that size allocated."""
    noise = np.random.default_rng(0).integers(0, 256, 20_000, dtype=np.uint8).tobytes()
    declared = 1050 * 20_000
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(idx_bytes(0x08, (1050, 20_000), noise)))
    assert 1032 * path.stat().st_size < declared
    tracemalloc.start()
    try:
        with pytest.raises(DataError, match=r"train-images-idx3-ubyte\.gz: the header declares "
                           rf"{declared} bytes .*more than a gzip file of \d+ bytes can hold"):
            read_idx(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20, f"{peak} bytes allocated"


def test_a_memory_error_while_reading_names_the_file(tmp_path, monkeypatch):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    write_idx(path, np.zeros((10, 28, 28), dtype=np.uint8))

    def no_memory(self, buffer):
        raise MemoryError

    monkeypatch.setattr(gzip.GzipFile, "readinto", no_memory)
    with pytest.raises(DataError, match=r"train-images-idx3-ubyte\.gz: not enough memory"):
        read_idx(path)


@pytest.mark.parametrize("compressed", [False, True], ids=["raw", "gz"])
@pytest.mark.parametrize(
    ("shape", "problem"),
    [((1,) * 65, "65 dimensions"), ((0, 2**32 - 1, 2**32 - 1, 2**32 - 1), "too big")],
    ids=["65 dimensions", "a zero dimension beside huge ones"],
)
def test_shapes_numpy_cannot_make_are_data_errors_naming_the_file(
        tmp_path, shape, problem, compressed):
    content = idx_bytes(0x08, shape, b"\x07" if math.prod(shape) else b"")
    path = tmp_path / "t10k-odd-shape"
    path.write_bytes(gzip.compress(content) if compressed else content)
    with pytest.raises(DataError) as info:
        read_idx(path)
    assert str(path) in str(info.value)
    assert problem in str(info.value)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "train-images-idx3-ubyte.gz"
    os.mkfifo(fifo)
    with pytest.raises(DataError, match=r"train-images-idx3-ubyte\.gz: .*not a regular file"):
        hang_guard(read_idx, fifo, fifo=fifo)
    with pytest.raises(DataError, match="not a regular file"):
        read_idx(tmp_path)  # a directory
