"""The checker of ``numpyvae exercises`` beyond the first call: the hints of the less
common mistakes, which transpose Dense is missing, arrays changed in place, float32,
ReLU at 0; the contracts of repeated calls (no gradient added or kept across calls, the
layer's own grads, Adam's state per name and per optimizer); the child process (an
endless loop, sys.exit, os._exit, a fork, a signal handler, numpyvae patched, memory);
a learner's prints; the pytest form; ``--reference``.

As in test_exercises.py, a learner's version is written into a folder ``init`` made.
"""

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from helpers import hang_guard
from test_exercises import (
    ADAM_RIGHT,
    ADAM_STEP,
    DENSE,
    RIGHT,
    RIGHT_DENSE,
    check,
    edit,
    flat,
    hint_of,
    row,
    run,
    solve,
)

from numpyvae.exercises import runner, sandbox
from numpyvae.exercises.runner import COUNT, EXERCISES
from numpyvae.exercises.sandbox import run_exercise


@pytest.fixture(autouse=True)
def english(monkeypatch):
    monkeypatch.setenv("NUMPYVAE_LANG", "en")


ADAM_OK = ADAM_STEP.format(update=ADAM_RIGHT)
ROW_W, ROW_B, ROW_C = "Adam  3 steps, w (3, 4)", "Adam  3 steps, b (4,)", "Adam  3 steps, c (4,)"


# ---- 1. hints of the less common mistakes --------------------------------------------------

ADAM_AFTER = """
self.t += 1
b1, b2 = self.betas
for name, w in self.params.items():
    g = grads[name]
    m_hat = self.m[name] / (1 - b1**self.t)
    v_hat = self.v[name] / (1 - b2**self.t)
    w -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
    self.m[name] = b1 * self.m[name] + (1 - b1) * g
    self.v[name] = b2 * self.v[name] + (1 - b2) * g * g
"""
HINTS = [
    # (file, label, code, row, words of the hint)
    ("ex4_reparameterize.py", "Reparameterize.backward",
     "return dz * self.eps * self.sigma / 2, dz.copy()",
     "Reparameterize  dz -> dmu", ["dmu and dlogvar in swapped order", "(dmu, dlogvar)"]),
    ("ex5_kl.py", "kl_std_normal_grad", 'return {"mu": (np.exp(logvar) - 1) / 2, "logvar": mu.copy()}',
     "KL  dmu", ["dmu and dlogvar in swapped order"]),
    ("ex6_adam.py", "Adam.step", ADAM_AFTER, ROW_W, ["before this step's update"]),
    ("ex6_adam.py", "Adam.step", ADAM_OK.replace("**self.t", "**(self.t + 1)"), ROW_B,
     ["t is off by one", "2 at the first step"]),
    ("ex6_adam.py", "Adam.step", ADAM_OK.replace("b1, b2 = self.betas", "b2, b1 = self.betas"),
     ROW_W, ["b1 and b2 the wrong way round"]),
    ("ex6_adam.py", "Adam.step", ADAM_OK.replace("self.t += 1\n", "").replace(
        "    g = grads[name]", "    self.t += 1\n    g = grads[name]"), ROW_B,
     ["t is counted once per parameter"]),
    ("ex2_relu.py", "ReLU.backward", "return dout * self.x", "ReLU  dL/dx", ["dout times x"]),
    ("ex3_sigmoid_cross_entropy.py", "Sigmoid.backward",
     "s = sigmoid(self.p)\nreturn dout * s * (1 - s)", "Sigmoid  dL/dx", ["sigmoid applied twice"]),
    ("ex3_sigmoid_cross_entropy.py", "bernoulli_nll_grad", 'return {"logits": sigmoid(logits)}',
     "bernoulli_nll  dlogits", ["missing the - x"]),
    ("ex3_sigmoid_cross_entropy.py", "bernoulli_nll_grad", 'return {"logits": sigmoid(logits) - 1}',
     "bernoulli_nll  dlogits", ["1 where the target x belongs"]),
    ("ex5_kl.py", "kl_std_normal_grad", 'return {"mu": mu.copy(), "logvar": np.exp(2 * logvar) - 1}',
     "KL  dlogvar", ["logvar treated as log sigma", "sigma^2 = exp(logvar)"]),
    ("ex5_kl.py", "kl_std_normal_grad",
     'sigma = np.exp(logvar / 2)\nreturn {"mu": mu.copy(), "logvar": sigma - 1 / sigma}',
     "KL  dlogvar", ["that is dKL/dsigma", "sigma / 2"]),
    ("ex1_dense.py", "Dense.backward",
     DENSE.format(**{**RIGHT_DENSE, "dW": "self.x.T @ dout / len(dout) ** 2"}),
     "Dense  dL/dW", ["divided by N twice", "N = 3"]),
    ("ex5_kl.py", "kl_std_normal_grad", 'return {"mu": mu / mu.shape[1], "logvar": (np.exp(logvar) - 1) / 2}',
     "KL  dmu", ["a mean over the latent dimensions", "divided by 3"]),
]


