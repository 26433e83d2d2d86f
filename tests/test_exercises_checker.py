"""The checker of ``numpyvae exercises``, beyond the finite differences: Adam on two
arrays, the hints of mistakes that used to get none, which transpose Dense is missing,
an upstream gradient changed in place, float32, ReLU at 0, sys.exit() and endless
loops, a learner's prints, the exercises as pytest tests, and ``--reference``.

As in test_exercises.py, a learner's version is written into a folder ``init`` made,
and the checker runs on it; every right variant stays ok.
"""

import os
import subprocess
import sys
import time

import numpy as np
import pytest
from test_exercises import (
    ADAM_RIGHT,
    ADAM_STEP,
    DENSE,
    RIGHT,
    flat,
    row,
    run,
    solve,
)

from numpyvae import checks, exercises
from numpyvae.exercises import EXERCISES, run_exercise


def check(capsys, folder, only, *options):
    """``numpyvae exercises check folder --only only options...``: (status, report)."""
    code, out, err = run(capsys, "exercises", "check", folder, "--only", only, *options)
    assert "Traceback" not in out + err
    return code, out


def hint_of(out, name):
    """The row ``name`` and its hint, unwrapped."""
    line = row(out, name)
    return line, flat(out.split(line, 1)[1])


def edit(folder, file, old, new):
    path = folder / file
    text = path.read_text()
    assert old in text, (old, file)
    path.write_text(text.replace(old, new))


ADAM = "ex6_adam.py", "Adam.step"
ROW_W, ROW_B = "Adam  3 steps, w (3, 4)", "Adam  3 steps, b (4,)"


# ---- 1. Adam on two arrays of different shapes, over several steps ----------------------


def test_check_adam_has_two_arrays_of_different_shapes_and_the_library_passes():
    rows = checks.check_adam()
    assert [r.name for r in rows] == ["Adam  3 steps, w (3, 4) vs Eq. (10)",
                                      "Adam  3 steps, b (4,) vs Eq. (10)"]
    assert all(r.ok for r in rows)


def test_t_counted_once_per_parameter_is_wrong(capsys, folder):
    code = ADAM_STEP.format(update=ADAM_RIGHT).replace("self.t += 1\n", "")
    code = code.replace("    g = grads[name]\n", "    self.t += 1\n    g = grads[name]\n")
    solve(folder, *ADAM, code)
    status, out = check(capsys, folder, "adam")
    assert status == 1
    for name in (ROW_W, ROW_B):
        line, hint = hint_of(out, name)
        assert line.rstrip().endswith("wrong")
        assert "t is counted once per parameter" in hint and "once, before the loop" in hint


def test_one_m_and_v_shared_by_all_parameters_is_named(capsys, folder):
    edit(folder, "ex6_adam.py", "self.m = {name: np.zeros_like(w) for name, w in params.items()}",
         "self.m = 0.0")
    edit(folder, "ex6_adam.py", "self.v = {name: np.zeros_like(w) for name, w in params.items()}",
         "self.v = 0.0")
    solve(folder, *ADAM, """
self.t += 1
b1, b2 = self.betas
for name, w in self.params.items():
    g = grads[name]
    self.m = b1 * self.m + (1 - b1) * g
    self.v = b2 * self.v + (1 - b2) * g * g
    w -= self.lr * (self.m / (1 - b1**self.t)) / (np.sqrt(self.v / (1 - b2**self.t)) + self.eps)
""")
    status, out = check(capsys, folder, "adam")
    assert status == 1
    line, hint = hint_of(out, "Adam.step")
    assert line.rstrip().endswith("error")
    assert "at ex6_adam.py:" in hint
    assert "w (3, 4), b (4,)" in hint and "one m and v shared by all parameters" in hint


def test_the_right_adam_is_ok_on_both_arrays(capsys, folder):
    solve(folder, *RIGHT[6][:2], RIGHT[6][2])
    status, out = check(capsys, folder, "adam")
    assert status == 0, out
    for name in (ROW_W, ROW_B, "Adam  float32 weights stay float32"):
        assert row(out, name).rstrip().endswith("ok")


# ---- 2. hints for what used to be "no typical mistake matches" ---------------------------

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
ADAM_OK = ADAM_STEP.format(update=ADAM_RIGHT)
RIGHT_DENSE = {"dW": "self.x.T @ dout", "db": "dout.sum(axis=0)", "dx": 'dout @ self.params["W"].T'}

