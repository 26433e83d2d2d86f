"""plots: the picture of ``numpyvae sample`` and its error without matplotlib, the latent
space explorer, the banner, the manifold's inverse normal CDF, and an import without
matplotlib."""

import math
import statistics
import subprocess
import sys

import numpy as np
import pytest

from numpyvae import plots
from numpyvae.errors import NumpyVAEError
from numpyvae.plots import inverse_normal_cdf, manifold_latents


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


# ---- the latent space explorer, driven by synthetic events on a headless canvas ---------


def _explorer():
    pytest.importorskip("matplotlib")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from numpyvae import VAE, AutoEncoder, VAEConfig

    config = VAEConfig(input_dim=16, hidden_dims=(8,), latent_dim=2, seed=3)  # 4x4 images
    vae, ae = VAE(config), AutoEncoder(config)
    rng = np.random.default_rng(0)
    codes = {"VAE": rng.normal(size=(60, 2)), "AutoEncoder": 5 + 3 * rng.normal(size=(60, 2))}
    labels = rng.integers(0, 10, 60)
    fig = Figure(figsize=(8, 6), layout="constrained")
    FigureCanvasAgg(fig)
    explorer = plots.LatentExplorer(fig, {
        "VAE": plots.ExplorerModel(vae.decode, codes["VAE"], labels, prior=True),
        "AutoEncoder": plots.ExplorerModel(ae.decode, codes["AutoEncoder"], labels)})
    fig.canvas.draw()  # lays the axes out, as a window's first paint does
    # a window repaints when idle; here every draw_idle would paint at once: count them
    fig.canvas.draw_idle = lambda: setattr(fig, "repaints", getattr(fig, "repaints", 0) + 1)
    return explorer, fig, {"VAE": vae, "AutoEncoder": ae}, codes


def _mouse(fig, name, ax, z, button=None):
    from matplotlib.backend_bases import MouseEvent

    x, y = ax.transData.transform(z)  # data -> pixels, where a real pointer would be
    fig.canvas.callbacks.process(name, MouseEvent(name, fig.canvas, x, y, button=button))


def test_explorer_decodes_at_the_pointer_as_it_moves():
    explorer, fig, models, _ = _explorer()
    for z in ((0.3, -0.2), (1.1, 0.4)):
        _mouse(fig, "motion_notify_event", explorer.ax_codes, z)
        assert np.allclose(explorer.z, z, atol=1e-6)
        shown = explorer.image.get_array()
        assert np.allclose(shown, models["VAE"].decode(np.array([z])).reshape(4, 4), atol=1e-6)
    assert fig.repaints == 2
    before = explorer.image.get_array().copy()
    _mouse(fig, "motion_notify_event", explorer.ax_image, (1.0, 1.0))  # over the image: nothing
    assert np.allclose(explorer.z, (1.1, 0.4), atol=1e-6)
    assert np.array_equal(explorer.image.get_array(), before)


def test_explorer_two_clicks_draw_the_interpolation_and_a_third_starts_again():
    explorer, fig, models, _ = _explorer()
    a, b = np.array([-1.0, 0.5]), np.array([1.5, -0.5])
    _mouse(fig, "button_press_event", explorer.ax_codes, a, button=1)
    assert len(explorer.pinned) == 1 and explorer.line_images is None
    _mouse(fig, "button_press_event", explorer.ax_codes, b, button=1)
    t = np.linspace(0, 1, explorer.steps)[:, None]
    expected = models["VAE"].decode((1 - t) * a + t * b)
    assert np.allclose(explorer.line_images, expected, atol=1e-5)
    lines = len(explorer.ax_codes.lines)
    _mouse(fig, "button_press_event", explorer.ax_codes, a, button=1)
    assert len(explorer.pinned) == 1 and explorer.line_images is None
    assert len(explorer.ax_codes.lines) == lines - 2  # the line and the second star are gone


