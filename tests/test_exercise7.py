"""Exercise 7, the VAE's backward pass assembled: the library's passes, a right answer
passes, and each typical mistake is wrong with the hint that names it.

As in tests/test_exercises.py, a learner's version is made as a learner makes it: ``init``
copies the skeletons into ``tmp_path`` and the ``raise NotImplementedError`` of
``VAE.backward`` is replaced with code.
"""

import pytest
from helpers import run_cli as run

from numpyvae import checks
from numpyvae.exercises import EXERCISES, find_exercise, run_exercise
from numpyvae.exercises.catalog import VAE_MISTAKES, vae_backward

FILE = "ex7_vae_backward.py"






def solve(folder, code):
    """Replace the ``raise NotImplementedError`` of VAE.backward with ``code``."""
    path = folder / FILE
    lines = path.read_text().split("\n")
    for i, line in enumerate(lines):
        if 'raise NotImplementedError("exercise 7: write VAE.backward")' in line:
            indent = line[: len(line) - len(line.lstrip())]
            lines[i] = "\n".join(indent + c for c in code.strip("\n").split("\n"))
            path.write_text("\n".join(lines))
            return
    raise AssertionError(f"no NotImplementedError of VAE.backward in {FILE}")


def flat(text):
    return " ".join(text.split())


def rows(out):
    """{row name: (the line, its hint unwrapped)} of the exercise's rows."""
    lines = out.splitlines()
    found = {}
    for i, line in enumerate(lines):
        if line.startswith("  VAE  "):
            name = line.split("  ")[1] + "  " + line.split("  ")[2]
            hint = []
            for more in lines[i + 1:]:
                if not more.startswith("      "):
                    break
                hint.append(more)
            found[name.strip()] = (line, flat(" ".join(hint)))
    return found


BACKWARD = """
c = self._cache
n, beta = c["n"], {beta}
dz = self.decoder.backward(self.out.backward(c["dlogits"] {recon}))
dmu, dlogvar = {sample}
dmu_kl, dlogvar_kl = c["dkl"]
dmu = dmu {kl_op} {kl} * dmu_kl
dlogvar = dlogvar {kl_op} {kl} * dlogvar_kl
{heads}
self.encoder.backward(dh, need_dx=False)
return self.grads
"""
RIGHT = {"beta": 'c["beta"]', "recon": "/ n", "sample": "self.reparam.backward(dz)", "kl_op": "+",
             "kl": "beta / n",
             "heads": 'dh = self.heads["mu"].backward(dmu) + self.heads["logvar"].backward(dlogvar)'}


def answer(**change):
    return BACKWARD.format(**{**RIGHT, **change})


def test_the_library_passes_and_the_exercise_is_listed():
    ex = find_exercise("7")
    assert ex is find_exercise("vae") is EXERCISES[-1] and ex.file == FILE
    assert all(c.ok for c in checks.check_vae_backward())
    assert len(checks.check_vae_backward()) == 5  # one row per layer
    assert run_exercise(ex, None).status == "solved"


def test_the_skeleton_is_not_yet_solved(capsys, folder):
    code, out, _ = run(capsys, "exercises", "check", folder, "--only", "7")
    assert code == 0
    assert "not yet solved (ex7_vae_backward.py:" in out


def test_a_right_answer_passes(capsys, folder):
    solve(folder, answer())
    code, out, _ = run(capsys, "exercises", "check", folder, "--only", "vae_backward")
    assert code == 0, out
    assert "1 of 1 exercise solved, 0 wrong" in out
    assert len(rows(out)) == 5 and all(line.rstrip().endswith("ok") for line, _ in rows(out).values())


def test_using_the_library_helper_for_the_decoder_passes_too(capsys, folder):
    solve(folder, """
dz, per_example = self._backward_decoder()
dmu, dlogvar = self.reparam.backward(dz)
dmu += per_example * self._cache["beta"] * self._cache["dkl"][0]
dlogvar += per_example * self._cache["beta"] * self._cache["dkl"][1]
dh = self.heads["mu"].backward(dmu)
dh += self.heads["logvar"].backward(dlogvar)
self.encoder.backward(dh)
return self.grads
""")
    code, out, _ = run(capsys, "exercises", "check", folder, "--only", "7")
    assert code == 0, out


