"""The variational gap and the density a VAE assigns (lecture: Variational Method,
Density Estimation): posteriors against q(z|x), the bounds on -log p(x) against K,
histograms of -log p(x) for several sets of images."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .figure import add_caption, as_images, ellipse, new_figure, save_png

#: mass inside the 1- and 2-sigma ellipses of a 2-D Gaussian: 1 - exp(-k^2 / 2)
SIGMA_MASS = (1 - math.exp(-0.5), 1 - math.exp(-2.0))


def hdr_levels(density: Any, cell: float, masses: Sequence[float] = SIGMA_MASS) -> np.ndarray:
    """Density thresholds whose regions {p >= level} hold the given masses, increasing.

    density: (n, n) values of a density on a grid of cells of area ``cell``.
    """
    d = np.sort(np.asarray(density, dtype=np.float64).ravel())[::-1]
    cum = np.cumsum(d) * cell
    cum /= cum[-1]
    levels = [d[min(int(np.searchsorted(cum, m)), len(d) - 1)] for m in masses]
    return np.array(sorted(levels))


def posterior_panels(
    images: Any,
    axes: Sequence[tuple[np.ndarray, np.ndarray]],
    posteriors: Sequence[np.ndarray],
    mus: Any,
    sigmas: Any,
    titles: Sequence[str],
    path: str | Path,
    title: str,
    caption: str | None = None,
    ncols: int = 3,
) -> Path:
    """The true posterior p(z|x) on a grid (filled contours) and q(z|x) = N(mu, sigma^2)
    (ellipses), one panel per image, the image inset in a corner.

    The posterior's contours enclose 39 % and 86 % of its mass, as the 1- and 2-sigma
    ellipses of q do: where q were p(z|x), the two would coincide.

    Args:
        images: (M, D) the images x.
        axes: per image, the grid's (z1 values (n1,), z2 values (n2,)).
        posteriors: per image, (n1, n2) density p(z|x) on that grid (axis 0 along z1).
        mus, sigmas: (M, 2) mean and standard deviation of q(z|x).
        titles: one per panel.
    """
    from matplotlib.ticker import MaxNLocator

    imgs, _ = as_images(images)
    mus = np.asarray(mus, dtype=np.float64)
    sigmas = np.asarray(sigmas, dtype=np.float64)
    m = len(imgs)
    if not (len(axes) == len(posteriors) == len(mus) == len(sigmas) == len(titles) == m):
        raise ValueError("images, axes, posteriors, mus, sigmas and titles must have one entry per image")
    ncols = max(1, min(ncols, m))
    nrows = math.ceil(m / ncols)
    fig = new_figure((3.7 * ncols, 3.6 * nrows + 0.5 + (0.4 if caption else 0.0)))
    grid = fig.subplots(nrows, ncols, squeeze=False)
    for i in range(m):
        ax = grid.flat[i]
        z1, z2 = (np.asarray(a, dtype=np.float64) for a in axes[i])
        post = np.asarray(posteriors[i], dtype=np.float64)
        cell = float((z1[1] - z1[0]) * (z2[1] - z2[0]))
        lv = hdr_levels(post, cell)
        ax.contourf(z1, z2, post.T, levels=[lv[0], lv[1], post.max() * 1.001],
                    colors=["#9ecae1", "#3182bd"])
        ax.contour(z1, z2, post.T, levels=lv, colors="#08519c", linewidths=0.8)
        for k, ls in ((1, "-"), (2, "--")):
            ellipse(ax, mus[i], sigmas[i], k, color="tab:red", linestyle=ls, linewidth=1.6)
        ax.plot(*mus[i], "+", color="tab:red", markersize=8)
        # the view: the posterior's 99.9 % region and q's 3-sigma ellipse, the same span
        # on both axes, and a band at the top for the image
        keep = post >= hdr_levels(post, cell, (0.999,))[0]
        i1, i2 = np.nonzero(keep)
        lo = np.minimum([z1[i1].min(), z2[i2].min()], mus[i] - 3 * sigmas[i])
        hi = np.maximum([z1[i1].max(), z2[i2].max()], mus[i] + 3 * sigmas[i])
        c, r = (lo + hi) / 2, 0.6 * (hi - lo).max()
        ax.set_xlim(c[0] - r, c[0] + r)
        ax.set_ylim(c[1] - r, c[1] + 1.75 * r)
        ax.set_aspect("equal", adjustable="box")  # q's circles drawn as circles
        inset = ax.inset_axes([0.0, 0.74, 0.26, 0.26])
        inset.imshow(imgs[i], cmap="gray", vmin=0, vmax=1)
        inset.set_xticks([])
        inset.set_yticks([])
        ax.set_title(titles[i], fontsize=9)
        ax.set_xlabel(r"$z_1$")
        ax.set_ylabel(r"$z_2$")
        ax.tick_params(labelsize=8)
        ax.xaxis.set_major_locator(MaxNLocator(5))
        ax.yaxis.set_major_locator(MaxNLocator(5))
    for ax in list(grid.flat)[m:]:
        ax.set_visible(False)
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [Patch(color="#3182bd", label="true p(z|x): 39 % of its mass"),
               Patch(color="#9ecae1", label="true p(z|x): 86 % of its mass"),
               Line2D([], [], color="tab:red", label=r"q(z|x): 1 $\sigma$ (39 %)"),
               Line2D([], [], color="tab:red", linestyle="--", label=r"q(z|x): 2 $\sigma$ (86 %)")]
    fig.legend(handles=handles, loc="outside upper center", ncols=4, fontsize=9, frameon=False,
               title=title, title_fontsize=12)  # the legend's title is the figure's
    add_caption(fig, caption)
    return save_png(fig, path)


def bound_curve(
    ks: Sequence[int],
    iw_nll: Sequence[float],
    neg_elbo: float,
    nll: float,
    path: str | Path,
    title: str,
    caption: str | None = None,
) -> Path:
    """The exact -ELBO, the importance-weighted bounds -L_K (Eq. 11) and -log p(x),
    averaged over images: -L_K falls towards -log p(x) as K grows.

    Args:
        ks: the numbers of samples K; iw_nll: the mean -L_K for each K (an upper bound
            on -log p(x) in expectation).
        neg_elbo: the mean -ELBO; nll: the mean -log p(x) (by quadrature).
        caption: a line under the plot (say, how far the K = 1 point is from the exact
            -ELBO: it is the -ELBO estimated with one sample of z per image, so it may
            sit above or below the line by sampling noise).

    The K = 1 point is drawn hollow: it estimates the -ELBO, not a tighter bound.
    """
    ks = np.asarray(ks, dtype=np.float64)
    iw = np.asarray(iw_nll, dtype=np.float64)
    fig = new_figure((7.0, 4.6 + (0.4 if caption else 0.0)))
    ax = fig.add_subplot()
    left, right = ks.min() / 3, ks.max() * 2
    ax.axhline(neg_elbo, color="tab:red", linestyle=":", linewidth=1.5,
               label=f"-ELBO (Eq. 6), exact = {neg_elbo:.2f}")
    ax.plot(ks, iw, "o-", color="tab:blue",
            label=r"$-L_K$, importance-weighted with K samples (Eq. 11)")
    for k, v in zip(ks, iw):
        ax.annotate(f"{v:.2f}", (k, v), textcoords="offset points", xytext=(9, 4),
                    fontsize=8, color="tab:blue")
    if ks[0] == 1:
        ax.plot(ks[:1], iw[:1], "o", color="white", markeredgecolor="tab:blue", markersize=7,
                label="K = 1: the -ELBO from one z per image\n(above or below the line by noise)")
    ax.axhline(nll, color="black", linewidth=1.5,
               label=f"-log p(x) by quadrature = {nll:.2f}")
    x_arrow = left * 1.6
    ax.annotate("", xy=(x_arrow, nll), xytext=(x_arrow, neg_elbo),
                arrowprops={"arrowstyle": "<->", "color": "tab:green", "linewidth": 1.5})
    ax.text(x_arrow * 1.15, (nll + neg_elbo) / 2,
            f"variational gap\n= KL(q(z|x) || p(z|x))\n= {neg_elbo - nll:.2f} nats",
            va="center", fontsize=9, color="tab:green")
    ax.set_xscale("log")
    ax.set_xlim(left, right)
    top = max(neg_elbo, float(iw.max()))
    span = top - nll
    ax.set_ylim(nll - 0.35 * span, top + 0.35 * span)
    ax.set_xticks(ks)
    ax.set_xticklabels([f"{int(k)}" for k in ks])
    ax.set_xlabel("K, samples of z ~ q(z|x) per image (log scale)")
    ax.set_ylabel("nats per image (mean)")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right", fontsize=8)
    ax.set_title(title)
    add_caption(fig, caption)
    return save_png(fig, path)


def density_histograms(
    values: Mapping[str, Any],
    path: str | Path,
    title: str,
    xlabel: str = "-log p(x), nats per image (log scale; left: more likely)",
    caption: str | None = None,
    bins: int = 70,
) -> Path:
    """Overlaid histograms of -log p(x) for several sets of images, with their means.

    The x axis is logarithmic, so that sets hundreds of nats apart fit on one figure and
    each still shows its spread.

    Args:
        values: ``{label: (N,) values of -log p(x)}`` (positive), drawn in that order; the
            mean goes into the legend and is marked by a dashed line.
    """
    import matplotlib

    if not values:
        raise ValueError("density_histograms needs at least one set of values")
    arrays = {k: np.asarray(v, dtype=np.float64).ravel() for k, v in values.items()}
    lo = min(float(a.min()) for a in arrays.values())
    hi = max(float(a.max()) for a in arrays.values())
    if lo <= 0:
        raise ValueError(f"-log p(x) must be positive for a log axis, got {lo}")
    edges = np.geomspace(lo * 0.97, hi * 1.03, bins + 1)
    fig = new_figure((8.0, 4.6 + (0.4 if caption else 0.0)))
    ax = fig.add_subplot()
    colors = matplotlib.colormaps["tab10"]
    top = 0
    for k, (label, a) in enumerate(arrays.items()):
        c = colors(k % 10)
        counts, _, _ = ax.hist(a, bins=edges, weights=np.full(len(a), 1 / len(a)), alpha=0.55,
                               color=c, label=f"{label}: mean {a.mean():.1f} ({len(a)} images)")
        ax.axvline(a.mean(), color=c, linestyle="--", linewidth=1.2)
        top = max(top, counts.max())
    ax.set_xscale("log")
    ax.set_ylim(0, top * 1.6)  # room for the legend
    ticks = [t for t in (20, 50, 100, 200, 500, 1000, 2000, 5000, 10000) if lo * 0.97 <= t <= hi * 1.03]
    ax.set_xticks(ticks)
    ax.set_xticklabels([str(t) for t in ticks])
    ax.set_xlabel(xlabel)
    ax.set_ylabel("fraction of the set's images per bin")
    ax.legend(loc="upper left", fontsize=8, title="mean -log p(x), nats", title_fontsize=8)
    ax.grid(alpha=0.3)
    ax.set_title(title)
    add_caption(fig, caption)
    return save_png(fig, path)
