"""``numpyvae exercises``: the library's own code passes every exercise check, and a
learner's version is reported as ok, not yet solved, wrong (with the hint of its
typical mistake) or error (with file:line), with the exit status that goes with it.

A learner's version is made as a learner makes it: ``init`` copies the skeletons into
``tmp_path``, and :func:`solve` replaces one ``raise NotImplementedError`` with code.
"""

import sys
from importlib import resources

import numpy as np
import pytest
from helpers import run_cli as run

from numpyvae import checks
from numpyvae.exercises import DEFAULT_DIR, EXERCISES, find_exercise, run_exercise

#: How many exercises there are (the counts of the summary line).
N = len(EXERCISES)

# ---- helpers ------------------------------------------------------------------------------






def solve(folder, file, label, code):
    """Replace the ``raise NotImplementedError`` of ``label`` in ``file`` with ``code``;
    the line number of the first line of the code."""
    path = folder / file
    lines = path.read_text().split("\n")
    for i, line in enumerate(lines):
        if "raise NotImplementedError" in line and f"write {label}\"" in line:
            indent = line[: len(line) - len(line.lstrip())]
            lines[i] = "\n".join(indent + c for c in code.strip("\n").split("\n"))
            path.write_text("\n".join(lines))
            return i + 1
    raise AssertionError(f"no NotImplementedError of {label} in {file}")


def flat(text):
    """``text`` with its line breaks and runs of spaces as single spaces (hints are wrapped)."""
    return " ".join(text.split())


def row(out, name):
    """The report line of the gradient ``name`` (e.g. 'Dense  dL/dW')."""
    found = [line for line in out.splitlines() if line.strip().startswith(name)]
    assert found, f"no row {name!r} in:\n{out}"
    return found[0]


DENSE = """
self.grads["W"] = {dW}
self.grads["b"] = {db}
return {dx}
"""
ADAM_STEP = """
self.t += 1
b1, b2 = self.betas
for name, w in self.params.items():
    g = grads[name]
    self.m[name] = b1 * self.m[name] + (1 - b1) * g
    self.v[name] = b2 * self.v[name] + (1 - b2) * g * g
    m_hat = self.m[name] / (1 - b1**self.t)
    v_hat = self.v[name] / (1 - b2**self.t)
    {update}
"""
ADAM_RIGHT = "w -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)"

#: (file, what to write, the code): a right answer for every exercise.
RIGHT = [
    ("ex1_dense.py", "Dense.backward", DENSE.format(
        dW="self.x.T @ dout", db="dout.sum(axis=0)", dx='dout @ self.params["W"].T')),
    ("ex2_relu.py", "ReLU.backward", "return dout * (self.x > 0)"),
    ("ex3_sigmoid_cross_entropy.py", "Sigmoid.backward", "return dout * self.p * (1 - self.p)"),
    ("ex3_sigmoid_cross_entropy.py", "bernoulli_nll_grad", "return sigmoid(logits) - x"),
    ("ex4_reparameterize.py", "Reparameterize.backward",
     "return dz.copy(), dz * self.eps * self.sigma / 2"),
    ("ex5_kl.py", "kl_std_normal_grad", "return mu.copy(), (np.exp(logvar) - 1) / 2"),
    ("ex6_adam.py", "Adam.step", ADAM_STEP.format(update=ADAM_RIGHT)),
]


# ---- (a) the library's own implementation passes every exercise check --------------------


def test_library_passes_every_exercise_check_through_the_command(capsys):
    code, out, _ = run(capsys, "exercises", "check", "--solutions")
    assert code == 0, out
    assert f"{N} of {N} exercises solved, 0 wrong, 0 not yet solved" in out
    assert " wrong\n" not in out and "error" not in out.split("verdict", 1)[1]
    for ex in EXERCISES:
        for part in ex.parts:
            assert f"the library's: {part.where}" in out


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda ex: ex.key)
def test_library_passes_each_exercise_check(ex):
    for part in ex.parts:  # the bare check, as numpyvae gradcheck runs it
        assert all(c.ok for c in part.check(part.solution)), part.name
    result = run_exercise(ex, None)  # and watched, as the exercises run it
    assert result.status == "solved", result.rows
    assert all(r.verdict == "ok" for r in result.rows)


