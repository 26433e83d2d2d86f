"""Two models side by side (the AutoEncoder and the VAE of 도입 / 목적): their latent
scatters on the same axes, the images each decodes from its random points (those from
far from every code framed), and their decoded grids with the z of each row and column;
and the VAE beside one trained without sampling (z = mu, 단계2).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ._figure import _as_images, _caption, _figure, _save
from .density import ellipse
from .images import _draw_grid
from .latent import draw_scatter


def prior_circles(ax: Any) -> None:
    """Draw |z| = 1 and |z| = 2 on ``ax``: in 2-D, N(0, I) puts 1 - exp(-r^2 / 2) of its
    mass inside r (39 % and 86 %). Shared with explorer.py."""
    t = np.linspace(0, 2 * np.pi, 200)
    for r, style, share in ((1, "k:", 39), (2, "k--", 86)):
        ax.plot(r * np.cos(t), r * np.sin(t), style, linewidth=1.2,
                label=f"|z| = {r}: {share} % of\nN(0, I) inside")


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
            ``points`` as in :func:`~numpyvae.plots.latent_scatter` (``{legend label:
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
    fig = _figure((4.6 * len(panels) + 1.6, 5.0 + (0.5 if caption else 0.0)))
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
    _caption(fig, caption)
    return _save(fig, path)


def decode_panels(
    panels: Sequence[tuple[str, Any, Any]],
    path: str | Path,
    title: str,
    ncols: int = 10,
    caption: str | None = None,
) -> Path:
    """Image grids side by side, one per ``(panel title, images (N, D), far (N,) bool)``;
    the images with ``far`` True get a red frame (decoded from a point far from every
    code)."""
    from matplotlib.patches import Rectangle

    if not panels:
        raise ValueError("decode_panels needs at least one panel")
    fig = _figure((4.6 * len(panels) + 0.4, 5.0 + (0.5 if caption else 0.0)))
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (name, images, far) in zip(axes, panels):
        a, side = _as_images(images)
        far = np.asarray(far, dtype=bool)
        if far.shape != (len(a),):
            raise ValueError(f"far must have shape ({len(a)},), got {far.shape}")
        _draw_grid(ax, a, ncols)
        step = side + 1  # _draw_grid's pad is 1 pixel
        for k in np.flatnonzero(far):
            r, c = divmod(int(k), ncols)
            ax.add_patch(Rectangle((c * step + 0.5, r * step + 0.5), side, side, fill=False,
                                   edgecolor="red", linewidth=1.3))
        ax.set_title(name)
    fig.suptitle(title)
    _caption(fig, caption)
    return _save(fig, path)


def manifold_panels(
    panels: Sequence[tuple[str, Any, Any, Any, str]],
    path: str | Path,
    title: str,
    caption: str | None = None,
) -> Path:
    """Decoded n x n grids side by side, each with the z of its columns and rows as ticks.

    Args:
        panels: one ``(panel title, images (n * n, D), z1 (n,), z2 (n,), axis note)`` per
            panel, the images row by row with the top row at the largest z2: ``z1`` are the
            columns' values from left to right, ``z2`` the rows' from top to bottom;
            ``axis note`` is added to the axis labels (e.g. how the values were spaced).
    """
    if not panels:
        raise ValueError("manifold_panels needs at least one panel")
    fig = _figure((5.2 * len(panels) + 0.4, 5.6 + (0.5 if caption else 0.0)))
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (name, images, z1, z2, note) in zip(axes, panels):
        z1, z2 = np.asarray(z1, dtype=np.float64), np.asarray(z2, dtype=np.float64)
        n = len(z1)
        a, _ = _as_images(images)
        if len(a) != n * n or len(z2) != n:
            raise ValueError(f"an {n} x {n} grid needs {n * n} images and {n} z2 values")
        _draw_grid(ax, a, n, [""] * n, [""] * n)
        idx = list(range(0, n, max(1, n // 5)))
        ax.set_xticks(ax.get_xticks()[idx])
        ax.set_xticklabels([f"{z1[i]:.2f}" for i in idx], fontsize=8)
        ax.set_yticks(ax.get_yticks()[idx])
        ax.set_yticklabels([f"{z2[i]:.2f}" for i in idx], fontsize=8)
        ax.tick_params(length=3)
        ax.set_xlabel(f"$z_1$ {note}")
        ax.set_ylabel(f"$z_2$ {note}")
        ax.set_title(name)
    fig.suptitle(title)
    _caption(fig, caption)
    return _save(fig, path)


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
    fig = _figure((13.0, 3.9 * len(rows) + 0.6 + (0.4 if caption else 0.0)))
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
        _draw_grid(im, samples, None)  # a square grid
        im.set_title(f"{name}: decoded from z ~ N(0, I)", fontsize=10)
    fig.suptitle(title)
    _caption(fig, caption)
    return _save(fig, path)
