"""Speed, kept apart from the lecture: nothing here is needed to read it.

Each piece computes exactly what a plain form on the reading path computes, only
faster, and ``tests/test_fast.py`` ties the two together:

- :mod:`.flat` -- ``FlatParams``: every parameter of a model as a view into one 1-D
  buffer, so that Adam's folded update (``optim.Adam``, "Eq. (10), folded") runs on the
  whole buffer, piece by piece (``pieces``, each piece's arrays in the cache); tested
  equal to the name-by-name update of Eq. (10).
- :mod:`.halves` -- ``in_halves``: element-wise work cut in two, the second half on a
  helper thread, both at once (NumPy computes a pass on a slice as on the whole: the
  same values to the bit, tests/test_halves.py); Adam's update, the training loss and
  Eq. (11)'s sums use it. Imported by ``numpyvae`` first, it shortens OpenBLAS's idle
  spin, which would otherwise hold the second core.
- :mod:`.loss` -- ``bernoulli_nll_fused``: Eq. (4) and its gradient Eq. (9) for a
  training step from one exp of the logits, seven passes instead of fifteen; tested equal
  to ``losses.bernoulli_nll``.
- :mod:`.iw` -- ``log_likelihood_iw_blocked``: Eq. (11) in blocks of decoded samples,
  several images at a time, with a running logsumexp: memory flat in K; tested equal to
  ``elbo.log_likelihood_iw``, Eq. (11) as written. Its pieces: ``ManyRowsDecoder``, the
  decoder of Eq. (3) with the biases folded into the products, tested equal to
  ``model.decode_logits``; ``bernoulli_nll_rows``, Eq. (4) with its softplus sums in
  two passes (``sum_softplus``), tested equal to ``losses.bernoulli_nll``;
  ``DrawsAhead``, the blocks' eps from one generator in their order, the next block's
  drawn beside this block's sums: the draws of the plain form.

Why each one pays, with the figures, is in ``benchmarks/README.md``. Each is entered by
its module (``from numpyvae.fast.flat import FlatParams``): this file imports nothing, so
that the lecture's ``model.py``, which needs the flat buffer only, loads no more of
``fast/`` than that.
"""
