"""The run folder (numpyvae.checkpoint, numpyvae.fileio): damaged files, wrong types,
temporary files left by a killed writer, and errors that name the file."""

import errno
import io
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import threading
import time
import zipfile

import numpy as np
import pytest

from numpyvae import VAE, VAEConfig
from numpyvae.checkpoint import (
    CHECKPOINT,
    HISTORY,
    digest_of,
    load_checkpoint,
    save_checkpoint,
    stored_epoch,
    write_json,
)
from numpyvae.errors import CheckpointError
from numpyvae.fileio import atomic_write, temp_path
from numpyvae.train import TrainSettings, fit


def tiny_vae():
    return VAE(VAEConfig(input_dim=6, hidden_dims=(4,), latent_dim=2, seed=0))


def tiny_data():
    return np.random.default_rng(0).uniform(size=(40, 6)).astype(np.float32)


@pytest.fixture
def run_dir(tmp_path):
    """A run folder after one epoch of a 6-4-2 VAE: checkpoint.npz and history.json."""
    fit(tiny_vae(), tiny_data(), settings=TrainSettings(epochs=1, batch_size=20),
        out_dir=tmp_path / "run", log=None)
    return tmp_path / "run"


def rewrite(path, arrays=None, meta=None, sign=True):
    """Rewrite the checkpoint at ``path``: ``arrays(dict)`` and ``meta(dict)`` change it;
    its digest is computed again (``sign``), as a forger would, so that the checks behind
    the digest are what refuses it (or dropped, ``sign=False``)."""
    with np.load(path) as npz:
        stored = {k: npz[k] for k in npz.files}
    if meta is not None:
        info = meta(json.loads(str(stored["meta"])))
        stored["meta"] = np.array(json.dumps(info))
    if arrays is not None:
        arrays(stored)
    stored.pop("digest", None)
    if sign:
        stored["digest"] = np.array(json.dumps(digest_of(stored)))
    np.savez(path, **stored)


# ---- a damaged zip structure -------------------------------------------------------------


