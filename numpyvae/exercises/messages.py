"""Every message the exercises give a learner, in English and in Korean: ONE table, and
:func:`say`, which reads it in the language of the moment.

``MESSAGES[key] = (english, korean)``; ``say(key, **fields)`` fills in the fields
(``{n}``, ``{label}`` ...) in the language :func:`speaking` set for the block of code that
runs (the checker, ``train``, the pytest form; ``runner.choose_language`` says which).
Both texts name the same equations and the same variables and identifiers
(tests/test_exercises_language.py checks it), and the Korean one uses the lecture's own
words: Encoder, Decoder, Reparameterization Trick, 샘플링, Reconstruction Error,
Regularization, 밀도 추정.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

#: The languages of the course: English and Korean, in the order of the table's columns.
LANGUAGES = ("en", "ko")

_current: contextvars.ContextVar[str] = contextvars.ContextVar("numpyvae_exercises_language",
                                                               default="en")


def current() -> str:
    """The language messages are given in now: "en" or "ko"."""
    return _current.get()


@contextlib.contextmanager
def speaking(lang: str) -> Iterator[None]:
    """Within the block, :func:`say` answers in ``lang``."""
    token = _current.set(lang if lang in LANGUAGES else "en")
    try:
        yield
    finally:
        _current.reset(token)


def say(key: str, /, **fields: object) -> str:
    """The message ``key`` of :data:`MESSAGES` in the current language, ``fields`` filled in."""
    en, ko = MESSAGES[key]
    return (ko if _current.get() == "ko" else en).format(**fields)


# ---- the table ------------------------------------------------------------------------------

MESSAGES: dict[str, tuple[str, str]] = {
    # ---- verdicts, the report's frame ------------------------------------------------------
    "verdict.ok": ("ok", "맞음"),
    "verdict.wrong": ("wrong", "틀림"),
    "verdict.unsolved": ("not yet solved", "아직 안 풂"),
    "verdict.error": ("error", "오류"),
    "verdict.solved": ("solved", "풂"),
    "report.gradient": ("gradient", "기울기"),
    "report.verdict": ("verdict", "판정"),
    "report.vs_library": ("vs the library's", "library와 비교"),
    "report.summary": (
        "{solved} of {total} exercise{s} solved, {wrong} wrong, {unsolved} not yet solved",
        "연습 문제 {total}개 중 {solved}개 풂, {wrong}개 틀림, {unsolved}개 아직 안 풂"),
    "report.summary_errors": (", {n} with an error", ", {n}개 오류"),
    "report.printed": ("printed by your code ({n} lines):", "여러분의 코드가 출력한 내용({n}줄):"),
    "report.printed_once": (
        "printed by your code ({n} lines, each different one once):",
        "여러분의 코드가 출력한 내용({n}줄, 같은 줄은 한 번만):"),
    "report.times": ("   [{n} times]", "   [{n}번]"),
    "report.more_lines": ("... and {n} more different lines", "... 그 밖에 다른 줄 {n}개"),
    "report.libraries": ("the library's: {where}", "library의 구현: {where}"),
    "report.write_at": ("write your code at {where}", "{where}에 코드를 작성하세요"),
    "report.missing_file": (
        ("{path} is missing: 'numpyvae exercises init {folder}' puts it back (it overwrites "
         "nothing)"),
        ("{path} 파일이 없습니다: 'numpyvae exercises init {folder}'로 다시 만들 수 "
         "있습니다(기존 파일은 덮어쓰지 않습니다)")),
    "report.next_fix": (
        "next: fix what is marked wrong or error above, then run again: {command}",
        "다음 단계: 위에서 틀림이나 오류로 표시된 곳을 고친 뒤 다시 실행하세요: {command}"),
    "report.next_write": (
        ("next: {at}{name}: replace the `raise NotImplementedError` with your code, then run: "
         "{command} --only {key}"),
        ("다음 단계: {at}{name}: `raise NotImplementedError`를 여러분의 코드로 바꾼 뒤 "
         "실행하세요: {command} --only {key}")),
    "report.next_compare": (
        "solved. After trying, compare with the library's own: {wheres}",
        "풀었습니다. 이제 library의 구현과 비교해 보세요: {wheres}"),
    "report.next_all": (
        ("all {total} exercises solved. Compare each with the library's own (its docstring says "
         "where); then train a VAE made of them: numpyvae exercises train"),
        ("연습 문제 {total}개를 모두 풀었습니다. 각각을 library의 구현과 비교해 "
         "보세요(docstring에 위치가 있습니다). 그다음 여러분의 코드로 만든 VAE를 학습시켜 "
         "보세요: numpyvae exercises train")),
    "runner.heading": (
        ("numpyvae exercises: checking {folder}/\n(rel error against central differences in "
         "float64 must stay under the bound)"),
        ("numpyvae 연습 문제: {folder}/ 검사\n(float64 central difference와의 rel error가 bound "
         "아래여야 합니다)")),
    "runner.heading_solutions": (
        ("numpyvae exercises: the library's own implementation, through the checks the "
         "exercises get\n(rel error against central differences in float64 must stay under the "
         "bound)"),
        ("numpyvae 연습 문제: library 자신의 구현을 연습 문제와 같은 검사로\n(float64 central "
         "difference와의 rel error가 bound 아래여야 합니다)")),
    "runner.no_exercise": (
        "no exercise {name}: use one of {names} (or their numbers 1-{count})",
        "{name}라는 연습 문제는 없습니다: {names} 중 하나(또는 번호 1-{count})를 쓰세요"),
    "runner.none_here": (
        ("no exercises here: make them with 'numpyvae exercises init' (into ./{folder}), or "
         "pass the folder that holds them"),
        ("여기에는 연습 문제가 없습니다: 'numpyvae exercises init'으로 만들거나(./{folder}에 "
         "만들어집니다), 연습 문제가 있는 폴더를 지정하세요")),
    "runner.no_folder": (
        "{folder}: no such folder (make it with: numpyvae exercises init {folder})",
        "{folder}: 그런 폴더가 없습니다(만들려면: numpyvae exercises init {folder})"),
    "runner.is_file": (
        "{folder} is a file: pass the folder that holds the exercises",
        "{folder}: 폴더가 아니라 파일입니다. 연습 문제가 있는 폴더를 지정하세요"),
    "runner.no_files": (
        ("{folder} holds no exercise files (ex1_dense.py ...): make them with: numpyvae "
         "exercises init{arg}"),
        ("{folder}에 연습 문제 파일(ex1_dense.py ...)이 없습니다: 만들려면: numpyvae exercises "
         "init{arg}")),
    "runner.solutions_folder": (
        "--solutions checks the library's own code, not a folder: leave out the folder",
        "--solutions는 폴더가 아니라 library 자신의 코드를 검사합니다: 폴더는 빼세요"),
    "runner.init_is_file": (
        "{folder} is a file, not a folder",
        "{folder}: 폴더가 아니라 파일입니다"),
    "runner.wrote": (
        "wrote {n} exercise{s} into {folder}/:",
        "{folder}/에 연습 문제 {n}개를 만들었습니다:"),
    "runner.kept": (
        "kept as they are (already there, not overwritten): {files}",
        "이미 있어서 그대로 두었습니다(덮어쓰지 않음): {files}"),
    "runner.next": (
        ("next: read {folder}/{file}, write your code where it raises NotImplementedError, then "
         "run"),
        ("다음 단계: {folder}/{file} 파일을 읽고, NotImplementedError를 발생시키는 자리에 "
         "코드를 작성한 뒤 실행하세요")),
    "runner.pytest": (
        "(to grade: pytest {folder}: one test per exercise, each fails until it is solved)",
        "(채점: pytest {folder}: 연습 문제마다 test 하나, 풀기 전에는 실패합니다)"),
    "pytest.unsolved": ("not yet solved: write {what}", "아직 안 풂: 다음을 작성하세요: {what}"),
    "pytest.not_right": ("{file} is not right yet:", "{file}: 아직 맞지 않습니다:"),
    # ---- exercise titles ----------------------------------------------------------------
    "title.dense": ("Dense layer y = x W + b, Eq. (1)", "Dense 계층 y = x W + b, Eq. (1)"),
    "title.relu": ("ReLU", "ReLU"),
    "title.sigmoid": (
        "Sigmoid, and sigmoid + cross entropy, Eq. (3), (4), (9)",
        "Sigmoid, 그리고 sigmoid + cross entropy, Eq. (3), (4), (9)"),
    "title.reparameterize": (
        "Reparameterization Trick, Eq. (2), (7)",
        "Reparameterization Trick, Eq. (2), (7)"),
    "title.kl": ("KL term (Regularization), Eq. (5), (8)", "KL 항(Regularization), Eq. (5), (8)"),
    "title.adam": ("One Adam step, Eq. (10)", "Adam 한 step, Eq. (10)"),
    "title.vae_backward": (
        "The VAE's backward pass, assembled, Eq. (6)-(9)",
        "VAE의 backward 전체, Eq. (6)-(9)"),
    # ---- the steps of a check (error rows say which one was running) ----------------------
    "stage.main": ("the first call", "첫 번째 호출"),
    "stage.again": ("a 2nd call, on another batch", "다른 배치로 한 두 번째 호출"),
    "stage.again_shape": (
        "a 2nd call, on inputs of another shape",
        "다른 shape의 입력으로 한 두 번째 호출"),
    "stage.float32": ("the call on float32 inputs", "float32 입력으로 한 호출"),
    "stage.zero": ("the call at x = 0 exactly", "정확히 x = 0에서 한 호출"),
    "stage.two": ("two optimizers, step by step in turn", "optimizer 두 개를 번갈아 한 step씩"),
    "stage.vae_main": (
        "the first forward and backward (N = 3, beta = 0.7)",
        "첫 번째 forward와 backward(N = 3, beta = 0.7)"),
    "stage.deep": ("a model with two hidden layers", "hidden layer가 두 개인 모델"),
    "stage.n1": ("a batch of one (N = 1)", "예제 하나짜리 배치(N = 1)"),
    "stage.eps0": (
        "eps = 0 (no path through the sample into logvar)",
        "eps = 0(샘플을 거쳐 logvar로 가는 경로 없음)"),
    "stage.beta1": ("beta = 1", "beta = 1"),
    "stage.beta0": (
        "beta = 0 (the Reconstruction Error alone)",
        "beta = 0(Reconstruction Error만)"),
    "stage.repeat_backward": (
        "backward again, after the same forward",
        "같은 forward 뒤에 backward를 한 번 더"),
    "repeat.differs": (
        ("backward called twice after one forward gives another {key} the second time: {label} "
         "changes what forward kept (self.x, a mask ...) or adds into it. The gradient is asked "
         "for again (a second loss, a check): leave the layer as forward left it"),
        ("한 번의 forward 뒤에 backward를 두 번 부르면 두 번째의 {key}가 다릅니다: {label} "
         "안에서 forward가 남긴 것(self.x, mask ...)을 바꾸거나 거기에 더합니다. 기울기는 다시 "
         "요청될 수 있습니다(두 번째 loss, 검사): 계층은 forward가 남긴 그대로 두세요")),
    "stage.large": ("logits of any size (|l| up to 800)", "아주 큰 logits(|l|이 800까지)"),
    "bce.large_row": (
        "bernoulli_nll  large logits stay finite",
        "bernoulli_nll  큰 logits에서도 유한"),
    "bce.overflow": (
        ("for large logits (|l| up to 800: a saturated sigmoid) yours is nan, inf or off: "
         "exp(l) overflows in e^l / (1 + e^l), and (p - x) / (p (1 - p)) * p (1 - p) divides by "
         "p (1 - p) = 0. Use the given sigmoid, which never overflows, and the simplified Eq. "
         "(9)"),
        ("큰 logits(|l|이 800까지: 포화된 sigmoid)에서 여러분의 값이 nan, inf이거나 틀립니다: "
         "e^l / (1 + e^l)에서 exp(l)이 overflow하고, (p - x) / (p (1 - p)) * p (1 - p)는 p (1 - "
         "p) = 0으로 나눕니다. overflow하지 않는 주어진 sigmoid와 정리된 Eq. (9)를 쓰세요")),
    "repeat.adds": (
        ("backward called twice after one forward gives twice the {key} the second time: "
         "{label} adds into the gradient (+=). Each backward writes its own gradient: = (or "
         "[...] =), not +=; the training loop never clears them"),
        ("한 번의 forward 뒤에 backward를 두 번 부르면 두 번째의 {key}가 두 배입니다: {label} "
         "안에서 기울기에 더합니다(+=). backward는 매번 자기 기울기를 씁니다: +=가 아니라 = "
         "(또는 [...] =). 학습 loop는 기울기를 0으로 지우지 않습니다")),
    "stage.repeat": ("the same batch again", "같은 배치로 한 번 더"),
    # ---- row names -------------------------------------------------------------------------
    "row.again": (
        "{part}  a 2nd call, another batch (N = {n})",
        "{part}  두 번째 호출, 다른 배치(N = {n})"),
    "row.again_shape": (
        "{part}  a 2nd call, shape {shape}",
        "{part}  두 번째 호출, shape {shape}"),
    "row.float32": ("{part}  float32 in, float32 out", "{part}  float32 입력, float32 출력"),
    "row.unchanged": ("{part}  leaves {name} unchanged", "{part}  {name} 그대로 둠"),
    "row.repeat": (
        "{part}  the same call twice, the same numbers",
        "{part}  같은 호출 두 번, 같은 값"),
    "row.changed": ("changed", "바뀜"),
    "row.rebound": ("rebound", "새로 묶음"),
    "row.differs": ("differs", "다름"),
    "columns.pixels": ("the pixels", "픽셀"),
    "columns.latent": ("the latent dimensions", "잠재 차원"),
    # ---- why a gradient is wrong: the facts ---------------------------------------------------
    "explain.not_numbers": (
        "yours is an array of {what}: not numbers",
        "여러분의 답은 {what} 배열입니다: 숫자가 아닙니다"),
    "explain.shape": (
        "yours has shape {got}, the right one {want}",
        "여러분의 답은 shape이 {got}, 맞는 답은 {want}입니다"),
    "explain.nan": (
        ("yours has nan or inf entries (the first at index {index}): look for a division by "
         "zero, a log of 0, an exp that overflows, or a sqrt of a negative"),
        ("여러분의 답에 nan이나 inf가 있습니다(처음은 index {index}): 0으로 나누기, log(0), "
         "overflow하는 exp, 음수의 sqrt가 있는지 보세요")),
    "explain.zeros": ("yours is all zeros", "여러분의 답은 모두 0입니다"),
    "explain.factor": (
        "yours is {scale} times the right one everywhere: a constant factor is off",
        "여러분의 답은 어디서나 맞는 답의 {scale}배입니다: 상수 배가 틀렸습니다"),
    "explain.none": (
        ("no typical mistake matches. The largest difference is at index {index}: yours {got}, "
         "the right one {want}"),
        ("맞아떨어지는 전형적인 실수가 없습니다. 가장 큰 차이는 index {index}: 여러분의 값 "
         "{got}, 맞는 값 {want}")),
    "generic.sign": (
        "sign flipped: yours is -1 times the right one",
        "부호가 반대입니다: 여러분의 답은 맞는 답의 -1배입니다"),
    "generic.twice": (
        "twice the right one: an extra factor 2 (or a missing 1/2)",
        "맞는 답의 두 배입니다: 2가 더 곱해졌습니다(또는 1/2이 빠졌습니다)"),
    "generic.half": (
        "half the right one: an extra factor 1/2 (or a missing 2)",
        "맞는 답의 절반입니다: 1/2이 더 곱해졌습니다(또는 2가 빠졌습니다)"),
    "generic.mean_batch": (
        ("divided by the batch size N = {n}: the loss of this check is summed over the batch, "
         "so no mean (the caller averages)"),
        ("배치 크기 N(= {n})으로 나눴습니다: 이 검사의 loss는 배치에 대해 합이므로 평균을 내지 "
         "않습니다(평균은 호출하는 쪽이 냅니다)")),
    "generic.mean_batch_twice": (
        ("divided by N twice (1/N^2, N = {n}): a mean taken in two places, or none at all: the "
         "loss of this check is summed over the batch"),
        ("N으로 두 번 나눴습니다(1/N^2, N = {n}): 평균을 두 군데서 냈습니다. 이 검사의 loss는 "
         "배치에 대해 합이므로 평균은 필요 없습니다")),
    "generic.mean_columns": (
        "divided by {d}, the number of {columns}: a mean over {columns}, which the loss sums",
        "{columns} {d}개에 대해 평균을 냈습니다: loss는 {columns}에 대해 합합니다"),
    "generic.mean_all": (
        ("divided by N * {d} = {nd}: np.mean over the batch and {columns}; the loss here is a "
         "plain sum"),
        ("배치와 {columns} 전체에 대해 np.mean을 썼습니다(N * {d} = {nd}개의 평균): 여기서 "
         "loss는 그냥 합입니다")),
    "versus.shape": ("differs, shape", "다름, shape"),
    "versus.exact": ("exact", "똑같음"),
    "versus.close": ("close, {diff}", "가까움, {diff}"),
    "versus.differs": ("differs, {diff}", "다름, {diff}"),
    "shape.missing": (
        "self.grads has no {of!r}: write d{of} into self.grads[{of!r}]",
        "self.grads에 {of!r} 항목이 없습니다: d{of}를 self.grads[{of!r}]에 쓰세요"),
    "shape.none": (
        "{key} is None: is a `return` (or an assignment) missing?",
        "{key}가 None입니다: `return`(또는 대입)이 빠지지 않았나요?"),
    "shape.not_array": (
        "{key} is {kind}: it must be an array of shape {want}",
        "{key}가 {kind}입니다: shape이 {want}인 배열이어야 합니다"),
    "shape.differs": (
        "{key} has shape {got}, but {of} has shape {want}",
        "{key}의 shape은 {got}인데 {of}의 shape은 {want}입니다"),
    "shape.rule": (
        ": a gradient always has the shape of what it is the gradient of",
        ": 기울기는 언제나 미분하는 대상과 shape이 같습니다"),
    "forward.shape": (
        "forward returned {got}; it must have shape {want}",
        "forward의 반환값: {got}. shape이 {want}인 배열이어야 합니다"),
    "forward.differs": (
        "the forward value differs from the lecture's: {why}",
        "forward 값이 강의의 값과 다릅니다: {why}"),
    "forward.changed_first": (
        ("the (given) forward was changed: see the forward row below. The gradients are checked "
         "against the lecture's forward."),
        ("주어진 forward가 바뀌었습니다: 아래 forward 행을 보세요. 기울기는 강의의 forward를 "
         "기준으로 검사합니다.")),
    "float32.promoted": (
        ("for float32 inputs {label} gives {key} as {got}; it must stay float32 (the VAE trains "
         "in float32, and a float64 array doubles the memory and the time). Something in "
         "float64 promoted it: an array made without a dtype (np.ones(shape), np.where(mask, "
         "1.0, 0.0), (x > 0) * 1.0, mask.astype(float)) or a np.float64 constant. Use the "
         "inputs' dtype (np.ones_like(x), mask.astype(x.dtype)), a boolean mask as it is, or a "
         "plain Python number"),
        ("float32 입력인데 {label}의 {key}가 {got}입니다. float32로 남아야 합니다(VAE는 "
         "float32로 학습하고, float64 배열은 메모리와 시간을 두 배로 씁니다). float64인 "
         "무언가가 dtype을 올렸습니다: dtype 없이 만든 배열(np.ones(shape), np.where(mask, 1.0, "
         "0.0), (x > 0) * 1.0, mask.astype(float))이나 np.float64 상수입니다. 입력의 "
         "dtype(np.ones_like(x), mask.astype(x.dtype)), boolean mask 그대로, 또는 Python 숫자를 "
         "쓰세요")),
    "inplace.upstream": (
        ("{label} changed {name} in place (as {name}[mask] = 0 or {name} *= ... do). The caller "
         "still holds {name}: in the VAE it is the gradient another layer reads. Compute a new "
         "array instead"),
        ("{label} 안에서 {name} 배열이 제자리에서(in place) 바뀌었습니다({name}[mask] = 0이나 "
         "{name} *= ...처럼). 호출한 쪽은 그 배열을 아직 씁니다: VAE에서는 다른 계층이 읽는 "
         "기울기입니다. 대신 새 배열을 계산하세요")),
    "inplace.checked_on_copy": (
        (". The upstream gradient {name} was modified: the rows above check your gradients "
         "against an unmodified copy of it"),
        (". upstream 기울기 {name} 배열이 바뀌었습니다: 위의 행들은 바뀌기 전 {name}의 사본으로 "
         "검사한 결과입니다")),
    "inplace.input": (
        "{part} changed its input {name} in place (in forward or backward): work on a copy",
        ("{part}의 forward나 backward에서 입력 {name} 배열이 제자리에서 바뀌었습니다: 사본으로 "
         "작업하세요")),
    "inplace.right_but_changed": (
        ("right against an unmodified copy of {upstream}, but {label} changed {upstream} in "
         "place: see {row!r} below"),
        ("바뀌기 전 {upstream}의 사본으로는 맞지만, {label} 안에서 {upstream} 배열이 제자리에서 "
         "바뀌었습니다: 아래 {row!r} 행을 보세요")),
    "inplace.wrong_and_changed": (
        ("(checked against an unmodified copy of {upstream}, which {label} changed in place: "
         "see {row!r} below)"),
        ("(바뀌기 전 {upstream}의 사본으로 검사했습니다. {label} 안에서 {upstream} 배열이 "
         "제자리에서 바뀌었습니다: 아래 {row!r} 행을 보세요)")),
    "again.shape": (
        ("on a 2nd call {label} gives {key} of shape {got}, not {want}: something from the "
         "first call (a shape, a mask, an array kept in self) is reused"),
        ("두 번째 호출에서 {label}의 {key} shape: {got}(맞는 shape: {want}). 첫 번째 호출의 "
         "무언가(shape, mask, self에 남긴 배열)를 다시 쓰고 있습니다")),
    "again.accumulates": (
        ("{key} of the 2nd call is the 1st call's plus the 2nd's: {label} adds into the "
         "gradient (+=) across calls. Each backward writes its own gradient: = (or [...] =), "
         "not +=; the training loop never clears them"),
        ("두 번째 호출의 {key}가 첫 번째 호출의 값과 두 번째 값의 합입니다: {label}에서 "
         "호출마다 기울기에 더합니다(+=). backward는 매번 그 배치의 기울기를 씁니다: +=가 "
         "아니라 = (또는 [...] =). 학습 loop는 기울기를 0으로 지우지 않습니다")),
    "again.stale": (
        ("{key} of the 2nd call is still the 1st call's: {label} keeps something from the first "
         "call (computed once and kept in self?)"),
        ("두 번째 호출의 {key}가 여전히 첫 번째 호출의 값입니다: {label}에 첫 번째 호출의 "
         "무언가가 남아 있습니다(한 번 계산해서 self에 남겨 두었나요?)")),
    "again.differs": (
        ("right on the first call, wrong on a 2nd call with other inputs: {label} keeps "
         "something from the first call (a mask, a shape, a value in self)"),
        ("첫 번째 호출에서는 맞고, 다른 입력으로 한 두 번째 호출에서는 틀립니다: {label}에 첫 "
         "번째 호출의 무언가(mask, shape, self에 남긴 값)가 남아 있습니다")),
    "interface.returns": (
        "{label} must return {expected}, but it returned {got}",
        "{label}의 반환값은 {expected} 형태여야 하는데, 돌려준 것: {got}"),
    # ---- errors ---------------------------------------------------------------------------
    "error.at": ("at {where}", "위치: {where}"),
    "error.caller": (
        "(that is the check calling your code: keep the skeleton's signatures)",
        "(여러분의 코드를 부르는 검사 쪽입니다: skeleton의 signature를 그대로 두세요)"),
    "error.shapes": ("the arrays of this check: {shapes}", "이 검사의 배열: {shapes}"),
    "error.time": (
        "took longer than {seconds:g} s (an endless loop?), and was stopped",
        "{seconds:g}초보다 오래 걸려(끝나지 않는 loop?) 멈췄습니다"),
    "error.stopped_at": (" at {where}", ": 멈춘 곳 {where}"),
    "error.time_option": (
        "(the limit is an option: numpyvae exercises check --time-limit SECONDS)",
        "(제한 시간은 option입니다: numpyvae exercises check --time-limit SECONDS)"),
    "error.sys_exit": (
        ("SystemExit{code}: sys.exit(), exit() or quit() was called; the checks cannot go on "
         "past it: remove it"),
        ("SystemExit{code}: sys.exit(), exit() 또는 quit()이 호출되었습니다. 그다음으로는 "
         "검사를 이어갈 수 없으니 지우세요")),
    "error.forbidden": (
        ("{what} was called: it would end, copy or stop the process that runs the check, so the "
         "checker does not allow it in an exercise. Remove it"),
        ("{what} 호출이 있습니다: 검사를 실행하는 process를 끝내거나 복제하거나 멈추게 하는 "
         "호출이라 연습 문제에서는 허용하지 않습니다. 지우세요")),
    "error.memory": (
        ("MemoryError: {message}: an exercise may use {mb} MB beyond the checker's own; the "
         "arrays here are tiny, so something allocates far too much"),
        ("MemoryError: {message}: 연습 문제 하나는 검사기 자체 외에 {mb} MB까지 쓸 수 있습니다. "
         "여기 배열은 아주 작으니 무언가가 지나치게 큰 메모리를 잡습니다")),
    "error.patched": (
        ("your code changed numpyvae's own code ({names}): the check runs the library as it is, "
         "and its verdict comes from another process all the same. Remove the lines that assign "
         "to numpyvae's functions or classes"),
        ("여러분의 코드가 numpyvae 자신의 코드({names})를 바꿨습니다: 검사는 library를 있는 "
         "그대로 실행하고, 판정은 어차피 다른 process에서 내립니다. numpyvae의 함수나 class에 "
         "대입하는 줄을 지우세요")),
    "error.in_stage": ("in {stage}:", "{stage}에서:"),
    "error.undefined": (
        "{file} defines no {name}: keep the names of the skeleton (the checks look them up)",
        ("{file}에 {name} 정의가 없습니다: skeleton의 이름을 그대로 두세요(검사가 그 이름을 "
         "찾습니다)")),
    "error.ungradable": (
        "what your code returned could not be graded ({what}): keep the skeleton's return values",
        ("여러분의 코드가 돌려준 값을 채점할 수 없습니다({what}): skeleton의 반환값 형식을 "
         "그대로 두세요")),
    "process.killed": (
        ("ran past the time limit of {seconds} s in {where} and did not stop when asked (it "
         "caught the stop, or switched off the timer): the check killed it"),
        ("{where}에서 제한 시간 {seconds}초를 넘겼고 멈추라는 신호에도 멈추지 않아(신호를 "
         "잡았거나 timer를 껐습니다) 검사가 강제로 끝냈습니다")),
    "process.sigkill": (
        ("the process of the check was killed (SIGKILL) in {where}: past its CPU-time limit "
         "({seconds} s), or out of memory"),
        ("{where}에서 검사 process가 강제 종료되었습니다(SIGKILL): CPU 시간 제한({seconds}초)을 "
         "넘었거나 메모리가 모자랐습니다")),
    "process.sigxcpu": (
        "the process of the check reached its CPU-time limit ({seconds} s) in {where} and ended",
        "{where}에서 검사 process가 CPU 시간 제한({seconds}초)에 닿아 끝났습니다"),
    "process.crash": (
        ("the process of the check crashed ({signal}) in {where}: a recursion too deep, or "
         "memory exhausted?"),
        ("{where}에서 검사 process가 비정상 종료했습니다({signal}): 재귀가 너무 깊거나 메모리가 "
         "바닥났나요?")),
    "process.signal": (
        "the process of the check ended by the signal {signal} in {where}",
        "{where}에서 검사 process가 signal {signal}로 끝났습니다"),
    "process.exited": (
        ("the process of the check ended (exit status {status}) in {where} before the check "
         "finished: os._exit(), or a crash"),
        ("{where}에서 검사가 끝나기 전에 검사 process가 끝났습니다(exit status {status}): "
         "os._exit() 또는 비정상 종료")),
    "process.not_run": (
        "not run: the process of the check had ended above",
        "실행하지 않음: 위에서 검사 process가 이미 끝났습니다"),
    # ---- exercise 1: Dense ------------------------------------------------------------------
    "dense.never_written": (
        ("self.grads[{k}] is all zeros: backward never wrote {key} into it. Assign it "
         "(self.grads[{k}] = ...) or fill it (self.grads[{k}][...] = ...)"),
        ("self.grads[{k}]가 모두 0입니다: backward가 {key}를 쓰지 않았습니다. "
         "대입하거나(self.grads[{k}] = ...) 채우세요(self.grads[{k}][...] = ...)")),
    "dense.db_mean": (
        ("np.mean over the batch where the sum belongs: b is added to every example, so db = "
         "the sum of dout over axis 0"),
        ("합이어야 할 곳에 배치 평균(np.mean)을 썼습니다: b는 모든 예제에 더해지므로 db = "
         "dout을 axis 0으로 합한 것입니다")),
    "dense.dW_transposed": (
        ("that is (out_dim, in_dim): dW is transposed. dW[i, j] = sum_n x[n, i] dout[n, j] is "
         "the product x^T dout, of shape (in_dim, out_dim) = {shape}"),
        ("그것은 (out_dim, in_dim)입니다: dW가 전치되었습니다. dW[i, j] = sum_n x[n, i] dout[n, "
         "j]는 곱 x^T dout이고, shape은 (in_dim, out_dim) = {shape}입니다")),
    "dense.db_not_summed": (
        ("that is (N, out_dim): dout not summed over the batch. b is added to every example, so "
         "db = the sum of dout over axis 0, shape ({out},)"),
        ("그것은 (N, out_dim)입니다: dout을 배치에 대해 합하지 않았습니다. b는 모든 예제에 "
         "더해지므로 db = dout을 axis 0으로 합한 것, shape ({out},)입니다")),
    "dense.db_keepdims": (
        "sum over axis 0 without keepdims=True: b has shape ({out},)",
        "axis 0으로 합하되 keepdims=True 없이: b의 shape은 ({out},)입니다"),
    "dense.db_axis1": (
        "summed over axis 1 (the outputs); sum over axis 0, the batch",
        "axis 1(출력)로 합했습니다. 배치인 axis 0으로 합하세요"),
    "dense.dx_shape_of_dout": (
        ("that is the shape of dout: dx has the shape of x, (N, in_dim); dx[n, i] = sum_j "
         "dout[n, j] W[i, j] is the product dout W^T"),
        ("그것은 dout의 shape입니다: dx는 x와 같은 shape (N, in_dim)입니다. dx[n, i] = sum_j "
         "dout[n, j] W[i, j]는 곱 dout W^T입니다")),
    "dense.dx_transposed": (
        "that is (in_dim, N), dx transposed: dx = dout W^T, shape (N, in_dim)",
        "그것은 (in_dim, N), 전치된 dx입니다: dx = dout W^T, shape (N, in_dim)"),
    "dense.dx_product": (
        "dx = dout @ W.T, (N, out_dim) @ (out_dim, in_dim) = {a} @ {b} -> {c}, the shape of x",
        "dx = dout @ W.T, (N, out_dim) @ (out_dim, in_dim) = {a} @ {b} -> {c}, x의 shape"),
    "dense.dW_product": (
        "dW = x.T @ dout, (in_dim, N) @ (N, out_dim) = {a} @ {b} -> {c}, the shape of W",
        "dW = x.T @ dout, (in_dim, N) @ (N, out_dim) = {a} @ {b} -> {c}, W의 shape"),
    "dense.needs_WT": (
        "the matrix product needs W transposed: {dx}",
        "이 행렬 곱에는 전치된 W가 필요합니다: {dx}"),
    "dense.WT_order": (
        "W.T is there, but the factors are in the wrong order: {dx}",
        "W.T는 있지만 곱하는 순서가 틀렸습니다: {dx}"),
    "dense.needs_xT": (
        "the matrix product needs x transposed: {dw}",
        "이 행렬 곱에는 전치된 x가 필요합니다: {dw}"),
    "dense.xT_order": (
        "x.T is there, but the factors are in the wrong order: {dw}",
        "x.T는 있지만 곱하는 순서가 틀렸습니다: {dw}"),
    "dense.both_products": (
        "the two products of Dense.backward: {dx}; {dw}",
        "Dense.backward의 두 곱: {dx}; {dw}"),
    "dense.forward_row": (
        "Dense  forward y = x W + b, Eq. (1)",
        "Dense  forward y = x W + b, Eq. (1)"),
    "dense.own_grads_row": ("Dense  writes into its own grads", "Dense  자기 grads에 씀"),
    "dense.rebound": (
        ("backward bound a new dict to self.grads (self.grads = {{...}}): the model reads the "
         "gradients from the mapping it gave the layer (views into one buffer), which stays as "
         "it was, so Adam would get the old ones. Write into it: self.grads['W'] = ... (or "
         "self.grads['W'][...] = ...)"),
        ("backward가 self.grads에 새 dict를 묶었습니다(self.grads = {{...}}): 모델은 계층에 준 "
         "mapping(하나의 buffer를 가리키는 view)에서 기울기를 읽는데 그것은 그대로이므로 Adam은 "
         "옛 기울기를 받게 됩니다. 그 안에 쓰세요: self.grads['W'] = ... (또는 "
         "self.grads['W'][...] = ...)")),
    # ---- exercise 2: ReLU -------------------------------------------------------------------
    "relu.wrong_side": (
        ("the mask is on the wrong side: the gradient passes where x > 0 (where the unit was "
         "on) and is 0 where x < 0"),
        ("mask가 반대입니다: 기울기는 x > 0인 곳(unit이 켜졌던 곳)에서 지나가고 x < 0인 곳에서 "
         "0입니다")),
    "relu.everywhere": (
        ("the gradient is let through everywhere, also where x < 0: multiply dout by the mask x "
         "> 0 of the forward pass"),
        "기울기를 x < 0인 곳까지 모두 통과시켰습니다: dout에 forward의 mask x > 0을 곱하세요"),
    "relu.of_dout": (
        ("that is ReLU applied to dout: the mask comes from the forward pass (self.x > 0, or "
         "the output y > 0, the same mask), not from the sign of dout"),
        ("그것은 dout에 ReLU를 적용한 것입니다: mask는 dout의 부호가 아니라 forward에서 "
         "옵니다(self.x > 0, 또는 같은 mask인 출력 y > 0)")),
    "relu.times_output": (
        "dout times the output max(x, 0): the derivative of ReLU is 1 where x > 0, not x",
        "dout에 출력 max(x, 0)을 곱했습니다: ReLU의 도함수는 x > 0인 곳에서 x가 아니라 1입니다"),
    "relu.times_x": (
        ("dout times x: the derivative of ReLU is not x but 1 where x > 0 and 0 elsewhere, so "
         "dx = dout * (x > 0)"),
        ("dout에 x를 곱했습니다: ReLU의 도함수는 x가 아니라 x > 0인 곳에서 1, 그 밖에서 0이므로 "
         "dx = dout * (x > 0)입니다")),
    "relu.local_only": (
        "that is the local derivative dy/dx alone: by the chain rule, multiply it by dout",
        "그것은 국소 도함수 dy/dx뿐입니다: 연쇄 법칙에 따라 dout을 곱하세요"),
    "relu.zero_row": (
        "ReLU  dL/dx at x = 0 is 0 (mask x > 0)",
        "ReLU  x = 0에서 dL/dx는 0(mask x > 0)"),
    "relu.zero_shape": (
        "dx is {got}, x has shape {want}",
        "dx는 {got}이고 x의 shape은 {want}입니다"),
    "relu.zero_ge": (
        ("at x = 0 yours lets the gradient through (x >= 0). ReLU has no derivative at 0 (any "
         "value in [0, 1] is a subgradient); numpyvae's ReLU takes 0 there, the mask x > 0 (or "
         "y > 0), and so do the checks"),
        ("x = 0에서 기울기를 통과시켰습니다(x >= 0). ReLU는 0에서 도함수가 없습니다([0, 1]의 "
         "어떤 값이든 subgradient). numpyvae의 ReLU와 검사는 거기서 0, 곧 mask x > 0(또는 y > "
         "0)을 씁니다")),
    "relu.zero_half": (
        "at x = 0 yours passes half the gradient; numpyvae's ReLU takes 0 there, the mask x > 0",
        ("x = 0에서 기울기의 절반을 통과시켰습니다. numpyvae의 ReLU는 거기서 0, 곧 mask x > 0을 "
         "씁니다")),
    "relu.zero_other": (
        "at x = 0 yours is neither 0 nor dout; numpyvae's ReLU takes 0 there, the mask x > 0",
        "x = 0에서 0도 dout도 아닙니다. numpyvae의 ReLU는 거기서 0, 곧 mask x > 0을 씁니다"),
    # ---- exercise 3: Sigmoid, the cross entropy --------------------------------------------
    "sigmoid.no_1_minus_p": (
        "missing (1 - p): dp/dx = p (1 - p)",
        "(1 - p)가 빠졌습니다: dp/dx = p (1 - p)"),
    "sigmoid.no_p": ("missing p: dp/dx = p (1 - p)", "p가 빠졌습니다: dp/dx = p (1 - p)"),
    "sigmoid.local_only": (
        "that is the local derivative dp/dx alone: by the chain rule, multiply it by dout",
        "그것은 국소 도함수 dp/dx뿐입니다: 연쇄 법칙에 따라 dout을 곱하세요"),
    "sigmoid.x_for_p": (
        ("x (the input) where p = sigmoid(x) belongs: dp/dx = p (1 - p), with p kept by forward "
         "in self.p"),
        ("p = sigmoid(x)가 들어갈 자리에 입력 x를 썼습니다: dp/dx = p (1 - p)이고, p는 "
         "forward가 self.p에 남겨 둡니다")),
    "sigmoid.twice": (
        ("the sigmoid applied twice: self.p is already sigmoid(x), so dp/dx = self.p (1 - "
         "self.p), with no sigmoid in backward"),
        ("sigmoid를 두 번 적용했습니다: self.p가 이미 sigmoid(x)이므로 dp/dx = self.p (1 - "
         "self.p)이고, backward에는 sigmoid가 필요 없습니다")),
    "bce.sign": (
        "sign flipped: dL/dlogits = p - x, Eq. (9) (the loss falls as p moves toward x)",
        "부호가 반대입니다: dL/dlogits = p - x, Eq. (9)(p가 x 쪽으로 갈수록 loss가 줄어듭니다)"),
    "bce.sigmoid_again": (
        ("multiplied by the sigmoid's derivative p (1 - p) once more. bernoulli_nll takes the "
         "logits: in dL/dp * dp/dlogits the p (1 - p) cancels the denominator of dL/dp, leaving "
         "Eq. (9)"),
        ("sigmoid의 도함수 p (1 - p)를 한 번 더 곱했습니다. bernoulli_nll은 logits를 받습니다: "
         "dL/dp * dp/dlogits에서 p (1 - p)가 dL/dp의 분모와 약분되어 Eq. (9)가 남습니다")),
    "bce.dL_dp": (
        ("that is dL/dp, the gradient with respect to p; the check asks for dL/dlogits = dL/dp "
         "* dp/dlogits, which simplifies to Eq. (9)"),
        ("그것은 p에 대한 기울기 dL/dp입니다. 검사는 dL/dlogits = dL/dp * dp/dlogits를 묻고, "
         "이것을 정리하면 Eq. (9)가 됩니다")),
    "bce.logits_for_p": (
        "the logits where p = sigmoid(logits) belongs: dL/dlogits = p - x",
        "p = sigmoid(logits)가 들어갈 자리에 logits를 썼습니다: dL/dlogits = p - x"),
    "bce.no_x": ("missing the - x: dL/dlogits = p - x", "- x가 빠졌습니다: dL/dlogits = p - x"),
    "bce.one_for_x": (
        ("1 where the target x belongs: dL/dlogits = p - x, x the pixels (the second argument "
         "of bernoulli_nll_grad)"),
        ("정답 x가 들어갈 자리에 1을 썼습니다: dL/dlogits = p - x, x는 "
         "픽셀입니다(bernoulli_nll_grad의 두 번째 인자)")),
    "bce.sigmoid_twice": (
        ("the sigmoid applied twice: bernoulli_nll_grad takes the logits, so p = "
         "sigmoid(logits), once"),
        ("sigmoid를 두 번 적용했습니다: bernoulli_nll_grad는 logits를 받으므로 p = "
         "sigmoid(logits), 한 번입니다")),
    "bce.mean_pixels": (
        ("divided by the number of pixels D: the Reconstruction Error is summed over the "
         "pixels, Eq. (4)"),
        "픽셀 수 D로 나눴습니다: Reconstruction Error는 픽셀에 대해 합입니다, Eq. (4)"),
    "bce.mean_all": (
        "np.mean over pixels and examples: the loss here is a plain sum, so no division",
        "픽셀과 예제에 대해 np.mean을 썼습니다: 여기서 loss는 그냥 합이므로 나누지 않습니다"),
    # ---- exercise 4: the Reparameterization Trick ---------------------------------------------
    "sample.swapped": (
        ("dmu and dlogvar in swapped order: yours is the other one. Return them as (dmu, "
         "dlogvar), the order of the arguments mu, logvar"),
        ("dmu와 dlogvar의 순서가 바뀌었습니다: 여러분의 값은 다른 쪽입니다. 인자 mu, logvar의 "
         "순서대로 (dmu, dlogvar)로 돌려주세요")),
    "kl.swapped": (
        ('dmu and dlogvar in swapped order: yours is the other one. Put the gradient of mu '
         'under "mu" and that of logvar under "logvar": {{"mu": dmu, "logvar": dlogvar}}'),
        ('dmu와 dlogvar가 서로 바뀌었습니다: 여러분의 값은 다른 쪽입니다. mu의 기울기는 "mu"에, '
         'logvar의 기울기는 "logvar"에 넣으세요: {{"mu": dmu, "logvar": dlogvar}}')),
    "reparam.dmu_local": (
        "dz/dmu = 1 is the local derivative: by the chain rule dmu = dz * dz/dmu = dz",
        "dz/dmu = 1은 국소 도함수입니다: 연쇄 법칙에 따라 dmu = dz * dz/dmu = dz"),
    "reparam.dmu_dsigma": (
        "that is dL/dsigma; dmu = dz * dz/dmu = dz",
        "그것은 dL/dsigma입니다. dmu = dz * dz/dmu = dz"),
    "reparam.no_half": (
        ("missing the 1/2: dsigma/dlogvar = sigma / 2. sigma = exp(logvar / 2), and the 1/2 of "
         "the exponent comes down"),
        ("1/2이 빠졌습니다: dsigma/dlogvar = sigma / 2. sigma = exp(logvar / 2)이고, 지수의 "
         "1/2이 앞으로 내려옵니다")),
    "reparam.extra_half": (
        "an extra factor 1/2: dsigma/dlogvar = sigma / 2, once",
        "1/2이 한 번 더 곱해졌습니다: dsigma/dlogvar = sigma / 2, 한 번만"),
    "reparam.sigma2_for_sigma": (
        ("sigma^2 where sigma belongs: dsigma/dlogvar = d/dlogvar exp(logvar / 2) = sigma / 2, "
         "not sigma^2 / 2 (sigma^2 = exp(logvar) is the variance)"),
        ("sigma가 들어갈 자리에 sigma^2을 썼습니다: dsigma/dlogvar = d/dlogvar exp(logvar / 2) "
         "= sigma / 2이지 sigma^2 / 2가 아닙니다(sigma^2 = exp(logvar)은 분산입니다)")),
    "reparam.sigma_exp_logvar": (
        ("that differentiates sigma = exp(logvar); but logvar = log sigma^2, so sigma = "
         "exp(logvar / 2) and dsigma/dlogvar = sigma / 2, Eq. (7)"),
        ("그것은 sigma = exp(logvar)를 미분한 것입니다. 그러나 logvar = log sigma^2이므로 sigma "
         "= exp(logvar / 2)이고 dsigma/dlogvar = sigma / 2입니다, Eq. (7)")),
    "reparam.no_sigma": (
        "missing sigma: dsigma/dlogvar = sigma / 2, not 1/2",
        "sigma가 빠졌습니다: dsigma/dlogvar = sigma / 2이지 1/2이 아닙니다"),
    "reparam.dsigma_only": (
        "that is dL/dsigma; multiply by dsigma/dlogvar = sigma / 2",
        "그것은 dL/dsigma입니다. dsigma/dlogvar = sigma / 2를 곱하세요"),
    "reparam.no_eps": (
        "missing eps: dz/dsigma = eps, Eq. (7)",
        "eps가 빠졌습니다: dz/dsigma = eps, Eq. (7)"),
    "reparam.forward_exp": (
        ("sigma = exp(logvar) instead of exp(logvar / 2): logvar is log sigma^2, Eq. (2). The "
         "bug numpy-ml shipped: a backward that matches this forward passes every gradient "
         "check; only this value shows it"),
        ("sigma = exp(logvar / 2) 대신 exp(logvar)를 썼습니다: logvar는 log sigma^2입니다, Eq. "
         "(2). numpy-ml에 실제로 있던 bug입니다: 이 forward에 맞춘 backward는 모든 gradient "
         "check를 통과하고, 이 값만이 그것을 드러냅니다")),
    "reparam.forward_logvar": (
        "logvar used as sigma: sigma = exp(logvar / 2), Eq. (2)",
        "logvar를 sigma로 썼습니다: sigma = exp(logvar / 2), Eq. (2)"),
    "reparam.random": (
        ("{label} gives other numbers for the same dz: it draws random numbers. The sample's "
         "eps is the one forward drew, self.eps: dz/dsigma = eps, Eq. (7)"),
        ("같은 dz인데 {label}의 결과가 호출마다 다릅니다: 난수를 새로 뽑습니다. 샘플의 eps는 "
         "forward가 뽑은 self.eps입니다: dz/dsigma = eps, Eq. (7)")),
    # ---- exercise 5: the KL term ------------------------------------------------------------
    "kl.as_log_sigma": (
        ("logvar treated as log sigma (sigma^2 = exp(2 logvar)): logvar is log sigma^2, so "
         "sigma^2 = exp(logvar), its derivative is exp(logvar) itself, and dKL/dlogvar = "
         "(sigma^2 - 1) / 2, Eq. (8)"),
        ("logvar를 log sigma로 다뤘습니다(sigma^2 = exp(2 logvar)): logvar는 log sigma^2이므로 "
         "sigma^2 = exp(logvar)이고, 그 도함수는 exp(logvar) 자신이며 dKL/dlogvar = (sigma^2 - "
         "1) / 2입니다, Eq. (8)")),
    "kl.dmu_2": (
        "an extra factor 2: with the 1/2 of Eq. (5), d/dmu (mu^2 / 2) = mu",
        "2가 더 곱해졌습니다: Eq. (5)의 1/2과 함께 d/dmu (mu^2 / 2) = mu"),
    "kl.dmu_half": (
        "an extra 1/2: d/dmu (mu^2 / 2) = mu, the 2 of the square cancels the 1/2",
        "1/2이 더 곱해졌습니다: d/dmu (mu^2 / 2) = mu, 제곱의 2가 1/2과 약분됩니다"),
    "kl.no_half": (
        "missing the 1/2 of Eq. (5): dKL/dlogvar = (sigma^2 - 1) / 2, Eq. (8)",
        "Eq. (5)의 1/2이 빠졌습니다: dKL/dlogvar = (sigma^2 - 1) / 2, Eq. (8)"),
    "kl.no_minus_1": (
        "missing the - 1: d/dlogvar (-logvar) = -1, so dKL/dlogvar = (sigma^2 - 1) / 2",
        "- 1이 빠졌습니다: d/dlogvar (-logvar) = -1이므로 dKL/dlogvar = (sigma^2 - 1) / 2"),
    "kl.no_half_no_minus_1": (
        "missing the 1/2 and the - 1: dKL/dlogvar = (sigma^2 - 1) / 2, Eq. (8)",
        "1/2과 - 1이 빠졌습니다: dKL/dlogvar = (sigma^2 - 1) / 2, Eq. (8)"),
    "kl.sigma_for_sigma2": (
        "sigma where sigma^2 belongs: sigma^2 = exp(logvar), not exp(logvar / 2)",
        ("sigma^2이 들어갈 자리에 sigma를 썼습니다: sigma^2 = exp(logvar)이지 exp(logvar / 2)가 "
         "아닙니다")),
    "kl.extra_half": (
        "an extra factor 1/2: dKL/dlogvar = (sigma^2 - 1) / 2",
        "1/2이 더 곱해졌습니다: dKL/dlogvar = (sigma^2 - 1) / 2"),
    "kl.sign": (
        "sign flipped: the KL grows with sigma^2 above 1, so dKL/dlogvar = (sigma^2 - 1) / 2",
        ("부호가 반대입니다: sigma^2이 1보다 크면 KL이 커지므로 dKL/dlogvar = (sigma^2 - 1) / "
         "2입니다")),
    "kl.minus_1_twice": (
        ("the - 1 counted twice: the constant - 1 of Eq. (5) has derivative 0; the - 1 of the "
         "gradient comes from - logvar"),
        ("- 1을 두 번 셌습니다: Eq. (5)의 상수 - 1은 도함수가 0이고, 기울기의 - 1은 - "
         "logvar에서 옵니다")),
    "kl.value_not_gradient": (
        "that is the KL itself, entry by entry, not its derivative",
        "그것은 원소별 KL 값 자체이지 도함수가 아닙니다"),
    "kl.sigma_in_eq5": (
        ("Eq. (5) written with sigma where sigma^2 belongs, then differentiated: the KL has "
         "sigma^2 = exp(logvar), whose derivative is sigma^2 itself, so dKL/dlogvar = (sigma^2 "
         "- 1) / 2"),
        ("Eq. (5)를 sigma^2 대신 sigma로 쓴 뒤 미분했습니다: KL에는 sigma^2 = exp(logvar)가 "
         "있고 그 도함수는 sigma^2 자신이므로 dKL/dlogvar = (sigma^2 - 1) / 2입니다")),
    "kl.dsigma": (
        ("that is dKL/dsigma, the derivative with respect to sigma; the check asks for "
         "dKL/dlogvar = dKL/dsigma * dsigma/dlogvar, with dsigma/dlogvar = sigma / 2: (sigma^2 "
         "- 1) / 2"),
        ("그것은 sigma에 대한 도함수 dKL/dsigma입니다. 검사는 dKL/dlogvar = dKL/dsigma * "
         "dsigma/dlogvar를 묻고, dsigma/dlogvar = sigma / 2이므로 (sigma^2 - 1) / 2입니다")),
    # ---- exercise 6: Adam -------------------------------------------------------------------
    "adam.unchanged": (
        ("the weights did not change: update the caller's arrays in place (w -= ..., or "
         "self.params[name][...] = ...)"),
        ("가중치가 바뀌지 않았습니다: 호출한 쪽의 배열을 제자리에서 갱신하세요(w -= ..., 또는 "
         "self.params[name][...] = ...)")),
    "adam.no_correction": (
        ("no bias correction: m^ = m / (1 - b1^t) and v^ = v / (1 - b2^t). Without them the "
         "first steps come out wrong (m and v start at 0)"),
        ("bias correction이 없습니다: m^ = m / (1 - b1^t), v^ = v / (1 - b2^t). 이것이 없으면 "
         "처음 몇 step이 틀립니다(m과 v가 0에서 시작하므로)")),
    "adam.no_m_correction": (
        "v is corrected but m is not: m^ = m / (1 - b1^t)",
        "v는 보정했지만 m은 보정하지 않았습니다: m^ = m / (1 - b1^t)"),
    "adam.no_v_correction": (
        "m is corrected but v is not: v^ = v / (1 - b2^t)",
        "m은 보정했지만 v는 보정하지 않았습니다: v^ = v / (1 - b2^t)"),
    "adam.eps_inside": (
        "eps inside the square root: Eq. (10) divides by sqrt(v^) + eps",
        "eps가 제곱근 안에 있습니다: Eq. (10)은 sqrt(v^) + eps로 나눕니다"),
    "adam.eps_unscaled": (
        ("the step-size form lr_t = lr sqrt(1 - b2^t) / (1 - b1^t) needs eps scaled too, eps_t "
         "= eps sqrt(1 - b2^t); or use m^ and v^ as in Eq. (10)"),
        ("step 크기 형태 lr_t = lr sqrt(1 - b2^t) / (1 - b1^t)에서는 eps도 eps_t = eps sqrt(1 - "
         "b2^t)로 바꿔야 합니다. 아니면 Eq. (10)처럼 m^과 v^을 쓰세요")),
    "adam.t_stays_1": (
        "t is 1 at every step: count the steps in self.t (t += 1 at each step)",
        "t가 매 step 1입니다: step 수를 self.t에 세세요(step마다 t += 1)"),
    "adam.t_from_0": (
        ("t is 0 at the first step, so 1 - b1^t = 0 and m^ divides by zero: count the step "
         "(self.t += 1) before using t"),
        ("첫 step에서 t가 0이라 1 - b1^t = 0이 되어 m^이 0으로 나눕니다: t를 쓰기 전에 step을 "
         "세세요(self.t += 1)")),
    "adam.t_+_1": (
        ("t is off by one: it is 2 at the first step (self.t + 1 after self.t += 1, or the step "
         "counted twice). t is 1 at the first step: count it once, then use self.t"),
        ("t가 하나 어긋났습니다: 첫 step에서 2입니다(self.t += 1 다음에 self.t + 1을 쓰거나 "
         "step을 두 번 셌습니다). 첫 step에서 t는 1입니다: 한 번 세고 self.t를 쓰세요")),
    "adam.t_per_parameter": (
        ("t is counted once per parameter (self.t += 1 inside the loop over the weights): with "
         "these {n} weights t runs 1, 2, ... within the first step. t counts steps: add 1 once, "
         "before the loop"),
        ("t를 parameter마다 셌습니다(가중치 loop 안의 self.t += 1): 이 검사의 가중치 {n}개로는 "
         "첫 step 안에서 t가 1, 2, ...로 늘어납니다. t는 step을 셉니다: loop 전에 한 번 1을 "
         "더하세요")),
    "adam.v_of_g": (
        ("v averages g where g^2 belongs: v = b2 v + (1 - b2) g^2 (a negative v has no square "
         "root)"),
        "v가 g^2이 아니라 g를 평균냅니다: v = b2 v + (1 - b2) g^2(음수 v에는 제곱근이 없습니다)"),
    "adam.m_and_v_restart": (
        ("m and v restart from 0 at every step: keep them across steps, in self.m[name] and "
         "self.v[name]"),
        ("m과 v가 매 step 0에서 다시 시작합니다: step이 바뀌어도 self.m[name], self.v[name]에 "
         "간직하세요")),
    "adam.m_and_v_after_the_step": (
        ("m^ and v^ come from m and v before this step's update (at the first step they are 0, "
         "and so is the step): update m and v with g first, then correct them and step"),
        ("m^과 v^을 이번 step에서 갱신하기 전의 m과 v로 만들었습니다(첫 step에서는 0이라 step도 "
         "0입니다): 먼저 g로 m과 v를 갱신하고, 그다음 보정해서 step하세요")),
    "adam.betas_swapped": (
        ("the weights of the running means are swapped: m = b1 m + (1 - b1) g (b1 weighs the "
         "old m)"),
        "이동 평균의 가중치가 바뀌었습니다: m = b1 m + (1 - b1) g(b1이 옛 m에 곱해집니다)"),
    "adam.betas_unpacked_swapped": (
        ("b1 and b2 the wrong way round (b2, b1 = self.betas): self.betas is (b1, b2) = (0.9, "
         "0.999); b1 goes with m, b2 with v"),
        ("b1과 b2를 거꾸로 풀었습니다(b2, b1 = self.betas): self.betas는 (b1, b2) = (0.9, "
         "0.999)이고, b1은 m에, b2는 v에 씁니다")),
    "adam.g_for_m": (
        "the step uses g where m^ belongs: w -= lr m^ / (sqrt(v^) + eps)",
        "step에 m^ 대신 g를 썼습니다: w -= lr m^ / (sqrt(v^) + eps)"),
    "adam.uphill": (
        "the weights went uphill: w = w - lr m^ / (sqrt(v^) + eps)",
        "가중치가 오르막으로 갔습니다: w = w - lr m^ / (sqrt(v^) + eps)"),
    "adam.state_per_shape": (
        ("m and v are kept per shape, not per weight: b and c of the check have one shape and "
         "share one m and v. Key them by name, self.m[name] and self.v[name]: in the VAE "
         "several weights have one shape"),
        ("m과 v를 가중치가 아니라 shape마다 두었습니다: 이 검사의 b와 c는 shape이 같아 m과 v "
         "하나를 나눠 씁니다. 이름으로 두세요, self.m[name], self.v[name]: VAE에는 shape이 같은 "
         "가중치가 여럿 있습니다")),
    "adam.shared_state_error": (
        ("the check's weights have different shapes ({shapes}): is one m and v shared by all "
         "parameters? Each weight needs its own m and v, of its shape, kept across steps in "
         "self.m[name] and self.v[name]"),
        ("이 검사의 가중치는 shape이 서로 다릅니다({shapes}): m과 v 하나를 모든 parameter가 "
         "나눠 쓰나요? 가중치마다 자기 shape의 m과 v가 있어야 하고, step이 바뀌어도 "
         "self.m[name], self.v[name]에 간직해야 합니다")),
    "adam.shape": (
        "the weight {k} no longer has shape {shape} after a step",
        "step 뒤에 가중치 {k}의 shape이 {shape}에서 바뀌었습니다"),
    "adam.in_place_row": ("Adam  updates {k} in place", "Adam  {k} 제자리 갱신"),
    "adam.rebound": (
        ("Adam.step bound a new array to params[{k!r}] (params[name] = w - ...): the model "
         "holds the old array and never sees the update. Write w -= ... (or params[name][...] = "
         "...)"),
        ("Adam.step이 params[{k!r}]에 새 배열을 묶었습니다(params[name] = w - ...): 모델은 옛 "
         "배열을 들고 있어 갱신을 보지 못합니다. w -= ... (또는 params[name][...] = ...)로 "
         "쓰세요")),
    "adam.changed_grads": (
        ("Adam.step changed the gradients in place (g *= ... or g -= ...); they belong to the "
         "caller: compute new arrays from them instead"),
        ("Adam.step이 기울기를 제자리에서 바꿨습니다(g *= ... 또는 g -= ...). 기울기는 호출한 "
         "쪽의 것입니다: 대신 새 배열을 계산하세요")),
    "adam.two_row": ("Adam  two optimizers keep apart", "Adam  optimizer 두 개가 따로 동작"),
    "adam.shared_between": (
        ("right alone, wrong beside another Adam: two optimizers share their m, v or t. Keep "
         "them in self (made in __init__), not in class attributes or globals"),
        ("혼자서는 맞는데 다른 Adam과 함께 쓰면 틀립니다: 두 optimizer가 m, v 또는 t를 나눠 "
         "씁니다. class 속성이나 전역 변수가 아니라 self에(__init__에서 만들어) 두세요")),
    "adam.float32_row": ("Adam  float32 weights stay float32", "Adam  float32 가중치는 float32로"),
    # ---- exercise 7: its rows ------------------------------------------------------------------
    "vae.returns_row": (
        "VAE  returns its gradients (fit hands them to Adam)",
        "VAE  기울기를 돌려줌(fit이 그것을 Adam에 넘김)"),
    "vae.returns_not_mapping": (
        ("backward returned {got}: fit does optimizer.step(model.backward()), so backward "
         "returns the mapping of the model's gradients: return self.grads"),
        ("backward의 반환값: {got}. fit은 optimizer.step(model.backward())를 하므로 backward는 "
         "모델 기울기의 mapping을 돌려주어야 합니다: return self.grads")),
    "vae.returns_names": (
        ("what backward returned is not named as the model's parameters (missing: {missing}; "
         "not a parameter: {extra}): Adam looks each gradient up by the name of its weight. "
         "return self.grads"),
        ("backward가 돌려준 것의 이름이 모델 parameter의 이름과 다릅니다(없음: {missing}; "
         "parameter가 아님: {extra}): Adam은 각 기울기를 가중치 이름으로 찾습니다. return "
         "self.grads")),
    "vae.returns_shape": (
        "what backward returned under {k!r} is {got}, the weight has shape {want} (transposed?)",
        "backward가 {k!r} 이름으로 돌려준 것은 {got}인데 가중치의 shape은 {want}입니다(전치?)"),
    "vae.returns_other": (
        ("what backward returned under {k!r} is not what it left in self.grads: return "
         "self.grads itself, not other arrays"),
        ("backward가 {k!r} 이름으로 돌려준 값이 self.grads에 남긴 값과 다릅니다: 다른 배열이 "
         "아니라 self.grads 자체를 돌려주세요")),
    "vae.returns_stale": (
        ("on a 2nd call what backward returned under {k!r} is not this call's gradient (kept "
         "from an earlier call, or summed over calls): return self.grads"),
        ("두 번째 호출에서 backward가 {k!r} 이름으로 돌려준 값이 이번 호출의 기울기가 "
         "아닙니다(앞선 호출에서 남겼거나 호출마다 더했습니다): return self.grads")),
    "vae.own_grads_row": ("VAE  writes into its own grads", "VAE  자기 grads에 씀"),
    "vae.rebound_grads": (
        ("backward bound something new to self.grads: the layers write into the model's buffer, "
         "which the optimizer was given once; keep self.grads as it is"),
        ("backward가 self.grads에 새 것을 묶었습니다: 계층들은 optimizer가 처음에 받은 모델의 "
         "buffer에 씁니다. self.grads는 그대로 두세요")),
    "vae.deep_row": ("VAE  two hidden layers (7, 5)", "VAE  hidden layer 두 개(7, 5)"),
    "vae.others_row": (
        "VAE  N = 1, eps = 0, beta = 1, beta = 0, the same batch twice",
        "VAE  N = 1, eps = 0, beta = 1, beta = 0, 같은 배치 두 번"),
    "vae.accumulates": (
        ("the 2nd call's gradients are the 1st call's plus the 2nd's: something adds into the "
         "gradients (+=) across calls. Each backward writes this batch's gradients; the "
         "training loop never clears them"),
        ("두 번째 호출의 기울기가 첫 번째와 두 번째의 합입니다: 무언가가 호출마다 기울기에 "
         "더합니다(+=). backward는 매번 이번 배치의 기울기를 씁니다. 학습 loop는 기울기를 "
         "지우지 않습니다")),
    "vae.stale": (
        ("the 2nd call's gradients are still the 1st call's: backward keeps something from the "
         "first call"),
        ("두 번째 호출의 기울기가 여전히 첫 번째 호출의 것입니다: backward가 첫 번째 호출의 "
         "무언가를 간직합니다")),
    "vae.every_layer": (
        ("With one hidden layer it is right: walk every layer (self.encoder.backward and "
         "self.decoder.backward do, for any depth)."),
        ("hidden layer가 하나일 때는 맞습니다: 모든 계층을 거치세요(self.encoder.backward와 "
         "self.decoder.backward는 깊이에 상관없이 그렇게 합니다).")),
    # ---- exercise 7: where, path by path ------------------------------------------------------
    "path.db_zero": (
        ("({layer}'s db is all zeros: its bias gradient, the sum of d over the batch, is never "
         "written.)"),
        ("({layer}의 db가 모두 0입니다: bias의 기울기, 곧 d를 배치에 대해 합한 것을 쓰지 "
         "않았습니다.)")),
    "vae.accumulates_in": (
        ("the 2nd call's gradients of {layers} are the 1st call's plus the 2nd's: they are "
         "added into (+=) across calls. Each backward writes this batch's gradients (=); the "
         "training loop never clears them"),
        ("두 번째 호출에서 {layers}의 기울기가 첫 번째와 두 번째의 합입니다: 호출마다 "
         "더해집니다(+=). backward는 매번 이번 배치의 기울기를 씁니다(=). 학습 loop는 기울기를 "
         "지우지 않습니다")),
    "vae.scaled": (
        ("the 2nd call's gradients are {factor} times this batch's: backward keeps something "
         "across calls (a count of the examples seen, a running sum): each call's gradient "
         "depends on its own batch only, the 1/N of Eq. (6) on its own N"),
        ("두 번째 호출의 기울기가 이번 배치 기울기의 {factor}배입니다: backward가 호출 사이에 "
         "무언가(지금까지 본 예제 수, 누적 합)를 간직합니다: 호출마다 기울기는 그 배치에만, Eq. "
         "(6)의 1/N은 그 배치의 N에만 달려 있습니다")),
    "vae.shape_error": (
        ("an array reached a layer whose shapes it does not fit: each layer's backward takes "
         "the gradient of that layer's own output, last layer first (in an MLP: act.backward, "
         "then dense.backward), Eq. (1) for the Encoder, Eq. (3) for the Decoder"),
        ("어떤 배열이 shape이 맞지 않는 계층에 들어갔습니다: 계층마다 backward는 그 계층 자신의 "
         "출력에 대한 기울기를 받고, 마지막 계층부터 거꾸로 갑니다(MLP에서는 act.backward, "
         "그다음 dense.backward). Encoder는 Eq. (1), Decoder는 Eq. (3)")),
    "vae.none_error": (
        ("a backward returned None where the next layer needs a gradient: need_dx=False skips "
         "dL/dx, and only the Encoder's first layer may skip it (x is data)"),
        ("다음 계층에 기울기가 필요한 곳에서 backward가 None을 돌려주었습니다: need_dx=False는 "
         "dL/dx를 건너뛰며, 건너뛰어도 되는 것은 Encoder의 첫 계층뿐입니다(x는 데이터)")),
    "path.where.out": (
        ("the Decoder's output layer decoder.out, Eq. (3), and what reaches it: Eq. (9) with "
         "the 1/N of Eq. (6)"),
        ("Decoder의 출력 계층 decoder.out, Eq. (3), 그리고 거기 들어오는 기울기: Eq. (6)의 "
         "1/N을 곱한 Eq. (9)")),
    "path.where.decoder": (
        ("the Decoder's layer {layer}, Eq. (3): the gradient from the layer above, times its "
         "ReLU's derivative"),
        "Decoder의 계층 {layer}, Eq. (3): 위 계층에서 온 기울기에 ReLU의 도함수를 곱한 것"),
    "path.where.heads": (
        ("the two paths into mu and logvar: through the sample z, Eq. (7), plus through the KL, "
         "Eq. (8), weighted beta / N"),
        ("mu와 logvar로 들어오는 두 경로: 샘플 z를 거치는 Eq. (7)과, beta / N을 곱한 KL의 Eq. "
         "(8)의 합")),
    "path.where.encoder_top": (
        ("the Encoder's last layer {layer}, Eq. (1): h feeds both heads, so its gradient is "
         "what both heads return, times its ReLU's derivative"),
        ("Encoder의 마지막 계층 {layer}, Eq. (1): h가 두 head에 모두 들어가므로 기울기는 두 "
         "head가 돌려준 것의 합에 ReLU의 도함수를 곱한 것")),
    "path.where.encoder": (
        ("the Encoder's layer {layer}, Eq. (1): the gradient from the layer above, times its "
         "ReLU's derivative"),
        "Encoder의 계층 {layer}, Eq. (1): 위 계층에서 온 기울기에 ReLU의 도함수를 곱한 것"),
    "path.out.no_n": (
        "the 1/N of the batch mean is missing: Eq. (6) averages over the batch, so dlogits / N",
        "배치 평균의 1/N이 빠졌습니다: Eq. (6)은 배치에 대해 평균하므로 dlogits / N입니다"),
    "path.out.n_twice": (
        "1/N applied twice: the batch mean of Eq. (6) divides once, dlogits / N",
        "1/N을 두 번 적용했습니다: Eq. (6)의 배치 평균은 한 번 나눕니다, dlogits / N"),
    "path.out.beta": (
        ("beta multiplies the Reconstruction Error's gradient too: Eq. (6) is recon + beta KL, "
         "so only the KL's gradient gets beta"),
        ("beta가 Reconstruction Error의 기울기에도 곱해졌습니다: Eq. (6)은 recon + beta "
         "KL이므로 beta는 KL의 기울기에만 곱합니다")),
    "path.out.sign": (
        "sign flipped: dlogits = p - x, Eq. (9)",
        "부호가 반대입니다: dlogits = p - x, Eq. (9)"),
    "path.out.p": (
        ("p where p - x belongs: Eq. (9), dLoss/dlogits = p - x (the cache's dlogits already is "
         "p - x)"),
        ("p - x가 들어갈 자리에 p를 썼습니다: Eq. (9), dLoss/dlogits = p - x(cache의 dlogits가 "
         "이미 p - x입니다)")),
    "path.out.sigmoid": (
        ("multiplied by the sigmoid's derivative p (1 - p): Eq. (9) already is the gradient "
         "with respect to the logits, p - x"),
        ("sigmoid의 도함수 p (1 - p)를 곱했습니다: Eq. (9)는 이미 logits에 대한 기울기 p - "
         "x입니다")),
    "path.out.dp": (
        "that is dL/dp; the decoder's out layer needs dL/dlogits = p - x, Eq. (9)",
        "그것은 dL/dp입니다. decoder의 out 계층에는 dL/dlogits = p - x, Eq. (9)가 필요합니다"),
    "path.out.mean_pixels": (
        ("divided by the number of pixels too: Eq. (4) sums over the pixels; only the batch is "
         "averaged, dlogits / N"),
        ("픽셀 수로도 나눴습니다: Eq. (4)는 픽셀에 대해 합하고, 평균은 배치에 대해서만 냅니다, "
         "dlogits / N")),
    "path.never": (
        "{layer}'s gradients are all zeros: its backward never ran (or its result went elsewhere)",
        ("{layer}의 기울기가 모두 0입니다: 그 backward가 실행되지 않았습니다(또는 결과가 다른 "
         "곳으로 갔습니다)")),
    "path.layer.no_relu": (
        ("the ReLU's derivative is missing: multiply by the mask of that layer's forward (x > "
         "0), or let its act's backward do it"),
        ("ReLU의 도함수가 빠졌습니다: 그 계층 forward의 mask(x > 0)를 곱하거나, act의 "
         "backward에 맡기세요")),
    "path.layer.flipped": (
        "the ReLU's mask is flipped: the gradient passes where x > 0",
        "ReLU의 mask가 반대입니다: 기울기는 x > 0인 곳에서 지나갑니다"),
    "path.layer.times_output": (
        "multiplied by the layer's output instead of its ReLU's derivative (1 where x > 0)",
        "ReLU의 도함수(x > 0인 곳에서 1) 대신 계층의 출력을 곱했습니다"),
    "path.enc.mu_only": (
        ("h gets the gradient of the mu head only: h feeds both heads, so dh = "
         "heads['mu'].backward(dmu) + heads['logvar'].backward(dlogvar)"),
        ("h가 mu head의 기울기만 받습니다: h는 두 head에 모두 들어가므로 dh = "
         "heads['mu'].backward(dmu) + heads['logvar'].backward(dlogvar)입니다")),
    "path.enc.lv_only": (
        ("h gets the gradient of the logvar head only (was the first dh overwritten, dh = ... "
         "where dh += ... belongs?): h feeds both heads, so their gradients add"),
        ("h가 logvar head의 기울기만 받습니다(dh += ...여야 할 곳에 dh = ...로 앞의 dh를 "
         "덮어썼나요?): h는 두 head에 모두 들어가므로 두 기울기를 더합니다")),
    "path.enc.mu_only_no_relu": (
        ("h gets the mu head's gradient only, and the ReLU's derivative is missing too: dh = "
         "heads['mu'].backward(dmu) + heads['logvar'].backward(dlogvar), then the mask x > 0"),
        ("h가 mu head의 기울기만 받고, ReLU의 도함수도 빠졌습니다: dh = "
         "heads['mu'].backward(dmu) + heads['logvar'].backward(dlogvar), 그다음 mask x > 0")),
    "path.factor": (
        "yours is the lecture's times a factor that depends on the setting: {listed}",
        "여러분의 값은 강의의 값에 설정마다 다른 배수를 곱한 것입니다: {listed}"),
    "path.differs_at": (
        "it differs (at {setting}, largest at index {index}: yours {got}, the lecture's {want})",
        ("값이 다릅니다({setting}에서 가장 큰 차이는 index {index}: 여러분의 값 {got}, 강의의 "
         "값 {want})")),
    "path.no_single_d": (
        ("{layer}'s dW and db do not come from one gradient reaching the layer (dW = a^T d, db "
         "= the sum of d over the batch): are they written by hand, one of them wrong?"),
        ("{layer}의 dW와 db가 그 계층에 들어온 하나의 기울기에서 나오지 않았습니다(dW = a^T d, "
         "db = d를 배치에 대해 합한 것): 손으로 쓰다가 둘 중 하나가 틀렸나요?")),
    "path.db_not_sum": (
        "({layer}'s db is not the sum over the batch of the gradient that gives its dW.)",
        "({layer}의 db가 dW를 주는 기울기를 배치에 대해 합한 것이 아닙니다.)"),
    "path.heads.swapped": (
        "dmu and dlogvar are swapped: mu's head gets logvar's gradient and the other way round",
        ("dmu와 dlogvar가 바뀌었습니다: mu head가 logvar의 기울기를 받고, 그 반대도 "
         "마찬가지입니다")),
    "path.heads.unexplained": (
        "dmu and dlogvar differ from dz plus the KL's share, but no single path explains it",
        "dmu와 dlogvar가 dz에 KL의 몫을 더한 것과 다르지만, 어느 한 경로로 설명되지 않습니다"),
    "path.mu.missing": (
        ("the sample's path into mu is missing: z = mu + sigma eps, so dz/dmu = 1 and dmu gets "
         "dz (Eq. (7)), plus the KL's share"),
        ("샘플을 거쳐 mu로 가는 경로가 빠졌습니다: z = mu + sigma eps이므로 dz/dmu = 1이고 "
         "dmu는 dz(Eq. (7))에 KL의 몫을 더한 것입니다")),
    "path.mu.sign": (
        "the sample's path into mu has its sign flipped: dz/dmu = +1, Eq. (7)",
        "샘플을 거쳐 mu로 가는 경로의 부호가 반대입니다: dz/dmu = +1, Eq. (7)"),
    "path.mu.twice": (
        "the sample's path into mu is counted twice: dmu gets dz once, Eq. (7)",
        "샘플을 거쳐 mu로 가는 경로를 두 번 셌습니다: dmu는 dz를 한 번 받습니다, Eq. (7)"),
    "path.mu.factor": (
        "the sample's path into mu is c dz where dz belongs (dz/dmu = 1, Eq. (7)): {listed}",
        "샘플을 거쳐 mu로 가는 경로가 dz가 아니라 c dz입니다(dz/dmu = 1, Eq. (7)): {listed}"),
    "path.lv.no_half": (
        ("the sample's path into logvar misses the 1/2: dsigma/dlogvar = sigma / 2, since sigma "
         "= exp(logvar / 2), Eq. (7)"),
        ("샘플을 거쳐 logvar로 가는 경로에 1/2이 빠졌습니다: sigma = exp(logvar / 2)이므로 "
         "dsigma/dlogvar = sigma / 2, Eq. (7)")),
    "path.lv.extra_half": (
        "the sample's path into logvar has an extra 1/2: dz * eps * sigma / 2, Eq. (7)",
        "샘플을 거쳐 logvar로 가는 경로에 1/2이 더 곱해졌습니다: dz * eps * sigma / 2, Eq. (7)"),
    "path.lv.sigma2": (
        ("the sample's path into logvar has sigma^2 where sigma belongs: dsigma/dlogvar = sigma "
         "/ 2, Eq. (7)"),
        ("샘플을 거쳐 logvar로 가는 경로에 sigma 대신 sigma^2이 있습니다: dsigma/dlogvar = "
         "sigma / 2, Eq. (7)")),
    "path.lv.exp_logvar": (
        ("the sample's path into logvar differentiates sigma = exp(logvar): but logvar = log "
         "sigma^2, so dsigma/dlogvar = sigma / 2, Eq. (7)"),
        ("샘플을 거쳐 logvar로 가는 경로가 sigma = exp(logvar)를 미분했습니다: 그러나 logvar = "
         "log sigma^2이므로 dsigma/dlogvar = sigma / 2, Eq. (7)")),
    "path.lv.no_sigma": (
        "the sample's path into logvar misses sigma: dsigma/dlogvar = sigma / 2, Eq. (7)",
        ("샘플을 거쳐 logvar로 가는 경로에 sigma가 빠졌습니다: dsigma/dlogvar = sigma / 2, Eq. "
         "(7)")),
    "path.lv.dsigma": (
        ("the sample's path into logvar stops at dL/dsigma = dz * eps: multiply by "
         "dsigma/dlogvar = sigma / 2, Eq. (7)"),
        ("샘플을 거쳐 logvar로 가는 경로가 dL/dsigma = dz * eps에서 멈췄습니다: dsigma/dlogvar "
         "= sigma / 2를 곱하세요, Eq. (7)")),
    "path.lv.no_eps": (
        "the sample's path into logvar misses eps: dz/dsigma = eps, Eq. (7)",
        "샘플을 거쳐 logvar로 가는 경로에 eps가 빠졌습니다: dz/dsigma = eps, Eq. (7)"),
    "path.lv.missing": (
        ("the sample's path into logvar is missing: dlogvar gets dz * eps * sigma / 2 (Eq. "
         "(7)), plus the KL's share"),
        ("샘플을 거쳐 logvar로 가는 경로가 빠졌습니다: dlogvar는 dz * eps * sigma / 2(Eq. "
         "(7))에 KL의 몫을 더한 것입니다")),
    "path.lv.sign": (
        "the sample's path into logvar has its sign flipped: + dz * eps * sigma / 2, Eq. (7)",
        "샘플을 거쳐 logvar로 가는 경로의 부호가 반대입니다: + dz * eps * sigma / 2, Eq. (7)"),
    "path.lv.factor": (
        "the sample's path into logvar is c times dz * eps * sigma / 2 (Eq. (7)): {listed}",
        "샘플을 거쳐 logvar로 가는 경로가 dz * eps * sigma / 2(Eq. (7))의 c배입니다: {listed}"),
    "path.lv.no_form": (
        ("the sample's path into logvar is not dz * eps * sigma / 2 (Eq. (7)) with the eps "
         "forward drew, nor a typical slip of it: take eps and sigma from forward "
         "(self.reparam.eps, self.reparam.sigma)"),
        ("샘플을 거쳐 logvar로 가는 경로가 forward가 뽑은 eps로 만든 dz * eps * sigma / 2(Eq. "
         "(7))도, 그것의 전형적인 실수도 아닙니다: eps와 sigma는 forward에서 "
         "가져오세요(self.reparam.eps, self.reparam.sigma)")),
    "path.lv.eps0": (
        ("At eps = 0 that path must vanish (dz/dsigma = eps) and yours does not: an eps other "
         "than forward's?"),
        ("eps = 0에서는 이 경로가 사라져야 하는데(dz/dsigma = eps) 여러분의 것은 사라지지 "
         "않습니다: forward의 것이 아닌 eps를 쓰나요?")),
    "path.random": (
        ("the same batch twice gives other gradients: backward draws random numbers (a fresh "
         "eps?). The sample's path, Eq. (7), uses the eps forward drew: self.reparam.backward "
         "(or self.reparam.eps)"),
        ("같은 배치로 두 번 하면 기울기가 다릅니다: backward가 난수를 뽑습니다(새 eps?). 샘플의 "
         "경로 Eq. (7)는 forward가 뽑은 eps를 씁니다: self.reparam.backward(또는 "
         "self.reparam.eps)")),
    "path.kl.beta_ignored": (
        ("the KL's share lacks beta: its weight is beta / N with beta = self.cache['beta'], "
         "the beta forward used (Eq. (6))"),
        ("KL의 몫에 beta가 빠졌습니다: 가중치는 beta / N이고 beta = self.cache['beta'], 곧 "
         "forward가 쓴 beta입니다(Eq. (6))")),
    "path.kl.config_beta": (
        ("the KL's share is weighted by self.config.beta: a KL warm-up changes beta batch by "
         "batch, so take the beta forward used, self.cache['beta'] (Eq. (6))"),
        ("KL의 몫에 self.config.beta를 곱했습니다: KL warm-up은 배치마다 beta를 바꾸므로 "
         "forward가 쓴 beta, self.cache['beta']를 쓰세요(Eq. (6))")),
    "path.kl.no_n": (
        ("the KL's share lacks the 1/N of the batch mean: its weight in Eq. (6) is beta / N, "
         "not beta"),
        ("KL의 몫에 배치 평균의 1/N이 빠졌습니다: Eq. (6)에서 가중치는 beta가 아니라 beta / "
         "N입니다")),
    "path.kl.n_twice": (
        "the KL's share has 1/N twice: its weight is beta / N (Eq. (6))",
        "KL의 몫에 1/N이 두 번 있습니다: 가중치는 beta / N입니다(Eq. (6))"),
    "path.kl.twice": (
        "the KL's share is added twice: mu and logvar get it once, beta / N times Eq. (8)",
        ("KL의 몫을 두 번 더했습니다: mu와 logvar는 그것을 한 번, Eq. (8)의 beta / N 배로 "
         "받습니다")),
    "path.kl.divided_by_beta": (
        "the KL's share is divided by beta: it is multiplied, beta / N times Eq. (8)",
        "KL의 몫을 beta로 나눴습니다: 곱해야 합니다, Eq. (8)의 beta / N배"),
    "path.kl.subtracted": (
        "the KL's share is subtracted: the loss adds beta KL, so its gradient adds too, Eq. (6)",
        "KL의 몫을 뺐습니다: loss가 beta KL을 더하므로 기울기도 더합니다, Eq. (6)"),
    "path.kl.missing": (
        ("the KL's share is missing: mu and logvar get gradient from two places, the sample "
         "(Eq. (7)) and the KL (Eq. (8)); add beta / N times self.cache['dkl']"),
        ("KL의 몫이 빠졌습니다: mu와 logvar는 두 곳, 샘플(Eq. (7))과 KL(Eq. (8))에서 기울기를 "
         "받습니다. self.cache['dkl']의 beta / N배를 더하세요")),
    "path.kl.beta_squared": (
        "the KL's share has beta twice: its weight is beta / N (Eq. (6))",
        "KL의 몫에 beta가 두 번 곱해졌습니다: 가중치는 beta / N입니다(Eq. (6))"),
    "path.kl.neither": (
        "the KL's share has neither beta nor 1/N: its weight is beta / N (Eq. (6))",
        "KL의 몫에 beta도 1/N도 없습니다: 가중치는 beta / N입니다(Eq. (6))"),
    "path.kl.mu_2": (
        "the KL's share of dmu is twice the right one: dKL/dmu = mu, Eq. (8)",
        "dmu에 들어간 KL의 몫이 맞는 값의 두 배입니다: dKL/dmu = mu, Eq. (8)"),
    "path.kl.mu_sign": (
        "the KL's share of dmu has its sign flipped: dKL/dmu = mu, Eq. (8)",
        "dmu에 들어간 KL의 몫의 부호가 반대입니다: dKL/dmu = mu, Eq. (8)"),
    "path.kl.factor": (
        "the KL's share of dmu is weighted c where beta / N belongs (Eq. (6), (8)): {listed}",
        "dmu에 들어간 KL의 몫의 가중치가 beta / N이 아니라 c입니다(Eq. (6), (8)): {listed}"),
    "path.kl.lv_no_half": (
        "the KL's share of dlogvar misses the 1/2: dKL/dlogvar = (sigma^2 - 1) / 2, Eq. (8)",
        "dlogvar에 들어간 KL의 몫에 1/2이 빠졌습니다: dKL/dlogvar = (sigma^2 - 1) / 2, Eq. (8)"),
    "path.kl.lv_sign": (
        "the KL's share of dlogvar has its sign flipped: dKL/dlogvar = (sigma^2 - 1) / 2, Eq. (8)",
        "dlogvar에 들어간 KL의 몫의 부호가 반대입니다: dKL/dlogvar = (sigma^2 - 1) / 2, Eq. (8)"),
    "path.kl.lv_factor": (
        "the KL's share of dlogvar is weighted c (Eq. (8), weight beta / N): {listed}",
        "dlogvar에 들어간 KL의 몫의 가중치가 c입니다(Eq. (8), 가중치 beta / N): {listed}"),
    "path.kl.lv_differs": (
        "the KL's share of dlogvar is not (sigma^2 - 1) / 2, Eq. (8)",
        "dlogvar에 들어간 KL의 몫이 (sigma^2 - 1) / 2가 아닙니다, Eq. (8)"),
    "path.kl.form.no_minus_1": (
        "the KL's share of dlogvar misses the - 1: dKL/dlogvar = (sigma^2 - 1) / 2, Eq. (8)",
        "dlogvar에 들어간 KL의 몫에 - 1이 빠졌습니다: dKL/dlogvar = (sigma^2 - 1) / 2, Eq. (8)"),
    "path.kl.form.sigma": (
        ("the KL's share of dlogvar has sigma where sigma^2 belongs: dKL/dlogvar = (sigma^2 - "
         "1) / 2, Eq. (8)"),
        ("dlogvar에 들어간 KL의 몫에 sigma^2 대신 sigma가 있습니다: dKL/dlogvar = (sigma^2 - 1) "
         "/ 2, Eq. (8)")),
    "path.kl.form.minus_2": (
        "the KL's share of dlogvar counts the - 1 twice: dKL/dlogvar = (sigma^2 - 1) / 2, Eq. (8)",
        "dlogvar에 들어간 KL의 몫이 - 1을 두 번 셉니다: dKL/dlogvar = (sigma^2 - 1) / 2, Eq. (8)"),
    "path.kl.form.log_sigma": (
        ("the KL's share of dlogvar treats logvar as log sigma: sigma^2 = exp(logvar), "
         "dKL/dlogvar = (sigma^2 - 1) / 2, Eq. (8)"),
        ("dlogvar에 들어간 KL의 몫이 logvar를 log sigma로 다룹니다: sigma^2 = exp(logvar), "
         "dKL/dlogvar = (sigma^2 - 1) / 2, Eq. (8)")),
    "path.kl.form.value": (
        ("the KL's share of dlogvar is the KL itself, not its derivative: dKL/dlogvar = "
         "(sigma^2 - 1) / 2, Eq. (8)"),
        ("dlogvar에 들어간 KL의 몫이 도함수가 아니라 KL 값 자체입니다: dKL/dlogvar = (sigma^2 - "
         "1) / 2, Eq. (8)")),
    "path.kl.form.dsigma": (
        "the KL's share of dlogvar is dKL/dsigma: dKL/dlogvar = (sigma^2 - 1) / 2, Eq. (8)",
        "dlogvar에 들어간 KL의 몫이 dKL/dsigma입니다: dKL/dlogvar = (sigma^2 - 1) / 2, Eq. (8)"),
    "path.sample.n_again": (
        ("the sample's path into mu and logvar has the 1/N twice: dz already carries the 1/N of "
         "dlogits / N, Eq. (7) adds none"),
        ("샘플을 거쳐 mu와 logvar로 가는 경로에 1/N이 두 번 있습니다: dz에 이미 dlogits / N의 "
         "1/N이 있고, Eq. (7)은 더 나누지 않습니다")),
    "path.kl.of_mu": ("In dmu:", "dmu에서:"),
    "path.kl.of_lv": ("In dlogvar:", "dlogvar에서:"),
    "path.nonfinite": (
        "(At {settings} yours gives nan or inf.)",
        "({settings}에서 여러분의 값은 nan이나 inf입니다.)"),
    "path.kl.times_n": (
        ("the KL's share is multiplied by N where the batch mean divides: its weight is beta / "
         "N (Eq. (6))"),
        "KL의 몫에 N을 곱했습니다: 배치 평균은 나눕니다. 가중치는 beta / N입니다(Eq. (6))"),
    "path.kl.config_beta_no_n": (
        ("the KL's share is weighted self.config.beta, without the 1/N of the batch mean: its "
         "weight is beta / N with the beta forward used, self.cache['beta'] (Eq. (6))"),
        ("KL의 몫의 가중치가 배치 평균의 1/N 없이 self.config.beta입니다: 가중치는 forward가 쓴 "
         "beta, self.cache['beta']로 만든 beta / N입니다(Eq. (6))")),
    "path.kl.mu_half": (
        ("the KL's share of dmu is half the right one: dKL/dmu = mu (the 2 of mu^2 cancels the "
         "1/2), Eq. (8)"),
        ("dmu에 들어간 KL의 몫이 맞는 값의 절반입니다: dKL/dmu = mu(mu^2의 2가 1/2과 "
         "약분됩니다), Eq. (8)")),
    "path.kl.lv_extra_half": (
        "the KL's share of dlogvar has an extra 1/2: dKL/dlogvar = (sigma^2 - 1) / 2, Eq. (8)",
        ("dlogvar에 들어간 KL의 몫에 1/2이 더 곱해졌습니다: dKL/dlogvar = (sigma^2 - 1) / 2, "
         "Eq. (8)")),
    "path.kl.form.mu": (
        ("dlogvar gets the KL's gradient of mu, self.cache['dkl']['mu'], where dKL/dlogvar = "
         "(sigma^2 - 1) / 2, self.cache['dkl']['logvar'], belongs (Eq. (8))"),
        ("dlogvar가 dKL/dlogvar = (sigma^2 - 1) / 2, 곧 self.cache['dkl']['logvar'] 대신 mu의 KL "
         "기울기 self.cache['dkl']['mu']를 받습니다(Eq. (8))")),
    "path.kl.form.through_sample": (
        ("the KL's gradient of mu was added to dz before the sample's backward, so it reaches "
         "logvar through Eq. (7) too, and dKL/dlogvar never does: add the KL's share to dmu and "
         "dlogvar after the sample's path (Eq. (8))"),
        ("mu의 KL 기울기를 샘플의 backward 전에 dz에 더했습니다: 그래서 Eq. (7)을 거쳐 "
         "logvar에도 가고, dKL/dlogvar는 끝내 들어가지 않습니다. KL의 몫은 샘플의 경로 다음에 "
         "dmu와 dlogvar에 더하세요(Eq. (8))")),
    "path.heads.dmu_into_logvar": (
        ("the logvar head gets dmu, the gradient of mu: heads['logvar'].backward takes dlogvar "
         "(the sample's path, Eq. (7), plus the KL's, Eq. (8))"),
        ("logvar head가 mu의 기울기 dmu를 받습니다: heads['logvar'].backward에는 dlogvar(샘플의 "
         "경로 Eq. (7)과 KL의 Eq. (8)의 합)를 넘기세요")),
    "path.heads.dlogvar_into_mu": (
        ("the mu head gets dlogvar, the gradient of logvar: heads['mu'].backward takes dmu (the "
         "sample's path, Eq. (7), plus the KL's, Eq. (8))"),
        ("mu head가 logvar의 기울기 dlogvar를 받습니다: heads['mu'].backward에는 dmu(샘플의 "
         "경로 Eq. (7)과 KL의 Eq. (8)의 합)를 넘기세요")),
    "path.mu.no_form": (
        ("dmu is not dz plus a share of mu: through the sample, dz/dmu = 1, so dmu gets dz (Eq. "
         "(7)); through the KL, beta / N times mu (Eq. (8))"),
        ("dmu가 dz에 mu의 몫을 더한 것이 아닙니다: 샘플을 거치면 dz/dmu = 1이므로 dmu는 dz를 "
         "받고(Eq. (7)), KL을 거치면 mu의 beta / N배를 받습니다(Eq. (8))")),
    "path.mu.form.eps": (
        ("the sample's path into mu has eps: z = mu + sigma eps, so dz/dmu = 1 and dmu gets dz; "
         "eps belongs to sigma's path (Eq. (7))"),
        ("샘플을 거쳐 mu로 가는 경로에 eps가 있습니다: z = mu + sigma eps이므로 dz/dmu = 1이고 "
         "dmu는 dz를 받습니다. eps는 sigma 쪽 경로의 것입니다(Eq. (7))")),
    "path.mu.form.eps_sigma": (
        ("dmu gets logvar's path through the sample, dz * eps * sigma / 2: dz/dmu = 1, so dmu "
         "gets dz (Eq. (7))"),
        ("dmu가 logvar 쪽 샘플 경로 dz * eps * sigma / 2를 받습니다: dz/dmu = 1이므로 dmu는 "
         "dz를 받습니다(Eq. (7))")),
    "path.kl.form.logvar": (
        ("the KL's share of dlogvar treats logvar as sigma^2: sigma^2 = exp(logvar), so "
         "dKL/dlogvar = (sigma^2 - 1) / 2, Eq. (8)"),
        ("dlogvar에 들어간 KL의 몫이 logvar를 sigma^2처럼 다룹니다: sigma^2 = exp(logvar)이므로 "
         "dKL/dlogvar = (sigma^2 - 1) / 2, Eq. (8)")),
    "path.kl.eps0": (
        "(At eps = 0 only the KL's path reaches logvar, and there yours differs.)",
        "(eps = 0이면 logvar에는 KL의 경로만 닿는데, 거기서 여러분의 값이 다릅니다.)"),
    "path.lv.beta0": (
        "(At beta = 0 only the sample's path reaches logvar, and there yours differs.)",
        "(beta = 0이면 logvar에는 샘플의 경로만 닿는데, 거기서 여러분의 값이 다릅니다.)"),
    "path.instead_of": ("instead of", "맞는 값"),
    "path.follows": (
        "this layer's own step is right: what reaches it is wrong, see the first wrong row above",
        ("이 계층 자신의 단계는 맞습니다: 이 계층에 들어오는 기울기가 틀렸습니다. 위의 첫 번째 "
         "틀린 행을 보세요")),
    "path.see_above": (
        "wrong here too: see the rows above",
        "여기서도 틀립니다: 위의 행을 보세요"),
    "path.unlocated": (
        ("differs from the library's backward; no single stage could be singled out (too many "
         "differ at once)"),
        ("library의 backward와 다릅니다. 어느 한 단계를 짚어 낼 수 없습니다(여러 곳이 한꺼번에 "
         "다릅니다)")),
    # ---- numpyvae exercises train -----------------------------------------------------------
    "capstone.heading": (
        "numpyvae exercises train: a VAE made of your exercises in {folder}/",
        "numpyvae exercises train: {folder}/의 연습 문제로 만든 VAE"),
    "capstone.heading_solutions": (
        "numpyvae exercises train: a VAE made of the library's own solutions (--solutions)",
        "numpyvae exercises train: library 자신의 답으로 만든 VAE(--solutions)"),
    "capstone.solutions_folder": (
        "--solutions trains the library's own code: leave out the folder",
        "--solutions는 library 자신의 코드를 학습시킵니다: 폴더는 빼세요"),
    "capstone.checking": (
        "checking the exercises it is made of (as 'numpyvae exercises check' does):",
        "VAE를 이루는 연습 문제를 검사합니다('numpyvae exercises check'와 같은 검사):"),
    "capstone.is_status": ("{file} is {status}", "{file}: {status}"),
    "capstone.library_used": (
        "(the library's {uses} is used instead)",
        "(대신 library의 {uses} 사용)"),
    "capstone.refused": (
        "not training: {problems}. Training needs all {count} right.",
        "학습하지 않습니다: {problems}. 학습하려면 {count}개가 모두 맞아야 합니다."),
    "capstone.see_why": ("see why with: {command}", "이유 보기: {command}"),
    "capstone.anyway": (
        ("(or train all the same with --anyway: a wrong exercise is used as it is, one not yet "
         "solved is replaced by the library's)"),
        ("(그래도 학습하려면 --anyway: 틀린 연습 문제는 그대로 쓰고, 아직 안 푼 것은 library의 "
         "것으로 바꿉니다)")),
    "capstone.training_anyway": (
        "training anyway (--anyway), although {problems}",
        "{problems}이지만 그래도 학습합니다(--anyway)"),
    "capstone.glyphs": (
        "(MNIST is not on this machine: --quick uses glyph-digits, drawn offline)",
        "(이 컴퓨터에 MNIST가 없습니다: --quick은 offline으로 그린 glyph-digits를 씁니다)"),
    "capstone.setup": (
        ("{name}: {n} training images, {m} test images; {arch} {act}, batches of {batch}, Adam "
         "lr {lr}, seed {seed}, {epochs} epoch(s)"),
        ("{name}: 학습 이미지 {n}장, test 이미지 {m}장. {arch} {act}, 배치 {batch}, Adam lr "
         "{lr}, seed {seed}, epoch {epochs}번")),
    "capstone.yours": (
        "yours (numpyvae.train.fit, with your Adam as the optimizer):",
        "여러분의 VAE(numpyvae.train.fit, optimizer는 여러분의 Adam):"),
    "capstone.library": (
        "the library's (numpyvae.train.fit, the same seed, settings and data):",
        "library의 VAE(numpyvae.train.fit, 같은 seed, 설정, 데이터):"),
    "capstone.stopped": (
        "your VAE stopped training: {what}",
        "여러분의 VAE가 학습 중에 멈췄습니다: {what}"),
    "capstone.result": (
        ("test -ELBO after {epochs} epoch(s) (nats per image): yours {yours}, the library's "
         "{theirs}, |diff| = {diff} ({op} {tol}, float32 noise)"),
        ("epoch {epochs}번 뒤 test -ELBO(이미지당 nats): 여러분의 VAE {yours}, library의 VAE "
         "{theirs}, |diff| = {diff} ({op} {tol}, float32 noise)")),
    "capstone.same": (
        ("=> your VAE trains like the library's: every gradient, the loss terms' gradients, the "
         "sample and the Adam step yours."),
        ("=> 여러분의 VAE는 library의 VAE처럼 학습합니다: 모든 기울기, loss 항의 기울기, 샘플, "
         "Adam step이 여러분의 것입니다.")),
    "capstone.same_solutions": (
        "=> the library's own solutions train like the library.",
        "=> library 자신의 답은 library처럼 학습합니다."),
    "capstone.different": (
        "=> your VAE trains differently from the library's.",
        "=> 여러분의 VAE는 library의 VAE와 다르게 학습합니다."),
    "capstone.swapping": (
        ("which exercise makes the difference: {steps} steps of fit on the library's VAE with "
         "one of your exercises swapped in at a time, against the same steps of the library's:"),
        ("어느 연습 문제가 차이를 만드는지: library의 VAE에 여러분의 연습 문제를 하나씩만 바꿔 "
         "넣고 fit으로 {steps} step 학습해 library의 같은 step과 비교합니다:")),
    "capstone.differs": (
        ("{file} ({uses}): its weights end {distance} away from the library's (in units of how "
         "far the library's moved): this exercise differs"),
        ("{file}({uses}): 가중치가 library의 것에서 {distance}만큼 떨어져 끝납니다(library의 "
         "가중치가 움직인 거리를 1로 잼): 이 연습 문제가 다릅니다")),
    "capstone.differs_broke": (
        "{file} ({uses}): training with it alone fails or diverges",
        "{file}({uses}): 이것 하나만 바꿔 넣어도 학습이 실패하거나 발산합니다"),
    "capstone.none_alone": (
        ("no exercise differs alone: the difference comes from two together, or from more steps "
         "than these"),
        ("하나만 바꿔서는 다른 연습 문제가 없습니다: 둘 이상이 함께 만드는 차이이거나, 이보다 "
         "더 많은 step에서 나타나는 차이입니다")),
    "capstone.checks_miss": (
        ("(run 'numpyvae exercises check --only' on it: when the check says solved, tell us: "
         "the check should have caught it)"),
        ("(그 연습 문제에 'numpyvae exercises check --only'를 실행해 보세요: 검사가 풂이라고 "
         "하면 알려 주세요: 검사가 잡았어야 하는 실수입니다)")),
    "capstone.no_matplotlib": (
        "(matplotlib is not installed: no pictures. pip install matplotlib to get them)",
        ("(matplotlib이 설치되어 있지 않아 그림이 없습니다. pip install matplotlib으로 "
         "설치하세요)")),
    "capstone.pictures": (
        "wrote {samples} (yours beside the library's) and {recons}",
        "그림을 만들었습니다: {samples}(여러분의 VAE와 library의 VAE 나란히), {recons}"),
}
