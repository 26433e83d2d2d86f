"""``numpyvae exercises``: the library's own code passes every exercise, and a learner's
version is reported as ok, not yet solved, wrong (with the hint of its typical mistake)
or error (with file:line), with the exit status that goes with it.

A learner's version is made as a learner makes it: ``init`` copies the skeletons into
``tmp_path``, and :func:`solve` replaces one ``raise NotImplementedError`` with code.
"""

import ast
import json
from importlib import resources
from pathlib import Path

import pytest
from helpers import run_cli as run

from numpyvae.exercises.messages import say
from numpyvae.exercises.runner import COUNT, DEFAULT_DIR, EXERCISES, find_exercise
from numpyvae.exercises.sandbox import run_exercise

N = COUNT


@pytest.fixture(autouse=True)
def english(monkeypatch):
    """The tests read the English messages, whatever the machine's locale."""
    monkeypatch.setenv("NUMPYVAE_LANG", "en")


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
    """The report line of the row ``name`` (e.g. 'Dense  dL/dW')."""
    found = [line for line in out.splitlines() if line.strip().startswith(name)]
    assert found, f"no row {name!r} in:\n{out}"
    return found[0]


def hint_of(out, name):
    """The row ``name`` and its hint (the indented lines under it), unwrapped."""
    line = row(out, name)
    lines = out.splitlines()
    hint = []
    for more in lines[lines.index(line) + 1:]:
        if not more.startswith("      "):
            break
        hint.append(more)
    return line, flat(" ".join(hint))


def check(capsys, folder, only, *options):
    """``numpyvae exercises check folder --only only options...``: (status, report)."""
    code, out, err = run(capsys, "exercises", "check", folder, "--only", only, *options)
    assert "Traceback" not in out + err
    return code, out


def edit(folder, file, old, new):
    path = folder / file
    text = path.read_text()
    assert old in text, (old, file)
    path.write_text(text.replace(old, new))


DENSE = """
self.grads["W"] = {dW}
self.grads["b"] = {db}
return {dx}
"""
RIGHT_DENSE = {"dW": "self.x.T @ dout", "db": "dout.sum(axis=0)", "dx": 'dout @ self.params["W"].T'}
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
BACKWARD = """
c = self.cache
n, beta = c["n"], c["beta"]
dz = self.decoder.backward(self.out.backward(c["dlogits"] / n))
dmu, dlogvar = self.reparam.backward(dz)
dmu = dmu + beta / n * c["dkl"]["mu"]
dlogvar = dlogvar + beta / n * c["dkl"]["logvar"]
dh = self.heads["mu"].backward(dmu) + self.heads["logvar"].backward(dlogvar)
self.encoder.backward(dh, need_dx=False)
return self.grads
"""

#: (file, what to write, the code): a right answer for every part of the seven exercises.
RIGHT = [
    ("ex1_dense.py", "Dense.backward", DENSE.format(**RIGHT_DENSE)),
    ("ex2_relu.py", "ReLU.backward", "return dout * (self.x > 0)"),
    ("ex3_sigmoid_cross_entropy.py", "Sigmoid.backward", "return dout * self.p * (1 - self.p)"),
    ("ex3_sigmoid_cross_entropy.py", "bernoulli_nll_grad", 'return {"logits": sigmoid(logits) - x}'),
    ("ex4_reparameterize.py", "Reparameterize.backward",
     "return dz.copy(), dz * self.eps * self.sigma / 2"),
    ("ex5_kl.py", "kl_std_normal_grad", 'return {"mu": mu.copy(), "logvar": (np.exp(logvar) - 1) / 2}'),
    ("ex6_adam.py", "Adam.step", ADAM_STEP.format(update=ADAM_RIGHT)),
    ("ex7_vae_backward.py", "VAE.backward", BACKWARD),
]


# ---- (a) the library's own implementation passes every exercise ---------------------------


def test_library_passes_every_exercise_through_the_command(capsys):
    code, out, _ = run(capsys, "exercises", "check", "--solutions")
    assert code == 0, out
    assert f"{N} of {N} exercises solved, 0 wrong, 0 not yet solved" in out
    verdicts = [line.split()[-1] for line in out.splitlines() if line.startswith("  ")
                and not line.startswith("  the library's") and "rel error" not in line]
    assert verdicts and set(verdicts) == {"ok"}, out
    for ex in EXERCISES:
        assert f"{ex.file}  {say(ex.title_key)}  [solved]" in out
        for part in ex.parts:
            assert f"the library's: {part.where}" in out


