"""Tests of the download and the cache (numpyvae.datasets.downloads and .cache): data
directory, checksums, mirrors, download, cached files."""

from __future__ import annotations

import builtins
import errno
import functools
import hashlib
import http.server
import importlib
import io
import os
import shutil
import socket
import threading
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from helpers import hang_guard

from numpyvae.datasets import downloads
from numpyvae.datasets.cache import (
    MIRRORS,
    SHA256,
    default_data_dir,
    fetch,
    mirror_urls,
)
from numpyvae.datasets.downloads import download
from numpyvae.datasets.idx import write_idx
from numpyvae.datasets.mnist import SPLIT_FILES, load_mnist
from numpyvae.errors import DataError

REPO = Path(__file__).resolve().parents[1]


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()

# ---------------------------------------------------------------------------
# Data directory and mirrors
# ---------------------------------------------------------------------------


def test_default_data_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("NUMPYVAE_DATA", str(tmp_path / "data"))
    assert default_data_dir() == tmp_path / "data"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    for blank in ("", "   "):  # set but blank: not set (not a folder named '   ' here)
        monkeypatch.setenv("NUMPYVAE_DATA", blank)
        assert default_data_dir() == tmp_path / "cache" / "numpyvae"
    monkeypatch.delenv("NUMPYVAE_DATA")
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
    assert os.listdir(tmp_path) == ["www"]  # not even the folder it made for dest


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
    # DOWNLOAD_TIMEOUT is read from its module on every attempt; the deadline is an hour
    # away, so only the timeout can end the attempt, and the socket is opened with it.
    module = importlib.import_module("numpyvae.datasets.downloads")
    monkeypatch.setattr(module, "DOWNLOAD_TIMEOUT", 0.3)
    monkeypatch.setattr(module, "DOWNLOAD_DEADLINE", 3600.0)
    monkeypatch.delenv("NUMPYVAE_DOWNLOAD_DEADLINE", raising=False)
    timeouts = []
    urlopen = urllib.request.urlopen

    def spy(request, timeout):
        timeouts.append(timeout)
        return urlopen(request, timeout=timeout)

    monkeypatch.setattr(urllib.request, "urlopen", spy)
    with socket.socket() as silent:  # accepts connections (backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/file.bin"
        with pytest.raises(DataError, match=r"timed out: no data for 0\.3 s"):
            hang_guard(download, url, tmp_path / "file.bin")
    assert timeouts == [0.3]
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
    assert not cache.exists()  # the folders made for the download are gone too


# ---------------------------------------------------------------------------
# A total deadline per file and mirror
# ---------------------------------------------------------------------------


@pytest.fixture
def trickle_url(request):
    """A URL on 127.0.0.1 whose server promises 1000 bytes and sends one every 0.2 s
    (at most 50 of them, then it hangs up), at most 5 connections. Indirect
    parametrization sets another interval."""
    interval = getattr(request, "param", 0.2)
    stop = threading.Event()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.1)

    def serve():
        for _ in range(5):  # connections
            connection = None
            while connection is None and not stop.is_set():
                try:
                    connection, _ = listener.accept()
                except TimeoutError:
                    pass
            if connection is None:
                return
            with connection:
                connection.settimeout(1)
                try:
                    connection.recv(4096)  # the request
                    connection.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 1000\r\n\r\n")
                    for _ in range(50):  # bytes
                        if stop.wait(interval):
                            break
                        connection.sendall(b"x")
                except OSError:
                    pass  # the client gave up

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/file.bin"
    stop.set()
    thread.join(5)
    listener.close()


@pytest.mark.parametrize("how", ["module constant", "environment"])
def test_a_trickling_mirror_is_given_up_at_the_deadline(
        server, trickle_url, tmp_path, monkeypatch, capsys, how):
    root, base = server
    (root / "file.bin").write_bytes(b"payload")
    if how == "module constant":
        monkeypatch.setattr(downloads, "DOWNLOAD_DEADLINE", 1.0)
        monkeypatch.delenv("NUMPYVAE_DOWNLOAD_DEADLINE", raising=False)
    else:
        monkeypatch.setenv("NUMPYVAE_DOWNLOAD_DEADLINE", "1")
    dest = tmp_path / "file.bin"
    # The trickle lasts 10 s, then the connection closes: a download that ignored the
    # deadline would end there, with another error and no "giving up" line below.
    download([trickle_url, f"{base}/file.bin"], dest, hashlib.sha256(b"payload").hexdigest())
    assert dest.read_bytes() == b"payload"
    assert capsys.readouterr().err.splitlines() == [
        f"downloading {trickle_url}",
        f"giving up on {trickle_url} after 1 s, trying the next mirror",
        f"downloading {base}/file.bin",
    ]
    assert sorted(os.listdir(tmp_path)) == ["file.bin", "www"]


