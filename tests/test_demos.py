"""The demos run quickly, offline, and their quick runs show each lesson's own number.

Each demo runs once per session as a subprocess with ``--quick``, an empty
``--data-dir`` and ``NUMPYVAE_MIRROR`` pointing at a closed local port, so MNIST is
unavailable at once and the demo must say so and fall back to the offline glyph-digits.
The tests below read what that one run printed and wrote.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

DEMOS = Path(__file__).resolve().parent.parent / "demos"

EXPECTED = {
    "autoencoder_manifold": ["ae_reconstructions.png", "ae_vs_vae_latent.png",
                             "ae_vs_vae_random_decodes.png", "ae_vs_vae_grid.png"],
    "reparameterization": ["reparam_histograms.png", "reparam_without_sampling.png"],
    "train_vae": ["vae_reconstructions.png", "vae_samples.png", "vae_training_curves.png"],
    "latent_space_2d": ["vae2d_latent_scatter.png", "vae2d_manifold.png",
                        "vae2d_interpolation.png"],
    "beta_vae": ["beta_reconstructions.png", "beta_samples.png", "beta_latent_scatter.png",
                 "beta_loss_terms.png"],
    "variational_gap": ["gap_posteriors.png", "gap_bounds.png", "density_histograms.png"],
    "explore_latent": ["explore_manifold.png"],  # without a display
}
#: the quick runs' matrices are small: one BLAS thread each is as fast, and a busy
#: machine cannot make threads that wait on each other crawl
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def demo_command(name: str, folder: Path, *extra: str) -> tuple[list[str], dict[str, str]]:
    """``python demos/<name>.py --quick --out folder/out ...`` offline, without a display:
    the arguments and the environment."""
    empty = folder / "no-data"
    empty.mkdir(exist_ok=True)
    args = [sys.executable, str(DEMOS / f"{name}.py"), "--quick", "--out", str(folder / "out"),
            "--data-dir", str(empty), *extra]
    env = dict(os.environ, NUMPYVAE_MIRROR="http://127.0.0.1:9/", MPLBACKEND="Agg", **ONE_THREAD)
    return args, env


def run_demo(name: str, folder: Path, *extra: str) -> subprocess.CompletedProcess:
    args, env = demo_command(name, folder, *extra)
    return subprocess.run(args, check=False, capture_output=True, text=True, env=env, cwd=folder,
                          timeout=600)  # a hang guard only


class QuickRuns:
    """The demos' quick runs, each once per session, one at a time in a thread of their own.

    conftest.py starts them as soon as the tests are collected and moves the tests that read
    them to the end: the runs take the second core while the rest of the suite takes the
    first, so the suite lasts about the longer of the two, not their sum."""

    def __init__(self, root: Path) -> None:
        self.root, self.queue, self.runs = root, [], {}
        self.changed = threading.Condition()
        self.worker: threading.Thread | None = None
        self.process: subprocess.Popen | None = None
        self.running: str | None = None

    def start(self, names) -> None:
        with self.changed:
            self.queue += [n for n in names if n not in self.queue and n not in self.runs]
            if self.worker is None:
                self.worker = threading.Thread(target=self.work, daemon=True)
                self.worker.start()

    def work(self) -> None:
        while True:
            with self.changed:
                if not self.queue:
                    self.worker = None
                    return
                name = self.running = self.queue.pop(0)
            folder = self.root / name
            folder.mkdir()
            args, env = demo_command(name, folder)
            with self.changed:
                self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                                text=True, env=env, cwd=folder)
            try:
                out, err = self.process.communicate(timeout=600)  # a hang guard only
                run = subprocess.CompletedProcess(args, self.process.returncode, out, err)
            except subprocess.TimeoutExpired as e:
                self.process.kill()
                self.process.communicate()
                run = e
            with self.changed:
                self.runs[name], self.running = (run, folder / "out"), None
                self.changed.notify_all()

    def stop(self) -> None:
        """No more runs; the one running is ended (the session is over)."""
        with self.changed:
            self.queue.clear()
            if self.process is not None and self.process.poll() is None:
                self.process.kill()

    def get(self, name: str) -> tuple[subprocess.CompletedProcess, Path]:
        """The run of ``name``, waited for (asked before its turn, it goes first)."""
        with self.changed:
            if name in self.queue:
                self.queue.remove(name)
            if name not in self.runs and name != self.running:
                self.queue.insert(0, name)
        self.start([])
        with self.changed:
            while name not in self.runs:
                self.changed.wait()
        r, out = self.runs[name]
        if isinstance(r, subprocess.TimeoutExpired):
            raise r
        assert r.returncode == 0, f"{name} failed:\n{r.stdout}\n{r.stderr}"
        return r, out


@pytest.fixture(scope="session")
def quick(request, tmp_path_factory):
    """name -> (CompletedProcess, out folder) of the demo's one quick run."""
    runs = getattr(request.config, "quick_runs", None)
    if runs is None:  # not started at collection (conftest.py's hook): each run when asked
        runs = request.config.quick_runs = QuickRuns(tmp_path_factory.mktemp("quick"))
    return runs.get


