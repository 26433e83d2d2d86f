"""The parts of the seven exercises: for each, its stages (run on the learner's code in the
child process), its grading (in the parent), and its catalogue of typical mistakes.

    dense.py        exercise 1   Dense.backward
    activations.py  exercise 2-3 ReLU.backward, Sigmoid.backward, bernoulli_nll_grad
    sampling.py     exercise 4-5 Reparameterize.backward, kl_std_normal_grad
    adam.py         exercise 6   Adam.step
    vae.py          exercise 7   VAE.backward: its settings, contracts and rows
    vae_paths.py    exercise 7   a wrong VAE.backward diagnosed path by path
"""