def test_the_deadline_is_documented_and_reported(trickle_url, tmp_path, monkeypatch):
    assert downloads.DOWNLOAD_DEADLINE == 120
    assert "NUMPYVAE_DOWNLOAD_DEADLINE" in downloads.__doc__
    assert "DOWNLOAD_DEADLINE" in download.__doc__
    monkeypatch.setenv("NUMPYVAE_DOWNLOAD_DEADLINE", "0.5")
    with pytest.raises(DataError, match=r"gave up after 0\.5 s.*NUMPYVAE_DOWNLOAD_DEADLINE"):
        download(trickle_url, tmp_path / "file.bin")
    assert os.listdir(tmp_path) == []
    monkeypatch.setenv("NUMPYVAE_DOWNLOAD_DEADLINE", "soon")
    with pytest.raises(DataError, match="NUMPYVAE_DOWNLOAD_DEADLINE='soon'"):
        download(trickle_url, tmp_path / "file.bin")


# ---------------------------------------------------------------------------
# Cached files are checked against their SHA-256 once per process
# ---------------------------------------------------------------------------


def reference_data() -> Path | None:
    for candidate in (os.environ.get("NUMPYVAE_TEST_DATA"), REPO.parent / "shared" / "data"):
        if candidate and (Path(candidate) / "fashion-mnist").is_dir():
            return Path(candidate)
    return None


