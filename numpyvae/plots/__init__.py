"""The lecture's figures, drawn from NumPy arrays.

Every function takes arrays and a ``path``, writes one small PNG (about 100 dpi) with a
title, axis labels and a legend where it helps, and returns the path. Nothing here
trains or changes a model: the demos compute the arrays, this package only reads them.

matplotlib is imported inside the functions, so ``import numpyvae`` (and even
``import numpyvae.plots``) never imports it. The figures are built with
``matplotlib.figure.Figure`` directly, not with ``pyplot``: no window opens, no
backend is switched (so calling these from a notebook or a headless server is equally
safe, ``MPLBACKEND=Agg`` or not), and no figure is left open.

Images are rows of ``D = side * side`` pixels in [0, 1], e.g. ``(N, 784)`` for 28x28.

=======================  ===============  ==============================================
function                 module           the lecture's figure
=======================  ===============  ==============================================
``image_grid``           ``images.py``    a grid of images (samples, decoded points)
``recon_grid``           ``images.py``    inputs and their reconstructions, rows
                                          alternating
``grid_panels``          ``images.py``    several image grids side by side (beta-VAE)
``save_image_grid``      ``images.py``    the grid of ``numpyvae sample``, any format
``manifold_grid``        ``manifold.py``  decoded 20x20 grid of z spaced by the inverse
                                          normal CDF
``manifold_latents``     ``manifold.py``  the z of that grid, (n * n, 2)
``inverse_normal_cdf``   ``manifold.py``  Phi^-1 (statistics.NormalDist), used by
                                          ``manifold_latents``
``latent_scatter``       ``latent.py``    2-D codes coloured by digit (the manifold,
                                          도입 / 참고)
``scatter_panels``       ``latent.py``    several scatters side by side (beta-VAE)
``latent_panels``        ``compare.py``   AutoEncoder and VAE: scatters on the same axes,
                                          their random points, N(0, I)'s circles
``decode_panels``        ``compare.py``   their decoded random points side by side, the
                                          far ones framed
``manifold_panels``      ``compare.py``   their decoded grids side by side, z as ticks
``no_sampling_panels``   ``compare.py``   the -ELBO with z = mu against the honest one; a
                                          model trained with z = mu beside the VAE (단계2)
``training_curves``      ``curves.py``    -ELBO, reconstruction error and KL per epoch
                                          (Loss Function)
``loss_terms``           ``curves.py``    reconstruction error and KL per model
``histograms``           ``curves.py``    mu + sigma * eps against direct sampling (단계2)
``posterior_panels``     ``density.py``   p(z|x) on a grid against q(z|x) (Variational
                                          Method)
``bound_curve``          ``density.py``   -ELBO, Eq. (11) against K, -log p(x)
``density_histograms``   ``density.py``   histograms of log p(x) (Density Estimation)
``hdr_levels``           ``density.py``   density levels holding given masses
``LatentExplorer``       ``explorer.py``  a 2-D latent space to walk with the mouse, on
                                          a Figure it is given (``ExplorerModel``: one
                                          model to explore)
``tile``                 ``_figure.py``   N images tiled into one array
``banner``               ``_figure.py``   a red line across the top of a written PNG
                                          (what a quick run could not show)
=======================  ===============  ==============================================

``_figure.py`` also holds what every figure shares: the Figure, the PNG writer
(``DPI``), the caption, and :class:`PlotDependencyError`, raised by every function
here when matplotlib is missing, and by :func:`require_matplotlib`, which a script
calls first so that it stops before it trains, not after.
"""

from ._figure import DPI, PlotDependencyError, banner, require_matplotlib, tile
from .compare import decode_panels, latent_panels, manifold_panels, no_sampling_panels
from .curves import histograms, loss_terms, training_curves
from .density import bound_curve, density_histograms, hdr_levels, posterior_panels
from .explorer import ExplorerModel, LatentExplorer
from .images import grid_panels, image_grid, recon_grid, save_image_grid
from .latent import latent_scatter, scatter_panels
from .manifold import inverse_normal_cdf, manifold_grid, manifold_latents

__all__ = [
    "DPI", "ExplorerModel", "LatentExplorer", "PlotDependencyError", "banner", "bound_curve",
    "decode_panels", "density_histograms", "grid_panels", "hdr_levels", "histograms",
    "image_grid", "inverse_normal_cdf", "latent_panels", "latent_scatter", "loss_terms",
    "manifold_grid", "manifold_latents", "manifold_panels", "no_sampling_panels",
    "posterior_panels", "recon_grid", "require_matplotlib", "save_image_grid",
    "scatter_panels", "tile", "training_curves",
]
