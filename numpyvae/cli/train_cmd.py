"""``numpyvae train``: build a model from the options (or take the run in ``--out`` back
with ``--resume``, see :mod:`.runs`), load the data set and hand both to
:func:`numpyvae.train.fit`, which writes the run folder after every epoch. An option
left out takes the default of the field it sets in :class:`~numpyvae.config.VAEConfig`
or :class:`~numpyvae.train.TrainSettings`.
"""

from __future__ import annotations

import argparse
import sys
from functools import partial
from pathlib import Path

from .. import checkpoint, datasets, runfolder, train
from ..config import ACTIVATIONS, INITS, MODEL_KINDS, VAEConfig
from ..errors import CheckpointError, NumpyVAEError
from ..model import VAE
from ..train import TrainSettings
from .options import (
    DEFAULT_DATASET,
    DEFAULT_MODEL,
    EXAMPLE_RUN,
    HelpFormatter,
    add_quiet,
    choices_help,
    default,
    folder_name,
    interrupted_status,
    model_name,
    nonnegative_float,
    nonnegative_int,
    positive_float,
    positive_int,
    progress_line,
    run_folder,
    sizes,
)
from .runs import absolute, notes, resume_run, show

net_default = partial(default, VAEConfig)
fit_default = partial(default, TrainSettings)

#: what each choice means, for the help
MODELS_HELP = {"vae": "the Variational AutoEncoder", "ae": "the plain AutoEncoder"}
BINARIZE_HELP = {"none": "grey pixels", "static": "one fixed 0/1 sample of the data set",
            "dynamic": "fresh 0/1 pixels for every batch"}
INIT_HELP = {"torch": "every W and b ~ U(+-1/sqrt(fan_in)), as PyTorch's nn.Linear",
        "he": "He for ReLU, Glorot for tanh and the linear heads, zero biases"}

DESCRIPTION = f"""\
Train a VAE with Adam on the training images of a data set, printing the
train and test -ELBO (nats per image) after every epoch.

Outputs go to the run folder (--out; by default a name of every choice that
makes another model, runs/<dataset>-<model>-h<hidden>-z<latent>-<activation>-b<beta>,
e.g. {EXAMPLE_RUN}):
  {checkpoint.CHECKPOINT}   parameters, optimizer state, settings, a digest of them all;
                   rewritten after every epoch, so an interrupted run (Ctrl-C,
                   SIGTERM, a kill) loses at most one epoch
  {runfolder.HISTORY}     one record per epoch: train loss, recon, KL, test loss
  {runfolder.RUN}         the run's id: a checkpoint of another run is refused
One run per folder: while train runs, it holds the folder ({runfolder.LOCK}), and a
second train there stops at once, naming the process that holds it. A folder
that already holds a run is never overwritten: pass --resume to continue it
(its model and settings are kept; --epochs may be raised), or choose another
--out.

The defaults are the PyTorch recipe: {sizes(VAEConfig())} {net_default('activation')}, \
Adam lr {fit_default('lr')},
batches of {fit_default('batch_size')}, {fit_default('epochs')} epochs, \
{BINARIZE_HELP[fit_default('binarize')]}, seed {fit_default('seed')}."""

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
    data.add_argument("--data-dir", metavar="DIR", type=folder_name, default=None,
                      help=data_dir_help())
    data.add_argument(
        "--binarize", choices=datasets.BINARIZE_MODES, default=None,
        help=choices_help(BINARIZE_HELP, datasets.BINARIZE_MODES, fit_default("binarize")),
    )

    net = p.add_argument_group("model (fixed once a run exists)")
    net.add_argument("--model", choices=MODEL_KINDS, default=None,
                     help=choices_help(MODELS_HELP, MODEL_KINDS, DEFAULT_MODEL))
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
                     help=choices_help(INIT_HELP, INITS, net_default("init")))

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
        "--out", metavar="RUN_DIR", type=folder_name, default=None,
        help="the run folder (default: named by the data set and every model choice, "
        f"e.g. {EXAMPLE_RUN}, relative to the current directory)",
    )
    fit.add_argument("--resume", action="store_true",
                     help="continue the run in --out from its last checkpoint")
    add_quiet(fit)
    p.set_defaults(func=run)


def given(args: argparse.Namespace, *names: str) -> dict:
    """The options among ``names`` given on the command line, as keyword arguments."""
    return {n: getattr(args, n) for n in names if getattr(args, n) is not None}


def new_config(args: argparse.Namespace, input_dim: int = 784) -> VAEConfig:
    """The VAEConfig of a new run: the options given, else the fields' defaults."""
    seed = args.seed if args.seed is not None else fit_default("seed")  # weights and training
    fields = given(args, "latent_dim", "activation", "beta", "init")
    if args.hidden is not None:
        fields["hidden_dims"] = tuple(args.hidden)
    # every data set of the command is pixels in [0, 1]: the Bernoulli decoder, Eq. (3)
    return VAEConfig(input_dim=input_dim, likelihood="bernoulli", seed=seed, **fields)


def new_settings(args: argparse.Namespace) -> TrainSettings:
    """The TrainSettings of a new run: the options given, else the fields' defaults."""
    seed = args.seed if args.seed is not None else fit_default("seed")
    extra = {"dataset": args.dataset or DEFAULT_DATASET, "data_dir": absolute(args.data_dir)}
    options = given(args, "epochs", "batch_size", "lr", "warmup_epochs", "binarize")
    return TrainSettings(seed=seed, extra=extra, **options)