@pytest.mark.skipif(reference_data() is None, reason="no reference data (NUMPYVAE_TEST_DATA)")
def test_fashion_mnist_copied_over_the_mnist_cache_is_not_loaded_as_mnist(
        dead_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NUMPYVAE_MIRROR", dead_url)
    (tmp_path / "mnist").mkdir()
    for name in SPLIT_FILES["test"]:
        shutil.copy(reference_data() / "fashion-mnist" / name, tmp_path / "mnist" / name)
    with pytest.raises(DataError) as info:
        load_mnist("test", data_dir=tmp_path)
    message = str(info.value)
    assert str(tmp_path / "mnist" / "t10k-images-idx3-ubyte.gz") in message
    assert "does not match its SHA-256" in message
    assert "Move it away" in message
    assert "does not match its SHA-256" in capsys.readouterr().err  # said as it happens
    # the download failed: the file is back under its name, nothing else is left
    for name in SPLIT_FILES["test"][:1]:
        assert sha256_of(tmp_path / "mnist" / name) == sha256_of(
            reference_data() / "fashion-mnist" / name)
    assert sorted(os.listdir(tmp_path / "mnist")) == sorted(SPLIT_FILES["test"])


def test_a_damaged_cached_file_is_downloaded_again(server, tmp_path, monkeypatch, capsys):
    root, base = server
    images, labels = fake_mnist(root, monkeypatch)
    monkeypatch.setenv("NUMPYVAE_MIRROR", f"{base}/mnist")
    cache = tmp_path / "cache"
    shutil.copytree(root / "mnist", cache / "mnist")
    damaged = cache / "mnist" / "train-images-idx3-ubyte.gz"
    users = damaged.read_bytes()[:-100]
    damaged.write_bytes(users)
    (cache / "mnist" / f"{damaged.name}.not-original").write_bytes(b"moved aside before")
    x, y = load_mnist("train", data_dir=cache)
    np.testing.assert_array_equal(x, images.reshape(len(images), 784) / np.float32(255))
    np.testing.assert_array_equal(y, labels)
    assert damaged.read_bytes() == (root / "mnist" / damaged.name).read_bytes()
    err = capsys.readouterr().err
    kept = cache / "mnist" / f"{damaged.name}.not-original-2"  # never over another file
    assert f"{damaged} does not match its SHA-256" in err and f"kept as {kept.name}" in err
    assert f"downloading {base}/mnist/{damaged.name}" in err
    assert kept.read_bytes() == users  # the user's file, kept
    assert sorted(os.listdir(cache / "mnist")) == sorted(
        [*SPLIT_FILES["train"], kept.name, f"{damaged.name}.not-original"])


def test_a_cached_file_changed_after_its_check_is_checked_again(
        server, dead_url, tmp_path, monkeypatch):
    root, _ = server
    fake_mnist(root, monkeypatch)
    monkeypatch.setenv("NUMPYVAE_MIRROR", dead_url)
    load_mnist("train", data_dir=root)  # checked, and fine
    labels = root / "mnist" / "train-labels-idx1-ubyte.gz"
    write_idx(labels, np.zeros(30, dtype=np.uint8))  # another valid file, same shape
    with pytest.raises(DataError, match="does not match its SHA-256"):
        load_mnist("train", data_dir=root)


# ---------------------------------------------------------------------------
# A data directory given one level too deep; folders left behind
# ---------------------------------------------------------------------------


def test_the_data_set_folder_given_as_data_dir_says_pass_the_parent(
        server, dead_url, tmp_path, monkeypatch, capsys):
    root, _ = server  # root/mnist holds the files
    fake_mnist(root, monkeypatch)
    monkeypatch.setenv("NUMPYVAE_MIRROR", dead_url)
    with pytest.raises(DataError) as info:
        load_mnist("train", data_dir=root / "mnist")
    assert f"pass the parent folder: --data-dir {root}" in str(info.value)
    assert not (root / "mnist" / "mnist").exists()
    assert "downloading" not in capsys.readouterr().err  # no mirror was asked


def test_a_data_dir_named_like_the_data_set_hints_at_the_parent(dead_url, tmp_path,
                                                                monkeypatch):
    monkeypatch.setenv("NUMPYVAE_MIRROR", dead_url)
    with pytest.raises(DataError) as info:
        load_mnist("test", data_dir=tmp_path / "mnist")
    assert f"pass the parent folder: --data-dir {tmp_path}" in str(info.value)
    assert os.listdir(tmp_path) == []


def test_a_failed_download_leaves_no_folder_behind(dead_url, tmp_path, monkeypatch):
    monkeypatch.setenv("NUMPYVAE_MIRROR", dead_url)
    with pytest.raises(DataError):
        fetch("fashion-mnist", "t10k-labels-idx1-ubyte.gz", tmp_path / "a" / "b")
    assert os.listdir(tmp_path) == []
    (tmp_path / "kept").mkdir()  # a folder that was there before stays
    with pytest.raises(DataError):
        fetch("fashion-mnist", "t10k-labels-idx1-ubyte.gz", tmp_path / "kept")
    assert os.listdir(tmp_path) == ["kept"] and os.listdir(tmp_path / "kept") == []


# ---------------------------------------------------------------------------
# A cache folder that cannot be written
# ---------------------------------------------------------------------------


@pytest.fixture
def read_only(monkeypatch):
    """``read_only(folder)``: creating a file or folder under `folder` fails with EROFS,
    as on a read-only file system (chmod would not stop a test run as root)."""
    frozen: list[str] = []
    real_open, real_os_open, real_mkdir = builtins.open, os.open, os.mkdir

    def blocked(path) -> bool:
        if not isinstance(path, (str, os.PathLike)):
            return False
        path = os.path.abspath(os.fspath(path))
        return any(path == f or path.startswith(f + os.sep) for f in frozen)

    def refuse(path):
        return OSError(errno.EROFS, os.strerror(errno.EROFS), os.fspath(path))

    def fake_open(file, mode="r", *args, **kwargs):
        if any(c in mode for c in "wxa+") and blocked(file):
            raise refuse(file)
        return real_open(file, mode, *args, **kwargs)

    def fake_os_open(path, flags, *args, **kwargs):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT) and blocked(path):
            raise refuse(path)
        return real_os_open(path, flags, *args, **kwargs)

    def fake_mkdir(path, *args, **kwargs):
        if blocked(path):
            raise refuse(path)
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", fake_open)
    monkeypatch.setattr(io, "open", fake_open)
    monkeypatch.setattr(os, "open", fake_os_open)
    monkeypatch.setattr(os, "mkdir", fake_mkdir)
    return lambda folder: frozen.append(os.path.abspath(folder))


@pytest.mark.parametrize("has_mnist_folder", [True, False])
def test_a_read_only_cache_is_not_reported_as_mirrors_failing(
        server, tmp_path, monkeypatch, read_only, capsys, has_mnist_folder):
    root, base = server
    fake_mnist(root, monkeypatch)
    monkeypatch.setenv("NUMPYVAE_MIRROR", f"{base}/mnist")
    cache = tmp_path / "cache"
    cache.mkdir()
    if has_mnist_folder:
        (cache / "mnist").mkdir()
    read_only(cache)
    with pytest.raises(DataError) as info:
        load_mnist("train", data_dir=cache)
    message = str(info.value)
    folder = cache / "mnist" if has_mnist_folder else cache
    assert f"cannot write into the cache folder {folder} (read-only?)" in message
    assert "every URL failed" not in message
    assert "downloading" not in capsys.readouterr().err  # no mirror was bothered
    assert os.listdir(cache) == (["mnist"] if has_mnist_folder else [])


