"""``numpyvae sample``: draw z from the prior N(0, I), decode it (Eq. 3) with the model of
a run folder and save the pixel probabilities as a square grid of images with a title.
The picture is drawn by :func:`numpyvae.plots.save_image_grid`; this command only
computes the images and names the file.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

import numpy as np

from ..errors import NumpyVAEError
from .options import (
    EXAMPLE_RUN,
    HelpFormatter,
    folder_name,
    model_name,
    nonnegative_int,
    positive_int,
    sizes,
)
from .runs import load_run

SAMPLES_FILE = "samples.png"  # in the run folder, unless --out says otherwise
#: the most images of one picture, a 64x64 grid: the memory of drawing grows with them
MAX_IMAGES = 4096

DESCRIPTION = f"""\
Draw z from the prior N(0, I), decode it (Eq. 3) and save the pixel
probabilities as a square grid of 28x28 images with a title.

The PNG goes to --out: a file ending in .png in a folder that exists, or a
folder (the file is then {SAMPLES_FILE} in it; a folder that does not exist
yet is made when --out ends with /, and the command says so); default:
{SAMPLES_FILE} in the run folder. The file is replaced atomically: a failed
write leaves an earlier one intact.
Needs matplotlib: pip install matplotlib
(or, from a checkout of numpyvae: pip install ".[plot]")"""

EXAMPLES = f"""\
examples:
  numpyvae sample {EXAMPLE_RUN}
  numpyvae sample {EXAMPLE_RUN} --n 100 --seed 3 --out digits.png
  numpyvae sample {EXAMPLE_RUN} --out pictures/   (writes pictures/{SAMPLES_FILE})"""


def add_parser(subparsers) -> None:
    """Add ``sample`` and its options to the subcommands of ``numpyvae``."""
    p = subparsers.add_parser(
        "sample", help="decode z ~ N(0, I) into new images, saved as a PNG grid",
        formatter_class=HelpFormatter, description=DESCRIPTION, epilog=EXAMPLES,
    )
    p.add_argument("run_dir", metavar="RUN_DIR", type=folder_name,
                   help="a run folder made by 'numpyvae train'")
    p.add_argument(
        "--n", type=image_count, metavar="N", default=64,
        help=f"number of images, 1 to {MAX_IMAGES} (default: %(default)s, an 8x8 grid)",
    )
    p.add_argument(
        "--out", metavar="FILE.png", type=png_or_folder, default=None,
        help=f"the PNG to write, or a folder to write {SAMPLES_FILE} in "
        f"(default: RUN_DIR/{SAMPLES_FILE})",
    )
    p.add_argument(
        "--seed", type=nonnegative_int, metavar="S", default=0,
        help="seed of z (default: %(default)s)",
    )
    p.set_defaults(func=run)


def image_count(text: str) -> int:
    """--n: 1 to MAX_IMAGES; more would be gigabytes of memory for a picture no one sees."""
    n = positive_int(text)
    if n > MAX_IMAGES:
        raise argparse.ArgumentTypeError(
            f"at most {MAX_IMAGES} images (a {math.isqrt(MAX_IMAGES)}x{math.isqrt(MAX_IMAGES)} "
            f"grid) fit one picture, got {text!r}")
    return n


def png_or_folder(text: str) -> str:
    """--out: not '' nor blanks, which would be the current folder, not a name given."""
    if not text.strip():
        raise argparse.ArgumentTypeError(f"must name a .png file or a folder, got {text!r}")
    return text


def output_path(out: str | None, folder: Path) -> Path:
    """The file ``--out`` names: ``folder/samples.png`` by default, ``DIR/samples.png``
    for a folder (one that exists, or ``DIR/``), else the file itself, which must end
    in .png and be in a folder that exists (a NumpyVAEError otherwise: the command
    writes what it says, or nothing; a mistyped folder is not made silently)."""
    if out is None:
        return folder / SAMPLES_FILE
    path = Path(out)
    if path.is_dir() or out.endswith(("/", os.sep)):
        return path / SAMPLES_FILE
    if path.suffix.lower() != ".png":
        raise NumpyVAEError(
            f"--out {out}: the file must end in .png (or be a folder, to write "
            f"{SAMPLES_FILE} in it)"
        )
    if not path.parent.is_dir():
        raise NumpyVAEError(
            f"--out {out}: there is no folder {path.parent}; make it first, or end --out "
            f"with / to have the command make it and write {SAMPLES_FILE} in it"
        )
    return path


def run(args: argparse.Namespace) -> int:
    """``numpyvae sample``: decode z ~ N(0, I) and save the grid."""
    from .. import plots  # only this command draws, so only it needs plots

    record = load_run(args.run_dir)
    vae, folder = record.model, record.folder
    dims = vae.config.input_dim
    side = math.isqrt(dims)
    if side * side != dims:
        raise NumpyVAEError(f"{folder}: images of {dims} pixels are not square; cannot draw them")
    out = output_path(args.out, folder)
    if not out.parent.is_dir():
        print(f"making the folder {out.parent}", file=sys.stderr)
    x = vae.sample(args.n, np.random.default_rng(args.seed))  # Eq. (3)   (n, dims)
    images = np.clip(x, 0.0, 1.0).reshape(args.n, side, side)
    samples = f"{args.n} sample{'s' if args.n != 1 else ''}"
    title = (f"{samples}: z ~ N(0, I) decoded, seed {args.seed}\n"
             f"{model_name(vae)} {sizes(vae.config)}, {record.dataset or ''}, "
             f"epoch {record.epoch}")
    # without matplotlib: plots.PlotDependencyError, a NumpyVAEError whose message says
    # what to install, reported by cli.main as one line
    plots.save_image_grid(images, out, title)
    print(f"{samples} written to {out}")
    return 0
