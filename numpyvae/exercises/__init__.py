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
    numpyvae exercises init --lang ko       # the same, with Korean instructions
    # read a file's docstring (the math, the shapes, hints), replace its
    # `raise NotImplementedError` with your code, then:
    numpyvae exercises check                # every exercise
    numpyvae exercises check --only relu    # one (name, number, or file)
    numpyvae exercises check --solutions    # the library's own code, same checks
    numpyvae exercises train                # a VAE of yours, trained by numpyvae.train.fit
    numpyvae exercises check --reference    # after trying: each answer against the library's
    numpyvae exercises check --json         # one record per exercise, for an autograder
    pytest numpyvae-exercises/              # grading: one test per exercise, each fails
                                            # until solved

``init`` never overwrites a file (run it again to restore one you deleted). ``check``
runs each exercise file in a child process under a CPU-time and a memory limit
(``sandbox.py``, ``child.py``), and grades what came back in its own process against
central differences of the lecture's forward pass and the library's own code
(``grading.py`` and ``parts/``). Per gradient or contract it prints a verdict: ``ok``;
``not yet solved``; ``wrong``, with a hint when the answer matches a typical mistake
(``parts/``; exercise 7 is diagnosed path by path, ``parts/vae_paths.py``); or
``error`` (the code raised, ran too long, or ended, forked or patched the check: what,
and file:line). The exit status is 1 when an exercise is wrong or stopped by an error,
else 0. Everything a learner reads exists in English and in Korean: one table,
``messages.py``; ``language.py`` chooses.

Modules: ``catalog.py`` the exercises, ``exercise.py`` what an exercise is,
``parts/`` each part's checks and mistakes, ``probes.py`` what is recorded,
``grading.py`` the rows, ``report.py`` the text and the records, ``loading.py``
importing a learner's file, ``child.py`` and ``sandbox.py`` the two processes,
``runner.py`` the commands init and check, ``pytest_plugin.py`` the tests,
``assemble.py`` and ``capstone.py`` the command train, ``language.py`` and
``messages.py`` the two languages.
"""

from .catalog import COUNT, EXERCISES
from .exercise import Exercise, Part, Stage
from .language import LANGUAGES
from .report import Result, Row
from .runner import DEFAULT_DIR, check, find_exercise, init
from .sandbox import DEFAULT_TIME_LIMIT, run_exercise

__all__ = [
    "COUNT", "DEFAULT_DIR", "DEFAULT_TIME_LIMIT", "EXERCISES", "LANGUAGES", "Exercise", "Part",
    "Result", "Row", "Stage", "check", "find_exercise", "init", "run_exercise",
]