@pytest.mark.parametrize("trickle_url", [0.001], indirect=True)
def test_a_connection_closed_early_is_not_a_complete_file(trickle_url, tmp_path, monkeypatch):
    # The trickle server promises 1000 bytes and hangs up after 50; no checksum to catch it.
    monkeypatch.setenv("NUMPYVAE_DOWNLOAD_DEADLINE", "30")
    with pytest.raises(DataError, match="connection closed after 50 bytes"):
        download(trickle_url, tmp_path / "file.bin")
    assert os.listdir(tmp_path) == []


# ---------------------------------------------------------------------------
# A mirror that hung once, a body without end, the environment checked first
# ---------------------------------------------------------------------------


def test_a_mirror_that_hung_is_skipped_for_the_next_files(server, tmp_path, monkeypatch,
                                                          capsys):
    root, base = server
    for name in ("a.bin", "b.bin"):
        (root / name).write_bytes(name.encode())
    monkeypatch.setattr(downloads, "DOWNLOAD_TIMEOUT", 0.3)
    monkeypatch.delenv("NUMPYVAE_DOWNLOAD_DEADLINE", raising=False)
    with socket.socket() as silent:  # accepts connections (backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        hanging = f"http://127.0.0.1:{silent.getsockname()[1]}"
        for name in ("a.bin", "b.bin"):
            download([f"{hanging}/{name}", f"{base}/{name}"], tmp_path / name,
                     hashlib.sha256(name.encode()).hexdigest())
        err = capsys.readouterr().err.splitlines()
    assert err[:2] == [f"downloading {hanging}/a.bin",
                       (f"giving up on {hanging}/a.bin after 0.3 s without data, "
                        "trying the next mirror")]
    assert err[3].startswith(f"skipping {hanging}/b.bin: it hung ") and "next mirror" in err[3]
    assert err[2::2] == [f"downloading {base}/a.bin", f"downloading {base}/b.bin"]
    assert (tmp_path / "b.bin").read_bytes() == b"b.bin"


@pytest.fixture
def endless_url():
    """A URL on 127.0.0.1 whose server sends an endless body (no Content-Length) until
    the client hangs up; yields (url, bytes sent so far)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    sent = [0]

    def serve():
        connection, _ = listener.accept()
        with connection:
            connection.recv(4096)
            try:
                connection.sendall(b"HTTP/1.0 200 OK\r\n\r\n")
                while sent[0] < 1 << 30:  # a guard: 1 GiB at most
                    sent[0] += connection.send(bytes(1 << 16))
            except OSError:
                pass  # the client hung up

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/file.bin", sent
    thread.join(30)
    listener.close()


def test_a_body_without_end_is_given_up_past_the_files_size(endless_url, tmp_path):
    url, sent = endless_url
    with pytest.raises(DataError, match="sent more than the 100000 bytes of the file"):
        hang_guard(download, url, tmp_path / "file.bin", None, 100_000)
    assert os.listdir(tmp_path) == []
    assert sent[0] < 1 << 30


def test_a_mirror_announcing_more_than_the_files_size_is_given_up(server, tmp_path):
    root, base = server
    (root / "file.bin").write_bytes(bytes(5000))
    with pytest.raises(DataError, match="announces 5000 bytes, but the file has 4000"):
        download(f"{base}/file.bin", tmp_path / "file.bin", None, 4000)
    assert os.listdir(tmp_path) == ["www"]


@pytest.mark.parametrize("variable, value, words", [
    ("NUMPYVAE_DOWNLOAD_DEADLINE", "soon", "NUMPYVAE_DOWNLOAD_DEADLINE='soon': expected a number"),
    ("NUMPYVAE_MIRROR", "ossci-datasets.s3.amazonaws.com/mnist", "NUMPYVAE_MIRROR: 'ossci"),
    ("NUMPYVAE_MIRROR", "http://[::1/mnist", "NUMPYVAE_MIRROR: 'http://[::1/mnist'"),
    ("NUMPYVAE_MIRROR", "http://127.0.0.1:abc/mnist", "NUMPYVAE_MIRROR: 'http://127.0.0.1:abc"),
    ("NUMPYVAE_MIRROR", "https://host:99999/mnist", "NUMPYVAE_MIRROR: 'https://host:99999"),
], ids=["deadline", "no-scheme", "ipv6", "port", "port-range"])
def test_a_wrong_environment_variable_is_one_line_before_anything_else(
        dead_url, tmp_path, monkeypatch, capsys, variable, value, words):
    monkeypatch.setenv("NUMPYVAE_MIRROR", dead_url)
    monkeypatch.setenv(variable, value)
    with pytest.raises(DataError) as info:
        load_mnist("test", data_dir=tmp_path / "cache")
    assert str(info.value).startswith(words) and "\n" not in str(info.value)
    assert capsys.readouterr().err == "" and os.listdir(tmp_path) == []  # nothing tried
