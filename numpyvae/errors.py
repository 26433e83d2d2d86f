"""The library's own exceptions.

Every error that a user can cause (a corrupt file, a bad argument, a training
run that diverged) is raised as a subclass of :class:`NumpyVAEError`, with a
message that names the problem. The command line prints that message on one
line and exits with status 2.
"""


class NumpyVAEError(Exception):
    """Base class of every error numpyvae raises on purpose."""


class DataError(NumpyVAEError):
    """A data file is missing, corrupt, malformed, or cannot be downloaded."""


class CheckpointError(NumpyVAEError):
    """A checkpoint cannot be read, or does not match the model."""


class TrainingError(NumpyVAEError):
    """Training cannot go on (for example, the loss became non-finite)."""
