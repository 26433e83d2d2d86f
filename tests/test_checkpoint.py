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
from helpers import hang_guard

import numpyvae
from numpyvae import VAE, VAEConfig, checkpoint, runfolder
from numpyvae.checkpoint import (
    CHECKPOINT,
    digest_of,
    load_checkpoint,
    read_run,
    repair_history,
    save_checkpoint,
    stored_epoch,
)
from numpyvae.datasets import BINARIZE_MODES
from numpyvae.errors import CheckpointError
from numpyvae.fileio import atomic_write, temp_path
from numpyvae.runfolder import (
    EVAL,
    HISTORY,
    LOCK,
    RUN,
    RunFolderInUse,
    add_evaluation,
    lock_run,
    read_evaluations,
    write_json,
)
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


def rewrite(path, arrays=None, meta=None, digest="sign"):
    """Rewrite the checkpoint at ``path``: ``arrays(dict)`` and ``meta(dict)`` change it.
    Its digest is computed again ("sign"), as a forger would, so that the checks behind
    the digest are what refuses it; or kept as it was ("keep"), or dropped ("drop")."""
    with np.load(path) as npz:
        stored = {k: npz[k] for k in npz.files}
    if meta is not None:
        info = meta(json.loads(str(stored["meta"])))
        stored["meta"] = np.array(json.dumps(info))
    if arrays is not None:
        arrays(stored)
    if digest != "keep":
        stored.pop("digest", None)
    if digest == "sign":
        stored["digest"] = np.array(json.dumps(digest_of(stored)))
    np.savez(path, **stored)


def as_format_1(meta):
    """The metadata as numpyvae wrote them before the digest and the run id."""
    return {**{k: v for k, v in meta.items() if k != "run_id"}, "format": 1}


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


def test_a_npy_header_that_is_no_longer_a_literal_is_a_checkpoint_error(tmp_path):
    """In an entry large enough to be read in pieces, numpy parses the .npy header before
    the zip's CRC is checked: a damaged header raises tokenize's TokenError there."""
    path = tmp_path / CHECKPOINT
    save_checkpoint(path, VAE(VAEConfig(input_dim=784, hidden_dims=(8,), latent_dim=2)))
    data = bytearray(path.read_bytes())
    shape = data.index(b")", data.index(b"'shape': ("))
    data[shape] = ord(" ")  # "(784, 8 , }": a parenthesis left open
    path.write_bytes(data)
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):
        load_checkpoint(path)
    assert stored_epoch(path) is None  # the meta entry alone reads (it has no epoch)


def test_a_compressed_entry_that_inflates_far_past_the_file_is_refused_unread(run_dir):
    """8 MiB of zeros compress to 8 kB: refused from the sizes the zip declares, before
    anything is read; a checkpoint compressed afterwards is still read as it was."""
    path = run_dir / CHECKPOINT
    with np.load(path) as npz:
        arrays = {k: npz[k] for k in npz.files}
    np.savez_compressed(run_dir / "compressed.npz", **arrays)
    np.testing.assert_array_equal(load_checkpoint(run_dir / "compressed.npz")[0].params.flat,
                                  load_checkpoint(path)[0].params.flat)
    np.savez_compressed(path, **arrays, extra=np.zeros(1 << 23, np.uint8))
    assert path.stat().st_size < 100_000
    with pytest.raises(CheckpointError, match=r"its entries declare \d+ bytes, more than 16 "
                                              r"times the file's \d+"):
        load_checkpoint(path)


def test_the_binarizations_a_checkpoint_accepts_are_the_data_sets():
    assert checkpoint.BINARIZE_MODES == BINARIZE_MODES


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


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
@pytest.mark.parametrize("name", [RUN, EVAL])
def test_a_fifo_in_place_of_run_json_or_eval_json_is_refused_at_once(run_dir, name):
    path = run_dir / name
    path.unlink(missing_ok=True)
    os.mkfifo(path)
    read = read_run if name == RUN else read_evaluations
    with pytest.raises(CheckpointError, match=f"{name}: not a regular file"):
        hang_guard(read, run_dir, seconds=30, fifo=path)


