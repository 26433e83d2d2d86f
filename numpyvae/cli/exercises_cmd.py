"""``numpyvae exercises init|check|train``: the backward passes a student writes. ``init``
copies the skeletons into a folder, ``check`` checks them, ``train`` trains a VAE made of
them; all three are :mod:`numpyvae.exercises`, this module only reads their options and
prints what they say.
"""

from __future__ import annotations

import argparse

from ..exercises.capstone import DEFAULT_SIZE, QUICK_SIZE, TOLERANCE, capstone
from ..exercises.messages import LANGUAGES
from ..exercises.runner import COUNT, DEFAULT_DIR, EXERCISES, check, init
from ..exercises.sandbox import DEFAULT_TIME_LIMIT
from .options import HelpFormatter, folder_name

DESCRIPTION = f"""\
{COUNT} exercises: Dense, ReLU, Sigmoid with cross entropy, Reparameterize,
the KL term, one Adam step, the VAE's backward assembled; then 'train' trains a VAE
made of them with numpyvae.train.fit, beside the library's. 'init' copies skeletons
(the math, shapes, hints, and 'raise NotImplementedError' where your code goes) into
a folder, in English or Korean (--lang ko); 'check' runs your code in a child process
under time and memory limits, compares it with central differences and the library's
own, and prints per gradient the relative error, the bound, and ok / not yet solved /
wrong (with a hint) / error (with your file:line).

The language: --lang, else $NUMPYVAE_LANG, else the folder's (init remembers it in
.numpyvae-exercises.json), else Korean when LC_ALL, LC_MESSAGES or LANG starts with ko.

Exit status of check: 0 when nothing is wrong (exercises not yet solved are
fine), 1 when an exercise is wrong or raised an error. For grading:
pytest numpyvae-exercises/ (one test per exercise, failing until solved), or
check --json for one record per exercise."""

EXAMPLES = f"""\
examples:
  numpyvae exercises init                 skeletons -> ./{DEFAULT_DIR}/
  numpyvae exercises init --lang ko       the same, with Korean instructions
  numpyvae exercises check                check them all
  numpyvae exercises check --only relu    one exercise
  numpyvae exercises check --solutions    the library's own code"""