HINTS = [
    # (file, label, code, row, words of the hint)
    ("ex4_reparameterize.py", "Reparameterize.backward",
     "return dz * self.eps * self.sigma / 2, dz.copy()",
     "Reparameterize  dz -> dmu", ["dmu and dlogvar in swapped order", "(dmu, dlogvar)"]),
    ("ex4_reparameterize.py", "Reparameterize.backward",
     "return dz * self.eps * self.sigma / 2, dz.copy()",
     "Reparameterize  dz -> dlogvar", ["swapped order"]),
    ("ex5_kl.py", "kl_std_normal_grad", "return (np.exp(logvar) - 1) / 2, mu.copy()",
     "KL  dmu", ["dmu and dlogvar in swapped order"]),
    ("ex6_adam.py", "Adam.step", ADAM_AFTER, ROW_W, ["before this step's update"]),
    ("ex6_adam.py", "Adam.step", ADAM_OK.replace("**self.t", "**(self.t + 1)"), ROW_B,
     ["t is off by one", "2 at the first step"]),
    ("ex6_adam.py", "Adam.step", ADAM_OK.replace("b1, b2 = self.betas", "b2, b1 = self.betas"),
     ROW_W, ["b1 and b2 the wrong way round"]),
    ("ex2_relu.py", "ReLU.backward", "return dout * self.x", "ReLU  dL/dx", ["dout times x"]),
    ("ex3_sigmoid_cross_entropy.py", "Sigmoid.backward",
     "s = sigmoid(self.p)\nreturn dout * s * (1 - s)", "Sigmoid  dL/dx", ["sigmoid applied twice"]),
    ("ex3_sigmoid_cross_entropy.py", "bernoulli_nll_grad",
     "return sigmoid(sigmoid(logits)) - x", "bernoulli_nll  dlogits", ["sigmoid applied twice"]),
    ("ex3_sigmoid_cross_entropy.py", "bernoulli_nll_grad", "return sigmoid(logits)",
     "bernoulli_nll  dlogits", ["missing the - x"]),
    ("ex3_sigmoid_cross_entropy.py", "bernoulli_nll_grad", "return sigmoid(logits) - 1",
     "bernoulli_nll  dlogits", ["1 where the target x belongs"]),
    ("ex5_kl.py", "kl_std_normal_grad", "return mu.copy(), np.exp(2 * logvar) - 1",
     "KL  dlogvar", ["logvar treated as log sigma", "sigma^2 = exp(logvar)"]),
    ("ex5_kl.py", "kl_std_normal_grad",
     "sigma = np.exp(logvar / 2)\nreturn mu.copy(), (sigma / 2 - 1) / 2",
     "KL  dlogvar", ["written with sigma where sigma^2 belongs, then differentiated"]),
    ("ex5_kl.py", "kl_std_normal_grad",
     "sigma = np.exp(logvar / 2)\nreturn mu.copy(), sigma - 1 / sigma",
     "KL  dlogvar", ["that is dKL/dsigma", "sigma / 2"]),
    ("ex1_dense.py", "Dense.backward",
     DENSE.format(**{**RIGHT_DENSE, "dW": "self.x.T @ dout / len(dout) ** 2"}),
     "Dense  dL/dW", ["divided by N twice", "N = 3"]),
    ("ex5_kl.py", "kl_std_normal_grad", "return mu / mu.shape[1], (np.exp(logvar) - 1) / 2",
     "KL  dmu", ["a mean over the latent dimensions", "divided by 3"]),
    ("ex4_reparameterize.py", "Reparameterize.backward",
     "return dz / dz.size, dz * self.eps * self.sigma / 2",
     "Reparameterize  dz -> dmu", ["np.mean over the batch and the latent dimensions"]),
]


@pytest.mark.parametrize("file, label, code, name, words", HINTS,
                         ids=[f"{h[0].split('_')[0]}-{i}" for i, h in enumerate(HINTS)])
