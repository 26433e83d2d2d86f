"""Exercise 6, ``Adam.step``: three steps on three weights against Eq. (10) computed by
hand (``gradcheck.adam_reference``, which shares no code with ``optim.Adam``), two of them of one shape, so that m and v kept per
shape instead of per name cannot pass; then two optimizers side by side (no state shared
between them) and float32 weights."""

from __future__ import annotations

import numpy as np

from .. import optim
from ..gradcheck import BOUND_EXACT, adam_reference, rel_error
from .contracts import failed_at
from .exercise import OK, WRONG, Exercise, Part, Recorded, Recorder, Row, Stage, give
from .grading import explain, failure_row, float32_row
from .messages import say

#: The weights of the check: b and c have one shape, so state per shape is caught.
SHAPES = {"w": (3, 4), "b": (4,), "c": (4,)}
STEPS, LR = 3, 0.1
BETAS, EPS = (0.9, 0.999), 1e-8


def inputs(seed: int = 10, dtype: type = np.float64) -> dict:
    rng = np.random.default_rng(seed)
    w0 = {k: rng.normal(size=s).astype(dtype) for k, s in SHAPES.items()}
    grads = [{k: rng.normal(size=s).astype(dtype) for k, s in SHAPES.items()}
             for _ in range(STEPS)]
    return {"w0": w0, "grads": grads}


def _run(cls: type, rec: Recorder, prefix: str, i: dict) -> tuple:
    """An optimizer made on a copy of ``w0``, then a generator of its steps (recorded)."""
    params = {k: give(w) for k, w in i["w0"].items()}
    held = dict(params)  # the arrays the caller (a model) holds
    opt = cls(params, lr=LR)

    def steps():
        for step, grads in enumerate(i["grads"], start=1):
            given = {k: give(g) for k, g in grads.items()}
            opt.step(given)
            for k in SHAPES:
                rec.put(f"{prefix}{k}.{step}", held[k])
                if params.get(k) is not held[k]:
                    rec.note(f"{prefix}rebound.{k}", True)
                if not np.array_equal(given[k], grads[k], equal_nan=True):
                    rec.note(f"{prefix}changed_grads", True)
            yield
    return steps()


def _main(cls, rec, state):
    for _ in _run(cls, rec, "main.", inputs()):
        pass


def _two(cls, rec, state):
    """Two optimizers, step by step in turn: each keeps its own m, v and t."""
    first, second = _run(cls, rec, "two.a.", inputs(11)), _run(cls, rec, "two.b.", inputs(12))
    for _ in zip(first, second):
        pass


def _float32(cls, rec, state):
    for _ in _run(cls, rec, "float32.", inputs(13, np.float32)):
        pass


def reference(i: dict) -> dict[str, np.ndarray]:
    """The weights after each step, Eq. (10) computed by hand: name -> (steps, ...)."""
    return {k: np.array(adam_reference(w0, [g[k] for g in i["grads"]], LR, *BETAS, EPS))
            for k, w0 in i["w0"].items()}


MISTAKES = ("no correction", "no m correction", "no v correction", "eps inside", "eps unscaled",
            "t stays 1", "t from 0", "t + 1", "t per parameter", "v of g", "m and v restart",
            "m and v after the step", "betas swapped", "betas unpacked swapped", "g for m",
            "uphill", "state per shape")


def simulate(i: dict, mistake: str) -> dict[str, np.ndarray]:
    """The weights after each step, name -> (steps, ...), by Eq. (10) with one typical
    mistake, the weights updated in the order the check gave them."""
    names = list(i["w0"])
    w = {k: np.array(i["w0"][k], dtype=np.float64) for k in names}
    (b1, b2) = BETAS[::-1] if mistake == "betas unpacked swapped" else BETAS
    slot = {k: (w[k].shape if mistake == "state per shape" else k) for k in names}
    m = {slot[k]: np.zeros_like(a) for k, a in w.items()}
    v = {slot[k]: np.zeros_like(a) for k, a in w.items()}
    out: dict[str, list[np.ndarray]] = {k: [] for k in names}
    counted = 0  # self.t += 1 once per weight
    for step, grads in enumerate(i["grads"], start=1):
        for k in names:
            g, s = np.asarray(grads[k], dtype=np.float64), slot[k]
            counted += 1
            t = {"t stays 1": 1, "t from 0": step - 1, "t + 1": step + 1,
                 "t per parameter": counted}.get(mistake, step)
            if mistake == "m and v restart":
                m[s], v[s] = np.zeros_like(g), np.zeros_like(g)
            before = m[s], v[s]
            if mistake == "betas swapped":
                m[s], v[s] = b1 * g + (1 - b1) * m[s], b2 * g * g + (1 - b2) * v[s]
            else:
                m[s] = b1 * m[s] + (1 - b1) * g
                v[s] = b2 * v[s] + (1 - b2) * (g if mistake == "v of g" else g * g)
            mk, vk = before if mistake == "m and v after the step" else (m[s], v[s])
            with np.errstate(all="ignore"):  # some mistakes divide by zero, or take sqrt(-1)
                m_hat = mk if mistake in ("no correction", "no m correction") else mk / (1 - b1**t)
                v_hat = vk if mistake in ("no correction", "no v correction") else vk / (1 - b2**t)
                if mistake == "eps inside":
                    update = m_hat / np.sqrt(v_hat + EPS)
                elif mistake == "eps unscaled":  # the step-size form, with eps not scaled
                    update = np.sqrt(1 - b2**t) / (1 - b1**t) * mk / (np.sqrt(vk) + EPS)
                elif mistake == "g for m":
                    update = g / (np.sqrt(v_hat) + EPS)
                else:
                    update = m_hat / (np.sqrt(v_hat) + EPS)
            w[k] = w[k] + LR * update if mistake == "uphill" else w[k] - LR * update
            out[k].append(w[k])
    return {k: np.array(a) for k, a in out.items()}


