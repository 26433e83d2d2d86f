"""What the commands share: argument types, the help formatter, defaults, a run folder.

The defaults of the options are read from the dataclasses that use them
(:func:`default`), so that ``--help`` and a command left without options say and do
what :class:`~numpyvae.config.VAEConfig` and :class:`~numpyvae.train.TrainSettings`
do. Bad numbers are rejected by argparse, which names the option.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
from pathlib import Path

from .. import checkpoint, datasets
from ..config import MODEL_KINDS, VAEConfig
from ..errors import NumpyVAEError
from ..model import VAE, AutoEncoder
from ..progress import Progress

PROG = "numpyvae"
EXIT_USER_ERROR = 2  # what argparse uses for a bad command line
EXIT_INTERRUPTED = 130  # 128 + SIGINT, the shell's convention

DEFAULT_DATASET = "mnist"  # the data set of the PyTorch recipe
DEFAULT_MODEL = MODEL_KINDS[0]  # "vae"


def default(cls: type, name: str):
    """The default of the field ``name`` of the dataclass ``cls``."""
    for f in dataclasses.fields(cls):
        if f.name == name:
            if f.default_factory is not dataclasses.MISSING:
                return f.default_factory()
            return f.default
    raise KeyError(f"{cls.__name__} has no field {name!r}")


def run_folder(dataset: str, kind: str, latent_dim: int) -> Path:
    """The default run folder, e.g. runs/mnist-vae-z20."""
    return Path("runs") / f"{dataset}-{kind}-z{latent_dim}"


#: the run folder of a command left without options, for the examples of the help
EXAMPLE_RUN = run_folder(DEFAULT_DATASET, DEFAULT_MODEL, default(VAEConfig, "latent_dim"))


def sizes(config: VAEConfig) -> str:
    """'784-400-20': the encoder's layer sizes (the decoder mirrors them)."""
    return "-".join(str(s) for s in (config.input_dim, *config.hidden_dims, config.latent_dim))


def show(value) -> str:
    """A value as it is typed on the command line: (512, 256) -> '512 256'."""
    return " ".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)


def model_name(model: VAE | AutoEncoder) -> str:
    """'VAE' or 'AutoEncoder', for the lines a command prints."""
    return "VAE" if isinstance(model, VAE) else "AutoEncoder"


def load_run(run_dir: str) -> checkpoint.RunRecord:
    """The run record of a run folder (or of a checkpoint file given directly)."""
    path = Path(run_dir)
    if not path.exists():
        raise NumpyVAEError(
            f"{path}: no such run folder (make one with: numpyvae train --out {path})"
        )
    if path.is_dir() and not (path / checkpoint.CHECKPOINT).exists():
        raise NumpyVAEError(f"{path} has no {checkpoint.CHECKPOINT}: not a run folder")
    return checkpoint.read_run(path)


# ---- argument types ----------------------------------------------------------------------


def _whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def positive_int(text: str) -> int:
    """An integer >= 1."""
    value = _whole_number(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return value


def nonnegative_int(text: str) -> int:
    """An integer >= 0."""
    value = _whole_number(text)
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


def add_quiet(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """The ``--quiet`` option of a command that shows progress (on a parser or a group)."""
    parser.add_argument(
        "--quiet", action="store_true",
        help="no progress line on stderr (it is shown only when stderr is a terminal)",
    )


def progress_line(args: argparse.Namespace, label: str, total: int = 0) -> Progress:
    """The progress line of a command, on stderr: shown on a terminal unless --quiet."""
    return Progress(total, label, enabled=False if getattr(args, "quiet", False) else None)


# ---- help --------------------------------------------------------------------------------


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
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


def choices_help(meaning: dict[str, str], choices: tuple[str, ...], chosen: str) -> str:
    """'a: what a is (default); b: what b is', one entry per choice, in their order."""
    return "; ".join(
        f"{c}: {meaning.get(c, c)}" + (" (default)" if c == chosen else "") for c in choices
    )


def data_dir_help() -> str:
    """Where data sets are cached, as :func:`datasets.default_data_dir` documents it."""
    return (
        "where MNIST and Fashion-MNIST are cached (downloaded on first use); "
        "default: $NUMPYVAE_DATA, else $XDG_CACHE_HOME/numpyvae, else ~/.cache/numpyvae "
        f"(here: {datasets.default_data_dir()}). glyph-digits is made on the spot and "
        "needs no files."
    )
