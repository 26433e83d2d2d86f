"""``numpyvae exercises train``: the capstone. Train a VAE made of your exercises.

The VAE is the library's architecture with every piece the exercises ask for (Dense,
ReLU, bernoulli_nll, Reparameterize, kl_std_normal, VAE.backward) taken from the
learner's files, starting from the library's weights: ``assemble.py`` builds it
(:func:`build_vae`; :data:`USES` says what comes from which file). :func:`train_yours`
trains it with the loop of :func:`numpyvae.train.fit` (the same batches, the same eps,
the same test -ELBO) and the learner's Adam; :func:`capstone` first runs the checker on
the seven files, refuses when one is wrong or not yet solved (unless ``anyway``), trains
both, compares the test -ELBOs, and writes pictures of both.

With every exercise right, the two runs differ by float32 rounding alone (Adam as
written against the library's folded form, sums in another order): their test -ELBOs
agree to :data:`TOLERANCE`.
"""

from __future__ import annotations

import importlib.util
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from .. import datasets
from ..config import VAEConfig
from ..datasets.batching import batches
from ..elbo import neg_elbo
from ..errors import NumpyVAEError
from ..model import VAE
from ..train import EpochStats, TrainSettings, fit
from .assemble import USES, build_vae, library_parts
from .catalog import EXERCISES
from .loading import _display, load
from .report import WRONG
from .runner import DEFAULT_DIR, run_exercise

#: |yours - the library's| of the test -ELBO (nats per image) that float32 rounding
#: stays under, with every exercise right (a wrong gradient is off by nats, or diverges).
TOLERANCE = 0.05

#: (epochs, training images, test images) by default and with ``quick``.
DEFAULT_SIZE = (2, 10_000, 10_000)
QUICK_SIZE = (1, 1_000, 1_000)


@dataclass
class Outcome:
    """What :func:`capstone` did: the exit status, both histories, |yours - the library's|."""

    status: int
    yours: list[EpochStats] = field(default_factory=list)
    library: list[EpochStats] = field(default_factory=list)
    diff: float | None = None


# ---- training yours -----------------------------------------------------------------------


class Diverged(Exception):
    """The loss or the weights of a run became nan or inf."""


def train_yours(model: VAE, adam: type, x_train: np.ndarray, x_test: np.ndarray,
                settings: TrainSettings, log=print) -> list[EpochStats]:
    """The loop of :func:`numpyvae.train.fit` (no warm-up, no binarization), with the
    optimizer ``adam``: the same generator, so the same batches, eps and test -ELBO."""
    rng = np.random.default_rng(settings.seed)
    optimizer = adam(model.params, lr=settings.lr)
    beta = model.config.beta
    history = []
    for epoch in range(1, settings.epochs + 1):
        start = time.perf_counter()
        sums = np.zeros(3)  # recon, kl, images
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for step, xb in enumerate(batches(x_train, settings.batch_size, rng), start=1):
                result = model.forward(xb, rng=rng, beta=beta)  # Eq. (1)-(6)
                if not math.isfinite(result.loss):
                    raise Diverged(f"the loss became {result.loss} at epoch {epoch}, step {step}")
                model.backward()  # Eq. (7)-(9): exercise 7
                optimizer.step(model.grads)  # Eq. (10): exercise 6
                sums += (result.recon.sum(), result.kl.sum(), len(xb))
            if not np.all(np.isfinite(model.params.flat)):
                raise Diverged(f"the weights became nan or inf in epoch {epoch}")
            test = neg_elbo(model, x_test, rng=np.random.default_rng([settings.seed, epoch]))
        if not math.isfinite(test):
            raise Diverged(f"the test loss became {test} after epoch {epoch}")
        recon, kl = sums[0] / sums[2], sums[1] / sums[2]
        stats = EpochStats(epoch, recon + kl, recon, kl, test, time.perf_counter() - start, beta)
        history.append(stats)
        log("  " + stats.line())
    return history


# ---- the exercises it uses ----------------------------------------------------------------