def test_templates_are_installed_and_name_their_equations_and_solutions():
    templates = resources.files("numpyvae.exercises") / "templates"
    for ex in EXERCISES:
        text = (templates / ex.file).read_text(encoding="utf-8")
        assert "raise NotImplementedError" in text
        assert "Eq. (" in text and "Hints:" in text
        assert f"numpyvae exercises check --only {ex.key}" in text or ex.number == 3
        for part in ex.parts:
            assert part.where.split(",")[0] in text, (ex.file, part.where)


# ---- (b) fresh skeletons are not yet solved, and that is not a failure --------------------


def test_fresh_skeletons_are_not_yet_solved_with_exit_0(capsys, folder):
    code, out, _ = run(capsys, "exercises", "check", folder)
    assert code == 0, out
    assert f"0 of {N} exercises solved, 0 wrong, {N} not yet solved" in out
    for label in ("Dense.backward", "ReLU.backward", "Sigmoid.backward", "bernoulli_nll_grad",
                  "Reparameterize.backward", "kl_std_normal_grad", "Adam.step"):
        assert "not yet solved (" in row(out, label)
    assert "next: ex1_dense.py:" in out and "--only dense" in out
    assert not (folder / "__pycache__").exists()  # nothing written into the learner's folder


def test_the_default_folder_is_found(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "exercises", "init")
    assert code == 0 and (tmp_path / "numpyvae-exercises" / "ex6_adam.py").exists()
    assert "numpyvae exercises check\n" in out + "\n"
    code, out, _ = run(capsys, "exercises", "check", "--only", "kl")
    assert code == 0 and "0 of 1 exercise solved, 0 wrong, 1 not yet solved" in out
    monkeypatch.chdir(tmp_path / "numpyvae-exercises")  # inside the folder works too
    code, out, _ = run(capsys, "exercises", "check", "--only", "5")
    assert code == 0 and "ex5_kl.py" in out


# ---- (c) typical mistakes: wrong, with the hint that names them, exit 1 -------------------

