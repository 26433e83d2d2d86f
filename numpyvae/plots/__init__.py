"""The lecture's figures, drawn from NumPy arrays.

Every function takes arrays and a ``path``, writes one small PNG (about 100 dpi) with a
title, axis labels and a legend where it helps, and returns the path. Nothing here
trains or changes a model: its callers (the demos, ``numpyvae sample``, ``numpyvae
exercises train``) compute the arrays, this package only reads them.

matplotlib is imported inside the functions, so ``import numpyvae`` (and even
``import numpyvae.plots``) never imports it. The figures are built with
``matplotlib.figure.Figure`` directly, not with ``pyplot``: no window opens, no
backend is switched (so calling these from a notebook or a headless server is equally
safe, ``MPLBACKEND=Agg`` or not), and no figure is left open.

Images are rows of ``D = side * side`` pixels in [0, 1], e.g. ``(N, 784)`` for 28x28.

The modules, by what they draw (every name below is also a name of this package):

- ``images``: grids of images: ``image_grid``, ``recon_grid`` (inputs and their
  reconstructions), ``grid_panels`` (grids side by side), ``decode_panels`` (decoded
  random points, the far ones framed), ``save_image_grid`` (``numpyvae sample``'s grid).
- ``manifold``: the decoded grid of z, spaced by the inverse normal CDF:
  ``manifold_grid``, ``manifold_panels`` (several models side by side),
  ``manifold_latents`` and ``inverse_normal_cdf`` (its z, plain NumPy).
- ``latent``: the plane of 2-D codes: ``latent_scatter``, ``scatter_panels``,
  ``latent_panels`` (two models on the same axes, N(0, I)'s circles),
  ``no_sampling_panels`` (z = mu against the honest -ELBO, 단계2).
- ``density``: the density a VAE assigns: ``posterior_panels`` (p(z|x) against
  q(z|x)), ``bound_curve`` (-ELBO, Eq. (11) against K, -log p(x)),
  ``density_histograms`` (-log p(x) of several sets), ``hdr_levels``.
- ``curves``: ``training_curves`` (the loss per epoch), ``loss_terms`` (its terms per
  model), ``histograms`` (mu + sigma * eps against direct sampling, 단계2).
- ``explorer``: ``LatentExplorer``, a latent space to walk with the mouse
  (``ExplorerModel``: one model to explore).
- ``figure``: what every figure is made of: ``tile``, ``banner`` (a red line across a
  written PNG: what a quick run could not show), ``DPI``, and
  :class:`PlotDependencyError`, raised by every function here when matplotlib is
  missing, and by :func:`require_matplotlib`, which a script calls first so that it
  stops before it trains, not after.
"""

from .curves import histograms, loss_terms, training_curves
from .density import bound_curve, density_histograms, hdr_levels, posterior_panels
from .explorer import ExplorerModel, LatentExplorer
from .figure import DPI, PlotDependencyError, banner, require_matplotlib, tile
from .images import decode_panels, grid_panels, image_grid, recon_grid, save_image_grid
from .latent import latent_panels, latent_scatter, no_sampling_panels, scatter_panels
from .manifold import (
    inverse_normal_cdf,
    manifold_grid,
    manifold_latents,
    manifold_panels,
)

__all__ = [
    "DPI", "ExplorerModel", "LatentExplorer", "PlotDependencyError", "banner", "bound_curve",
    "decode_panels", "density_histograms", "grid_panels", "hdr_levels", "histograms",
    "image_grid", "inverse_normal_cdf", "latent_panels", "latent_scatter", "loss_terms",
    "manifold_grid", "manifold_latents", "manifold_panels", "no_sampling_panels",
    "posterior_panels", "recon_grid", "require_matplotlib", "save_image_grid",
    "scatter_panels", "tile", "training_curves",
]
