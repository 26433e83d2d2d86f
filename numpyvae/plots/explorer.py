"""A 2-D latent space to walk with the mouse (demos/explore_latent.py).

:class:`LatentExplorer` draws, on a matplotlib Figure it is given, a model's test codes
at the left and, at the right, the image decoded at the mouse pointer, redrawn as the
pointer moves. A click pins a point; a second click draws the line between the two and
the images decoded along it (a third click starts again). A key switches to the next
model (an AutoEncoder of the same architecture, say), so its gaps can be felt.

It only reads arrays and calls the ``decode`` functions it is given (Eq. 3), like
:func:`~numpyvae.plots.manifold_grid`; the window (pyplot) is the demo's business, so
the handlers can be driven by synthetic events on a headless canvas (the tests do).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .figure import as_images, tile
from .latent import draw_scatter, prior_circles

#: the key that switches to the next model
SWITCH_KEY = "m"
HELP = (f"move over the codes: the image decoded there; click: pin a point, click again: "
        f"the line between; '{SWITCH_KEY}': the next model")


@dataclass
class ExplorerModel:
    """One model to explore: ``decode`` maps z (M, 2) to images (M, D); ``codes`` (N, 2)
    and ``labels`` (N,) are its test set's codes and digits; ``prior``: draw N(0, I)'s
    circles (for a VAE)."""

    decode: Callable[[np.ndarray], np.ndarray]
    codes: np.ndarray
    labels: np.ndarray
    prior: bool = False


class LatentExplorer:
    """The explorer on ``fig`` (a matplotlib Figure), for ``models`` ({name: ExplorerModel}),
    starting with the first; ``steps`` images along a pinned line."""

    def __init__(self, fig: Any, models: Mapping[str, ExplorerModel], steps: int = 10) -> None:
        if not models:
            raise ValueError("LatentExplorer needs at least one model")
        self.fig, self.models, self.steps = fig, dict(models), steps
        grid = fig.add_gridspec(2, 2, height_ratios=(4, 1), width_ratios=(1.3, 1))
        self.ax_codes = fig.add_subplot(grid[0, 0])
        self.ax_image = fig.add_subplot(grid[0, 1])
        self.ax_line = fig.add_subplot(grid[1, :])
        for ax in (self.ax_image, self.ax_line):
            ax.set_xticks([])
            ax.set_yticks([])
        fig.suptitle(HELP, fontsize=9)
        self.name = next(iter(self.models))
        self.z: np.ndarray | None = None  # where the image at the right was decoded
        self.pinned: list[np.ndarray] = []
        self.line_images: np.ndarray | None = None  # (steps, D) along the pinned line
        self._artists: list[Any] = []
        self.image = None
        fig.canvas.mpl_connect("motion_notify_event", self.on_move)
        fig.canvas.mpl_connect("button_press_event", self.on_click)
        fig.canvas.mpl_connect("key_press_event", self.on_key)
        self.show(self.name)

    # ---- what is drawn --------------------------------------------------------------

    def show(self, name: str) -> None:
        """Draw model ``name``'s codes, forget the pinned points, decode at its codes' mean."""
        self.name, model = name, self.models[name]
        self.pinned, self.line_images = [], None
        ax = self.ax_codes
        ax.clear()
        draw_scatter(ax, model.codes, model.labels, legend=False)
        if model.prior:
            prior_circles(ax)
        lo, hi = np.percentile(model.codes, [0.5, 99.5], axis=0)
        pad = 0.08 * (hi - lo).max()
        ax.set_xlim(lo[0] - pad, hi[0] + pad)
        ax.set_ylim(lo[1] - pad, hi[1] + pad)
        names = " / ".join(f"[{n}]" if n == name else n for n in self.models)
        ax.set_title(f"test codes: {names}", fontsize=10)
        self._artists = []
        self.ax_line.clear()
        self.ax_line.set_xticks([])
        self.ax_line.set_yticks([])
        self.ax_line.set_title("click two points: the images decoded along the line", fontsize=9)
        self.decode_at(np.asarray(model.codes, dtype=np.float64).mean(axis=0))

    def decode_at(self, z: Any) -> np.ndarray:
        """Decode z (2,) with the current model and show it at the right; returns (D,)."""
        self.z = np.asarray(z, dtype=np.float64).reshape(2)
        picture, _ = as_images(self.models[self.name].decode(self.z[None, :]))
        if self.image is None:
            self.image = self.ax_image.imshow(picture[0], cmap="gray", vmin=0, vmax=1)
        else:
            self.image.set_data(picture[0])
        self.ax_image.set_title(f"{self.name}: decoded at z = ({self.z[0]:.2f}, {self.z[1]:.2f})",
                                fontsize=10)
        self.fig.canvas.draw_idle()
        return picture[0].ravel()

    def pin(self, z: Any) -> None:
        """Pin z (2,); with two pinned, draw the line and the images decoded along it."""
        if len(self.pinned) == 2:  # a third click starts again
            for artist in self._artists:
                artist.remove()
            self._artists, self.pinned, self.line_images = [], [], None
        z = np.asarray(z, dtype=np.float64).reshape(2)
        self.pinned.append(z)
        self._artists += self.ax_codes.plot(*z, "k*", markersize=12)
        if len(self.pinned) == 2:
            a, b = self.pinned
            t = np.linspace(0.0, 1.0, self.steps)[:, None]  # (steps, 1)
            line = (1 - t) * a + t * b  # (steps, 2)
            self._artists += self.ax_codes.plot(line[:, 0], line[:, 1], "k-", linewidth=1.2)
            self.line_images = np.asarray(self.models[self.name].decode(line))  # Eq. (3)
            self.ax_line.imshow(tile(self.line_images, self.steps), cmap="gray", vmin=0, vmax=1)
            self.ax_line.set_title(f"{self.name}: decoded at {self.steps} points from "
                                   f"({a[0]:.2f}, {a[1]:.2f}) to ({b[0]:.2f}, {b[1]:.2f})",
                                   fontsize=9)
        self.fig.canvas.draw_idle()

    # ---- the event handlers --------------------------------------------------------

    def on_move(self, event: Any) -> None:
        if event.inaxes is self.ax_codes and event.xdata is not None:
            self.decode_at((event.xdata, event.ydata))

    def on_click(self, event: Any) -> None:
        if event.inaxes is self.ax_codes and event.xdata is not None:
            self.pin((event.xdata, event.ydata))

    def on_key(self, event: Any) -> None:
        if event.key == SWITCH_KEY:
            names = list(self.models)
            self.show(names[(names.index(self.name) + 1) % len(names)])
