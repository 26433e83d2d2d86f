"""Training, evaluation and checkpoints.

- :func:`fit` trains a model with Adam on minibatches, prints one line per epoch,
  and keeps a run folder: ``checkpoint.npz`` (after every epoch) and
  ``history.json``.
- :func:`evaluate` reports the test -ELBO (Eq. 6 with beta = 1) and the
  importance-weighted estimate of -log p(x) (Eq. 11), in nats per image and in
  bits per dimension.
- :func:`save_checkpoint` / :func:`load_checkpoint` write and read a run's state:
  named parameters, optimizer state, config, epoch, random generator state. Files are
  written to a temporary name and renamed into place, so a crash never leaves a
  half-written checkpoint, and read with ``allow_pickle=False``.
"""

from __future__ import annotations

import json
import math
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .datasets import BINARIZE_MODES, batches, binarize
from .errors import CheckpointError, TrainingError
from .fileio import atomic_write
from .losses import bernoulli_nll, gaussian_nll
from .model import VAE, AutoEncoder, VAEConfig
from .optim import Adam

CHECKPOINT = "checkpoint.npz"
HISTORY = "history.json"
EVAL = "eval.json"
MODEL_KINDS = {"vae": VAE, "ae": AutoEncoder}
LOG_2PI = math.log(2 * math.pi)
#: rows decoded at once by the importance-weighted estimate: about 6 MB of float32
#: logits for 784 pixels, so memory is bounded for any K (no block size from 1024 to
#: 16384 was clearly faster on the machine of the README)
IW_MAX_ROWS = 2048


# ---- checkpoints ----------------------------------------------------------------------


def save_checkpoint(
    path: str | Path,
    model: VAE | AutoEncoder,
    optimizer: Adam | None = None,
    meta: dict | None = None,
) -> None:
    """Write ``model`` (and ``optimizer``, and ``meta``, any JSON-ready dict) to ``path``.

    The ``.npz`` holds ``param/<name>`` for every parameter, ``optim/<key>`` for the
    optimizer state, and ``meta``: a JSON string with the config and ``meta``.
    """
    arrays = {f"param/{k}": v for k, v in model.params.items()}
    if optimizer is not None:
        arrays.update({f"optim/{k}": v for k, v in optimizer.state_dict().items()})
    info = {
        "format": 1,
        "model": "ae" if isinstance(model, AutoEncoder) else "vae",
        "config": model.config.to_dict(),
        **(meta or {}),
    }
    arrays["meta"] = np.array(json.dumps(info))
    atomic_write(Path(path), lambda f: np.savez(f, **arrays))


def load_checkpoint(path: str | Path) -> tuple[VAE | AutoEncoder, dict, dict]:
    """Read a checkpoint: returns ``(model, optimizer_state, meta)``.

    Raises :class:`CheckpointError` naming the file for a missing, truncated or
    foreign file, or one whose arrays do not fit the stored config.
    """
    path = Path(path)
    if path.is_dir():
        path = path / CHECKPOINT
    if not path.exists():
        raise CheckpointError(f"{path}: no such checkpoint")
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as e:
        why = "not an .npz file" if "pickle" in str(e) else str(e)
        raise CheckpointError(f"{path}: not a readable checkpoint ({why})") from e
    if "meta" not in arrays:
        raise CheckpointError(f"{path}: not a numpyvae checkpoint (no 'meta' entry)")
    try:
        meta = json.loads(str(arrays.pop("meta")))
        config = VAEConfig.from_dict(meta["config"])
        model = MODEL_KINDS[meta.get("model", "vae")](config)
    except (ValueError, KeyError, TypeError) as e:
        raise CheckpointError(f"{path}: bad metadata ({e})") from e
    for name, w in model.params.items():
        a = arrays.get(f"param/{name}")
        if a is None or a.shape != w.shape:
            got = "missing" if a is None else f"shape {a.shape}"
            raise CheckpointError(f"{path}: parameter {name} is {got}, expected {w.shape}")
        if not np.all(np.isfinite(a)):
            raise CheckpointError(f"{path}: parameter {name} has non-finite values")
        w[...] = a
    optim_state = {k[len("optim/"):]: v for k, v in arrays.items() if k.startswith("optim/")}
    return model, optim_state, meta


# ---- training -------------------------------------------------------------------------


