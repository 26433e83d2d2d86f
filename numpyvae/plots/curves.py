"""Curves and bars: the loss per epoch, the loss terms per model, histograms of samples."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .figure import new_figure, save_png


def _field(row: Any, name: str) -> Any:
    return row[name] if isinstance(row, Mapping) else getattr(row, name)


def training_curves(history: Sequence[Any], path: str | Path, title: str = "Training") -> Path:
    """The loss per epoch, and its two terms drawn separately (lecture: Loss Function).

    Three panels: -ELBO (train, and test when known), the reconstruction error
    (Eq. 4) and the KL term (Eq. 5), all in nats per image.

    Args:
        history: what :func:`numpyvae.train.fit` returns (``EpochStats``), or dicts
            with the keys ``epoch``, ``train_loss``, ``train_recon``, ``train_kl``,
            ``test_loss`` (may be None).
    """
    if not history:
        raise ValueError("training_curves needs at least one epoch")
    epoch = [_field(h, "epoch") for h in history]
    train = [_field(h, "train_loss") for h in history]
    test = [_field(h, "test_loss") for h in history]
    recon = [_field(h, "train_recon") for h in history]
    kl = [_field(h, "train_kl") for h in history]
    fig = new_figure((12.0, 3.6))
    ax1, ax2, ax3 = fig.subplots(1, 3)
    ax1.plot(epoch, train, "o-", label="train (mean over the epoch)")
    if any(t is not None for t in test):
        ax1.plot([e for e, t in zip(epoch, test) if t is not None],
                 [t for t in test if t is not None], "s-", label="test")
    ax1.set_title("-ELBO = reconstruction + KL")
    ax1.legend()
    ax2.plot(epoch, recon, "o-", color="tab:green", label="train")
    ax2.set_title("reconstruction error, Eq. (4)")
    ax3.plot(epoch, kl, "o-", color="tab:red", label="train")
    ax3.set_title(r"KL$(q(z|x)\,\|\,N(0, I))$, Eq. (5)")
    from matplotlib.ticker import MaxNLocator

    for ax in (ax1, ax2, ax3):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("epoch")
        ax.set_ylabel("nats per image")
        ax.grid(alpha=0.3)
    fig.suptitle(title)
    return save_png(fig, path)


def loss_terms(
    names: Sequence[str],
    recon: Sequence[float],
    kl: Sequence[float],
    path: str | Path,
    title: str,
) -> Path:
    """Reconstruction error and KL of several models, side by side, one point per model.

    The y axes do not start at zero, so that a trade-off of a few nats shows; the
    values are written beside the points.

    Args:
        names: one label per model (e.g. "beta = 0.5"), in the order to draw them.
        recon, kl: the two terms per model, nats per image.
    """
    if not (len(names) == len(recon) == len(kl)):
        raise ValueError("names, recon and kl must have one entry per model")
    fig = new_figure((8.0, 3.4))
    axes = fig.subplots(1, 2)
    x = np.arange(len(names))
    for ax, values, name, color in (
        (axes[0], recon, "reconstruction error, Eq. (4)", "tab:green"),
        (axes[1], kl, "KL term, Eq. (5)", "tab:red"),
    ):
        ax.plot(x, values, "o-", color=color, markersize=7)
        for xi, v in zip(x, values):
            ax.annotate(f"{v:.2f}", (xi, v), textcoords="offset points", xytext=(0, 8),
                        ha="center", fontsize=8)
        ax.set_xticks(x)
        ax.set_xticklabels(list(names))
        ax.set_title(name)
        ax.set_ylabel("nats per image")
        ax.grid(alpha=0.3)
        ax.margins(x=0.15, y=0.2)
    fig.suptitle(title)
    return save_png(fig, path)


def histograms(
    panels: Sequence[tuple[str, Mapping[str, Any], tuple[float, float] | None]],
    path: str | Path,
    title: str,
    bins: int = 60,
) -> Path:
    """Overlaid histograms, one panel per ``(panel title, {label: samples}, normal)``.

    For the reparameterization demo: in each panel, the samples of ``mu + sigma * eps`` (Eq. 2)
    and of direct sampling from N(mu, sigma^2), as densities over shared bins, and
    (when ``normal = (mu, sigma)`` is given) the density of N(mu, sigma^2) as a line.

    Args:
        panels: list of ``(title, {label: (M,) samples}, (mu, sigma) or None)``.
        bins: number of bins per panel.
    """
    if not panels:
        raise ValueError("histograms needs at least one panel")
    fig = new_figure((4.0 * len(panels) + 0.4, 3.6))
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    styles = [{"histtype": "stepfilled", "alpha": 0.35}, {"histtype": "step", "linewidth": 1.8}]
    for ax, (name, series, normal) in zip(axes, panels):
        all_values = np.concatenate([np.ravel(v) for v in series.values()])
        edges = np.linspace(np.quantile(all_values, 0.0005), np.quantile(all_values, 0.9995), bins + 1)
        for k, (label, values) in enumerate(series.items()):
            ax.hist(np.ravel(values), bins=edges, density=True, label=label, **styles[k % 2])
        if normal is not None:
            mu, sigma = normal
            t = np.linspace(edges[0], edges[-1], 400)
            pdf = np.exp(-0.5 * ((t - mu) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))
            ax.plot(t, pdf, "k--", linewidth=1, label=r"density of $N(\mu, \sigma^2)$")
        ax.set_ylim(0, ax.get_ylim()[1] * 1.35)  # room for the legend above the curves
        ax.set_title(name)
        ax.set_xlabel("z")
        ax.set_ylabel("density")
        ax.legend(fontsize=7, loc="upper center", ncol=2)
    fig.suptitle(title)
    return save_png(fig, path)