ENCODER = ["encoder.mu", "encoder.logvar", "encoder.0"]
ALL = ["decoder.out", "decoder.0", *ENCODER]

MISTAKES = [
    # (what is changed, the rows that must be wrong, words of their hint)
    ({"kl_op": "+ 0 *"}, ENCODER, ["KL term's gradient is missing", "two places"]),
    ({"sample": "0 * dz, 0 * dz"}, ENCODER, ["no gradient through the sample",
                                               "self.reparam.backward"]),
    ({"recon": "", "kl": "beta"}, ALL, ["N = 4 times the right one", "1/N of the batch mean"]),
    ({"kl": "beta"}, ENCODER, ["KL's gradient lacks the 1/N", "beta / N, not beta"]),
    ({"recon": "/ n / n", "kl": "beta / n / n"}, ALL, ["1/N applied twice"]),
    ({"sample": "(g / n for g in self.reparam.backward(dz))", "kl": "beta / n / n"}, ENCODER,
     ["1/N applied twice"]),
    ({"kl": "1 / n"}, ENCODER, ["beta is missing", "self._cache['beta']"]),
    ({"beta": "self.config.beta"}, ENCODER, ["beta is missing", "Not self.config.beta"]),
    ({"recon": "* beta / n"}, ALL, ["beta multiplies the reconstruction's gradient too"]),
    ({"kl_op": "-"}, ENCODER, ["KL's gradient is subtracted"]),
    ({"heads": 'dh = self.heads["mu"].backward(dmu)\nself.heads["logvar"].backward(dlogvar)'},
     ["encoder.0"], ["gradient of the mu head only", "both heads"]),
    ({"heads": 'dh = self.heads["mu"].backward(dmu)\ndh = self.heads["logvar"].backward(dlogvar)'},
     ["encoder.0"], ["gradient of the logvar head only", "overwritten"]),
    ({"heads": 'dh = self.heads["mu"].backward(dmu)'}, ["encoder.logvar", "encoder.0"],
     ["logvar head's gradients are all zeros", "gradient of the mu head only"]),
]


@pytest.mark.parametrize("change, wrong, words", MISTAKES,
                         ids=[",".join(m[0]) + f"-{i}" for i, m in enumerate(MISTAKES)])
def test_a_typical_mistake_is_wrong_with_its_hint(capsys, folder, change, wrong, words):
    solve(folder, answer(**change))
    code, out, err = run(capsys, "exercises", "check", folder, "--only", "7")
    assert code == 1, out
    found = rows(out)
    assert set(found) == {f"VAE  {layer}" for layer in ALL}, out
    hints = []
    for layer in ALL:
        line, hint = found[f"VAE  {layer}"]
        if layer in wrong:
            assert line.rstrip().endswith("wrong") and hint, out
            hints.append(hint)
        else:
            assert line.rstrip().endswith("ok"), out
    for word in words:
        assert word in " ".join(hints), f"{word!r} not in the hints:\n{out}"
    assert "0 of 1 exercise solved, 1 wrong" in out
    assert "Traceback" not in out + err


def test_every_injected_mistake_is_caught_by_the_check():
    """Each mistake of the catalog, as the library's model with it injected, fails the
    check (beta = 0.5 and N = 4 keep them apart from the right answer)."""
    for mistake in VAE_MISTAKES:
        class Wrong(checks.VAE):
            def backward(self, mistake=mistake):
                vae_backward(self, mistake)
                return self.grads

        assert not all(c.ok for c in checks.check_vae_backward(Wrong)), mistake


def test_an_exception_is_an_error_with_file_and_line(capsys, folder):
    solve(folder, 'dh = self.out.backward(self._cache["dlogits"])\nself.heads["mu"].backward(dh)')
    code, out, _ = run(capsys, "exercises", "check", folder, "--only", "7")
    assert code == 1
    assert "ValueError" in out and "ex7_vae_backward.py:" in out


def test_solutions_pass_every_exercise(capsys):
    code, out, _ = run(capsys, "exercises", "check", "--solutions")
    assert code == 0, out
    assert "7 of 7 exercises solved, 0 wrong, 0 not yet solved" in out
    assert "the library's: numpyvae/model.py, VAE.backward" in out
