"""The demos run (quickly, offline) and write their figures; plots' inverse normal CDF.

Each demo runs as a subprocess with ``--quick``, an empty ``--data-dir`` and
``NUMPYVAE_MIRROR`` pointing at a closed local port, so MNIST is unavailable at once
and the demo must say so and fall back to the offline glyph-digits.
"""

from __future__ import annotations

import math
import os
import statistics
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from numpyvae.plots import inverse_normal_cdf, manifold_latents

DEMOS = Path(__file__).resolve().parent.parent / "demos"

EXPECTED = {
    "autoencoder_manifold": ["ae_reconstructions.png", "ae_vs_vae_latent.png",
                             "ae_vs_vae_random_decodes.png", "ae_vs_vae_grid.png"],
    "reparameterization": ["reparam_histograms.png"],
    "train_vae": ["vae_reconstructions.png", "vae_samples.png", "vae_training_curves.png"],
    "latent_space_2d": ["vae2d_latent_scatter.png", "vae2d_manifold.png",
                        "vae2d_interpolation.png"],
    "beta_vae": ["beta_reconstructions.png", "beta_samples.png", "beta_latent_scatter.png",
                 "beta_loss_terms.png"],
    "variational_gap": ["gap_posteriors.png", "gap_bounds.png", "density_histograms.png"],
}
USES_DATA = set(EXPECTED) - {"reparameterization"}


def run_demo(name: str, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    out = tmp_path / "out"
    args = [sys.executable, str(DEMOS / f"{name}.py"), "--quick", "--out", str(out), *extra]
    if name in USES_DATA:
        empty = tmp_path / "no-data"
        empty.mkdir()
        args += ["--data-dir", str(empty)]
    env = dict(os.environ, NUMPYVAE_MIRROR="http://127.0.0.1:9/", MPLBACKEND="Agg")
    return subprocess.run(args, check=False, capture_output=True, text=True, env=env, cwd=tmp_path,
                          timeout=120)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_demo_runs_quick_and_writes_its_figures(name, tmp_path):
    r = run_demo(name, tmp_path)
    assert r.returncode == 0, f"{name} failed:\n{r.stdout}\n{r.stderr}"
    if name in USES_DATA:
        assert "MNIST is not available" in r.stdout
        assert "falling back to the offline glyph-digits" in r.stdout
        assert "data: glyph-digits" in r.stdout
    for filename in EXPECTED[name]:
        path = tmp_path / "out" / filename
        assert path.is_file(), f"{name} did not write {filename}:\n{r.stdout}"
        assert path.stat().st_size > 1000
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert str(path) in r.stdout  # the list of files written


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_demo_help_starts_with_its_command(name):
    r = subprocess.run([sys.executable, str(DEMOS / f"{name}.py"), "--help"],
                       check=False, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0
    assert f"python demos/{name}.py" in r.stdout
    assert "--out" in r.stdout and "--quick" in r.stdout


def test_reparameterization_demo_prints_passing_gradient_checks(tmp_path):
    r = run_demo("reparameterization", tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("  ok") == 2 and "FAIL" not in r.stdout
    assert "caught" in r.stdout


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
