"""``glyph-digits``: stroke-drawn digits made on the spot (:func:`make_glyph_digits`).

For machines without internet. It is *not* MNIST.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np

GLYPH_TRAIN_SIZE = 60_000
GLYPH_TEST_SIZE = 10_000
# Images rendered at once: few enough that the temporary arrays stay in the CPU cache.
_GLYPH_CHUNK = 128

# Each digit is drawn in a unit box: x to the right, y *down*, the digit from
# y = 0 (top) to y = 1 (bottom) and about 0.6 wide around x = 0.5. Angles are
# in degrees and, as y points down, turn clockwise: 0 right, 90 down, -90 up.


def _arc(cx: float, cy: float, rx: float, ry: float, start: float, stop: float,
         n: int = 16) -> np.ndarray:
    """Points (n + 1, 2) on an ellipse arc from angle `start` to `stop` (degrees)."""
    t = np.radians(np.linspace(start, stop, n + 1))
    return np.stack([cx + rx * np.cos(t), cy + ry * np.sin(t)], axis=1)


def _curve(p0: Sequence[float], p1: Sequence[float], p2: Sequence[float],
           p3: Sequence[float], n: int = 8) -> np.ndarray:
    """Points (n + 1, 2) on the cubic Bezier curve with control points p0..p3."""
    t = np.linspace(0.0, 1.0, n + 1)[:, None]
    p0, p1, p2, p3 = (np.asarray(p, dtype=float) for p in (p0, p1, p2, p3))
    return (1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * p1 + 3 * (1 - t) * t**2 * p2 + t**3 * p3


def _line(*points: Sequence[float]) -> np.ndarray:
    """The polyline through `points`, as an array (len(points), 2)."""
    return np.array(points, dtype=float)


def _glyph_styles() -> list[list[list[np.ndarray]]]:
    """For each digit 0..9, its styles; a style is a list of polylines (K, 2)."""
    cat = np.concatenate
    return [
        [[_arc(0.5, 0.5, 0.28, 0.48, -90, 270, 24)],  # 0: an oval
         [_arc(0.5, 0.5, 0.2, 0.48, -90, 270, 24)]],
        [[_line((0.5, 0.0), (0.5, 1.0))],  # 1: a stem, with or without a flag
         [_line((0.32, 0.2), (0.52, 0.0), (0.52, 1.0))]],
        [[cat([_arc(0.5, 0.3, 0.28, 0.28, 180, 400), _line((0.2, 1.0), (0.84, 1.0))])],  # 2
         [cat([_arc(0.5, 0.28, 0.27, 0.26, 190, 380),
               _curve((0.76, 0.37), (0.6, 0.65), (0.3, 0.8), (0.2, 0.97)),
               _line((0.2, 0.97), (0.86, 0.97))])]],
        [[_arc(0.48, 0.26, 0.26, 0.24, 200, 450),  # 3: two bowls
          _arc(0.48, 0.74, 0.3, 0.26, -90, 160)]],
        [[_line((0.66, 1.0), (0.66, 0.0), (0.14, 0.66), (0.88, 0.66))],  # 4: closed
         [_line((0.24, 0.0), (0.2, 0.6), (0.84, 0.6)),  # 4: open
          _line((0.68, 0.05), (0.66, 1.0))]],
        [[cat([_line((0.8, 0.02), (0.3, 0.02), (0.27, 0.44)),  # 5: bar, neck, bowl
               _arc(0.48, 0.68, 0.3, 0.3, -130, 150)])]],
        [[cat([_curve((0.72, 0.02), (0.4, 0.1), (0.2, 0.45), (0.22, 0.72)),  # 6
               _arc(0.5, 0.72, 0.28, 0.26, 180, 540, 24)])]],
        [[_line((0.16, 0.02), (0.84, 0.02), (0.4, 1.0))],  # 7: with or without a bar
         [_line((0.16, 0.02), (0.84, 0.02), (0.4, 1.0)), _line((0.36, 0.52), (0.76, 0.52))]],
        [[_arc(0.5, 0.25, 0.22, 0.24, -90, 270, 20),  # 8: two loops
          _arc(0.5, 0.73, 0.27, 0.26, -90, 270, 20)]],
        [[_arc(0.48, 0.28, 0.27, 0.26, 0, 360, 24),  # 9: a loop and a stem
          _curve((0.75, 0.28), (0.76, 0.55), (0.72, 0.8), (0.68, 1.0))]],
    ]


# The distance fields are sampled on a _FIELD_SIZE^2 grid over [_FIELD_LO, _FIELD_HI]^2
# of the unit box (a margin around it, for the random distortions).
_FIELD_SIZE = 96
_FIELD_LO, _FIELD_HI = -0.5, 1.5


def _distance_to_segments(points: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distance from each point (P, 2) to the nearest segment a[s] -> b[s] (S, 2): (P,)."""
    e = b - a  # (S, 2)
    u = points[:, None, :] - a[None, :, :]  # (P, S, 2)
    t = np.clip((u * e).sum(-1) / np.maximum((e * e).sum(-1), 1e-12), 0.0, 1.0)  # (P, S)
    return np.sqrt(((u - t[..., None] * e) ** 2).sum(-1)).min(axis=1)  # (P,)


