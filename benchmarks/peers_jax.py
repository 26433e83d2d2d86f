"""The JAX side of bench_epoch.py: the recipe with optax, and Eq. (11), jit-compiled, on the CPU.

jax and optax are not dependencies of numpyvae: :func:`load` returns None when they
cannot be imported. The model is the recipe written in ``jax.numpy`` (784-400-20, ReLU,
the mu and logvar heads, z = mu + sigma eps), the loss ``optax.sigmoid_binary_cross_entropy``
on the logits summed over the pixels plus the KL of Eq. (5), averaged over the batch;
``optax.adam(1e-3)``; the weights start as numpyvae's.

Two ways to run the epoch, each with its own parameters and optimizer state:
- ``jit``: one jit-compiled step (loss, gradient, Adam) per batch, the batch gathered
  from the data inside it; the losses stay on the device until the epoch ends, so the
  steps are dispatched without waiting for each other;
- ``scan``: the whole epoch as one jit-compiled function, the full batches in a
  ``lax.scan`` and the last, shorter batch after it.
Both compile ahead of time (``jit(...).lower(...).compile()``), timed apart.

Eq. (11): one jit-compiled function per block of images (all K samples of each,
about 2,000 rows, as numpyvae's blocks), on numpyvae's trained weights.
"""

from __future__ import annotations

import math
import os
import time

import numpy as np
from recipe import BATCH, LATENT, LOG_2PI, LR, Runner

#: the epoch's variants, by the name that bench_epoch.py's --peers takes
VARIANTS = ("jax-jit", "jax-scan")
#: rows decoded at once by Eq. (11): images per block = max(1, IW_ROWS // K)
IW_ROWS = 2048


def load():
    """``(jax, optax)``, or None without them. JAX is kept on the CPU."""
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    try:
        import jax
        import optax
    except ImportError:
        return None
    return jax, optax


def version(jax, optax) -> str:
    return f"JAX {jax.__version__}, optax {optax.__version__}, {jax.devices()[0].platform}"


def functions(jax, optax):
    """``(loss, adam_step, encode, decode_logits)`` of the recipe, on a dict of weights
    with numpyvae's names (W (in, out))."""
    jnp = jax.numpy
    opt = optax.adam(LR)

    def encode(p, x):
        h = jax.nn.relu(x @ p["encoder.0.W"] + p["encoder.0.b"])
        return h @ p["encoder.mu.W"] + p["encoder.mu.b"], h @ p["encoder.logvar.W"] + p["encoder.logvar.b"]

    def decode_logits(p, z):
        h = jax.nn.relu(z @ p["decoder.0.W"] + p["decoder.0.b"])
        return h @ p["decoder.out.W"] + p["decoder.out.b"]

    def loss(p, x, key):
        mu, logvar = encode(p, x)
        z = mu + jnp.exp(0.5 * logvar) * jax.random.normal(key, mu.shape, mu.dtype)
        bce = optax.sigmoid_binary_cross_entropy(decode_logits(p, z), x).sum()
        kl = -0.5 * jnp.sum(1 + logvar - mu**2 - jnp.exp(logvar))
        return (bce + kl) / x.shape[0]

    def adam_step(p, state, x, key):
        value, grads = jax.value_and_grad(loss)(p, x, key)
        updates, state = opt.update(grads, state, p)
        return optax.apply_updates(p, updates), state, value

    return opt, adam_step, encode, decode_logits


