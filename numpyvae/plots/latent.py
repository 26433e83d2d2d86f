"""The plane of 2-D latent codes: scatters, one colour per digit, alone or side by side;
two models on the same axes (the AutoEncoder and the VAE of 도입 / 목적); the VAE beside
one trained without sampling (z = mu, 단계2). :func:`draw_scatter` and
:func:`prior_circles` draw on an Axes, for the figures here and in explorer.py."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .figure import add_caption, draw_grid, ellipse, new_figure, save_png


def draw_scatter(
    ax: Any,
    codes: Any,
    labels: Any,
    points: Mapping[str, Any] | None = None,
    legend: bool = True,
    prior_circle: bool = False,
) -> None:
    """Draw 2-D codes (N, 2) on ``ax``, one colour per label (N,): the scatter of
    :func:`latent_scatter`, shared by the other figures of latent spaces (here and
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


def prior_circles(ax: Any) -> None:
    """Draw |z| = 1 and |z| = 2 on ``ax``: in 2-D, N(0, I) puts 1 - exp(-r^2 / 2) of its
    mass inside r (39 % and 86 %). Shared with explorer.py."""
    t = np.linspace(0, 2 * np.pi, 200)
    for r, style, share in ((1, "k:", 39), (2, "k--", 86)):
        ax.plot(r * np.cos(t), r * np.sin(t), style, linewidth=1.2,
                label=f"|z| = {r}: {share} % of\nN(0, I) inside")


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
    fig = new_figure((6.6, 5.4 + (0.4 if caption else 0.0)))
    ax = fig.add_subplot()
    draw_scatter(ax, codes, labels, points, prior_circle=prior_circle)
    ax.set_title(title)
    add_caption(fig, caption)
    return save_png(fig, path)


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
    fig = new_figure((3.8 * len(panels) + 0.8, 4.2 + (0.4 if caption else 0.0)))
    axes = fig.subplots(1, len(panels), squeeze=False, sharex=True, sharey=True)[0]
    for i, (ax, (name, codes, labels)) in enumerate(zip(axes, panels)):
        draw_scatter(ax, codes, labels, legend=i == len(panels) - 1, prior_circle=prior_circle)
        ax.set_title(name)
    fig.suptitle(title)
    add_caption(fig, caption)
    return save_png(fig, path)


def latent_panels(
    panels: Sequence[tuple[str, Any, Any, Mapping[str, Any] | None, bool]],
    path: str | Path,
    title: str,
    caption: str | None = None,
    zoom: int | None = None,
) -> Path:
    """Scatters of 2-D codes side by side on the SAME axes limits, one legend at the right.

    Args:
        panels: one ``(panel title, codes (N, 2), labels (N,), points, prior)`` per panel;
            ``points`` as in :func:`latent_scatter` (``{legend label:
            (M, 2)}``: black crosses, then black circles) or None; ``prior``: draw the
            circles |z| = 1 and |z| = 2 of N(0, I) (39 % and 86 % of its mass).
        zoom: the index of a panel to draw once more at the right, on axes of its own
            (when the shared limits make its codes too small to read).
    """
    if not panels:
        raise ValueError("latent_panels needs at least one panel")
    panels = list(panels)
    if zoom is not None:
        name, *rest = panels[zoom]
        panels.append((f"{name.split(':')[0]}, zoomed in (axes of its own)", *rest))
    fig = new_figure((4.6 * len(panels) + 1.6, 5.0 + (0.5 if caption else 0.0)))
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    shared = axes[:-1] if zoom is not None else axes
    for ax in shared[1:]:
        ax.sharex(shared[0])
        ax.sharey(shared[0])
    for ax, (name, codes, labels, points, prior) in zip(axes, panels):
        draw_scatter(ax, codes, labels, points, legend=False)
        if prior:
            prior_circles(ax)
        ax.set_title(name)
    handles, names = {}, {}
    for ax in axes:  # one legend for all: digits, point markers, circles, without repeats
        for h, n in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(n, h)
            names.setdefault(n, n)
    leg = fig.legend(list(handles.values()), list(names.values()), loc="outside right center",
                     fontsize=8, frameon=False, title="digit", title_fontsize=8)
    for h in getattr(leg, "legend_handles", None) or getattr(leg, "legendHandles", []):
        if hasattr(h, "set_sizes"):
            h.set_sizes([26])
            h.set_alpha(1.0)
    fig.suptitle(title)
    add_caption(fig, caption)
    return save_png(fig, path)


def no_sampling_panels(
    elbos: Mapping[str, tuple[float, float]],
    rows: Sequence[tuple[str, Any, Any, Any]],
    path: str | Path,
    title: str,
    caption: str | None = None,
) -> Path:
    """Inference without sampling (단계2): what z = mu claims, and what training with it does.

    At the left, bars of the -ELBO of each model twice: honest (z ~ q(z|x)) and with
    z = mu, the claim too good by what the sample costs. At the right, one row per model:
    its codes (on the same axes for every row, N(0, I)'s circles drawn), the 1-sigma
    ellipses of q(z|x) of a few of them, and images decoded from z ~ N(0, I).

    Args:
        elbos: ``{model name: (honest -ELBO, -ELBO with z = mu)}``, nats per image.
        rows: one ``(model name, codes (N, 2), labels (N,), sigmas (N, 2), samples
            (M, D))`` per model: the codes are the means mu, ``sigmas`` q's standard
            deviations.
    """
    if not rows:
        raise ValueError("no_sampling_panels needs at least one model")
    fig = new_figure((13.0, 3.9 * len(rows) + 0.6 + (0.4 if caption else 0.0)))
    grid = fig.add_gridspec(len(rows), 3, width_ratios=(1.1, 1.0, 1.0))
    ax = fig.add_subplot(grid[:, 0])
    x = np.arange(len(elbos))
    honest = [v[0] for v in elbos.values()]
    at_mu = [v[1] for v in elbos.values()]
    for shift, values, label, color in ((-0.2, honest, "honest: z ~ q(z|x), Eq. (2)", "tab:blue"),
                                        (0.2, at_mu, "with z = mu (no sampling)", "tab:orange")):
        bars = ax.bar(x + shift, values, width=0.4, label=label, color=color)
        ax.bar_label(bars, [f"{v:.1f}" for v in values], fontsize=8)
    ax.set_xticks(x)
    ax.set_xticklabels(list(elbos), fontsize=9)
    ax.set_ylabel("test -ELBO, nats per image")
    ax.set_ylim(0, max(honest + at_mu) * 1.18)
    ax.legend(fontsize=8, loc="upper left")
    ax.set_title("the -ELBO, honest and with z = mu", fontsize=10)
    first = None
    for i, (name, codes, labels, sigmas, samples) in enumerate(rows):
        sc = fig.add_subplot(grid[i, 1], sharex=first, sharey=first)
        first = first or sc
        draw_scatter(sc, codes, labels, legend=False)
        prior_circles(sc)
        codes, sigmas = np.asarray(codes, dtype=np.float64), np.asarray(sigmas, dtype=np.float64)
        for k in range(0, len(codes), max(1, len(codes) // 6)):  # six of q's ellipses
            ellipse(sc, codes[k], sigmas[k], 1, color="black", linewidth=1.0)
        spread = np.asarray(codes, dtype=np.float64).std(axis=0)
        sc.set_title(f"{name}: test means mu (std {spread[0]:.2f}, {spread[1]:.2f})\n"
                     f"ellipses: q(z|x) of six, 1 sigma (mean sigma {sigmas.mean():.2f})",
                     fontsize=9)
        im = fig.add_subplot(grid[i, 2])
        draw_grid(im, samples, None)  # a square grid
        im.set_title(f"{name}: decoded from z ~ N(0, I)", fontsize=10)
    fig.suptitle(title)
    add_caption(fig, caption)
    return save_png(fig, path)
