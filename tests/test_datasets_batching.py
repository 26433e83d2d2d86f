"""Tests of numpyvae.datasets.batches: binarization and minibatches."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from numpyvae.datasets.batching import (
    BINARIZE_MODES,
    batches,
    binarize,
    binarized_test_images,
)

# ---------------------------------------------------------------------------
# Binarization
# ---------------------------------------------------------------------------


def test_binarize_none_returns_the_same_object():
    x = np.random.default_rng(0).random((4, 784), dtype=np.float32)
    assert binarize(x, "none", None) is x


@pytest.mark.parametrize("mode", ["static", "dynamic"])
def test_binarize_samples_bernoulli_pixels(mode):
    x = np.tile(np.linspace(0, 1, 11, dtype=np.float32), (20000, 1))  # (20000, 11)
    b = binarize(x, mode, np.random.default_rng(0))
    assert b.dtype == np.float32 and b.shape == x.shape
    assert set(np.unique(b).tolist()) <= {0.0, 1.0}
    assert b[:, 0].max() == 0.0 and b[:, -1].min() == 1.0
    np.testing.assert_allclose(b.mean(axis=0), x[0], atol=0.015)
    same = binarize(x, mode, np.random.default_rng(0))
    assert np.array_equal(b, same)
    assert not np.array_equal(b, binarize(x, mode, np.random.default_rng(1)))


def test_binarize_rejects_unknown_modes_and_missing_rng():
    x = np.zeros((2, 3), dtype=np.float32)
    with pytest.raises(ValueError, match="none, static, dynamic"):
        binarize(x, "threshold", np.random.default_rng(0))
    with pytest.raises(ValueError, match="rng"):
        binarize(x, "dynamic", None)
    assert BINARIZE_MODES == ("none", "static", "dynamic")


def test_binarized_test_images_is_one_fixed_static_sample():
    x = np.random.default_rng(3).random((50, 784), dtype=np.float32)
    b = binarized_test_images(x, 7)
    assert b.dtype == np.float32 and b.shape == x.shape
    assert b.tobytes() == binarize(x, "static", np.random.default_rng([7, 2])).tobytes()
    assert np.array_equal(binarized_test_images(x, 7), b)
    assert not np.array_equal(binarized_test_images(x, 8), b)


# ---------------------------------------------------------------------------
# Minibatches
# ---------------------------------------------------------------------------


@given(n=st.integers(0, 60), batch_size=st.integers(1, 70), drop_last=st.booleans(),
       seed=st.integers(0, 2**32 - 1))
def test_batches_cover_every_row_once_per_epoch(n, batch_size, drop_last, seed):
    x = np.arange(n)[:, None] * np.ones((1, 3))  # row i holds i
    out = list(batches(x, batch_size, np.random.default_rng(seed), drop_last=drop_last))
    assert all(len(b) == batch_size for b in out[:-1])
    seen = np.concatenate([b[:, 0] for b in out]) if out else np.zeros(0)
    if drop_last:
        assert all(len(b) == batch_size for b in out)
        assert len(seen) == n - n % batch_size and len(np.unique(seen)) == len(seen)
    else:
        assert sorted(seen.tolist()) == list(range(n))
    again = list(batches(x, batch_size, np.random.default_rng(seed), drop_last=drop_last))
    assert len(again) == len(out) and all(map(np.array_equal, again, out))


def test_batches_shuffle_differs_between_epochs_and_can_be_turned_off():
    x = np.arange(100)[:, None]
    rng = np.random.default_rng(0)
    epoch1 = np.concatenate(list(batches(x, 10, rng)))
    epoch2 = np.concatenate(list(batches(x, 10, rng)))
    assert not np.array_equal(epoch1, epoch2)
    in_order = list(batches(x, 30, None, shuffle=False))
    assert [len(b) for b in in_order] == [30, 30, 30, 10]
    np.testing.assert_array_equal(np.concatenate(in_order), x)


def test_batches_checks_its_arguments_at_once():
    with pytest.raises(ValueError, match="batch_size"):
        batches(np.zeros((5, 2)), 0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="rng"):
        batches(np.zeros((5, 2)), 2, None)