@functools.lru_cache(maxsize=1)
def _glyph_fields() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distance fields of every style, computed once on first use.

    Returns:
        fields: float32 (n_styles, G, G): distance (unit-box units) from grid
            point [row i, column j] to the style's strokes.
        first: int64 (10,): index of digit k's first style.
        count: int64 (10,): number of styles of digit k.
    """
    axis = np.linspace(_FIELD_LO, _FIELD_HI, _FIELD_SIZE)
    gx, gy = np.meshgrid(axis, axis)  # (G, G): x varies along columns, y along rows
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1)  # (G*G, 2)
    fields, count = [], []
    for styles in _glyph_styles():
        count.append(len(styles))
        for polylines in styles:
            a = np.concatenate([line[:-1] for line in polylines])  # (S, 2) segment starts
            b = np.concatenate([line[1:] for line in polylines])  # (S, 2) segment ends
            fields.append(_distance_to_segments(grid, a, b).reshape(_FIELD_SIZE, _FIELD_SIZE))
    count = np.array(count)
    first = np.concatenate([[0], np.cumsum(count)[:-1]])
    return np.array(fields, dtype=np.float32), first, count


def make_glyph_digits(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Make `n` images of stroke-drawn digits: an offline stand-in for MNIST.

    This is NOT MNIST and not handwriting: each digit 0-9 is a few polylines,
    arcs and curves in a unit box (two styles for some digits, e.g. a 7 with and
    without a bar). Each image picks a style and a random pen:

    * an affine map: rotation within +-15 degrees, the unit box 15 to 19
      pixels high and 0.8 to 1.2 times that wide, shear (slant) within +-0.3,
      a shift within +-1.5 pixels; the box's centre lands in the middle of the
      28x28 image, so the digit (with its stroke about 20 pixels high) sits in
      the central ~20x20 like MNIST's;
    * a gentle bend (x shifts with y^2 and y with x^2) so strokes are not all
      straight;
    * a stroke half-width of 0.8 to 1.8 pixels.

    Rendering is by distance to the strokes: a pixel's ink is
    ``clip(half_width - distance + 0.5, 0, 1)``, an anti-aliased edge one pixel
    wide. The distance to the strokes is computed once per style on a fine grid
    (a distance field, as fonts are rendered) and each pixel's centre is mapped
    back into the unit box through the inverse pen transform and looks it up
    with bilinear interpolation, so the cost per image does not grow with the
    number of segments.

    Classes are balanced (``n // 10`` or one more each) in random order. The
    same `n` and `seed` give bit-identical arrays on the same NumPy.

    Args:
        n: number of images, >= 0.
        seed: seed of the ``np.random.default_rng`` that draws everything.

    Returns:
        x: float32 (n, 784) in [0, 1], rows of 28x28 images.
        y: int64 (n,), the digit 0..9.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.arange(n) % 10).astype(np.int64)  # (n,) balanced classes
    fields, first, count = _glyph_fields()
    style = first[y] + (rng.random(n) * count[y]).astype(np.int64)  # (n,)
    # One row of uniform [0, 1) numbers per image, mapped to the pen's parameters.
    u = rng.random((n, 9))  # (n, 9)
    angle = np.radians(-15 + 30 * u[:, 0])
    height = 15 + 4 * u[:, 1]  # pixels per unit of the box
    aspect = 0.8 + 0.4 * u[:, 2]
    shear = -0.3 + 0.6 * u[:, 3]
    shift = -1.5 + 3 * u[:, 4:6]  # (n, 2) pixels
    bend = -0.3 + 0.6 * u[:, 6:8]  # (n, 2)
    half_width = 0.8 + 1.0 * u[:, 8]  # pixels

    # The pen maps a point c of the unit box to the pixel p = centre + shift + M (c - 0.5).
    zero, one = np.zeros(n), np.ones(n)
    rotation = _matrices(np.cos(angle), -np.sin(angle), np.sin(angle), np.cos(angle))
    slant = _matrices(one, shear, zero, one)
    stretch = _matrices(aspect, zero, zero, one)
    m = height[:, None, None] * (rotation @ slant @ stretch)  # (n, 2, 2)
    m_inv = np.linalg.inv(m)  # (n, 2, 2): rendering maps pixels back into the box
    # Distances scale by sqrt(|det M|), the pen's mean magnification.
    pixels_per_unit = np.sqrt(np.abs(np.linalg.det(m)))  # (n,)

    x = np.empty((n, 784), dtype=np.float32)
    for start in range(0, n, _GLYPH_CHUNK):
        part = slice(start, min(start + _GLYPH_CHUNK, n))
        x[part] = _render_glyphs(
            fields, style[part], m_inv[part], shift[part], bend[part],
            pixels_per_unit[part], half_width[part],
        )
    return x, y


def _matrices(a: np.ndarray, b: np.ndarray, c: np.ndarray, d: np.ndarray) -> np.ndarray:
    """The 2x2 matrices [[a, b], [c, d]] from four arrays (n,): shape (n, 2, 2)."""
    return np.stack([np.stack([a, b], axis=-1), np.stack([c, d], axis=-1)], axis=-2)


def _render_glyphs(fields: np.ndarray, style: np.ndarray, m_inv: np.ndarray,
                   shift: np.ndarray, bend: np.ndarray, pixels_per_unit: np.ndarray,
                   half_width: np.ndarray) -> np.ndarray:
    """Render B images: style (B,), m_inv (B, 2, 2), shift (B, 2), bend (B, 2),
    pixels_per_unit (B,), half_width (B,) -> float32 (B, 784) in [0, 1]."""
    f32 = np.float32
    col = np.tile(np.arange(28, dtype=f32), 28) - f32(13.5)  # (784,) pixel centres,
    row = np.repeat(np.arange(28, dtype=f32), 28) - f32(13.5)  # relative to the middle
    px = col[None, :] - shift[:, 0:1].astype(f32)  # (B, 784)
    py = row[None, :] - shift[:, 1:2].astype(f32)  # (B, 784)
    mi = m_inv.astype(f32)
    cx = f32(0.5) + mi[:, 0, 0:1] * px + mi[:, 0, 1:2] * py  # (B, 784) in the unit box
    cy = f32(0.5) + mi[:, 1, 0:1] * px + mi[:, 1, 1:2] * py
    bx, by = bend[:, 0:1].astype(f32), bend[:, 1:2].astype(f32)
    cx, cy = cx + bx * (cy - f32(0.5)) ** 2, cy + by * (cx - f32(0.5)) ** 2

    # Bilinear lookup of the style's distance field at (cx, cy).
    g = _FIELD_SIZE
    scale = f32((g - 1) / (_FIELD_HI - _FIELD_LO))
    gx = np.clip((cx - f32(_FIELD_LO)) * scale, 0, g - 1.001)  # (B, 784) grid column
    gy = np.clip((cy - f32(_FIELD_LO)) * scale, 0, g - 1.001)  # (B, 784) grid row
    x0, y0 = np.floor(gx), np.floor(gy)
    fx, fy = gx - x0, gy - y0  # (B, 784) position inside the grid cell
    ix, iy = x0.astype(np.intp), y0.astype(np.intp)
    flat = fields.reshape(-1)
    i00 = style[:, None] * (g * g) + iy * g + ix  # (B, 784) index of the top-left corner
    top = flat[i00] * (1 - fx) + flat[i00 + 1] * fx
    bottom = flat[i00 + g] * (1 - fx) + flat[i00 + g + 1] * fx
    distance = (top * (1 - fy) + bottom * fy) * pixels_per_unit[:, None].astype(f32)  # pixels

    ink = half_width[:, None].astype(f32) + f32(0.5) - distance  # (B, 784)
    return np.clip(ink, 0, 1, out=ink)
