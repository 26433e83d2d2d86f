"""What every demo shares: the command-line options, what --quick runs instead of the
defaults, the data (MNIST, or the offline glyph-digits when MNIST cannot be had), the
record of the figures written (SOURCES.json beside them), and one line instead of a
traceback for Ctrl-C and for what numpyvae refuses on purpose (no matplotlib, say).

Not a demo itself. The demos import it as a sibling module (``import _common``), which
works when a demo is run as a script: Python puts the script's folder on the path.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import ModuleType

import numpy as np

import numpyvae
from numpyvae import VAE, AutoEncoder, plots
from numpyvae.datasets import load_dataset
from numpyvae.errors import DataError, NumpyVAEError
from numpyvae.fileio import atomic_write
from numpyvae.train import TrainSettings

DEMOS = Path(__file__).resolve().parent


def one_line(kind: type[BaseException], error: BaseException, tb) -> None:
    """``sys.excepthook`` of a demo: Ctrl-C, and an error numpyvae raises on purpose (a
    NumpyVAEError: matplotlib missing, data not to be had), end it with one line on
    stderr; anything else is a bug, and keeps its traceback."""
    name = f"python demos/{Path(sys.argv[0]).name}" if sys.argv and sys.argv[0] else "demo"
    if issubclass(kind, KeyboardInterrupt):
        print(f"{name}: interrupted", file=sys.stderr)
    elif issubclass(kind, NumpyVAEError):
        print(f"{name}: error: {error}", file=sys.stderr)
    else:
        sys.__excepthook__(kind, error, tb)


sys.excepthook = one_line
#: the file beside the figures that says what drew each one (see :func:`report`)
SOURCES = "SOURCES.json"
#: options that say where things are, not what is drawn
PLACES = ("out", "data_dir", "run", "ae_run")


@dataclass(frozen=True)
class Quick:
    """What ``--quick`` trains instead of the defaults: a few seconds of CPU, chosen per
    demo so that its figures still show the lesson (or say on their face that they
    cannot). A smaller network and a larger learning rate buy the steps the full run
    takes from 60,000 images."""

    epochs: int
    hidden: int = 400  # units of the hidden layer
    lr: float = 1e-3  # Adam's learning rate
    train: int = 2000  # training images
    test: int = 500  # test images
    batch: int = 32  # 4x the Adam steps per epoch of the default 128

    def describe(self) -> str:
        net = "" if self.hidden == 400 else f"a hidden layer of {self.hidden}, "
        rate = "" if self.lr == 1e-3 else f", Adam lr {self.lr:g}"
        return (f"seconds: {self.train} training and {self.test} test images, {net}"
                f"{self.epochs} epochs in batches of {self.batch}{rate}")


@dataclass
class Data:
    """Training and test images (N, 784) float32 in [0, 1], labels (N,) int64."""

    name: str  # "mnist" or "glyph-digits"
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def folder(text: str) -> Path:
    """--out and --data-dir: a path that names a folder ('' would be the current one)."""
    if not text.strip():
        raise argparse.ArgumentTypeError(f"must name a folder, got {text!r}")
    return Path(text)


def positive(text: str) -> int:
    """--epochs: a whole number >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def parser(doc: str, name: str, epochs: int | None, quick: Quick | None) -> argparse.ArgumentParser:
    """The options every demo takes; ``doc`` (the demo's docstring) is its --help.

    ``epochs``: the default of --epochs (None: no such option); ``quick``: what --quick
    trains (None: the demo reads no data and --quick only draws fewer samples)."""
    p = argparse.ArgumentParser(
        prog=f"python demos/{name}.py",
        description=doc,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--out", type=folder, default=Path("demo_out") / name,
                   help="folder for the figures (default: %(default)s)")
    if quick is not None:
        p.add_argument("--seed", type=int, default=0,
                       help="seed of the models, of training and of the random points drawn")
        p.add_argument("--data-dir", type=folder, default=None, metavar="DIR",
                       help="folder with mnist/*.gz (default: the numpyvae cache, "
                            "downloading on first use)")
        p.add_argument("--quick", action="store_true",
                       help=f"{quick.describe()} (the tests run this)")
    else:
        p.add_argument("--seed", type=int, default=0, help="seed of the random draws")
        p.add_argument("--quick", action="store_true", help="fewer samples (the tests run this)")
    if epochs is not None:
        p.add_argument("--epochs", type=positive, default=epochs,
                       help="training epochs (default: %(default)s)")
    p.set_defaults(demo=name, quick_spec=quick)
    return p


