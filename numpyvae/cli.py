"""The ``numpyvae`` command: train, evaluate, sample, gradcheck, exercises.

    numpyvae gradcheck                            every backward pass against numbers
    numpyvae train --dataset glyph-digits         a run folder runs/glyph-digits-vae-z20/
    numpyvae evaluate runs/glyph-digits-vae-z20   test -ELBO and -log p(x) -> eval.json
    numpyvae sample runs/glyph-digits-vae-z20     new digits -> samples.png
    numpyvae exercises init                       the backward passes to write yourself

Each subcommand is one function ``cmd_<name>(args) -> exit status`` that calls only the
public API (``datasets``, ``model``, ``train``, ``checks``, ``plots``, ``exercises``). :func:`main` parses the
arguments and turns every error a user can cause (a bad value, a missing file, a corrupt
checkpoint) into one line ``numpyvae: error: ...`` on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from pathlib import Path

import numpy as np

from . import __version__, checks, datasets, model, plots, train
from .errors import CheckpointError, NumpyVAEError
from .fileio import atomic_write

PROG = "numpyvae"
EXIT_USER_ERROR = 2  # what argparse uses for a bad command line
EXIT_INTERRUPTED = 130  # 128 + SIGINT, the shell's convention

#: The recipe of PyTorch's examples/vae: 784-400-20 ReLU, Adam 1e-3, batches of 128,
#: 10 epochs, grey pixels. Options left out of a ``train`` command take these values.
RECIPE = {
    "dataset": "mnist",
    "model": "vae",
    "hidden": [400],
    "latent_dim": 20,
    "activation": "relu",
    "beta": 1.0,
    "init": "torch",
    "epochs": 10,
    "batch_size": 128,
    "lr": 1e-3,
    "seed": 1,
    "warmup_epochs": 0.0,
    "binarize": "none",
}


# ---- argument types: bad numbers are rejected by argparse, naming the option ------------


def positive_int(text: str) -> int:
    """An integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return value


def nonnegative_int(text: str) -> int:
    """An integer >= 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text!r}")
    return value


def _finite_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text!r}")
    return value


def positive_float(text: str) -> float:
    """A finite number > 0."""
    value = _finite_float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text!r}")
    return value


def nonnegative_float(text: str) -> float:
    """A finite number >= 0."""
    value = _finite_float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text!r}")
    return value


# ---- the parser --------------------------------------------------------------------------


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the line breaks of descriptions and examples; a wider option column."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=30)

    def add_argument(self, action: argparse.Action) -> None:
        super().add_argument(action)
        # argparse measures the command names without their extra indent of 2, which
        # pushes the help of the longest one ("gradcheck") onto the next line
        for sub in getattr(action, "_get_subactions", list)():
            width = len(self._format_action_invocation(sub)) + self._current_indent + 2
            self._action_max_length = max(self._action_max_length, width)


def _data_dir_help() -> str:
    """Where data sets are cached, as :func:`datasets.default_data_dir` documents it."""
    return (
        "where MNIST and Fashion-MNIST are cached (downloaded on first use); "
        "default: $NUMPYVAE_DATA, else $XDG_CACHE_HOME/numpyvae, else ~/.cache/numpyvae "
        f"(here: {datasets.default_data_dir()}). glyph-digits is made on the spot and "
        "needs no files."
    )


def build_parser() -> argparse.ArgumentParser:
    """The ``numpyvae`` parser with its five subcommands."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        formatter_class=_HelpFormatter,
        description=(
            "Train, evaluate and sample a Variational AutoEncoder written from scratch "
            "in NumPy.\n\n"
            "A session:\n"
            "  numpyvae gradcheck                        check every backward pass\n"
            "  numpyvae train --dataset mnist            784-400-20 VAE, 10 epochs,\n"
            "                                            run folder runs/mnist-vae-z20/\n"
            "  numpyvae evaluate runs/mnist-vae-z20      test -ELBO and -log p(x),\n"
            "                                            written to eval.json in the run folder\n"
            "  numpyvae sample runs/mnist-vae-z20        new images, samples.png in the\n"
            "                                            run folder\n"
        ),
        epilog="Run 'numpyvae COMMAND --help' for the options of each command.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _add_train(sub)
    _add_evaluate(sub)
    _add_sample(sub)
    _add_gradcheck(sub)
    _add_exercises(sub)
    return parser


