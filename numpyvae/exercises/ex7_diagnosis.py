"""A wrong ``VAE.backward`` diagnosed path by path: first WHERE, then, if it can, WHAT.

Every layer is a Dense, so its gradients are dW = a^T d and db = sum_n d for the input
``a`` forward gave it and the gradient ``d`` that reached it; with at most as many
examples as inputs, ``d`` is found back from the learner's dW (and db checked against it).
So the learner's gradient at every step of the chain is known, and each step is checked
on its own: the library's rule applied to the learner's gradient one step up. The first
step that differs is the stage named, with its equation:

    decoder.out            Eq. (9) and the 1/N of Eq. (6): d = (p - x) / N
    decoder.{i}            the decoder's layers, Eq. (3): d = (d_above W_above^T) * (x > 0)
    encoder.mu, .logvar    the two paths: dz (Eq. 7) plus beta / N times the KL's (Eq. 8)
    encoder.{i}            the encoder's layers, Eq. (1): h feeds both heads

Inside the stage, a typical mistake is named only when it explains EVERY setting the
model ran in (N = 1 and N > 1, beta = 0, 1 and others, eps = 0): the numbers of one
setting can make two mistakes coincide, never those of all. Otherwise the hint says what
differs in the stage, with numbers. Before all this: the same batch twice must give the
same gradients (random numbers drawn in backward), and a second call must not keep or
add the first's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .ex7_chain import TOL, Step, Trace, close, steps
from .ex7_heads import heads_hint
from .messages import say

#: The settings of ``ex7_vae_backward.py`` diagnosed together (two hidden layers, "deep",
#: are diagnosed alone): each learner's gradient there, or None when it did not run.
DIAGNOSED = ("main", "again", "n1", "eps0", "beta1", "repeat", "beta0")
#: a model's gradients by parameter name (None: not written)
Gradients = dict[str, np.ndarray | None]


# ---- what a stage's gradient may be instead: the typical mistakes -------------------------

#: (message key, the gradient into decoder.out it gives)
OUT_MISTAKES: list[tuple[str, Callable[[dict], np.ndarray]]] = [
    ("path.out.no_n", lambda c: c["pmx"]),
    ("path.out.n_twice", lambda c: c["pmx"] / c["n"] ** 2),
    ("path.out.beta", lambda c: c["beta"] * c["pmx"] / c["n"]),
    ("path.out.sign", lambda c: -c["pmx"] / c["n"]),
    ("path.out.p", lambda c: c["p"] / c["n"]),
    ("path.out.p", lambda c: c["p"]),
    ("path.out.sigmoid", lambda c: c["p"] * (1 - c["p"]) * c["pmx"] / c["n"]),
    ("path.out.dp", lambda c: c["pmx"] / (c["p"] * (1 - c["p"])) / c["n"]),
    ("path.out.mean_pixels", lambda c: c["pmx"] / (c["n"] * c["pmx"].shape[1])),
    ("path.never", lambda c: np.zeros_like(c["pmx"])),
]

#: the gradient into a hidden layer instead of (g * mask), g = what came from above
LAYER_MISTAKES: list[tuple[str, Callable[[dict], np.ndarray]]] = [
    ("path.layer.no_relu", lambda c: c["g"]),
    ("path.layer.flipped", lambda c: c["g"] * ~c["mask"]),
    ("path.layer.times_output", lambda c: c["g"] * c["post"]),
    ("path.never", lambda c: np.zeros_like(c["g"])),
    ("path.enc.mu_only", lambda c: c["heads"][0] * c["mask"] if c.get("heads") else None),
    ("path.enc.lv_only", lambda c: c["heads"][1] * c["mask"] if c.get("heads") else None),
    ("path.enc.mu_only_no_relu", lambda c: c["heads"][0] if c.get("heads") else None),
]


def _explains(key_fn, got_right: list[Step]) -> bool:
    for st in got_right:
        candidate = key_fn(st.ctx)
        if candidate is None or not close(np.asarray(st.got), candidate, TOL):
            return False
    return True


def _named(table, analysed: list[Step]) -> list[str]:
    """The keys of the mistakes that explain every setting (each key once)."""
    found = []
    for key, fn in table:
        if key not in found and _explains(fn, analysed):
            found.append(key)
    return found


def _factors(analysed: list[Step]) -> list[tuple[Trace, float | None]]:
    """Per setting, c with got = c * right when there is one (else None)."""
    out = []
    for st in analysed:
        got, right = np.asarray(st.got), np.asarray(st.right)
        c = None
        if np.any(right):
            c = float(np.vdot(got, right) / np.vdot(right, right))
            if not close(got, c * right, 1e-6):
                c = None
        out.append((st.ctx["trace"], c))
    return out


def _localise_simple(stage: str, analysed: list[Step]) -> str:
    """What differs in a Dense stage when no typical mistake explains every setting."""
    factors = _factors([st for st in analysed if not st.ok])
    if factors and all(c is not None for _, c in factors):
        listed = "; ".join(f"{t.describe()}: {c:.4g}" for t, c in factors)
        return say("path.factor", listed=listed)
    st = next(st for st in analysed if not st.ok)
    got, right = np.asarray(st.got), np.asarray(st.right)
    index = np.unravel_index(int(np.argmax(np.abs(got - right))), got.shape)
    return say("path.differs_at", setting=st.ctx["trace"].describe(),
               index=tuple(int(i) for i in index), got=f"{float(got[index]):.6g}",
               want=f"{float(right[index]):.6g}")


def heading(stage: str, hidden: tuple[int, ...] = (7,)) -> str:
    if stage == "decoder.out":
        return say("path.where.out")
    if stage == "heads":
        return say("path.where.heads")
    part, i = stage.split(".")
    if part == "decoder":
        return say("path.where.decoder", layer=stage)
    top = int(i) == len(hidden) - 1
    return say("path.where.encoder_top" if top else "path.where.encoder", layer=stage)


def stage_hint(stage: str, analysed: list[Step], hidden: tuple[int, ...]) -> str:
    """The hint of the first stage that differs: where, and what when a mistake explains
    every setting (otherwise what differs)."""
    head = heading(stage, hidden)
    problems = {st.problem for st in analysed if st.problem}
    if "dW" in problems or "missing" in problems:
        return f"{head}: " + say("path.no_single_d", layer=analysed[0].ctx["layer"])
    usable = [st for st in analysed if st.got is not None]
    never = [layer for layer in _stage_layers(stage) if _all_zero(usable, layer, stage)]
    if never:
        return f"{head}: " + " ".join(say("path.never", layer=layer) for layer in never)
    if stage == "heads":
        return f"{head}: " + heads_hint(usable)
    layer = analysed[0].ctx["layer"]
    if "db" in problems:  # dW comes from one gradient; db is not its sum over the batch
        zero = all(st.problem != "db" or not np.any(st.ctx["trace"].db(layer)) for st in usable)
        note = say("path.db_zero" if zero else "path.db_not_sum", layer=layer)
        if all(close(st.got, st.right) for st in usable if st.problem == "db"):
            return f"{head}: {note}"
    table = OUT_MISTAKES if stage == "decoder.out" else LAYER_MISTAKES
    named = _named(table, usable)
    text = " ".join(say(k, layer=stage) for k in named) if named else _localise_simple(
        stage, usable)
    if "db" in problems:
        text += " " + note
    return f"{head}: {text}"


# ---- the diagnosis of a whole check ---------------------------------------------------------


@dataclass
class Diagnosis:
    """What the rows of ``ex7_vae_backward.py`` say when they are wrong."""

    first: str = ""  # the hint of the first stage that differs (main's model)
    first_layers: tuple[str, ...] = ()
    random: str = ""  # random numbers drawn in backward
    kept: str = ""  # gradients added or kept across calls
    by_setting: dict[str, str] = field(default_factory=dict)
    layers_ok: set = field(default_factory=set)  # layers whose own step is right

    def hint_for(self, layer: str) -> str:
        if self.kept:
            return self.kept
        if self.random:
            return self.random
        if self.first and layer in self.first_layers:
            return self.first
        if self.first and layer in self.layers_ok:
            return say("path.follows")
        return self.first or say("path.unlocated")

    def hint_for_settings(self, names: tuple[str, ...], main_ok: bool) -> str:
        """The hint of a row of other settings; ``main_ok``: the first setting's rows are."""
        if self.kept:
            return self.kept
        found = [self.by_setting[n] for n in names if self.by_setting.get(n)]
        if found:
            return found[0]
        if main_ok:
            return self.random or self.first or say("path.unlocated")
        return say("path.see_above") if self.first or self.random else say("path.unlocated")


