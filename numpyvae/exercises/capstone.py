"""``numpyvae exercises train``: the capstone. Train a VAE made of your exercises.

The VAE is the library's architecture made of the pieces the exercises ask for
(:data:`USES`), from the learner's files, on the weights the library draws
(:func:`build_vae`); :func:`numpyvae.train.fit` itself trains it, with the learner's Adam
(``fit(..., optimizer=)``). :func:`capstone` checks the seven files first and refuses
when one is not right (unless ``anyway``), trains yours and the library's, compares the
test -ELBOs (with every exercise right they agree to :data:`TOLERANCE`: float32 rounding)
and then draws pictures of yours. When they differ, :func:`which_differs` finds which
exercise makes the difference, cheaply: a few steps of ``fit`` with ONE exercise of the
learner's swapped into the library's pieces, one at a time, against the library's own.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from .. import datasets
from ..config import VAEConfig
from ..errors import NumpyVAEError
from ..model import VAE
from ..train import EpochStats, TrainSettings, fit
from .exercise import SOLVED, WRONG
from .loading import display, load_file
from .messages import say, speaking
from .report import verdict_word
from .runner import COUNT, EXERCISES, check_folder, folder_language
from .sandbox import run_exercise

#: What the capstone takes from each exercise's file, exercise number -> names (the VAE:
#: its backward, the chain rule through all the others).
USES = {1: ("Dense",), 2: ("ReLU",), 3: ("bernoulli_nll",), 4: ("Reparameterize",),
        5: ("kl_std_normal",), 6: ("Adam",), 7: ("VAE",)}

#: |yours - the library's| of the test -ELBO (nats per image) that float32 rounding
#: stays under, with every exercise right (a wrong gradient is off by nats, or diverges).
TOLERANCE = 0.05

#: (epochs, training images, test images) by default and with ``quick``.
DEFAULT_SIZE = (2, 10_000, 10_000)
QUICK_SIZE = (1, 1_000, 1_000)

#: Steps of each swapped-in run of :func:`which_differs`, and the distance of its weights
#: from the library's, in units of how far the library's moved, past which it differs.
SWAP_STEPS = 20
SWAP_DIFFERS = 0.02


@dataclass
class Outcome:
    """What :func:`capstone` did: exit status, both histories, |yours - the library's|, and
    the exercises found to make a difference."""

    status: int
    yours: list[EpochStats] = field(default_factory=list)
    library: list[EpochStats] = field(default_factory=list)
    diff: float | None = None
    differs: list[int] = field(default_factory=list)


def library_parts() -> SimpleNamespace:
    """The library's own implementation of everything in :data:`USES`."""
    solutions = {part.name: part.solution for ex in EXERCISES for part in ex.parts}
    return SimpleNamespace(**{name: solutions[name] for names in USES.values() for name in names})


def build_vae(config: VAEConfig, parts: SimpleNamespace) -> VAE:
    """A VAE whose every piece comes from ``parts`` (see :data:`USES`; Adam is not part of
    the model), holding the very weight arrays ``numpyvae.VAE(config)`` draws."""
    if config.activation != "relu" or config.likelihood != "bernoulli":
        raise NumpyVAEError("the capstone's VAE has ReLU layers and the Bernoulli decoder")

    class Dense(parts.Dense):  # with the need_dx argument the library's MLP passes
        def backward(self, dout, need_dx=True):
            dx = super().backward(dout)
            return dx if need_dx else None

    def swap(old):  # the learner's Dense, on the arrays of the library's
        new = Dense(*old.params["W"].shape, np.random.default_rng(0), dtype=config.dtype)
        new.params, new.grads = old.params, old.grads  # views into the model's buffers
        return new

    class YourVAE(parts.VAE):  # the learner's VAE: backward is exercise 7
        def __init__(self, config):
            super().__init__(config)  # the library's layers and weights, then yours on them
            for mlp in (self.encoder, self.decoder):
                mlp.dense = [swap(d) for d in mlp.dense]
                mlp.acts = [parts.ReLU() for _ in mlp.acts]
            self.heads = {name: swap(d) for name, d in self.heads.items()}
            self.out = swap(self.out)
            self.reparam = parts.Reparameterize()

        def recon_nll(self, logits, x, need_grad=True):  # Eq. (4) and (9), yours
            nll, grads = parts.bernoulli_nll(logits, x)  # (nll, {"logits": ...})
            return nll, grads if need_grad else None

        def forward(self, x, *args, **kwargs):  # the library's, with your KL and its gradient
            result = super().forward(x, *args, **kwargs)
            kl, dkl = parts.kl_std_normal(result.mu, result.logvar)  # Eq. (5), (8)
            self.cache["dkl"] = dkl
            result.kl = kl
            result.loss = float(np.mean(result.recon + self.cache["beta"] * kl))
            return result

    Dense.__name__ = Dense.__qualname__ = parts.Dense.__name__
    YourVAE.__name__ = YourVAE.__qualname__ = "YourVAE"
    return YourVAE(config)