@pytest.mark.parametrize("file, label, code, name, words", HINTS,
                         ids=[f"{h[0].split('_')[0]}-{i}" for i, h in enumerate(HINTS)])
def test_a_less_common_mistake_has_its_hint(capsys, folder, file, label, code, name, words):
    solve(folder, file, label, code)
    status, out = check(capsys, folder, file.split("_", 1)[1].removesuffix(".py"))
    assert status == 1
    line, hint = hint_of(out, name)
    assert line.rstrip().endswith("wrong"), line
    for word in words:
        assert word in hint, f"{word!r} not in the hint of {name}:\n{out}"


@pytest.mark.parametrize("code, words", [
    (DENSE.format(**{**RIGHT_DENSE, "dx": 'dout @ self.params["W"]'}),
     ["needs W transposed", "dx = dout @ W.T", "(3, 4) @ (4, 5) -> (3, 5)"]),
    (DENSE.format(**{**RIGHT_DENSE, "dW": "self.x @ dout"}),
     ["needs x transposed", "dW = x.T @ dout", "(5, 3) @ (3, 4) -> (5, 4)"]),
], ids=["dx-no-WT", "dW-no-xT"])
def test_a_matmul_error_in_dense_names_the_missing_transpose(capsys, folder, code, words):
    solve(folder, "ex1_dense.py", "Dense.backward", code)
    status, out = check(capsys, folder, "dense")
    assert status == 1
    line, hint = hint_of(out, "Dense.backward")
    assert line.rstrip().endswith("error") and "ValueError: matmul" in hint
    assert "x (3, 5), W (5, 4), b (4,), dout (3, 4)" in hint
    for word in words:
        assert word in hint, f"{word!r} not in:\n{out}"


# ---- 2. arrays changed in place, float32, ReLU at 0 ------------------------------------------


def test_dout_changed_in_place_fails_every_gradient_row_and_says_so(capsys, folder):
    solve(folder, "ex2_relu.py", "ReLU.backward", "dout[self.x <= 0] = 0\nreturn dout")
    status, out = check(capsys, folder, "relu")
    assert status == 1
    line, hint = hint_of(out, "ReLU  dL/dx")
    assert line.rstrip().endswith("wrong") and "right against an unmodified copy of dout" in hint
    _, hint = hint_of(out, "ReLU  leaves dout unchanged")
    assert "The upstream gradient dout was modified" in hint
    assert not any(line.rstrip().endswith(" ok") for line in out.splitlines())


def test_dz_changed_in_place_in_reparameterize(capsys, folder):
    solve(folder, "ex4_reparameterize.py", "Reparameterize.backward",
          "dmu = dz.copy()\ndz *= self.eps * self.sigma / 2\nreturn dmu, dz")
    status, out = check(capsys, folder, "reparam")
    assert status == 1
    for name in ("Reparameterize  dz -> dmu", "Reparameterize  dz -> dlogvar"):
        line, hint = hint_of(out, name)
        assert line.rstrip().endswith("wrong") and "unmodified copy of dz" in hint


