"""Exercise 7, the VAE's backward pass assembled: the library's passes and right answers
in several styles pass; every contract is checked (what backward returns, a second call,
two hidden layers, beta = 0 and 1, N = 1); a wrong answer is diagnosed path by path: the
stage that first differs and its equation, and the typical mistake only when it explains
every setting, so that the numbers of one setting never name a mistake not made.

As in tests/test_exercises.py, a learner's version is made as a learner makes it.
"""

import numpy as np
import pytest
from test_exercises import BACKWARD, flat, hint_of, row, run, solve

from numpyvae.exercises import ex7_chain, ex7_heads, ex7_vae_backward
from numpyvae.exercises.runner import EXERCISES
from numpyvae.exercises.sandbox import run_exercise

FILE, LABEL = "ex7_vae_backward.py", "VAE.backward"


@pytest.fixture(autouse=True)
def english(monkeypatch):
    monkeypatch.setenv("NUMPYVAE_LANG", "en")


def answer(old=None, new=None, body=BACKWARD):
    """The right backward with ``old`` replaced by ``new``."""
    if old is not None:
        assert old in body, old
        body = body.replace(old, new)
    return body


def check7(capsys, folder, code):
    solve(folder, FILE, LABEL, code)
    status, out, err = run(capsys, "exercises", "check", folder, "--only", "vae")
    assert "Traceback" not in out + err
    return status, out


def first_wrong(out):
    """The first row that is not ok, and its hint."""
    for line in out.splitlines():
        if line.startswith("  VAE") and not line.rstrip().endswith(" ok"):
            return hint_of(out, line.strip())
    raise AssertionError(f"no wrong row in:\n{out}")


# ---- right answers ---------------------------------------------------------------------------

RIGHT_STYLES = {
    "as the library": BACKWARD,
    "a hand-written walk": """
c = self.cache
n = c["n"]
g = self.out.backward(c["dlogits"] / n)
for dense, act in zip(reversed(self.decoder.dense), reversed(self.decoder.acts)):
    g = dense.backward(act.backward(g))
dmu = g + c["beta"] / n * c["dkl"]["mu"]
dlogvar = g * self.reparam.eps * self.reparam.sigma / 2 + c["beta"] / n * c["dkl"]["logvar"]
dh = self.heads["mu"].backward(dmu) + self.heads["logvar"].backward(dlogvar)
for dense, act in zip(reversed(self.encoder.dense), reversed(self.encoder.acts)):
    dh = dense.backward(act.backward(dh))
return self.grads
""",
    "1/N after the sum": """
c = self.cache
n, beta = c["n"], c["beta"]
dz = self.decoder.backward(self.out.backward(c["dlogits"] / n))
dmu, dlogvar = self.reparam.backward(dz * n)
dmu = (dmu + beta * c["dkl"]["mu"]) / n
dlogvar = (dlogvar + beta * c["dkl"]["logvar"]) / n
dh = self.heads["mu"].backward(dmu)
dh += self.heads["logvar"].backward(dlogvar)
self.encoder.backward(dh)
return self.grads
""",
}


@pytest.mark.parametrize("code", RIGHT_STYLES.values(), ids=RIGHT_STYLES)
def test_a_right_answer_passes_every_setting(capsys, folder, code):
    status, out = check7(capsys, folder, code)
    assert status == 0, out
    for name in ("VAE  decoder.out", "VAE  encoder.0", "VAE  returns its gradients",
                 "VAE  a 2nd call", "VAE  two hidden layers", "VAE  N = 1, eps = 0"):
        assert row(out, name).rstrip().endswith("ok"), out


def test_the_library_passes_and_every_setting_can_be_followed_back():
    result = run_exercise(EXERCISES[6], None)
    assert result.status == "solved", result.rows
    for s in ex7_vae_backward.SETTINGS:  # the gradient reaching every layer can be found back
        grads = ex7_vae_backward.library_grads(s)
        steps = ex7_chain.steps(ex7_vae_backward.trace(s), grads)
        assert len(steps) == len(ex7_chain.layers_of(s.hidden)) - 1  # the heads: one
        assert all(st.ok for st in steps), s.name


def test_the_skeleton_is_not_yet_solved(capsys, folder):
    status, out, _ = run(capsys, "exercises", "check", folder, "--only", "7")
    assert status == 0 and "not yet solved (ex7_vae_backward.py:" in row(out, LABEL)


def test_an_exception_is_an_error_with_file_and_line(capsys, folder):
    status, out = check7(capsys, folder, answer('c["dlogits"] / n', 'c["logits"] / n'))
    assert status == 1
    line, hint = hint_of(out, LABEL)
    assert line.rstrip().endswith("error") and "KeyError: 'logits'" in hint
    assert "at ex7_vae_backward.py:" in hint


