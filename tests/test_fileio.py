"""numpyvae.fileio: temporary names that keep every legal file name writable."""

import os

import pytest
from helpers import hang_guard

from numpyvae import fileio
from numpyvae.fileio import atomic_write, temp_path

NAME_MAX = 255  # bytes in a file name (Linux, macOS)


@pytest.mark.parametrize("name", ["a" * 232 + ".png", "b" * 251 + ".png", "가" * 83 + ".png"],
                         ids=["236 bytes", "255 bytes", "253 bytes of Korean"])
def test_a_name_of_up_to_255_bytes_can_be_written(tmp_path, name):
    assert len(os.fsencode(name)) <= NAME_MAX
    assert len(os.fsencode(temp_path(tmp_path / name).name)) <= NAME_MAX
    atomic_write(tmp_path / name, lambda f: f.write(b"picture"))
    assert os.listdir(tmp_path) == [name]
    assert (tmp_path / name).read_bytes() == b"picture"


def test_the_temporary_file_of_a_long_name_left_by_a_dead_writer_is_removed(tmp_path):
    target = tmp_path / ("c" * 250)
    dead = temp_path(target).name.replace(f".{os.getpid()}.", ".999999999.")  # no such PID
    (tmp_path / dead).write_bytes(b"left by a killed writer")
    atomic_write(target, lambda f: f.write(b"new"))
    assert os.listdir(tmp_path) == [target.name]


@pytest.mark.skipif(not hasattr(os, "O_NOFOLLOW") or not hasattr(os, "mkfifo"),
                    reason="no symbolic links or named pipes to refuse here")
@pytest.mark.parametrize("kind", ["symlink", "fifo"])
def test_a_lock_file_that_is_a_link_or_no_file_is_refused_and_nothing_written(tmp_path, kind):
    """A link named like the lock file would have the holder's line written over the
    file it points to; a FIFO cannot be locked: both are an OSError naming the file."""
    target = tmp_path / "precious.txt"
    target.write_text("kept")
    lock = tmp_path / "train.lock"
    if kind == "symlink":
        lock.symlink_to(target)
    else:
        os.mkfifo(lock)
    with pytest.raises(OSError, match="train.lock is (a symbolic link|not a regular file)"):
        fileio.lock_file(lock, "PID 1, a test")
    assert target.read_text() == "kept"


def test_open_regular_opens_a_file_and_refuses_a_fifo_or_a_folder_at_once(tmp_path):
    from numpyvae.fileio import NotARegularFile, open_regular

    (tmp_path / "f").write_bytes(b"abc")
    with open_regular(tmp_path / "f") as f:
        assert f.read() == b"abc"
    os.mkfifo(tmp_path / "fifo")  # opening it for reading would wait for a writer
    with pytest.raises(NotARegularFile) as fifo:
        hang_guard(open_regular, tmp_path / "fifo", seconds=20, fifo=tmp_path / "fifo")
    assert fifo.value.kind == "a FIFO (named pipe)"
    with pytest.raises(NotARegularFile, match="a directory"):
        open_regular(tmp_path)
    with pytest.raises(FileNotFoundError):
        open_regular(tmp_path / "missing")