def _add_train(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "train",
        help="train a VAE (or an AutoEncoder) and keep a run folder",
        formatter_class=_HelpFormatter,
        description=(
            "Train a VAE with Adam on the training images of a data set, printing the\n"
            "train and test -ELBO (nats per image) after every epoch.\n\n"
            "Outputs go to the run folder (--out, default runs/<dataset>-<model>-z<latent>):\n"
            "  checkpoint.npz   parameters, optimizer state, settings; rewritten after\n"
            "                   every epoch, so an interrupted run loses at most one epoch\n"
            "  history.json     one record per epoch: train loss, recon, KL, test loss\n"
            "A folder that already holds a run is never overwritten: pass --resume to\n"
            "continue it (its model and settings are kept; --epochs may be raised), or\n"
            "choose another --out.\n\n"
            "The defaults are the PyTorch recipe: 784-400-20 ReLU, Adam lr 1e-3,\n"
            "batches of 128, 10 epochs, grey pixels, seed 1."
        ),
        epilog=(
            "examples:\n"
            "  numpyvae train --dataset glyph-digits --epochs 5\n"
            "  numpyvae train --dataset mnist --hidden 512 256 --latent-dim 2 --out runs/z2\n"
            "  numpyvae train --out runs/z2 --resume --epochs 20   (continue to 20 epochs)"
        ),
    )
    data = p.add_argument_group("data")
    data.add_argument(
        "--dataset", choices=datasets.DATASETS, default=None,
        help="the images to train on (default: mnist); glyph-digits are stroke-drawn "
        "digits made offline, not MNIST",
    )
    data.add_argument("--data-dir", metavar="DIR", default=None, help=_data_dir_help())
    data.add_argument(
        "--binarize", choices=datasets.BINARIZE_MODES, default=None,
        help="none: grey pixels (default); static: one fixed 0/1 sample of the data set; "
        "dynamic: fresh 0/1 pixels for every batch",
    )

    net = p.add_argument_group("model (fixed once a run exists)")
    net.add_argument(
        "--model", choices=tuple(train.MODEL_KINDS), default=None,
        help="vae: the Variational AutoEncoder (default); ae: the plain AutoEncoder",
    )
    net.add_argument(
        "--hidden", type=positive_int, nargs="+", metavar="SIZE", default=None,
        help="sizes of the encoder's hidden layers, the decoder mirrors them "
        "(default: 400; '--hidden 512 256' gives 784-512-256-z-256-512-784)",
    )
    net.add_argument(
        "--latent-dim", type=positive_int, metavar="Z", default=None,
        help="size of the latent code z (default: 20; 2 can be plotted)",
    )
    net.add_argument(
        "--activation", choices=model.ACTIVATIONS, default=None,
        help="activation of the hidden layers (default: relu)",
    )
    net.add_argument(
        "--beta", type=nonnegative_float, metavar="B", default=None,
        help="weight of the KL term, Eq. (6); 1 is the VAE (default: 1.0)",
    )
    net.add_argument(
        "--init", choices=model.INITS, default=None,
        help="torch: every W and b ~ U(+-1/sqrt(fan_in)), as PyTorch's nn.Linear (default); "
        "he: He for ReLU, Glorot for tanh and the linear heads, zero biases",
    )

    run = p.add_argument_group("training")
    run.add_argument(
        "--epochs", type=positive_int, metavar="N", default=None,
        help="passes over the training images (default: 10; with --resume: the run's own "
        "number, or more to extend it)",
    )
    run.add_argument(
        "--batch-size", type=positive_int, metavar="N", default=None,
        help="images per Adam step (default: 128)",
    )
    run.add_argument(
        "--lr", type=positive_float, metavar="LR", default=None,
        help="Adam's learning rate, Eq. (10) (default: 1e-3)",
    )
    run.add_argument(
        "--warmup-epochs", type=nonnegative_float, metavar="E", default=None,
        help="raise the KL weight linearly from 0 to --beta over this many epochs "
        "(default: 0, no warm-up)",
    )
    run.add_argument(
        "--seed", type=nonnegative_int, metavar="S", default=None,
        help="seed of the weights, the batch order and the noise (default: 1)",
    )
    run.add_argument(
        "--out", metavar="RUN_DIR", default=None,
        help="the run folder (default: runs/<dataset>-<model>-z<latent>, "
        "e.g. runs/mnist-vae-z20, relative to the current directory)",
    )
    run.add_argument(
        "--resume", action="store_true",
        help="continue the run in --out from its last checkpoint",
    )
    p.set_defaults(func=cmd_train)


