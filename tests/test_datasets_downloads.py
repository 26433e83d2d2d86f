"""Tests of numpyvae.datasets.download: data directory, checksums, mirrors, download."""

from __future__ import annotations

import functools
import hashlib
import http.server
import importlib
import os
import socket
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from numpyvae.datasets import (
    MIRRORS,
    SHA256,
    SPLIT_FILES,
    default_data_dir,
    download,
    fetch,
    load_mnist,
    mirror_urls,
    write_idx,
)
from numpyvae.errors import DataError


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()

# ---------------------------------------------------------------------------
# Data directory and mirrors
# ---------------------------------------------------------------------------


def test_default_data_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("NUMPYVAE_DATA", str(tmp_path / "data"))
    assert default_data_dir() == tmp_path / "data"
    monkeypatch.delenv("NUMPYVAE_DATA")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert default_data_dir() == tmp_path / "cache" / "numpyvae"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_data_dir() == tmp_path / "home" / ".cache" / "numpyvae"


def test_checksum_table_and_mirrors_cover_every_file():
    for dataset in ("mnist", "fashion-mnist"):
        for names in SPLIT_FILES.values():
            for name in names:
                assert len(SHA256[f"{dataset}/{name}"]) == 64
    assert len(SHA256) == 8
    assert not any("lecun.com" in url for urls in MIRRORS.values() for url in urls)


def test_mirror_urls_default_and_override(monkeypatch):
    monkeypatch.delenv("NUMPYVAE_MIRROR", raising=False)
    assert mirror_urls("mnist", "f.gz") == [
        "https://ossci-datasets.s3.amazonaws.com/mnist/f.gz",
        "https://storage.googleapis.com/cvdf-datasets/mnist/f.gz",
    ]
    monkeypatch.setenv("NUMPYVAE_MIRROR", " http://a/x/, http://b/y \n http://c ")
    assert mirror_urls("fashion-mnist", "f.gz") == [
        "http://a/x/f.gz", "http://b/y/f.gz", "http://c/f.gz"]