@pytest.mark.parametrize("file, label, code, name", [
    ("ex2_relu.py", "ReLU.backward", "return dout * np.where(self.x > 0, 1.0, 0.0)",
     "ReLU  float32 in, float32 out"),
    ("ex5_kl.py", "kl_std_normal_grad",
     'return {"mu": mu.copy(), "logvar": (np.exp(logvar) - np.ones(logvar.shape)) / 2}', "KL  float32 in"),
    ("ex1_dense.py", "Dense.backward",
     DENSE.format(**{**RIGHT_DENSE, "dx": 'dout @ self.params["W"].T.astype(float)'}),
     "Dense  float32 in"),
], ids=["relu-where", "kl-ones", "dense-astype"])
def test_a_float64_gradient_of_float32_inputs_is_wrong(capsys, folder, file, label, code, name):
    solve(folder, file, label, code)
    status, out = check(capsys, folder, file.split("_", 1)[1].removesuffix(".py"))
    assert status == 1
    line, hint = hint_of(out, name)
    assert line.rstrip().endswith("wrong") and "float64" in line
    assert "it must stay float32" in hint


def test_relu_with_x_ge_0_is_wrong_at_zero_and_a_mask_from_y_is_right(capsys, folder):
    solve(folder, "ex2_relu.py", "ReLU.backward", "return dout * (self.x >= 0)")
    status, out = check(capsys, folder, "relu")
    assert status == 1
    assert row(out, "ReLU  dL/dx ").rstrip().endswith("ok")  # away from 0 it is right
    line, hint = hint_of(out, "ReLU  dL/dx at x = 0 is 0")
    assert line.rstrip().endswith("wrong") and "x >= 0" in hint and "mask x > 0" in hint
    edit(folder, "ex2_relu.py", "return dout * (self.x >= 0)",
         "return dout * (np.maximum(self.x, 0) > 0)")  # the mask of the output y
    status, out = check(capsys, folder, "relu")
    assert status == 0, out
    template = (folder / "ex2_relu.py").read_text()
    assert "or the output's ``y > 0``" in template  # what the hint says, the check accepts


# ---- 3. contracts of repeated calls ----------------------------------------------------------

CONTRACTS = [
    # (file, label, code, row, words): right on one call, wrong as a layer or optimizer is used
    ("ex1_dense.py", "Dense.backward",
     ('self.grads["W"] += self.x.T @ dout\nself.grads["b"] += dout.sum(axis=0)\n'
     'return dout @ self.params["W"].T'),
     "Dense  the same call twice", ["gives twice the dW the second time", "+="]),
    ("ex1_dense.py", "Dense.backward",
     'self.grads = {"W": self.x.T @ dout, "b": dout.sum(axis=0)}\nreturn dout @ self.params["W"].T',
     "Dense  writes into its own grads", ["self.grads = {...}", "Adam would get the old ones"]),
    ("ex2_relu.py", "ReLU.backward",
     ("if not hasattr(self, 'mask'):\n    self.mask = (self.x > 0).astype(dout.dtype)\n"
     "    return dout * self.mask\nreturn dout[:, :1] * 0 + dout * 0 + dout"),
     "ReLU  a 2nd call", ["right on the first call, wrong on a 2nd call"]),
    ("ex4_reparameterize.py", "Reparameterize.backward",
     "eps = np.random.standard_normal(dz.shape)\nreturn dz.copy(), dz * eps * self.sigma / 2",
     "Reparameterize  dz -> dlogvar", ["no typical mistake"]),
    ("ex4_reparameterize.py", "Reparameterize.backward",
     "eps = np.random.standard_normal(dz.shape)\nreturn dz.copy(), dz * eps * self.sigma / 2",
     "Reparameterize  the same call twice", ["draws random numbers", "self.eps"]),
    ("ex6_adam.py", "Adam.step",
     ADAM_OK.replace("self.m[name]", "self.m[w.shape]").replace("self.v[name]", "self.v[w.shape]")
     .replace("self.t += 1", "self.t += 1\nfor w in self.params.values():\n"
              "    self.m.setdefault(w.shape, np.zeros_like(w))\n"
              "    self.v.setdefault(w.shape, np.zeros_like(w))"),
     ROW_C, ["kept per shape, not per weight"]),
]