def test_the_counts_come_from_the_catalogue():
    assert [ex.number for ex in EXERCISES] == list(range(1, N + 1))
    assert N == 7
    assert find_exercise("7").key == "vae_backward"
    with pytest.raises(Exception, match=f"their numbers 1-{N}"):
        find_exercise("nothing")


def test_templates_in_both_languages_have_the_same_code_and_import_what_they_use():
    templates = resources.files("numpyvae.exercises") / "templates"
    for ex in EXERCISES:
        trees = {}
        for lang in ("en", "ko"):
            text = (templates / lang / ex.file).read_text(encoding="utf-8")
            assert "raise NotImplementedError" in text and "Eq. (" in text
            assert f"numpyvae exercises check --only {ex.key}" in text or ex.number == 3
            for part in ex.parts:
                assert part.where.split(",")[0] in text, (lang, ex.file, part.where)
            assert "of 6" not in text and "of 7" not in text  # counts: the catalogue's
            tree = ast.parse(text)
            assert "np" in {a.asname for n in ast.walk(tree) if isinstance(n, ast.Import)
                            for a in n.names}, (lang, ex.file)
            for node in ast.walk(tree):  # what the code says, without docstrings
                if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)) and \
                        ast.get_docstring(node) is not None:
                    node.body = node.body[1:]
            trees[lang] = ast.dump(tree)
        assert trees["en"] == trees["ko"], ex.file


def test_the_skeletons_are_package_data_that_nothing_imports():
    """init copies them: no __init__.py makes them modules of numpyvae, setup.cfg ships both
    languages, and the library's code names no skeleton's module."""
    package = Path(__file__).resolve().parents[1] / "numpyvae" / "exercises"
    assert not list((package / "templates").rglob("__init__.py"))
    setup = (package.parents[1] / "setup.cfg").read_text()
    assert "numpyvae.exercises = templates/en/*.py, templates/ko/*.py" in setup
    for path in package.glob("*.py"):
        assert "exercises.templates" not in path.read_text(encoding="utf-8"), path


def test_exercise_7_gives_the_structure_not_the_lines():
    templates = resources.files("numpyvae.exercises") / "templates"
    for lang in ("en", "ko"):
        text = (templates / lang / "ex7_vae_backward.py").read_text(encoding="utf-8")
        for answer_line in ("reparam.backward(dz)\n", "dmu +=", "beta / N * dmu_kl",
                            "dlogits_sum / N", ".backward(dmu) +", "encoder.backward(dh"):
            assert answer_line not in text, (lang, answer_line)
        for equation in ("Eq. (6)", "Eq. (7)", "Eq. (8)", "Eq. (9)"):
            assert equation in text
        assert "need_dx=False" in text and "self.grads" in text and '"beta"' in text


# ---- (b) fresh skeletons are not yet solved, and that is not a failure --------------------


def test_fresh_skeletons_are_not_yet_solved_with_exit_0(capsys, folder):
    code, out, _ = run(capsys, "exercises", "check", folder)
    assert code == 0, out
    assert f"0 of {N} exercises solved, 0 wrong, {N} not yet solved" in out
    for ex in EXERCISES:
        for part in ex.parts:
            assert "not yet solved (" in row(out, part.label)
    assert "next: ex1_dense.py:" in out and "--only dense" in out
    assert not (folder / "__pycache__").exists()  # nothing written into the learner's folder


def test_the_default_folder_is_found(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "exercises", "init")
    assert code == 0 and (tmp_path / DEFAULT_DIR / "ex7_vae_backward.py").exists()
    assert "numpyvae exercises check\n" in out + "\n"
    code, out, _ = run(capsys, "exercises", "check", "--only", "kl")
    assert code == 0 and "0 of 1 exercise solved, 0 wrong, 1 not yet solved" in out
    monkeypatch.chdir(tmp_path / DEFAULT_DIR)  # inside the folder works too
    code, out, _ = run(capsys, "exercises", "check", "--only", "5")
    assert code == 0 and "ex5_kl.py" in out


# ---- (c) typical mistakes: wrong, with the hint that names them, exit 1 -------------------