def test_a_mistake_that_had_no_hint_now_has_one(capsys, folder, file, label, code, name, words):
    solve(folder, file, label, code)
    status, out = check(capsys, folder, file.split("_", 1)[1].removesuffix(".py"))
    assert status == 1
    line, hint = hint_of(out, name)
    assert line.rstrip().endswith("wrong"), line
    for word in words:
        assert word in hint, f"{word!r} not in the hint of {name}:\n{out}"
    assert "no typical mistake matches" not in hint.split(" wrong ")[0]


# ---- 3. a matmul shape error in Dense says which transpose is missing --------------------


@pytest.mark.parametrize("code, words", [
    (('self.grads["W"] = self.x.T @ dout\nself.grads["b"] = dout.sum(axis=0)\n'
     'return dout @ self.params["W"]'),
     ["needs W transposed", "dx = dout @ W.T", "(3, 4) @ (4, 5) -> (3, 5)"]),
    (('self.grads["W"] = self.x @ dout\nself.grads["b"] = dout.sum(axis=0)\n'
     'return dout @ self.params["W"].T'),
     ["needs x transposed", "dW = x.T @ dout", "(5, 3) @ (3, 4) -> (5, 4)"]),
    (('W = self.params["W"]\nself.grads["W"] = self.x.T @ dout\n'
     'self.grads["b"] = dout.sum(axis=0)\nreturn W.T @ dout'),
     ["W.T is there, but the factors are in the wrong order", "dx = dout @ W.T"]),
], ids=["dx-no-WT", "dW-no-xT", "dx-order"])
def test_a_matmul_error_in_dense_names_the_missing_transpose(capsys, folder, code, words):
    solve(folder, "ex1_dense.py", "Dense.backward", code)
    status, out = check(capsys, folder, "dense")
    assert status == 1
    line, hint = hint_of(out, "Dense.backward")
    assert line.rstrip().endswith("error") and "ValueError: matmul" in hint
    assert "x (3, 5), W (5, 4), b (4,), dout (3, 4)" in hint
    for word in words:
        assert word in hint, f"{word!r} not in:\n{out}"


# ---- 4. dout changed in place: no gradient row is ok ------------------------------------


def test_dout_changed_in_place_fails_every_gradient_row_and_says_so(capsys, folder):
    solve(folder, "ex2_relu.py", "ReLU.backward", "dout[self.x <= 0] = 0\nreturn dout")
    status, out = check(capsys, folder, "relu")
    assert status == 1
    line, hint = hint_of(out, "ReLU  dL/dx")
    assert line.rstrip().endswith("wrong")  # right numbers, but not ok
    assert "right against an unmodified copy of dout" in hint
    _, hint = hint_of(out, "ReLU  leaves dout unchanged")
    assert "The upstream gradient dout was modified" in hint
    assert "the rows above check your gradients against an unmodified copy" in hint
    assert "went wrong" not in out and "is the lecture's" not in out
    assert not any(line.rstrip().endswith(" ok") for line in out.splitlines())


def test_dout_changed_in_place_and_wrong_is_diagnosed_against_the_copy(capsys, folder):
    solve(folder, "ex2_relu.py", "ReLU.backward", "dout[self.x <= 0] = 0\nreturn 2 * dout")
    status, out = check(capsys, folder, "relu")
    assert status == 1
    line, hint = hint_of(out, "ReLU  dL/dx")
    assert line.rstrip().endswith("wrong")
    assert "twice the right one" in hint
    assert "checked against an unmodified copy of dout" in hint
    assert "went wrong" not in out


def test_dz_changed_in_place_in_reparameterize(capsys, folder):
    solve(folder, "ex4_reparameterize.py", "Reparameterize.backward",
          "dmu = dz.copy()\ndz *= self.eps * self.sigma / 2\nreturn dmu, dz")
    status, out = check(capsys, folder, "reparam")
    assert status == 1
    for name in ("Reparameterize  dz -> dmu", "Reparameterize  dz -> dlogvar"):
        line, hint = hint_of(out, name)
        assert line.rstrip().endswith("wrong") and "unmodified copy of dz" in hint
    assert "The upstream gradient dz was modified" in flat(out)


# ---- 5. float32 in, float32 out -----------------------------------------------------------


