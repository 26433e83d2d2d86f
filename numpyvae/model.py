"""The Variational AutoEncoder of the lecture, and the plain AutoEncoder it starts from.

    x --encoder--> (mu, logvar) --reparameterize--> z --decoder--> logits --sigmoid--> p
         Eq. (1)                    Eq. (2)               Eq. (3)

    loss = mean over the batch of [ recon(x, p) + beta * KL(q(z|x) || N(0, I)) ]   Eq. (6)
                                    Eq. (4)              Eq. (5)

``backward()`` runs the chain rule in the opposite direction by hand: decoder, then
the sample (Eq. 7), then the encoder, where mu and logvar receive gradient from two
places, the sample and the KL term (Eq. 8).

Parameters form one flat mapping with stable names::

    encoder.{i}.W, encoder.{i}.b      hidden layers of the encoder, i = 0, 1, ...
    encoder.mu.W, encoder.mu.b        Eq. (1): mu = h W_mu + b_mu
    encoder.logvar.W, encoder.logvar.b  Eq. (1): logvar = h W_lv + b_lv
    decoder.{i}.W, decoder.{i}.b      hidden layers of the decoder
    decoder.out.W, decoder.out.b      Eq. (3): logits = h W_out + b_out

The AutoEncoder has ``encoder.z.W``, ``encoder.z.b`` (the code) in place of the two
heads. Weight matrices are shaped ``(in, out)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .config import VAEConfig, real_number
from .fast.flat import FlatParams, pack_layers
from .fast.loss import bernoulli_nll_fused
from .inputs import as_data, as_noise, as_rows
from .layers import MLP, Dense, sigmoid
from .losses import bernoulli_nll, gaussian_nll, kl_std_normal
from .reparam import Reparameterize

__all__ = ["VAE", "AutoEncoder", "ForwardResult"]

@dataclass
class ForwardResult:
    """What ``forward`` computed for a batch of N examples.

    ``loss`` is a float (nats per example, averaged over the batch: Eq. 6);
    ``recon`` and ``kl`` are (N,) per example (Eq. 4, Eq. 5; zeros for the
    AutoEncoder); ``mu``, ``logvar``, ``z`` are (N, latent_dim) (``logvar`` is None
    for the AutoEncoder, whose ``mu`` is its code ``z``); ``logits`` is (N, input_dim).
    """

    loss: float
    recon: np.ndarray
    kl: np.ndarray
    mu: np.ndarray
    logvar: np.ndarray | None
    z: np.ndarray
    logits: np.ndarray
    eps: np.ndarray | None = field(default=None, repr=False)


class _EncoderDecoder:
    """What the VAE and the AutoEncoder share: the hidden layers, the decoder, the
    reconstruction term, the flat parameters."""

    #: names of the encoder's output heads (each a Dense from the last hidden layer to z)
    _heads: tuple[str, ...] = ()

    def __init__(self, config: VAEConfig | None = None) -> None:
        self.config = config = config if config is not None else VAEConfig()
        self.dtype = np.dtype(config.dtype)
        rng = np.random.default_rng(config.seed)
        hidden = config.hidden_dims
        last = hidden[-1] if hidden else config.input_dim
        hidden_init = "torch" if config.init == "torch" else None  # None: suits the activation
        linear_init = "torch" if config.init == "torch" else "glorot"
        # Eq. (1): h = act(x W + b), then one linear head per output
        self.encoder = MLP((config.input_dim, *hidden), config.activation, rng, self.dtype, hidden_init)
        self.heads = {
            name: Dense(last, config.latent_dim, rng, init=linear_init, dtype=self.dtype)
            for name in self._heads
        }
        # Eq. (3): the decoder mirrors the encoder, then logits = h W_out + b_out
        first = hidden[0] if hidden else config.latent_dim
        dec_sizes = (config.latent_dim, *reversed(hidden))
        self.decoder = MLP(dec_sizes, config.activation, rng, self.dtype, hidden_init)
        self.out = Dense(first, config.input_dim, rng, init=linear_init, dtype=self.dtype)
        #: the model's own generator, used for eps when forward() is given neither
        self.rng = np.random.default_rng(rng.integers(2**63))
        #: what forward() keeps for backward(): "dlogits" (N, input_dim), the gradient of the
        #: summed Eq. (4), Eq. (9); "dkl" (the VAE) the KL's gradients {"mu": ..., "logvar": ...}
        #: of the summed Eq. (5), Eq. (8); "n", the batch size; "beta" (the VAE), the KL's
        #: weight in this batch. None when there is no forward for backward to follow.
        self.cache: dict | None = None
        # for speed (numpyvae/fast/): every layer's W and b become views into one flat
        # buffer, so Adam updates them all at once; layer.params["W"] = a copies into it
        self.params, self.grads = pack_layers(self._layers(), self.dtype)

    def _layers(self) -> dict[str, Dense]:
        named = {f"encoder.{i}": d for i, d in enumerate(self.encoder.dense)}
        named.update({f"encoder.{h}": d for h, d in self.heads.items()})
        named.update({f"decoder.{i}": d for i, d in enumerate(self.decoder.dense)})
        named["decoder.out"] = self.out
        return named

    @property
    def num_params(self) -> int:
        return int(self.params.flat.size)

    # ---- inference -------------------------------------------------------------

    def decode_logits(self, z: np.ndarray) -> np.ndarray:
        """Eq. (3) up to its sigmoid: z (N, latent_dim) -> logits (N, input_dim). The
        losses take Eq. (4) from these logits, exact for logits of any size."""
        self.cache = None
        z = as_rows(z, self.config.latent_dim, "z").astype(self.dtype, copy=False)
        h = self.decoder.forward(z)  # Eq. (3): act(z W + b)   (N, hidden)
        return self.out.forward(h)  # Eq. (3): h W_out + b_out, the logits   (N, input_dim)

    def decode(self, z: np.ndarray) -> np.ndarray:
        """Eq. (3), the decoder p(x|z): z (N, latent_dim) -> p (N, input_dim), the Bernoulli
        means of the pixels, p = sigmoid(act(z W + b) W_out + b_out). (For the Gaussian
        likelihood the decoder's outputs are the means themselves, with no sigmoid.)"""
        logits = self.decode_logits(z)  # act(z W + b) W_out + b_out   (N, input_dim)
        if self.config.likelihood != "bernoulli":
            return logits
        return sigmoid(logits)  # Eq. (3): p = sigmoid(act(z W + b) W_out + b_out)

    def recon_nll(
        self, logits: np.ndarray, x: np.ndarray, need_grad: bool = True
    ) -> tuple[np.ndarray, dict[str, np.ndarray] | None]:
        """-log p(x|z) per example, Eq. (4) (or the Gaussian NLL), and its gradient
        ``{"logits": ...}``, Eq. (9) (None without ``need_grad``), as the losses give them.
        logits and x (..., input_dim) -> (...,)."""
        if self.config.likelihood == "bernoulli":
            if need_grad:  # for speed, one exp for Eq. (4) and (9): tested equal to bernoulli_nll
                return bernoulli_nll_fused(logits, x)
            return bernoulli_nll(logits, x, need_grad)
        nll, grads = gaussian_nll(logits, x, need_grad=need_grad)  # the outputs are the means
        return nll, None if grads is None else {"logits": grads["mean"]}

    def as_batch(self, x: np.ndarray) -> np.ndarray:
        """``x`` as a (N, input_dim) array of the model's dtype, or a clear ValueError."""
        return as_data(x, self.config, self.dtype)

    def sample(self, n: int, rng: np.random.Generator | None = None) -> np.ndarray:
        """New data: decode z ~ N(0, I). Returns (n, input_dim)."""
        rng = rng if rng is not None else self.rng
        z = rng.standard_normal((int(n), self.config.latent_dim), dtype=self.dtype)
        return self.decode(z)

    def reconstruct(self, x: np.ndarray) -> np.ndarray:
        """Decode the code of x (the mean mu for the VAE). (N, input_dim) -> (N, input_dim)."""
        return self.decode(self.encode(x)[0])

    # ---- training ----------------------------------------------------------------

    def _forward_cache(self) -> dict:
        """:attr:`cache`, or a clear error when there is no forward() to go back through."""
        if self.cache is None:
            raise RuntimeError(
                "backward() needs the activations of forward(): call forward(x) right before it"
            )
        return self.cache


class VAE(_EncoderDecoder):
    """The Variational AutoEncoder: encoder q(z|x), reparameterization, decoder p(x|z)."""

    _heads = ("mu", "logvar")

    def __init__(self, config: VAEConfig | None = None) -> None:
        super().__init__(config)
        self.reparam = Reparameterize()

    def encode(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Eq. (1): x (N, input_dim) -> (mu, logvar), each (N, latent_dim)."""
        self.cache = None
        return self._encode(as_data(x, self.config, self.dtype))

    def _encode(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        h = self.encoder.forward(x)  # (N, hidden)
        mu = self.heads["mu"].forward(h)  # Eq. (1): mu = h W_mu + b_mu
        logvar = self.heads["logvar"].forward(h)  # Eq. (1): logvar = h W_lv + b_lv
        return mu, logvar

    def forward(
        self,
        x: np.ndarray,
        eps: np.ndarray | None = None,
        rng: np.random.Generator | None = None,
        beta: float | None = None,
        check: bool = True,
    ) -> ForwardResult:
        """The loss of a batch, Eq. (6), and everything backward() needs.

        Args:
            x: (N, input_dim) data (pixels in [0, 1] for the Bernoulli likelihood).
            eps: (N, latent_dim) noise of Eq. (2), finite; drawn from ``rng`` (or the
                model's own generator) when not given.
            rng: generator for eps.
            beta: weight of the KL term for this batch (a KL warm-up changes it), a
                finite number >= 0; ``config.beta`` when not given.
            check: check the values of ``x`` (finite, and in [0, 1] for the Bernoulli
                likelihood; its cost: :mod:`numpyvae.inputs`). ``fit`` passes False,
                having checked its whole data set once. Shape and dtype are always
                checked.
        """
        x = as_data(x, self.config, self.dtype, check=check)
        n = x.shape[0]
        mu, logvar = self._encode(x)  # Eq. (1)   (N, latent_dim) each
        beta = self.config.beta if beta is None else real_number(beta, "beta", least=0.0)
        if eps is None:
            eps = (rng if rng is not None else self.rng).standard_normal(mu.shape, dtype=self.dtype)
        else:
            eps = as_noise(eps, n, self.config.latent_dim, self.dtype)  # (N, latent_dim), finite
        z = self.reparam.forward(mu, logvar, eps)  # Eq. (2)   (N, latent_dim)
        logits = self.decode_logits(z)  # Eq. (3) up to its sigmoid   (N, input_dim)
        recon, drecon = self.recon_nll(logits, x)  # Eq. (4) from the logits   (N,)
        kl, dkl = kl_std_normal(mu, logvar)  # Eq. (5)   (N,)
        loss = float(np.mean(recon + beta * kl))  # Eq. (6)
        self.cache = {"dlogits": drecon["logits"], "dkl": dkl, "n": n, "beta": beta}
        return ForwardResult(loss, recon, kl, mu, logvar, z, logits, eps)

    def backward(self) -> FlatParams:
        """Gradients of the last forward()'s loss for every parameter; returns ``grads``.

        The loss of Eq. (6) is the mean over the batch of each example's recon + beta KL,
        so every per-example gradient is multiplied by d(mean)/d(example) = 1/N: once on
        the reconstruction's path, once in the KL's weight beta / N.
        """
        c = self._forward_cache()
        per_example = self.dtype.type(1.0 / c["n"])  # Eq. (6): d(mean)/d(example)
        dlogits = per_example * c["dlogits"]  # (N, input_dim), Eq. (9) / N
        dz = self.decoder.backward(self.out.backward(dlogits))  # Eq. (3) back   (N, latent_dim)
        dmu, dlogvar = self.reparam.backward(dz)  # Eq. (7): through the sample
        dkl = c["dkl"]  # Eq. (8): through the KL term, {"mu": ..., "logvar": ...}
        weight = per_example * self.dtype.type(c["beta"])  # the KL's share of Eq. (6)
        dmu += weight * dkl["mu"]  # mu and logvar get gradient from both paths: they add
        dlogvar += weight * dkl["logvar"]
        dh = self.heads["mu"].backward(dmu)  # (N, hidden)
        dh += self.heads["logvar"].backward(dlogvar)  # h feeds both heads: gradients add
        self.encoder.backward(dh, need_dx=False)
        self.cache = None
        return self.grads


class AutoEncoder(_EncoderDecoder):
    """The deterministic AutoEncoder of the lecture's introduction (도입).

    x -> code z -> reconstruction, loss = reconstruction error only. Its latent space
    is not trained to follow any distribution, which is why decoding arbitrary points
    of it gives poor data: the motivation for the VAE.
    """

    _heads = ("z",)

    def encode(self, x: np.ndarray) -> tuple[np.ndarray, None]:
        """x (N, input_dim) -> (z, None): the code, and no variance."""
        self.cache = None
        x = as_data(x, self.config, self.dtype)
        return self.heads["z"].forward(self.encoder.forward(x)), None

    def forward(
        self,
        x: np.ndarray,
        eps: np.ndarray | None = None,
        rng: np.random.Generator | None = None,
        beta: float | None = None,
        check: bool = True,
    ) -> ForwardResult:
        """Reconstruction loss of a batch. ``eps``, ``rng``, ``beta`` are accepted and unused,
        so that the AutoEncoder and the VAE can be trained by the same loop; ``check`` as
        for :meth:`VAE.forward`."""
        x = as_data(x, self.config, self.dtype, check=check)
        n = x.shape[0]
        z = self.heads["z"].forward(self.encoder.forward(x))  # (N, latent_dim)
        logits = self.decode_logits(z)  # (N, input_dim)
        recon, drecon = self.recon_nll(logits, x)  # Eq. (4)
        self.cache = {"dlogits": drecon["logits"], "n": n}
        kl = np.zeros(n, dtype=self.dtype)
        return ForwardResult(float(np.mean(recon)), recon, kl, z, None, z, logits)

    def backward(self) -> FlatParams:
        """Gradients of the last forward()'s loss for every parameter; returns ``grads``."""
        c = self._forward_cache()
        dlogits = self.dtype.type(1.0 / c["n"]) * c["dlogits"]  # Eq. (9), and the mean's 1/N
        dz = self.decoder.backward(self.out.backward(dlogits))  # (N, latent_dim)
        self.encoder.backward(self.heads["z"].backward(dz), need_dx=False)
        self.cache = None
        return self.grads