MISTAKES = [
    # (file, label, code, row, words of the hint)
    ("ex1_dense.py", "Dense.backward", DENSE.format(**{**RIGHT_DENSE, "dW": "dout.T @ self.x"}),
     "Dense  dL/dW", ["dW has shape (4, 5), but W has shape (5, 4)", "transposed", "x^T dout"]),
    ("ex1_dense.py", "Dense.backward", DENSE.format(**{**RIGHT_DENSE, "db": "dout"}),
     "Dense  dL/db", ["db has shape (3, 4)", "not summed over the batch"]),
    ("ex1_dense.py", "Dense.backward",
     DENSE.format(**{**RIGHT_DENSE, "dW": "self.x.T @ dout / len(dout)"}),
     "Dense  dL/dW", ["divided by the batch size N = 3"]),
    ("ex1_dense.py", "Dense.backward",
     'dW = self.x.T @ dout\ndb = dout.sum(axis=0)\nreturn dout @ self.params["W"].T',
     "Dense  dL/dW", ["never wrote dW"]),
    ("ex2_relu.py", "ReLU.backward", "return dout * (self.x < 0)",
     "ReLU  dL/dx", ["mask is on the wrong side"]),
    ("ex2_relu.py", "ReLU.backward", "return dout.copy()", "ReLU  dL/dx", ["let through everywhere"]),
    ("ex2_relu.py", "ReLU.backward", "dout[self.x <= 0] = 0\nreturn dout",
     "ReLU  leaves dout unchanged", ["changed dout in place"]),
    ("ex3_sigmoid_cross_entropy.py", "Sigmoid.backward", "return dout * self.p",
     "Sigmoid  dL/dx", ["missing (1 - p)"]),
    ("ex3_sigmoid_cross_entropy.py", "bernoulli_nll_grad", 'return {"logits": x - sigmoid(logits)}',
     "bernoulli_nll  dlogits", ["sign flipped", "p - x"]),
    ("ex3_sigmoid_cross_entropy.py", "bernoulli_nll_grad",
     'p = sigmoid(logits)\nreturn {"logits": p * (1 - p) * (p - x)}',
     "bernoulli_nll  dlogits", ["sigmoid's derivative p (1 - p) once more", "cancels"]),
    ("ex4_reparameterize.py", "Reparameterize.backward", "return dz.copy(), dz * self.eps * self.sigma",
     "Reparameterize  dz -> dlogvar", ["missing the 1/2", "sigma / 2"]),
    ("ex4_reparameterize.py", "Reparameterize.backward",
     "return dz.copy(), dz * self.eps * self.sigma**2 / 2",
     "Reparameterize  dz -> dlogvar", ["sigma^2 where sigma belongs"]),
    ("ex4_reparameterize.py", "Reparameterize.backward", "return -dz, -dz * self.eps * self.sigma / 2",
     "Reparameterize  dz -> dmu", ["sign flipped"]),
    ("ex5_kl.py", "kl_std_normal_grad", 'return {"mu": mu.copy(), "logvar": np.exp(logvar) - 1}',
     "KL  dlogvar", ["missing the 1/2", "(sigma^2 - 1) / 2"]),
    ("ex5_kl.py", "kl_std_normal_grad", 'return {"mu": mu.copy(), "logvar": np.exp(logvar) / 2}',
     "KL  dlogvar", ["missing the - 1"]),
    ("ex5_kl.py", "kl_std_normal_grad", 'return {"mu": 2 * mu, "logvar": (np.exp(logvar) - 1) / 2}',
     "KL  dmu", ["an extra factor 2"]),
    ("ex5_kl.py", "kl_std_normal_grad", 'return {"mu": mu.copy(), "logvar": logvar.copy()}',
     "KL  dlogvar", ["no typical mistake matches", "largest difference is at index"]),
    ("ex6_adam.py", "Adam.step",
     ADAM_STEP.format(update="w -= self.lr * self.m[name] / (np.sqrt(self.v[name]) + self.eps)"),
     "Adam  3 steps, w", ["no bias correction"]),
    ("ex6_adam.py", "Adam.step",
     ADAM_STEP.format(update="w -= self.lr * m_hat / np.sqrt(v_hat + self.eps)"),
     "Adam  3 steps, w", ["eps inside the square root"]),
    ("ex6_adam.py", "Adam.step", ADAM_STEP.format(update=ADAM_RIGHT).replace("self.t += 1", "self.t = 1"),
     "Adam  3 steps, w", ["t is 1 at every step"]),
    ("ex6_adam.py", "Adam.step",
     ADAM_STEP.format(update="self.params[name] = w - " + ADAM_RIGHT.removeprefix("w -= ")),
     "Adam  updates w in place", ["bound a new array to params['w']"]),
]


