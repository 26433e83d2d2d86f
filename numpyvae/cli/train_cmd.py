"""``numpyvae train``: build a model from the options (or take the run in ``--out`` back
with ``--resume``, see :mod:`.resume`), load the data set and hand both to
:func:`numpyvae.train.fit`, which writes the run folder after every epoch. An option
left out takes the default of the field it sets in :class:`~numpyvae.config.VAEConfig`
or :class:`~numpyvae.train.TrainSettings`.
"""

from __future__ import annotations

import argparse
import os
import sys
from functools import partial
from pathlib import Path

from .. import checkpoint, datasets, train
from ..config import ACTIVATIONS, INITS, MODEL_KINDS, VAEConfig
from ..errors import NumpyVAEError
from ..model import VAE
from ..train import TrainSettings
from .options import (
    DEFAULT_DATASET,
    DEFAULT_MODEL,
    EXAMPLE_RUN,
    EXIT_INTERRUPTED,
    HelpFormatter,
    add_quiet,
    choices_help,
    data_dir_help,
    default,
    model_name,
    nonnegative_float,
    nonnegative_int,
    positive_float,
    positive_int,
    progress_line,
    run_folder,
    show,
    sizes,
)
from .resume import absolute, resume_run

net_default = partial(default, VAEConfig)
fit_default = partial(default, TrainSettings)

#: what each choice means, for the help
MODELS = {"vae": "the Variational AutoEncoder", "ae": "the plain AutoEncoder"}
BINARIZE = {"none": "grey pixels", "static": "one fixed 0/1 sample of the data set",
            "dynamic": "fresh 0/1 pixels for every batch"}
INIT = {"torch": "every W and b ~ U(+-1/sqrt(fan_in)), as PyTorch's nn.Linear",
        "he": "He for ReLU, Glorot for tanh and the linear heads, zero biases"}

DESCRIPTION = f"""\
Train a VAE with Adam on the training images of a data set, printing the
train and test -ELBO (nats per image) after every epoch.

Outputs go to the run folder (--out, default runs/<dataset>-<model>-z<latent>):
  {checkpoint.CHECKPOINT}   parameters, optimizer state, settings; rewritten after
                   every epoch, so an interrupted run loses at most one epoch
  {checkpoint.HISTORY}     one record per epoch: train loss, recon, KL, test loss
A folder that already holds a run is never overwritten: pass --resume to
continue it (its model and settings are kept; --epochs may be raised), or
choose another --out.

The defaults are the PyTorch recipe: {sizes(VAEConfig())} {net_default('activation')}, \
Adam lr {fit_default('lr')},
batches of {fit_default('batch_size')}, {fit_default('epochs')} epochs, \
{BINARIZE[fit_default('binarize')]}, seed {fit_default('seed')}."""

EXAMPLES = """\
examples:
  numpyvae train --dataset glyph-digits --epochs 5
  numpyvae train --dataset mnist --hidden 512 256 --latent-dim 2 --out runs/z2
  numpyvae train --out runs/z2 --resume --epochs 20   (continue to 20 epochs)"""


def add_parser(subparsers) -> None:
    """Add ``train`` and its options to the subcommands of ``numpyvae``."""
    p = subparsers.add_parser(
        "train", help="train a VAE (or an AutoEncoder) and keep a run folder",
        formatter_class=HelpFormatter, description=DESCRIPTION, epilog=EXAMPLES,
    )
    # every default is None, so that --resume can tell an option given from one left out
    data = p.add_argument_group("data")
    data.add_argument(
        "--dataset", choices=datasets.DATASETS, default=None,
        help=f"the images to train on (default: {DEFAULT_DATASET}); glyph-digits are "
        "stroke-drawn digits made offline, not MNIST",
    )
    data.add_argument("--data-dir", metavar="DIR", default=None, help=data_dir_help())
    data.add_argument(
        "--binarize", choices=datasets.BINARIZE_MODES, default=None,
        help=choices_help(BINARIZE, datasets.BINARIZE_MODES, fit_default("binarize")),
    )

    net = p.add_argument_group("model (fixed once a run exists)")
    net.add_argument("--model", choices=MODEL_KINDS, default=None,
                     help=choices_help(MODELS, MODEL_KINDS, DEFAULT_MODEL))
    net.add_argument(
        "--hidden", type=positive_int, nargs="+", metavar="SIZE", default=None,
        help="sizes of the encoder's hidden layers, the decoder mirrors them (default: "
        f"{show(net_default('hidden_dims'))}; '--hidden 512 256' gives 784-512-256-z-256-512-784)",
    )
    net.add_argument(
        "--latent-dim", type=positive_int, metavar="Z", default=None,
        help=f"size of the latent code z (default: {net_default('latent_dim')}; 2 can be plotted)",
    )
    net.add_argument(
        "--activation", choices=ACTIVATIONS, default=None,
        help=f"activation of the hidden layers (default: {net_default('activation')})",
    )
    net.add_argument(
        "--beta", type=nonnegative_float, metavar="B", default=None,
        help=f"weight of the KL term, Eq. (6); 1 is the VAE (default: {net_default('beta')})",
    )
    net.add_argument("--init", choices=INITS, default=None,
                     help=choices_help(INIT, INITS, net_default("init")))

    fit = p.add_argument_group("training")
    fit.add_argument(
        "--epochs", type=positive_int, metavar="N", default=None,
        help=f"passes over the training images (default: {fit_default('epochs')}; "
        "with --resume: the run's own number, or more to extend it)",
    )
    fit.add_argument(
        "--batch-size", type=positive_int, metavar="N", default=None,
        help=f"images per Adam step (default: {fit_default('batch_size')})",
    )
    fit.add_argument(
        "--lr", type=positive_float, metavar="LR", default=None,
        help=f"Adam's learning rate, Eq. (10) (default: {fit_default('lr')})",
    )
    fit.add_argument(
        "--warmup-epochs", type=nonnegative_float, metavar="E", default=None,
        help="raise the KL weight linearly from 0 to --beta over this many epochs "
        f"(default: {fit_default('warmup_epochs'):g}, no warm-up)",
    )
    fit.add_argument(
        "--seed", type=nonnegative_int, metavar="S", default=None,
        help=f"seed of the weights, the batch order and the noise (default: {fit_default('seed')})",
    )
    fit.add_argument(
        "--out", metavar="RUN_DIR", default=None,
        help="the run folder (default: runs/<dataset>-<model>-z<latent>, "
        f"e.g. {EXAMPLE_RUN}, relative to the current directory)",
    )
    fit.add_argument("--resume", action="store_true",
                     help="continue the run in --out from its last checkpoint")
    add_quiet(fit)
    p.set_defaults(func=run)