def default_out(args: argparse.Namespace) -> Path:
    """The run folder when --out is not given: named by every choice of the model."""
    seed = args.seed if args.seed not in (None, fit_default("seed")) else None
    return run_folder(args.dataset or DEFAULT_DATASET, args.model or DEFAULT_MODEL,
                      new_config(args), args.binarize or fit_default("binarize"), seed)


def run(args: argparse.Namespace) -> int:
    """``numpyvae train``: hold the run folder, load the data, build or reload the model,
    call train.fit."""
    out = Path(args.out) if args.out is not None else default_out(args)
    if out.exists() and not out.is_dir():
        raise NumpyVAEError(f"--out {out} is a file, not a run folder")
    try:
        # one run per folder, until this command ends; 2 s for a command that only looks
        held = runfolder.lock_run(out, wait=2.0)
    except OSError as e:
        raise NumpyVAEError(f"{out}: the run folder cannot be written "
                            f"({e.strerror or e})") from None
    with held:  # released however the command ends (and by the system if it is killed)
        return train_in(args, out)


def train_in(args: argparse.Namespace, out: Path) -> int:
    """``numpyvae train`` in the run folder ``out``, which this process holds."""
    dataset = args.dataset or DEFAULT_DATASET
    ckpt = out / checkpoint.CHECKPOINT
    record = None
    data_dir = args.data_dir
    if args.resume:
        record, stored = resume_run(args, out)
        settings = TrainSettings.stored(stored, record.path)
        dataset = record.dataset or dataset
        data_dir = settings.extra.get("data_dir")
    elif ckpt.exists():
        refuse_a_new_run(out)
    else:
        settings = new_settings(args)
    if settings.warmup_epochs > settings.epochs:
        raise NumpyVAEError(
            f"--warmup-epochs {settings.warmup_epochs:g} is longer than the run "
            f"({settings.epochs} epochs): the KL weight would never reach beta; "
            "choose a warm-up of at most --epochs")
    x_train, _ = datasets.load_dataset(dataset, "train", data_dir)  # (N, 784)
    x_test, _ = datasets.load_dataset(dataset, "test", data_dir)  # (M, 784)
    if record is None:
        vae = checkpoint.MODEL_CLASSES[args.model or DEFAULT_MODEL](new_config(args, x_train.shape[1]))
    else:
        vae = record.model  # fit checks Adam's step count against the data
    if settings.batch_size > len(x_train):
        print(f"note: batches of {settings.batch_size} are more than the {len(x_train)} "
              "training images: each epoch is one step on all of them", file=sys.stderr)

    print(
        f"{dataset}: {len(x_train)} train / {len(x_test)} test images | "
        f"{model_name(vae)} {sizes(vae.config)} {vae.config.activation}, "
        f"{vae.num_params:,} parameters | run folder {out}",
        flush=True,
    )
    try:
        with progress_line(args, "epoch") as progress:  # on a terminal: epoch, -ELBO, time left
            train.fit(vae, x_train, x_test, settings, out_dir=out,
                      resume=record if record is not None else False, log=print_now,
                      progress=progress)
    except KeyboardInterrupt as e:  # Ctrl-C, or SIGTERM (cli.main): every file stays whole
        status, word = interrupted_status(e)
        epoch = checkpoint.stored_epoch(ckpt)
        if epoch is None:
            print(f"{word} before the first epoch ended; no checkpoint was written",
                  file=sys.stderr)
        else:
            print(f"{word}; the last checkpoint (epoch {epoch}) is in {out} "
                  f"(continue it with: numpyvae train --out {out} --resume)", file=sys.stderr)
        return status
    print(f"checkpoint: {ckpt} (epoch {settings.epochs})")
    print(f"history:    {out / runfolder.HISTORY}")
    if isinstance(vae, VAE):
        print(f"next:       numpyvae evaluate {out}    numpyvae sample {out}")
    else:  # an AutoEncoder has no ELBO to evaluate
        print(f"next:       numpyvae sample {out}")
    return 0


def print_now(line: str) -> None:
    """An epoch's line, on stdout at once even when it is a pipe (a notebook's cell)."""
    print(line, flush=True)


def refuse_a_new_run(out: Path) -> None:
    """A new run where one is: refused, naming its epoch (and the run read, so that a
    history.json a kill left behind is repaired)."""
    try:
        record = checkpoint.read_run(out)
    except CheckpointError as e:
        raise NumpyVAEError(f"{out} already holds a run, whose checkpoint cannot be read "
                            f"({e}); choose another --out") from None
    notes(record, held=True)
    at = f" (epoch {record.epoch})" if record.epoch is not None else ""
    raise NumpyVAEError(
        f"{out} already holds a run{at}: pass --resume to continue it, or choose another --out"
    )


def data_dir_help() -> str:
    """Where data sets are cached, as :func:`numpyvae.datasets.default_data_dir` documents it."""
    return (
        "where MNIST and Fashion-MNIST are cached (downloaded on first use); "
        "default: $NUMPYVAE_DATA, else $XDG_CACHE_HOME/numpyvae, else ~/.cache/numpyvae "
        f"(here: {datasets.default_data_dir()}). glyph-digits is made on the spot and "
        "needs no files."
    )
