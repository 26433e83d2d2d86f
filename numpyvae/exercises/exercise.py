"""What an exercise is, what its check records, and what it reports: the types every file
of the exercises shares (and nothing else: this module imports no other of theirs).

An :class:`Exercise` is made of :class:`Part` s, one thing a learner writes each
(``Dense.backward``, ``bernoulli_nll_grad`` ...), checked in :class:`Stage` s. The stages
run in the child process (``child.py``): each calls the learner's code on inputs made
from fixed seeds and puts what came back into a :class:`Recorder`: numeric arrays as they
are (copies taken at once), anything else as a few words saying what it is ("None",
"tuple, len 2"). The part's ``grade`` runs in the parent on that record, read back as
:class:`Recorded`: it recomputes the right answers with the library's own code and
central differences, and returns the rows of the report (:class:`Row`, one line each);
a :class:`Result` is the rows of one exercise. No code of the learner's takes part in a
verdict.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

# ---- an exercise, its parts, their stages ----------------------------------------------------


@dataclass(frozen=True)
class Stage:
    """One step of a part's check, run in the child: ``run(impl, rec, state)``, with
    ``state`` a dict the stages of one part share (the layer the first one made ...)."""

    name: str  # "main", "again", "float32" ...: its results are recorded as "NAME.key"
    run: Callable[[object, Recorder, dict], None]
    label: str = "stage.main"  # the message that says what this step does, in an error row
    #: an exception here is recorded and the next stages run all the same (exercise 7's
    #: settings); else it ends the part
    optional: bool = False


@dataclass(frozen=True)
class Part:
    """One thing to write, and how to check it."""

    name: str  # what the checks take from the learner's file: "Dense", "kl_std_normal"
    label: str  # what the learner writes: "Dense.backward", "kl_std_normal_grad"
    solution: object  # the library's own implementation
    where: str  # where the solution is, for learners to compare with after trying
    stages: tuple[Stage, ...]
    grade: Callable[[Recorded], list[Row]]  # the rows of the report, in the parent
    #: (exception facts from child.py) -> a hint for an error, or None
    error_hint: Callable[[dict], str | None] = lambda failure: None
    #: the shapes of the first call's arrays, said under a ValueError ("x (3, 5), ...")
    shapes: str = ""


@dataclass(frozen=True)
class Exercise:
    """Exercise ``number``: the learner's file ``ex{number}_{key}.py``, checked by the
    module of the same name beside this one (``numpyvae.exercises.ex4_reparameterize``)."""

    number: int
    key: str  # "dense": the file is ex1_dense.py, ``--only dense`` selects it
    title_key: str  # its title in the message table
    parts: tuple[Part, ...]

    @property
    def file(self) -> str:
        return f"ex{self.number}_{self.key}.py"

    @property
    def module(self) -> str:
        """The module that holds its checks (a new interpreter imports it by this name)."""
        return f"{__name__.rpartition('.')[0]}.{self.file.removesuffix('.py')}"

    @property
    def test_name(self) -> str:
        """Its test in the pytest form: ``test_ex4_reparameterize``."""
        return f"test_ex{self.number}_{self.key}"


# ---- what the report says ------------------------------------------------------------------

#: The verdict of a row. Kept as these words in ``--json``; shown in the learner's language.
OK, WRONG, UNSOLVED, ERROR = "ok", "wrong", "not yet solved", "error"
#: The status of an exercise whose rows are all ok.
SOLVED = "solved"


@dataclass
class Row:
    """One line of the report: a gradient (or a contract, or a part not yet written)."""

    name: str
    error: str
    bound: str
    verdict: str
    hint: str = ""
    where: str = ""  # file:line of the NotImplementedError still to replace
    reference: str = ""  # against the library's own: "exact", "close, 2e-16", "differs, 0.5"


@dataclass
class Result:
    """The rows of one exercise, and what its code printed while it was checked."""

    exercise: Exercise
    rows: list[Row] = field(default_factory=list)
    output: str = ""

    @property
    def status(self) -> str:
        """error, wrong, not yet solved, or solved: the worst verdict of the rows."""
        verdicts = {r.verdict for r in self.rows}
        return next((v for v in (ERROR, WRONG, UNSOLVED) if v in verdicts), SOLVED)


# ---- what the learner's code did, recorded -------------------------------------------------

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


def loss_round(rec: Recorder, prefix: str, loss: Callable, args: dict[str, np.ndarray],
               wrt: tuple[str, ...]) -> None:
    """One call of a loss, which returns what numpyvae's losses return, ``(value, grads)``
    with ``grads`` keyed by the names ``wrt``, recorded under ``prefix``: ``forward`` and
    ``d`` + each name of ``wrt`` (``dlogits`` ...), or ``return`` when it returned another
    structure; ``after.NAME`` for every argument as it was afterwards."""
    given = {name: give(a) for name, a in args.items()}
    out = loss(*given.values())
    grads = out[1] if isinstance(out, (tuple, list)) and len(out) == 2 else None
    if isinstance(grads, dict) and set(grads) == set(wrt):
        rec.put(prefix + "forward", out[0])
        for name in wrt:
            rec.put(prefix + "d" + name, grads[name])
    else:
        rec.put(prefix + "return", out if grads is None else grads)
    for name, a in given.items():
        rec.put(prefix + "after." + name, a)