# ---- history.json is a copy of the checkpoint's history ----------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
@pytest.mark.parametrize("kind", ["fifo", "endless"])
def test_a_history_json_that_is_no_file_is_replaced_not_read(run_dir, kind):
    """A FIFO would block the comparison for ever, /dev/zero fill the memory: neither is
    read; the repair puts the history there (and leaves /dev/zero alone)."""
    path = run_dir / HISTORY
    whole = path.read_bytes()
    path.unlink()
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")  # an endless file
    assert hang_guard(repair_history, read_run(run_dir), seconds=30,
                      fifo=path if kind == "fifo" else None) is True
    assert not path.is_symlink() and path.read_bytes() == whole


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
from numpyvae.runfolder import write_json
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


# ---- a checkpoint that vouches for itself ------------------------------------------------


def _config(key, value):
    return lambda meta: {**meta, "config": {**meta["config"], key: value}}


@pytest.mark.parametrize("hidden", [[2000, 2000], [1] * 20_000], ids=["wide", "deep"])
def test_a_signed_config_larger_than_the_arrays_is_refused_before_the_model_is_made(
        run_dir, hidden):
    """A forger's config of 784-30000-30000 beside a 336 kB file would have the model made
    (21 GB) before its shapes were compared: the count of weights is compared first."""
    rewrite(run_dir / CHECKPOINT, meta=_config("hidden_dims", hidden))
    with pytest.raises(CheckpointError, match=r"the config asks for at least \d+ weights, "
                                              r"but the checkpoint holds \d+"):
        load_checkpoint(run_dir)


@pytest.mark.parametrize("change", [_config("activation", "tanh"),
                                    _config("likelihood", "gaussian"), _config("beta", 0.0)],
                         ids=["tanh on ReLU weights", "gaussian", "beta 0"])
def test_metadata_edited_to_fit_the_arrays_is_refused_by_the_digest(run_dir, change):
    rewrite(run_dir / CHECKPOINT, meta=change, digest="keep")
    with pytest.raises(CheckpointError) as error:
        load_checkpoint(run_dir)
    assert str(error.value).startswith(f"{run_dir / CHECKPOINT}: does not match its own digest: "
                                       "the metadata changed since it was written")


@pytest.mark.parametrize("change, what", [
    (lambda a: a["param/encoder.0.W"].__setitem__((0, 0), 0.5), "parameter encoder.0.W changed"),
    (lambda a: a["optim/m.decoder.out.b"].__setitem__(0, 1e-3),
     "optimizer state m.decoder.out.b changed"),
    (lambda a: a.__setitem__("param/encoder.9.W", np.zeros(2, np.float32)),
     "parameter encoder.9.W was added"),
    (lambda a: a.pop("optim/t"), "optimizer state t is missing"),
], ids=["a weight", "Adam's m", "an entry added", "an entry removed"])
def test_an_array_changed_added_or_removed_is_named(run_dir, change, what):
    rewrite(run_dir / CHECKPOINT, arrays=change, digest="keep")
    with pytest.raises(CheckpointError, match="does not match its own digest") as error:
        load_checkpoint(run_dir)
    assert what in str(error.value)


def test_a_checkpoint_of_format_2_without_its_digest_is_refused(run_dir):
    rewrite(run_dir / CHECKPOINT, digest="drop")
    with pytest.raises(CheckpointError, match="its digest is missing"):
        load_checkpoint(run_dir)


def test_a_checkpoint_of_format_1_still_loads_with_every_range_check(run_dir):
    """Written before the digest and the run id: read, not vouched for, still checked."""
    (run_dir / RUN).unlink()  # an old run folder has no run.json
    rewrite(run_dir / CHECKPOINT, meta=as_format_1, digest="drop")
    record = read_run(run_dir)
    assert record.vouched is False and record.run_id is None and record.epoch == 1
    with pytest.warns(UserWarning, match="written before checkpoints carried a digest"):
        numpyvae.load(run_dir)

    def t_minus_one(arrays):
        arrays["optim/t"] = np.array(-1)

    rewrite(run_dir / CHECKPOINT, arrays=t_minus_one, digest="drop")
    with pytest.raises(CheckpointError, match=r"optim/t .* is -1, out of range"):
        read_run(run_dir)


