"""``numpyvae exercises init|check``: the backward passes a student writes. ``init`` copies
the skeletons into a folder and ``check`` runs the library's gradient checks on them; both
are :mod:`numpyvae.exercises`, this module only reads their options and prints the report.
"""

from __future__ import annotations

import argparse

from .. import exercises
from .options import HelpFormatter

DESCRIPTION = """\
Six exercises: Dense, ReLU, Sigmoid with cross entropy, Reparameterize, the KL
term, one Adam step. 'init' copies skeletons (the math, shapes, hints, and
'raise NotImplementedError' where your code goes) into a folder; 'check' runs
the checks of 'numpyvae gradcheck' on your version and prints, per gradient,
the relative error, the bound, and ok / not yet solved / wrong (with a hint) /
error (with your file:line).

Exit status of check: 0 when nothing is wrong (exercises not yet solved are
fine), 1 when an exercise is wrong or raised an error."""

EXAMPLES = f"""\
examples:
  numpyvae exercises init                 skeletons -> ./{exercises.DEFAULT_DIR}/
  numpyvae exercises check                check them all
  numpyvae exercises check --only relu    one exercise
  numpyvae exercises check --solutions    the library's own code"""


def add_parser(subparsers) -> None:
    """Add ``exercises`` and its two actions to the subcommands of ``numpyvae``."""
    p = subparsers.add_parser(
        "exercises", help="write the backward passes yourself and check them",
        formatter_class=HelpFormatter, description=DESCRIPTION, epilog=EXAMPLES,
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
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """``numpyvae exercises init|check``: see numpyvae/exercises/__init__.py."""
    if args.action == "init":
        print(exercises.init(args.dir))
        return 0
    report, status = exercises.check(args.dir, only=args.only, solutions=args.solutions)
    print(report)
    return status
