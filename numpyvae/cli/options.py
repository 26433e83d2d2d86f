"""What the commands share: the parser, argument types, the help formatter, defaults, a
run folder.

The defaults of the options are read from the dataclasses that use them
(:func:`default`), so that ``--help`` and a command left without options say and do
what :class:`~numpyvae.config.VAEConfig` and :class:`~numpyvae.train.TrainSettings`
do. Bad numbers are rejected by argparse, which names the option; options are never
abbreviated (``--epoch`` is not ``--epochs``), and a mistyped option or command is
answered with the usage of its command and the close match (:class:`Parser`).
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import math
import re
import sys
from pathlib import Path

from ..config import MODEL_KINDS, VAEConfig
from ..model import VAE, AutoEncoder
from ..progress import Progress

PROG = "numpyvae"
EXIT_USER_ERROR = 2  # what argparse uses for a bad command line
EXIT_INTERRUPTED = 130  # 128 + SIGINT, the shell's convention
EXIT_TERMINATED = 143  # 128 + SIGTERM


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is (as Ctrl-C raises KeyboardInterrupt), so that
    a command ends it as it ends Ctrl-C: the files it writes stay whole, one line says
    where things are, and the exit status is 143."""


def interrupted_status(error: KeyboardInterrupt) -> tuple[int, str]:
    """The exit status of an interrupted command and the word for it."""
    if isinstance(error, Terminated):
        return EXIT_TERMINATED, "terminated (SIGTERM)"
    return EXIT_INTERRUPTED, "interrupted"


class Parser(argparse.ArgumentParser):
    """The parser of every command: no abbreviated options, and a mistyped option or
    choice answered with the close match ("did you mean --dataset?")."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def parse_known_args(self, args=None, namespace=None):
        self.given = list(sys.argv[1:] if args is None else args)  # for suggestion()
        namespace, extras = super().parse_known_args(args, namespace)
        # the innermost command that was left arguments it does not know says so (main)
        if extras and getattr(namespace, "parser_of_unknown", None) is None:
            namespace.parser_of_unknown = self
        return namespace, extras

    def error(self, message: str):
        super().error(message + self.suggestion(message))

    def suggestion(self, message: str) -> str:
        """' (did you mean X?)' for the unknown option or choice in ``message``, or ''."""
        choice = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
        if choice:
            given, known = choice[1], re.findall(r"'([^']*)'", choice[2])
        else:
            unknown = re.search(r"unrecognized arguments: (\S+)", message)
            if unknown:
                given = unknown[1]
            else:  # `numpyvae --vers`: argparse asks for the command before the option
                given = next((a for a in getattr(self, "given", []) if a.startswith("--")
                              and a.split("=")[0] not in self._option_string_actions), "")
            if not given.startswith("-"):
                return ""
            given = given.split("=")[0]
            known = [o for o in self._option_string_actions if o.startswith("--")]
        # the one name it begins (an abbreviation, as argparse took them), else the closest
        close = [k for k in known if k.startswith(given)]
        if len(close) != 1:
            close = difflib.get_close_matches(given, known, n=1, cutoff=0.6)
        return f" (did you mean {close[0]}?)" if close else ""

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


def run_folder(dataset: str, kind: str, config: VAEConfig, binarize: str = "none",
               seed: int | None = None) -> Path:
    """The default run folder, named by every choice that makes another model, so that
    runs that differ never share one: e.g. runs/mnist-vae-h400-z20-relu-b1 (data set,
    model, hidden sizes, latent size, activation, beta of a VAE), then -<binarize>
    unless none, -<init> unless the default, -seed<seed> when given."""
    hidden = "x".join(map(str, config.hidden_dims)) or "0"
    name = f"{dataset}-{kind}-h{hidden}-z{config.latent_dim}-{config.activation}"
    if kind == "vae":  # an AutoEncoder has no KL term to weigh
        beta = config.beta + 0.0  # -0.0 is the beta 0
        short = f"{beta:g}"  # b1, b0.5, but never one name for two betas (1.0000001)
        name += f"-b{short if float(short) == beta else repr(beta)}"
    if binarize != "none":
        name += f"-{binarize}"
    if config.init != default(VAEConfig, "init"):
        name += f"-{config.init}"
    if seed is not None:
        name += f"-seed{seed}"
    return Path("runs") / name


#: the run folder of a command left without options, for the examples of the help
EXAMPLE_RUN = run_folder(DEFAULT_DATASET, DEFAULT_MODEL, VAEConfig())


def sizes(config: VAEConfig) -> str:
    """'784-400-20': the encoder's layer sizes (the decoder mirrors them)."""
    return "-".join(str(s) for s in (config.input_dim, *config.hidden_dims, config.latent_dim))


def model_name(model: VAE | AutoEncoder) -> str:
    """'VAE' or 'AutoEncoder', for the lines a command prints."""
    return "VAE" if isinstance(model, VAE) else "AutoEncoder"


def folder_name(text: str) -> str:
    """A path that names something: not '' nor blanks (which would mean the current
    folder, or a default the user did not ask for)."""
    if not text.strip():
        raise argparse.ArgumentTypeError(f"must name a folder, got {text!r}")
    return text


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
