"""Exercises: write the backward passes yourself, checked like the library's own.

Seven exercises, one file each, in the order of the lecture:

    ex1_dense.py                   Dense.backward                Eq. (1)
    ex2_relu.py                    ReLU.backward
    ex3_sigmoid_cross_entropy.py   Sigmoid.backward,             Eq. (3), (4), (9)
                                   bernoulli_nll_grad
    ex4_reparameterize.py          Reparameterize.backward       Eq. (2), (7)
    ex5_kl.py                      kl_std_normal_grad            Eq. (5), (8)
    ex6_adam.py                    Adam.step                     Eq. (10)
    ex7_vae_backward.py            VAE.backward, assembled       Eq. (6)-(9)

The workflow::

    numpyvae exercises init                 # skeletons -> ./numpyvae-exercises/
    # read a file's docstring (the math, the shapes, hints), replace its
    # `raise NotImplementedError` with your code, then:
    numpyvae exercises check                # every exercise
    numpyvae exercises check --only relu    # one (name, number, or file)
    numpyvae exercises check --solutions    # the library's own code, same checks
    numpyvae exercises train                # all seven right: a VAE of yours on MNIST,
                                            # beside the library's (capstone.py)
    numpyvae exercises check --reference    # after trying: each answer against the library's
    pytest numpyvae-exercises/              # the same checks as tests, one per gradient

``init`` never overwrites a file (run it again to restore one you deleted). ``check``
imports each file by its path and hands it to the checks of ``numpyvae/checks.py``,
the ones ``numpyvae gradcheck`` runs on the library: central differences in float64,
each gradient's relative error under its bound. Per gradient it prints the error, the
bound and a verdict: ``ok``; ``not yet solved`` (still raises NotImplementedError:
not a failure); ``wrong``, with a hint when your answer matches a typical mistake (a
missing 1/2, sigma where sigma^2 belongs, a transposed matrix, a sign, a mean instead
of a sum, an array changed in place ...); or ``error`` (your code raised: the
exception and your file:line). The exit status is 1 when an exercise is wrong or
stopped by an error, else 0.

Each skeleton names the library function to compare with, after trying.

Modules: ``templates/`` the skeletons, ``catalog.py`` the exercises and their typical
mistakes, ``spies.py`` what is recorded while a check runs, ``loading.py`` importing a
learner's file, locating its errors and the time limit, ``diagnose.py`` the rows of a
check and their hints, ``report.py`` the rows, verdicts and report text, ``sandbox.py``
running one exercise (time limit, prints captured, every exception a row),
``runner.py`` the commands init and check, ``pytest_plugin.py`` the checks as tests,
``assemble.py`` the capstone's VAE made of the learner's classes, ``capstone.py`` the
command train.
"""

from .catalog import EXERCISES, Exercise, Part
from .runner import (
    DEFAULT_DIR,
    DEFAULT_TIME_LIMIT,
    Result,
    Row,
    check,
    find_exercise,
    init,
    run_exercise,
)

__all__ = [
    "DEFAULT_DIR", "DEFAULT_TIME_LIMIT", "EXERCISES", "Exercise", "Part", "Result", "Row",
    "check", "find_exercise", "init", "run_exercise",
]
