"""The report of ``numpyvae exercises check``: rows, verdicts, the summary, the next step.

A :class:`Row` is one line (a gradient and its verdict), a :class:`Result` the rows of
one exercise and what its code printed; :func:`format_report` lays them out, wrapping
the hints, with the prints under the rows of their exercise.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field

from .catalog import EXERCISES, Exercise

OK, WRONG, UNSOLVED, ERROR = "ok", "wrong", "not yet solved", "error"


@dataclass
class Row:
    """One line of the report: a gradient (or a part not yet written) and its verdict."""

    name: str
    error: str
    bound: str
    verdict: str
    hint: str = ""
    where: str = ""  # file:line of the NotImplementedError still to replace
    reference: str = ""  # against the library's own: "exact", "close, 2e-16", "differs, 0.5"


@dataclass
class Result:
    exercise: Exercise
    rows: list[Row] = field(default_factory=list)
    output: str = ""  # what the code printed (stdout and stderr) while it was checked

    @property
    def status(self) -> str:
        """error, wrong, not yet solved, or solved: the worst verdict of the rows."""
        verdicts = {r.verdict for r in self.rows}
        return next((v for v in (ERROR, WRONG, UNSOLVED) if v in verdicts), "solved")


def _keep_together(match: re.Match) -> str:
    return match.group(0).replace(" ", "\N{NO-BREAK SPACE}")


def _wrap(text: str, indent: str = "      ") -> list[str]:
    """``text`` indented, long lines wrapped; never inside "Eq. (9)" or a shape "(4, 3)"."""
    lines = []
    for paragraph in text.splitlines():
        if paragraph.startswith("at ") or len(paragraph) + len(indent) <= 96:
            lines.append(indent + paragraph)
            continue
        glued = re.sub(r"Eq\. \(|\(\d+(, \d+)*,?\)", _keep_together, paragraph)
        wrapped = textwrap.wrap(glued, 96, initial_indent=indent, subsequent_indent=indent)
        lines += [line.replace("\N{NO-BREAK SPACE}", " ") for line in wrapped]
    return lines


#: At most this many different lines of a learner's prints are shown per exercise.
MAX_PRINTED = 20


def format_output(output: str, indent: str = "  ") -> list[str]:
    """What an exercise printed, each different line once (with how often), in order."""
    counts: dict[str, int] = {}
    for line in output.splitlines():
        counts[line.rstrip()] = counts.get(line.rstrip(), 0) + 1
    if not counts:
        return []
    total = sum(counts.values())
    lines = [f"{indent}printed by your code ({total} line{'s' if total != 1 else ''}"
             + (", each different one once):" if total > len(counts) else "):")]
    for text, count in list(counts.items())[:MAX_PRINTED]:
        lines.append(f"{indent}  | {text}" + (f"   [{count} times]" if count > 1 else ""))
    if len(counts) > MAX_PRINTED:
        lines.append(f"{indent}  ... and {len(counts) - MAX_PRINTED} more different lines")
    return lines


def row_line(row: Row, width: int, reference: bool = False) -> str:
    """The line of one row: name, rel error, bound, (the library's,) verdict."""
    verdict = row.verdict + (f" ({row.where})" if row.where else "")
    ref = f"  {row.reference or '-':<22}" if reference else ""
    return f"  {row.name:<{width}}  {row.error:>9}  {row.bound:>6}{ref}  {verdict}"


def summary(results: list[Result]) -> str:
    """'3 of 6 exercises solved, 0 wrong, 3 not yet solved' (and errors, if any)."""
    count = {s: sum(r.status == s for r in results) for s in ("solved", WRONG, UNSOLVED, ERROR)}
    total = len(results)
    text = (f"{count['solved']} of {total} exercise{'s' if total != 1 else ''} solved, "
            f"{count[WRONG]} wrong, {count[UNSOLVED]} not yet solved")
    if count[ERROR]:
        text += f", {count[ERROR]} with {'an error' if count[ERROR] == 1 else 'errors'}"
    return text


def format_report(results: list[Result], heading: str, next_step: str = "",
                  solutions: bool = False, reference: bool = False) -> str:
    """The report: a heading, one block per exercise, the summary, the next step.

    ``reference``: a column of how each answer compares with the library's own.
    """
    width = max([len(row.name) for r in results for row in r.rows] + [30])
    ref = "  " + "vs the library's".ljust(22) if reference else ""
    lines = [heading, "", f"  {'gradient':<{width}}  {'rel error':>9}  {'bound':>6}{ref}  verdict"]
    for r in results:
        lines += ["", f"{r.exercise.file}  {r.exercise.title}  [{r.status}]"]
        if solutions:
            lines += [f"  the library's: {part.where}" for part in r.exercise.parts]
        for row in r.rows:
            lines.append(row_line(row, width, reference))
            if row.hint:
                lines += _wrap(row.hint)
        lines += format_output(r.output)
    lines += ["", summary(results)]
    if next_step:
        lines.append(next_step)
    return "\n".join(lines)


def _next_step(results: list[Result], command: str, only: list[str] | None) -> str:
    statuses = {r.status for r in results}
    if statuses & {WRONG, ERROR}:
        again = command + "".join(f" --only {name}" for name in only or ())
        return f"next: fix what is marked wrong or error above, then run again: {again}"
    for r in results:
        for row in r.rows:
            if row.verdict == UNSOLVED:
                at = f"{row.where}, " if row.where else ""
                return (f"next: {at}{row.name}: replace the `raise NotImplementedError` with "
                        f"your code, then run: {command} --only {r.exercise.key}")
    if len(results) < len(EXERCISES):
        wheres = "; ".join(part.where for r in results for part in r.exercise.parts)
        return f"solved. After trying, compare with the library's own: {wheres}"
    return (f"all {len(EXERCISES)} exercises solved. Compare each with the library's own "
            "(its docstring says where)")