@pytest.mark.parametrize("file, label, code, name, words", CONTRACTS,
                         ids=["dense-accumulates", "dense-rebinds", "relu-keeps-mask",
                              "reparam-fresh-eps", "reparam-fresh-eps-twice", "adam-per-shape"])
def test_a_broken_contract_is_wrong_with_its_hint(capsys, folder, file, label, code, name, words):
    solve(folder, file, label, code)
    status, out = check(capsys, folder, file.split("_", 1)[1].removesuffix(".py"))
    assert status == 1, out
    line, hint = hint_of(out, name)
    assert line.rstrip().endswith("wrong"), out
    for word in words:
        assert word in hint, f"{word!r} not in the hint of {name}:\n{out}"


def test_backward_that_changes_what_forward_kept_is_wrong_the_second_time(capsys, folder):
    solve(folder, "ex1_dense.py", "Dense.backward",
          'self.x = self.x.T\nself.grads["W"] = self.x @ dout\n'
          'self.grads["b"] = dout.sum(axis=0)\nreturn dout @ self.params["W"].T')
    status, out = check(capsys, folder, "dense")
    assert status == 1
    assert row(out, "Dense  dL/dW").rstrip().endswith("ok")  # the first backward is right
    line, hint = hint_of(out, "Dense.backward")
    assert line.rstrip().endswith("error") and "backward again, after the same forward" in hint


def test_saturated_logits_keep_the_cross_entropy_gradient_finite(capsys, folder):
    solve(folder, "ex3_sigmoid_cross_entropy.py", "bernoulli_nll_grad",
          'e = np.exp(logits)\nreturn {"logits": e / (1 + e) - x}')
    status, out = check(capsys, folder, "sigmoid")
    assert status == 1
    assert row(out, "bernoulli_nll  dlogits").rstrip().endswith("ok")
    line, hint = hint_of(out, "bernoulli_nll  large logits stay finite")
    assert line.rstrip().endswith("wrong") and "exp(l) overflows" in hint


def test_a_mask_kept_from_the_first_call_is_an_error_of_the_2nd_call(capsys, folder):
    solve(folder, "ex2_relu.py", "ReLU.backward",
          "if not hasattr(self, 'mask'):\n    self.mask = self.x > 0\nreturn dout * self.mask")
    status, out = check(capsys, folder, "relu")
    assert status == 1
    assert row(out, "ReLU  dL/dx").rstrip().endswith("ok")
    line, hint = hint_of(out, "ReLU.backward")
    assert line.rstrip().endswith("error")
    assert "in a 2nd call, on inputs of another shape" in hint and "(3,5) (4,6)" in hint


def test_two_adams_sharing_their_state_are_wrong(capsys, folder):
    code = ADAM_OK.replace("self.t += 1", "Adam.t = getattr(Adam, 't', 0) + 1\nself.t = Adam.t")
    solve(folder, "ex6_adam.py", "Adam.step", code)
    status, out = check(capsys, folder, "adam")
    assert status == 1
    assert row(out, ROW_W).rstrip().endswith("ok")  # one optimizer alone is right
    line, hint = hint_of(out, "Adam  two optimizers keep apart")
    assert line.rstrip().endswith("wrong") and "class attributes" in hint


def test_right_answers_keep_every_contract(capsys, folder):
    for answer in RIGHT[:7]:
        solve(folder, *answer)
    code, out, _ = run(capsys, "exercises", "check", folder, "--only", "1", "--only", "2",
                       "--only", "3", "--only", "4", "--only", "5", "--only", "6")
    assert code == 0, out
    contracts = [line for line in out.splitlines()
                 if any(w in line for w in ("float32", "at x = 0", "2nd call", "apart"))]
    contracts += [line for line in out.splitlines() if "twice" in line or "large logits" in line]
    assert len(contracts) == 19 and all(line.rstrip().endswith("ok") for line in contracts), out


