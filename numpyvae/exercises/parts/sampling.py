"""Exercises 4 and 5: ``Reparameterize.backward`` (Eq. (7)) and ``kl_std_normal_grad``
(Eq. (8)), against central differences of Eq. (2) and Eq. (5); then the same backward
twice (no new random numbers), a second call on another batch, float32."""

from __future__ import annotations

import numpy as np

from ... import losses, reparam
from ...gradcheck import BOUND_SMOOTH, numerical_gradient, numerical_vjp
from ..exercise import Part, Stage
from ..grading import (
    again_row,
    changed_in_place,
    forward_row,
    generic,
    gradient_row,
)
from ..language import say
from ..probes import Recorded, give, module_round
from ..report import OK, WRONG, Row
from .common import finish, first_call_failed, float32_contract

LATENT = "columns.latent"


def inputs(seed: int) -> dict[str, np.ndarray]:
    """mu, logvar, eps, dz (4, 3); the same with a 2 for a batch of 2; float32 ones."""
    rng = np.random.default_rng(seed)
    i = {k: rng.normal(size=(4, 3)) for k in ("mu", "logvar", "eps", "dz")}
    i.update({k + "2": rng.normal(size=(2, 3)) for k in ("mu", "logvar", "eps", "dz")})
    i.update({k + "32": rng.normal(size=(4, 3)).astype(np.float32)
              for k in ("mu", "logvar", "eps", "dz")})
    return i


# ---- exercise 4: the reparameterization trick ---------------------------------------------

SAMPLE_SEED = 5


def _args(i: dict, suffix: str = "") -> dict[str, np.ndarray]:
    return {k: i[k + suffix] for k in ("mu", "logvar", "eps")}


def _reparam_stages() -> tuple[Stage, ...]:
    returns = ("dmu", "dlogvar")

    def main(cls, rec, state):
        i = inputs(SAMPLE_SEED)
        layer = state["layer"] = cls()
        module_round(rec, "main.", layer, _args(i), ("dz", i["dz"]), returns)
        result = layer.backward(give(i["dz"]))  # the same backward again: the same numbers
        for name, value in zip(returns, result if isinstance(result, (tuple, list)) else ()):
            rec.put("repeat." + name, value)

    def again(cls, rec, state):
        i = inputs(SAMPLE_SEED)
        module_round(rec, "again.", state["layer"], _args(i, "2"), ("dz", i["dz2"]), returns)

    def float32(cls, rec, state):
        i = inputs(SAMPLE_SEED)
        module_round(rec, "float32.", cls(), _args(i, "32"), ("dz", i["dz32"]), returns)

    return (Stage("main", main), Stage("again", again, "stage.again"),
            Stage("float32", float32, "stage.float32"))


def reparam_reference(i: dict, suffix: str = "") -> dict[str, np.ndarray]:
    r = reparam.Reparameterize()
    z = r.forward(*_args(i, suffix).values())
    dmu, dlogvar = r.backward(i["dz" + suffix])
    return {"forward": z, "dmu": dmu, "dlogvar": dlogvar}


def _reparam_mistakes(i: dict, want: dict) -> dict[str, list]:
    mu, logvar, eps, dz = i["mu"], i["logvar"], i["eps"], i["dz"]
    sigma = np.exp(logvar / 2)
    swapped = say("sample.swapped")
    return {
        "dmu": [(np.ones_like(dz), say("reparam.dmu_local")),
                (dz * eps, say("reparam.dmu_dsigma")),
                (want["dlogvar"], swapped)],
        "dlogvar": [
            (dz * eps * sigma, say("reparam.no_half")),
            (dz * eps * sigma / 4, say("reparam.extra_half")),
            (dz * eps * sigma**2 / 2, say("reparam.sigma2_for_sigma")),
            (dz * eps * sigma**2, say("reparam.sigma_exp_logvar")),
            (dz * eps / 2, say("reparam.no_sigma")),
            (dz * eps, say("reparam.dsigma_only")),
            (dz * sigma / 2, say("reparam.no_eps")),
            (want["dmu"], swapped),
        ],
        "forward": [(mu + np.exp(logvar) * eps, say("reparam.forward_exp")),
                    (mu + logvar * eps, say("reparam.forward_logvar"))],
    }


