"""Wrappers that watch an implementation while a check of ``checks.py`` tests it.

A check answers one question: is the gradient within its bound? To say *why* not,
the exercise runner hands the check a wrapped version of the learner's class or
function. On the first call (the real one, made before any finite difference) the
wrapper keeps a copy of the inputs and of what came back, in a :class:`Record`, and
notes what the numbers alone would not show:

- a gradient that is not an array of the right shape (``None``, a missing
  ``grads`` entry, dW transposed ...). It is replaced by NaNs of the right shape, so
  the check fails on that gradient and still checks the others;
- an input or the upstream gradient changed in place (a ReLU writing ``dout[...] = 0``).
  backward is handed a copy of the upstream gradient, so the check's own stays as it
  was and the gradients are checked against it, unmodified;
- Adam binding new arrays to its parameters instead of updating them in place.

A return value of the wrong structure (one array where a pair belongs) cannot be
checked at all: :class:`InterfaceError`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..optim import Adam as _LibraryAdam

#: Stands for a gradient that was never written (a missing ``grads`` entry).
MISSING = object()


class InterfaceError(Exception):
    """An implementation returned something of the wrong structure."""


@dataclass
class Record:
    """What one check saw. Arrays are copies taken at the time."""

    inputs: dict[str, np.ndarray] = field(default_factory=dict)
    got: dict[str, object] = field(default_factory=dict)  # "forward", "dx", "dW", ...
    bad: dict[str, object] = field(default_factory=dict)  # gradients of the wrong shape
    changed: list[str] = field(default_factory=list)  # arrays changed in place
    rebound: list[str] = field(default_factory=list)  # weights not updated in place
    upstream: str = ""  # the name of backward's argument ("dout", "dz"), if there is one


def is_numbers(value: object, shape: tuple[int, ...] | None = None) -> bool:
    """Whether ``value`` counts as an answer: an array of numbers (of ``shape``, if given)."""
    return (isinstance(value, np.ndarray) and value.dtype.kind in "biuf"
            and (shape is None or value.shape == shape))


def describe(value: object) -> str:
    """A few words on what ``value`` is: 'None', 'an array of shape (4, 5)', ..."""
    if value is MISSING:
        return "missing"
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        kind = "" if is_numbers(value) else f" of {value.dtype}"
        return f"an array{kind} of shape {value.shape}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)}"
    return f"a {type(value).__name__}"


def _copy(value: object) -> object:
    return np.array(value, copy=True) if isinstance(value, np.ndarray) else value


def _gradient(value: object, key: str, shape: tuple[int, ...], rec: Record) -> object:
    """``value`` if it is a numeric array of ``shape``; else note it and return NaNs."""
    rec.got[key] = _copy(value)
    if is_numbers(value, shape):
        return value
    rec.bad[key] = _copy(value)
    return np.full(shape, np.nan)


def _changed(rec: Record, names: tuple[str, ...], arrays: tuple) -> None:
    for name, a in zip(names, arrays):
        if isinstance(a, np.ndarray) and not np.array_equal(a, rec.inputs[name], equal_nan=True):
            rec.changed.append(name)


def spy_module(
    cls: type, rec: Record, inputs: tuple[str, ...], upstream: str, returns: tuple[str, ...]
) -> type:
    """A subclass of the module ``cls`` that records its first forward and backward.

    Args:
        inputs: names of forward's arguments, e.g. ``("mu", "logvar", "eps")``.
        upstream: name of backward's argument, e.g. ``"dz"``.
        returns: names of what backward returns, ``"d" + input``, e.g.
            ``("dmu", "dlogvar")``; one name means one array, more mean a tuple.
    Parameter gradients are read from ``grads`` as ``"d" + key`` (``dW``, ``db``).
    """

    class Spy(cls):
        def forward(self, *args):
            if "forward" in rec.got:  # a finite difference: not recorded
                return super().forward(*args)
            rec.inputs.update({n: _copy(a) for n, a in zip(inputs, args)})
            rec.inputs.update({k: _copy(w) for k, w in self.params.items()})
            self._spy_args = args  # to see them changed in place, by forward or backward
            out = super().forward(*args)
            rec.got["forward"] = _copy(out)
            return out

        def backward(self, dout):
            if upstream in rec.inputs:  # not the first call
                return super().backward(dout)
            rec.upstream = upstream
            rec.inputs[upstream] = _copy(dout)
            given = _copy(dout)  # changed in place or not, the caller's dout stays as it was
            result = super().backward(given)
            _changed(rec, (upstream, *inputs), (given, *getattr(self, "_spy_args", ())))
            if len(returns) == 1:
                values = (result,)
            elif isinstance(result, (tuple, list)) and len(result) == len(returns):
                values = tuple(result)
            else:
                raise InterfaceError(
                    f"{cls.__name__}.backward must return ({', '.join(returns)}), "
                    f"but it returned {describe(result)}"
                )
            fixed = tuple(
                _gradient(v, key, rec.inputs[key[1:]].shape, rec) for key, v in zip(returns, values)
            )
            for k, w in self.params.items():
                self.grads[k] = _gradient(self.grads.get(k, MISSING), "d" + k, w.shape, rec)
            return fixed[0] if len(returns) == 1 else fixed

    Spy.__name__, Spy.__qualname__ = cls.__name__, cls.__qualname__
    return Spy


def spy_function(
    fn: Callable, rec: Record, inputs: tuple[str, ...], returns: tuple[str, ...]
) -> Callable:
    """``fn(*inputs) -> (value, gradient)`` (or ``(value, (gradients...))`` when
    ``returns`` has more than one name), recording its first call."""
    expected = "(value, " + (returns[0] if len(returns) == 1 else f"({', '.join(returns)})") + ")"

    def spy(*args):
        first = "forward" not in rec.got
        if first:
            rec.inputs.update({n: _copy(a) for n, a in zip(inputs, args)})
        out = fn(*args)
        if not (isinstance(out, (tuple, list)) and len(out) == 2):
            raise InterfaceError(
                f"{fn.__name__} must return {expected}, but it returned {describe(out)}"
            )
        if not first:
            return out
        value, grads = out
        rec.got["forward"] = _copy(value)
        _changed(rec, inputs, args)
        if len(returns) == 1:
            return value, _gradient(grads, returns[0], rec.inputs[returns[0][1:]].shape, rec)
        if not (isinstance(grads, (tuple, list)) and len(grads) == len(returns)):
            raise InterfaceError(
                f"the gradient part of what {fn.__name__} returns must be "
                f"({', '.join(returns)}), but it is {describe(grads)}"
            )
        return value, tuple(
            _gradient(g, key, rec.inputs[key[1:]].shape, rec) for key, g in zip(returns, grads)
        )

    spy.__name__ = fn.__name__
    return spy


def spy_optimizer(cls: type, rec: Record) -> type:
    """A subclass of the optimizer ``cls`` that records every step.

    ``rec.inputs``: ``w0`` (the weights before the first step), ``grads`` (one array per
    step), and ``lr``, ``betas``, ``eps`` as given (the library's defaults otherwise).
    ``rec.got[name]``: the weights after each step, as the caller's dict holds them.
    """

    class Spy(cls):
        def __init__(self, params, *args, **kwargs):
            bound = inspect.signature(_LibraryAdam).bind(params, *args, **kwargs)
            bound.apply_defaults()
            rec.inputs.update(lr=bound.arguments["lr"], betas=bound.arguments["betas"],
                              eps=bound.arguments["eps"], grads=[])
            rec.inputs["w0"] = {k: _copy(w) for k, w in params.items()}
            self._spy_params = params
            super().__init__(params, *args, **kwargs)

        def step(self, grads):
            params = self._spy_params
            arrays = dict(params)
            given = {k: _copy(g) for k, g in grads.items()}
            rec.inputs["grads"].append(given)
            super().step(grads)
            for k, w in params.items():
                if w is not arrays.get(k, w) and k not in rec.rebound:
                    rec.rebound.append(k)
                unchanged = np.array_equal(grads[k], given[k], equal_nan=True)
                if not unchanged and "grads" not in rec.changed:
                    rec.changed.append("grads")
                rec.got.setdefault(k, []).append(_copy(w))

    Spy.__name__, Spy.__qualname__ = cls.__name__, cls.__qualname__
    return Spy
