"""Every check can fail: each subject of ``numpyvae gradcheck`` broken on purpose, in a way
students break it, turns its own rows (and only those) from ok to OVER."""

import re

import numpy as np
import pytest
from helpers import run_cli

from numpyvae import checks, gradcheck, layers, losses, optim, reparam

ROW_ADAM = ["Adam  3 steps, w (3, 4) vs Eq. (10)", "Adam  3 steps, b (4,) vs Eq. (10)"]
ROW_FOLDED = ["Adam folded, a model's flat buffer  3 steps vs Eq. (10)"]


def wrong_dense_backward(self, dout, need_dx=True):
    """dW and dx 1 % too large (say, a stray factor)."""
    dx = DENSE_BACKWARD(self, dout, need_dx)
    self.grads["W"][...] *= 1.01
    return None if dx is None else dx * 1.01


def relu_without_its_mask(self, dout):
    return dout.copy()  # the gradient also flows where x < 0


def tanh_without_the_square(self, dout):
    return dout * (1 - self.y)  # 1 - y where 1 - y^2 belongs


def sigmoid_without_one_minus_p(self, dout):
    return dout * self.p  # p where p (1 - p) belongs


def reparam_sigma_as_exp_logvar(self, dz):
    dmu, dlogvar = REPARAM_BACKWARD(self, dz)
    return dmu, 2 * dlogvar  # d sigma / d logvar = sigma: sigma = exp(logvar), the old bug


def bernoulli_gradient_x_minus_p(logits, x, need_grad=True):
    nll, grads = BERNOULLI_NLL(logits, x, need_grad)
    return nll, (None if grads is None else {"logits": -grads["logits"]})


def gaussian_gradient_halved(mean, x, sigma=1.0, need_grad=True):
    nll, grads = GAUSSIAN_NLL(mean, x, sigma, need_grad)
    return nll, (None if grads is None else {"mean": grads["mean"] / 2})


def kl_without_the_half(mu, logvar, need_grad=True):
    kl, grads = KL(mu, logvar, need_grad)
    if grads is None:
        return kl, None
    return kl, {"mu": grads["mu"], "logvar": 2 * grads["logvar"]}  # sigma^2 - 1 without the 1/2


def adam_without_bias_correction(self, w, g, m, v):
    b1, b2 = self.betas
    m[...] = b1 * m + (1 - b1) * g
    v[...] = b2 * v + (1 - b2) * g**2
    w -= self.lr * m / (np.sqrt(v) + self.eps)


def adam_folded_with_eps_unscaled(self, w, g, m, v, tmp):
    eps = self.eps
    self.eps = eps / np.sqrt(1 - self.betas[1] ** self.t)  # so that eps_t = eps
    try:
        FOLDED(self, w, g, m, v, tmp)
    finally:
        self.eps = eps


DENSE_BACKWARD = layers.Dense.backward
REPARAM_BACKWARD = reparam.Reparameterize.backward
BERNOULLI_NLL, GAUSSIAN_NLL, KL = losses.bernoulli_nll, losses.gaussian_nll, losses.kl_std_normal
FOLDED = optim.Adam.update_folded

# (where, name, the broken version, the rows that must fail; every other row stays ok)
BREAKS = [
    (layers.Dense, "backward", wrong_dense_backward,
     ["Dense  dL/dx", "Dense  dL/dW", "MLP  all gradients"]),
    (layers.ReLU, "backward", relu_without_its_mask, ["ReLU  dL/dx", "MLP  all gradients"]),
    (layers.Tanh, "backward", tanh_without_the_square, ["Tanh  dL/dx"]),
    (layers.Sigmoid, "backward", sigmoid_without_one_minus_p, ["Sigmoid  dL/dx"]),
    (reparam.Reparameterize, "backward", reparam_sigma_as_exp_logvar,
     ["Reparameterize  dz -> dlogvar"]),
    (losses, "bernoulli_nll", bernoulli_gradient_x_minus_p, ["bernoulli_nll  dlogits"]),
    (losses, "gaussian_nll", gaussian_gradient_halved, ["gaussian_nll  dmean"]),
    (losses, "kl_std_normal", kl_without_the_half, ["KL  dlogvar"]),
    (optim.Adam, "update", adam_without_bias_correction, ROW_ADAM),
    (optim.Adam, "update_folded", adam_folded_with_eps_unscaled, ROW_FOLDED),
]


def printed_rows(capsys) -> tuple[int, dict[str, str]]:
    """``numpyvae gradcheck`` in-process: its exit status and each row's verdict."""
    code, out, _ = run_cli(capsys, "gradcheck")
    rows = [re.fullmatch(r"(.*\S)\s+\S+\s+\S+\s+(ok|OVER)", line) for line in out.splitlines()]
    return code, dict(row.groups() for row in rows if row)  # name -> "ok" or "OVER"


@pytest.mark.parametrize("where, name, broken, failing", BREAKS,
                         ids=[f"{getattr(w, '__name__', w)}.{n}" for w, n, _, _ in BREAKS])
def test_a_broken_subject_fails_its_printed_rows(capsys, monkeypatch, where, name, broken, failing):
    monkeypatch.setattr(checks, "check_model", lambda *args, **kwargs: [])  # below, once
    code, rows = printed_rows(capsys)
    assert code == 0 and set(rows.values()) == {"ok"}, rows
    monkeypatch.setattr(where, name, broken)
    code, rows = printed_rows(capsys)
    assert code == 1
    assert {row for row, verdict in rows.items() if verdict == "OVER"} == set(failing), rows


def test_a_wrong_backward_in_a_layer_fails_every_whole_model_row(capsys, monkeypatch):
    monkeypatch.setattr(layers.Dense, "backward", wrong_dense_backward)
    code, rows = printed_rows(capsys)
    models = [row for row in rows if row.startswith(("VAE ", "AE "))]
    assert code == 1 and len(models) == 16
    assert all(rows[row] == "OVER" for row in models), rows
    assert rows["ReLU  dL/dx"] == "ok" and all(rows[row] == "ok" for row in ROW_ADAM + ROW_FOLDED)


def test_adam_rows_compare_with_eq10_by_hand_not_with_the_library():
    """The reference shares no code with optim.Adam: Adam broken, the reference is not."""
    w0, grads = np.array([1.0, -2.0]), [np.array([0.3, -1.0]), np.array([-0.2, 0.5])]
    expected = gradcheck.adam_reference(w0, grads, 0.1)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(optim.Adam, "update", adam_without_bias_correction)
        assert np.array_equal(gradcheck.adam_reference(w0, grads, 0.1), expected)


def test_exercise_6_grades_against_eq10_by_hand_not_against_the_library():
    """With the library's Adam broken, exercise 6's reference stays Eq. (10), so that
    ``exercises check --solutions`` can fail (it compared optim.Adam with itself)."""
    from numpyvae.exercises import ex6_adam

    i = ex6_adam.inputs()
    expected = ex6_adam.reference(i)
    for k, w0 in i["w0"].items():
        by_hand = gradcheck.adam_reference(w0, [g[k] for g in i["grads"]], ex6_adam.LR)
        np.testing.assert_array_equal(expected[k], np.array(by_hand))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(optim.Adam, "update", adam_without_bias_correction)
        mp.setattr(optim.Adam, "step", lambda self, grads: self.update(grads))
        again = ex6_adam.reference(i)
    assert all(np.array_equal(again[k], expected[k]) for k in expected)