def _reparam_grade(rec: Recorded) -> list[Row]:
    part = REPARAMETERIZE
    failed = first_call_failed(rec, part, "(dmu, dlogvar)")
    if failed:
        return failed
    i = inputs(SAMPLE_SEED)
    want = reparam_reference(i)
    mistakes = _reparam_mistakes(i, want)
    args = {k: v.copy() for k, v in _args(i).items()}
    f = lambda: reparam.Reparameterize().forward(*args.values())
    rows = []
    for key, of in (("dmu", "mu"), ("dlogvar", "logvar")):
        numeric = numerical_vjp(f, args[of], i["dz"])
        candidates = mistakes[key] + generic(want[key], 4, LATENT)
        rows.append(gradient_row(f"Reparameterize  dz -> {key}", rec, f"main.{key}", of, numeric,
                                 want[key], BOUND_SMOOTH, candidates))
    fwd = forward_row("Reparameterize  forward z, Eq. (2)", rec, "main.forward", want["forward"],
                      mistakes["forward"])
    if fwd:
        rows = [_after_forward(r) for r in rows] + [fwd]
    changed = changed_in_place(rec, "main.", {"dz": i["dz"], **_args(i)})
    rows += _repeat_rows(rec, part.label)

    def again() -> Row | None:
        if "again" not in rec.done:
            return None
        now = reparam_reference(i, "2")
        return again_row(say("row.again", part="Reparameterize", n=2),
                         {k: rec.get("again." + k) for k in ("dmu", "dlogvar")},
                         {k: now[k] for k in ("dmu", "dlogvar")}, {}, BOUND_SMOOTH, part.label)

    contracts = [again, float32_contract(rec, "Reparameterize", part.label,
                                         ["float32.dmu", "float32.dlogvar"])]
    return finish(part, "Reparameterize", rec, rows, changed, "dz", contracts)


def _after_forward(row: Row) -> Row:
    """A gradient row when the (given) forward was changed: say so first."""
    if row.verdict == OK:
        return row
    return Row(row.name, row.error, row.bound, row.verdict,
               say("forward.changed_first") + "\n" + row.hint, reference=row.reference)


def _repeat_rows(rec: Recorded, label: str) -> list[Row]:
    """The same backward twice must give the same numbers: no eps drawn in backward, and
    nothing added across calls."""
    first, again = rec.get("main.dlogvar"), rec.get("repeat.dlogvar")
    if first is None or again is None or first.shape != again.shape:
        return []
    if np.array_equal(first, again, equal_nan=True):
        return []
    adds = np.any(first) and np.allclose(again, 2 * first, rtol=1e-12, atol=0)
    hint = say("repeat.adds", label=label, key="dlogvar") if adds else say("reparam.random",
                                                                           label=label)
    return [Row(say("row.repeat", part="Reparameterize"), say("row.differs"), "-", WRONG, hint)]


REPARAMETERIZE = Part(
    name="Reparameterize", label="Reparameterize.backward", solution=reparam.Reparameterize,
    where="numpyvae/reparam.py, Reparameterize.backward", stages=_reparam_stages(),
    grade=_reparam_grade,
)


# ---- exercise 5: the KL term --------------------------------------------------------------

KL_SEED = 8


def _kl_round(fn, rec, prefix: str, mu: np.ndarray, logvar: np.ndarray) -> None:
    """One call of the learner's kl_std_normal: ``(kl, {"mu": dmu, "logvar": dlogvar})``, as
    the library's losses return it, or else what it returned."""
    given_mu, given_lv = give(mu), give(logvar)
    out = fn(given_mu, given_lv)
    grads = out[1] if isinstance(out, (tuple, list)) and len(out) == 2 else None
    if isinstance(grads, dict) and set(grads) == {"mu", "logvar"}:
        rec.put(prefix + "forward", out[0])
        rec.put(prefix + "dmu", grads["mu"])
        rec.put(prefix + "dlogvar", grads["logvar"])
    else:
        rec.put(prefix + "return", out if grads is None else grads)
    rec.put(prefix + "after.mu", given_mu)
    rec.put(prefix + "after.logvar", given_lv)


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


def _kl_mistakes(i: dict, want: dict) -> dict[str, list]:
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
    mistakes = _kl_mistakes(i, want)
    args = {"mu": i["mu"].copy(), "logvar": i["logvar"].copy()}
    f = lambda: np.sum(losses.kl_std_normal(args["mu"], args["logvar"])[0])
    rows = []
    for key, of in (("dmu", "mu"), ("dlogvar", "logvar")):
        candidates = mistakes[key] + generic(want[key], 4, LATENT)
        rows.append(gradient_row(f"KL  {key}", rec, f"main.{key}", of,
                                 numerical_gradient(f, args[of]), want[key], BOUND_SMOOTH,
                                 candidates))
    fwd = forward_row("KL  value, Eq. (5)", rec, "main.forward", kl, [])
    if fwd:
        rows = [_after_forward(r) for r in rows] + [fwd]
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