def _optim(key, value):
    def change(arrays):
        arrays[f"optim/{key}"] = value(arrays[f"optim/{key}"])
    return change


def _history(key, value):
    return lambda meta: {**meta, "history": [{**meta["history"][0], key: value}]}


def _settings(key, value):
    return lambda meta: {**meta, "settings": {**meta["settings"], key: value}}


@pytest.mark.parametrize("arrays, meta, message", [
    (_optim("t", lambda t: np.array(-1)), None, r"optim/t .* is -1, out of range"),
    (_optim("t", lambda t: np.array(0)), None,
     r"optim/t .* is 0, out of range: 1 epoch takes at least 1 step$"),
    (_optim("t", lambda t: np.array(-2**63)), None, r"is -9223372036854775808, out of range"),
    (_optim("t", lambda t: np.array(2**62)), None,
     r"is 4611686018427387904, out of range: more steps than any run takes"),
    (_optim("t", lambda t: np.array(2.0)), None, r"optim/t is float64 .* not a whole number"),
    (_optim("v.encoder.0.b", lambda v: v - 1), None, r"optim/v\.encoder\.0\.b has negative"),
    (_optim("m.encoder.0.W", lambda m: m.T.copy()), None, r"optim/m\.encoder\.0\.W has shape"),
    (_optim("m.encoder.0.b", lambda m: m * np.inf), None, r"non-finite"),
    (None, _history("seconds", float("nan")), r"history\[0\]: seconds must be a finite"),
    (None, _history("beta", -1.0), r"history\[0\]: beta must be a finite number >= 0"),
    (None, _history("train_kl", -0.5), r"history\[0\]: train_kl must be a finite number >= 0"),
    (None, _history("epoch", 2), r"history\[0\]: its epoch is 2, not 1"),
    (None, _history("train_loss", "low"), r"history\[0\]: train_loss must be a number"),
    (None, _settings("lr", -1.0), r"settings\.lr must be a finite number > 0"),
    (None, _settings("epochs", 0), r"settings\.epochs must be at least 1"),
    (None, _settings("batch_size", 2.5), r"settings\.batch_size must be a whole number"),
    (None, _settings("warmup_epochs", float("inf")), r"warmup_epochs must be a finite number"),
    (None, _settings("binarize", "bogus"), r"settings\.binarize is 'bogus', not one of"),
    (None, lambda m: {**m, "rng_state": {**m["rng_state"], "state": {"state": -1, "inc": 1}}},
     r"rng_state is not a state of NumPy's generator"),
    (None, lambda m: {**m, "format": 3}, r"format is 3, not 1 to 2 \(written by a newer"),
    (None, lambda m: {**m, "run_id": "x"}, r"run_id is 'x', not 32 hex digits"),
], ids=["t -1", "t 0 after an epoch", "t -2^63", "t 2^62", "t a float", "v < 0",
        "m of another shape", "m infinite", "seconds nan", "beta -1", "kl < 0", "epochs out of order",
        "a loss that is a string", "lr -1", "epochs 0", "batch 2.5", "warm-up inf", "binarize",
        "generator state", "format 3", "run id"])
def test_every_number_of_the_state_is_range_checked_behind_the_digest(run_dir, arrays, meta,
                                                                       message):
    """A forger who computes the digest again still meets the range checks."""
    rewrite(run_dir / CHECKPOINT, arrays=arrays, meta=meta, digest="sign")
    with pytest.raises(CheckpointError, match=message) as error:
        read_run(run_dir)
    assert str(error.value).startswith(str(run_dir / CHECKPOINT))


# ---- the run id --------------------------------------------------------------------------