@dataclass
class EpochStats:
    """One line of the history: -ELBO = recon + KL, averaged over the images."""

    epoch: int
    train_loss: float
    train_recon: float
    train_kl: float
    test_loss: float | None
    seconds: float
    beta: float

    def line(self) -> str:
        test = f"  test {self.test_loss:8.2f}" if self.test_loss is not None else ""
        return (
            f"epoch {self.epoch:3d}  train {self.train_loss:8.2f}"
            f"  (recon {self.train_recon:8.2f}  kl {self.train_kl:6.2f})"
            f"{test}  {self.seconds:6.1f}s"
        )


@dataclass
class TrainSettings:
    """How :func:`fit` trains; stored in the checkpoint so that a run can resume."""

    epochs: int = 10
    batch_size: int = 128
    lr: float = 1e-3
    seed: int = 1
    warmup_epochs: float = 0.0
    binarize: str = "none"
    extra: dict = field(default_factory=dict)  # e.g. the data set's name, for the record

    def __post_init__(self) -> None:
        if self.epochs < 1:
            raise ValueError(f"epochs must be >= 1, got {self.epochs}")
        if self.batch_size < 1:
            raise ValueError(f"batch size must be >= 1, got {self.batch_size}")
        if not (self.lr > 0 and math.isfinite(self.lr)):
            raise ValueError(f"learning rate must be a positive number, got {self.lr}")
        if not self.warmup_epochs >= 0:
            raise ValueError(f"warm-up epochs must be >= 0, got {self.warmup_epochs}")
        if self.binarize not in BINARIZE_MODES:
            raise ValueError(f"binarize must be one of {BINARIZE_MODES}, got {self.binarize!r}")


def _check_data(x: np.ndarray, what: str, input_dim: int, likelihood: str) -> None:
    if len(x.shape) != 2 or x.shape[1] != input_dim:
        raise ValueError(f"{what} must have shape (N, {input_dim}), got {x.shape}")
    if len(x) == 0:
        raise ValueError(f"{what} is empty")
    # in chunks of 8192 rows (25 MB), so that data on disk is never read whole;
    # min and max see NaN and inf
    for start in range(0, len(x), 8192):
        chunk = np.asarray(x[start : start + 8192])
        lo, hi = float(chunk.min()), float(chunk.max())
        rows = f"rows {start}..{start + len(chunk) - 1}"
        del chunk  # before the next chunk is read
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise ValueError(f"{what} has non-finite values ({rows})")
        if likelihood == "bernoulli" and (lo < 0 or hi > 1):
            raise ValueError(
                f"{what} must hold pixels in [0, 1] for the Bernoulli likelihood ({rows}: {lo:g}..{hi:g})"
            )


