"""Grids of images: samples, reconstructions, panels side by side, decoded points with
the far ones framed, the CLI's sample grid (each drawn on an Axes by figure.py's
:func:`~numpyvae.plots.figure.draw_grid`)."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .figure import (
    INSTALL_HINT,
    PlotDependencyError,
    add_caption,
    as_images,
    draw_grid,
    new_figure,
    save_png,
    tile,
    write_file,
)


def image_grid(
    images: Any,
    path: str | Path,
    title: str,
    ncols: int | None = None,
    row_labels: Sequence[str] | None = None,
    col_labels: Sequence[str] | None = None,
    caption: str | None = None,
) -> Path:
    """A grid of images (samples, decoded points, an interpolation...).

    Args:
        images: (N, D) pixels in [0, 1] (D = side^2), or (N, side, side).
        path: the PNG to write.
        title: the figure's title.
        ncols: images per row (default: a square-ish grid).
        row_labels: one label per row, shown at the left.
        col_labels: one label per column, shown below.
        caption: a sentence shown under the grid.
    """
    a, _ = as_images(images)
    ncols = ncols or max(1, math.ceil(math.sqrt(len(a))))
    rows = max(1, math.ceil(len(a) / ncols))
    cell = min(0.55, 10.0 / ncols)  # inches per image
    width = 1.0 + cell * ncols + (1.2 if row_labels is not None else 0.0)
    height = 0.9 + cell * rows + (0.5 if caption else 0.0)
    fig = new_figure((width, height))
    ax = fig.add_subplot()
    draw_grid(ax, a, ncols, row_labels, col_labels)
    ax.set_title(title)
    add_caption(fig, caption)
    return save_png(fig, path)


def recon_grid(
    originals: Any,
    recons: Any,
    path: str | Path,
    title: str,
    ncols: int | None = None,
    caption: str | None = None,
) -> Path:
    """Inputs and their reconstructions: rows alternate "input" / "reconstruction".

    Args:
        originals: (N, D) input images.
        recons: (N, D) reconstructions of the same images, in the same order.
        ncols: images per row (default: min(N, 10)).
    """
    x, _ = as_images(originals)
    r, _ = as_images(recons)
    if x.shape != r.shape:
        raise ValueError(f"originals {x.shape} and recons {r.shape} differ in shape")
    ncols = ncols or min(len(x), 10)
    rows = []
    labels = []
    for start in range(0, len(x), ncols):
        for part, name in ((x, "input"), (r, "reconstruction")):
            chunk = part[start : start + ncols]
            if len(chunk) < ncols:  # blank the rest of the row
                chunk = np.concatenate([chunk, np.full((ncols - len(chunk), *chunk.shape[1:]), 0.5)])
            rows.append(chunk)
            labels.append(name)
    return image_grid(np.concatenate(rows), path, title, ncols, labels, caption=caption)


def grid_panels(
    panels: Sequence[tuple[str, Any]],
    path: str | Path,
    title: str,
    ncols: int | None = None,
    caption: str | None = None,
) -> Path:
    """Several image grids side by side, one per ``(panel title, images (N, D))``."""
    if not panels:
        raise ValueError("grid_panels needs at least one panel")
    fig = new_figure((3.6 * len(panels) + 0.4, 4.2 + (0.4 if caption else 0.0)))
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (name, images) in zip(axes, panels):
        draw_grid(ax, images, ncols)
        ax.set_title(name)
    fig.suptitle(title)
    add_caption(fig, caption)
    return save_png(fig, path)


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
    fig = new_figure((4.6 * len(panels) + 0.4, 5.0 + (0.5 if caption else 0.0)))
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (name, images, far) in zip(axes, panels):
        a, side = as_images(images)
        far = np.asarray(far, dtype=bool)
        if far.shape != (len(a),):
            raise ValueError(f"far must have shape ({len(a)},), got {far.shape}")
        draw_grid(ax, a, ncols)
        step = side + 1  # draw_grid's pad is 1 pixel
        for k in np.flatnonzero(far):
            r, c = divmod(int(k), ncols)
            ax.add_patch(Rectangle((c * step + 0.5, r * step + 0.5), side, side, fill=False,
                                   edgecolor="red", linewidth=1.3))
        ax.set_title(name)
    fig.suptitle(title)
    add_caption(fig, caption)
    return save_png(fig, path)


def save_image_grid(images: Any, path: str | Path, title: str) -> Path:
    """Save images (N, H, W) in [0, 1] as a square grid with a title, N -> ceil(sqrt N) columns.

    The picture of ``numpyvae sample``: the images at 3 screen pixels per pixel (2 when
    there are more than 8 columns), grey lines between them, the title (it may have
    several lines) above. Uses matplotlib's Figure directly (no pyplot, no global
    backend state). The file format follows the suffix of ``path`` (PNG when it has
    none), and the file is exactly ``path``: nothing is appended to its name. It is
    drawn in memory and written atomically (:func:`numpyvae.fileio.atomic_write`),
    so a failed write (a full disk) leaves an earlier file at ``path`` intact.

    Returns:
        ``path``, as a Path.

    Raises:
        PlotDependencyError: matplotlib is not installed (an ImportError).
    """
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise PlotDependencyError(INSTALL_HINT) from None
    path = Path(path)
    cols = math.ceil(math.sqrt(len(images)))
    grid = tile(images, cols, pad=2, pad_value=0.35)  # grey lines between them
    scale = 3 if cols <= 8 else 2  # screen pixels per image pixel
    dpi = 100
    title_lines = title.count("\n") + 1
    width_in = max(grid.shape[1] * scale / dpi, 4.0)  # room for the title
    title_in = 0.15 + 0.18 * title_lines
    height_in = grid.shape[0] * scale / dpi + title_in
    fig = Figure(figsize=(width_in, height_in), dpi=dpi)
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0 - title_in / height_in))
    ax.imshow(grid, cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
    ax.set_axis_off()
    fig.suptitle(title, fontsize=9, y=1.0 - 0.08 / height_in, va="top")
    buf = io.BytesIO()
    fig.savefig(buf, dpi=dpi, format=path.suffix[1:].lower() or "png")
    return write_file(path, buf.getvalue())