@pytest.mark.parametrize("file, label, code, name", [
    ("ex2_relu.py", "ReLU.backward", "return dout * np.where(self.x > 0, 1.0, 0.0)",
     "ReLU  float32 in, float32 out"),
    ("ex2_relu.py", "ReLU.backward", "return dout * (self.x > 0) * 1.0 * np.float64(1)",
     "ReLU  float32 in, float32 out"),
    ("ex5_kl.py", "kl_std_normal_grad",
     "return mu.copy(), (np.exp(logvar) - np.ones(logvar.shape)) / 2",
     "KL  float32 in, float32 out"),
    ("ex1_dense.py", "Dense.backward",
     DENSE.format(**{**RIGHT_DENSE, "db": "dout.sum(axis=0).astype(float)"}),
     "Dense  float32 in, float32 out"),
], ids=["relu-where", "relu-float64", "kl-ones", "dense-astype"])
def test_a_float64_gradient_of_float32_inputs_is_wrong(capsys, folder, file, label, code, name):
    solve(folder, file, label, code)
    status, out = check(capsys, folder, file.split("_", 1)[1].removesuffix(".py"))
    assert status == 1
    line, hint = hint_of(out, name)
    assert line.rstrip().endswith("wrong") and "float64" in line
    assert "it must stay float32" in hint
    # the float64 checks themselves pass
    others = [r for r in out.splitlines() if r.strip().startswith(name.split()[0] + " ")
              and "float32" not in r and "leaves" not in r]
    assert others and all(r.rstrip().endswith("ok") for r in others), out


def test_right_answers_keep_float32_and_relu_at_zero_ok(capsys, folder):
    for answer in RIGHT:
        solve(folder, *answer)
    code, out, _ = run(capsys, "exercises", "check", folder)
    assert code == 0, out
    rows = [line for line in out.splitlines() if "float32" in line or "at x = 0" in line]
    assert len(rows) == 8  # one per part of exercises 1-6, and ReLU at 0
    assert all(line.rstrip().endswith("ok") for line in rows), rows


# ---- 6. ReLU at exactly 0: the library's x > 0 --------------------------------------------


def test_relu_with_x_ge_0_is_wrong_at_zero(capsys, folder):
    solve(folder, "ex2_relu.py", "ReLU.backward", "return dout * (self.x >= 0)")
    status, out = check(capsys, folder, "relu")
    assert status == 1
    assert row(out, "ReLU  dL/dx ").rstrip().endswith("ok")  # away from 0 it is right
    line, hint = hint_of(out, "ReLU  dL/dx at x = 0 is 0")
    assert line.rstrip().endswith("wrong")
    assert "x >= 0" in hint and "the mask x > 0" in hint


def test_the_library_relu_takes_0_at_0():
    from numpyvae.layers import ReLU
    relu = ReLU()
    relu.forward(np.array([0.0, 1.0]))
    assert list(relu.backward(np.array([5.0, 5.0]))) == [0.0, 5.0]


# ---- 7. sys.exit() and endless loops --------------------------------------------------------


def test_sys_exit_in_backward_is_an_error_with_file_and_line(capsys, folder):
    line = solve(folder, "ex2_relu.py", "ReLU.backward", "import sys\nsys.exit(3)")
    status, out = check(capsys, folder, "relu")
    assert status == 1
    text, hint = hint_of(out, "ReLU.backward")
    assert text.rstrip().endswith("error")
    assert "SystemExit(3): sys.exit()" in hint and f"at ex2_relu.py:{line + 1}: sys.exit(3)" in hint


def test_sys_exit_in_the_file_itself_is_an_error(capsys, folder):
    edit(folder, "ex5_kl.py", "import numpy as np\n", "import sys\n\nimport numpy as np\n\nexit()\n")
    status, out = check(capsys, folder, "kl")
    assert status == 1
    _, hint = hint_of(out, "ex5_kl.py")
    assert "SystemExit: sys.exit(), exit() or quit() was called" in hint
    assert "at ex5_kl.py:" in hint and "exit()" in hint