@pytest.mark.parametrize("file, label, code, name, words", MISTAKES,
                         ids=[f"{m[0].split('_')[0]}-{i}" for i, m in enumerate(MISTAKES)])
def test_a_typical_mistake_is_wrong_with_its_hint(capsys, folder, file, label, code, name, words):
    solve(folder, file, label, code)
    status, out = check(capsys, folder, file.split("_", 1)[1].removesuffix(".py"))
    assert status == 1, out
    line, hint = hint_of(out, name)
    assert line.rstrip().endswith("wrong"), line
    for word in words:
        assert word in hint, f"{word!r} not in the hint of {name}:\n{out}"
    assert "0 of 1 exercise solved, 1 wrong, 0 not yet solved" in out


def test_sigma_exp_logvar_in_forward_is_caught_by_the_value_not_the_gradients(capsys, folder):
    """numpy-ml's bug: forward and backward agree with each other, not with Eq. (2)."""
    edit(folder, "ex4_reparameterize.py", "np.exp(0.5 * logvar)", "np.exp(logvar)")
    solve(folder, "ex4_reparameterize.py", "Reparameterize.backward",
          "return dz.copy(), dz * self.eps * self.sigma")
    status, out = check(capsys, folder, "reparam")
    assert status == 1
    assert row(out, "Reparameterize  forward z, Eq. (2)").rstrip().endswith("wrong")
    assert "sigma = exp(logvar) instead of exp(logvar / 2)" in flat(out) and "numpy-ml" in out
    _, hint = hint_of(out, "Reparameterize  dz -> dlogvar")  # it matches its own forward:
    assert "the (given) forward was changed" in hint  # the value names the bug


def test_a_right_gradient_of_a_wrong_value_points_at_the_value(capsys, folder):
    edit(folder, "ex5_kl.py", "kl = 0.5 * np.sum(", "kl = np.sum(")
    solve(folder, "ex5_kl.py", "kl_std_normal_grad", 'return {"mu": mu.copy(), "logvar": (np.exp(logvar) - 1) / 2}')
    status, out = check(capsys, folder, "kl")
    assert status == 1
    assert row(out, "KL  dmu").rstrip().endswith("ok")  # against the lecture's Eq. (5)
    line, hint = hint_of(out, "KL  value, Eq. (5)")
    assert line.rstrip().endswith("wrong") and "2 times the right one" in hint


# ---- (d) right answers pass ---------------------------------------------------------------


def test_right_answers_pass_and_unsolved_ones_are_no_failure(capsys, folder):
    solve(folder, *RIGHT[0])
    code, out, _ = run(capsys, "exercises", "check", folder)
    assert code == 0, out
    assert f"1 of {N} exercises solved, 0 wrong, {N - 1} not yet solved" in out
    for name in ("Dense  dL/dx", "Dense  dL/dW", "Dense  dL/db", "Dense  a 2nd call",
                 "Dense  float32 in"):
        assert row(out, name).rstrip().endswith("ok")
    assert "next: ex2_relu.py:" in out
    for answer in RIGHT[1:]:
        solve(folder, *answer)
    code, out, _ = run(capsys, "exercises", "check", folder)
    assert code == 0, out
    for ex in EXERCISES:
        assert f"{ex.file}  {say(ex.title_key)}  [solved]" in out
    assert f"{N} of {N} exercises solved" in out and f"all {N} exercises solved" in out
    assert "numpyvae exercises train" in out


def test_half_of_an_exercise_is_not_yet_solved(capsys, folder):
    solve(folder, *RIGHT[2])  # Sigmoid.backward, not bernoulli_nll_grad
    status, out = check(capsys, folder, "sigmoid")
    assert status == 0
    assert row(out, "Sigmoid  dL/dx").rstrip().endswith("ok")
    assert "not yet solved" in row(out, "bernoulli_nll_grad")
    assert "0 of 1 exercise solved, 0 wrong, 1 not yet solved" in out


# ---- (e) an exception in the learner's code: error, with file:line ------------------------


def test_an_exception_is_an_error_with_file_and_line(capsys, folder):
    line = solve(folder, "ex4_reparameterize.py", "Reparameterize.backward",
                 "return dz.copy(), dz * self.eps * sigma / 2")
    code, out, err = run(capsys, "exercises", "check", folder)
    assert code == 1
    text, hint = hint_of(out, "Reparameterize.backward")
    assert text.rstrip().endswith("error")
    assert "NameError: name 'sigma' is not defined" in hint
    assert f"at ex4_reparameterize.py:{line}: return dz.copy()" in out
    assert f"0 of {N} exercises solved, 0 wrong, {N - 1} not yet solved, 1 with an error" in out
    assert "Traceback" not in out + err