MISTAKES = [
    # (file, label, code, row, words of the hint)
    ("ex1_dense.py", "Dense.backward",
     DENSE.format(dW="dout.T @ self.x", db="dout.sum(axis=0)", dx='dout @ self.params["W"].T'),
     "Dense  dL/dW", ["dW has shape (4, 5), but W has shape (5, 4)", "transposed", "x^T dout"]),
    ("ex1_dense.py", "Dense.backward",
     DENSE.format(dW="self.x.T @ dout", db="dout", dx='dout @ self.params["W"].T'),
     "Dense  dL/db", ["db has shape (3, 4)", "not summed over the batch"]),
    ("ex1_dense.py", "Dense.backward",
     DENSE.format(dW="self.x.T @ dout / len(dout)", db="dout.sum(axis=0)",
                  dx='dout @ self.params["W"].T'),
     "Dense  dL/dW", ["divided by the batch size N = 3"]),
    ("ex1_dense.py", "Dense.backward",
     'dW = self.x.T @ dout\ndb = dout.sum(axis=0)\nreturn dout @ self.params["W"].T',
     "Dense  dL/dW", ["never wrote dW"]),
    ("ex2_relu.py", "ReLU.backward", "return dout * (self.x < 0)",
     "ReLU  dL/dx", ["mask is on the wrong side"]),
    ("ex2_relu.py", "ReLU.backward", "return dout.copy()",
     "ReLU  dL/dx", ["let through everywhere"]),
    ("ex2_relu.py", "ReLU.backward", "dout[self.x <= 0] = 0\nreturn dout",
     "ReLU  leaves dout unchanged", ["changed dout in place"]),
    ("ex3_sigmoid_cross_entropy.py", "Sigmoid.backward", "return dout * self.p",
     "Sigmoid  dL/dx", ["missing (1 - p)"]),
    ("ex3_sigmoid_cross_entropy.py", "bernoulli_nll_grad", "return x - sigmoid(logits)",
     "bernoulli_nll  dlogits", ["sign flipped", "p - x"]),
    ("ex3_sigmoid_cross_entropy.py", "bernoulli_nll_grad",
     "p = sigmoid(logits)\nreturn p * (1 - p) * (p - x)",
     "bernoulli_nll  dlogits", ["sigmoid's derivative p (1 - p) once more", "cancels"]),
    ("ex4_reparameterize.py", "Reparameterize.backward",
     "return dz.copy(), dz * self.eps * self.sigma",
     "Reparameterize  dz -> dlogvar", ["missing the 1/2", "sigma / 2"]),
    ("ex4_reparameterize.py", "Reparameterize.backward",
     "return dz.copy(), dz * self.eps * self.sigma**2 / 2",
     "Reparameterize  dz -> dlogvar", ["sigma^2 where sigma belongs"]),
    ("ex4_reparameterize.py", "Reparameterize.backward",
     "return dz.copy(), dz * self.eps * self.sigma**2",
     "Reparameterize  dz -> dlogvar", ["differentiates sigma = exp(logvar)", "exp(logvar / 2)"]),
    ("ex4_reparameterize.py", "Reparameterize.backward",
     "return -dz, -dz * self.eps * self.sigma / 2",
     "Reparameterize  dz -> dmu", ["sign flipped"]),
    ("ex5_kl.py", "kl_std_normal_grad", "return mu.copy(), np.exp(logvar) - 1",
     "KL  dlogvar", ["missing the 1/2", "(sigma^2 - 1) / 2"]),
    ("ex5_kl.py", "kl_std_normal_grad", "return mu.copy(), np.exp(logvar) / 2",
     "KL  dlogvar", ["missing the - 1"]),
    ("ex5_kl.py", "kl_std_normal_grad", "return mu.copy(), (np.exp(logvar / 2) - 1) / 2",
     "KL  dlogvar", ["sigma where sigma^2 belongs"]),
    ("ex5_kl.py", "kl_std_normal_grad", "return 2 * mu, (np.exp(logvar) - 1) / 2",
     "KL  dmu", ["an extra factor 2"]),
    ("ex5_kl.py", "kl_std_normal_grad", "return mu.copy(), logvar.copy()",
     "KL  dlogvar", ["no typical mistake matches", "largest difference is at index"]),
    ("ex6_adam.py", "Adam.step",
     ADAM_STEP.format(update="w -= self.lr * self.m[name] / (np.sqrt(self.v[name]) + self.eps)"),
     "Adam  3 steps", ["no bias correction"]),
    ("ex6_adam.py", "Adam.step",
     ADAM_STEP.format(update="w -= self.lr * m_hat / np.sqrt(v_hat + self.eps)"),
     "Adam  3 steps", ["eps inside the square root"]),
    ("ex6_adam.py", "Adam.step",
     ADAM_STEP.format(update=ADAM_RIGHT).replace("self.t += 1", "self.t = 1"),
     "Adam  3 steps", ["t is 1 at every step"]),
    ("ex6_adam.py", "Adam.step",
     ADAM_STEP.format(update="self.params[name] = w - " + ADAM_RIGHT.removeprefix("w -= ")),
     "Adam  updates w in place", ["bound a new array to params['w']"]),
]


@pytest.mark.parametrize(
    "file, label, code, name, words", MISTAKES,
    ids=[f"{m[0].split('_')[0]}-{i}" for i, m in enumerate(MISTAKES)],
)
def test_a_typical_mistake_is_wrong_with_its_hint(capsys, folder, file, label, code, name, words):
    solve(folder, file, label, code)
    only = file.split("_", 1)[1].removesuffix(".py")
    code, out, err = run(capsys, "exercises", "check", folder, "--only", only)
    assert code == 1, out
    line = row(out, name)
    assert line.rstrip().endswith("wrong"), line
    hint = flat(out.split(line, 1)[1])  # the hint, unwrapped
    for word in words:
        assert word in hint, f"{word!r} not in the hint of {name}:\n{out}"
    assert "0 of 1 exercise solved, 1 wrong, 0 not yet solved" in out
    assert "Traceback" not in out + err


def test_sigma_exp_logvar_in_forward_is_caught_by_the_value_not_the_gradients(capsys, folder):
    """numpy-ml's bug: forward and backward agree with each other, not with Eq. (2)."""
    path = folder / "ex4_reparameterize.py"
    path.write_text(path.read_text().replace("np.exp(0.5 * logvar)", "np.exp(logvar)"))
    solve(folder, "ex4_reparameterize.py", "Reparameterize.backward",
          "return dz.copy(), dz * self.eps * self.sigma")
    code, out, _ = run(capsys, "exercises", "check", folder, "--only", "reparam")
    assert code == 1
    assert row(out, "Reparameterize  dz -> dlogvar").rstrip().endswith("ok")
    assert row(out, "Reparameterize  forward z, Eq. (2)").rstrip().endswith("wrong")
    assert "sigma = exp(logvar) instead of exp(logvar / 2)" in flat(out) and "numpy-ml" in out