def fit(
    model: VAE | AutoEncoder,
    x_train: np.ndarray,
    x_test: np.ndarray | None = None,
    settings: TrainSettings | None = None,
    out_dir: str | Path | None = None,
    resume: bool = False,
    log: Callable[[str], None] | None = print,
) -> list[EpochStats]:
    """Train ``model`` with Adam; returns the history, one :class:`EpochStats` per epoch.

    Args:
        model: a VAE or AutoEncoder (float32 for training).
        x_train: (N, D) pixels, float32 (an array or a memory-mapped source).
        x_test: optional (M, D) data for the test loss after every epoch.
        settings: epochs, batch size, learning rate, seed, KL warm-up, binarization.
        out_dir: run folder; when given, ``checkpoint.npz`` and ``history.json`` are
            written there after every epoch.
        resume: continue from ``out_dir/checkpoint.npz``. The model passed in is
            replaced by the stored one; the run ends exactly where an uninterrupted
            run with the same settings ends.
        log: where the per-epoch lines go (None for silence).

    All randomness (order of the batches, eps, dynamic binarization) comes from one
    generator seeded by ``settings.seed``, saved with every checkpoint.
    """
    settings = settings or TrainSettings()
    log = log or (lambda s: None)
    out = Path(out_dir) if out_dir is not None else None
    rng = np.random.default_rng(settings.seed)
    optimizer = Adam(model.params, lr=settings.lr)
    history: list[EpochStats] = []
    if resume:
        if out is None:
            raise ValueError("resume needs the run folder (out_dir)")
        path = out / CHECKPOINT
        stored, optim_state, meta = load_checkpoint(path)
        if stored.config != model.config:
            raise CheckpointError(f"{path}: the run was made with {stored.config}, not {model.config}")
        for k, w in stored.params.items():
            model.params[k] = w
        try:
            optimizer.load_state_dict(optim_state)
            rng.bit_generator.state = meta["rng_state"]
            history = [EpochStats(**h) for h in meta["history"]]
        except (KeyError, TypeError, ValueError) as e:
            raise CheckpointError(f"{path}: cannot resume from it: incomplete or damaged state ({e!r})") from e
        if not all(np.all(np.isfinite(a)) for a in optim_state.values()):
            raise CheckpointError(f"{path}: the optimizer state has non-finite values")
        log(f"resuming {out} after epoch {len(history)}")
    cfg = model.config
    _check_data(x_train, "training data", cfg.input_dim, cfg.likelihood)
    if x_test is not None:
        _check_data(x_test, "test data", cfg.input_dim, cfg.likelihood)
    if settings.binarize == "static":  # one fixed 0/1 sample of the training set
        x_train = binarize(x_train, "static", np.random.default_rng(settings.seed))
    if x_test is not None and settings.binarize != "none":  # test on fixed 0/1 images too
        x_test = binarized_test_images(x_test, settings.seed)
    steps_per_epoch = math.ceil(len(x_train) / settings.batch_size)
    warmup_steps = settings.warmup_epochs * steps_per_epoch
    step = len(history) * steps_per_epoch

    for epoch in range(len(history) + 1, settings.epochs + 1):
        start = time.perf_counter()
        sums = np.zeros(3)  # recon, kl, images
        # silent overflow in forward, backward and Adam: a diverged loss is caught below,
        # and non-finite parameters by the next loss or the check after the epoch
        with np.errstate(over="ignore", invalid="ignore"):
            for xb in batches(x_train, settings.batch_size, rng):
                if settings.binarize == "dynamic":
                    xb = binarize(xb, "dynamic", rng)
                beta = cfg.beta * min(1.0, (step + 1) / warmup_steps) if warmup_steps else cfg.beta
                result = model.forward(xb, rng=rng, beta=beta)
                if not math.isfinite(result.loss):
                    _diverged(f"the loss became {result.loss} at epoch {epoch}, step {step + 1}", out)
                optimizer.step(model.backward())
                sums += (result.recon.sum(), result.kl.sum(), len(xb))
                step += 1
        recon, kl = sums[0] / sums[2], sums[1] / sums[2]
        if not np.all(np.isfinite(model.params.flat)):  # the last step of the epoch
            _diverged(f"the parameters became non-finite in epoch {epoch}", out)
        test_loss = None
        if x_test is not None:
            with np.errstate(over="ignore", invalid="ignore"):
                test_loss = neg_elbo(model, x_test, rng=np.random.default_rng([settings.seed, epoch]))
            if not math.isfinite(test_loss):
                _diverged(f"the test loss became {test_loss} after epoch {epoch}", out)
        stats = EpochStats(
            epoch, recon + kl, recon, kl, test_loss, time.perf_counter() - start, beta
        )
        history.append(stats)
        log(stats.line())
        if out is not None:
            meta = {
                "epoch": epoch,
                "rng_state": rng.bit_generator.state,
                "history": [h.__dict__ for h in history],
                "settings": settings.__dict__,
            }
            save_checkpoint(out / CHECKPOINT, model, optimizer, meta)
            history_json = json.dumps([h.__dict__ for h in history], indent=1).encode()
            atomic_write(out / HISTORY, lambda f, data=history_json: f.write(data))
    return history


def binarized_test_images(x_test: np.ndarray, seed: int) -> np.ndarray:
    """The one fixed 0/1 sample of the test images that a binarized run is tested on,
    during training and by ``numpyvae evaluate`` alike."""
    return binarize(x_test, "static", np.random.default_rng([seed, 2]))


def _diverged(what: str, out: Path | None) -> None:
    """Stop training: nothing is saved, so the last checkpoint stays as it was."""
    kept = ""
    if out is not None and (out / CHECKPOINT).exists():
        kept = f"; the last good checkpoint, {out / CHECKPOINT}, is kept"
    raise TrainingError(f"{what}: training stopped{kept}. Try a smaller learning rate.")


# ---- evaluation -----------------------------------------------------------------------


def neg_elbo(
    model: VAE | AutoEncoder,
    x: np.ndarray,
    rng: np.random.Generator,
    samples: int = 1,
    batch_size: int = 1000,
) -> float:
    """-ELBO (Eq. 6 with beta = 1) in nats per image, averaged over ``x``.

    Each image gets ``samples`` draws of z from q(z|x) (one is what the PyTorch
    recipe reports); with z = mu instead the figure would be too optimistic.
    """
    recon, kl = elbo_terms(model, x, rng, samples, batch_size)
    return recon + kl