# ---- 4. the child process: whatever the learner's code does, the checker goes on ------------

SANDBOX = [
    # (code in ReLU.backward, words of the error row)
    ("import sys\nsys.exit(3)", ["SystemExit(3): sys.exit()"]),
    ("import os\nos._exit(0)", ["os._exit() was called", "it would end, copy or stop"]),
    ("import posix\nposix._exit(0)", ["posix._exit() was called"]),
    ("import os\nif os.fork() == 0:\n    pass\nreturn dout * (self.x > 0)", ["os.fork() was called"]),
    ("import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\nwhile True:\n    pass",
     ["signal.signal() was called"]),
    ("import signal\nsignal.setitimer(signal.ITIMER_REAL, 0)\nreturn dout * (self.x > 0)",
     ["signal.setitimer() was called"]),
    ("import ctypes\nctypes.CDLL(None)._exit(0)", ["ended (exit status 0)", "os._exit()"]),
    ("import numpy\nx = numpy.ones(2**38)\nreturn dout", ["MemoryError"]),
]


@pytest.mark.parametrize("code, words", SANDBOX,
                         ids=["sys-exit", "os-exit", "posix-exit", "fork", "signal", "setitimer",
                              "ctypes-exit", "memory"])
def test_what_would_stop_the_checker_is_an_error_of_that_exercise(capsys, folder, code, words):
    solve(folder, "ex2_relu.py", "ReLU.backward", code)
    solve(folder, *RIGHT[5])  # KL, right: checked after it all the same
    status, out = check(capsys, folder, "relu", "--only", "kl", "--time-limit", "2")
    assert status == 1
    line, hint = hint_of(out, "ReLU.backward")
    assert line.rstrip().endswith("error"), out
    for word in words:
        assert word in hint, f"{word!r} not in:\n{out}"
    assert row(out, "KL  dlogvar").rstrip().endswith("ok")


def test_sys_exit_in_the_file_itself_is_an_error(capsys, folder):
    edit(folder, "ex5_kl.py", "import numpy as np\n", "import sys\n\nimport numpy as np\n\nexit()\n")
    status, out = check(capsys, folder, "kl")
    assert status == 1
    _, hint = hint_of(out, "ex5_kl.py    ")
    assert "SystemExit: sys.exit(), exit() or quit() was called" in hint and "at ex5_kl.py:" in hint


def test_an_endless_loop_is_stopped_where_it_is(capsys, folder):
    """The timer raises in the loop, where it is: the row names the loop's line."""
    line = solve(folder, "ex2_relu.py", "ReLU.backward",
                 "while True:\n    try:\n        dout = dout + 0\n    except Exception:\n        pass")
    _status, out = hang_guard(check, capsys, folder, "relu", "--time-limit", "0.5")
    text, hint = hint_of(out, "ReLU.backward")
    assert text.rstrip().endswith("error") and "took longer than 0.5 s" in hint
    assert any(f"ex2_relu.py:{n}" in hint for n in range(line, line + 4)) and "--time-limit" in hint


def test_a_loop_that_catches_the_stop_is_killed(capsys, folder, monkeypatch):
    """Past the time limit and its grace the parent kills the child: the row says so."""
    solve(folder, "ex2_relu.py", "ReLU.backward",
          "while True:\n    try:\n        while True:\n            pass\n    except BaseException:\n"
          "        pass")
    monkeypatch.setattr(sandbox, "GRACE", 0.2)  # the kill comes 0.2 s after the limit
    _status, out = hang_guard(check, capsys, folder, "relu", "--time-limit", "0.5")
    _, hint = hint_of(out, "ReLU.backward")
    assert "did not stop when asked" in hint and "killed" in hint