# ---------------------------------------------------------------------------
# Download, against a local HTTP server
# ---------------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def server(tmp_path):
    """A web server on 127.0.0.1 serving the directory `root`; yields (root, base URL)."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def test_download_verifies_and_stores_the_file(server, tmp_path, capsys):
    root, base = server
    (root / "file.bin").write_bytes(b"some data" * 1000)
    dest = tmp_path / "cache" / "sub" / "file.bin"
    got = download(f"{base}/file.bin", dest, sha256_of(root / "file.bin"))
    assert got == dest
    assert dest.read_bytes() == b"some data" * 1000
    assert os.listdir(dest.parent) == ["file.bin"]
    assert capsys.readouterr().err == f"downloading {base}/file.bin\n"


def test_download_with_wrong_checksum_leaves_nothing_behind(server, tmp_path):
    root, base = server
    (root / "file.bin").write_bytes(b"corrupted on the mirror")
    dest = tmp_path / "cache" / "file.bin"
    with pytest.raises(DataError, match="checksum mismatch"):
        download(f"{base}/file.bin", dest, hashlib.sha256(b"the real data").hexdigest())
    assert os.listdir(dest.parent) == []


def test_download_tries_the_next_mirror(server, dead_url, tmp_path, capsys):
    root, base = server
    (root / "file.bin").write_bytes(b"payload")
    dest = tmp_path / "file.bin"
    urls = [f"{dead_url}/file.bin", f"{base}/missing.bin", f"{base}/file.bin"]
    download(urls, dest, hashlib.sha256(b"payload").hexdigest())
    assert dest.read_bytes() == b"payload"
    assert capsys.readouterr().err.splitlines() == [f"downloading {url}" for url in urls]


def test_download_reports_what_every_mirror_said(server, dead_url, tmp_path):
    root, base = server
    (root / "file.bin").write_bytes(b"wrong bytes")
    urls = [f"{dead_url}/file.bin", f"{base}/missing.bin", f"{base}/file.bin"]
    with pytest.raises(DataError) as info:
        download(urls, tmp_path / "file.bin", hashlib.sha256(b"payload").hexdigest())
    message = str(info.value)
    assert "refused" in message.lower()
    assert "HTTP 404" in message
    assert "checksum mismatch" in message
    assert os.listdir(tmp_path) == ["www"]


def test_download_gives_up_a_silent_mirror_after_download_timeout(tmp_path, monkeypatch):
    # DOWNLOAD_TIMEOUT is read from its module on every attempt.
    module = importlib.import_module("numpyvae.datasets.downloads")
    monkeypatch.setattr(module, "DOWNLOAD_TIMEOUT", 0.3)
    with socket.socket() as silent:  # accepts connections (backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/file.bin"
        start = time.perf_counter()
        with pytest.raises(DataError, match="timed out"):
            download(url, tmp_path / "file.bin")
        assert time.perf_counter() - start < 5
    assert os.listdir(tmp_path) == []


def fake_mnist(root: Path, monkeypatch, n: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """Write small MNIST-like train files under root/mnist and trust their checksums."""
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    images[0, 0, 0], images[0, 0, 1] = 0, 255
    labels = rng.integers(0, 10, size=n, dtype=np.uint8)
    (root / "mnist").mkdir(parents=True, exist_ok=True)
    for name, array in zip(SPLIT_FILES["train"], (images, labels)):
        write_idx(root / "mnist" / name, array)
        monkeypatch.setitem(SHA256, f"mnist/{name}", sha256_of(root / "mnist" / name))
    return images, labels


def test_load_mnist_downloads_from_numpyvae_mirror(server, dead_url, tmp_path, monkeypatch):
    root, base = server
    images, labels = fake_mnist(root, monkeypatch)
    monkeypatch.setenv("NUMPYVAE_MIRROR", f"{dead_url}/mnist, {base}/mnist/")
    cache = tmp_path / "cache"
    x, y = load_mnist("train", data_dir=cache)
    assert x.dtype == np.float32 and x.shape == (30, 784)
    assert y.dtype == np.int64 and y.shape == (30,)
    np.testing.assert_array_equal(x, images.reshape(30, 784) / np.float32(255))
    assert x.min() == 0.0 and x.max() == 1.0
    np.testing.assert_array_equal(y, labels)
    assert sorted(os.listdir(cache / "mnist")) == sorted(SPLIT_FILES["train"])
    # Once cached, no network is needed: with every mirror dead it still loads.
    monkeypatch.setenv("NUMPYVAE_MIRROR", dead_url)
    x2, _ = load_mnist("train", data_dir=cache)
    np.testing.assert_array_equal(x2, x)
    assert fetch("mnist", "train-labels-idx1-ubyte.gz", cache).exists()


def test_fetch_uses_default_data_dir(server, tmp_path, monkeypatch):
    root, base = server
    fake_mnist(root, monkeypatch)
    monkeypatch.setenv("NUMPYVAE_MIRROR", f"{base}/mnist")
    monkeypatch.setenv("NUMPYVAE_DATA", str(tmp_path / "data"))
    path = fetch("mnist", "train-labels-idx1-ubyte.gz")
    assert path == tmp_path / "data" / "mnist" / "train-labels-idx1-ubyte.gz"
    assert path.read_bytes() == (root / "mnist" / path.name).read_bytes()


def test_offline_without_cache_names_missing_files_and_the_offline_data_set(
        dead_url, tmp_path, monkeypatch):
    monkeypatch.setenv("NUMPYVAE_MIRROR", f"{dead_url}/a {dead_url}/b")
    cache = tmp_path / "cache"
    with pytest.raises(DataError) as info:
        load_mnist("test", data_dir=cache)
    message = str(info.value)
    for name in SPLIT_FILES["test"] + SPLIT_FILES["train"]:
        assert str(cache / "mnist" / name) in message  # the other split's files too
    assert "--data-dir" in message and "NUMPYVAE_DATA" in message  # how to point at files
    assert f"{dead_url}/a/t10k-images-idx3-ubyte.gz" in message
    assert f"{dead_url}/b/t10k-images-idx3-ubyte.gz" in message
    assert "glyph-digits" in message
    assert os.listdir(cache / "mnist") == []