def parse(p: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """``p.parse_args(argv)``, plus ``args.changed``: the options (other than where
    things are) that differ from their defaults, as the figures' record keeps them."""
    args = p.parse_args(argv)
    args.changed = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()
                    if k not in PLACES and k not in ("demo", "quick_spec")
                    and v != p.get_default(k)}
    return args


def load(args: argparse.Namespace, dataset: str = "mnist") -> Data:
    """MNIST from ``args.data_dir``; if that fails, say so in one line and use the offline
    glyph-digits. Another ``dataset`` (a run's) is loaded as it is, or fails. With
    ``args.quick``, the subsets and epochs of ``args.quick_spec``."""
    quick = args.quick_spec if args.quick else None
    n_train, n_test = (quick.train, quick.test) if quick else (None, None)
    if quick and hasattr(args, "epochs"):
        args.epochs = quick.epochs
    start = time.perf_counter()
    name = dataset
    try:
        x, y = load_dataset(name, "train", data_dir=args.data_dir, n=n_train)
        xt, yt = load_dataset(name, "test", data_dir=args.data_dir, n=n_test)
    except DataError as e:
        if dataset != "mnist":
            raise
        reason = str(e).strip().splitlines()[0]
        print(f"MNIST is not available ({reason}); falling back to the offline glyph-digits "
              "set (stroke-drawn digits, not MNIST).", flush=True)
        name = "glyph-digits"
        x, y = load_dataset(name, "train", seed=args.seed, n=n_train)
        xt, yt = load_dataset(name, "test", seed=args.seed, n=n_test)
    print(f"data: {name}, {len(x)} training and {len(xt)} test images "
          f"({time.perf_counter() - start:.1f}s)", flush=True)
    return Data(name, x, y, xt, yt)


def hidden(args: argparse.Namespace) -> int:
    """Units of the demo's hidden layer: 400 (the PyTorch recipe), or --quick's."""
    return args.quick_spec.hidden if args.quick else 400


def settings(args: argparse.Namespace, **changes: object) -> TrainSettings:
    """How the demo's models are trained: ``args.epochs`` and ``args.seed`` with the
    recipe's batches of 128 and Adam lr 1e-3, or --quick's; ``changes`` on top."""
    quick = {"batch_size": args.quick_spec.batch, "lr": args.quick_spec.lr} if args.quick else {}
    return TrainSettings(**{"epochs": args.epochs, "seed": args.seed, **quick, **changes})


def quick_banner(args: argparse.Namespace, data: Data, paths: list[Path],
                 full: str | None = None) -> None:
    """With --quick, a red line across the top of each figure: what was run, and (``full``)
    what a full run shows that this one cannot. Nothing without --quick."""
    if not args.quick:
        return
    text = f"quick run ({data.name}, {len(data.x_train)} images, {args.epochs} epochs)"
    text += f": {full}" if full else f"; the full figure: python demos/{args.demo}.py"
    for path in paths:
        plots.banner(path, text)


