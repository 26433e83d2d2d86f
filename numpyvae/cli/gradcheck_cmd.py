"""``numpyvae gradcheck``: compare every hand-written gradient of the library with central
differences in float64, and Adam's steps with Eq. (10) computed by hand (the table of
:func:`numpyvae.checks.run_all`), and print one row per check; the exit status is 0 when
every row is within its bound, 1 otherwise.
"""

from __future__ import annotations

import argparse

from .. import checks
from .options import HelpFormatter

DESCRIPTION = """\
Compare every hand-written gradient of the library (layers, losses,
reparameterization, the whole VAE and AutoEncoder) with central differences
in float64, and Adam's steps with Eq. (10) computed by hand, and print one
row per check: its relative error and the bound it must stay under
(README.md, 'Gradient checks').

Prints to the terminal only; exit status 0 when every gradient is within
its bound, 1 otherwise."""


def add_parser(subparsers) -> None:
    """Add ``gradcheck`` to the subcommands of ``numpyvae``."""
    p = subparsers.add_parser(
        "gradcheck", help="check every backward pass against numerical gradients",
        formatter_class=HelpFormatter, description=DESCRIPTION,
        epilog="example:\n  numpyvae gradcheck",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """``numpyvae gradcheck``: the table of checks.run_all(); status 1 if any is over."""
    rows = checks.run_all()
    print(checks.format_table(rows))
    over = sum(not r.ok for r in rows)
    if over:
        print(f"{over} of {len(rows)} gradients over their bounds")
        return 1
    print(f"all {len(rows)} gradients within their bounds")
    return 0
