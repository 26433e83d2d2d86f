"""Training: :class:`TrainSettings` and :func:`fit`, a flat loop a student can follow.

    for each epoch:
        for each minibatch x:                       (datasets.batches)
            forward:  loss = Eq. (6) of the batch   (model.forward)
            backward: the gradient of every weight  (model.backward)
            Adam:     w -= ...                      (optim.Adam.step, Eq. 10)
        the test -ELBO                              (elbo.neg_elbo)
        a checkpoint                                (checkpoint.save_run)

The run folder is read and written by :mod:`numpyvae.checkpoint` only; the figures of
a trained model come from :mod:`numpyvae.elbo`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .checkpoint import CHECKPOINT, RunRecord, read_run, save_run, training_meta
from .datasets.batching import BINARIZE_MODES, batches, binarize, binarized_test_images
from .elbo import neg_elbo
from .errors import CheckpointError, TrainingError
from .inputs import check_data
from .model import VAE, AutoEncoder
from .optim import Adam
from .progress import Progress
from .runfolder import write_history

__all__ = ["DIVERGENCE_FACTOR", "LARGE_BETA", "EpochStats", "TrainSettings", "fit"]

#: an epoch whose -ELBO is more than this many times the run's lowest has diverged (fit)
DIVERGENCE_FACTOR = 1000.0

#: a KL weight above this is the likely cause of a diverged loss (beta-VAEs use 1..1000)
LARGE_BETA = 1e6


@dataclass
class EpochStats:
    """One line of the history: -ELBO = recon + KL, averaged over the images."""

    epoch: int
    train_loss: float
    train_recon: float
    train_kl: float
    test_loss: float | None
    seconds: float
    beta: float

    def line(self) -> str:
        test = f"  test {self.test_loss:8.2f}" if self.test_loss is not None else ""
        return (
            f"epoch {self.epoch:3d}  train {self.train_loss:8.2f}"
            f"  (recon {self.train_recon:8.2f}  kl {self.train_kl:6.2f})"
            f"{test}  {self.seconds:6.1f}s"
        )


@dataclass
class TrainSettings:
    """How :func:`fit` trains; stored in the checkpoint so that a run can resume."""

    epochs: int = 10
    batch_size: int = 128
    lr: float = 1e-3
    seed: int = 1
    warmup_epochs: float = 0.0
    binarize: str = "none"
    extra: dict = field(default_factory=dict)  # e.g. the data set's name, for the record

    def __post_init__(self) -> None:
        for name in ("epochs", "batch_size", "seed"):  # whole numbers (numpy integers too), not 1.5
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise ValueError(f"{name} must be a whole number, got {value!r}")  # noqa: TRY004
            setattr(self, name, int(value))
        for name in ("lr", "warmup_epochs"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
                raise ValueError(f"{name} must be a number, got {value!r}")  # noqa: TRY004
            setattr(self, name, float(value))
        if not isinstance(self.extra, dict):
            raise ValueError(f"extra must be a dict, got {self.extra!r}")  # noqa: TRY004
        if self.seed < 0:
            raise ValueError(f"seed must be >= 0, got {self.seed}")
        if not math.isfinite(self.warmup_epochs):
            raise ValueError(f"warm-up epochs must be a finite number, got {self.warmup_epochs}")
        if self.epochs < 1:
            raise ValueError(f"epochs must be >= 1, got {self.epochs}")
        if self.batch_size < 1:
            raise ValueError(f"batch size must be >= 1, got {self.batch_size}")
        if not (self.lr > 0 and math.isfinite(self.lr)):
            raise ValueError(f"learning rate must be a positive number, got {self.lr}")
        if not self.warmup_epochs >= 0:
            raise ValueError(f"warm-up epochs must be >= 0, got {self.warmup_epochs}")
        if self.binarize not in BINARIZE_MODES:
            raise ValueError(f"binarize must be one of {BINARIZE_MODES}, got {self.binarize!r}")

    @classmethod
    def stored(cls, settings: dict, path: str | Path) -> TrainSettings:
        """The settings of a run as its checkpoint stores them (``RunRecord.settings``); a
        CheckpointError naming ``path`` if they do not fit (an unknown field, batch_size
        1.5, a learning rate that is a string, a binarization that does not exist, ...)."""
        try:
            return cls(**settings)
        except (TypeError, ValueError) as e:
            raise CheckpointError(f"{path}: unreadable training settings ({e})") from e


def fit(
    model: VAE | AutoEncoder,
    x_train: np.ndarray,
    x_test: np.ndarray | None = None,
    settings: TrainSettings | None = None,
    out_dir: str | Path | None = None,
    resume: bool | RunRecord = False,
    log: Callable[[str], None] | None = print,
    progress: Callable[[int, int], None] | None = None,
    optimizer: object | None = None,
) -> list[EpochStats]:
    """Train ``model`` with Adam; returns the history, one :class:`EpochStats` per epoch.

    Args:
        model: a VAE or AutoEncoder (float32 for training).
        x_train: (N, D) pixels, float32 (an array, or rows read from disk).
        x_test: optional (M, D) data for the test loss after every epoch.
        settings: epochs, batch size, learning rate, seed, KL warm-up, binarization.
        out_dir: run folder; when given, ``checkpoint.npz`` and ``history.json`` are
            written there after every epoch.
        resume: continue the run in ``out_dir``: True reads its checkpoint, or pass the
            :class:`~numpyvae.checkpoint.RunRecord` already read. The model passed in
            takes the stored weights; the run ends exactly where an uninterrupted run
            with the same settings ends.
        log: where the per-epoch lines go (None for silence).
        progress: called as ``progress(batches done, batches per epoch)`` after every
            step, e.g. a :class:`numpyvae.progress.Progress` (None: no progress).
        optimizer: what updates the weights, built on ``model.params``: anything whose
            ``step(grads)`` takes what ``model.backward()`` returns (None: the library's
            ``Adam(model.params, lr=settings.lr)``). A run folder (``out_dir``, ``resume``)
            needs its ``state_dict()`` and ``load_state_dict()`` too, as Adam and SGD have.

    All randomness (order of the batches, eps, dynamic binarization) comes from one
    generator seeded by ``settings.seed``, saved with every checkpoint.

    Divergence stops training with a :class:`~numpyvae.errors.TrainingError`, and
    nothing of the diverged epoch is saved, so the last checkpoint stays resumable. A
    run has diverged when, after an epoch, any of these is true:

    - a minibatch loss, a parameter, Adam's state (m, v) or the test loss is not
      finite (in float32, v = b2 v + (1 - b2) g^2 overflows for |g| > 6e20 while the
      step m / sqrt(v) stays finite: finite weights are not enough);
    - the epoch's train -ELBO (or its test -ELBO) is more than
      :data:`DIVERGENCE_FACTOR` (1000) times the run's reference:
      the lowest of the first minibatch's -ELBO in this call and every stored epoch's
      train -ELBO. Both likelihoods give a -ELBO > 0, and a healthy run only lowers it
      from the untrained model's (543 nats per MNIST image), so 1000 times that is a
      run that has blown up even while float32 still holds its numbers.
    """
    settings = settings or TrainSettings()
    if settings.warmup_epochs > settings.epochs:  # the KL weight would end below beta
        raise ValueError(f"a warm-up of {settings.warmup_epochs:g} epochs is longer than the "
                         f"run ({settings.epochs} epochs): the KL weight would never reach "
                         "beta; choose warmup_epochs <= epochs")
    log = log or (lambda s: None)
    out = Path(out_dir) if out_dir is not None else None
    rng = np.random.default_rng(settings.seed)
    if optimizer is None:
        optimizer = Adam(model.params, lr=settings.lr)
    elif out is not None and not all(hasattr(optimizer, a) for a in ("state_dict", "load_state_dict")):
        raise ValueError(f"a run folder keeps the optimizer's state: {type(optimizer).__name__} "
                         "has no state_dict() and load_state_dict() (leave out out_dir)")
    history: list[EpochStats] = []
    if resume is not False:
        if out is None:
            raise ValueError("resume needs the run folder (out_dir)")
        record = resume if isinstance(resume, RunRecord) else read_run(out / CHECKPOINT)
        history = _restore(record, model, optimizer, rng, len(x_train), settings.batch_size)
        write_history(out, record.history)  # history.json may trail the checkpoint
        log(f"resuming {out} after epoch {len(history)}")
    # the reference of the divergence test (see above): the lowest -ELBO of the run
    reference = min((h.train_loss for h in history), default=math.inf)
    cfg = model.config
    check_data(x_train, "training data", cfg.input_dim, cfg.likelihood)
    if x_test is not None:
        check_data(x_test, "test data", cfg.input_dim, cfg.likelihood)
    if settings.binarize == "static":  # one fixed 0/1 sample of the training set
        x_train = binarize(x_train, "static", np.random.default_rng(settings.seed))
    if x_test is not None and settings.binarize != "none":  # test on fixed 0/1 images too
        x_test = binarized_test_images(x_test, settings.seed)
    steps_per_epoch = math.ceil(len(x_train) / settings.batch_size)
    warmup_steps = settings.warmup_epochs * steps_per_epoch
    step = first_step = len(history) * steps_per_epoch

    for epoch in range(len(history) + 1, settings.epochs + 1):
        start = time.perf_counter()
        sums = np.zeros(3)  # recon, kl, images
        # silent overflow in forward, backward and Adam: a diverged loss is caught below,
        # and non-finite parameters by the next loss or the check after the epoch
        with np.errstate(over="ignore", invalid="ignore"):
            for xb in batches(x_train, settings.batch_size, rng):  # (B, D)
                if settings.binarize == "dynamic":
                    xb = binarize(xb, "dynamic", rng)
                beta = cfg.beta * min(1.0, (step + 1) / warmup_steps) if warmup_steps else cfg.beta
                result = model.forward(xb, rng=rng, beta=beta, check=False)  # Eq. (1)-(6); checked above
                if not math.isfinite(result.loss):
                    _diverged(f"the loss became {result.loss} at epoch {epoch}, step {step + 1}", out, cfg.beta)
                if step == first_step:  # the run's starting loss, for the divergence test
                    reference = min(reference, float(result.recon.mean() + result.kl.mean()))
                optimizer.step(model.backward())  # Eq. (7)-(9), then Eq. (10)
                sums += (result.recon.sum(), result.kl.sum(), len(xb))
                step += 1
                if progress is not None:
                    if isinstance(progress, Progress):  # its line: the epoch, the running -ELBO
                        progress.describe(f"epoch {epoch}/{settings.epochs}",
                                          f"-ELBO {(sums[0] + sums[1]) / sums[2]:.2f}")
                    progress(step - (epoch - 1) * steps_per_epoch, steps_per_epoch)
        recon, kl = sums[0] / sums[2], sums[1] / sums[2]
        _check_state(epoch, model, optimizer, out, cfg.beta)  # parameters, Adam's m and v finite
        test_loss = None
        if x_test is not None:
            with np.errstate(over="ignore", invalid="ignore"):
                test_loss = neg_elbo(model, x_test, rng=np.random.default_rng([settings.seed, epoch]))
            if not math.isfinite(test_loss):
                _diverged(f"the test loss became {test_loss} after epoch {epoch}", out, cfg.beta)
        for what, loss in (("train", recon + kl), ("test", test_loss)):
            _check_rise(what, loss, reference, epoch, out, cfg.beta)  # <= 1000 x the run's lowest
        stats = EpochStats(epoch, recon + kl, recon, kl, test_loss, time.perf_counter() - start, beta)
        history.append(stats)
        if isinstance(progress, Progress):
            progress.close()  # the epoch's line is printed where its progress line was
        log(stats.line())
        if out is not None:
            meta = training_meta(epoch, rng, [h.__dict__ for h in history], settings.__dict__)
            save_run(out, model, optimizer, meta)
    return history


def _restore(record: RunRecord, model: VAE | AutoEncoder, optimizer: Adam,
             rng: np.random.Generator, images: int, batch: int) -> list[EpochStats]:
    """Put a stored run back: weights, Adam's state, the generator; returns its history.
    Adam must have taken one step per batch of every epoch done: else its state is not the
    one this run saved (or the data changed), and the run would not end where an
    uninterrupted one ends."""
    path = record.path
    t, done, steps = record.optimizer_state.get("t"), record.epoch or 0, math.ceil(images / batch)
    if t is not None and int(t) != done * steps:
        raise CheckpointError(
            f"{path}: optim/t (the optimizer's step count) is {int(t)}, but {done} "
            f"epochs of {steps} steps ({images} images in batches of {batch}) make "
            f"{done * steps}: the state is not the one this run saved, or the data changed")
    if record.model.config != model.config:
        raise CheckpointError(f"{path}: the run was made with {record.model.config}, not {model.config}")
    for k, w in record.model.params.items():
        model.params[k] = w
    try:
        optimizer.load_state_dict(record.optimizer_state)
        rng.bit_generator.state = record.meta["rng_state"]
        history = [EpochStats(**h) for h in record.meta["history"]]
    except (KeyError, TypeError, ValueError) as e:
        raise CheckpointError(f"{path}: cannot resume from it: incomplete or damaged state ({e!r})") from e
    if [h.epoch for h in history] != list(range(1, len(history) + 1)):
        raise CheckpointError(f"{path}: cannot resume from it: the history's epochs are "
                              f"{[h.epoch for h in history]}, not 1 to {len(history)}")
    if not all(np.all(np.isfinite(a)) for a in record.optimizer_state.values()):
        raise CheckpointError(f"{path}: the optimizer state has non-finite values")
    return history


# ---- when a run has diverged (fit's docstring gives the rules) -------------------------


def _diverged(what: str, out: Path | None, beta: float = 1.0) -> None:
    """Stop training: nothing is saved, so the last checkpoint stays as it was. The advice
    names the likely cause: a huge KL weight beta, else the learning rate."""
    kept = ""
    if out is not None and (out / CHECKPOINT).exists():
        kept = f"; the last good checkpoint, {out / CHECKPOINT}, is kept"
    if beta > LARGE_BETA:
        advice = (f"--beta (the KL weight) is very large ({beta:g}): "
                  f"try a beta of at most {LARGE_BETA:g}; 1 is the VAE.")
    else:
        advice = "Try a smaller learning rate."
    raise TrainingError(f"{what}: training stopped{kept}. {advice}")


def _check_state(epoch: int, model, optimizer, out: Path | None, beta: float) -> None:
    """After an epoch: the parameters, and Adam's m and v, must be finite."""
    if not np.all(np.isfinite(model.params.flat)):  # the last step of the epoch
        _diverged(f"the parameters became non-finite in epoch {epoch}", out, beta)
    for name in ("m", "v"):  # e.g. v overflowed; one buffer (Adam) or a dict of arrays
        state = getattr(optimizer, name, None)
        arrays = [state.flat] if hasattr(state, "flat") else (
            list(state.values()) if isinstance(state, dict) else [])
        if not all(np.all(np.isfinite(a)) for a in arrays):
            _diverged(f"the optimizer state (Adam's {name}) became non-finite in epoch "
                      f"{epoch}, though the parameters are finite", out, beta)


def _check_rise(what: str, loss: float | None, reference: float, epoch: int,
               out: Path | None, beta: float) -> None:
    """After an epoch: its ``what`` ("train" or "test") -ELBO must stay within
    DIVERGENCE_FACTOR times the run's lowest, ``reference``."""
    if loss is not None and reference > 0 and loss > DIVERGENCE_FACTOR * reference:
        _diverged(f"the {what} -ELBO rose to {loss:.3g} nats in epoch {epoch} (more than "
                 f"{DIVERGENCE_FACTOR:g} times the run's lowest, {reference:.4g}): "
                 "the run diverged", out, beta)