def pick_per_class(y: np.ndarray, per_class: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of ``per_class`` examples of each class, ordered by class: (10 * per_class,)."""
    idx = []
    for c in np.unique(y):
        where = np.flatnonzero(y == c)
        idx.extend(rng.choice(where, size=min(per_class, len(where)), replace=False))
    return np.array(idx)


def ae_vae_grids(ae: AutoEncoder, ae_codes: np.ndarray, vae: VAE, path: Path, title: str,
                 n: int = 20) -> Path:
    """n x n grids decoded by an AutoEncoder and a VAE with a 2-D latent space, side by
    side: the AutoEncoder's evenly spaced over its codes' (N, 2) box (1st to 99th
    percentile), the VAE's by the inverse normal CDF of 0.05 ... 0.95 (equal N(0, I) mass)."""
    lo, hi = np.percentile(ae_codes, [1, 99], axis=0)  # (2,) each
    z1, z2 = np.linspace(lo[0], hi[0], n), np.linspace(hi[1], lo[1], n)
    g1, g2 = np.meshgrid(z1, z2)  # rows go down in z2, as manifold_latents
    z_ae = np.stack([g1.ravel(), g2.ravel()], axis=1)  # (n * n, 2)
    z_vae = plots.manifold_latents(n)  # (n * n, 2)
    return plots.manifold_panels(
        [("AutoEncoder: even grid over its codes' box", ae.decode(z_ae), z1, z2,
          "(evenly spaced)"),
         ("VAE: grid of equal N(0, I) mass", vae.decode(z_vae), z_vae[:n, 0],
          z_vae[::n, 1], r"$= \Phi^{-1}(u)$")],
        path, title,
    )


# ---- the record of what drew each figure ------------------------------------------------


def digest(path: Path) -> str:
    """SHA-256 of a file's bytes, in hex."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _in_package(module: ModuleType) -> list[ModuleType]:
    """``module`` and the numpyvae.plots modules it takes functions from, transitively."""
    seen, todo = {}, [module]
    while todo:
        m = todo.pop()
        if m.__name__ in seen:
            continue
        seen[m.__name__] = m
        for value in vars(m).values():
            owner = getattr(value, "__module__", None)
            if isinstance(owner, str) and owner.startswith("numpyvae.plots."):
                todo.append(sys.modules[owner])
    return list(seen.values())


def sources(demo: str) -> list[str]:
    """What draws a demo's figures, as paths from the top of the checkout: the demo,
    this file, and the numpyvae.plots modules whose functions the two call
    (``plots.name`` in their text), with the plots modules those use."""
    text = "".join((DEMOS / f).read_text(encoding="utf-8") for f in (f"{demo}.py", "_common.py"))
    modules = {}
    for name in sorted(set(re.findall(r"\bplots\.(\w+)", text))):
        owner = getattr(plots, name, None)
        if callable(owner):
            for m in _in_package(sys.modules[owner.__module__]):
                modules[m.__name__] = m
    top = Path(numpyvae.__file__).resolve().parent.parent
    files = [f"demos/{demo}.py", "demos/_common.py"]
    files += sorted(Path(m.__file__).resolve().relative_to(top).as_posix() for m in modules.values())
    return files


def _write(out: object, data: bytes) -> None:
    out.write(data)


def report(files: list[Path], start: float, args: argparse.Namespace,
           data: str | None = None) -> None:
    """Print the files written and the time taken (wall clock since ``start``, and the
    process's CPU time, every thread's), and record beside them, in SOURCES.json, what
    drew each: the PNG's digest, the data set, the options that differ from the
    defaults, both times, and the digest of every file of :func:`sources`. Only a run
    that drew a figure writes its entry (tests/test_figures.py reads them)."""
    seconds, cpu = time.perf_counter() - start, time.process_time()  # cpu: all threads, from launch
    top = DEMOS.parent
    record = {
        "drawn by": f"python demos/{args.demo}.py",
        "data": data,
        "options": args.changed,
        "seconds": round(seconds),
        "cpu seconds": round(cpu),
        "sources": {f: digest(top / f) for f in sources(args.demo)},
    }
    for folder in sorted({Path(f).parent for f in files}):
        path = folder / SOURCES
        try:
            entries = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        except (OSError, ValueError):
            entries = {}  # unreadable: the entries of this run replace it
        for f in files:
            if Path(f).parent == folder:
                entries[Path(f).name] = {"png": digest(Path(f)), **record}
        text = json.dumps(dict(sorted(entries.items())), indent=1, ensure_ascii=False) + "\n"
        atomic_write(path, partial(_write, data=text.encode()))
    print(f"done in {seconds:.1f}s ({cpu:.1f}s of CPU); wrote:")
    for f in files:
        print(f"  {f}  ({Path(f).stat().st_size // 1024} kB)")
    print(f"  {SOURCES} beside them: what drew each figure")
