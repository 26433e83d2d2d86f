"""The skeletons that ``numpyvae exercises init`` copies into a folder of yours.

One file per exercise (``ex1_dense.py`` ... ``ex6_adam.py``), each with the
library's interface, the math of its backward pass, hints, and
``raise NotImplementedError`` where your code goes. They are a package only so that
they are installed with numpyvae; importing it imports none of them.
"""