def _seconds(text: str) -> float:
    """A time limit in seconds: a number >= 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be >= 0 seconds, got {text}")
    return value


def _add_lang(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--lang", choices=LANGUAGES, default=None,
                        help=f"{what} in English or Korean (default: $NUMPYVAE_LANG, the "
                        "folder's language, else the locale's)")


def add_parser(subparsers) -> None:
    """Add ``exercises`` and its two actions to the subcommands of ``numpyvae``."""
    p = subparsers.add_parser(
        "exercises", help="write the backward passes yourself and check them",
        formatter_class=HelpFormatter, description=DESCRIPTION, epilog=EXAMPLES,
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    init = actions.add_parser(
        "init", help="copy the skeletons into a folder (never overwrites)",
        description=f"Copy the {COUNT} exercise skeletons into DIR; existing files "
        "are kept. The folder remembers its language: check, train and pytest answer in it.",
    )
    _add_lang(init, "the instructions")
    init.add_argument(
        "dir", metavar="DIR", nargs="?", default=None,
        help=f"where to put them (default: ./{DEFAULT_DIR})",
    )
    check = actions.add_parser(
        "check", help="check your exercises against numerical gradients",
        description="Check the exercises in DIR: your code runs in a child process under "
        "time and memory limits, and each gradient is compared with central differences and "
        "the library's own, over repeated calls, float32 and (exercise 7) eight settings.",
    )
    check.add_argument(
        "dir", metavar="DIR", nargs="?", default=None,
        help=f"the folder that holds them (default: ./{DEFAULT_DIR}, or the "
        "current folder if the files are there)",
    )
    check.add_argument(
        "--only", metavar="NAME", action="append", default=None,
        help="check only this exercise (repeatable): "
        + ", ".join(ex.key for ex in EXERCISES) + ", or its number",
    )
    check.add_argument(
        "--solutions", action="store_true",
        help="check the library's own implementation instead (all must pass)",
    )
    check.add_argument(
        "--reference", action="store_true",
        help="also compare each answer with the library's own: exact, close, or differs, "
        "and the largest difference (after trying: it tells you how far off you are)",
    )
    check.add_argument(
        "--json", action="store_true",
        help="print one record per exercise (verdict, hint, rows) as JSON, for an autograder",
    )
    _add_lang(check, "verdicts and hints")
    check.add_argument(
        "--time-limit", metavar="SECONDS", type=_seconds,
        default=DEFAULT_TIME_LIMIT,
        help="stop an exercise that runs longer (an endless loop?) and say where it was; "
        "0: no limit (default: %(default)g)",
    )
    _add_train(actions)
    p.set_defaults(func=run)


def _add_train(actions) -> None:
    """``numpyvae exercises train``: the capstone (numpyvae/exercises/capstone.py)."""
    from ..datasets import DATASETS
    from .options import positive_int

    (epochs, images, tests), (q_epochs, q_images, q_tests) = DEFAULT_SIZE, QUICK_SIZE
    train = actions.add_parser(
        "train", help="train a VAE made of your exercises beside the library's",
        description="The capstone: build a VAE from your exercises (Dense, ReLU, the cross "
        "entropy's gradient, Reparameterize, the KL's gradient, Adam, and exercise 7's "
        "backward), train it on MNIST, and print its test -ELBO next to the library's own "
        "(numpyvae.train.fit, the same seed, settings and data). With every exercise right "
        f"the two agree to float32 noise (|diff| < {TOLERANCE} nats); then samples.png and "
        "reconstructions.png are written. The exercises are checked first: a wrong one or "
        "one not yet solved stops it (exit status 1) unless --anyway.",
    )
    train.add_argument(
        "dir", metavar="DIR", nargs="?", default=None,
        help=f"the folder that holds them (default: ./{DEFAULT_DIR}, or the "
        "current folder if the files are there)",
    )
    train.add_argument("--solutions", action="store_true",
                       help="build it from the library's own solutions instead")
    train.add_argument("--anyway", action="store_true",
                       help="train even with an exercise wrong (used as it is) or not yet "
                       "solved (the library's used instead)")
    train.add_argument("--quick", action="store_true",
                       help=f"{q_epochs} epoch on {q_images:,} images, tested on {q_tests:,} "
                       "(glyph-digits when MNIST is not on this machine): for CI")
    train.add_argument("--dataset", choices=DATASETS, default=None,
                       help="the images (default: mnist; glyph-digits is drawn offline)")
    train.add_argument("--data-dir", metavar="DIR", type=folder_name, default=None,
                       help="where the data sets are (as for numpyvae train)")
    train.add_argument("--epochs", type=positive_int, metavar="N", default=None,
                       help=f"passes over the training images (default: {epochs})")
    train.add_argument("--images", type=positive_int, metavar="N", default=None,
                       help=f"training images, the first N (default: {images:,})")
    train.add_argument("--test-images", type=positive_int, metavar="N", default=None,
                       help=f"test images for the -ELBO (default: {tests:,})")
    train.add_argument("--seed", type=int, metavar="S", default=1,
                       help="seed of the weights, batches and noise (default: %(default)s)")
    train.add_argument("--out", metavar="DIR", type=folder_name, default="runs/capstone",
                       help="where the pictures go (default: %(default)s)")
    _add_lang(train, "what it says")


def run(args: argparse.Namespace) -> int:
    """``numpyvae exercises init|check|train``: see numpyvae/exercises/__init__.py."""
    if args.action == "init":
        print(init(args.dir, lang=args.lang))
        return 0
    if args.action == "train":
        return capstone(args.dir, solutions=args.solutions, anyway=args.anyway,
                        quick=args.quick, dataset=args.dataset, data_dir=args.data_dir,
                        epochs=args.epochs, images=args.images, test_images=args.test_images,
                        seed=args.seed, out=args.out, lang=args.lang).status
    report, status = check(args.dir, only=args.only, solutions=args.solutions,
                                     reference=args.reference, time_limit=args.time_limit,
                                     lang=args.lang, as_json=args.json)
    print(report)
    return status
