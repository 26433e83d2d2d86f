"""``numpyvae evaluate``: the figures papers report for a trained VAE, on the test images
of the data set it was trained on (the fixed 0/1 sample of them for a binarized run):
the -ELBO of Eq. (6) and -L_K of Eq. (11), the importance-weighted upper bound on
-log p(x), in nats per image and bits per dimension, computed by
:func:`numpyvae.elbo.evaluate` and kept in ``eval.json`` in the run folder beside the
results of other data sets and K (:func:`numpyvae.runfolder.add_evaluation`).
"""

from __future__ import annotations

import argparse

from .. import datasets, elbo, runfolder
from ..errors import NumpyVAEError
from ..model import VAE
from ..train import TrainSettings
from .options import (
    EXAMPLE_RUN,
    HelpFormatter,
    add_quiet,
    folder_name,
    nonnegative_int,
    positive_int,
    progress_line,
)
from .runs import load_run

DESCRIPTION = f"""\
Evaluate a trained VAE on the test images of the data set it was trained on.

Prints, in nats per image and in bits per dimension:
  -ELBO       Eq. (6) with beta = 1, one sample of z per image (as PyTorch's
              recipe reports it; --elbo-samples S also averages over S samples)
  -L_K        Eq. (11) with K samples per image, an importance-weighted upper
              bound on -log p(x), tighter than the -ELBO as K grows: the figure
              papers report as -log p(x) (an estimate of the bound, from samples)
and keeps them in {runfolder.EVAL} in the run folder: one result per data set
and K, so that evaluating on another data set or with another K keeps the
earlier results (the same data set and K again replaces its own, and says
so). A run trained on 0/1 pixels (--binarize static or dynamic) is evaluated
on the fixed 0/1 sample of the test images it was tested on while training.
An AutoEncoder run has no ELBO and cannot be evaluated. When stderr is a
terminal, a progress line there shows the fraction done and the time left
(--quiet: none)."""

EXAMPLES = f"""\
examples:
  numpyvae evaluate {EXAMPLE_RUN}
  numpyvae evaluate {EXAMPLE_RUN} --iw-samples 5000 --elbo-samples 10"""


def add_parser(subparsers) -> None:
    """Add ``evaluate`` and its options to the subcommands of ``numpyvae``."""
    p = subparsers.add_parser(
        "evaluate", help="test -ELBO and -L_K of Eq. (11), the bound on -log p(x), of a VAE",
        formatter_class=HelpFormatter, description=DESCRIPTION, epilog=EXAMPLES,
    )
    p.add_argument("run_dir", metavar="RUN_DIR", type=folder_name,
                   help="a run folder made by 'numpyvae train'")
    p.add_argument(
        "--iw-samples", type=nonnegative_int, metavar="K", default=1000,
        help="importance samples per image for -L_K, Eq. (11); 0 skips it "
        "(default: %(default)s)",
    )
    p.add_argument(
        "--elbo-samples", type=positive_int, metavar="S", default=1,
        help="also report the -ELBO averaged over S samples of z when S > 1 "
        "(default: %(default)s)",
    )
    p.add_argument(
        "--dataset", choices=datasets.DATASETS, default=None,
        help="evaluate on another data set's test images (default: the run's own)",
    )
    p.add_argument(
        "--data-dir", metavar="DIR", type=folder_name, default=None,
        help="where the data set is cached (default: the one the run was trained from)",
    )
    p.add_argument(
        "--seed", type=nonnegative_int, metavar="S", default=0,
        help="seed of the samples of z (default: %(default)s)",
    )
    add_quiet(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """``numpyvae evaluate``: elbo.evaluate on the run's test images, then eval.json."""
    record = load_run(args.run_dir)
    vae, folder = record.model, record.folder
    if not isinstance(vae, VAE):
        raise NumpyVAEError(
            f"{folder} is an AutoEncoder run: the -ELBO and the importance-weighted -log p(x) "
            "need a VAE's q(z|x), an AutoEncoder has none"
        )
    dataset = args.dataset or record.dataset
    if dataset is None:
        raise NumpyVAEError(f"{folder}: the checkpoint does not say which data set it was "
                            "trained on; pass --dataset")
    runfolder.read_evaluations(folder)  # a damaged eval.json is refused before the work
    settings = TrainSettings.stored(record.settings, record.path)
    data_dir = args.data_dir if args.data_dir is not None else record.data_dir
    x, _ = datasets.load_dataset(dataset, "test", data_dir)  # (N, 784)
    binarized = settings.binarize != "none"
    how = "grey pixels"
    if binarized:  # trained on 0/1 pixels: evaluate on the fixed 0/1 sample fit tested it on
        x = datasets.binarized_test_images(x, settings.seed)
        how = "pixels binarized to 0/1 (the sample the run was tested on)"
    print(f"evaluating {folder} (epoch {record.epoch}) on {len(x)} {dataset} test images, {how}")
    if args.iw_samples:
        print(f"the importance-weighted estimate decodes {args.iw_samples} samples per image: "
              "this can take a while", flush=True)

    with progress_line(args, "evaluating") as progress:  # on a terminal: done, time left
        figures = elbo.evaluate(vae, x, args.iw_samples, args.elbo_samples, args.seed,
                                progress=progress)
    rows = [("-ELBO, 1 sample of z per image", figures["test_neg_elbo"])]
    if "test_neg_elbo_avg" in figures:
        rows.append((f"-ELBO, averaged over {args.elbo_samples} samples",
                     figures["test_neg_elbo_avg"]))
    if figures.get("test_nll_iw") is not None:
        label = f"-L_{args.iw_samples} (Eq. 11), an importance-weighted upper bound on -log p(x)"
        rows.append((label, figures["test_nll_iw"]))
    width = max(len(label) for label, _ in rows)
    for label, nats in rows:
        bits = elbo.bits_per_dim(nats, vae.config.input_dim)
        print(f"{label:<{width}}  {nats:9.2f} nats per image  {bits:7.4f} bits/dim")

    result = {"dataset": dataset, "epoch": record.epoch, "seed": args.seed,
              "test_pixels": "binarized" if binarized else "grey", **figures}
    replaced = runfolder.add_evaluation(folder, result)
    path = folder / runfolder.EVAL
    if replaced is None:
        print(f"written to {path}")
    else:
        print(f"written to {path}, replacing its result for {dataset} with K = "
              f"{args.iw_samples} (epoch {replaced.get('epoch')}, seed {replaced.get('seed')})")
    return 0
