"""The PyTorch side of bench_epoch.py: the same recipe, one epoch at a time, on the CPU.

torch is not a dependency of numpyvae: :func:`epoch_runners` returns None when it
cannot be imported. The recipe is the one of PyTorch's examples/vae (main.py):
nn.Linear 784-400-20 (twice: mu and log sigma^2) -400-784, ReLU, a sigmoid and
``binary_cross_entropy(reduction="sum")``, the KL term as written there, Adam with
lr 1e-3, batches of 128, the data shuffled every epoch, ``loss.item()`` read at every
step (the example adds it to ``train_loss``). One difference: the loss is divided by
the batch size, so that it is numpyvae's loss, the mean over the batch. Adam's updates
do not depend on that scale (apart from its eps, 1e-8), so the work and the training
are those of the example.

Three ways to run it, each timed on its own:
- ``eager``: as written, ``torch.optim.Adam`` with its default implementation (on the
  CPU: a Python loop over the parameters);
- ``fused Adam``: the same with ``torch.optim.Adam(..., fused=True)``;
- ``compiled``: the model and loss in one ``torch.compile``'d function (its backward
  compiled with it by AOTAutograd) and ``opt.step`` in another, as in PyTorch's recipe
  "Compiling the optimizer"; shapes static (``dynamic=False``), so the full batches and
  the last, shorter one each get their own graph. ``loss.backward()`` between the two
  is the one step outside them. Compiling happens in warm-up steps before any timing.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable

import numpy as np

BATCH = 128


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text[:200]}"


def epoch_runners(x: np.ndarray, threads: int | None = None) -> tuple[str, dict[str, Callable[[], float]], dict[str, str]] | None:
    """``(version line, {variant: one_epoch}, {variant: why skipped})``, or None without torch.

    Each ``one_epoch()`` trains its own model (built once, trained on, epoch after
    epoch: the work of an epoch does not depend on the weights) for one epoch over
    ``x`` and returns its seconds. Warm-up steps (and compiling) are done here.
    """
    try:
        import torch
        from torch import nn
        from torch.nn import functional as F
    except ImportError:
        return None

    # compiling opt.step warns that its profiler hook is ignored: not news for a timing
    torch._logging.set_logs(dynamo=logging.ERROR)
    threads = threads or os.cpu_count() or 1
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    data = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
    last = len(data) % BATCH or BATCH  # the size of the last batch of an epoch

    class VAE(nn.Module):  # examples/vae/main.py
        def __init__(self):
            super().__init__()
            self.fc1, self.fc21, self.fc22 = nn.Linear(784, 400), nn.Linear(400, 20), nn.Linear(400, 20)
            self.fc3, self.fc4 = nn.Linear(20, 400), nn.Linear(400, 784)

        def forward(self, x):
            h = F.relu(self.fc1(x))
            mu, logvar = self.fc21(h), self.fc22(h)
            z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
            return torch.sigmoid(self.fc4(F.relu(self.fc3(z)))), mu, logvar

    def make(fused: bool = False, compiled: bool = False) -> Callable[[], float]:
        model = VAE()
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, **({"fused": True} if fused else {}))

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

        for size in (BATCH, last, BATCH):  # warm-up (and compiling) for both shapes
            step(data[:size])

        def one_epoch() -> float:
            start = time.perf_counter()
            train_loss = 0.0
            for idx in torch.randperm(len(data)).split(BATCH):
                train_loss += step(data[idx])
            return time.perf_counter() - start

        return one_epoch

    runners, skipped = {}, {}
    for name, kwargs in [("eager", {}), ("fused Adam", {"fused": True}), ("compiled", {"compiled": True})]:
        try:
            runners[name] = make(**kwargs)
        except Exception as e:  # noqa: BLE001 (any failure to build a variant only skips it)
            skipped[name] = _one_line(e)
    version = f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads"
    return version, runners, skipped
