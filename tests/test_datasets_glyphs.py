"""Tests of numpyvae.datasets.glyphs: the offline glyph-digits data set."""

from __future__ import annotations

import numpy as np
import pytest

from numpyvae.datasets.glyphs import make_glyph_digits


@pytest.fixture(scope="module")
def glyphs() -> tuple[np.ndarray, np.ndarray]:
    return make_glyph_digits(2000, seed=0)


def test_glyph_digits_format(glyphs):
    x, y = glyphs
    assert x.shape == (2000, 784) and x.dtype == np.float32
    assert y.shape == (2000,) and y.dtype == np.int64
    assert x.min() == 0.0 and x.max() == 1.0
    assert np.bincount(y, minlength=10).tolist() == [200] * 10
    ink = x.reshape(-1, 28, 28)
    assert ink.sum(axis=(1, 2)).min() > 20  # every image has a digit on it
    # Drawn in the centre, like MNIST: under 1% of the ink in the 2-pixel border.
    border = ink.sum(axis=(1, 2)) - ink[:, 2:26, 2:26].sum(axis=(1, 2))
    assert border.sum() < 0.01 * ink.sum()


def test_glyph_digits_are_deterministic(glyphs):
    x, y = make_glyph_digits(2000, seed=0)
    assert np.array_equal(x, glyphs[0]) and np.array_equal(y, glyphs[1])
    x1, y1 = make_glyph_digits(2000, seed=1)
    assert not np.array_equal(y1, glyphs[1])
    assert not np.array_equal(x1, glyphs[0])


def test_glyph_digit_classes_are_distinct(glyphs):
    x_train, y_train = glyphs
    x_test, y_test = make_glyph_digits(1000, seed=1)
    means = np.stack([x_train[y_train == k].mean(axis=0) for k in range(10)])  # (10, 784)
    distances = ((x_test[:, None, :] - means[None]) ** 2).sum(-1)  # (1000, 10)
    accuracy = (distances.argmin(axis=1) == y_test).mean()
    assert accuracy > 0.8


def test_glyph_digits_look_like_their_labels(glyphs):
    x, y = glyphs
    means = np.stack([x[y == k].mean(axis=0) for k in range(10)]).reshape(10, 28, 28)
    ink = means.sum(axis=(1, 2))
    centre = means[:, 12:16, 12:16].mean(axis=(1, 2))
    top, bottom = means[:, 4:11].sum(axis=(1, 2)), means[:, 17:24].sum(axis=(1, 2))
    assert ink.argmin() == 1 and ink.argmax() == 8  # a single stroke; two loops
    assert centre.argmin() == 0  # the hole of the 0
    assert top[7] > 2 * bottom[7] and top[9] > 2 * bottom[9]  # heads on a thin stem
    assert bottom[6] > 1.5 * top[6]  # a 6 is heavy at the bottom


def test_glyph_digits_vary_within_a_class(glyphs):
    x, y = glyphs
    sevens = x[y == 7]
    assert len(np.unique(sevens, axis=0)) == len(sevens)
    assert sevens.std(axis=0).max() > 0.3