def finite(grads: dict[str, np.ndarray | None]) -> bool:
    return all(g is None or np.all(np.isfinite(g)) for g in grads.values())


def _first_stage(per_setting: list[list[Step]]) -> tuple[str, list[Step]] | None:
    """The first stage (backward order) that differs in any setting, and its steps."""
    order: list[str] = []
    for ss in per_setting:
        for st in ss:
            if st.stage not in order:
                order.append(st.stage)
    for stage in order:
        analysed = [st for ss in per_setting for st in ss if st.stage == stage]
        if any(not st.ok for st in analysed):
            return stage, analysed
    return None


def _all_zero(analysed: list[Step], layer: str, stage: str) -> bool:
    """Whether the learner's gradient into ``layer`` is zero in every setting (where the
    library's is not): its backward never ran."""
    if not analysed:
        return False
    index = {"encoder.mu": 0, "encoder.logvar": 1}.get(layer) if stage == "heads" else None
    for st in analysed:
        got = st.got[index] if index is not None else st.got
        right = st.right[index] if index is not None else st.right
        if np.any(got) or not np.any(right):
            return False
    return True


def _stage_layers(stage: str) -> tuple[str, ...]:
    return ("encoder.mu", "encoder.logvar") if stage == "heads" else (stage,)


def _kept(traces: dict[str, Trace], got: dict[str, Gradients | None]) -> str:
    """When the first call is right and the second (on the same model) is not: whether some
    layers add the first call's gradients in, or keep them, or the whole second call is
    off by one factor (a count kept across calls)."""
    main, again = got.get("main"), got.get("again")
    if main is None or again is None or not finite(again):
        return ""
    want_main, want = traces["main"].want, traces["again"].want
    if not all(close(main[k], w) for k, w in want_main.items()):
        return ""
    wrong = [k for k, w in want.items() if not close(again[k], w)]
    if not wrong:
        return ""
    layers = sorted({k.rsplit(".", 1)[0] for k in wrong})
    if all(close(again[k], want_main[k] + want[k]) for k in wrong):
        key = "vae.accumulates" if len(wrong) == len(want) else "vae.accumulates_in"
        return say(key, layers=", ".join(layers))
    if all(close(again[k], want_main[k]) for k in wrong):
        return say("vae.stale")
    flat_got = np.concatenate([again[k].ravel() for k in want])
    flat_want = np.concatenate([w.ravel() for w in want.values()])
    factor = float(np.vdot(flat_got, flat_want) / np.vdot(flat_want, flat_want))
    if close(flat_got, factor * flat_want):
        return say("vae.scaled", factor=f"{factor:.4g}")
    return ""


