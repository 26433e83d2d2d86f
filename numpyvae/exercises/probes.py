"""What a learner's code does, recorded: :class:`Recorder` (filled in the child process,
read back in the parent as :class:`Recorded`).

A part's stages (``catalog.Part.stages``) call the learner's code on inputs that both
processes make from the same seeds and put what comes back into a Recorder: numeric
arrays as they are (copies taken at once), anything else as a few words saying what it
is ("None", "tuple, len 2"). Nothing here judges: the parent grades what was recorded
(``grading.py`` and the parts), so no code of the learner's takes part in a verdict.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: Stands for a gradient that was never written (a missing ``grads`` entry).
MISSING = object()


def is_numbers(value: object, shape: tuple[int, ...] | None = None) -> bool:
    """Whether ``value`` counts as an answer: an array of numbers (of ``shape``, if given)."""
    return (isinstance(value, np.ndarray) and value.dtype.kind in "biuf"
            and (shape is None or value.shape == shape))


def describe(value: object) -> str:
    """What ``value`` is, as code says it (the same in every language): 'None',
    'ndarray (4, 5)', 'ndarray object (2,)', 'tuple, len 2', "dict, keys 'mu', 'lv'", 'float'."""
    if value is MISSING:
        return "missing"
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        kind = "" if is_numbers(value) else f" {value.dtype}"
        return f"ndarray{kind} {value.shape}"
    if isinstance(value, dict):
        return "dict, keys " + ", ".join(repr(k) for k in list(value)[:5]) if value else "dict, empty"
    if isinstance(value, (tuple, list)):
        return f"{type(value).__name__}, len {len(value)}"
    return type(value).__name__


class Recorder:
    """What the stages of one part saw: ``arrays`` (name -> numeric array) and ``notes``
    (name -> JSON-ready facts: descriptions of what was not an array, flags, dtypes)."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}
        self.notes: dict[str, object] = {}

    def put(self, key: str, value: object) -> None:
        """Keep ``value`` under ``key``: a copy if it is numbers, else what it is."""
        if is_numbers(value):
            self.arrays[key] = np.array(value, copy=True)
        elif isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
            self.arrays[key] = np.asarray(value, dtype=np.float64)
        else:
            self.notes[f"kind:{key}"] = describe(value)

    def note(self, key: str, value: object) -> None:
        self.notes[key] = value


@dataclass
class Recorded:
    """A Recorder as the parent reads it back, with the stages that ran to the end and,
    if one did not, what stopped it (``failure``: see ``child.py``)."""

    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    notes: dict[str, object] = field(default_factory=dict)
    done: list[str] = field(default_factory=list)
    failure: dict | None = None

    def get(self, key: str) -> np.ndarray | None:
        return self.arrays.get(key)

    def kind(self, key: str) -> str:
        """What was recorded under ``key``: "ndarray (3, 4)", "None", ..."""
        if key in self.arrays:
            return describe(self.arrays[key])
        return str(self.notes.get(f"kind:{key}", "missing"))


class Slots(dict):
    """A layer's ``grads`` as a model gives it: ``d[name] = value`` copies into the array
    already there (so the model, which holds that array, sees it). A value of another
    shape is kept as it is, for the parent to say what is wrong with it."""

    def __setitem__(self, name: str, value: object) -> None:
        slot = self.get(name)
        if isinstance(slot, np.ndarray) and np.shape(value) == slot.shape:
            slot[...] = value
        else:
            super().__setitem__(name, value)


def give(value: np.ndarray) -> np.ndarray:
    """A copy of an input, to hand to the learner's code (which may change it in place)."""
    return np.array(value, copy=True)


def module_round(rec: Recorder, prefix: str, layer: object, args: dict[str, np.ndarray],
                 upstream: tuple[str, np.ndarray], returns: tuple[str, ...]) -> None:
    """One forward and one backward of a layer, recorded under ``prefix``:

    ``forward``, each of ``returns`` (``dx``; ``dmu``, ``dlogvar``) or ``return`` when
    backward's result does not have that structure, ``d`` + each parameter's name from
    ``layer.grads``, and ``after.NAME`` for every argument and the upstream gradient as
    they were afterwards (to see them changed in place).
    """
    given = {name: give(a) for name, a in args.items()}
    rec.put(prefix + "forward", layer.forward(*given.values()))
    up_name, up = upstream
    up_given = give(up)
    result = layer.backward(up_given)
    if len(returns) == 1:
        rec.put(prefix + returns[0], result)
    elif isinstance(result, (tuple, list)) and len(result) == len(returns):
        for name, value in zip(returns, result):
            rec.put(prefix + name, value)
    else:
        rec.put(prefix + "return", result)
    grads = getattr(layer, "grads", {})
    for k in getattr(layer, "params", {}):
        rec.put(prefix + "d" + k, grads.get(k, MISSING) if isinstance(grads, dict) else MISSING)
    for name, a in (*given.items(), (up_name, up_given)):
        rec.put(prefix + "after." + name, a)