def test_a_right_gradient_of_a_wrong_value_points_at_the_value(capsys, folder):
    path = folder / "ex5_kl.py"
    path.write_text(path.read_text().replace("kl = 0.5 * np.sum(", "kl = np.sum("))
    solve(folder, "ex5_kl.py", "kl_std_normal_grad", "return mu.copy(), (np.exp(logvar) - 1) / 2")
    code, out, _ = run(capsys, "exercises", "check", folder, "--only", "kl")
    assert code == 1
    assert "dmu is the lecture's, but the check differentiates your own forward" in flat(out)
    assert "see 'KL value, Eq. (5)' below" in flat(out)  # flat: one space
    assert row(out, "KL  value, Eq. (5)").rstrip().endswith("wrong")
    assert "twice the right one" in out


# ---- (d) right answers pass ---------------------------------------------------------------


def test_right_answers_pass_and_unsolved_ones_are_no_failure(capsys, folder):
    solve(folder, *RIGHT[0])
    code, out, _ = run(capsys, "exercises", "check", folder)
    assert code == 0, out
    assert f"1 of {N} exercises solved, 0 wrong, {N - 1} not yet solved" in out
    for name in ("Dense  dL/dx", "Dense  dL/dW", "Dense  dL/db"):
        assert row(out, name).rstrip().endswith("ok")
    assert "next: ex2_relu.py:" in out

    for answer in RIGHT[1:]:
        solve(folder, *answer)
    code, out, _ = run(capsys, "exercises", "check", folder)
    assert code == 0, out
    for ex in EXERCISES[:6]:
        assert f"{ex.file}  {ex.title}  [solved]" in out
    assert f"6 of {N} exercises solved, 0 wrong, {N - 6} not yet solved" in out
    assert N > 6 or "all 6 exercises solved" in out


def test_half_of_an_exercise_is_not_yet_solved(capsys, folder):
    solve(folder, *RIGHT[2])  # Sigmoid.backward, not bernoulli_nll_grad
    code, out, _ = run(capsys, "exercises", "check", folder, "--only", "sigmoid")
    assert code == 0
    assert row(out, "Sigmoid  dL/dx").rstrip().endswith("ok")
    assert "not yet solved" in row(out, "bernoulli_nll_grad")
    assert "0 of 1 exercise solved, 0 wrong, 1 not yet solved" in out


# ---- (e) an exception in the learner's code: error, with file:line ------------------------


def test_an_exception_is_an_error_with_file_and_line(capsys, folder):
    line = solve(folder, "ex4_reparameterize.py", "Reparameterize.backward",
                 "return dz.copy(), dz * self.eps * sigma / 2")
    code, out, err = run(capsys, "exercises", "check", folder)
    assert code == 1
    assert row(out, "Reparameterize.backward").rstrip().endswith("error")
    assert "NameError: name 'sigma' is not defined" in flat(out)
    assert f"at ex4_reparameterize.py:{line}: return dz.copy()" in out
    assert f"0 of {N} exercises solved, 0 wrong, {N - 1} not yet solved, 1 with an error" in out
    assert "Traceback" not in out + err


def test_a_shape_error_lists_the_shapes(capsys, folder):
    line = solve(folder, "ex1_dense.py", "Dense.backward",
                 'self.grads["W"] = self.x.T @ dout\nreturn dout @ self.params["W"]')
    code, out, _ = run(capsys, "exercises", "check", folder, "--only", "dense")
    assert code == 1
    assert f"ex1_dense.py:{line + 1}" in out and "ValueError: matmul" in out
    assert "x (3, 5), W (5, 4), b (4,), dout (3, 4)" in flat(out)


def test_a_syntax_error_and_a_wrong_return_are_errors(capsys, folder):
    line = solve(folder, "ex2_relu.py", "ReLU.backward", "return dout * (self.x > 0")
    solve(folder, "ex5_kl.py", "kl_std_normal_grad", "return (np.exp(logvar) - 1) / 2")
    code, out, _ = run(capsys, "exercises", "check", folder)
    assert code == 1
    assert "SyntaxError" in out and f"ex2_relu.py:{line}" in out
    assert ("must be (dmu, dlogvar), but it is an array of shape (4, 3)" in flat(out))
    definition = (folder / "ex5_kl.py").read_text().split("\n").index(
        "def kl_std_normal_grad(mu, logvar):") + 1
    assert f"kl_std_normal_grad is at ex5_kl.py:{definition}" in out
    assert "2 with errors" in out