def _add_evaluate(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "evaluate",
        help="test -ELBO and importance-weighted -log p(x) of a trained VAE",
        formatter_class=_HelpFormatter,
        description=(
            "Evaluate a trained VAE on the test images of the data set it was trained on.\n\n"
            "Prints, in nats per image and in bits per dimension:\n"
            "  -ELBO       Eq. (6) with beta = 1, one sample of z per image (as PyTorch's\n"
            "              recipe reports it; --elbo-samples S also averages over S samples)\n"
            "  -log p(x)   the importance-weighted estimate of Eq. (11) with K samples per\n"
            "              image: a tighter bound, the figure papers report\n"
            "and writes them to eval.json in the run folder (replacing the one of an\n"
            "earlier evaluation). A run trained on 0/1 pixels (--binarize static or\n"
            "dynamic) is evaluated on the fixed 0/1 sample of the test images it was\n"
            "tested on while training. An AutoEncoder run has no ELBO and cannot be\n"
            "evaluated."
        ),
        epilog=(
            "examples:\n"
            "  numpyvae evaluate runs/mnist-vae-z20\n"
            "  numpyvae evaluate runs/mnist-vae-z20 --iw-samples 5000 --elbo-samples 10"
        ),
    )
    p.add_argument("run_dir", metavar="RUN_DIR", help="a run folder made by 'numpyvae train'")
    p.add_argument(
        "--iw-samples", type=nonnegative_int, metavar="K", default=1000,
        help="importance samples per image for -log p(x), Eq. (11); 0 skips it "
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
        "--data-dir", metavar="DIR", default=None,
        help="where the data set is cached (default: the one the run was trained from)",
    )
    p.add_argument(
        "--seed", type=nonnegative_int, metavar="S", default=0,
        help="seed of the samples of z (default: %(default)s)",
    )
    p.set_defaults(func=cmd_evaluate)


def _add_sample(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sample",
        help="decode z ~ N(0, I) into new images, saved as a PNG grid",
        formatter_class=_HelpFormatter,
        description=(
            "Draw z from the prior N(0, I), decode it (Eq. 3) and save the pixel\n"
            "probabilities as a square grid of 28x28 images with a title.\n\n"
            "The PNG goes to --out (default: samples.png in the run folder).\n"
            "Needs matplotlib: pip install numpyvae[plot]"
        ),
        epilog=(
            "examples:\n"
            "  numpyvae sample runs/mnist-vae-z20\n"
            "  numpyvae sample runs/mnist-vae-z20 --n 100 --seed 3 --out digits.png"
        ),
    )
    p.add_argument("run_dir", metavar="RUN_DIR", help="a run folder made by 'numpyvae train'")
    p.add_argument(
        "--n", type=positive_int, metavar="N", default=64,
        help="number of images (default: %(default)s, an 8x8 grid)",
    )
    p.add_argument(
        "--out", metavar="FILE.png", default=None,
        help="the image file to write (default: RUN_DIR/samples.png)",
    )
    p.add_argument(
        "--seed", type=nonnegative_int, metavar="S", default=0,
        help="seed of z (default: %(default)s)",
    )
    p.set_defaults(func=cmd_sample)


def _add_gradcheck(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "gradcheck",
        help="check every backward pass against numerical gradients",
        formatter_class=_HelpFormatter,
        description=(
            "Compare every hand-written gradient of the library (layers, losses,\n"
            "reparameterization, the whole VAE and AutoEncoder, Adam) with central\n"
            "differences in float64, and print one row per gradient: its relative error\n"
            "and the bound it must stay under (README.md, 'Gradient checks').\n\n"
            "Prints to the terminal only; exit status 0 when every gradient is within\n"
            "its bound, 1 otherwise."
        ),
        epilog="example:\n  numpyvae gradcheck",
    )
    p.set_defaults(func=cmd_gradcheck)


