"""log p(x) itself, by quadrature over z, for a VAE with a latent space of 1 or 2 dimensions.

    log p(x) = log integral p(x|z) p(z) dz

has no closed form, which is why the VAE optimises a bound (the ELBO, Eq. 6) and
reports another (Eq. 11, numpyvae/elbo.py). With 1 or 2 latent dimensions the integral
can be summed on a grid of z, almost exactly: the value both bounds approach from
below, and the true posterior p(z|x) = p(x|z) p(z) / p(x) on the grid, to draw beside
q(z|x) (demos/variational_gap.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .losses import log_std_normal
from .model import VAE


@dataclass
class LatentGrid:
    """log p(x, z) = log p(x|z) + log p(z) of one image on a regular grid of z.

    ``axes`` holds one (n,) array per latent dimension, ``log_joint`` is (n,) or (n, n)
    (axis j along ``axes[j]``), ``cell`` the length or area of one grid cell.
    """

    axes: list[np.ndarray]
    log_joint: np.ndarray
    cell: float

    @property
    def log_px(self) -> float:
        """log p(x) = log of the integral of p(x, z) over z, as a sum over the cells."""
        m = float(self.log_joint.max())
        return m + math.log(float(np.exp(self.log_joint - m).sum()) * self.cell)

    @property
    def posterior(self) -> np.ndarray:
        """p(z|x) = p(x, z) / p(x) at the grid points (a density: sums to 1 / cell)."""
        return np.exp(self.log_joint - self.log_px)

    @property
    def edge_mass(self) -> float:
        """The posterior's mass in the grid's outermost cells: near 0 when the grid holds it."""
        mass = self.posterior * self.cell
        inner = mass[(slice(1, -1),) * mass.ndim].sum()
        return float(mass.sum() - inner)


def latent_grid(model: VAE, x: np.ndarray, points: int = 41, span: float = 8.0,
                max_rows: int = 8192) -> list[LatentGrid]:
    """log p(x, z) of each image of ``x`` (N, D) on a grid of z around its q(z|x).

    The grid of each image has ``points`` points per latent dimension, from
    mu - span sigma to mu + span sigma (mu and sigma of q(z|x), Eq. 1 and 2), so it
    follows a posterior wherever it lies. Where more than 1e-7 of the posterior's mass
    lies in the grid's outer cells (q was too narrow, or off), that image's grid is
    made twice as wide, with the same spacing, up to three times. Only for latent_dim
    1 or 2: the grid costs points^latent_dim decodes per image.
    """
    latent = model.config.latent_dim
    if latent not in (1, 2):
        raise ValueError(f"a grid over z needs latent_dim 1 or 2, got {latent}")
    if points < 3 or span <= 0:
        raise ValueError(f"need points >= 3 and span > 0, got {points} and {span}")
    mu, logvar = model.encode(x)  # Eq. (1)   (N, L); encode checks x
    x = np.asarray(x)
    sigma = np.exp(logvar.astype(np.float64) / 2)  # Eq. (2)
    grids = []
    for i in range(len(x)):
        for widen in range(4):  # span, 2 span, 4 span, 8 span
            n = (points - 1) * 2**widen + 1
            t = np.linspace(-span * 2**widen, span * 2**widen, n)  # in units of sigma
            grid = _grid_of_one(model, x[i], [mu[i, j] + sigma[i, j] * t for j in range(latent)], max_rows)
            if grid.edge_mass < 1e-7:
                break
        grids.append(grid)
    return grids


def _grid_of_one(model: VAE, x: np.ndarray, axes: list[np.ndarray], max_rows: int) -> LatentGrid:
    """log p(x|z) + log p(z) of one image x (D,) at every point of the grid ``axes``."""
    latent = len(axes)
    mesh = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, latent)  # (P, L)
    log_px_z = np.empty(len(mesh))
    for s in range(0, len(mesh), max_rows):
        logits = model.decode_logits(mesh[s : s + max_rows].astype(model.dtype))  # Eq. (3)
        log_px_z[s : s + max_rows] = -model.recon_nll(logits, x, need_grad=False)[0]  # -Eq. (4)
    log_pz = log_std_normal(mesh)  # log p(z) = log N(z; 0, I)   (P,)
    cell = float(np.prod([a[1] - a[0] for a in axes]))
    return LatentGrid(axes, (log_px_z + log_pz).reshape([len(a) for a in axes]), cell)


def log_likelihood_grid(model: VAE, x: np.ndarray, points: int = 41, span: float = 8.0) -> np.ndarray:
    """log p(x) of each image by quadrature over z: (N,) float64, in nats.

        log p(x) = log integral p(x|z) p(z) dz ~ log sum_cells p(x|z_c) p(z_c) |cell|

    on the grid of :func:`latent_grid`, 0.4 sigma of q apart by default: the trapezoid rule.
    For a smooth decoder (tanh) the error falls faster than any power of the spacing; a
    ReLU decoder's kinks make it second order, so its accuracy rests on measurement
    (docs/derivations.md, section 6: 41 points within 1e-2 nats of a 321-point grid). The
    mass outside the grid is kept under 1e-7. On a linear-Gaussian model, whose log p(x)
    is known in closed form, it is exact to 1e-6 nats even when q is off or too narrow
    (tests/test_quadrature.py).
    Unlike Eq. (11) it is no bound and has no sampling noise: it is the log-likelihood
    that the ELBO and the importance-weighted estimate approach from below.
    """
    return np.array([g.log_px for g in latent_grid(model, x, points, span)])
