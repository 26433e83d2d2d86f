"""Exercise 7's two paths into mu and logvar, told apart (for ``ex7_diagnosis.py``): what the learner's dmu and dlogvar
are made of, and which typical slip of Eq. (7) or Eq. (8) explains every setting.

The right gradients are dmu = dz + (beta / N) mu and dlogvar = dz eps sigma / 2 + (beta / N)
(sigma^2 - 1) / 2, the sample's path plus the KL's. :func:`paths_of` fits the learner's as
a_mu F + c_mu mu and a_lv S + c_lv K, with F, S and K a form of each path (the right one or
a typical slip of it) that fits in every setting, by least squares; :func:`heads_hint` names
the slips whose coefficients agree with every setting, and lists the numbers otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .ex7_chain import CONFIG_BETA, FIT, TOL, Step, Trace, close
from .messages import say

#: The KL's weight, beta / N, and what it becomes in typical mistakes: (key, weight)
WEIGHTS: list[tuple[str, Callable[[float, int], float]]] = [
    ("path.kl.beta_ignored", lambda b, n: 1 / n),
    ("path.kl.config_beta", lambda b, n: CONFIG_BETA / n),
    ("path.kl.no_n", lambda b, n: b),
    ("path.kl.n_twice", lambda b, n: b / n**2),
    ("path.kl.twice", lambda b, n: 2 * b / n),
    ("path.kl.divided_by_beta", lambda b, n: 1 / (b * n) if b else np.inf),
    ("path.kl.subtracted", lambda b, n: -b / n),
    ("path.kl.missing", lambda b, n: 0.0),
    ("path.kl.beta_squared", lambda b, n: b * b / n),
    ("path.kl.neither", lambda b, n: 1.0),
    ("path.kl.times_n", lambda b, n: b * n),
    ("path.kl.config_beta_no_n", lambda b, n: CONFIG_BETA),
]

#: The sample's path into mu, up to a factor: dz (dz/dmu = 1) and other forms.
MU_FORMS = {
    "right": lambda c: c["dz"],
    "eps": lambda c: c["dz"] * c["eps"],
    "eps_sigma": lambda c: c["dz"] * c["eps"] * c["sigma"] / 2,
}
#: The sample's path into logvar, up to a factor: dz * eps * sigma / 2 and other forms.
SAMPLE_FORMS = {
    "right": lambda c: c["dz"] * c["eps"] * c["sigma"] / 2,
    "sigma2": lambda c: c["dz"] * c["eps"] * c["sigma"] ** 2 / 2,
    "no_sigma": lambda c: c["dz"] * c["eps"] / 2,
    "no_eps": lambda c: c["dz"] * c["sigma"] / 2,
}
#: (form, factor) -> its hint; (right, 1) is the lecture's
SAMPLE_MISTAKES = {("right", 2.0): "path.lv.no_half", ("right", 0.5): "path.lv.extra_half",
                   ("sigma2", 1.0): "path.lv.sigma2", ("sigma2", 2.0): "path.lv.exp_logvar",
                   ("no_sigma", 1.0): "path.lv.no_sigma", ("no_sigma", 2.0): "path.lv.dsigma",
                   ("no_eps", 1.0): "path.lv.no_eps", ("right", 0.0): "path.lv.missing",
                   ("right", -1.0): "path.lv.sign"}
#: The KL's path into logvar, up to its weight: (sigma^2 - 1) / 2 and other forms.
KL_FORMS = {
    "right": lambda c: np.expm1(c["logvar"]) / 2,
    "no_minus_1": lambda c: c["sigma"] ** 2 / 2,
    "sigma": lambda c: (c["sigma"] - 1) / 2,
    "minus_2": lambda c: (c["sigma"] ** 2 - 2) / 2,
    "log_sigma": lambda c: (c["sigma"] ** 4 - 1) / 2,
    "value": lambda c: (c["sigma"] ** 2 - c["logvar"] - 1) / 2,
    "dsigma": lambda c: c["sigma"] - 1 / c["sigma"],
    "mu": lambda c: c["mu"],  # the KL's gradient of mu, where logvar's belongs
    "logvar": lambda c: (c["logvar"] - 1) / 2,  # logvar taken for sigma^2
    "through_sample": lambda c: c["mu"] * c["eps"] * c["sigma"] / 2,  # added to dz first
}


def _fit(got: np.ndarray, columns: list[np.ndarray]) -> tuple[list[float | None], float]:
    """Least squares got = sum_j a_j columns_j: (a_j, None for a zero column; residual)."""
    use = [j for j, col in enumerate(columns) if np.max(np.abs(col)) > 1e-12]
    coef: list[float | None] = [None] * len(columns)
    fitted = np.zeros_like(got)
    if use:
        A = np.stack([columns[j].ravel() for j in use], axis=1)
        sol = np.linalg.lstsq(A, got.ravel(), rcond=None)[0]
        for j, a in zip(use, sol):
            coef[j] = float(a)
        fitted = (A @ sol).reshape(got.shape)
    scale = max(float(np.max(np.abs(got))), 1e-12)
    return coef, float(np.max(np.abs(got - fitted))) / scale


@dataclass
class Paths:
    """The learner's dmu and dlogvar of one setting, split into the two paths: the forms
    chosen for every setting (:func:`paths_of`), with their coefficients. A coefficient is
    None when its column is zero in this setting (eps = 0, beta = 0: nothing to tell); a form
    is None when no form fits."""

    trace: Trace
    mu_form: str | None  # dmu = a_mu MU_FORMS[mu_form] + c_mu mu
    a_mu: float | None
    c_mu: float | None
    form: str | None  # dlogvar = a_lv SAMPLE_FORMS[form] + c_lv KL_FORMS[kl_form]
    a_lv: float | None
    kl_form: str | None
    c_lv: float | None


def _fits(got: np.ndarray, forms: dict, kl_forms: dict, c: dict) -> dict:
    """Every (form, kl_form) with an exact fit got = a form + b kl_form: -> (a, b)."""
    found = {}
    for form, s_fn in forms.items():
        for kl_form, k_fn in kl_forms.items():
            coef, res = _fit(got, [s_fn(c), k_fn(c)])
            if res <= FIT:
                found[(form, kl_form)] = tuple(coef)
    return found


def _common(fits: list[dict], prefer) -> tuple | None:
    """The forms that fit in every setting, the preferred first (a setting where a form's
    column is zero fits more forms, and says nothing against the others)."""
    keys = set(fits[0]) if fits else set()
    for f in fits[1:]:
        keys &= set(f)
    return min(keys, key=prefer) if keys else None


def paths_of(analysed: list[Step]) -> list[Paths]:
    """The two paths of every setting, with the forms that fit in all of them."""
    mu_fits, lv_fits = [], []
    for st in analysed:
        t = st.ctx["trace"]
        c = {"dz": st.ctx["dz"], "eps": t.eps, "sigma": t.sigma, "logvar": t.logvar, "mu": t.mu}
        mu_fits.append(_fits(st.got[0], MU_FORMS, {"mu": KL_FORMS["mu"]}, c))
        lv_fits.append(_fits(st.got[1], SAMPLE_FORMS, KL_FORMS, c))
    order = list(SAMPLE_FORMS), list(KL_FORMS)
    mu_key = _common(mu_fits, lambda k: list(MU_FORMS).index(k[0]))
    lv_key = _common(lv_fits, lambda k: (k[0] != "right" and k[1] != "right",
                                         order[0].index(k[0]) + order[1].index(k[1])))
    out = []
    for st, mf, lf in zip(analysed, mu_fits, lv_fits):
        a_mu, c_mu = mf[mu_key] if mu_key else (None, None)
        a_lv, c_lv = lf[lv_key] if lv_key else (None, None)
        out.append(Paths(st.ctx["trace"], mu_key[0] if mu_key else None, a_mu, c_mu,
                         lv_key[0] if lv_key else None, a_lv, lv_key[1] if lv_key else None,
                         c_lv))
    return out


def _same(a: float | None, b: float) -> bool:
    """``a`` equals ``b`` (a coefficient this setting cannot tell agrees with anything, an
    undefined ``b`` too: 1 / beta at beta = 0 says nothing)."""
    return a is None or not np.isfinite(b) or abs(a - b) <= 1e-6 * max(1.0, abs(b))


def _all(paths: list[Paths], attr: str, fn) -> bool:
    """``attr`` of every setting agrees with ``fn(beta, N)``, and at least one is known."""
    known = [p for p in paths if getattr(p, attr) is not None]
    return bool(known) and all(_same(getattr(p, attr), fn(p.trace.beta, p.trace.n))
                               for p in known)


def heads_hint(analysed: list[Step]) -> str:
    """What is wrong with the gradients into mu and logvar, path by path."""
    if all(close(st.got[0], st.right[1], TOL) and close(st.got[1], st.right[0], TOL)
           for st in analysed):
        return say("path.heads.swapped")
    for index, key in ((1, "path.heads.dmu_into_logvar"), (0, "path.heads.dlogvar_into_mu")):
        if all(close(st.got[index], st.right[1 - index], TOL) for st in analysed):
            return say(key)
    paths = paths_of(analysed)
    found = _sample_findings(paths, analysed) + _kl_findings(paths)
    return "\n".join(found) if found else say("path.heads.unexplained")


def _sample_findings(paths: list[Paths], analysed: list[Step]) -> list[str]:
    """The sample's path, Eq. (7): dz into mu (dz/dmu = 1), dz * eps * sigma / 2 into logvar."""
    found = []
    per_n = lambda b, n: 1 / n
    mu_forms = {p.mu_form for p in paths}
    mu_right = mu_forms == {"right"} and all(_same(p.a_mu, 1.0) for p in paths)
    lv_fitted = [p for p in paths if p.form is not None]
    lv_right = len(lv_fitted) == len(paths) and all(
        p.a_lv is None or (p.form == "right" and _same(p.a_lv, 1.0)) for p in paths)
    if not mu_right and not lv_right and mu_forms == {"right"} and _all(paths, "a_mu", per_n) \
            and all(p.form == "right" for p in paths) and _all(paths, "a_lv", per_n):
        return [say("path.sample.n_again")]
    if None in mu_forms:
        found.append(say("path.mu.no_form"))
    elif mu_forms != {"right"}:
        found.append(say("path.mu.form." + mu_forms.pop()))
    elif not mu_right:
        named = [k for k, a in (("path.mu.missing", 0.0), ("path.mu.sign", -1.0),
                                ("path.mu.twice", 2.0)) if _all(paths, "a_mu", lambda b, n, a=a: a)]
        if not named and _all(paths, "a_mu", per_n):
            named = ["path.sample.n_again"]
        found += [say(k) for k in named] or [_listed("path.mu.factor", paths, "a_mu")]
    if len(lv_fitted) < len(paths):
        found.append(_unfitted_logvar(analysed))
    elif not lv_right:
        named = [key for (form, a), key in SAMPLE_MISTAKES.items()
                 if all(p.a_lv is None or (p.form == form and _same(p.a_lv, a)) for p in paths)]
        if not named and all(p.form == "right" for p in paths) and _all(paths, "a_lv", per_n):
            named = ["path.sample.n_again"]
        found += [say(k) for k in named if say(k) not in found] or [
            _listed("path.lv.factor", paths, "a_lv")]
    return found


