"""The PyTorch side of bench_epoch.py: the recipe, and Eq. (11), on the CPU.

torch is not a dependency of numpyvae: :func:`load` returns None when it cannot be
imported. The recipe is the one of PyTorch's examples/vae (main.py): nn.Linear
784-400-20 (twice: mu and log sigma^2) -400-784, ReLU, a sigmoid and
``binary_cross_entropy(reduction="sum")``, the KL term as written there, Adam with
lr 1e-3, batches of 128, the data shuffled every epoch, ``loss.item()`` read at every
step (the example adds it to ``train_loss``). Two differences: the loss is divided by
the batch size, so that it is numpyvae's loss, the mean over the batch (Adam's updates
do not depend on that scale, up to its eps, 1e-8), and the weights start as numpyvae's.

Three ways to run the epoch, each with its own model and optimizer:
- ``eager``: as written, ``torch.optim.Adam`` with its default implementation (on the
  CPU: a loop over the parameters);
- ``fused``: the same with ``torch.optim.Adam(..., fused=True)``;
- ``compile``: the model and loss in one ``torch.compile``'d function (its backward
  compiled with it by AOTAutograd) and ``opt.step`` in another, as in PyTorch's recipe
  "Compiling the optimizer"; shapes static (``dynamic=False``), so the full batches and
  the last, shorter one each get their own graph. ``loss.backward()`` between the two
  is the one step outside them.
Warm-up steps (and compiling) run before any timing, on both batch shapes; then the
weights and Adam's state are put back to the start, in place.

Eq. (11) runs eagerly under ``torch.inference_mode()`` on numpyvae's trained weights:
all K samples of a few images decoded at once (about 2,000 rows, as numpyvae's blocks),
log p(x|z) by ``binary_cross_entropy_with_logits``, a logsumexp over the K samples.
"""

from __future__ import annotations

import logging
import math
import os
import time

import numpy as np
from recipe import BATCH, HIDDEN, INPUT, LATENT, LOG_2PI, LR, Runner

#: the epoch's variants, by the name that bench_epoch.py's --peers takes
VARIANTS = {"torch-eager": {}, "torch-fused": {"fused": True}, "torch-compile": {"compiled": True}}
#: rows decoded at once by Eq. (11): images per block = max(1, IW_ROWS // K)
IW_ROWS = 2048


def one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text[:200]}"


def load(threads: int | None = None):
    """torch, set to ``threads`` threads (default: every core), or None without it."""
    try:
        import torch
    except ImportError:
        return None
    # compiling opt.step warns that its profiler hook is ignored: not news for a timing
    torch._logging.set_logs(dynamo=logging.ERROR)
    torch.set_num_threads(threads or os.cpu_count() or 1)
    torch.manual_seed(1)
    return torch


def version(torch) -> str:
    return f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads"


def make_model(torch, weights: dict[str, np.ndarray]):
    """examples/vae/main.py's VAE, with ``weights`` (numpyvae's names, W (in, out))."""
    from torch import nn
    from torch.nn import functional as F

    class VAE(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1, self.fc21, self.fc22 = nn.Linear(INPUT, HIDDEN), nn.Linear(HIDDEN, LATENT), nn.Linear(HIDDEN, LATENT)
            self.fc3, self.fc4 = nn.Linear(LATENT, HIDDEN), nn.Linear(HIDDEN, INPUT)

        def encode(self, x):
            h = F.relu(self.fc1(x))
            return self.fc21(h), self.fc22(h)

        def decode_logits(self, z):
            return self.fc4(F.relu(self.fc3(z)))

        def forward(self, x):
            mu, logvar = self.encode(x)
            z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
            return torch.sigmoid(self.decode_logits(z)), mu, logvar

    model = VAE()
    names = {"fc1": "encoder.0", "fc21": "encoder.mu", "fc22": "encoder.logvar", "fc3": "decoder.0",
             "fc4": "decoder.out"}
    with torch.no_grad():
        for layer, name in names.items():
            getattr(model, layer).weight.copy_(torch.from_numpy(weights[f"{name}.W"].T.copy()))
            getattr(model, layer).bias.copy_(torch.from_numpy(weights[f"{name}.b"]))
    return model


def epoch_runner(torch, x: np.ndarray, weights: dict[str, np.ndarray], label: str,
                 fused: bool = False, compiled: bool = False) -> Runner:
    """One epoch at a time of the recipe in one of the three variants (module doc)."""
    from torch.nn import functional as F

    built = time.perf_counter()
    data = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
    model = make_model(torch, weights)
    opt = torch.optim.Adam(model.parameters(), lr=LR, **({"fused": True} if fused else {}))

    def loss_of(xb):
        recon, mu, logvar = model(xb)
        bce = F.binary_cross_entropy(recon, xb, reduction="sum")
        kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
        return (bce + kld) / xb.shape[0]

    def opt_step():
        opt.step()

    if compiled:
        loss_of = torch.compile(loss_of, dynamic=False)
        opt_step = torch.compile(opt_step, dynamic=False)

    def step(xb) -> float:
        loss = loss_of(xb)
        opt.zero_grad()
        loss.backward()
        opt_step()
        return loss.item()

    start = [p.detach().clone() for p in model.parameters()]
    last = len(data) % BATCH or BATCH  # the size of the last batch of an epoch
    for size in (BATCH, last, BATCH):  # warm-up (and compiling) for both shapes
        step(data[:size])
    with torch.no_grad():  # back to the start, in place (compiled graphs keep their tensors)
        for p, p0 in zip(model.parameters(), start):
            p.copy_(p0)
        for state in opt.state.values():
            for t in state.values():  # exp_avg, exp_avg_sq, and step (a tensor)
                t.zero_()

    def one_epoch():
        begin = time.perf_counter()
        total = 0.0
        for idx in torch.randperm(len(data)).split(BATCH):
            total += step(data[idx]) * len(idx)
        return time.perf_counter() - begin, total / len(data)

    return Runner(label, one_epoch, time.perf_counter() - built)


def iw_runner(torch, x: np.ndarray, weights: dict[str, np.ndarray], k: int) -> Runner:
    """Eq. (11), eager, ``torch.inference_mode()``: seconds and the mean log p(x)."""
    from torch.nn import functional as F

    model = make_model(torch, weights)
    data = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
    images = max(1, IW_ROWS // k)

    def run():
        begin = time.perf_counter()
        out = []
        with torch.inference_mode():
            for xb in data.split(images):  # (G, D)
                mu, logvar = model.encode(xb)  # (G, L)
                eps = torch.randn(len(xb), k, LATENT)
                z = mu[:, None] + torch.exp(0.5 * logvar)[:, None] * eps  # (G, K, L)
                logits = model.decode_logits(z)  # (G, K, D)
                log_px = -F.binary_cross_entropy_with_logits(
                    logits, xb[:, None].expand_as(logits), reduction="none").sum(-1)
                log_pz = -0.5 * (z * z).sum(-1) - 0.5 * LATENT * LOG_2PI
                log_qz = -0.5 * ((eps * eps).sum(-1) + logvar.sum(-1)[:, None]) - 0.5 * LATENT * LOG_2PI
                out.append(torch.logsumexp(log_px + log_pz - log_qz, dim=1) - math.log(k))
        return time.perf_counter() - begin, float(torch.cat(out).mean())

    return Runner("PyTorch eager (inference_mode)", run)