def elbo_terms(
    model: VAE | AutoEncoder,
    x: np.ndarray,
    rng: np.random.Generator,
    samples: int = 1,
    batch_size: int = 1000,
) -> tuple[float, float]:
    """The two terms of -ELBO, reconstruction error (Eq. 4) and KL (Eq. 5), in nats per
    image averaged over ``x``, with ``samples`` draws of z per image (see :func:`neg_elbo`)."""
    recon = kl = 0.0
    for _ in range(samples):
        for xb in batches(x, batch_size, None, shuffle=False):
            r = model.forward(xb, rng=rng, beta=1.0)
            recon += float(r.recon.sum(dtype=np.float64))
            kl += float(r.kl.sum(dtype=np.float64))
    model._cache = None  # evaluation needs no backward
    n = samples * len(x)
    return recon / n, kl / n


def _log_px_given_z(model: VAE, logits: np.ndarray, x: np.ndarray) -> np.ndarray:
    """log p(x|z): minus Eq. (4) (or minus the Gaussian NLL). logits (G, C, D), x (G, 1, D)."""
    if model.config.likelihood == "bernoulli":
        return -bernoulli_nll(logits, x, need_grad=False)[0]
    return -gaussian_nll(logits, x)[0]


#: the activations of Eq. (1) and (3), applied in place (no mask is kept: no backward
#: follows). ReLU is taken against a row of zeros: NumPy's loop for a scalar 0 is slower.
_ACT_IN_PLACE = {
    "relu": lambda a: np.maximum(a, np.zeros(a.shape[-1], a.dtype), out=a),
    "tanh": lambda a: np.tanh(a, out=a),
}


class _ManyRowsDecoder:
    """The decoder of Eq. (3), for the many rows of the importance-weighted estimate.

    The same logits as ``model._decode_logits`` (a test compares them), computed with
    each bias folded into its layer's matrix product,

        [h, 1] @ [[W], [b]] = h W + b,

    which spares a pass over every layer's output, and with buffers allocated once for
    all the blocks (up to ``rows`` rows each). Nothing is kept for a backward pass.
    """

    def __init__(self, model: VAE | AutoEncoder, rows: int) -> None:
        layers = [*model.decoder.dense, model.out]
        self.weights = [np.vstack([d.params["W"], d.params["b"]]) for d in layers]  # (in + 1, out)
        # the input of each layer with its column of ones: z, then every hidden layer
        self.inputs = [np.ones((rows, w.shape[0]), dtype=model.dtype) for w in self.weights]
        self.logits = np.empty((rows, self.weights[-1].shape[1]), dtype=model.dtype)
        self.act = _ACT_IN_PLACE[model.config.activation]

    def __call__(self, z: np.ndarray) -> np.ndarray:
        """z (R, latent_dim), R <= rows -> logits (R, input_dim), a view of a reused buffer."""
        r = len(z)
        self.inputs[0][:r, :-1] = z
        for w, h, nxt in zip(self.weights, self.inputs, self.inputs[1:]):
            np.matmul(h[:r], w, out=nxt[:r, :-1])  # h W + b
            # act(h W + b), in place, on whole rows (contiguous: for ReLU twice as fast as
            # the strided view without the last column), then that column is 1 again
            self.act(nxt[:r])
            nxt[:r, -1] = 1
        return np.matmul(self.inputs[-1][:r], self.weights[-1], out=self.logits[:r])