def test_a_checkpoint_copied_in_from_another_run_is_refused(tmp_path, run_dir):
    other = tmp_path / "other"
    fit(tiny_vae(), tiny_data(), settings=TrainSettings(epochs=1, batch_size=20),
        out_dir=other, log=None)
    assert read_run(other).run_id == json.loads((other / RUN).read_text())["run_id"]
    assert read_run(other).run_id != read_run(run_dir).run_id
    history = (run_dir / HISTORY).read_bytes()
    shutil.copy(other / CHECKPOINT, run_dir / CHECKPOINT)
    for read in (read_run, numpyvae.load, load_checkpoint):
        with pytest.raises(CheckpointError, match="belongs to another run"):
            read(run_dir)
    with pytest.raises(CheckpointError, match="belongs to another run"):
        fit(tiny_vae(), tiny_data(), settings=TrainSettings(epochs=2, batch_size=20),
            out_dir=run_dir, resume=True, log=None)
    assert (run_dir / HISTORY).read_bytes() == history  # nothing rewritten
    load_checkpoint(run_dir / CHECKPOINT)  # the file itself is whole: read alone, it loads


def test_a_resumed_run_keeps_its_id_and_a_new_run_draws_one(tmp_path, run_dir):
    first = read_run(run_dir).run_id
    fit(tiny_vae(), tiny_data(), settings=TrainSettings(epochs=2, batch_size=20),
        out_dir=run_dir, resume=True, log=None)
    assert read_run(run_dir).run_id == first == json.loads((run_dir / RUN).read_text())["run_id"]
    (run_dir / CHECKPOINT).unlink()  # a new run where one was (its run.json left behind)
    fit(tiny_vae(), tiny_data(), settings=TrainSettings(epochs=1, batch_size=20),
        out_dir=run_dir, log=None)
    assert read_run(run_dir).run_id not in (None, first)


class Killed(BaseException):
    """A kill at a write (not an Exception: nothing catches it on its way out)."""


@pytest.mark.parametrize("scenario", ["resume", "resume format 1", "new run over run.json"])
@pytest.mark.parametrize("writes", [0, 1, 2])
def test_a_kill_at_any_write_of_an_epoch_leaves_a_run_that_reads_and_resumes(
        tmp_path, monkeypatch, scenario, writes):
    """The writes of an epoch (the checkpoint, history.json, run.json, with run.json
    removed first when its id changes): killed after any number of them, the folder reads
    and resumes, and ends where an uninterrupted run ends."""
    out = tmp_path / "run"
    settings = TrainSettings(epochs=1, batch_size=20)
    fit(tiny_vae(), tiny_data(), settings=settings, out_dir=out, log=None)
    if scenario == "resume format 1":
        (out / RUN).unlink()
        rewrite(out / CHECKPOINT, meta=as_format_1, digest="drop")
    if scenario == "new run over run.json":
        (out / CHECKPOINT).unlink()
    real = checkpoint.atomic_write
    done = []

    def killed_after(path, write):
        if len(done) == writes:
            raise Killed
        done.append(path)
        real(path, write)

    for module in (checkpoint, runfolder):  # the checkpoint, and the files around it
        monkeypatch.setattr(module, "atomic_write", killed_after)
    resume = scenario != "new run over run.json"
    target = TrainSettings(epochs=2 if resume else 1, batch_size=20)
    with pytest.raises(Killed):
        fit(tiny_vae(), tiny_data(), settings=target, out_dir=out, resume=resume, log=None)
    for module in (checkpoint, runfolder):
        monkeypatch.setattr(module, "atomic_write", real)
    if (out / CHECKPOINT).exists():
        record = read_run(out)  # no "belongs to another run", no damage
        if record.epoch < 2:
            fit(tiny_vae(), tiny_data(), settings=TrainSettings(epochs=2, batch_size=20),
                out_dir=out, resume=True, log=None)
        direct = tmp_path / "direct"
        fit(tiny_vae(), tiny_data(), settings=TrainSettings(epochs=2, batch_size=20),
            out_dir=direct, log=None)
        np.testing.assert_array_equal(read_run(out).model.params.flat,
                                      read_run(direct).model.params.flat)