def learner_parts(path: Path, anyway: bool,
                  log=print) -> tuple[SimpleNamespace | None, list[str], list[str], dict]:
    """Check the seven exercises in ``path``: the parts to train with, what is not right,
    the keys of those exercises, and each exercise's own parts (number -> names -> objects).
    The parts are None when an exercise is not right and ``anyway`` is False; with it, a
    wrong exercise is used as it is and one not yet solved (or in error) is the library's.
    """
    mine, library, problems, keys, own = {}, library_parts(), [], [], {}
    log(say("capstone.checking"))
    for ex in EXERCISES:
        status = run_exercise(ex, path).status
        uses = ", ".join(USES[ex.number])
        log(f"  {ex.file:<30}  {uses:<15}  {verdict_word(status)}")
        if status != SOLVED:
            problems.append(say("capstone.is_status", file=ex.file, status=verdict_word(status)))
            keys.append(ex.key)
        if status in (SOLVED, WRONG):
            own[ex.number] = {name: getattr(load_file(path / ex.file), name) for name in USES[ex.number]}
            mine.update(own[ex.number])
        elif anyway:
            log(f"  {'':<30}  {'':<15}  " + say("capstone.library_used", uses=uses))
    if problems and not anyway:
        return None, problems, keys, own
    return SimpleNamespace(**{**vars(library), **mine}), problems, keys, own


def load_data(dataset: str | None, data_dir: str | None, n_train: int, n_test: int,
              quick: bool, log=print) -> tuple[str, np.ndarray, np.ndarray]:
    """(name, train images, test images); with ``quick`` and no ``dataset``, glyph-digits
    when MNIST is not on this machine (nothing is downloaded then)."""
    if dataset is None:
        folder = Path(data_dir) if data_dir else datasets.default_data_dir()
        here = all((folder / f).exists() for f in datasets.SHA256 if f.startswith("mnist/"))
        dataset = "mnist" if here or not quick else "glyph-digits"
        if dataset != "mnist":
            log(say("capstone.glyphs"))
    x_train, _ = datasets.load_dataset(dataset, "train", data_dir, n=n_train)
    x_test, _ = datasets.load_dataset(dataset, "test", data_dir, n=n_test)
    return dataset, x_train, x_test


def train_parts(parts: SimpleNamespace, config: VAEConfig, x_train: np.ndarray,
          x_test: np.ndarray | None, settings: TrainSettings, log) -> tuple[VAE, list]:
    """A VAE made of ``parts``, trained by ``fit`` with ``parts.Adam`` as its optimizer."""
    model = build_vae(config, parts)
    return model, fit(model, x_train, x_test, settings, log=log,
                      optimizer=parts.Adam(model.params, lr=settings.lr))


def _short_run(parts: SimpleNamespace, config: VAEConfig, x: np.ndarray,
               settings: TrainSettings) -> np.ndarray | None:
    """The weights after SWAP_STEPS steps of ``fit`` (None when it fails or diverges)."""
    try:
        with np.errstate(all="ignore"):
            model, _ = train_parts(parts, config, x, None, settings, None)
    except Exception:  # noqa: BLE001 -- a swapped-in piece that breaks training differs
        return None
    flat = np.array(model.params.flat, dtype=np.float64)
    return flat if np.all(np.isfinite(flat)) else None


