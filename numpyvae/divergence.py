"""When :func:`numpyvae.train.fit` stops a run that has diverged, and what it then says.

A run has diverged when, after an epoch, a minibatch loss, a parameter, Adam's state
(m, v) or the test loss is not finite, or when the epoch's train (or test) -ELBO is
more than :data:`DIVERGENCE_FACTOR` times the run's lowest (fit's docstring gives the
reasons). Stopping raises :class:`~numpyvae.errors.TrainingError`; nothing of the
diverged epoch is saved, so the last checkpoint stays resumable.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .checkpoint import CHECKPOINT
from .errors import TrainingError

#: an epoch whose -ELBO is more than this many times the run's lowest has diverged (fit)
DIVERGENCE_FACTOR = 1000.0

#: a KL weight above this is the likely cause of a diverged loss (beta-VAEs use 1..1000)
LARGE_BETA = 1e6


def diverged(what: str, out: Path | None, beta: float = 1.0) -> None:
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


def check_state(epoch: int, model, optimizer, out: Path | None, beta: float) -> None:
    """After an epoch: the parameters, and Adam's m and v, must be finite."""
    if not np.all(np.isfinite(model.params.flat)):  # the last step of the epoch
        diverged(f"the parameters became non-finite in epoch {epoch}", out, beta)
    for name in ("m", "v"):  # e.g. v overflowed; one buffer (Adam) or a dict of arrays
        state = getattr(optimizer, name, None)
        arrays = [state.flat] if hasattr(state, "flat") else (
            list(state.values()) if isinstance(state, dict) else [])
        if not all(np.all(np.isfinite(a)) for a in arrays):
            diverged(f"the optimizer state (Adam's {name}) became non-finite in epoch "
                     f"{epoch}, though the parameters are finite", out, beta)


def check_rise(what: str, loss: float | None, reference: float, epoch: int,
               out: Path | None, beta: float) -> None:
    """After an epoch: its ``what`` ("train" or "test") -ELBO must stay within
    DIVERGENCE_FACTOR times the run's lowest, ``reference``."""
    if loss is not None and reference > 0 and loss > DIVERGENCE_FACTOR * reference:
        diverged(f"the {what} -ELBO rose to {loss:.3g} nats in epoch {epoch} (more than "
                 f"{DIVERGENCE_FACTOR:g} times the run's lowest, {reference:.4g}): "
                 "the run diverged", out, beta)