def header_bytes(data: bytes) -> dict[str, list[int]]:
    """The offsets of the bytes of every header of an .npz, by kind."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        infos, start_dir = zf.infolist(), zf.start_dir
    fixed, others = [], []
    for i, info in enumerate(infos):
        off = info.header_offset
        n, m = struct.unpack("<HH", data[off + 26 : off + 30])
        (fixed if i == 0 else others).extend(range(off, off + 30))  # the fixed fields
        others.extend(range(off + 30, off + 30 + n + m))  # name and extra field
        others.extend(range(off + 30 + n + m, min(off + 30 + n + m + 128, len(data))))  # .npy
    central = list(range(start_dir, len(data)))
    fixed += central[:46] + central[-22:]  # the first central entry, the end record
    others += central[46:-22]  # the other entries, the zip64 end record and locator
    return {"fixed": fixed, "others": others}


def test_any_bit_flipped_in_the_zip_headers_gives_the_checkpoint_or_a_checkpoint_error(tmp_path):
    """Every bit of the fixed fields of the first local header, the first central
    directory entry and the end record, and a sample of the other headers' bits (names,
    extra fields, zip64 records, the .npy headers): load_checkpoint either reads the very
    same checkpoint or raises a CheckpointError naming the file, never
    NotImplementedError, RuntimeError, ...; stored_epoch gives the epoch or None."""
    model = tiny_vae()
    meta = {"epoch": 1, "history": [{"epoch": 1}], "settings": {"batch_size": 20}}
    good = tmp_path / "good.npz"
    save_checkpoint(good, model, meta=meta)
    data = good.read_bytes()
    regions = header_bytes(data)
    rng = np.random.default_rng(0)
    bits = [(byte, k) for byte in regions["fixed"] for k in range(8)]
    others = regions["others"]
    bits += [(others[i], int(k)) for i, k in zip(rng.integers(len(others), size=600),
                                                  rng.integers(8, size=600))]
    path = tmp_path / CHECKPOINT
    outcomes = {"same": 0, "error": 0}
    for byte, bit in bits:  # the same 1,384 bits on every machine, however busy
        damaged = bytearray(data)
        damaged[byte] ^= 1 << bit
        path.write_bytes(damaged)
        assert stored_epoch(path) in (1, None), (byte, bit)
        try:
            loaded, optim_state, loaded_meta = load_checkpoint(path)
        except CheckpointError as e:
            assert str(path) in str(e), (byte, bit, e)
            outcomes["error"] += 1
        except Exception as e:  # noqa: BLE001 - the point of the test
            pytest.fail(f"bit {bit} of byte {byte}: {type(e).__name__}: {e}")
        else:
            assert loaded_meta["history"] == meta["history"] and optim_state == {}, (byte, bit)
            for k, w in model.params.items():
                np.testing.assert_array_equal(loaded.params[k], w, err_msg=f"{byte}, {bit}")
            outcomes["same"] += 1
    assert outcomes["error"] > 100 and outcomes["same"] > 100, outcomes


@pytest.mark.parametrize("flags,why", [(0x0001, "encrypted"), (0x0020, "patched")])
def test_an_unsupported_zip_flag_is_a_checkpoint_error(run_dir, flags, why):
    path = run_dir / CHECKPOINT
    data = bytearray(path.read_bytes())
    data[6:8] = struct.pack("<H", flags)  # general purpose flags of the first local header
    start = zipfile.ZipFile(run_dir / CHECKPOINT).start_dir
    data[start + 8 : start + 10] = struct.pack("<H", flags)  # and of its central entry
    path.write_bytes(data)
    with pytest.raises(CheckpointError, match="not a readable checkpoint") as error:
        load_checkpoint(run_dir)
    assert str(path) in str(error.value)


def test_an_unknown_compression_method_is_a_checkpoint_error(run_dir):
    path = run_dir / CHECKPOINT
    data = bytearray(path.read_bytes())
    start = zipfile.ZipFile(path).start_dir
    data[8:10] = data[start + 10 : start + 12] = struct.pack("<H", 99)  # AES
    path.write_bytes(data)
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):
        load_checkpoint(path)


# ---- arrays and metadata of the wrong type -----------------------------------------------


@pytest.mark.parametrize("dtype", [bool, np.int32, np.int64, np.complex64, "U3", np.float16])
def test_parameters_that_are_not_float32_or_float64_are_refused(run_dir, dtype):
    def cast(arrays):
        arrays["param/encoder.0.W"] = arrays["param/encoder.0.W"].astype(dtype)

    rewrite(run_dir / CHECKPOINT, arrays=cast)
    with pytest.raises(CheckpointError, match=r"parameter encoder\.0\.W .*float"):
        load_checkpoint(run_dir)


def test_optimizer_state_of_the_wrong_type_is_refused(run_dir):
    def cast(arrays):
        arrays["optim/v.decoder.out.b"] = arrays["optim/v.decoder.out.b"].astype("U8")

    rewrite(run_dir / CHECKPOINT, arrays=cast)
    with pytest.raises(CheckpointError, match=r"optim/v\.decoder\.out\.b"):
        load_checkpoint(run_dir)


def test_a_meta_entry_that_is_not_a_string_is_refused(run_dir):
    def replace(arrays):
        arrays["meta"] = np.arange(3)

    rewrite(run_dir / CHECKPOINT, arrays=replace)
    with pytest.raises(CheckpointError, match="bad metadata"):
        load_checkpoint(run_dir)


def _set(key, value):
    return lambda meta: {**meta, key: value}


@pytest.mark.parametrize(
    "change,message",
    [
        (lambda meta: [meta], "not a record"),
        (_set("config", [1, 2]), "config"),
        (_set("config", "vae"), "config"),
        (_set("model", ["vae"]), "model"),
        (_set("settings", [20]), "settings"),
        (_set("settings", "fast"), "settings"),
        (_set("epoch", "1"), "epoch"),
        (_set("epoch", 1.5), "epoch"),
        (_set("epoch", -1), "epoch"),
        (_set("epoch", True), "epoch"),
        (_set("history", {"epoch": 1}), "history"),
        (_set("history", [1]), "history"),
        (lambda meta: {**meta, "history": meta["history"] * 3}, "3 epochs.*epoch 1"),
        (_set("rng_state", "seed"), "rng_state"),
    ],
)
def test_metadata_of_the_wrong_type_is_a_checkpoint_error(run_dir, change, message):
    rewrite(run_dir / CHECKPOINT, meta=change)
    with pytest.raises(CheckpointError, match=message) as error:
        load_checkpoint(run_dir)
    assert str(run_dir / CHECKPOINT) in str(error.value)


def test_a_checkpoint_with_non_finite_values_is_never_written(tmp_path):
    model = tiny_vae()
    model.params["decoder.out.b"][0] = np.nan
    with pytest.raises(CheckpointError, match=r"decoder\.out\.b.*non-finite"):
        save_checkpoint(tmp_path / CHECKPOINT, model)
    assert list(tmp_path.iterdir()) == []


# ---- not a regular file ------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_fifo_in_place_of_the_checkpoint_is_refused_at_once(tmp_path):
    path = tmp_path / CHECKPOINT
    os.mkfifo(path)
    outcome = {}

    def load():
        try:
            load_checkpoint(tmp_path)
        except Exception as e:  # noqa: BLE001
            outcome["error"] = e
        outcome["epoch"] = stored_epoch(path)

    reader = threading.Thread(target=load, daemon=True)
    reader.start()
    reader.join(5)
    blocked = reader.is_alive()
    while reader.is_alive():  # unblock a reader stuck in open(): a writer comes and goes
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            pass
        reader.join(0.1)
    assert not blocked, "load_checkpoint blocked on a FIFO"
    assert isinstance(outcome["error"], CheckpointError), outcome
    assert "not a regular file" in str(outcome["error"]) and str(path) in str(outcome["error"])
    assert outcome["epoch"] is None


def test_a_folder_in_place_of_the_checkpoint_is_refused(tmp_path):
    (tmp_path / CHECKPOINT).mkdir()
    with pytest.raises(CheckpointError, match="not a regular file"):
        load_checkpoint(tmp_path)
    assert stored_epoch(tmp_path / CHECKPOINT) is None


# ---- history.json is a copy of the checkpoint's history ----------------------------------


def test_resume_rewrites_a_history_json_that_trails_the_checkpoint(tmp_path):
    """A kill between the checkpoint and history.json leaves history.json an epoch behind;
    resuming repairs it from the checkpoint before it trains anything."""
    out = tmp_path / "run"
    settings = TrainSettings(epochs=2, batch_size=20)
    fit(tiny_vae(), tiny_data(), settings=settings, out_dir=out, log=None)
    history = json.loads((out / HISTORY).read_text())
    (out / HISTORY).write_text(json.dumps(history[:1]))  # as if killed before its rewrite

    def stop(line):
        raise KeyboardInterrupt  # at "resuming ...": nothing trained yet

    with pytest.raises(KeyboardInterrupt):
        fit(tiny_vae(), tiny_data(), settings=TrainSettings(epochs=3, batch_size=20),
            out_dir=out, resume=True, log=stop)
    assert json.loads((out / HISTORY).read_text()) == history
    _, _, meta = load_checkpoint(out)
    assert meta["history"] == history


# ---- temporary files left by a killed writer ---------------------------------------------


KILLED_WRITER = """
import os, signal, sys
from numpyvae.fileio import atomic_write