# ---- one run per folder ------------------------------------------------------------------


def test_a_held_run_folder_is_refused_naming_the_holder_and_free_again_after(tmp_path):
    folder = tmp_path / "runs" / "a"
    with lock_run(folder) as held:
        assert held.folder == folder and folder.is_dir()
        assert (folder / LOCK).read_text() == f"PID {os.getpid()}, numpyvae train\n"
        with pytest.raises(RunFolderInUse) as error:
            lock_run(folder, "another")
        assert str(folder) in str(error.value) and f"PID {os.getpid()}" in str(error.value)
        assert (folder / LOCK).read_text() == f"PID {os.getpid()}, numpyvae train\n"
    assert not (tmp_path / "runs").exists()  # made for the lock, nothing put in: removed
    (folder / "x").parent.mkdir(parents=True)
    with lock_run(folder):
        (folder / "x").write_text("kept")
    assert os.listdir(folder) == ["x"]  # the lock file goes with the lock


def test_history_json_is_repaired_only_when_no_train_holds_the_folder(tmp_path):
    out = tmp_path / "run"
    fit(tiny_vae(), tiny_data(), settings=TrainSettings(epochs=2, batch_size=20),
        out_dir=out, log=None)
    whole = (out / HISTORY).read_bytes()
    (out / HISTORY).write_text(json.dumps(json.loads(whole)[:1]))  # killed before its rewrite
    record = read_run(out)
    with lock_run(out, "a train in another process"):
        assert repair_history(record) is False
        assert len(json.loads((out / HISTORY).read_text())) == 1
    assert repair_history(record) is True and (out / HISTORY).read_bytes() == whole
    assert repair_history(record) is False  # nothing left to repair


def test_a_record_read_before_a_later_epoch_was_saved_does_not_set_history_json_back(tmp_path):
    """A reader reads epoch 1; the run saves epoch 2 (both files) and ends; the reader's
    repair must not rewrite history.json with epoch 1 alone."""
    out = tmp_path / "run"
    fit(tiny_vae(), tiny_data(), settings=TrainSettings(epochs=1, batch_size=20),
        out_dir=out, log=None)
    stale = read_run(out)
    fit(tiny_vae(), tiny_data(), settings=TrainSettings(epochs=2, batch_size=20),
        out_dir=out, resume=True, log=None)
    whole = (out / HISTORY).read_bytes()
    assert len(json.loads(whole)) == 2
    assert repair_history(stale) is False and (out / HISTORY).read_bytes() == whole


# ---- eval.json: one result per data set and K ------------------------------------------


def test_eval_json_keeps_one_result_per_data_set_and_k(tmp_path):
    one = {"dataset": "mnist", "test_pixels": "grey", "iw_samples": 1000, "epoch": 10}
    (tmp_path / EVAL).write_text(json.dumps(one))  # one result, as written before
    assert read_evaluations(tmp_path) == [one]
    other = {**one, "dataset": "fashion-mnist", "epoch": 10}
    assert add_evaluation(tmp_path, other) is None
    again = {**one, "epoch": 11}
    assert add_evaluation(tmp_path, again) == one
    assert read_evaluations(tmp_path) == [other, again]
    assert add_evaluation(tmp_path, {**one, "iw_samples": 5}) is None
    assert len(read_evaluations(tmp_path)) == 3


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", '{"evaluations": [{"K": 5}]}'])
def test_a_damaged_eval_json_is_refused_and_kept(tmp_path, text):
    (tmp_path / EVAL).write_text(text)
    with pytest.raises(CheckpointError, match=f"{EVAL}: not a record of evaluations"):
        add_evaluation(tmp_path, {"dataset": "mnist", "iw_samples": 5})
    assert (tmp_path / EVAL).read_text() == text


def test_numpyvae_load_gives_the_trained_model(run_dir):
    model = numpyvae.load(run_dir)
    assert isinstance(model, VAE) and model.config == tiny_vae().config
    np.testing.assert_array_equal(model.params.flat, load_checkpoint(run_dir)[0].params.flat)