def which_differs(own: dict, config: VAEConfig, x_train: np.ndarray,
                  settings: TrainSettings) -> list[tuple[int, float | None]]:
    """The exercises whose piece, swapped alone into the library's VAE, trains it
    differently over a few steps: [(number, relative distance or None if it broke)]."""
    steps = min(SWAP_STEPS, len(x_train) // settings.batch_size) or 1
    x = x_train[: steps * settings.batch_size]
    short = TrainSettings(epochs=1, batch_size=settings.batch_size, lr=settings.lr,
                          seed=settings.seed)
    library = library_parts()
    start = np.array(VAE(config).params.flat, dtype=np.float64)
    theirs = _short_run(library, config, x, short)
    moved = float(np.linalg.norm(theirs - start)) or 1.0
    found = []
    for number, pieces in sorted(own.items()):
        mine = _short_run(SimpleNamespace(**{**vars(library), **pieces}), config, x, short)
        if mine is None:
            found.append((number, None))
            continue
        distance = float(np.linalg.norm(mine - theirs)) / moved
        if distance > SWAP_DIFFERS:
            found.append((number, distance))
    return found


def write_pictures(yours: VAE, library: VAE, x_test: np.ndarray, out: Path, seed: int,
                   log=print) -> None:
    """samples.png (yours beside the library's, decoded from the same z) and
    reconstructions.png (yours, of the first test images); a note if matplotlib is missing."""
    if importlib.util.find_spec("matplotlib") is None:
        log(say("capstone.no_matplotlib"))
        return
    from ..plots import grid_panels, recon_grid

    z = np.random.default_rng(seed).standard_normal((64, yours.config.latent_dim),
                                                    dtype=np.float32)
    samples = grid_panels([("yours", yours.decode(z)), ("the library's", library.decode(z))],
                          out / "samples.png", "Samples, decoded from the same z", ncols=8)
    recons = recon_grid(x_test[:20], yours.reconstruct(x_test[:20]), out / "reconstructions.png",
                        "Your VAE: test images and their reconstructions")
    log(say("capstone.pictures", samples=display(samples), recons=display(recons)))


# ---- the command --------------------------------------------------------------------------


def capstone(folder: str | None = None, *, solutions: bool = False, anyway: bool = False,
             quick: bool = False, dataset: str | None = None, data_dir: str | None = None,
             epochs: int | None = None, images: int | None = None,
             test_images: int | None = None, seed: int = 1, out: str | Path = "runs/capstone",
             log=print, lang: str | None = None) -> Outcome:
    """``numpyvae exercises train``: see the module's docstring. Exit status 0 when yours
    trains like the library's (|diff| < :data:`TOLERANCE`), 1 when it does not or when it
    was refused."""
    with speaking(folder_language(folder, lang) if not solutions else (lang or "en")):
        default = QUICK_SIZE if quick else DEFAULT_SIZE
        sizes = (epochs, images, test_images)
        epochs, images, test_images = (v if v is not None else d for v, d in zip(sizes, default))
        own: dict = {}
        if solutions:
            if folder is not None:
                raise NumpyVAEError(say("capstone.solutions_folder"))
            log(say("capstone.heading_solutions"))
            parts = library_parts()
        else:
            path, arg = check_folder(folder)
            log(say("capstone.heading", folder=display(path)))
            parts, problems, keys, own = learner_parts(path, anyway, log)
            if parts is None:
                log("\n" + say("capstone.refused", problems="; ".join(problems), count=COUNT))
                only = "".join(f" --only {key}" for key in keys)
                log(say("capstone.see_why", command=f"numpyvae exercises check{arg}{only}"))
                log(say("capstone.anyway"))
                return Outcome(1)
            if problems:
                log(say("capstone.training_anyway", problems="; ".join(problems)))

        name, x_train, x_test = load_data(dataset, data_dir, images, test_images, quick, log)
        config = VAEConfig(input_dim=x_train.shape[1], seed=seed)
        settings = TrainSettings(epochs=epochs, seed=seed)
        log("\n" + say("capstone.setup", name=name, n=f"{len(x_train):,}", m=f"{len(x_test):,}",
                       arch=f"{config.input_dim}-{'-'.join(map(str, config.hidden_dims))}-"
                            f"{config.latent_dim}", act=config.activation,
                       batch=settings.batch_size, lr=f"{settings.lr:g}", seed=seed, epochs=epochs))

        log("\n" + say("capstone.yours"))
        try:
            yours, mine = train_parts(parts, config, x_train, x_test, settings,
                                lambda line: log("  " + line))
        except Exception as e:  # noqa: BLE001 -- whatever the learner's code raises is reported
            log("  " + say("capstone.stopped", what=f"{type(e).__name__}: {e}"))
            return Outcome(1, differs=_explain(own, config, x_train, settings, log))

        log("\n" + say("capstone.library"))
        library = VAE(config)
        theirs = fit(library, x_train, x_test, settings, log=lambda line: log("  " + line))

        a, b = mine[-1].test_loss, theirs[-1].test_loss
        diff, agree = abs(a - b), abs(a - b) < TOLERANCE
        log("\n" + say("capstone.result", epochs=epochs, yours=f"{a:.4f}", theirs=f"{b:.4f}",
                       diff=f"{diff:.4f}", op="<" if agree else ">=", tol=TOLERANCE))
        if not agree:
            log(say("capstone.different"))
            return Outcome(1, mine, theirs, diff, _explain(own, config, x_train, settings, log))
        log(say("capstone.same_solutions" if solutions else "capstone.same"))
        write_pictures(yours, library, x_test, Path(out), seed, log)
        return Outcome(0, mine, theirs, diff)


def _explain(own: dict, config: VAEConfig, x_train: np.ndarray, settings: TrainSettings,
             log) -> list[int]:
    """Say which exercise makes the difference (see :func:`which_differs`)."""
    if not own:
        return []
    log(say("capstone.swapping", steps=SWAP_STEPS))
    found = which_differs(own, config, x_train, settings)
    for number, distance in found:
        ex = EXERCISES[number - 1]
        key = "capstone.differs_broke" if distance is None else "capstone.differs"
        log("  " + say(key, file=ex.file, uses=", ".join(USES[number]),
                       distance=f"{distance or 0:.3g}"))
    if not found:
        log("  " + say("capstone.none_alone"))
    elif any(n != 7 for n, _ in found):
        log(say("capstone.checks_miss"))
    return [n for n, _ in found]
