"""log p(x) itself, by quadrature over z, for a VAE with a latent space of 1 or 2 dimensions.

    log p(x) = log integral p(x|z) p(z) dz

has no closed form, which is why the VAE optimises a bound (the ELBO, Eq. 6) and
reports another (Eq. 11, numpyvae/elbo.py). With 1 or 2 latent dimensions the integral
can be summed on a grid of z, almost exactly: the value both bounds approach from
below, and the true posterior p(z|x) = p(x|z) p(z) / p(x) on the grid, to draw beside
q(z|x) (demos/variational_gap.py).

The grid must lie where p(z|x) is. q(z|x) says where, for the images the encoder was
trained on; for others (noise, another data set) q can sit far from p(z|x), or be much
sharper, and a grid laid on q would miss most of the posterior. So p(z|x) is first
found on a coarse grid over the region of the prior (:func:`find_posteriors`), and the
grid of an image is laid on q only where that grid holds what the coarse one found;
otherwise it is laid on p(z|x) itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .losses import log_std_normal
from .model import VAE

#: the coarse grid that finds p(z|x) without q: FIND_POINTS points per latent dimension
#: over [-FIND_SPAN, FIND_SPAN] (N(0, I) puts e^-18 of its mass past 6 in a dimension)
FIND_SPAN = 6.0
FIND_POINTS = 49  # 0.25 apart

#: a grid is widened (same spacing) while its outer cells hold more of p(z|x) than this
EDGE_MASS = 1e-7

#: a grid is made twice as wide at most this many times; a grid around q at most
#: WIDENINGS_ON_Q times (further, one laid on p(z|x) costs less than q's fine spacing)
WIDENINGS = 3
WIDENINGS_ON_Q = 2

#: the coarse grid's mass of p(z|x) beyond a grid (by more than one coarse step) that
#: says the grid missed part of the posterior
MISSED_MASS = 1e-3


@dataclass
class LatentGrid:
    """log p(x, z) = log p(x|z) + log p(z) of one image on a regular grid of z.

    ``axes`` holds one (n,) array per latent dimension, ``log_joint`` is (n,) or (n, n)
    (axis j along ``axes[j]``), ``cell`` the length or area of one grid cell;
    ``laid_on`` says what the grid was laid on: ``"q(z|x)"``, ``"p(z|x)"`` or ``"prior"``.
    """

    axes: list[np.ndarray]
    log_joint: np.ndarray
    cell: float
    laid_on: str = "q(z|x)"

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

    @property
    def mean(self) -> np.ndarray:
        """The mean of p(z|x) on the grid, (L,)."""
        mass = self.posterior * self.cell
        return np.array([np.sum(mass * self._along(j)) for j in range(len(self.axes))])

    @property
    def sd(self) -> np.ndarray:
        """The standard deviation of p(z|x) along each latent dimension on the grid, (L,)."""
        mass, mean = self.posterior * self.cell, self.mean
        return np.sqrt([np.sum(mass * (self._along(j) - mean[j]) ** 2) for j in range(len(self.axes))])

    @property
    def spacing(self) -> np.ndarray:
        """The distance between neighbouring points along each latent dimension, (L,)."""
        return np.array([a[1] - a[0] for a in self.axes])

    def _along(self, j: int) -> np.ndarray:
        """z_j at every grid point, broadcast to the shape of ``log_joint``."""
        shape = [1] * len(self.axes)
        shape[j] = -1
        return self.axes[j].reshape(shape)


def _joint_on_grid(model: VAE, x: np.ndarray, axes: list[np.ndarray], max_rows: int = 8192,
                  logits: np.ndarray | None = None, laid_on: str = "q(z|x)") -> LatentGrid:
    """log p(x|z) + log p(z) of one image x (D,) at every point of the grid ``axes``.

    The points are decoded ``max_rows`` at a time (Eq. 3), or taken from ``logits``
    (P, D) already decoded at them (the coarse grid, decoded once for every image).
    """
    latent = len(axes)
    mesh = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, latent)  # (P, L)
    log_px_z = np.empty(len(mesh))
    for s in range(0, len(mesh), max_rows):
        if logits is None:
            rows = model.decode_logits(mesh[s : s + max_rows].astype(model.dtype))  # Eq. (3)
        else:
            rows = logits[s : s + max_rows]  # decoded already
        log_px_z[s : s + max_rows] = -model.recon_nll(rows, x, need_grad=False)[0]  # -Eq. (4)
    log_pz = log_std_normal(mesh)  # log p(z) = log N(z; 0, I)   (P,)
    cell = float(np.prod([a[1] - a[0] for a in axes]))
    return LatentGrid(axes, (log_px_z + log_pz).reshape([len(a) for a in axes]), cell, laid_on)


def grid_around(model: VAE, x: np.ndarray, centre: np.ndarray, scale: np.ndarray,
                points: int = 41, span: float = 8.0, max_rows: int = 8192,
                laid_on: str = "q(z|x)", widenings: int = WIDENINGS) -> LatentGrid:
    """The grid of one image x (D,) from centre - span scale to centre + span scale
    (centre, scale (L,)), ``points`` points per dimension; made twice as wide with the
    same spacing, up to ``widenings`` times, while its outer cells hold more than
    :data:`EDGE_MASS` of the posterior."""
    for widen in range(widenings + 1):  # span, 2 span, 4 span, 8 span
        n = (points - 1) * 2**widen + 1
        t = np.linspace(-span * 2**widen, span * 2**widen, n)  # in units of scale
        grid = _joint_on_grid(model, x, [c + s * t for c, s in zip(centre, scale)], max_rows,
                             laid_on=laid_on)
        if grid.edge_mass < EDGE_MASS:
            break
    return grid


def find_posteriors(model: VAE, x: np.ndarray) -> list[LatentGrid]:
    """p(z|x) of each image of ``x`` (N, D) on one coarse grid over the region of the
    prior, [-FIND_SPAN, FIND_SPAN] per dimension, decoded once for all the images: where
    each posterior lies, found without asking the encoder."""
    axes = [np.linspace(-FIND_SPAN, FIND_SPAN, FIND_POINTS)] * model.config.latent_dim
    mesh = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, len(axes))
    logits = model.decode_logits(mesh.astype(model.dtype))  # Eq. (3)   (P, D), once
    return [_joint_on_grid(model, xi, axes, len(mesh), logits, "prior") for xi in x]


def _mass_beyond(found: LatentGrid, lo: np.ndarray, hi: np.ndarray, margin: np.ndarray) -> float:
    """The mass of the posterior on the coarse grid ``found`` that lies farther than
    ``margin`` outside the box from ``lo`` to ``hi`` (each (L,))."""
    inside = np.ones(found.log_joint.shape, dtype=bool)
    for j, z in enumerate(found.axes):
        shape = [1] * len(found.axes)
        shape[j] = -1
        inside &= ((z >= lo[j] - margin[j]) & (z <= hi[j] + margin[j])).reshape(shape)
    return float((found.posterior * found.cell)[~inside].sum())


def _holds(grid: LatentGrid, found: LatentGrid, step: float) -> bool:
    """Whether ``grid``, ``step`` scales apart, holds the posterior that the coarse grid
    ``found`` shows: its outer cells nearly empty, its scale at most twice the posterior's
    standard deviation (its spacing at most twice that of a grid laid on p(z|x)), and no
    more than :data:`MISSED_MASS` of the coarse posterior beyond it by more than one
    coarse step."""
    if grid.edge_mass >= EDGE_MASS or np.any(grid.spacing > 2 * step * grid.sd):
        return False
    lo, hi = [a[0] for a in grid.axes], [a[-1] for a in grid.axes]
    return _mass_beyond(found, lo, hi, found.spacing) <= MISSED_MASS


def latent_grid(model: VAE, x: np.ndarray, points: int = 41, span: float = 8.0,
                max_rows: int = 8192) -> list[LatentGrid]:
    """log p(x, z) of each image of ``x`` (N, D) on a grid of z that holds its posterior.

    The grid of each image has ``points`` points per latent dimension. Where the
    posterior found on the coarse grid of :func:`find_posteriors` lies within its reach,
    it is first laid from mu - span sigma to mu + span sigma (mu and sigma of q(z|x),
    Eq. 1 and 2), widened (twice at most) while its outer cells hold more than 1e-7 of
    the posterior (:func:`grid_around`), and kept when it holds that posterior
    (``_holds``): for the images the encoder knows. Else the encoder missed p(z|x)
    (an image it never saw, where q can be far off, or much sharper): the grid is laid
    on p(z|x) itself, around its mean, span standard deviations wide, and laid again on
    the mean and standard deviation it measures until it holds them (at most four
    times). Only for latent_dim 1 or 2: the grid costs points^latent_dim decodes per
    image.
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
    for i, found in enumerate(find_posteriors(model, x)):
        grid = None
        reach = 2**WIDENINGS_ON_Q * span * sigma[i]  # the widest grid around q
        if _mass_beyond(found, mu[i] - reach, mu[i] + reach, np.zeros(latent)) <= MISSED_MASS:
            grid = grid_around(model, x[i], mu[i], sigma[i], points, span, max_rows,
                               widenings=WIDENINGS_ON_Q)
        # the spacing must shrink below the sd the coarse grid cannot see (a floor of 1/8 of it)
        centre, scale = found.mean, np.maximum(found.sd, found.spacing / 8)
        for _ in range(4):
            if grid is not None and _holds(grid, found, 2 * span / (points - 1)):
                break
            grid = grid_around(model, x[i], centre, scale, points, span, max_rows, "p(z|x)")
            centre, scale = grid.mean, np.maximum(grid.sd, grid.spacing / 8)
        grids.append(grid)
    return grids


def log_likelihood_grid(model: VAE, x: np.ndarray, points: int = 41, span: float = 8.0) -> np.ndarray:
    """log p(x) of each image by quadrature over z: (N,) float64, in nats.

        log p(x) = log integral p(x|z) p(z) dz ~ log sum_cells p(x|z_c) p(z_c) |cell|

    on the grid of :func:`latent_grid`, 0.4 sigma of q apart by default (0.4 posterior
    standard deviations where q misses p(z|x)): the trapezoid rule. For a smooth
    decoder (tanh) the error falls faster than any power of the spacing; a ReLU
    decoder's kinks make it second order, so its accuracy rests on measurement
    (docs/derivations.md, section 6: 41 points within 1e-2 nats of a 321-point grid).
    The mass outside the grid is kept under 1e-7. On a linear-Gaussian model, whose
    log p(x) is known in closed form, it is exact to 1e-6 nats even when q is off, too
    narrow or too wide, by a little or by far (tests/test_quadrature.py).
    Unlike Eq. (11) it is no bound and has no sampling noise: it is the log-likelihood
    that the ELBO and the importance-weighted estimate approach from below.
    """
    return np.array([g.log_px for g in latent_grid(model, x, points, span)])
