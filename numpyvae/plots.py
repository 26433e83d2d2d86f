"""The lecture's figures, drawn from NumPy arrays.

Every function takes arrays and a ``path``, writes one small PNG (about 100 dpi) with a
title, axis labels and a legend where it helps, and returns the path. Nothing here
trains or changes a model: the demos compute the arrays, this module only reads them.

matplotlib is imported inside the functions, so ``import numpyvae`` (and even
``import numpyvae.plots``) never imports it. The figures are built with
``matplotlib.figure.Figure`` directly, not with ``pyplot``: no window opens, no
backend is switched (so calling these from a notebook or a headless server is equally
safe, ``MPLBACKEND=Agg`` or not), and no figure is left open.

Images are rows of ``D = side * side`` pixels in [0, 1], e.g. ``(N, 784)`` for 28x28.

=======================  ======================================================
function                 the lecture's figure
=======================  ======================================================
``image_grid``           a grid of images (samples, decoded points)
``recon_grid``           inputs and their reconstructions, rows alternating
``latent_scatter``       2-D codes coloured by digit (the manifold, 도입 / 참고)
``scatter_panels``       several scatters side by side (beta-VAE)
``grid_panels``          several image grids side by side (beta-VAE)
``manifold_grid``        decoded 20x20 grid of z spaced by the inverse normal CDF
``training_curves``      -ELBO, reconstruction error and KL per epoch (Loss Function)
``histograms``           mu + sigma * eps against direct sampling (단계2)
``loss_terms``           reconstruction error and KL per model, as bars
``inverse_normal_cdf``   Phi^-1 (statistics.NormalDist), used by ``manifold_grid``
=======================  ======================================================
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

DPI = 100

# ---- the inverse normal CDF -------------------------------------------------------------


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


# ---- helpers --------------------------------------------------------------------------


def _figure(figsize: tuple[float, float]) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=figsize, layout="constrained")


def _save(fig: Any, path: str | Path) -> Path:
    """Write the figure as a PNG of at most 256 colours (a third of the bytes, and the
    eye sees no difference in these grey images and flat colours)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    fig.savefig(buf, dpi=DPI, format="png")
    try:
        from PIL import Image  # matplotlib depends on Pillow
    except ImportError:  # pragma: no cover
        path.write_bytes(buf.getvalue())
        return path
    buf.seek(0)
    with Image.open(buf) as img:
        octree = getattr(Image, "Quantize", Image).FASTOCTREE  # Pillow < 9.1: Image.FASTOCTREE
        palette = img.convert("RGB").quantize(colors=256, method=octree)
    palette.save(path, format="png", optimize=True)
    return path


def _caption(fig: Any, caption: str | None) -> None:
    if caption:
        fig.supxlabel(caption, fontsize=9, wrap=True)


def _as_images(images: Any) -> tuple[np.ndarray, int]:
    """(N, D) or (N, side, side) -> ((N, side, side) float array, side)."""
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
    a, side = _as_images(images)
    ncols = max(1, int(ncols))
    rows = max(1, math.ceil(len(a) / ncols))
    step = side + pad
    out = np.full((rows * step + pad, ncols * step + pad), pad_value, dtype=np.float64)
    for k, img in enumerate(a):
        r, c = divmod(k, ncols)
        out[pad + r * step : pad + r * step + side, pad + c * step : pad + c * step + side] = img
    return out


def _draw_grid(
    ax: Any,
    images: Any,
    ncols: int | None,
    row_labels: Sequence[str] | None = None,
    col_labels: Sequence[str] | None = None,
    pad: int = 1,
) -> None:
    a, side = _as_images(images)
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


# ---- image grids ----------------------------------------------------------------------


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
    a, _ = _as_images(images)
    ncols = ncols or max(1, math.ceil(math.sqrt(len(a))))
    rows = max(1, math.ceil(len(a) / ncols))
    cell = min(0.55, 10.0 / ncols)  # inches per image
    width = 1.0 + cell * ncols + (1.2 if row_labels is not None else 0.0)
    height = 0.9 + cell * rows + (0.5 if caption else 0.0)
    fig = _figure((width, height))
    ax = fig.add_subplot()
    _draw_grid(ax, a, ncols, row_labels, col_labels)
    ax.set_title(title)
    _caption(fig, caption)
    return _save(fig, path)


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
    x, _ = _as_images(originals)
    r, _ = _as_images(recons)
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
    fig = _figure((3.6 * len(panels) + 0.4, 4.2 + (0.4 if caption else 0.0)))
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (name, images) in zip(axes, panels):
        _draw_grid(ax, images, ncols)
        ax.set_title(name)
    fig.suptitle(title)
    _caption(fig, caption)
    return _save(fig, path)


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
    a, _ = _as_images(decode(z))  # (n * n, side, side)
    if len(a) != n * n:
        raise ValueError(f"the manifold needs {n * n} images, got {len(a)}")
    zs = z[:n, 0]  # the n values of z1 (and, reversed, of z2)
    every = max(1, n // 5)
    idx = list(range(0, n, every))
    fig = _figure((7.0, 7.4 + (0.4 if caption else 0.0)))
    ax = fig.add_subplot()
    _draw_grid(ax, a, n, [""] * n, [""] * n)
    ax.set_xticks(ax.get_xticks()[idx])
    ax.set_xticklabels([f"{zs[i]:.2f}" for i in idx])
    ax.set_yticks(ax.get_yticks()[idx])
    ax.set_yticklabels([f"{zs[::-1][i]:.2f}" for i in idx])
    ax.tick_params(length=3)
    ax.set_xlabel(r"$z_1 = \Phi^{-1}(u_1)$")
    ax.set_ylabel(r"$z_2 = \Phi^{-1}(u_2)$")
    ax.set_title(title)
    _caption(fig, caption)
    return _save(fig, path)


# ---- scatters -------------------------------------------------------------------------


def _draw_scatter(
    ax: Any,
    codes: Any,
    labels: Any,
    points: Mapping[str, Any] | None = None,
    legend: bool = True,
    prior_circle: bool = False,
) -> None:
    import matplotlib

    codes = np.asarray(codes, dtype=np.float64)
    if codes.ndim != 2 or codes.shape[1] < 2:
        raise ValueError(f"codes must have shape (N, 2), got {codes.shape}")
    labels = np.asarray(labels)
    if labels.shape != (len(codes),):
        raise ValueError(f"labels must have shape ({len(codes)},), got {labels.shape}")
    cmap = matplotlib.colormaps["tab10"]
    for k, value in enumerate(np.unique(labels)):
        m = labels == value
        ax.scatter(codes[m, 0], codes[m, 1], s=2, alpha=0.6, color=cmap(k % 10),
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
    _draw_scatter(ax, codes, labels, points, prior_circle=prior_circle)
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
        _draw_scatter(ax, codes, labels, legend=i == len(panels) - 1, prior_circle=prior_circle)
        ax.set_title(name)
    fig.suptitle(title)
    _caption(fig, caption)
    return _save(fig, path)


# ---- curves and bars ------------------------------------------------------------------


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
    fig = _figure((12.0, 3.6))
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
    return _save(fig, path)


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
    fig = _figure((8.0, 3.4))
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
    return _save(fig, path)


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
    fig = _figure((4.0 * len(panels) + 0.4, 3.6))
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
    return _save(fig, path)
