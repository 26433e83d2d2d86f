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
runs each exercise file in a child process under a CPU-time and a memory limit, and
grades what came back in its own process against central differences of the lecture's
forward pass and the library's own code. Per gradient or contract it prints a verdict:
``ok``; ``not yet solved``; ``wrong``, with a hint when the answer matches a typical
mistake (exercise 7 is diagnosed path by path); or ``error`` (the code raised, ran too
long, or ended, forked or patched the check: what, and file:line). The exit status is 1
when an exercise is wrong or stopped by an error, else 0. Everything a learner reads
exists in English and in Korean.

The room, one job a file; each module is entered by its public names, and none
imports this package's ``__init__`` (it holds this map only):

    templates/en/, templates/ko/   the skeletons ``init`` copies (package data: never
                                   imported by the library)
    exercise.py      what an exercise is, what its check records, the rows it reports
    messages.py      every message in both languages (one table) and ``say``
    grading.py       the rows of one answer, and why it is wrong
    contracts.py     what the checks of exercises 1-5 share
    ex1_dense.py ... ex7_vae_backward.py
                     each exercise: its parts, their stages, its typical mistakes,
                     checked in the module named like the learner's file
    ex7_chain.py, ex7_heads.py, ex7_diagnosis.py
                     exercise 7's diagnosis by path: the gradient at every layer, the
                     two paths into mu and logvar, where and what
    loading.py       importing a learner's file; where an exception came from
    child.py         the child process: limits, guards, the stages, the records
    sandbox.py       one exercise checked: the child started, waited for, graded
    report.py        the report's text, and the records of ``--json``
    runner.py        the catalogue (EXERCISES), ``init`` and ``check``, the folder's
                     language
    pytest_plugin.py the exercises as pytest tests, for grading
    capstone.py      ``train``: a VAE made of the learner's exercises, trained by ``fit``

Imports go one way: ``capstone`` and ``pytest_plugin`` take ``runner``, ``sandbox`` and
``report``; ``runner`` fans out to the exercises, ``sandbox`` and ``report``; these import
``grading``/``contracts``, ``messages`` and the types of ``exercise.py``, never each other
(exercise 7 takes its diagnosis from ``ex7_diagnosis``, ``ex7_heads`` and ``ex7_chain``;
``sandbox`` starts ``child``, which imports the learner's file with ``loading``).
"""