def _folder(folder: str | None) -> Path:
    if folder is None:
        if Path(DEFAULT_DIR).is_dir():
            return Path(DEFAULT_DIR)
        if any(Path(ex.file).exists() for ex in EXERCISES):
            return Path(".")
        raise NumpyVAEError("no exercises here: make them with 'numpyvae exercises init' "
                            f"(into ./{DEFAULT_DIR}), or pass the folder that holds them")
    path = Path(folder)
    if not path.is_dir():
        raise NumpyVAEError(f"{folder}: no such folder (make it with: numpyvae exercises init "
                            f"{folder})")
    return path


def learner_parts(path: Path, anyway: bool,
                  log=print) -> tuple[SimpleNamespace | None, list[str], list[str]]:
    """Check the seven exercises in ``path``: the parts to train with, what is not right,
    and the keys of those exercises.

    The parts are None when an exercise is not right and ``anyway`` is False. With
    ``anyway``, a wrong exercise is used as it is and one not yet solved (or raising an
    error) is replaced by the library's.
    """
    mine, library, problems, keys = {}, library_parts(), [], []
    log("checking the exercises it is made of (as 'numpyvae exercises check' does):")
    for ex in EXERCISES:
        status = run_exercise(ex, path).status
        uses = ", ".join(USES[ex.number])
        log(f"  {ex.file:<30}  {uses:<15}  {status}")
        if status != "solved":
            problems.append(f"{ex.file} is {status}")
            keys.append(ex.key)
        if status in ("solved", WRONG):
            module = load(path / ex.file)
            mine.update({name: getattr(module, name) for name in USES[ex.number]})
        elif anyway:
            log(f"  {'':<30}  {'':<15}  (the library's {uses} is used instead)")
    if problems and not anyway:
        return None, problems, keys
    return SimpleNamespace(**{**vars(library), **mine}), problems, keys


# ---- the data -----------------------------------------------------------------------------


def _mnist_here(data_dir: str | None) -> bool:
    directory = Path(data_dir) if data_dir else datasets.default_data_dir()
    return all((directory / name).exists() for name in datasets.SHA256 if name.startswith("mnist/"))


def load_data(dataset: str | None, data_dir: str | None, n_train: int, n_test: int,
              quick: bool, log=print) -> tuple[str, np.ndarray, np.ndarray]:
    """(name, train images, test images); with ``quick`` and no ``dataset``, glyph-digits
    when MNIST is not on this machine (nothing is downloaded then)."""
    if dataset is None:
        dataset = "mnist"
        if quick and not _mnist_here(data_dir):
            dataset = "glyph-digits"
            log("(MNIST is not on this machine: --quick uses glyph-digits, drawn offline)")
    x_train, _ = datasets.load_dataset(dataset, "train", data_dir, n=n_train)
    x_test, _ = datasets.load_dataset(dataset, "test", data_dir, n=n_test)
    return dataset, x_train, x_test


# ---- pictures -----------------------------------------------------------------------------


def write_pictures(yours: VAE, library: VAE, x_test: np.ndarray, out: Path, seed: int,
                   log=print) -> None:
    """samples.png (yours beside the library's, decoded from the same z) and
    reconstructions.png (yours, of the first test images); a note if matplotlib is missing."""
    if importlib.util.find_spec("matplotlib") is None:
        log("(matplotlib is not installed: no pictures. pip install matplotlib to get them)")
        return
    from ..plots import grid_panels, recon_grid

    z = np.random.default_rng(seed).standard_normal((64, yours.config.latent_dim),
                                                    dtype=np.float32)
    samples = grid_panels([("yours", yours.decode(z)), ("the library's", library.decode(z))],
                          out / "samples.png", "Samples, decoded from the same z", ncols=8)
    x = x_test[:20]
    recons = recon_grid(x, yours.reconstruct(x), out / "reconstructions.png",
                        "Your VAE: test images and their reconstructions")
    log(f"wrote {_display(samples)} (yours beside the library's) and {_display(recons)}")


