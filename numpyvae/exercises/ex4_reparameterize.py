"""Exercise 4, ``Reparameterize.backward`` (Eq. (7)): dmu and dlogvar against central
differences of Eq. (2), and its forward against Eq. (2) itself (numpy-ml's sigma =
exp(logvar) shows there); then the same backward twice (no new random numbers, nothing
added), a second call on another batch, float32."""

from __future__ import annotations

import numpy as np

from .. import reparam
from ..gradcheck import BOUND_SMOOTH, numerical_vjp
from .contracts import after_forward, finish, first_call_failed, float32_contract
from .exercise import WRONG, Exercise, Part, Recorded, Row, Stage, give, module_round
from .grading import again_row, changed_in_place, forward_row, generic, gradient_row
from .messages import say


def inputs(seed: int) -> dict[str, np.ndarray]:
    """mu, logvar, eps, dz (4, 3); the same with a 2 for a batch of 2; float32 ones."""
    rng = np.random.default_rng(seed)
    i = {k: rng.normal(size=(4, 3)) for k in ("mu", "logvar", "eps", "dz")}
    i.update({k + "2": rng.normal(size=(2, 3)) for k in ("mu", "logvar", "eps", "dz")})
    i.update({k + "32": rng.normal(size=(4, 3)).astype(np.float32)
              for k in ("mu", "logvar", "eps", "dz")})
    return i


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


def mistakes(i: dict, want: dict) -> dict[str, list]:
    """The typical mistakes, by gradient: (the array each one gives, its hint)."""
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
    typical = mistakes(i, want)
    args = {k: v.copy() for k, v in _args(i).items()}
    f = lambda: reparam.Reparameterize().forward(*args.values())
    rows = []
    for key, of in (("dmu", "mu"), ("dlogvar", "logvar")):
        numeric = numerical_vjp(f, args[of], i["dz"])
        candidates = typical[key] + generic(want[key], 4, "columns.latent")
        rows.append(gradient_row(f"Reparameterize  dz -> {key}", rec, f"main.{key}", of, numeric,
                                 want[key], BOUND_SMOOTH, candidates))
    fwd = forward_row("Reparameterize  forward z, Eq. (2)", rec, "main.forward", want["forward"],
                      typical["forward"])
    if fwd:
        rows = [after_forward(r) for r in rows] + [fwd]
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


EXERCISE = Exercise(4, "reparameterize", "title.reparameterize", (REPARAMETERIZE,))
