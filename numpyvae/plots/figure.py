"""What every figure is made of, for the other plots modules: a Figure
(:func:`new_figure`), the PNG writer (:func:`save_png`), the caption (:func:`add_caption`),
images as arrays (:func:`as_images`, :func:`tile`), a grid of them on an Axes
(:func:`draw_grid`), q(z|x)'s ellipse (:func:`ellipse`); and what a script checks first
(:func:`require_matplotlib`) and writes last (:func:`banner`).

matplotlib is imported inside the functions only (see the package's docstring).
Every file is written by :func:`numpyvae.fileio.atomic_write`: the picture is drawn
into memory first, so a full disk or a crash leaves the previous file as it was.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import NumpyVAEError
from ..fileio import atomic_write

DPI = 100

#: What :class:`PlotDependencyError` says when matplotlib cannot be imported.
INSTALL_HINT = ('saving images needs matplotlib: pip install matplotlib '
                '(or, from a checkout: pip install ".[plot]")')


class PlotDependencyError(NumpyVAEError, ImportError):
    """matplotlib is not installed, so a figure cannot be drawn.

    An ImportError (what a missing package raises) and a NumpyVAEError (what the
    command line reports on one line), so either ``except`` catches it.
    """


def require_matplotlib() -> None:
    """Raise :class:`PlotDependencyError` (saying what to install) unless matplotlib
    can be imported: for a script to call before it trains, not after."""
    try:
        from matplotlib.figure import Figure  # noqa: F401
    except ImportError:
        raise PlotDependencyError(INSTALL_HINT) from None


def new_figure(figsize: tuple[float, float]) -> Any:
    """A matplotlib Figure of ``figsize`` inches, laid out by constrained layout (no pyplot,
    nothing left open); :class:`PlotDependencyError` without matplotlib."""
    require_matplotlib()
    from matplotlib.figure import Figure

    return Figure(figsize=figsize, layout="constrained")


def write_file(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (:func:`numpyvae.fileio.atomic_write`):
    ``path`` ends up with all of it or keeps what it held. Returns ``path`` as a Path."""
    path = Path(path)
    try:
        atomic_write(path, lambda out: out.write(data))
    except OSError as e:
        if e.filename is None and e.errno is not None:  # say which file could not be written
            raise OSError(e.errno, e.strerror, str(path)) from e
        raise
    return path


def save_png(fig: Any, path: str | Path) -> Path:
    """Write the figure ``fig`` to ``path`` (returned as a Path) as a PNG of at most 256 colours (a third of the bytes, and the
    eye sees no difference in these grey images and flat colours), atomically. The
    picture goes from the renderer's pixels straight to the palette: one PNG encoding."""
    try:
        from PIL import Image  # matplotlib depends on Pillow
    except ImportError:  # pragma: no cover
        buf = io.BytesIO()
        fig.savefig(buf, dpi=DPI, format="png")
        return write_file(path, buf.getvalue())
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig.set_dpi(DPI)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return _write_palette_png(Image.fromarray(np.asarray(canvas.buffer_rgba())[..., :3]), path)


def _write_palette_png(rgb: Any, path: str | Path) -> Path:
    """A Pillow RGB image as a 256-colour PNG, at zlib's default level (its maximum takes
    6 times as long for 5 % fewer bytes), written atomically."""
    from PIL import Image

    octree = getattr(Image, "Quantize", Image).FASTOCTREE  # Pillow < 9.1: Image.FASTOCTREE
    small = io.BytesIO()
    rgb.quantize(colors=256, method=octree).save(small, format="png")
    return write_file(path, small.getvalue())