# ---- the command --------------------------------------------------------------------------


def capstone(folder: str | None = None, *, solutions: bool = False, anyway: bool = False,
             quick: bool = False, dataset: str | None = None, data_dir: str | None = None,
             epochs: int | None = None, images: int | None = None,
             test_images: int | None = None, seed: int = 1, out: str | Path = "runs/capstone",
             log=print) -> Outcome:
    """``numpyvae exercises train``: see the module's docstring. Exit status 0 when yours
    trains like the library's (|diff| < :data:`TOLERANCE`), 1 when it does not or when it
    was refused."""
    default = QUICK_SIZE if quick else DEFAULT_SIZE
    epochs, images, test_images = (v if v is not None else d
                                   for v, d in zip((epochs, images, test_images), default))
    if solutions:
        if folder is not None:
            raise NumpyVAEError("--solutions trains the library's own code: leave out the folder")
        log("numpyvae exercises train: a VAE made of the library's own solutions (--solutions)")
        parts = library_parts()
    else:
        path = _folder(folder)
        log(f"numpyvae exercises train: a VAE made of your exercises in {_display(path)}/")
        parts, problems, keys = learner_parts(path, anyway, log)
        if parts is None:
            arg = "" if folder is None else f" {folder}"
            log(f"\nnot training: {'; '.join(problems)}. Training needs all seven right.")
            only = "".join(f" --only {key}" for key in keys)
            log(f"see why with: numpyvae exercises check{arg}{only}")
            log("(or train all the same with --anyway: a wrong exercise is used as it is, one "
                "not yet solved is replaced by the library's)")
            return Outcome(1)
        if problems:
            log(f"training anyway (--anyway), although {'; '.join(problems)}")

    name, x_train, x_test = load_data(dataset, data_dir, images, test_images, quick, log)
    config = VAEConfig(input_dim=x_train.shape[1], seed=seed)
    settings = TrainSettings(epochs=epochs, seed=seed)
    log(f"\n{name}: {len(x_train):,} training images, {len(x_test):,} test images; "
        f"{config.input_dim}-{'-'.join(map(str, config.hidden_dims))}-{config.latent_dim} "
        f"{config.activation}, batches of {settings.batch_size}, Adam lr {settings.lr:g}, "
        f"seed {seed}, {epochs} epoch{'s' if epochs != 1 else ''}")

    log("\nyours (the loop of numpyvae.train.fit, with your Adam):")
    yours = build_vae(config, parts)
    try:
        mine = train_yours(yours, parts.Adam, x_train, x_test, settings, log)
    except Diverged as e:
        log(f"  your VAE diverged: {e}. A wrong gradient does that: "
            "run numpyvae exercises check")
        return Outcome(1)
    except Exception as e:  # noqa: BLE001 -- whatever the learner's code raises is reported
        log(f"  your VAE stopped with {type(e).__name__}: {e}")
        return Outcome(1, diff=None)

    log("\nthe library's (numpyvae.train.fit, the same seed, settings and data):")
    library = VAE(config)
    theirs = fit(library, x_train, x_test, settings, log=lambda line: log("  " + line))

    a, b = mine[-1].test_loss, theirs[-1].test_loss
    diff = abs(a - b)
    agree = diff < TOLERANCE
    log(f"\ntest -ELBO after {epochs} epoch{'s' if epochs != 1 else ''} (nats per image): "
        f"yours {a:.4f}, the library's {b:.4f}, |diff| = {diff:.4f} "
        f"({'<' if agree else '>='} {TOLERANCE}, float32 noise)")
    if agree:
        what = ("the library's own solutions" if solutions else
                "every gradient, the loss terms' gradients, the sample and the Adam step yours")
        log(f"=> your VAE trains like the library's: {what}.")
    else:
        log("=> your VAE trains differently from the library's: something the checks do not "
            "see is off (run numpyvae exercises check).")
    write_pictures(yours, library, x_test, Path(out), seed, log)
    return Outcome(0 if agree else 1, mine, theirs, diff)
