"""plots.save_image_grid: the picture of ``numpyvae sample``, and its error without matplotlib."""

import sys

import numpy as np
import pytest

from numpyvae import plots
from numpyvae.errors import NumpyVAEError


def test_save_image_grid_writes_a_png_of_the_grid(tmp_path):
    pytest.importorskip("matplotlib")
    from matplotlib.image import imread

    images = np.random.default_rng(0).random((16, 28, 28))  # 4 x 4 grid
    path = plots.save_image_grid(images, tmp_path / "pictures" / "grid.png", "16 samples\nseed 0")
    assert path == tmp_path / "pictures" / "grid.png"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    height, width = imread(path).shape[:2]
    # 4 * (28 + 2) + 2 = 122 pixels a side at 3 screen pixels each: 366, widened to 4 inches
    assert width >= 400
    assert height >= 366


def test_save_image_grid_without_matplotlib_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(plots.PlotDependencyError) as info:
        plots.save_image_grid(np.zeros((4, 28, 28)), tmp_path / "x.png", "title")
    assert isinstance(info.value, ImportError) and isinstance(info.value, NumpyVAEError)
    assert str(info.value) == ('saving images needs matplotlib: pip install matplotlib '
                               '(or, from a checkout: pip install ".[plot]")')
    assert not (tmp_path / "x.png").exists()
