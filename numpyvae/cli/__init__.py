"""The ``numpyvae`` command: train, evaluate, sample, gradcheck, exercises.

    numpyvae gradcheck                            every backward pass against numbers
    numpyvae train --dataset glyph-digits --out runs/g   a run folder runs/g/
    numpyvae evaluate runs/g        test -ELBO and -L_1000 of Eq. (11) -> eval.json
    numpyvae sample runs/g          new digits -> samples.png
    numpyvae exercises init                       the backward passes to write yourself

One module per command (``train_cmd.py``, ``evaluate_cmd.py``, ``sample_cmd.py``,
``gradcheck_cmd.py``, ``exercises_cmd.py``: the suffix keeps them apart from the library's
``train``, ``gradcheck`` and ``exercises``), each with its parser beside its handler: ``add_parser(subparsers)``
and ``run(args) -> exit status``, calling only the public API of the library.
``options.py`` holds what they share (the parser, argument types, the help formatter,
the defaults read from VAEConfig and TrainSettings). :func:`main` parses the arguments
(never abbreviated; a mistyped option or command gets its close match) and turns every
error a user can cause (a bad value, a missing file, a corrupt checkpoint) into one line
``numpyvae: error: ...`` on stderr and exit status 2. Ctrl-C and SIGTERM end a command
alike, with one line: exit status 130 and 143.
"""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path

try:  # Ctrl-C while the command starts (its modules load): one line, not a traceback
    from .. import __version__, runfolder
    from ..config import VAEConfig
    from ..errors import NumpyVAEError
    from ..train import TrainSettings
    from . import evaluate_cmd, exercises_cmd, gradcheck_cmd, sample_cmd, train_cmd
    from .options import (
        DEFAULT_DATASET,
        EXAMPLE_RUN,
        EXIT_INTERRUPTED,
        EXIT_TERMINATED,
        EXIT_USER_ERROR,
        PROG,
        HelpFormatter,
        Parser,
        Terminated,
        default,
        interrupted_status,
        sizes,
    )
except KeyboardInterrupt:
    print("interrupted", file=sys.stderr)
    raise SystemExit(130) from None

__all__ = ["EXIT_INTERRUPTED", "EXIT_TERMINATED", "EXIT_USER_ERROR", "PROG", "__version__",
           "build_parser", "main"]

COMMANDS = (train_cmd, evaluate_cmd, sample_cmd, gradcheck_cmd, exercises_cmd)  # in the order of the help


def _session() -> str:
    """The session of the top-level help, with the defaults of a run."""
    steps = [
        ("numpyvae gradcheck", ["check every backward pass"]),
        (f"numpyvae train --dataset {DEFAULT_DATASET}",
         [f"{sizes(VAEConfig())} VAE, {default(TrainSettings, 'epochs')} epochs,",
          f"run folder {EXAMPLE_RUN}/"]),
        (f"numpyvae evaluate {EXAMPLE_RUN}",
         ["test -ELBO and -L_1000 of Eq. (11),", f"into {runfolder.EVAL} in the run folder"]),
        (f"numpyvae sample {EXAMPLE_RUN}",
         [f"new images, {sample_cmd.SAMPLES_FILE} in the", "run folder"]),
    ]
    lines = []
    for command, text in steps:
        if len(command) > 40:  # the text in its column, from the next line
            lines.append(f"  {command}")
        else:
            lines.append(f"  {command:<40}  {text[0]}")
            text = text[1:]
        lines.extend(f"  {'':<40}  {more}" for more in text)
    return "\n".join(lines)


def build_parser() -> Parser:
    """The ``numpyvae`` parser with its five subcommands (each a :class:`Parser` too)."""
    parser = Parser(
        prog=PROG,
        formatter_class=HelpFormatter,
        description=(
            "Train, evaluate and sample a Variational AutoEncoder written from scratch "
            f"in NumPy.\n\nA session:\n{_session()}\n"
        ),
        epilog="Run 'numpyvae COMMAND --help' for the options of each command.",
    )
    # the folder too: a copy installed into the environment is not the checkout you edit
    parser.add_argument("--version", action="version",
                        version=f"%(prog)s {__version__} from {Path(__file__).resolve().parent.parent}",
                        help="show the version and the folder the code runs from, and exit")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS:
        command.add_parser(subparsers)
    return parser


def _message(error: BaseException) -> str:
    """The text of a user error: 'path: reason' for a file error."""
    if isinstance(error, OSError) and error.filename is not None and error.strerror:
        return f"{error.filename}: {error.strerror}"
    return str(error) or type(error).__name__


def _terminate(signum: int, frame) -> None:
    raise Terminated  # handled where Ctrl-C is: see options.Terminated


def main(argv: list[str] | None = None) -> int:
    """Run the ``numpyvae`` command with ``argv`` (default: sys.argv[1:]); the exit status."""
    main_thread = threading.current_thread() is threading.main_thread()
    before = signal.signal(signal.SIGTERM, _terminate) if main_thread else None
    try:
        parser = build_parser()
        try:
            args, unknown = parser.parse_known_args(argv)
            if unknown:  # the usage and the close match of the command that was given them
                getattr(args, "parser_of_unknown", parser).error(
                    f"unrecognized arguments: {' '.join(unknown)}")
        except SystemExit as e:  # --help, --version, or a bad command line (status 2)
            return e.code if isinstance(e.code, int) else (0 if e.code is None else EXIT_USER_ERROR)
        return args.func(args)
    except (NumpyVAEError, ValueError, OSError) as e:
        print(f"{PROG}: error: {_message(e)}", file=sys.stderr)
        return EXIT_USER_ERROR
    except MemoryError as e:  # e.g. --hidden 100000000: say so, without a traceback
        print(f"{PROG}: error: not enough memory for this model or data ({e})", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt as e:
        status, word = interrupted_status(e)
        print(word, file=sys.stderr)
        return status
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, before)
