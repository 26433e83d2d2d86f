"""``numpyvae sample``: draw z from the prior N(0, I), decode it (Eq. 3) with the model of
a run folder and save the pixel probabilities as a square grid of images with a title.
The picture is drawn by :func:`numpyvae.plots.save_image_grid`; this command only
computes the images and names the file.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np

from ..errors import NumpyVAEError
from .options import (
    EXAMPLE_RUN,
    HelpFormatter,
    load_run,
    model_name,
    nonnegative_int,
    positive_int,
    sizes,
)

SAMPLES_FILE = "samples.png"  # in the run folder, unless --out says otherwise
#: what the command says when matplotlib is missing (the install line of its help)
NEEDS_MATPLOTLIB = "saving images needs matplotlib: pip install numpyvae[plot]"

DESCRIPTION = f"""\
Draw z from the prior N(0, I), decode it (Eq. 3) and save the pixel
probabilities as a square grid of 28x28 images with a title.

The PNG goes to --out (default: {SAMPLES_FILE} in the run folder).
Needs matplotlib: pip install numpyvae[plot]"""

EXAMPLES = f"""\
examples:
  numpyvae sample {EXAMPLE_RUN}
  numpyvae sample {EXAMPLE_RUN} --n 100 --seed 3 --out digits.png"""


def add_parser(subparsers) -> None:
    """Add ``sample`` and its options to the subcommands of ``numpyvae``."""
    p = subparsers.add_parser(
        "sample", help="decode z ~ N(0, I) into new images, saved as a PNG grid",
        formatter_class=HelpFormatter, description=DESCRIPTION, epilog=EXAMPLES,
    )
    p.add_argument("run_dir", metavar="RUN_DIR", help="a run folder made by 'numpyvae train'")
    p.add_argument(
        "--n", type=positive_int, metavar="N", default=64,
        help="number of images (default: %(default)s, an 8x8 grid)",
    )
    p.add_argument(
        "--out", metavar="FILE.png", default=None,
        help=f"the image file to write (default: RUN_DIR/{SAMPLES_FILE})",
    )
    p.add_argument(
        "--seed", type=nonnegative_int, metavar="S", default=0,
        help="seed of z (default: %(default)s)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """``numpyvae sample``: decode z ~ N(0, I) and save the grid."""
    from .. import plots  # only this command draws, so only it needs plots

    record = load_run(args.run_dir)
    vae, folder = record.model, record.folder
    dims = vae.config.input_dim
    side = math.isqrt(dims)
    if side * side != dims:
        raise NumpyVAEError(f"{folder}: images of {dims} pixels are not square; cannot draw them")
    out = Path(args.out) if args.out else folder / SAMPLES_FILE
    x = vae.sample(args.n, np.random.default_rng(args.seed))  # Eq. (3)   (n, dims)
    images = np.clip(x, 0.0, 1.0).reshape(args.n, side, side)
    samples = f"{args.n} sample{'s' if args.n != 1 else ''}"
    title = (f"{samples}: z ~ N(0, I) decoded, seed {args.seed}\n"
             f"{model_name(vae)} {sizes(vae.config)}, {record.dataset or ''}, "
             f"epoch {record.epoch}")
    try:
        plots.save_image_grid(images, out, title)
    except plots.PlotDependencyError:
        raise NumpyVAEError(NEEDS_MATPLOTLIB) from None
    print(f"{samples} written to {out}")
    return 0