def test_an_endless_loop_is_stopped_and_the_next_exercise_is_checked(capsys, folder):
    line = solve(folder, "ex2_relu.py", "ReLU.backward",
                 "while True:\n    try:\n        dout = dout + 0\n    except Exception:\n"
                 "        pass")
    solve(folder, *RIGHT[5])  # KL, right
    start = time.monotonic()
    code, out, err = run(capsys, "exercises", "check", folder, "--only", "relu", "--only", "kl",
                         "--time-limit", "0.5")
    assert time.monotonic() - start < 8
    assert code == 1 and "Traceback" not in out + err
    text, hint = hint_of(out, "ReLU.backward")
    assert text.rstrip().endswith("error")
    assert "took longer than 0.5 s (an endless loop?)" in hint
    assert f"at ex2_relu.py:{line}" in hint or f"at ex2_relu.py:{line + 2}" in hint
    assert "--time-limit" in hint
    assert row(out, "KL  dlogvar").rstrip().endswith("ok")  # the next one ran, in time


def test_the_time_limit_is_per_exercise_and_restored(folder):
    import signal
    before = signal.getsignal(signal.SIGALRM)
    result = run_exercise(EXERCISES[1], folder, time_limit=5)
    assert result.status == "not yet solved"
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


@pytest.mark.parametrize("value", ["-1", "soon"])
def test_a_bad_time_limit_is_a_usage_error(capsys, folder, value):
    code, _, err = run(capsys, "exercises", "check", folder, "--time-limit", value)
    assert code == 2 and "--time-limit" in err


# ---- 8. a learner's prints, under the exercise, once --------------------------------------


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
    assert "printed" not in out.split("ex5_kl.py")[1]  # KL printed nothing


# ---- 9. the exercises as pytest tests -----------------------------------------------------


def pytest_in(path, **env):
    """``python -m pytest -q path`` in a fresh process: (status, output)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    environ.update(PYTHONDONTWRITEBYTECODE="1", **env)
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           str(path)], check=False, capture_output=True, text=True,
                          cwd=path.parent,
                          env=environ, timeout=300)
    return proc.returncode, proc.stdout + proc.stderr


def test_init_writes_a_conftest_and_keeps_a_changed_one(capsys, folder):
    assert "pytest_collect_file" in (folder / "conftest.py").read_text()
    (folder / "conftest.py").write_text("# mine\n")
    code, _out, _ = run(capsys, "exercises", "init", folder)
    assert code == 0 and (folder / "conftest.py").read_text() == "# mine\n"


def test_pytest_runs_the_same_checks_one_test_per_row(folder):
    for answer in RIGHT:
        solve(folder, *answer)
    rows = [r for ex in EXERCISES[:6] for r in run_exercise(ex, folder).rows]
    assert all(r.verdict == "ok" for r in rows)
    status, out = pytest_in(folder)
    assert status == 0, out
    assert f"{len(rows)} passed" in out and "failed" not in out

    edit(folder, "ex2_relu.py", "return dout * (self.x > 0)", "return dout * (self.x < 0)")
    status, out = pytest_in(folder)
    assert status == 1, out
    assert "FAILED" in out and "ex2_relu.py::ReLU dL/dx" in out
    assert "the mask is on the wrong side" in flat(out)  # the report's hint, word for word
    assert f"{len(rows) - 3} passed" in out  # ReLU's at-0 and float32 rows are not run


def test_pytest_skips_what_is_not_yet_solved(folder):
    status, out = pytest_in(folder)
    assert status == 0, out
    assert "skipped" in out and "passed" not in out and "failed" not in out


def test_pytest_in_solutions_mode_passes_every_row(folder):
    rows = [r for ex in EXERCISES for r in run_exercise(ex, None).rows]
    status, out = pytest_in(folder, NUMPYVAE_EXERCISES_SOLUTIONS="1")
    assert status == 0, out
    assert f"{len(rows)} passed" in out and "skipped" not in out


# ---- 10. --reference: each row against the library's own ----------------------------------


def test_reference_says_exact_close_or_differs(capsys, folder):
    solve(folder, *RIGHT[0])  # Dense, written as the library writes it
    solve(folder, "ex4_reparameterize.py", "Reparameterize.backward",
          "return 1.0 * dz, dz * (self.eps * self.sigma) * 0.5")
    solve(folder, "ex5_kl.py", "kl_std_normal_grad", "return mu.copy(), np.exp(logvar) - 1")
    code, out, _ = run(capsys, "exercises", "check", folder, "--only", "dense", "--only",
                       "reparam", "--only", "kl", "--reference")
    assert code == 1
    assert "vs the library's" in out
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
    text, status = exercises.check(str(folder), only=["dense"], reference=True, time_limit=3)
    assert status == 0 and "vs the library's" in text
