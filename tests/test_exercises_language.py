"""The course in Korean: one table holds every message in both languages, naming the same
equations and the same variables; ``init --lang ko`` (or a Korean locale) writes Korean
skeletons and the folder remembers it, so that ``check``, ``train`` and the pytest form
answer in Korean; the lecture's own words are used, and the others glossed once.
"""

import ast
import re
import string
from importlib import resources
from pathlib import Path

from helpers import run_cli as run
from test_exercises import RIGHT, flat, solve
from test_exercises_checker import PYTEST

from numpyvae.exercises.messages import MESSAGES, say, speaking
from numpyvae.exercises.runner import COUNT, FOLDER_FILE, from_locale
from numpyvae.exercises.runner import choose_language as choose

PACKAGE = Path(__file__).resolve().parents[1] / "numpyvae" / "exercises"

#: the variables and code names a message may mention: both texts must name the same
VARIABLES = {"x", "y", "z", "p", "W", "b", "N", "D", "h", "g", "w", "m", "v", "t", "lr", "b1",
             "b2", "mu", "logvar", "sigma", "eps", "beta", "dout", "dz", "dx", "dW", "db", "dmu",
             "dlogvar", "dlogits", "dh", "dL", "dp", "dKL", "dsigma", "self", "np", "grads",
             "params", "recon", "logits", "c", "d", "exp", "log", "sqrt", "sigmoid"}


def equations(text):
    """The numbers of the equations a text names: 'Eq. (3), (4), (9)', 'Eq. 7' ..."""
    found = set()
    for match in re.finditer(r"Eq\.\s*\(?\d+\)?(?:(?:,\s*|-|\s*\+\s*Eq\.\s*)\(?\d+\)?)*", text):
        found |= set(re.findall(r"\d+", match.group(0)))
    return found