def banner(path: str | Path, text: str) -> Path:
    """Put a one-line red banner across the top of the PNG at ``path`` (a quick run's
    note, say): the picture is kept pixel for pixel below it, and the file rewritten.
    Drawn with Pillow in matplotlib's own bold font: no second rendering of the figure."""
    require_matplotlib()
    import matplotlib
    from PIL import Image, ImageDraw, ImageFont

    with Image.open(path) as img:
        picture = img.convert("RGB")
    w, h = picture.size
    strip = 26  # pixels
    out = Image.new("RGB", (w, h + strip), "white")
    out.paste(picture, (0, strip))
    draw = ImageDraw.Draw(out)
    bold = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans-Bold.ttf"
    size = 14  # 10 points at DPI
    font = ImageFont.truetype(str(bold), size)
    while size > 6 and draw.textlength(text, font=font) > w - 8:  # one line always
        size -= 1
        font = ImageFont.truetype(str(bold), size)
    draw.text((w / 2, strip / 2), text, fill=(214, 39, 40), font=font, anchor="mm")  # tab:red
    return _write_palette_png(out, path)


def add_caption(fig: Any, caption: str | None) -> None:
    """Put ``caption`` (a sentence, wrapped) under the figure; nothing when it is None or empty."""
    if caption:
        fig.supxlabel(caption, fontsize=9, wrap=True)


def as_images(images: Any) -> tuple[np.ndarray, int]:
    """Images as rows (N, D = side^2) or as squares (N, side, side) -> ((N, side, side)
    float64 array, side); a ValueError names a shape that is neither."""
    a = np.asarray(images, dtype=np.float64)
    if a.ndim == 3 and a.shape[1] == a.shape[2]:
        return a, a.shape[1]
    if a.ndim != 2:
        raise ValueError(f"images must have shape (N, D) or (N, side, side), got {a.shape}")
    side = math.isqrt(a.shape[1])
    if side * side != a.shape[1]:
        raise ValueError(f"images of {a.shape[1]} pixels are not square")
    return a.reshape(len(a), side, side), side


def tile(images: Any, ncols: int, pad: int = 1, pad_value: float = 0.5) -> np.ndarray:
    """Tile N images into one picture with ``ncols`` columns.

    Args:
        images: (N, D) or (N, side, side).
        ncols: images per row; the last row is filled with ``pad_value``.
        pad: pixels of ``pad_value`` between and around the images.

    Returns:
        (rows * (side + pad) + pad, ncols * (side + pad) + pad) array.
    """
    a, side = as_images(images)
    ncols = max(1, int(ncols))
    rows = max(1, math.ceil(len(a) / ncols))
    step = side + pad
    out = np.full((rows * step + pad, ncols * step + pad), pad_value, dtype=np.float64)
    for k, img in enumerate(a):
        r, c = divmod(k, ncols)
        out[pad + r * step : pad + r * step + side, pad + c * step : pad + c * step + side] = img
    return out


def draw_grid(
    ax: Any,
    images: Any,
    ncols: int | None,
    row_labels: Sequence[str] | None = None,
    col_labels: Sequence[str] | None = None,
    pad: int = 1,
) -> None:
    """Draw ``images`` (N, D) or (N, side, side) on ``ax`` as one grey picture of ``ncols``
    columns (default: a square-ish grid), ``pad`` pixels of grey between them, with one
    label per row at the left and per column below when given: the grid of every figure
    of images (images.py, manifold.py, latent.py)."""
    a, side = as_images(images)
    ncols = ncols or max(1, math.ceil(math.sqrt(len(a))))
    ax.imshow(tile(a, ncols, pad), cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
    centre = pad + side / 2 - 0.5
    step = side + pad
    if row_labels is not None:
        ax.set_yticks([centre + i * step for i in range(len(row_labels))])
        ax.set_yticklabels(list(row_labels))
    else:
        ax.set_yticks([])
    if col_labels is not None:
        ax.set_xticks([centre + i * step for i in range(len(col_labels))])
        ax.set_xticklabels(list(col_labels), fontsize=8)
    else:
        ax.set_xticks([])
    ax.tick_params(length=0)


def ellipse(ax: Any, mu: np.ndarray, sigma: np.ndarray, k: float, **style: Any) -> None:
    """Draw on ``ax`` the k-sigma ellipse of N(mu, diag sigma^2), mu and sigma (2,): q(z|x)
    in latent.py's ``no_sampling_panels`` and density.py's ``posterior_panels``."""
    t = np.linspace(0, 2 * np.pi, 200)
    ax.plot(mu[0] + k * sigma[0] * np.cos(t), mu[1] + k * sigma[1] * np.sin(t), **style)