def number(pattern: str, text: str) -> float:
    m = re.search(pattern, text)
    assert m, f"no line matching {pattern!r} in:\n{text}"
    return float(m.group(1))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_demo_runs_quick_offline_and_records_its_figures(name, quick):
    r, out = quick(name)
    assert "MNIST is not available" in r.stdout
    assert "falling back to the offline glyph-digits" in r.stdout
    assert "data: glyph-digits" in r.stdout
    record = json.loads((out / "SOURCES.json").read_text())
    assert sorted(record) == sorted(EXPECTED[name])
    for filename in EXPECTED[name]:
        path = out / filename
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{name} did not write {filename}"
        assert str(path) in r.stdout  # the list of files written
        entry = record[filename]
        assert entry["png"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert entry["options"] == {"quick": True} and entry["data"] == "glyph-digits"
        assert f"demos/{name}.py" in entry["sources"] and "demos/_common.py" in entry["sources"]


def test_demo_help_starts_with_its_command_and_says_what_quick_runs():
    # one interpreter for all the --help texts: each demo as its own __main__
    code = ("import contextlib, io, json, runpy, sys\n"
            f"sys.path.insert(0, {str(DEMOS)!r})\n"
            "helps = {}\n"
            f"for name in {sorted(EXPECTED)!r}:\n"
            f"    sys.argv = [name, '--help']\n"
            "    buf = io.StringIO()\n"
            "    with contextlib.redirect_stdout(buf), contextlib.suppress(SystemExit):\n"
            f"        runpy.run_path({str(DEMOS)!r} + '/' + name + '.py', run_name='__main__')\n"
            "    helps[name] = buf.getvalue()\n"
            "print(json.dumps(helps))\n")
    r = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    for name, text in json.loads(r.stdout).items():
        assert f"python demos/{name}.py" in text
        assert "--out" in text and "--seed" in text and "--data-dir" in text
        option = re.search(r"\n  --quick\s+(.+?)(?:\n  -|\Z)", text, re.DOTALL)
        quick_help = " ".join(option.group(1).split())  # the option's own help, unwrapped
        assert re.match(r"seconds: 2000 training and \d+ test images, .*\d+ epochs in batches "
                        r"of 32", quick_help), f"{name}: --quick says {quick_help[:100]!r}"


# ---- each quick run shows its lesson --------------------------------------------------


def test_train_vae_quick_reconstructions_follow_their_inputs(quick):
    out = quick("train_vae")[0].stdout
    assert number(r"(\d+) of 40 reconstructions lie nearer their own input", out) >= 30
    tests = [float(t) for t in re.findall(r"^epoch +\d+ .* test +([\d.]+)", out, re.MULTILINE)]
    assert len(tests) == 8 and tests[-1] < tests[0] - 20  # a curve, falling


def test_autoencoder_manifold_quick_ae_has_more_far_points_than_the_vae(quick):
    out = quick("autoencoder_manifold")[0].stdout
    ae = number(r"AutoEncoder: .*; (\d+) of 100 random points", out)
    vae = number(r"  VAE: .*; (\d+) of 100 random points", out)
    assert ae > vae + 3, out


def test_latent_space_2d_quick_means_gather_inside_the_circle(quick):
    out = quick("latent_space_2d")[0].stdout
    assert number(r"(\d+) % of the test means lie inside", out) >= 60


def test_beta_vae_quick_recon_rises_and_kl_falls_with_beta(quick):
    out = quick("beta_vae")[0].stdout
    rows = re.findall(r"^ +([\d.]+) +([\d.]+) +([\d.]+) +[\d.]+ +[\d.]+$", out, re.MULTILINE)
    beta, recon, kl = (np.array([float(r[i]) for r in rows]) for i in range(3))
    assert list(beta) == [0.5, 1.0, 4.0]
    assert np.all(np.diff(recon) > 0) and np.all(np.diff(kl) < 0), out


def test_variational_gap_quick_orders_the_bounds_and_tells_digits_from_noise(quick):
    out = quick("variational_gap")[0].stdout
    elbo = number(r"-ELBO \(exact, by quadrature over q\) +([\d.]+)", out)
    iw = [number(rf"-L_K, Eq. \(11\), K = {k} +([\d.]+)", out) for k in (10, 100, 1000)]
    nll = number(r"-log p\(x\) by quadrature +([\d.]+)", out)
    assert elbo > iw[0] > iw[1] > iw[2] > nll, out
    assert "the test digits get the highest" in out
    assert number(r"other images; largest posterior mass outside a grid: ([\d.e+-]+)", out) < 1e-6


def test_reparameterization_quick_checks_gradients_and_shows_what_z_mu_claims(quick):
    out = quick("reparameterization")[0].stdout
    assert out.count("  ok") == 2 and "FAIL" not in out and "caught" in out
    critical = number(r"exceed a KS distance of ([\d.]+)", out)
    ks = [float(v) for v in re.findall(r"\| +([\d.]+)$", out, re.MULTILINE)]
    assert len(ks) == 3 and max(ks) < critical
    claims = [float(v) for v in re.findall(r"z = mu claims ([\d.]+) nats too little", out)]
    assert len(claims) == 2 and claims[0] > 0 and claims[1] > 20  # the VAE's; z = mu's
    assert "mean sigma (1.00, 1.00)" in out  # trained with z = mu, sigma learns nothing


def test_explore_latent_without_a_display_writes_the_static_manifold(quick):
    out = quick("explore_latent")[0].stdout
    assert re.search(r"^no display \(matplotlib backend 'agg'\): .* static manifold",
                     out, re.MULTILINE | re.IGNORECASE)


def test_explore_latent_reads_a_run_and_trains_only_the_autoencoder(run_dir, tmp_path):
    r = run_demo("explore_latent", tmp_path, str(run_dir))
    assert r.returncode == 0, r.stderr
    assert "training the AutoEncoder 784-16-2" in r.stdout and "training the VAE" not in r.stdout
    assert (tmp_path / "out" / "explore_manifold.png").is_file()


def test_explore_latent_refuses_a_missing_run_in_one_line(tmp_path):
    r = run_demo("explore_latent", tmp_path, str(tmp_path / "nowhere"))
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "explore_latent.py: error:" in r.stderr
    assert "nowhere" in r.stderr


WRAPPED_DEMO = """
import os, runpy, signal, sys, time
sys.path.insert(0, sys.argv[1])
sys.argv = sys.argv[2:]
if os.environ["WHAT"] == "no matplotlib":
    sys.modules["matplotlib"] = None  # import matplotlib -> ImportError
else:  # Ctrl-C while the data load: a real SIGINT (matplotlib not even imported)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # a shell's & leaves it ignored
    import _common
    from numpyvae import plots

    plots.require_matplotlib = lambda: None

    def ctrl_c(*args, **kwargs):
        signal.raise_signal(signal.SIGINT)  # in this thread, not any of the process
        time.sleep(60)

    _common.load_dataset = ctrl_c
runpy.run_path(sys.argv[0], run_name="__main__")
"""


@pytest.mark.parametrize("what, status, line", [
    ("no matplotlib", 1, "python demos/train_vae.py: error: saving images needs matplotlib"),
    ("ctrl-c", -2, "python demos/train_vae.py: interrupted")])
def test_ctrl_c_and_a_missing_matplotlib_end_a_demo_in_one_line(tmp_path, what, status, line):
    r = subprocess.run([sys.executable, "-c", WRAPPED_DEMO, str(DEMOS),
                        str(DEMOS / "train_vae.py"), "--quick", "--out", str(tmp_path)],
                       check=False, capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, WHAT=what))
    assert r.returncode == status and r.stderr.startswith(line), r.stderr
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert os.listdir(tmp_path) == []



@pytest.mark.parametrize("args, words", [
    (["--out", ""], "argument --out: must name a folder, got ''"),
    (["--data-dir", " "], "argument --data-dir: must name a folder, got ' '"),
    (["--epochs", "0"], "argument --epochs: must be >= 1, got 0"),
])
def test_an_empty_folder_or_no_epochs_is_refused_in_one_line(tmp_path, args, words):
    """'' would write the figures into the current folder, or read data from it."""
    r = subprocess.run([sys.executable, str(DEMOS / "train_vae.py"), *args], check=False,
                       capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert r.returncode == 2 and words in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and os.listdir(tmp_path) == []