def diagnose(traces: dict[str, Trace], got: dict[str, Gradients | None]) -> Diagnosis:
    """Where (and what) is wrong, from each setting's library forward (``traces``) and the
    learner's gradients there (``got``: None for a setting that did not run)."""
    d = Diagnosis()
    kept = _kept(traces, got)
    if kept:
        d.kept = kept
        return d
    again, repeat = got.get("again"), got.get("repeat")
    if again and repeat and any(
            a is not None and b is not None and not np.array_equal(a, b)
            for a, b in zip(again.values(), repeat.values())):
        d.random = say("path.random")
    per_setting, nonfinite = [], []
    for name in DIAGNOSED:
        grads = got.get(name)
        if grads is not None and not finite(grads):
            nonfinite.append(traces[name].describe())
        elif grads is not None:
            per_setting.append(steps(traces[name], grads))
    first = _first_stage(per_setting)
    if first:
        stage, analysed = first
        d.first = stage_hint(stage, analysed, traces["main"].hidden)
        if nonfinite:
            d.first += " " + say("path.nonfinite", settings="; ".join(nonfinite))
        d.first_layers = _stage_layers(stage)
        d.layers_ok = {layer for ss in per_setting for st in ss if st.ok
                       for layer in _stage_layers(st.stage)}
    elif nonfinite:
        d.first = say("path.nonfinite", settings="; ".join(nonfinite))
    deep = got.get("deep")
    if deep is not None and finite(deep) and not first:  # else: wrong as the others are
        found = _first_stage([steps(traces["deep"], deep)])
        if found:
            d.by_setting["deep"] = stage_hint(found[0], found[1], traces["deep"].hidden)
            d.by_setting["deep"] += "\n" + say("vae.every_layer")
    return d
