"""The manifold figure: a grid of z spaced by the inverse normal CDF, decoded; and
decoded grids of several models side by side, with the z of their rows and columns.

:func:`inverse_normal_cdf` and :func:`manifold_latents` are plain NumPy (no
matplotlib), so the tests and the demos can use the grid's points on their own.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .figure import add_caption, as_images, draw_grid, new_figure, save_png


def inverse_normal_cdf(p: Any) -> np.ndarray:
    """Phi^-1(p): the z with P(Z <= z) = p for Z ~ N(0, 1), elementwise.

    The standard library's ``statistics.NormalDist().inv_cdf`` (accurate to about
    1e-15), applied to every entry, with Phi^-1(0) = -inf and Phi^-1(1) = +inf.

    Args:
        p: probabilities in [0, 1], any shape (a number or an array).

    Returns:
        float64 array shaped like ``p``; -inf at 0 and +inf at 1.

    Raises:
        ValueError: some p is outside [0, 1] or is NaN.
    """
    p = np.asarray(p, dtype=np.float64)
    if np.any(~((p >= 0) & (p <= 1))):
        raise ValueError("inverse_normal_cdf needs probabilities in [0, 1]")
    from statistics import NormalDist  # here: ``import numpyvae`` stays light

    inv_cdf = NormalDist().inv_cdf  # defined on the open interval (0, 1)
    one = np.vectorize(lambda q: inv_cdf(q) if 0 < q < 1 else math.copysign(math.inf, q - 0.5),
                       otypes=[np.float64])
    return one(p)


def manifold_latents(n: int = 20, lo: float = 0.05, hi: float = 0.95) -> np.ndarray:
    """The (n * n, 2) latent points of the manifold figure, row by row.

    The probabilities ``linspace(lo, hi, n)`` are mapped through the inverse normal CDF,
    so the points are equally spaced in probability under the prior N(0, I): each covers
    the same mass. Row i of the grid has z2 = the i-th largest value (top of the figure
    is high z2); column j has z1 = the j-th smallest.
    """
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    if not 0 < lo < hi < 1:
        raise ValueError(f"need 0 < lo < hi < 1, got lo={lo}, hi={hi}")
    z = inverse_normal_cdf(np.linspace(lo, hi, n))  # (n,) increasing
    z1, z2 = np.meshgrid(z, z[::-1])  # (n, n) each; rows go down in z2
    return np.stack([z1.ravel(), z2.ravel()], axis=1)  # (n * n, 2)


def manifold_grid(
    decode: Callable[[np.ndarray], np.ndarray],
    path: str | Path,
    n: int = 20,
    title: str = "Decoded grid of the 2-D latent space",
    lo: float = 0.05,
    hi: float = 0.95,
    caption: str | None = None,
) -> Path:
    """The manifold figure: decode an n x n grid of z, spaced by the inverse normal CDF.

    Args:
        decode: a function (n * n, 2) -> (n * n, D), such as ``model.decode``
            (Eq. 3), called with :func:`manifold_latents` ``(n, lo, hi)``.
        n: points per axis.
        lo, hi: the probability range, mapped to z by the inverse normal CDF.
    """
    z = manifold_latents(n, lo, hi)  # (n * n, 2)
    a, _ = as_images(decode(z))  # (n * n, side, side)
    if len(a) != n * n:
        raise ValueError(f"the manifold needs {n * n} images, got {len(a)}")
    zs = z[:n, 0]  # the n values of z1 (and, reversed, of z2)
    every = max(1, n // 5)
    idx = list(range(0, n, every))
    fig = new_figure((7.0, 7.4 + (0.4 if caption else 0.0)))
    ax = fig.add_subplot()
    draw_grid(ax, a, n, [""] * n, [""] * n)
    ax.set_xticks(ax.get_xticks()[idx])
    ax.set_xticklabels([f"{zs[i]:.2f}" for i in idx])
    ax.set_yticks(ax.get_yticks()[idx])
    ax.set_yticklabels([f"{zs[::-1][i]:.2f}" for i in idx])
    ax.tick_params(length=3)
    ax.set_xlabel(r"$z_1 = \Phi^{-1}(u_1)$")
    ax.set_ylabel(r"$z_2 = \Phi^{-1}(u_2)$")
    ax.set_title(title)
    add_caption(fig, caption)
    return save_png(fig, path)


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
    fig = new_figure((5.2 * len(panels) + 0.4, 5.6 + (0.5 if caption else 0.0)))
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (name, images, z1, z2, note) in zip(axes, panels):
        z1, z2 = np.asarray(z1, dtype=np.float64), np.asarray(z2, dtype=np.float64)
        n = len(z1)
        a, _ = as_images(images)
        if len(a) != n * n or len(z2) != n:
            raise ValueError(f"an {n} x {n} grid needs {n * n} images and {n} z2 values")
        draw_grid(ax, a, n, [""] * n, [""] * n)
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
    add_caption(fig, caption)
    return save_png(fig, path)