# ---- (f) init never overwrites ------------------------------------------------------------


def test_init_never_overwrites_and_restores_missing_files(capsys, folder):
    mine = "# my work\n"
    (folder / "ex1_dense.py").write_text(mine)
    (folder / "ex2_relu.py").unlink()
    code, out, _ = run(capsys, "exercises", "init", folder)
    assert code == 0
    assert (folder / "ex1_dense.py").read_text() == mine
    assert "not overwritten" in out and "ex1_dense.py" in out.split("not overwritten")[1]
    assert "wrote 1 exercise into" in out and "ex2_relu.py" in out
    assert "raise NotImplementedError" in (folder / "ex2_relu.py").read_text()


def test_a_missing_file_is_not_yet_solved(capsys, folder):
    (folder / "ex6_adam.py").unlink()
    code, out, _ = run(capsys, "exercises", "check", folder, "--only", "adam")
    assert code == 0
    assert "ex6_adam.py is missing" in flat(out) and "numpyvae exercises init" in flat(out)


# ---- user errors and hygiene --------------------------------------------------------------


@pytest.mark.parametrize("argv, words", [
    (["check", "{tmp}/nowhere"], ["no such folder", "numpyvae exercises init"]),
    (["check", "{folder}", "--only", "softmax"], ["no exercise 'softmax'", "dense, relu"]),
    (["check", "{folder}", "--solutions"], ["--solutions", "leave out the folder"]),
    (["check", "{tmp}/empty"], ["holds no exercise files"]),
    (["init", "{tmp}/a-file"], ["is a file"]),
])
def test_user_errors_are_one_line_and_exit_2(capsys, folder, argv, words):
    tmp = folder.parent
    (tmp / "empty").mkdir()
    (tmp / "a-file").write_text("")
    code, _, err = run(capsys, "exercises", *[a.format(tmp=tmp, folder=folder) for a in argv])
    assert code == 2
    assert err.startswith("numpyvae: error: ") and err.count("\n") == 1, err
    for word in words:
        assert word in err


def test_init_names_the_default_folder_when_it_is_a_file(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / DEFAULT_DIR).write_text("")  # ./numpyvae-exercises, but a file
    code, _, err = run(capsys, "exercises", "init")
    assert code == 2
    assert f"{DEFAULT_DIR} is a file, not a folder" in err


def test_an_input_changed_by_forward_is_found(capsys, folder):
    path = folder / "ex2_relu.py"
    text = path.read_text().replace("return np.maximum(x, 0)", "x[x < 0] = 0\n        return x")
    path.write_text(text)
    solve(folder, "ex2_relu.py", "ReLU.backward", "return dout * (self.x > 0)")
    code, out, _ = run(capsys, "exercises", "check", folder, "--only", "relu")
    assert code == 1
    assert row(out, "ReLU  leaves x unchanged").rstrip().endswith("wrong")
    assert "changed its input x in place" in flat(out)


def test_loading_leaves_no_trace(capsys, folder):
    for answer in RIGHT:
        solve(folder, *answer)
    path_before, modules_before = list(sys.path), set(sys.modules)
    assert run(capsys, "exercises", "check", folder)[0] == 0
    assert sys.path == path_before
    assert not {m for m in set(sys.modules) - modules_before if "exercise_ex" in m}
    assert not (folder / "__pycache__").exists()


def test_find_exercise_by_number_key_file_or_prefix():
    assert find_exercise("4").key == "reparameterize"
    assert find_exercise("reparam").key == "reparameterize"
    assert find_exercise("sigmoid").number == 3
    assert find_exercise("ex6_adam.py").key == "adam"


def test_adam_reference_is_eq_10_by_hand():
    """The diagnosis compares with checks.adam_reference, the same reference as the check."""
    w = checks.adam_reference(1.0, [0.5, -0.2], lr=0.1)
    assert np.isclose(w[0], 1.0 - 0.1 * 1.0)  # first step: m^ / sqrt(v^) = sign(g)