def test_a_syntax_error_and_a_wrong_return_are_errors(capsys, folder):
    edit(folder, "ex2_relu.py", "import numpy as np\n", "import numpy as np\nx = (\n")
    solve(folder, "ex5_kl.py", "kl_std_normal_grad", "return mu.copy(), (np.exp(logvar) - 1) / 2")
    code, out, _ = run(capsys, "exercises", "check", folder, "--only", "relu", "--only", "kl")
    assert code == 1
    assert row(out, "ex2_relu.py    ").rstrip().endswith("error") and "SyntaxError" in out
    line, hint = hint_of(out, "kl_std_normal_grad")
    assert line.rstrip().endswith("error")
    assert 'must return {"mu": dmu, "logvar": dlogvar}, but it returned tuple, len 2' in hint


def test_init_never_overwrites_and_restores_missing_files(capsys, folder):
    solve(folder, *RIGHT[0])
    mine = (folder / "ex1_dense.py").read_text()
    (folder / "ex2_relu.py").unlink()
    code, out, _ = run(capsys, "exercises", "init", folder)
    assert code == 0 and "wrote 1 exercise into" in out and "ex2_relu.py" in out
    assert (folder / "ex1_dense.py").read_text() == mine


def test_a_missing_file_is_not_yet_solved(capsys, folder):
    (folder / "ex5_kl.py").unlink()
    status, out = check(capsys, folder, "kl")
    assert status == 0
    assert "ex5_kl.py is missing" in flat(out) and "numpyvae exercises init" in out


@pytest.mark.parametrize("argv, words", [
    (["--only", "nothing"], "no exercise 'nothing'"),
    (["--solutions"], "--solutions checks the library's own code"),
], ids=["only", "solutions-folder"])
def test_user_errors_are_one_line_and_exit_2(capsys, folder, argv, words):
    code, _out, err = run(capsys, "exercises", "check", folder, *argv)
    assert code == 2 and words in err and len(err.strip().splitlines()) == 1


def test_init_names_the_default_folder_when_it_is_a_file(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / DEFAULT_DIR).write_text("")
    code, _, err = run(capsys, "exercises", "init")
    assert code == 2 and f"{DEFAULT_DIR} is a file" in err


def test_an_input_changed_by_forward_is_found(capsys, folder):
    edit(folder, "ex2_relu.py", "        self.x = x\n        return np.maximum(x, 0)",
         "        self.x = x\n        x[...] = np.maximum(x, 0)\n        return x")
    solve(folder, *RIGHT[1])
    status, out = check(capsys, folder, "relu")
    assert status == 1
    _, hint = hint_of(out, "ReLU  leaves x unchanged")
    assert "changed its input x in place" in hint


def test_find_exercise_by_number_key_file_or_prefix():
    assert find_exercise("4").key == "reparameterize"
    assert find_exercise("reparam").key == "reparameterize"
    assert find_exercise("ex6_adam.py").key == "adam"
    assert find_exercise("Sigmoid-Cross-Entropy").number == 3


def test_json_records_one_per_exercise(capsys, folder):
    solve(folder, *RIGHT[0])
    solve(folder, "ex2_relu.py", "ReLU.backward", "return dout * (self.x < 0)")
    code, out, _ = run(capsys, "exercises", "check", folder, "--json")
    assert code == 1
    data = json.loads(out)
    assert data["total"] == N and data["solved"] == 1 and data["language"] == "en"
    records = {r["key"]: r for r in data["exercises"]}
    assert records["dense"]["verdict"] == "solved" and records["dense"]["hint"] == ""
    assert records["relu"]["verdict"] == "wrong" and records["relu"]["test"] == "test_ex2_relu"
    assert "mask is on the wrong side" in records["relu"]["hint"]
    assert records["kl"]["verdict"] == "not yet solved" and "ex5_kl.py:" in records["kl"]["hint"]


def test_run_exercise_reports_every_part_of_the_library():
    result = run_exercise(EXERCISES[2], None)
    assert result.status == "solved"
    names = [r.name for r in result.rows]
    assert "Sigmoid  dL/dx" in names and "bernoulli_nll  dlogits" in names