def _add_exercises(sub: argparse._SubParsersAction) -> None:
    from . import exercises

    p = sub.add_parser(
        "exercises",
        help="write the backward passes yourself and check them",
        formatter_class=_HelpFormatter,
        description=(
            "Six exercises: Dense, ReLU, Sigmoid with cross entropy, Reparameterize, the KL\n"
            "term, one Adam step. 'init' copies skeletons (the math, shapes, hints, and\n"
            "'raise NotImplementedError' where your code goes) into a folder; 'check' runs\n"
            "the checks of 'numpyvae gradcheck' on your version and prints, per gradient,\n"
            "the relative error, the bound, and ok / not yet solved / wrong (with a hint) /\n"
            "error (with your file:line).\n\n"
            "Exit status of check: 0 when nothing is wrong (exercises not yet solved are\n"
            "fine), 1 when an exercise is wrong or raised an error."
        ),
        epilog=(
            "examples:\n"
            f"  numpyvae exercises init                 skeletons -> ./{exercises.DEFAULT_DIR}/\n"
            "  numpyvae exercises check                check them all\n"
            "  numpyvae exercises check --only relu    one exercise\n"
            "  numpyvae exercises check --solutions    the library's own code"
        ),
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    init = actions.add_parser(
        "init", help="copy the skeletons into a folder (never overwrites)",
        description="Copy the six exercise skeletons into DIR; existing files are kept.",
    )
    init.add_argument(
        "dir", metavar="DIR", nargs="?", default=None,
        help=f"where to put them (default: ./{exercises.DEFAULT_DIR})",
    )
    check = actions.add_parser(
        "check", help="check your exercises against numerical gradients",
        description="Check the exercises in DIR with the library's gradient checks.",
    )
    check.add_argument(
        "dir", metavar="DIR", nargs="?", default=None,
        help=f"the folder that holds them (default: ./{exercises.DEFAULT_DIR}, or the "
        "current folder if the files are there)",
    )
    check.add_argument(
        "--only", metavar="NAME", action="append", default=None,
        help="check only this exercise (repeatable): "
        + ", ".join(ex.key for ex in exercises.EXERCISES) + ", or its number",
    )
    check.add_argument(
        "--solutions", action="store_true",
        help="check the library's own implementation instead (all must pass)",
    )
    p.set_defaults(func=cmd_exercises)


# ---- train -------------------------------------------------------------------------------


def _given_or_recipe(args: argparse.Namespace, name: str):
    value = getattr(args, name, None)
    return RECIPE[name] if value is None else value


def _sizes(config: model.VAEConfig) -> str:
    """'784-400-20': the encoder's layer sizes (the decoder mirrors them)."""
    return "-".join(str(s) for s in (config.input_dim, *config.hidden_dims, config.latent_dim))


def _show(value) -> str:
    return " ".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)


def _resume_conflicts(args: argparse.Namespace, meta: dict, settings: dict) -> list[str]:
    """The options given on the command line that differ from the stored run."""
    config = meta["config"]
    stored = {
        "dataset": (settings.get("extra") or {}).get("dataset"),
        "binarize": settings.get("binarize"),
        "model": meta.get("model", "vae"),
        "hidden": list(config["hidden_dims"]),
        "latent_dim": config["latent_dim"],
        "activation": config["activation"],
        "beta": config["beta"],
        "init": config.get("init"),
        "batch_size": settings.get("batch_size"),
        "lr": settings.get("lr"),
        "warmup_epochs": settings.get("warmup_epochs"),
        "seed": settings.get("seed"),
    }
    conflicts = []
    for name, old in stored.items():
        new = getattr(args, name, None)
        if new is not None and new != old:
            option = "--" + name.replace("_", "-")
            conflicts.append(f"{option} {_show(new)} (the run has {_show(old)})")
    return conflicts


def _absolute(path: str | None) -> str | None:
    """``path`` made absolute, as stored in a checkpoint: the run may be read from elsewhere."""
    return None if path is None else str(Path(path).expanduser().resolve())


