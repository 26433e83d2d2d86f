"""numpyvae: a Variational AutoEncoder written from scratch in NumPy.

Read it beside the lecture: every equation has a number (see README.md), and the
function that implements it cites that number. A trained run comes back in one line:
``model = numpyvae.load("runs/mnist-vae")`` (:func:`numpyvae.checkpoint.load`).
"""

# isort: off
from .fast import halves  # noqa: F401  (first: it sets OpenBLAS's spin before NumPy loads)
# isort: on
from .checkpoint import load
from .config import VAEConfig
from .model import VAE, AutoEncoder, ForwardResult
from .optim import SGD, Adam

__version__ = "0.1.0"
__all__ = ["SGD", "VAE", "Adam", "AutoEncoder", "ForwardResult", "VAEConfig", "__version__",
           "load"]
