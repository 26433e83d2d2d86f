"""What an exercise is: :class:`Exercise`, made of :class:`Part` s, each checked in
:class:`Stage` s.

A part is one thing a learner writes (``Dense.backward``, ``bernoulli_nll_grad`` ...).
Its stages run in the child process (``child.py``): each calls the learner's code on
inputs made from fixed seeds (the first call, a second call on another batch, float32
inputs ...) and records what came back (``probes.Recorder``). Its ``grade`` runs in the
parent process on what was recorded: it recomputes the right answers with the library's
own code and central differences, and returns the rows of the report (``report.Row``),
with hints from the part's typical mistakes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .language import say
from .probes import Recorded, Recorder


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
    grade: Callable[[Recorded], list]  # -> the rows of the report, in the parent
    #: (exception facts from child.py) -> a hint for an error, or None
    error_hint: Callable[[dict], str | None] = lambda failure: None
    #: the shapes of the first call's arrays, said under a ValueError ("x (3, 5), ...")
    shapes: str = ""


@dataclass(frozen=True)
class Exercise:
    number: int
    key: str  # "dense": the file is ex1_dense.py, ``--only dense`` selects it
    title_key: str  # its title in the message table
    parts: tuple[Part, ...]

    @property
    def file(self) -> str:
        return f"ex{self.number}_{self.key}.py"

    @property
    def title(self) -> str:
        return say(self.title_key)

    @property
    def test_name(self) -> str:
        """Its test in the pytest form: ``test_ex4_reparameterize``."""
        return f"test_ex{self.number}_{self.key}"