def test_explorer_key_switches_to_the_autoencoder_and_back():
    from matplotlib.backend_bases import KeyEvent

    explorer, fig, models, codes = _explorer()

    def press(key):
        fig.canvas.callbacks.process("key_press_event", KeyEvent("key_press_event", fig.canvas, key))

    _mouse(fig, "button_press_event", explorer.ax_codes, (0.0, 0.0), button=1)
    press("x")  # not the switch key
    assert explorer.name == "VAE" and len(explorer.pinned) == 1
    press(plots.explorer.SWITCH_KEY)
    assert explorer.name == "AutoEncoder" and explorer.pinned == []
    drawn = np.concatenate([c.get_offsets() for c in explorer.ax_codes.collections])
    assert np.allclose(np.sort(drawn, axis=0), np.sort(codes["AutoEncoder"], axis=0))
    _mouse(fig, "motion_notify_event", explorer.ax_codes, (6.0, 4.0))
    assert np.allclose(explorer.image.get_array(),
                       models["AutoEncoder"].decode(np.array([[6.0, 4.0]])).reshape(4, 4), atol=1e-6)
    press(plots.explorer.SWITCH_KEY)
    assert explorer.name == "VAE"


def test_banner_puts_a_line_above_the_picture_and_keeps_it(tmp_path):
    pytest.importorskip("matplotlib")
    from matplotlib.image import imread

    path = plots.image_grid(np.random.default_rng(0).random((4, 784)), tmp_path / "g.png", "four")
    before = imread(path)
    plots.banner(path, "quick run: the full figure shows more")
    after = imread(path)
    assert after.shape[1] == before.shape[1] and after.shape[0] > before.shape[0]
    assert np.abs(after[-before.shape[0]:, :, :3] - before[:, :, :3]).max() < 0.02  # kept
    strip = after[: after.shape[0] - before.shape[0], :, :3]
    assert np.any((strip[..., 0] > 0.6) & (strip[..., 2] < 0.4))  # red letters in the strip


# ---- the inverse normal CDF ------------------------------------------------------------


def test_inverse_normal_cdf_matches_the_standard_library():
    # statistics.NormalDist uses Wichura's algorithm AS241: an independent reference
    p = np.concatenate([np.logspace(-300, -1, 200), np.linspace(0.01, 0.99, 99),
                        1 - np.logspace(-1, -15, 50)])
    ref = np.array([statistics.NormalDist().inv_cdf(float(q)) for q in p])
    got = inverse_normal_cdf(p)
    assert got.shape == p.shape
    assert np.max(np.abs(got - ref) / np.maximum(1.0, np.abs(ref))) < 1e-12


def test_inverse_normal_cdf_inverts_the_cdf():
    # above z = 3 or so, Phi(z) rounds to a float so close to 1 that z is lost: not tested
    z = np.linspace(-8, 3, 111)
    phi = 0.5 * np.array([math.erfc(-t / math.sqrt(2)) for t in z])
    assert np.allclose(inverse_normal_cdf(phi), z, rtol=0, atol=1e-9)


def test_inverse_normal_cdf_known_values_and_symmetry():
    assert inverse_normal_cdf(0.5) == 0.0
    assert inverse_normal_cdf(0.975) == pytest.approx(1.959963984540054, abs=1e-13)
    assert inverse_normal_cdf(0.05) == pytest.approx(-1.6448536269514722, abs=1e-13)
    p = np.linspace(0.001, 0.499, 50)
    assert np.allclose(inverse_normal_cdf(p), -inverse_normal_cdf(1 - p), rtol=0, atol=1e-12)
    assert np.all(np.diff(inverse_normal_cdf(np.linspace(0, 1, 1001))) > 0)


def test_inverse_normal_cdf_edges_and_errors():
    assert inverse_normal_cdf(0.0) == -np.inf
    assert inverse_normal_cdf(1.0) == np.inf
    assert inverse_normal_cdf(np.zeros((2, 3))).shape == (2, 3)
    for bad in (-0.1, 1.1, float("nan"), [0.5, 2.0]):
        with pytest.raises(ValueError):
            inverse_normal_cdf(bad)


def test_manifold_latents_spaced_by_the_inverse_cdf():
    z = manifold_latents(20)
    assert z.shape == (400, 2)
    grid = z.reshape(20, 20, 2)
    expected = inverse_normal_cdf(np.linspace(0.05, 0.95, 20))
    assert np.allclose(grid[0, :, 0], expected)  # z1 grows along a row
    assert np.allclose(grid[:, 0, 1], expected[::-1])  # z2 falls down a column
    assert grid[0, 0, 1] == pytest.approx(1.6448536269514722)


def test_plots_import_no_matplotlib_until_called():
    code = "import sys, numpyvae.plots; print('matplotlib' in sys.modules)"
    r = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True,
                       text=True, timeout=60)
    assert r.stdout.strip() == "False", r.stderr