def _stored_epoch(path: Path) -> int | None:
    """The epoch of the checkpoint at ``path``, reading only its metadata; None if none."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            return int(json.loads(str(npz["meta"]))["epoch"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _prepare_resume(
    args: argparse.Namespace, out: Path
) -> tuple[model.VAE | model.AutoEncoder, train.TrainSettings]:
    """The stored model and settings of the run in ``out``, checked against ``args``."""
    ckpt = out / train.CHECKPOINT
    if not ckpt.exists():
        raise NumpyVAEError(
            f"{out} has no {train.CHECKPOINT} to resume; drop --resume to start a new run there"
        )
    vae, _, meta = train.load_checkpoint(ckpt)
    try:
        stored = dict(meta["settings"])
        done = int(meta["epoch"])
    except (KeyError, TypeError, ValueError) as e:
        raise CheckpointError(f"{ckpt}: no training settings stored ({e})") from e
    conflicts = _resume_conflicts(args, meta, stored)
    if conflicts:
        raise NumpyVAEError(
            f"--resume continues {out} as it was made, but these options differ: "
            + "; ".join(conflicts)
            + ". Drop them, or choose another --out for a new run"
        )
    epochs = args.epochs if args.epochs is not None else int(stored["epochs"])
    if epochs <= done:
        raise NumpyVAEError(
            f"{out} has already been trained for {done} epoch{'s' if done != 1 else ''}: "
            f"pass --epochs with more than {done} to extend it"
        )
    extra = dict(stored.get("extra") or {})
    if args.data_dir is not None:
        extra["data_dir"] = _absolute(args.data_dir)
    stored.update(epochs=epochs, extra=extra)
    try:
        settings = train.TrainSettings(**stored)
    except TypeError as e:
        raise CheckpointError(f"{ckpt}: unreadable training settings ({e})") from e
    return vae, settings


def _new_run(
    args: argparse.Namespace, input_dim: int
) -> tuple[model.VAE | model.AutoEncoder, train.TrainSettings]:
    """A fresh model and settings from ``args`` and the recipe's defaults."""
    seed = _given_or_recipe(args, "seed")
    config = model.VAEConfig(
        input_dim=input_dim,
        hidden_dims=tuple(_given_or_recipe(args, "hidden")),
        latent_dim=_given_or_recipe(args, "latent_dim"),
        activation=_given_or_recipe(args, "activation"),
        likelihood="bernoulli",
        beta=_given_or_recipe(args, "beta"),
        seed=seed,
        init=_given_or_recipe(args, "init"),
    )
    vae = train.MODEL_KINDS[_given_or_recipe(args, "model")](config)
    settings = train.TrainSettings(
        epochs=_given_or_recipe(args, "epochs"),
        batch_size=_given_or_recipe(args, "batch_size"),
        lr=_given_or_recipe(args, "lr"),
        seed=seed,
        warmup_epochs=_given_or_recipe(args, "warmup_epochs"),
        binarize=_given_or_recipe(args, "binarize"),
        extra={"dataset": _given_or_recipe(args, "dataset"), "data_dir": _absolute(args.data_dir)},
    )
    return vae, settings


def cmd_train(args: argparse.Namespace) -> int:
    """``numpyvae train``: load the data, build or reload the model, call train.fit."""
    dataset = _given_or_recipe(args, "dataset")
    kind = _given_or_recipe(args, "model")
    latent = _given_or_recipe(args, "latent_dim")
    out = Path(args.out) if args.out else Path("runs") / f"{dataset}-{kind}-z{latent}"
    if out.exists() and not out.is_dir():
        raise NumpyVAEError(f"--out {out} is a file, not a run folder")
    ckpt = out / train.CHECKPOINT
    if args.resume:
        vae, settings = _prepare_resume(args, out)
        dataset = settings.extra.get("dataset") or dataset
    elif ckpt.exists():
        epoch = _stored_epoch(ckpt)
        at = f" (epoch {epoch})" if epoch is not None else ""
        raise NumpyVAEError(
            f"{out} already holds a run{at}: pass --resume to continue it, "
            "or choose another --out"
        )
    data_dir = settings.extra.get("data_dir") if args.resume else args.data_dir
    x_train, _ = datasets.load_dataset(dataset, "train", data_dir)  # (N, 784)
    x_test, _ = datasets.load_dataset(dataset, "test", data_dir)  # (M, 784)
    # after the data (no empty folder is left when they cannot be read), before the
    # first epoch (a folder that cannot be written fails now, not after an epoch)
    out.mkdir(parents=True, exist_ok=True)
    if not os.access(out, os.W_OK):
        raise NumpyVAEError(f"{out}: the run folder is not writable")
    if not args.resume:
        vae, settings = _new_run(args, x_train.shape[1])

    name = "VAE" if isinstance(vae, model.VAE) else "AutoEncoder"
    print(
        f"{dataset}: {len(x_train)} train / {len(x_test)} test images | "
        f"{name} {_sizes(vae.config)} {vae.config.activation}, {vae.num_params:,} parameters | "
        f"run folder {out}",
        flush=True,
    )
    try:
        train.fit(vae, x_train, x_test, settings, out_dir=out, resume=args.resume)
    except KeyboardInterrupt:
        epoch = _stored_epoch(ckpt)
        if epoch is None:
            print("interrupted before the first epoch ended; no checkpoint was written",
                  file=sys.stderr)
        else:
            print(
                f"interrupted; the last checkpoint (epoch {epoch}) is in {out} "
                f"(continue it with: numpyvae train --out {out} --resume)",
                file=sys.stderr,
            )
        return EXIT_INTERRUPTED
    print(f"checkpoint: {ckpt} (epoch {settings.epochs})")
    print(f"history:    {out / train.HISTORY}")
    if isinstance(vae, model.VAE):
        print(f"next:       numpyvae evaluate {out}    numpyvae sample {out}")
    else:  # an AutoEncoder has no ELBO to evaluate
        print(f"next:       numpyvae sample {out}")
    return 0