def iw_blocks(n: int, k: int, max_rows: int = IW_MAX_ROWS) -> tuple[int, int, int]:
    """How :func:`log_likelihood_iw` splits its work on n images: ``(images, chunk, encode_rows)``.

    Each block decodes ``chunk`` samples for each of ``images`` images (at most
    ``max_rows`` rows, at least one image and one sample); the encoder runs on batches
    of ``encode_rows`` images, a multiple of ``images``.
    """
    images = max(1, min(n, max_rows // k))  # images per block
    chunk = max(1, min(k, max_rows // images))  # samples per image per block
    return images, chunk, images * max(1, 1024 // images)


def _iw_log_weights(
    model: VAE,
    decode: _ManyRowsDecoder,
    xb: np.ndarray,
    mu: np.ndarray,
    logvar: np.ndarray,
    k: int,
    chunk: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """The terms of Eq. (11)'s sum, log p(x|z_k) + log p(z_k) - log q(z_k|x), for K
    samples z_k ~ q(z|x) of each of G images, drawn ``chunk`` samples at a time.

    xb (G, D), mu and logvar (G, L) -> (G, K) float64.
    """
    g, latent = mu.shape
    sigma = np.exp(0.5 * logvar)  # Eq. (2)
    log_w = np.empty((g, k), dtype=np.float64)
    for s in range(0, k, chunk):
        c = min(chunk, k - s)
        eps = rng.standard_normal((g, c, latent), dtype=model.dtype)
        z = mu[:, None, :] + sigma[:, None, :] * eps  # Eq. (2)   (G, C, L)
        logits = decode(z.reshape(g * c, latent)).reshape(g, c, -1)  # Eq. (3)   (G, C, D)
        log_px = _log_px_given_z(model, logits, xb[:, None, :])  # minus Eq. (4)   (G, C)
        log_pz = -0.5 * np.einsum("gcl,gcl->gc", z, z) - 0.5 * latent * LOG_2PI  # log N(z; 0, I)
        log_qz = (  # log N(z; mu, sigma^2), with (z - mu) / sigma = eps
            -0.5 * (np.einsum("gcl,gcl->gc", eps, eps) + logvar.sum(axis=1)[:, None])
            - 0.5 * latent * LOG_2PI
        )
        log_w[:, s : s + c] = log_px + log_pz - log_qz  # Eq. (11), inside the sum
    return log_w


def log_likelihood_iw(
    model: VAE,
    x: np.ndarray,
    k: int,
    rng: np.random.Generator,
    max_rows: int = IW_MAX_ROWS,
) -> np.ndarray:
    """Importance-weighted estimate of log p(x) per image, Eq. (11).

        log p(x) ~ logsumexp_k [log p(x|z_k) + log p(z_k) - log q(z_k|x)] - log K,

    with z_k = mu + sigma eps_k drawn from q(z|x). It is a lower bound on log p(x)
    that rises towards it as K grows (K = 1 gives the ELBO). The work goes in blocks
    of at most ``max_rows`` decoded samples, so memory stays bounded for any K.

    Args:
        x: (N, D) images. k: samples per image.

    Returns:
        (N,) float64 estimates of log p(x), in nats.
    """
    if not isinstance(model, VAE):
        raise TypeError("the importance-weighted estimate needs a VAE (an encoder q(z|x))")
    if k < 1:
        raise ValueError(f"the number of importance samples must be >= 1, got {k}")
    images, chunk, encode_rows = iw_blocks(len(x), k, max_rows)
    decode = _ManyRowsDecoder(model, images * chunk)
    out = np.empty(len(x), dtype=np.float64)
    for first in range(0, len(x), encode_rows):  # the encoder runs on larger batches
        xe = model._check_input(x[first : first + encode_rows])
        mu_e, logvar_e = model._encode(xe)  # Eq. (1)   (E, L)
        for start in range(0, len(xe), images):
            group = slice(start, start + images)  # (G,) images
            log_w = _iw_log_weights(model, decode, xe[group], mu_e[group], logvar_e[group], k, chunk, rng)
            m = log_w.max(axis=1, keepdims=True)  # stable logsumexp over the K samples
            log_sum = m[:, 0] + np.log(np.exp(log_w - m).sum(axis=1))
            out[first + start : first + start + len(log_w)] = log_sum - math.log(k)  # Eq. (11)
    model._cache = None
    return out


def evaluate(
    model: VAE | AutoEncoder,
    x: np.ndarray,
    iw_samples: int = 0,
    elbo_samples: int = 1,
    seed: int = 0,
) -> dict:
    """The figures the literature reports, for the images ``x`` (N, D).

    Returns a dict with ``test_neg_elbo`` (nats per image, one sample of z per image),
    and, when ``elbo_samples > 1``, ``test_neg_elbo_avg`` (averaged over that many
    samples); for a VAE with ``iw_samples = K > 0``, ``test_nll_iw`` (Eq. 11 with K
    samples); ``bits_per_dim`` of the best of these estimates (nats / (D ln 2)), named
    by ``bits_per_dim_of``.
    """
    d = model.config.input_dim
    out: dict = {"images": len(x)}
    out["test_neg_elbo"] = neg_elbo(model, x, np.random.default_rng([seed, 1]))
    best = out["test_neg_elbo"]
    if elbo_samples > 1:
        out["elbo_samples"] = int(elbo_samples)
        out["test_neg_elbo_avg"] = neg_elbo(
            model, x, np.random.default_rng([seed, 2]), samples=elbo_samples
        )
    out["iw_samples"] = int(iw_samples)
    if iw_samples > 0 and isinstance(model, VAE):
        log_px = log_likelihood_iw(model, x, iw_samples, np.random.default_rng([seed, 3]))
        out["test_nll_iw"] = float(-log_px.mean())
        best = out["test_nll_iw"]
    else:
        out["test_nll_iw"] = None
    out["bits_per_dim"] = best / (d * math.log(2))
    out["bits_per_dim_of"] = "test_nll_iw" if out["test_nll_iw"] is not None else "test_neg_elbo"
    return out
