"""Scatters of 2-D latent codes, one colour per digit: alone, or panels side by side."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ._figure import _caption, _figure, _save


def draw_scatter(
    ax: Any,
    codes: Any,
    labels: Any,
    points: Mapping[str, Any] | None = None,
    legend: bool = True,
    prior_circle: bool = False,
) -> None:
    """Draw 2-D codes (N, 2) on ``ax``, one colour per label (N,): the scatter of
    :func:`latent_scatter`, shared by the other figures of latent spaces (compare.py,
    explorer.py). ``points``, ``prior_circle`` as in :func:`latent_scatter`; ``legend``:
    a legend of the digits at the right of ``ax``. Equal aspect: circles stay round."""
    import matplotlib

    codes = np.asarray(codes, dtype=np.float64)
    if codes.ndim != 2 or codes.shape[1] < 2:
        raise ValueError(f"codes must have shape (N, 2), got {codes.shape}")
    labels = np.asarray(labels)
    if labels.shape != (len(codes),):
        raise ValueError(f"labels must have shape ({len(codes)},), got {labels.shape}")
    cmap = matplotlib.colormaps["tab10"]
    size = 2 if len(codes) > 3000 else 7  # a few hundred codes drawn as dots you can see
    for k, value in enumerate(np.unique(labels)):
        m = labels == value
        ax.scatter(codes[m, 0], codes[m, 1], s=size, alpha=0.6, color=cmap(k % 10),
                   label=str(value), rasterized=True, linewidths=0)
    styles = [{"marker": "x", "color": "black"},
              {"marker": "o", "facecolors": "none", "edgecolors": "black"}]
    for k, (name, pts) in enumerate((points or {}).items()):
        pts = np.asarray(pts, dtype=np.float64).reshape(-1, 2)
        ax.scatter(pts[:, 0], pts[:, 1], s=26, linewidths=1.2, label=name, **styles[k % 2])
    if prior_circle:  # P(|z| < 2) = 1 - exp(-2) for z ~ N(0, I) in 2-D
        t = np.linspace(0, 2 * np.pi, 200)
        ax.plot(2 * np.cos(t), 2 * np.sin(t), "k--", linewidth=1,
                label="|z| = 2: 86 % of\nN(0, I) inside")
    ax.set_xlabel(r"$z_1$")
    ax.set_ylabel(r"$z_2$")
    ax.set_aspect("equal", adjustable="box")  # a unit of z1 as long as one of z2: circles round
    if legend:
        leg = ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8,
                        frameon=False, title="digit", title_fontsize=8)
        handles = getattr(leg, "legend_handles", None) or getattr(leg, "legendHandles", [])
        for h in handles:  # legend markers of a readable size, whatever the scatter's
            if hasattr(h, "set_sizes"):
                h.set_sizes([26])
                h.set_alpha(1.0)


def latent_scatter(
    codes: Any,
    labels: Any,
    path: str | Path,
    title: str,
    points: Mapping[str, Any] | None = None,
    caption: str | None = None,
    prior_circle: bool = False,
) -> Path:
    """2-D codes of a data set, one colour per class (digit), with a legend.

    Args:
        codes: (N, 2) latent codes (the encoder's mu, or an AutoEncoder's code).
        labels: (N,) class of each code.
        points: optional extra points drawn as crosses, ``{legend label: (M, 2)}`` (e.g. the
            random points that another figure decodes); the first set as black crosses,
            the second as black circles.
        prior_circle: draw the circle |z| = 2, inside which N(0, I) puts 86 % of its mass.
    """
    fig = _figure((6.6, 5.4 + (0.4 if caption else 0.0)))
    ax = fig.add_subplot()
    draw_scatter(ax, codes, labels, points, prior_circle=prior_circle)
    ax.set_title(title)
    _caption(fig, caption)
    return _save(fig, path)


def scatter_panels(
    panels: Sequence[tuple[str, Any, Any]],
    path: str | Path,
    title: str,
    caption: str | None = None,
    prior_circle: bool = False,
) -> Path:
    """Several scatters side by side, one per ``(panel title, codes (N, 2), labels (N,))``,
    on the same axes limits (so that spreads compare); one legend for all, at the right.
    ``prior_circle`` as in :func:`latent_scatter`."""
    if not panels:
        raise ValueError("scatter_panels needs at least one panel")
    fig = _figure((3.8 * len(panels) + 0.8, 4.2 + (0.4 if caption else 0.0)))
    axes = fig.subplots(1, len(panels), squeeze=False, sharex=True, sharey=True)[0]
    for i, (ax, (name, codes, labels)) in enumerate(zip(axes, panels)):
        draw_scatter(ax, codes, labels, legend=i == len(panels) - 1, prior_circle=prior_circle)
        ax.set_title(name)
    fig.suptitle(title)
    _caption(fig, caption)
    return _save(fig, path)