def test_patching_numpyvae_is_an_error_not_a_pass(capsys, folder):
    solve(folder, "ex2_relu.py", "ReLU.backward", "return dout * (self.x < 0)")
    edit(folder, "ex2_relu.py", "import numpy as np\n",
         "import numpy as np\n\nimport numpyvae.exercises.grading as g\nimport numpyvae.gradcheck\n\n"
         "numpyvae.gradcheck.rel_error = lambda a, b: 0.0\ng.explain = lambda *a, **k: 'ok'\n")
    status, out = check(capsys, folder, "relu")
    assert status == 1
    line, hint = hint_of(out, "ReLU.backward")
    assert line.rstrip().endswith("error") and "changed numpyvae's own code" in hint
    assert "numpyvae.gradcheck.rel_error" in hint


def test_the_checker_process_is_left_as_it_was(folder):
    import signal

    solve(folder, "ex2_relu.py", "ReLU.backward", "import os\nos._exit(0)")
    before = signal.getsignal(signal.SIGALRM), signal.getitimer(signal.ITIMER_REAL)
    result = run_exercise(EXERCISES[1], folder, time_limit=5)
    assert result.status == "error"
    assert (signal.getsignal(signal.SIGALRM), signal.getitimer(signal.ITIMER_REAL)) == before
    assert os.getpid() == os.getpid() and sys.stdout is not None  # still here


def test_the_child_can_be_a_new_interpreter(folder, monkeypatch):
    monkeypatch.setenv("NUMPYVAE_EXERCISES_SPAWN", "1")  # where there is no fork
    solve(folder, "ex2_relu.py", "ReLU.backward", "return dout * (self.x < 0)")
    result = run_exercise(EXERCISES[1], folder)
    assert result.status == "wrong" and "mask is on the wrong side" in result.rows[0].hint


@pytest.mark.parametrize("value", ["-1", "soon"])
def test_a_bad_time_limit_is_a_usage_error(capsys, folder, value):
    code, _, err = run(capsys, "exercises", "check", folder, "--time-limit", value)
    assert code == 2 and "--time-limit" in err


# ---- 5. a learner's prints, under the exercise, once ----------------------------------------


def test_prints_are_shown_under_their_exercise_once(capsys, folder):
    edit(folder, "ex2_relu.py", "        self.x = x\n        return np.maximum(x, 0)",
         '        self.x = x\n        print("forward", x.shape)\n        return np.maximum(x, 0)')
    solve(folder, "ex2_relu.py", "ReLU.backward", 'print("in backward")\nreturn dout * (self.x > 0)')
    solve(folder, *RIGHT[5])
    code, out, err = run(capsys, "exercises", "check", folder, "--only", "relu", "--only", "kl")
    assert code == 0, out
    assert out.startswith("numpyvae exercises: checking") and err == ""
    relu = out.split("ex2_relu.py  ReLU")[1].split("ex5_kl.py")[0]
    assert "printed by your code" in relu
    assert relu.count("forward (4, 6)") == 1 and "times]" in relu.split("forward (4, 6)")[1]
    assert relu.count("| in backward") == 1
    assert "printed" not in out.split("ex5_kl.py")[1]


# ---- 6. the exercises as pytest tests: one per exercise, strict ------------------------------


#: pytest as a course runs it on a folder, without the plugins of numpyvae's own test
#: environment (hypothesis's alone costs a second a run, loading itself at the end)
PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:hypothesispytest"]