def _hints() -> dict[str, str]:
    return {mistake: say("adam." + mistake.replace(" ", "_").replace("/", "_"), n=len(SHAPES))
            for mistake in MISTAKES}


def _candidates(i: dict) -> dict[str, list]:
    hints = _hints()
    wrong = {mistake: simulate(i, mistake) for mistake in MISTAKES}
    return {k: [(np.array([w0] * STEPS, dtype=np.float64), say("adam.unchanged")),
                *((wrong[mistake][k], hint) for mistake, hint in hints.items())]
            for k, w0 in i["w0"].items()}


def _got(rec: Recorded, prefix: str, k: str) -> np.ndarray | None:
    steps = [rec.get(f"{prefix}{k}.{s}") for s in range(1, STEPS + 1)]
    if any(a is None or a.shape != SHAPES[k] for a in steps):
        return None
    return np.array(steps, dtype=np.float64)


def _error(got: np.ndarray, want: np.ndarray) -> float:
    with np.errstate(all="ignore"):
        return rel_error(got, want)


def error_hint(f: dict) -> str | None:
    if f.get("type") != "ValueError" or not any(w in f.get("message", "")
                                                for w in ("broadcast", "shape")):
        return None
    shapes = ", ".join(f"{k} {s}" for k, s in SHAPES.items())
    return say("adam.shared_state_error", shapes=shapes)


def grade(rec: Recorded) -> list[Row]:
    part = ADAM
    if failed_at(rec, "main"):
        return [failure_row(rec, part, part.label)]
    i = inputs()
    want, candidates = reference(i), _candidates(i)
    b = f"{BOUND_EXACT:.0e}"
    rows = []
    for k, shape in SHAPES.items():
        name = f"Adam  {STEPS} steps, {k} {shape} vs Eq. (10)"
        got = _got(rec, "main.", k)
        if got is None:
            rows.append(Row(name, "shape", b, WRONG, say("adam.shape", k=k, shape=shape)))
            continue
        error = _error(got, want[k])
        if np.isfinite(error) and error < BOUND_EXACT:
            rows.append(Row(name, f"{error:.1e}", b, OK))
        else:
            rows.append(Row(name, f"{error:.1e}", b, WRONG,
                            explain(got, want[k], candidates[k], BOUND_EXACT)))
    for k in SHAPES:
        if rec.notes.get(f"main.rebound.{k}"):
            rows.append(Row(say("adam.in_place_row", k=k), say("row.rebound"), "-", WRONG,
                            say("adam.rebound", k=k)))
    if rec.notes.get("main.changed_grads"):
        rows.append(Row(say("row.unchanged", part="Adam", name="grads"), say("row.changed"), "-",
                        WRONG, say("adam.changed_grads")))
    if any(r.verdict != OK for r in rows):
        return rows
    if "two" in rec.done:
        rows.append(_two_row(rec))
    if "float32" in rec.done:
        rows.append(float32_row(say("adam.float32_row"), part.label, rec,
                                [f"float32.{k}.{STEPS}" for k in SHAPES]))
    if rec.failure is not None:
        rows.append(failure_row(rec, part, part.label))
    return rows


def _two_row(rec: Recorded) -> Row:
    name, b = say("adam.two_row"), f"{BOUND_EXACT:.0e}"
    worst = 0.0
    for prefix, seed in (("two.a.", 11), ("two.b.", 12)):
        want = reference(inputs(seed))
        for k in SHAPES:
            got = _got(rec, prefix, k)
            worst = max(worst, np.inf if got is None else _error(got, want[k]))
    if np.isfinite(worst) and worst < BOUND_EXACT:
        return Row(name, f"{worst:.1e}", b, OK)
    return Row(name, f"{worst:.1e}", b, WRONG, say("adam.shared_between"))


ADAM = Part(
    name="Adam", label="Adam.step", solution=optim.Adam,
    where="numpyvae/optim.py, Adam.update: Eq. (10) as written",
    stages=(Stage("main", _main), Stage("two", _two, "stage.two"),
            Stage("float32", _float32, "stage.float32")),
    grade=grade, error_hint=error_hint,
)

EXERCISE = Exercise(6, "adam", "title.adam", (ADAM,))