def names(text):
    """The variables and identifiers a text names (code-like words, and VARIABLES)."""
    text = re.sub(r"\{[^{}]*\}", " ", text)  # the fields are checked on their own
    words = re.findall(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*(?:\(\))?", text)
    return {w for w in words if w in VARIABLES or "_" in w or "." in w or w.endswith("()")
            or re.fullmatch(r"[a-z]+[A-Z]\w*|\w*\d\w*", w)}


def fields(text):
    """The fields of a message, but "s": the English plural's ending."""
    return {f for _, f, _, _ in string.Formatter().parse(text) if f and f != "s"}


def test_every_message_has_both_languages_with_the_same_equations_and_names():
    bad = []
    for key, (en, ko) in sorted(MESSAGES.items()):
        if not (en.strip() and ko.strip()):
            bad.append((key, "empty"))
        elif fields(en) != fields(ko):
            bad.append((key, "fields", fields(en) ^ fields(ko)))
        elif equations(en) != equations(ko):
            bad.append((key, "equations", equations(en), equations(ko)))
        elif names(en) != names(ko):
            bad.append((key, "names", names(en) ^ names(ko)))
        elif re.search(r"[a-z]{4,} [a-z]{3,} [a-z]{3,}", en) and not re.search(r"[가-힣]", ko):
            bad.append((key, "the Korean text is not Korean"))
    assert not bad, bad


def test_the_consistency_check_can_fail():
    """A message that names another Eq. or variable in one language is caught."""
    assert equations("Eq. (7), dz/dsigma = eps") != equations("Eq. (8), dz/dsigma = eps")
    assert names("dmu = dz") != names("dlogvar = dz")
    assert names("self.grads['W'] = ...") == names("self.grads['W']에 쓰세요")


def _used_keys():
    """The keys the package gives say() (literally), every string constant that is a key,
    and the prefixes of the keys it builds ("adam." + ...)."""
    said, constants, prefixes = set(), set(), set()
    for path in PACKAGE.rglob("*.py"):
        if "templates" in path.parts or path.name == "messages.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "say" and \
                    node.args and isinstance(node.args[0], ast.Constant):
                said.add(node.args[0].value)
            if isinstance(node, ast.BinOp) and isinstance(node.left, ast.Constant) and \
                    str(node.left.value).endswith("."):
                prefixes.add(node.left.value)
            if isinstance(node, ast.Constant) and node.value in MESSAGES:
                constants.add(node.value)
    return said, constants, prefixes


def test_every_key_the_code_uses_is_in_the_table_and_every_row_is_used():
    said, constants, prefixes = _used_keys()
    assert not said - set(MESSAGES), said - set(MESSAGES)
    unused = {k for k in MESSAGES if k not in constants and not any(k.startswith(p) for p in prefixes)}
    assert not unused, unused


def test_the_lecture_s_words_and_the_glosses():
    korean = " ".join(ko for _, ko in MESSAGES.values())
    templates = resources.files("numpyvae.exercises") / "templates" / "ko"
    skeletons = " ".join((templates / f).read_text(encoding="utf-8")
                         for f in ("ex4_reparameterize.py", "ex5_kl.py", "ex7_vae_backward.py"))
    for term in ("Reparameterization Trick", "Reconstruction Error", "Regularization", "샘플",
                 "Encoder", "Decoder", "Loss Function"):
        assert term in korean + skeletons, term
    for gloss in ("사후분포(posterior)", "사전분포(prior)", "잠재(latent)"):
        assert gloss in skeletons, gloss
        for name in ("ex4_reparameterize.py", "ex5_kl.py", "ex7_vae_backward.py"):
            assert (templates / name).read_text(encoding="utf-8").count(gloss) <= 1


def test_the_language_is_chosen_in_order():
    assert from_locale({"LANG": "ko_KR.UTF-8"}) == "ko"
    assert from_locale({"LC_ALL": "en_US.UTF-8", "LANG": "ko_KR.UTF-8"}) == "en"
    assert from_locale({"LC_MESSAGES": "ko_KR", "LANG": "C"}) == "ko"
    assert from_locale({}) == "en"
    assert choose(None, None, {"LANG": "ko_KR.UTF-8"}) == "ko"
    assert choose(None, None, {"LANG": "ko_KR.UTF-8", "NUMPYVAE_LANG": "en"}) == "en"
    assert choose("en", None, {"NUMPYVAE_LANG": "ko"}) == "en"
    with speaking("ko"):
        assert say("verdict.wrong") == "틀림"
    assert say("verdict.wrong") == "wrong"


def test_a_korean_folder_answers_in_korean(capsys, tmp_path, monkeypatch):
    monkeypatch.delenv("NUMPYVAE_LANG", raising=False)
    monkeypatch.setenv("LANG", "ko_KR.UTF-8")  # the locale chooses the skeletons' language
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    folder = tmp_path / "ko"
    code, out, _ = run(capsys, "exercises", "init", folder)
    assert code == 0 and "연습 문제 7개를 만들었습니다" in out
    assert '"ko"' in (folder / FOLDER_FILE).read_text()
    assert "연습 문제 1: Dense 계층" in (folder / "ex1_dense.py").read_text(encoding="utf-8")
    monkeypatch.setenv("LANG", "C")  # the folder remembers: no locale needed any more
    solve(folder, "ex5_kl.py", "kl_std_normal_grad", 'return {"mu": mu.copy(), "logvar": np.exp(logvar) - 1}')
    code, out, _ = run(capsys, "exercises", "check", folder, "--only", "kl")
    assert code == 1
    assert "틀림" in out and "Eq. (5)의 1/2이 빠졌습니다" in flat(out)
    assert "연습 문제 1개 중 0개 풂, 1개 틀림" in out
    code, out, _ = run(capsys, "exercises", "check", folder, "--only", "kl", "--lang", "en")
    assert "missing the 1/2 of Eq. (5)" in flat(out)  # --lang wins


def test_init_lang_ko_then_pytest_and_train_in_korean(capsys, tmp_path, monkeypatch):
    import subprocess

    monkeypatch.delenv("NUMPYVAE_LANG", raising=False)
    folder = tmp_path / "course"
    assert run(capsys, "exercises", "init", folder, "--lang", "ko")[0] == 0
    for answer in RIGHT[:7]:
        solve(folder, *answer)
    environ = {k: v for k, v in __import__("os").environ.items() if not k.startswith("PYTEST_")}
    environ.pop("NUMPYVAE_LANG", None)
    proc = subprocess.run([*PYTEST, "-k", "adam or vae", str(folder)], capture_output=True,
                          text=True, cwd=tmp_path, env=environ, timeout=300, check=False)
    out = proc.stdout
    assert proc.returncode == 1 and "1 failed" in out and "1 passed" in out, out
    assert "아직 안 풂: 다음을 작성하세요: VAE.backward" in out
    code, out, _ = run(capsys, "exercises", "train", folder, "--dataset", "glyph-digits")
    assert code == 1 and "학습하지 않습니다" in out and f"{COUNT}개가 모두 맞아야" in out
