"""Exercise 5, ``kl_std_normal_grad`` (Eq. (8)): dmu and dlogvar against central
differences of Eq. (5), and the (given) value against Eq. (5); then a second call on
another batch, float32. ``kl_std_normal`` returns what numpyvae's losses return,
``(kl, {"mu": dmu, "logvar": dlogvar})``."""

from __future__ import annotations

import numpy as np

from .. import losses
from ..gradcheck import BOUND_SMOOTH, numerical_gradient
from .contracts import after_forward, finish, first_call_failed, float32_contract
from .exercise import Exercise, Part, Recorded, Row, Stage, loss_round
from .grading import again_row, changed_in_place, forward_row, generic, gradient_row
from .messages import say

KL_SEED = 8


def inputs(seed: int) -> dict[str, np.ndarray]:
    """mu, logvar (4, 3); mu2, logvar2 (2, 3); float32 ones (4, 3)."""
    rng = np.random.default_rng(seed)
    i = {k: rng.normal(size=(4, 3)) for k in ("mu", "logvar")}
    i.update({k + "2": rng.normal(size=(2, 3)) for k in ("mu", "logvar")})
    i.update({k + "32": rng.normal(size=(4, 3)).astype(np.float32) for k in ("mu", "logvar")})
    return i


def _kl_round(fn, rec, prefix: str, mu: np.ndarray, logvar: np.ndarray) -> None:
    """One call of the learner's kl_std_normal: ``(kl, {"mu": dmu, "logvar": dlogvar})``
    expected."""
    loss_round(rec, prefix, fn, {"mu": mu, "logvar": logvar}, ("mu", "logvar"))


def _kl_stages() -> tuple[Stage, ...]:
    def main(fn, rec, state):
        i = inputs(KL_SEED)
        _kl_round(fn, rec, "main.", i["mu"], i["logvar"])

    def again(fn, rec, state):
        i = inputs(KL_SEED)
        _kl_round(fn, rec, "again.", i["mu2"], i["logvar2"])

    def float32(fn, rec, state):
        i = inputs(KL_SEED)
        _kl_round(fn, rec, "float32.", i["mu32"], i["logvar32"])

    return (Stage("main", main), Stage("again", again, "stage.again"),
            Stage("float32", float32, "stage.float32"))


def mistakes(i: dict, want: dict) -> dict[str, list]:
    """The typical mistakes, by gradient: (the array each one gives, its hint)."""
    mu, logvar = i["mu"], i["logvar"]
    var, sigma = np.exp(logvar), np.exp(logvar / 2)
    swapped, as_log_sigma = say("kl.swapped"), say("kl.as_log_sigma")
    return {
        "dmu": [(2 * mu, say("kl.dmu_2")), (mu / 2, say("kl.dmu_half")),
                (want["dlogvar"], swapped)],
        "dlogvar": [
            (var - 1, say("kl.no_half")),
            (var / 2, say("kl.no_minus_1")),
            (var, say("kl.no_half_no_minus_1")),
            ((sigma - 1) / 2, say("kl.sigma_for_sigma2")),
            ((var - 1) / 4, say("kl.extra_half")),
            ((1 - var) / 2, say("kl.sign")),
            ((var - 2) / 2, say("kl.minus_1_twice")),
            ((var - logvar - 1) / 2, say("kl.value_not_gradient")),
            (want["dmu"], swapped),
            (np.exp(2 * logvar) - 1, as_log_sigma),
            ((np.exp(2 * logvar) - 1) / 2, as_log_sigma),
            ((sigma / 2 - 1) / 2, say("kl.sigma_in_eq5")),
            (sigma - 1 / sigma, say("kl.dsigma")),
        ],
    }


def _kl_grade(rec: Recorded) -> list[Row]:
    part = KL
    failed = first_call_failed(rec, part, '{"mu": dmu, "logvar": dlogvar}')
    if failed:
        return failed
    i = inputs(KL_SEED)
    kl, grads = losses.kl_std_normal(i["mu"], i["logvar"])
    want = {"forward": kl, "dmu": grads["mu"], "dlogvar": grads["logvar"]}
    typical = mistakes(i, want)
    args = {"mu": i["mu"].copy(), "logvar": i["logvar"].copy()}
    f = lambda: np.sum(losses.kl_std_normal(args["mu"], args["logvar"])[0])
    rows = []
    for key, of in (("dmu", "mu"), ("dlogvar", "logvar")):
        candidates = typical[key] + generic(want[key], 4, "columns.latent")
        rows.append(gradient_row(f"KL  {key}", rec, f"main.{key}", of,
                                 numerical_gradient(f, args[of]), want[key], BOUND_SMOOTH,
                                 candidates))
    fwd = forward_row("KL  value, Eq. (5)", rec, "main.forward", kl, [])
    if fwd:
        rows = [after_forward(r) for r in rows] + [fwd]
    changed = changed_in_place(rec, "main.", {"mu": i["mu"], "logvar": i["logvar"]})

    def again() -> Row | None:
        if "again" not in rec.done:
            return None
        _, now = losses.kl_std_normal(i["mu2"], i["logvar2"])
        return again_row(say("row.again", part="KL", n=2),
                         {k: rec.get("again." + k) for k in ("dmu", "dlogvar")},
                         {"dmu": now["mu"], "dlogvar": now["logvar"]}, {}, BOUND_SMOOTH,
                         part.label)

    contracts = [again, float32_contract(rec, "KL", part.label, ["float32.dmu", "float32.dlogvar"])]
    return finish(part, "KL", rec, rows, changed, "", contracts)


KL = Part(name="kl_std_normal", label="kl_std_normal_grad", solution=losses.kl_std_normal,
          where="numpyvae/losses.py, kl_std_normal", stages=_kl_stages(), grade=_kl_grade)


EXERCISE = Exercise(5, "kl", "title.kl", (KL,))