def _unfitted_logvar(analysed: list[Step]) -> str:
    """dlogvar is no form of the two paths: which one differs, told by the settings that
    switch one off (beta = 0: the sample's path alone; eps = 0: the KL's alone)."""
    sample_ok = kl_ok = None
    for st in analysed:
        t, dz = st.ctx["trace"], st.ctx["dz"]
        if t.beta == 0:
            sample_ok = close(st.got[1], dz * t.eps * t.sigma / 2)
        if t.zero_eps:
            kl_ok = close(st.got[1], t.beta / t.n * np.expm1(t.logvar) / 2)
    if sample_ok and kl_ok is False:
        return say("path.kl.lv_differs") + " " + say("path.kl.eps0")
    if kl_ok and sample_ok is False:
        return say("path.lv.no_form") + " " + say("path.lv.beta0")
    return say("path.lv.no_form") + _eps0_note(analysed)


def _kl_findings(paths: list[Paths]) -> list[str]:
    """The KL's path, Eq. (8), weighted beta / N: the weight on mu (c_mu, of mu) and on
    logvar (c_lv, of (sigma^2 - 1) / 2), and the form of logvar's."""
    right = lambda b, n: b / n
    lv = [p for p in paths if p.kl_form is not None]
    weighted = [p for p in lv if p.c_lv is not None and abs(p.c_lv) > 1e-12]
    forms = {p.kl_form for p in weighted}
    if forms - {"right"}:  # logvar's share is not (sigma^2 - 1) / 2 up to its weight
        lv_text = say("path.kl.form." + forms.pop()) if len(forms) == 1 else say(
            "path.kl.lv_differs")
        lv_ok = False
    else:
        lv_text, lv_ok = "", _all(lv, "c_lv", right) or not lv
    mu_ok = all(_same(p.c_mu, right(p.trace.beta, p.trace.n)) for p in paths)
    if mu_ok and lv_ok:
        return []
    found = []
    # one weight, wrong the same way on both: beta or 1/N
    both = [key for key, fn in WEIGHTS if _all(paths, "c_mu", fn) and not lv_text
            and (_all(lv, "c_lv", fn) or not lv)]
    if both:
        return [say(both[0])]
    if not mu_ok:
        named = [key for key, fn in WEIGHTS if _all(paths, "c_mu", fn)]
        for factor, key in ((2, "path.kl.mu_2"), (-1, "path.kl.mu_sign"), (0.5, "path.kl.mu_half")):
            if lv_ok and _all(paths, "c_mu", lambda b, n, f=factor: f * b / n):
                named = [key]
        found += ([say("path.kl.of_mu") + " " + say(named[0])] if named and named[0] in dict(
            WEIGHTS) else [say(k) for k in named[:1]]) or [
            _listed("path.kl.factor", paths, "c_mu", right)]
    if lv_text:
        found.append(lv_text)
    elif not lv_ok:
        specific = [key for factor, key in ((2, "path.kl.lv_no_half"), (-1, "path.kl.lv_sign"),
                                            (0.5, "path.kl.lv_extra_half"))
                    if mu_ok and _all(lv, "c_lv", lambda b, n, f=factor: f * b / n)]
        if specific:
            found.append(say(specific[0]))
        else:
            named = [key for key, fn in WEIGHTS if _all(lv, "c_lv", fn)]
            found.append(say("path.kl.of_lv") + " " + say(named[0]) if named else _listed(
                "path.kl.lv_factor", lv, "c_lv", right))
    return found


def _listed(key: str, paths: list[Paths], attr: str, want=None) -> str:
    items = []
    for p in paths:
        value = getattr(p, attr)
        if value is None:
            continue
        extra = f" ({say('path.instead_of')} {want(p.trace.beta, p.trace.n):.4g})" if want else ""
        items.append(f"{p.trace.describe()}: {value:.4g}{extra}")
    return say(key, listed="; ".join(items))


def _eps0_note(analysed: list[Step]) -> str:
    for st in analysed:
        t = st.ctx["trace"]
        if t.zero_eps:
            _, res = _fit(st.got[1], [KL_FORMS["right"]({"logvar": t.logvar,
                                                             "sigma": t.sigma})])
            if res > FIT:
                return " " + say("path.lv.eps0")
    return ""