# ---- evaluate and sample -----------------------------------------------------------------


def _load_run(run_dir: str) -> tuple[model.VAE | model.AutoEncoder, dict, Path]:
    """(model, meta, run folder) of a run folder, or of a checkpoint file given directly."""
    path = Path(run_dir)
    if not path.exists():
        raise NumpyVAEError(
            f"{path}: no such run folder (make one with: numpyvae train --out {path})"
        )
    if path.is_dir() and not (path / train.CHECKPOINT).exists():
        raise NumpyVAEError(f"{path} has no {train.CHECKPOINT}: not a run folder")
    vae, _, meta = train.load_checkpoint(path)
    return vae, meta, path if path.is_dir() else path.parent


def _bits_per_dim(nats: float, dims: int) -> float:
    return nats / (dims * math.log(2))


def cmd_evaluate(args: argparse.Namespace) -> int:
    """``numpyvae evaluate``: train.evaluate on the run's test images, then eval.json."""
    vae, meta, run = _load_run(args.run_dir)
    if not isinstance(vae, model.VAE):
        raise NumpyVAEError(
            f"{run} is an AutoEncoder run: the -ELBO and the importance-weighted -log p(x) "
            "need a VAE's q(z|x), an AutoEncoder has none"
        )
    settings = meta.get("settings") or {}
    extra = settings.get("extra") or {}
    dataset = args.dataset or extra.get("dataset")
    if dataset is None:
        raise NumpyVAEError(f"{run}: the checkpoint does not say which data set it was "
                            "trained on; pass --dataset")
    data_dir = args.data_dir if args.data_dir is not None else extra.get("data_dir")
    x, _ = datasets.load_dataset(dataset, "test", data_dir)  # (N, 784)
    binarized = settings.get("binarize", "none") != "none"
    if binarized:  # trained on 0/1 pixels: evaluate on the fixed 0/1 sample fit tested it on
        x = train.binarized_test_images(x, int(settings.get("seed", train.TrainSettings.seed)))
    how = "pixels binarized to 0/1 (the sample the run was tested on)" if binarized else "grey pixels"
    epoch = meta.get("epoch")
    print(f"evaluating {run} (epoch {epoch}) on {len(x)} {dataset} test images, {how}")
    if args.iw_samples:
        print(f"the importance-weighted estimate decodes {args.iw_samples} samples per image: "
              "this can take a while", flush=True)

    figures = train.evaluate(vae, x, args.iw_samples, args.elbo_samples, args.seed)
    dims = vae.config.input_dim
    rows = [("-ELBO, 1 sample of z per image", figures["test_neg_elbo"])]
    if "test_neg_elbo_avg" in figures:
        rows.append((f"-ELBO, averaged over {args.elbo_samples} samples",
                     figures["test_neg_elbo_avg"]))
    if figures.get("test_nll_iw") is not None:
        rows.append((f"-log p(x), importance-weighted, K={args.iw_samples}",
                     figures["test_nll_iw"]))
    width = max(len(label) for label, _ in rows)
    for label, nats in rows:
        print(f"{label:<{width}}  {nats:9.2f} nats per image  "
              f"{_bits_per_dim(nats, dims):7.4f} bits/dim")

    record = {"dataset": dataset, "epoch": epoch, "seed": args.seed,
              "test_pixels": "binarized" if binarized else "grey", **figures}
    data = (json.dumps(record, indent=1) + "\n").encode()
    path = run / train.EVAL
    atomic_write(path, lambda f: f.write(data))
    print(f"written to {path}")
    return 0