def epoch_runner(jax, optax, x: np.ndarray, weights: dict[str, np.ndarray], label: str,
                 scan: bool) -> Runner:
    """One epoch at a time of the recipe, per batch (``scan`` False) or as one scan."""
    jnp = jax.numpy
    built = time.perf_counter()
    opt, adam_step, _, _ = functions(jax, optax)
    n = len(x)
    full, rest = divmod(n, BATCH)
    data = jnp.asarray(x, dtype=jnp.float32)
    params = {k: jnp.asarray(v) for k, v in weights.items()}
    state = opt.init(params)
    key = jax.random.key(1)

    def batch_step(p, s, data, idx, key, i):
        return adam_step(p, s, data[idx], jax.random.fold_in(key, i))

    def epoch(p, s, data, key):
        kperm, kstep = jax.random.split(key)
        perm = jax.random.permutation(kperm, n)

        def body(carry, inputs):
            idx, i = inputs
            p, s, value = batch_step(*carry, data, idx, kstep, i)
            return (p, s), value

        (p, s), values = jax.lax.scan(body, (p, s), (perm[: full * BATCH].reshape(full, BATCH), jnp.arange(full)))
        total = values.sum() * BATCH
        if rest:
            p, s, value = batch_step(p, s, data, perm[full * BATCH :], kstep, full)
            total = total + value * rest
        return p, s, total / n

    if scan:
        compiled = jax.jit(epoch, donate_argnums=(0, 1)).lower(params, state, data, key).compile()
    else:
        step = jax.jit(batch_step, donate_argnums=(0, 1))
        shapes = {BATCH} | ({rest} if rest else set())
        compiled = {b: step.lower(params, state, data, jnp.zeros(b, jnp.int32), key, 0).compile() for b in shapes}
    jax.block_until_ready(compiled)
    carry = {"params": params, "state": state, "key": key}

    def one_epoch():
        begin = time.perf_counter()
        carry["key"], key = jax.random.split(carry["key"])
        p, s = carry["params"], carry["state"]
        if scan:
            p, s, mean = compiled(p, s, data, key)
            mean = float(mean)
        else:
            order = np.asarray(jax.random.permutation(key, n), dtype=np.int32)  # on the host: slicing is free
            values = []
            for i, start in enumerate(range(0, n, BATCH)):
                idx = order[start : start + BATCH]
                p, s, value = compiled[len(idx)](p, s, data, idx, key, i)
                values.append(value)
            sizes = np.diff(np.r_[0:n:BATCH, n]).astype(np.float32)
            mean = float(jnp.stack(values) @ sizes) / n
        carry["params"], carry["state"] = p, s
        return time.perf_counter() - begin, mean

    return Runner(label, one_epoch, time.perf_counter() - built)


def iw_runner(jax, optax, x: np.ndarray, weights: dict[str, np.ndarray], k: int) -> Runner:
    """Eq. (11), one jit-compiled call per block of images: seconds and the mean log p(x)."""
    jnp = jax.numpy
    built = time.perf_counter()
    _, _, encode, decode_logits = functions(jax, optax)
    params = {name: jnp.asarray(v) for name, v in weights.items()}
    data = jnp.asarray(x, dtype=jnp.float32)
    images = max(1, IW_ROWS // k)

    def block(p, xb, key):  # xb (G, D) -> (G,) estimates of log p(x)
        mu, logvar = encode(p, xb)  # (G, L)
        eps = jax.random.normal(key, (len(xb), k, LATENT), xb.dtype)
        z = mu[:, None] + jnp.exp(0.5 * logvar)[:, None] * eps  # (G, K, L)
        logits = decode_logits(p, z)  # (G, K, D)
        log_px = -optax.sigmoid_binary_cross_entropy(logits, xb[:, None]).sum(-1)
        log_pz = -0.5 * (z * z).sum(-1) - 0.5 * LATENT * LOG_2PI
        log_qz = -0.5 * ((eps * eps).sum(-1) + logvar.sum(-1)[:, None]) - 0.5 * LATENT * LOG_2PI
        return jax.nn.logsumexp(log_px + log_pz - log_qz, axis=1) - math.log(k)

    key = jax.random.key(1)
    sizes = {images} | ({len(x) % images} if len(x) % images else set())
    compiled = {g: jax.jit(block).lower(params, data[:g], key).compile() for g in sizes}
    runs = [0]

    def run():
        begin = time.perf_counter()
        runs[0] += 1
        base = jax.random.fold_in(key, runs[0])
        out = [compiled[len(xb)](params, xb, jax.random.fold_in(base, i))
               for i, xb in enumerate(data[s : s + images] for s in range(0, len(x), images))]
        mean = float(jnp.concatenate(out).mean())
        return time.perf_counter() - begin, mean

    return Runner("JAX jit", run, time.perf_counter() - built)