# ---- contracts ---------------------------------------------------------------------------------

CONTRACTS = [
    # (what changes in the right answer, the row, words of its hint)
    (("return self.grads", "pass"), "VAE  returns its gradients", ["returned None", "return self.grads"]),
    (("return self.grads", "return self.grads, None"), "VAE  returns its gradients",
     ["returned tuple, len 2"]),
    (("return self.grads", "return {'mu': self.heads['mu'].grads}"), "VAE  returns its gradients",
     ["not named as the model's parameters"]),
    (("return self.grads", "return {k: g.T for k, g in self.grads.items()}"),
     "VAE  returns its gradients", ["transposed"]),
    (("return self.grads", ("self._sum = {k: g + getattr(self, '_sum', {}).get(k, 0) "
      "for k, g in self.grads.items()}\nreturn self._sum")),
     "VAE  returns its gradients", ["on a 2nd call", "not this call's gradient"]),
    (("return self.grads", ("old = getattr(self, '_old', None)\nself._old = {k: g.copy() for k, g "
      "in self.grads.items()}\nfor k, g in (old or {}).items():\n    self.grads[k] += g\n"
      "return self.grads")),
     "VAE  a 2nd call", ["1st call's plus the 2nd's"]),
]


@pytest.mark.parametrize("change, name, words", CONTRACTS,
                         ids=["none", "tuple", "other-keys", "transposed", "running-sum",
                              "accumulates"])
def test_a_broken_contract_is_wrong_with_its_hint(capsys, folder, change, name, words):
    status, out = check7(capsys, folder, answer(*change))
    assert status == 1, out
    line, hint = hint_of(out, name)
    assert line.rstrip().endswith("wrong"), out
    for word in words:
        assert word in hint, f"{word!r} not in the hint of {name}:\n{out}"


def test_a_backward_for_one_hidden_layer_is_an_error_with_two(capsys, folder):
    code = """
c = self.cache
n, beta = c["n"], c["beta"]
g = self.decoder.dense[0].backward(self.decoder.acts[0].backward(self.out.backward(c["dlogits"] / n)))
dmu, dlogvar = self.reparam.backward(g)
dh = self.heads["mu"].backward(dmu + beta / n * c["dkl"]["mu"])
dh = dh + self.heads["logvar"].backward(dlogvar + beta / n * c["dkl"]["logvar"])
self.encoder.dense[0].backward(self.encoder.acts[0].backward(dh))
return self.grads
"""
    status, out = check7(capsys, folder, code)
    assert status == 1
    assert row(out, "VAE  decoder.out").rstrip().endswith("ok")  # one hidden layer: right
    line, hint = hint_of(out, "VAE  two hidden layers")
    assert line.rstrip().endswith(("error", "wrong"))
    assert "two hidden layers" in hint and "walk every layer" in hint


# ---- a wrong gradient, diagnosed path by path --------------------------------------------------

PATHS = [
    # (old, new, words of the first wrong row's hint: the stage, its equation, the mistake)
    ('c["dlogits"] / n', 'c["dlogits"]', ["Decoder's output layer decoder.out, Eq. (3)", "Eq. (9)", "1/N of the batch mean"]),
    ('c["dlogits"] / n', 'beta * c["dlogits"] / n', ["Eq. (9)", "beta multiplies the Reconstruction"]),
    ('dmu, dlogvar = self.reparam.backward(dz)',
     'dmu, dlogvar = dz, dz * self.reparam.eps * self.reparam.sigma',
     ["Eq. (7)", "sample's path into logvar misses the 1/2"]),
    ('dmu, dlogvar = self.reparam.backward(dz)',
     'dmu, dlogvar = dz, dz * np.random.standard_normal(dz.shape) * self.reparam.sigma / 2',
     ["random numbers", "Eq. (7)"]),
    ('dlogvar = dlogvar + beta / n * c["dkl"]["logvar"]',
     'dlogvar = dlogvar + beta / n * (1 - self.reparam.sigma ** 2) / 2',
     ["Eq. (8)", "KL's share of dlogvar has its sign flipped"]),
    ('beta / n * c["dkl"]["mu"]', 'c["dkl"]["mu"] / (beta * n)', ["Eq. (8)", "divided by beta"]),
    ('beta / n * c["dkl"]["logvar"]', '2 * beta / n * c["dkl"]["logvar"]', ["misses the 1/2", "Eq. (8)"]),
    ('n, beta = c["n"], c["beta"]', 'n, beta = c["n"], self.config.beta',
     ["self.config.beta", "Eq. (6)"]),
    ('dh = self.heads["mu"].backward(dmu) + self.heads["logvar"].backward(dlogvar)',
     'dh = self.heads["mu"].backward(dmu)\ndh = self.heads["logvar"].backward(dlogvar)',
     ["Encoder's last layer encoder.0, Eq. (1)", "logvar head only"]),
    ('self.encoder.backward(dh, need_dx=False)',
     'for dense in reversed(self.encoder.dense):\n    dh = dense.backward(dh)',
     ["Eq. (1)", "ReLU's derivative is missing"]),
    ('dz = self.decoder.backward(self.out.backward(c["dlogits"] / n))',
     ('dz = self.out.backward(c["dlogits"] / n)\nfor dense in reversed(self.decoder.dense):\n'
     '    dz = dense.backward(dz)'), ["Decoder's layer decoder.0, Eq. (3)", "ReLU's derivative"]),
]


