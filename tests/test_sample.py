"""``numpyvae sample`` and the figures write exactly the file they name, atomically: a full
disk leaves the previous file intact; without matplotlib the advice is installable."""

import errno
import io
import os
import sys

import numpy as np
import pytest

from numpyvae import cli, fileio, plots
from numpyvae.plots import figure

PNG = b"\x89PNG\r\n\x1a\n"




def sample(capsys, *argv):
    code = cli.main(["sample", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def full_disk(monkeypatch):
    """The disk fills up after 100 bytes of the next file written through atomic_write."""
    real = fileio.atomic_write

    def filling(path, write):
        def write_until_full(out):
            data = io.BytesIO()
            write(data)
            out.write(data.getvalue()[:100])  # a part reaches the (temporary) file...
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # ...then the disk is full

        real(path, write_until_full)

    monkeypatch.setattr(figure, "atomic_write", filling, raising=False)


def test_a_full_disk_keeps_the_previous_png(capsys, run_dir, tmp_path, full_disk):
    pytest.importorskip("matplotlib")
    png = tmp_path / "grid.png"
    png.write_bytes(b"the previous picture")
    code, out, err = sample(capsys, run_dir, "--out", png)
    assert code == 2 and "Traceback" not in err
    assert err == f"numpyvae: error: {png}: No space left on device\n"
    assert png.read_bytes() == b"the previous picture"
    assert sorted(os.listdir(tmp_path)) == ["grid.png"]  # no temporary file left
    assert "written" not in out


def test_a_full_disk_leaves_no_truncated_new_png(capsys, run_dir, tmp_path, full_disk):
    pytest.importorskip("matplotlib")
    code, _, err = sample(capsys, run_dir, "--out", tmp_path / "new.png")
    assert code == 2 and "No space left on device" in err
    assert os.listdir(tmp_path) == []


def test_every_figure_is_written_atomically(tmp_path, full_disk):
    pytest.importorskip("matplotlib")
    png = tmp_path / "curves.png"
    png.write_bytes(b"old")
    with pytest.raises(OSError, match="No space left") as info:
        plots.image_grid(np.zeros((4, 16)), png, "title")
    assert info.value.filename == str(png)
    assert png.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["curves.png"]


def test_out_an_existing_folder_writes_samples_png_in_it(capsys, run_dir, tmp_path):
    pytest.importorskip("matplotlib")
    code, out, err = sample(capsys, run_dir, "--n", "4", "--out", tmp_path)
    assert code == 0, err
    written = tmp_path / "samples.png"
    assert written.read_bytes()[:8] == PNG
    assert out == f"4 samples written to {written}\n"
    assert not (tmp_path.parent / f"{tmp_path.name}.png").exists()


def test_out_a_new_folder_with_a_slash(capsys, run_dir, tmp_path):
    pytest.importorskip("matplotlib")
    code, out, err = sample(capsys, run_dir, "--n", "4", "--out", f"{tmp_path / 'pictures'}/")
    assert code == 0, err
    assert (tmp_path / "pictures" / "samples.png").read_bytes()[:8] == PNG
    assert str(tmp_path / "pictures" / "samples.png") in out
    assert err == f"making the folder {tmp_path / 'pictures'}\n"  # said, as asked by the /


@pytest.mark.parametrize("name", ["grid", "grid.jpg", "grid.png.txt"])
def test_out_without_png_is_refused_naming_the_option(capsys, run_dir, tmp_path, name):
    code, out, err = sample(capsys, run_dir, "--out", tmp_path / name)
    assert code == 2
    assert err.startswith("numpyvae: error: --out ") and ".png" in err and err.count("\n") == 1
    assert os.listdir(tmp_path) == [] and out == ""


def test_save_image_grid_writes_exactly_the_path_given(tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "no-suffix"
    assert plots.save_image_grid(np.zeros((4, 8, 8)), path, "t") == path
    assert path.read_bytes()[:8] == PNG
    assert os.listdir(tmp_path) == ["no-suffix"]


@pytest.fixture
def no_matplotlib(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)


def test_without_matplotlib_the_advice_works_from_a_checkout(capsys, run_dir, tmp_path,
                                                            no_matplotlib):
    code, _, err = sample(capsys, run_dir, "--out", tmp_path / "x.png")
    assert err == f"numpyvae: error: {figure.INSTALL_HINT}\n"
    assert code == 2 and "pip install matplotlib" in err and "numpyvae[plot]" not in err


def test_the_help_says_what_to_install(capsys):
    assert cli.main(["sample", "--help"]) == 0
    out = capsys.readouterr().out
    assert "pip install matplotlib" in out and "numpyvae[plot]" not in out


def test_require_matplotlib(no_matplotlib):
    with pytest.raises(plots.PlotDependencyError) as info:
        plots.require_matplotlib()
    assert str(info.value) == figure.INSTALL_HINT
    with pytest.raises(plots.PlotDependencyError):  # every figure says the same
        plots.image_grid(np.zeros((4, 16)), "unused.png", "t")


def test_require_matplotlib_passes_when_it_is_installed():
    pytest.importorskip("matplotlib")
    assert plots.require_matplotlib() is None


def test_out_empty_is_refused_not_the_current_folder(capsys, run_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = sample(capsys, run_dir, "--out", "")
    assert code == 2 and out == "" and "Traceback" not in err
    assert err.splitlines()[-1].endswith("argument --out: must name a .png file or a folder, got ''")
    assert os.listdir(tmp_path) == []


def test_more_images_than_one_picture_holds_are_refused(capsys, run_dir, tmp_path):
    code, out, err = sample(capsys, run_dir, "--n", "5000", "--out", tmp_path / "x.png")
    assert code == 2 and out == "" and "Traceback" not in err
    assert err.splitlines()[-1].endswith("argument --n: at most 4096 images (a 64x64 grid) "
                                         "fit one picture, got '5000'")
    assert os.listdir(tmp_path) == []
