"""Training: :class:`TrainSettings` and :func:`fit`, a flat loop a student can follow.

    for each epoch:
        for each minibatch x:                       (datasets.batches)
            forward:  loss = Eq. (6) of the batch   (model.forward)
            backward: the gradient of every weight  (model.backward)
            Adam:     w -= ...                      (optim.Adam.step, Eq. 10)
        the test -ELBO                              (elbo.neg_elbo)
        a checkpoint                                (checkpoint.save_run)

The run folder is read and written by :mod:`numpyvae.checkpoint` only; the figures of
a trained model come from :mod:`numpyvae.elbo` (``evaluate`` is re-exported here).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .checkpoint import (
    CHECKPOINT,
    EVAL,
    HISTORY,
    RunRecord,
    load_checkpoint,
    read_run,
    save_checkpoint,
    save_run,
    training_meta,
)
from .checkpoint import MODEL_CLASSES as MODEL_KINDS
from .datasets.batching import BINARIZE_MODES, batches, binarize, binarized_test_images
from .elbo import elbo_terms, evaluate, log_likelihood_iw, neg_elbo
from .errors import CheckpointError, TrainingError
from .model import VAE, AutoEncoder
from .optim import Adam

__all__ = [  # fit's own, then what older code imported from here
    "CHECKPOINT",
    "EVAL",
    "HISTORY",
    "MODEL_KINDS",
    "EpochStats",
    "TrainSettings",
    "binarized_test_images",
    "elbo_terms",
    "evaluate",
    "fit",
    "load_checkpoint",
    "log_likelihood_iw",
    "neg_elbo",
    "save_checkpoint",
]


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


def _check_data(x: np.ndarray, what: str, input_dim: int, likelihood: str) -> None:
    if len(x.shape) != 2 or x.shape[1] != input_dim:
        raise ValueError(f"{what} must have shape (N, {input_dim}), got {x.shape}")
    if len(x) == 0:
        raise ValueError(f"{what} is empty")
    # in chunks of 8192 rows (25 MB), so that data on disk is never read whole;
    # min and max see NaN and inf
    for start in range(0, len(x), 8192):
        chunk = np.asarray(x[start : start + 8192])
        lo, hi = float(chunk.min()), float(chunk.max())
        rows = f"rows {start}..{start + len(chunk) - 1}"
        del chunk  # before the next chunk is read
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise ValueError(f"{what} has non-finite values ({rows})")
        if likelihood == "bernoulli" and (lo < 0 or hi > 1):
            raise ValueError(
                f"{what} must hold pixels in [0, 1] for the Bernoulli likelihood ({rows}: {lo:g}..{hi:g})"
            )


def fit(
    model: VAE | AutoEncoder,
    x_train: np.ndarray,
    x_test: np.ndarray | None = None,
    settings: TrainSettings | None = None,
    out_dir: str | Path | None = None,
    resume: bool | RunRecord = False,
    log: Callable[[str], None] | None = print,
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

    All randomness (order of the batches, eps, dynamic binarization) comes from one
    generator seeded by ``settings.seed``, saved with every checkpoint.
    """
    settings = settings or TrainSettings()
    log = log or (lambda s: None)
    out = Path(out_dir) if out_dir is not None else None
    rng = np.random.default_rng(settings.seed)
    optimizer = Adam(model.params, lr=settings.lr)
    history: list[EpochStats] = []
    if resume is not False:
        if out is None:
            raise ValueError("resume needs the run folder (out_dir)")
        record = resume if isinstance(resume, RunRecord) else read_run(out / CHECKPOINT)
        history = _restore(record, model, optimizer, rng)
        log(f"resuming {out} after epoch {len(history)}")
    cfg = model.config
    _check_data(x_train, "training data", cfg.input_dim, cfg.likelihood)
    if x_test is not None:
        _check_data(x_test, "test data", cfg.input_dim, cfg.likelihood)
    if settings.binarize == "static":  # one fixed 0/1 sample of the training set
        x_train = binarize(x_train, "static", np.random.default_rng(settings.seed))
    if x_test is not None and settings.binarize != "none":  # test on fixed 0/1 images too
        x_test = binarized_test_images(x_test, settings.seed)
    steps_per_epoch = math.ceil(len(x_train) / settings.batch_size)
    warmup_steps = settings.warmup_epochs * steps_per_epoch
    step = len(history) * steps_per_epoch

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
                result = model.forward(xb, rng=rng, beta=beta)  # Eq. (1)-(6)
                if not math.isfinite(result.loss):
                    _diverged(f"the loss became {result.loss} at epoch {epoch}, step {step + 1}", out)
                optimizer.step(model.backward())  # Eq. (7)-(9), then Eq. (10)
                sums += (result.recon.sum(), result.kl.sum(), len(xb))
                step += 1
        recon, kl = sums[0] / sums[2], sums[1] / sums[2]
        if not np.all(np.isfinite(model.params.flat)):  # the last step of the epoch
            _diverged(f"the parameters became non-finite in epoch {epoch}", out)
        test_loss = None
        if x_test is not None:
            with np.errstate(over="ignore", invalid="ignore"):
                test_loss = neg_elbo(model, x_test, rng=np.random.default_rng([settings.seed, epoch]))
            if not math.isfinite(test_loss):
                _diverged(f"the test loss became {test_loss} after epoch {epoch}", out)
        stats = EpochStats(epoch, recon + kl, recon, kl, test_loss, time.perf_counter() - start, beta)
        history.append(stats)
        log(stats.line())
        if out is not None:
            meta = training_meta(epoch, rng, [h.__dict__ for h in history], settings.__dict__)
            save_run(out, model, optimizer, meta)
    return history


def _restore(record: RunRecord, model: VAE | AutoEncoder, optimizer: Adam,
             rng: np.random.Generator) -> list[EpochStats]:
    """Put a stored run back: weights, Adam's state, the generator; returns its history."""
    path = record.path
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
    if not all(np.all(np.isfinite(a)) for a in record.optimizer_state.values()):
        raise CheckpointError(f"{path}: the optimizer state has non-finite values")
    return history


def _diverged(what: str, out: Path | None) -> None:
    """Stop training: nothing is saved, so the last checkpoint stays as it was."""
    kept = ""
    if out is not None and (out / CHECKPOINT).exists():
        kept = f"; the last good checkpoint, {out / CHECKPOINT}, is kept"
    raise TrainingError(f"{what}: training stopped{kept}. Try a smaller learning rate.")