def given(args: argparse.Namespace, *names: str) -> dict:
    """The options among ``names`` given on the command line, as keyword arguments."""
    return {n: getattr(args, n) for n in names if getattr(args, n) is not None}


def new_run(args: argparse.Namespace, input_dim: int):
    """A fresh model and its TrainSettings: the options given, else the fields' defaults."""
    seed = args.seed if args.seed is not None else fit_default("seed")  # weights and training
    fields = given(args, "latent_dim", "activation", "beta", "init")
    if args.hidden is not None:
        fields["hidden_dims"] = tuple(args.hidden)
    # every data set of the command is pixels in [0, 1]: the Bernoulli decoder, Eq. (3)
    config = VAEConfig(input_dim=input_dim, likelihood="bernoulli", seed=seed, **fields)
    vae = checkpoint.MODEL_CLASSES[args.model or DEFAULT_MODEL](config)
    extra = {"dataset": args.dataset or DEFAULT_DATASET, "data_dir": absolute(args.data_dir)}
    options = given(args, "epochs", "batch_size", "lr", "warmup_epochs", "binarize")
    return vae, TrainSettings(seed=seed, extra=extra, **options)


def run(args: argparse.Namespace) -> int:
    """``numpyvae train``: load the data, build or reload the model, call train.fit."""
    dataset = args.dataset or DEFAULT_DATASET
    latent = args.latent_dim or net_default("latent_dim")
    out = Path(args.out) if args.out else run_folder(dataset, args.model or DEFAULT_MODEL, latent)
    if out.exists() and not out.is_dir():
        raise NumpyVAEError(f"--out {out} is a file, not a run folder")
    ckpt = out / checkpoint.CHECKPOINT
    record = None
    data_dir = args.data_dir
    if args.resume:
        record, settings = resume_run(args, out)
        dataset = record.dataset or dataset
        data_dir = settings.extra.get("data_dir")
    elif ckpt.exists():
        epoch = checkpoint.stored_epoch(ckpt)
        at = f" (epoch {epoch})" if epoch is not None else ""
        raise NumpyVAEError(
            f"{out} already holds a run{at}: pass --resume to continue it, "
            "or choose another --out"
        )
    x_train, _ = datasets.load_dataset(dataset, "train", data_dir)  # (N, 784)
    x_test, _ = datasets.load_dataset(dataset, "test", data_dir)  # (M, 784)
    # after the data (no empty folder is left when they cannot be read), before the
    # first epoch (a folder that cannot be written fails now, not after an epoch)
    out.mkdir(parents=True, exist_ok=True)
    if not os.access(out, os.W_OK):
        raise NumpyVAEError(f"{out}: the run folder is not writable")
    if record is None:
        vae, settings = new_run(args, x_train.shape[1])
    else:
        vae = record.model

    print(
        f"{dataset}: {len(x_train)} train / {len(x_test)} test images | "
        f"{model_name(vae)} {sizes(vae.config)} {vae.config.activation}, "
        f"{vae.num_params:,} parameters | run folder {out}",
        flush=True,
    )
    try:
        with progress_line(args, "epoch") as progress:  # on a terminal: batches, time left
            train.fit(vae, x_train, x_test, settings, out_dir=out,
                      resume=record if record is not None else False, progress=progress)
    except KeyboardInterrupt:
        epoch = checkpoint.stored_epoch(ckpt)
        if epoch is None:
            print("interrupted before the first epoch ended; no checkpoint was written",
                  file=sys.stderr)
        else:
            print(f"interrupted; the last checkpoint (epoch {epoch}) is in {out} "
                  f"(continue it with: numpyvae train --out {out} --resume)", file=sys.stderr)
        return EXIT_INTERRUPTED
    print(f"checkpoint: {ckpt} (epoch {settings.epochs})")
    print(f"history:    {out / checkpoint.HISTORY}")
    if isinstance(vae, VAE):
        print(f"next:       numpyvae evaluate {out}    numpyvae sample {out}")
    else:  # an AutoEncoder has no ELBO to evaluate
        print(f"next:       numpyvae sample {out}")
    return 0
