"""The skeletons that ``numpyvae exercises init`` copies into a folder of yours.

One file per exercise (``ex1_dense.py`` ... ``ex7_vae_backward.py``), here in English and
in ``ko/`` in Korean (the same code; the instructions in one language or the other), each with
the library's interface, the math of its backward pass, hints, and ``raise
NotImplementedError`` where your code goes. They are packages only so that they are
installed with numpyvae; importing them imports none of the skeletons.
"""
