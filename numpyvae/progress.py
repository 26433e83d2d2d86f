"""A progress line for long work (evaluation, training epochs, downloads), on a terminal.

    with Progress(total=10_000, label="-log p(x)") as progress:
        for done in range(1, 10_001):
            ...
            progress(done)          # or progress(done, total): the callback form

shows, on one line of stderr rewritten in place (``\\r``) at most 5 times a second
(the first time after 0.2 s, so quick work shows nothing)::

    -log p(x)  [#######.............]  37%  12 s left
    epoch 3/10  [#########...........]  45%  -ELBO 112.43  1 min 05 s left

(the second: training, whose loop sets the label and a note with :meth:`describe`).
The bar and the percentage agree (both round down), and the work done shows the full
bar at 100 %, until :meth:`close` (or the end of the ``with`` block) erases the line, so
that what is printed next starts on a clean line. It writes nothing at all unless its
stream is a terminal (``isatty()``), so logs, pipes and tests see no control
characters; ``enabled=False`` (``--quiet``) silences it on a terminal too.

The functions that do long work take a ``progress`` callback, called as
``progress(done, total)``; a :class:`Progress` is one, and None means no progress.
When ``done`` goes down (a new epoch starts over), the clock of the time left restarts
from there.
No dependency beyond the standard library.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:  # only read by type checkers (typing.Self is Python 3.11+)
    from typing import Self

__all__ = ["Progress", "ProgressCallback", "format_seconds"]

#: ``progress(done, total)``: what the long-running functions call
ProgressCallback = Callable[[int, int], None]

#: at most this many seconds between two drawings of the line
MIN_INTERVAL = 0.2
BAR = 20  # characters of the bar


def format_seconds(seconds: float) -> str:
    """'12 s', '3 min 05 s', '1 h 02 min': a duration as a person reads it."""
    s = max(0, round(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


def _is_terminal(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):  # no isatty, or a closed stream
        return False


class Progress:
    """One progress line, rewritten in place on ``stream`` (default: sys.stderr).

    Args:
        total: the amount of work, in any unit (images, batches, bytes); 0 if unknown
            (then only the amount done is shown).
        label: what is being done, at the start of the line.
        stream: where the line goes; None means ``sys.stderr`` at the time of the call.
        enabled: None (the default): only if ``stream.isatty()``; False: never
            (``--quiet``); True: always (for tests).
        unit: shown after the amount done when ``total`` is unknown (e.g. "bytes").
    """

    def __init__(self, total: int, label: str, stream: TextIO | None = None,
                 enabled: bool | None = None, unit: str = "") -> None:
        self.total = max(0, int(total))
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = _is_terminal(self.stream) if enabled is None else bool(enabled)
        self.unit = unit
        self.note = ""  # shown after the percentage (describe)
        self.done = 0
        self._start = self._last_draw = time.monotonic()  # first drawn after MIN_INTERVAL
        self._base = 0  # what was done at _start: the rate is (done - _base) / elapsed
        self._width = 0  # characters on the line now (0: nothing shown)

    # ---- the callback -------------------------------------------------------------

    def __call__(self, done: int, total: int | None = None) -> None:
        """``progress(done, total)``: set the amount done (and the total, if given)."""
        if total is not None:
            self.total = max(0, int(total))
        self.update(done)

    def describe(self, label: str, note: str = "") -> None:
        """Set what the line says before its bar (``label``) and after its percentage
        (``note``), e.g. ``describe("epoch 3/10", "-ELBO 112.43")``."""
        self.label, self.note = label, note

    def update(self, done: int) -> None:
        """Set the amount done; redraw if the last drawing is old enough, and at the end
        (the full bar) if the line is shown."""
        done = int(done)
        now = time.monotonic()
        if done < self.done:  # started over (the next epoch): a new clock, from here
            self._start = self._last_draw = now
            self._base = done
        self.done = done
        if not self.enabled:
            return
        finished = bool(self.total) and done >= self.total
        if (finished and self._width) or now - self._last_draw >= MIN_INTERVAL:
            self._last_draw = now
            self._draw(self.line(now))

    def advance(self, n: int = 1) -> None:
        """Add ``n`` to the amount done."""
        self.update(self.done + n)

    # ---- the line -----------------------------------------------------------------

    def line(self, now: float | None = None) -> str:
        """The text of the line: 'label  [####......]  37%  12 s left'."""
        now = time.monotonic() if now is None else now
        if not self.total:
            return f"{self.label}  {self.done:,} {self.unit}".rstrip()
        fraction = min(1.0, self.done / self.total)
        filled = int(fraction * BAR)  # both round down: a full bar is 100 %, and only it
        text = f"{self.label}  [{'#' * filled}{'.' * (BAR - filled)}]  {int(fraction * 100):3d}%"
        if self.note:
            text += f"  {self.note}"
        elapsed = now - self._start
        if self.done > self._base and elapsed > 0 and fraction < 1:
            left = (self.total - self.done) * elapsed / (self.done - self._base)
            text += f"  {format_seconds(left)} left"
        return text

    def _draw(self, text: str) -> None:
        pad = " " * max(0, self._width - len(text))  # cover the end of a longer line
        self.stream.write(f"\r{text}{pad}")
        self.stream.flush()
        self._width = len(text)

    def close(self) -> None:
        """Erase the line, if one is shown (then the cursor is back at its start)."""
        if self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