def write(f):
    f.write(b"x" * 100000)
    f.flush()
    os.kill(os.getpid(), signal.SIGKILL)

atomic_write(sys.argv[1], write)
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="no SIGKILL here")
def test_the_temporary_file_of_a_killed_writer_is_removed_by_the_next_write(tmp_path):
    target = tmp_path / "big.bin"
    child = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(target)])
    assert child.wait() == -signal.SIGKILL  # and its PID is free again
    left = [p for p in tmp_path.iterdir()]
    assert len(left) == 1 and left[0].name.startswith(".big.bin.") and left[0].suffix == ".tmp"
    assert not target.exists()

    # a live writer's fresh file, another target's file and a stranger are kept
    live = temp_path(target)
    live.write_bytes(b"being written")
    other = tmp_path / f".other.bin.{child.pid}.0123abcd.tmp"  # of the dead writer
    other.write_bytes(b"not ours")
    stranger = tmp_path / ".big.bin.notes.tmp"
    stranger.write_bytes(b"not a temporary name")
    # a file of a live process, untouched for two hours (the PID was reused)
    old = tmp_path / f".big.bin.{os.getppid()}.89abcdef.tmp"
    old.write_bytes(b"old")
    two_hours_ago = time.time() - 7200
    os.utime(old, (two_hours_ago, two_hours_ago))

    atomic_write(target, lambda f: f.write(b"done"))
    assert target.read_bytes() == b"done"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [target.name, live.name, other.name, stranger.name])


# ---- errors that name the file being written ---------------------------------------------


FULL_DISK = """
import pathlib, resource, signal, sys
from numpyvae.checkpoint import write_json
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))
try:
    write_json(pathlib.Path(sys.argv[1]), {"x": "y" * 5000})
except OSError as e:
    print(e.errno, e.filename, e.strerror, sep="|")
"""


@pytest.mark.skipif(sys.platform == "win32", reason="needs RLIMIT_FSIZE")
def test_a_write_error_names_the_file_being_written(tmp_path):
    """A write that fails half-way (here: the file size limit, as a full disk does)
    names eval.json, not its hidden temporary file."""
    target = tmp_path / "eval.json"
    child = subprocess.run([sys.executable, "-c", FULL_DISK, str(target)],
                           capture_output=True, text=True, check=True)
    number, filename, _ = child.stdout.strip().split("|")
    assert int(number) == errno.EFBIG and filename == str(target), child.stdout
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_at_fsync_names_the_file(tmp_path, monkeypatch):
    def no_space(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(OSError) as error:
        write_json(tmp_path / "eval.json", {"a": 1})
    assert error.value.errno == errno.ENOSPC and error.value.filename == str(tmp_path / "eval.json")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_a_folder_that_cannot_be_written_names_the_file_not_its_temporary_name(tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        undo = ["chmod", "755", str(folder)]
    else:  # root writes anywhere, but not into an immutable folder
        made = shutil.which("chattr") and subprocess.run(
            ["chattr", "+i", str(folder)], check=False, capture_output=True).returncode == 0
        if not made:
            pytest.skip("running as root where chattr +i does not work")
        undo = ["chattr", "-i", str(folder)]
    try:
        with pytest.raises(PermissionError) as error:
            write_json(folder / "eval.json", {"a": 1})
    finally:
        subprocess.run(undo, check=True)
    assert error.value.filename == str(folder / "eval.json")
    assert list(folder.iterdir()) == []
