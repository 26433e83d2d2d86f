"""The decoder of Eq. (3) for the many rows of the importance-weighted estimate, Eq. (11)."""

from __future__ import annotations

import numpy as np

#: the activations of Eq. (1) and (3) in place; no mask is kept, no backward follows.
#: ReLU against a row of zeros: NumPy's loop for a scalar 0 is slower.
ACT_IN_PLACE = {
    "relu": lambda a: np.maximum(a, np.zeros(a.shape[-1], a.dtype), out=a),
    "tanh": lambda a: np.tanh(a, out=a),
}


class ManyRowsDecoder:
    """Eq. (3) before the sigmoid, z -> logits, equal to ``model.decode_logits(z)``
    (tests/test_fast.py), computed with each bias folded into its layer's product,

        [h, 1] @ [[W], [b]] = h W + b,

    which spares a pass over every layer's output, and with buffers allocated once for
    all the blocks (up to ``rows`` rows each). Nothing is kept for a backward pass.
    The weights are copied when the decoder is made: make a new one after training.
    """

    def __init__(self, model, rows: int) -> None:
        layers = [*model.decoder.dense, model.out]
        self.weights = [np.vstack([d.params["W"], d.params["b"]]) for d in layers]  # (in + 1, out)
        dtype = self.weights[0].dtype
        # the input of each layer with its column of ones: z, then every hidden layer
        self.inputs = [np.ones((rows, w.shape[0]), dtype=dtype) for w in self.weights]
        self.logits = np.empty((rows, self.weights[-1].shape[1]), dtype=dtype)
        self.act = ACT_IN_PLACE[model.config.activation]

    def __call__(self, z: np.ndarray) -> np.ndarray:
        """z (R, latent_dim), R <= rows -> logits (R, input_dim), a view of a reused buffer."""
        r = len(z)
        self.inputs[0][:r, :-1] = z
        for w, h, nxt in zip(self.weights, self.inputs, self.inputs[1:]):
            np.matmul(h[:r], w, out=nxt[:r, :-1])  # h W + b
            self.act(nxt[:r])  # on whole rows (contiguous is faster), then the ones again
            nxt[:r, -1] = 1
        return np.matmul(self.inputs[-1][:r], self.weights[-1], out=self.logits[:r])