@pytest.mark.parametrize("old, new, words", PATHS,
                         ids=["no-1/N", "beta-on-recon", "no-1/2", "fresh-eps", "kl-sign",
                              "divided-by-beta", "kl-lv-no-1/2", "config-beta", "dh-overwritten",
                              "encoder-no-relu", "decoder-no-relu"])
def test_a_wrong_path_is_found_and_named(capsys, folder, old, new, words):
    status, out = check7(capsys, folder, answer(old, new))
    assert status == 1
    _line, hint = first_wrong(out)
    for word in words:
        assert word in hint, f"{word!r} not in the first wrong row's hint:\n{out}"


def test_the_settings_tell_every_pair_of_kl_weights_apart():
    """Two typical KL weights may coincide in one setting (KL added twice, 2 beta / N, and
    the 1/N missing, beta, are both 1.3 at N = 2); never in every setting."""
    weights = [("right", lambda b, n: b / n), *ex7_heads.WEIGHTS]
    settings = [s for s in ex7_vae_backward.SETTINGS if s.hidden == (7,)]
    coincide = 0
    for i, (key_a, a) in enumerate(weights):
        for key_b, b in weights[i + 1:]:
            same = [np.isclose(a(s.beta, s.n), b(s.beta, s.n)) for s in settings]
            assert not all(same), (key_a, key_b)
            coincide += any(same)
    assert coincide > 0  # the check would be empty if no setting had a coincidence


@pytest.mark.parametrize("factor, named, not_named", [
    ("2 * beta / n", "added twice", "lacks the 1/N"),
    ("beta", "lacks the 1/N", "added twice"),
], ids=["kl-twice", "kl-no-1/N"])
def test_coinciding_numbers_never_name_a_mistake_not_made(capsys, folder, factor, named, not_named):
    code = answer('beta / n * c["dkl"]["mu"]', f'{factor} * c["dkl"]["mu"]')
    code = code.replace('beta / n * c["dkl"]["logvar"]', f'{factor} * c["dkl"]["logvar"]')
    status, out = check7(capsys, folder, code)
    assert status == 1
    _, hint = first_wrong(out)
    assert named in hint and not_named not in hint, hint


def test_what_no_single_mistake_explains_is_localised_with_numbers(capsys, folder):
    """A weight that is right in one setting and no typical slip in the others: where (the
    KL's path, Eq. (8)) and the numbers per setting, no name."""
    code = answer('beta / n * c["dkl"]["mu"]', '(beta / n if n == 3 else 0.3) * c["dkl"]["mu"]')
    code = code.replace('beta / n * c["dkl"]["logvar"]', '(beta / n if n == 3 else 0.3) * c["dkl"]["logvar"]')
    status, out = check7(capsys, folder, code)
    assert status == 1
    _, hint = first_wrong(out)
    assert "Eq. (8)" in hint and "N = 2, beta = 1.3: 0.3" in hint
    assert not any(w in hint for w in ("lacks beta", "divided by beta", "added twice"))


def test_right_in_the_first_setting_wrong_in_another_is_located(capsys, folder):
    status, out = check7(capsys, folder, answer('n, beta = c["n"], c["beta"]', 'n, beta = 3, c["beta"]'))
    assert status == 1
    assert row(out, "VAE  decoder.out").rstrip().endswith("ok")  # N = 3 there
    line, hint = hint_of(out, "VAE  a 2nd call")
    assert line.rstrip().endswith("wrong") and "0.6667 times this batch's" in hint  # 2/3
    assert "Eq. (6)" in hint and "see the rows above" not in flat(out)