def pytest_in(path, *args, **env):
    """``python -m pytest -q path args`` in a fresh process: (status, output)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    environ.update(PYTHONDONTWRITEBYTECODE="1", NUMPYVAE_LANG="en", **env)
    proc = subprocess.run([*PYTEST, str(path), *args], check=False, capture_output=True,
                          text=True, cwd=path.parent, env=environ, timeout=300)
    return proc.returncode, proc.stdout + proc.stderr


def test_init_replaces_the_conftest_an_earlier_init_wrote_and_keeps_a_changed_one(capsys, folder):
    (folder / "conftest.py").write_text(
        "from numpyvae.exercises.pytest_plugin import pytest_collect_file  # noqa: F401\n")
    assert run(capsys, "exercises", "init", folder)[0] == 0
    assert "pytest_addoption" in (folder / "conftest.py").read_text()
    (folder / "conftest.py").write_text("# mine\n")
    assert run(capsys, "exercises", "init", folder)[0] == 0
    assert (folder / "conftest.py").read_text() == "# mine\n"


def test_pytest_fails_an_empty_folder_then_grades_a_partial_and_a_finished_one(folder, tmp_path):
    report = tmp_path / "grades.json"
    status, out = pytest_in(folder, "--exercises-json", str(report))
    assert status == 1, out
    assert f"{COUNT} failed" in out and "passed" not in out and "skipped" not in out
    assert "test_exercises.py::test_ex4_reparameterize" in out
    assert "not yet solved: write Reparameterize.backward" in out
    data = json.loads(report.read_text())
    assert data["solved"] == 0 and data["total"] == COUNT
    assert [r["test"] for r in data["exercises"]] == [ex.test_name for ex in EXERCISES]

    for answer in RIGHT[:3]:  # Dense, ReLU right; Sigmoid half done
        solve(folder, *answer)
    solve(folder, "ex5_kl.py", "kl_std_normal_grad", 'return {"mu": mu.copy(), "logvar": np.exp(logvar) - 1}')
    junit = tmp_path / "junit.xml"
    status, out = pytest_in(folder, "--exercises-json", str(report), f"--junitxml={junit}")
    assert status == 1 and "2 passed" in out and f"{COUNT - 2} failed" in out, out
    assert "missing the 1/2 of Eq. (5)" in flat(out)
    verdicts = {r["key"]: r["verdict"] for r in json.loads(report.read_text())["exercises"]}
    assert verdicts["dense"] == "solved" and verdicts["kl"] == "wrong"
    assert verdicts["sigmoid_cross_entropy"] == "not yet solved"
    cases = {c.get("name"): {p.get("name"): p.get("value") for p in c.iter("property")}
             for c in ET.parse(junit).iter("testcase")}
    assert cases["test_ex5_kl"]["verdict"] == "wrong"
    assert "missing the 1/2" in cases["test_ex5_kl"]["hint"]

    for answer in RIGHT[3:]:
        if answer[0] != "ex5_kl.py":
            solve(folder, *answer)
    edit(folder, "ex5_kl.py", 'return {"mu": mu.copy(), "logvar": np.exp(logvar) - 1}',
         'return {"mu": mu.copy(), "logvar": (np.exp(logvar) - 1) / 2}')
    status, out = pytest_in(folder)
    assert status == 0 and f"{COUNT} passed" in out, out


# ---- 7. --reference: each row against the library's own ------------------------------------


def test_reference_says_exact_close_or_differs(capsys, folder):
    solve(folder, *RIGHT[0])
    solve(folder, "ex4_reparameterize.py", "Reparameterize.backward",
          "return 1.0 * dz, dz * (self.eps * self.sigma) * 0.5")
    solve(folder, "ex5_kl.py", "kl_std_normal_grad", 'return {"mu": mu.copy(), "logvar": np.exp(logvar) - 1}')
    code, out, _ = run(capsys, "exercises", "check", folder, "--only", "dense", "--only",
                       "reparam", "--only", "kl", "--reference")
    assert code == 1 and "vs the library's" in out
    assert "  exact  " in row(out, "Dense  dL/dW")
    assert "  exact  " in row(out, "Reparameterize  dz -> dmu")
    assert "  close, " in row(out, "Reparameterize  dz -> dlogvar")
    line = row(out, "KL  dlogvar")
    assert "  differs, " in line and line.rstrip().endswith("wrong")


def test_no_reference_without_the_flag(capsys, folder):
    solve(folder, *RIGHT[0])
    _, out = check(capsys, folder, "dense")
    assert "exact" not in out and "vs the library's" not in out


def test_check_api_takes_reference_and_time_limit(folder):
    text, status = runner.check(str(folder), only=["dense"], reference=True, time_limit=3)
    assert status == 0 and "vs the library's" in text