def _save_grid(images: np.ndarray, path: Path, title: str) -> None:
    """Save images (N, H, W) in [0, 1] as a square grid with a title, N -> ceil(sqrt N) columns.

    Uses matplotlib's Figure directly (no pyplot, no global backend state); the file
    format follows the suffix of ``path``.
    """
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise NumpyVAEError(
            "saving images needs matplotlib: pip install numpyvae[plot]"
        ) from None
    cols = math.ceil(math.sqrt(len(images)))
    grid = plots.tile(images, cols, pad=2, pad_value=0.35)  # grey lines between them
    scale = 3 if cols <= 8 else 2  # screen pixels per image pixel
    dpi = 100
    title_lines = title.count("\n") + 1
    width_in = max(grid.shape[1] * scale / dpi, 4.0)  # room for the title
    title_in = 0.15 + 0.18 * title_lines
    height_in = grid.shape[0] * scale / dpi + title_in
    fig = Figure(figsize=(width_in, height_in), dpi=dpi)
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0 - title_in / height_in))
    ax.imshow(grid, cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
    ax.set_axis_off()
    fig.suptitle(title, fontsize=9, y=1.0 - 0.08 / height_in, va="top")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi)


def cmd_sample(args: argparse.Namespace) -> int:
    """``numpyvae sample``: decode z ~ N(0, I) and save the grid."""
    vae, meta, run = _load_run(args.run_dir)
    dims = vae.config.input_dim
    side = math.isqrt(dims)
    if side * side != dims:
        raise NumpyVAEError(f"{run}: images of {dims} pixels are not square; cannot draw them")
    out = Path(args.out) if args.out else run / "samples.png"
    x = vae.sample(args.n, np.random.default_rng(args.seed))  # Eq. (3)   (n, dims)
    images = np.clip(x, 0.0, 1.0).reshape(args.n, side, side)
    kind = "VAE" if isinstance(vae, model.VAE) else "AutoEncoder"
    dataset = ((meta.get("settings") or {}).get("extra") or {}).get("dataset", "")
    samples = f"{args.n} sample{'s' if args.n != 1 else ''}"
    title = (f"{samples}: z ~ N(0, I) decoded, seed {args.seed}\n"
             f"{kind} {_sizes(vae.config)}, {dataset}, epoch {meta.get('epoch')}")
    _save_grid(images, out, title)
    print(f"{samples} written to {out}")
    return 0


# ---- gradcheck ---------------------------------------------------------------------------


def cmd_gradcheck(args: argparse.Namespace) -> int:
    """``numpyvae gradcheck``: the table of checks.run_all(); status 1 if any is over."""
    rows = checks.run_all()
    print(checks.format_table(rows))
    over = sum(not r.ok for r in rows)
    if over:
        print(f"{over} of {len(rows)} gradients over their bounds")
        return 1
    print(f"all {len(rows)} gradients within their bounds")
    return 0


# ---- exercises ---------------------------------------------------------------------------


def cmd_exercises(args: argparse.Namespace) -> int:
    """``numpyvae exercises init|check``: see numpyvae/exercises/__init__.py."""
    from . import exercises

    if args.action == "init":
        print(exercises.init(args.dir))
        return 0
    report, status = exercises.check(args.dir, only=args.only, solutions=args.solutions)
    print(report)
    return status


# ---- main --------------------------------------------------------------------------------


def _message(error: BaseException) -> str:
    """The text of a user error: 'path: reason' for a file error."""
    if isinstance(error, OSError) and error.filename is not None and error.strerror:
        return f"{error.filename}: {error.strerror}"
    return str(error) or type(error).__name__


def main(argv: list[str] | None = None) -> int:
    """Run the ``numpyvae`` command with ``argv`` (default: sys.argv[1:]); the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help, --version, or a bad command line (status 2)
        return e.code if isinstance(e.code, int) else (0 if e.code is None else EXIT_USER_ERROR)
    try:
        return args.func(args)
    except (NumpyVAEError, ValueError, OSError) as e:
        print(f"{PROG}: error: {_message(e)}", file=sys.stderr)
        return EXIT_USER_ERROR
    except MemoryError as e:  # e.g. --hidden 100000000: say so, without a traceback
        print(f"{PROG}: error: not enough memory for this model or data ({e})", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
