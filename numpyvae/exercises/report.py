"""The report of ``numpyvae exercises check``: rows, verdicts, the summary, the next step,
and the same as records a course's autograder reads (:func:`records`, ``--json``).

A ``Row`` is one line (a gradient, or a contract such as "a 2nd call", and its
verdict), a ``Result`` the rows of one exercise and what its code printed (both in
``exercise.py``); :func:`format_report` lays them out in the current language, wrapping
the hints, with the prints under the rows of their exercise.
"""

from __future__ import annotations

import re
import unicodedata

from .exercise import ERROR, OK, SOLVED, UNSOLVED, WRONG, Exercise, Result, Row
from .messages import say

_VERDICT_KEYS = {OK: "verdict.ok", WRONG: "verdict.wrong", UNSOLVED: "verdict.unsolved",
                 ERROR: "verdict.error", SOLVED: "verdict.solved"}


def verdict_word(verdict: str) -> str:
    """``verdict`` in the current language."""
    return say(_VERDICT_KEYS[verdict])


def title(ex: Exercise) -> str:
    """The exercise's title in the current language."""
    return say(ex.title_key)


def first_hint(result: Result) -> str:
    """The hint of the first row that is not ok (what to fix first), or ''."""
    for row in result.rows:
        if row.verdict != OK:
            return row.hint or (say("report.write_at", where=row.where) if row.where else "")
    return ""


def _keep_together(match: re.Match) -> str:
    return match.group(0).replace(" ", "\N{NO-BREAK SPACE}")


def wrap(text: str, indent: str = "      ", width: int = 96) -> list[str]:
    """``text`` indented, lines wrapped at ``width`` terminal columns (Hangul takes two);
    never inside "Eq. (9)" or a shape "(4, 3)"."""
    lines = []
    for paragraph in text.splitlines():
        if paragraph.startswith(("at ", "위치: ")) or display_width(indent + paragraph) <= width:
            lines.append(indent + paragraph)
            continue
        glued = re.sub(r"Eq\. \(|\(\d+(, \d+)*,?\)", _keep_together, paragraph)
        line = ""
        for word in glued.split(" "):
            if line and display_width(indent + line + " " + word) > width:
                lines.append(indent + line.replace("\N{NO-BREAK SPACE}", " "))
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(indent + line.replace("\N{NO-BREAK SPACE}", " "))
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
    key = "report.printed_once" if total > len(counts) else "report.printed"
    lines = [indent + say(key, n=total)]
    for text, count in list(counts.items())[:MAX_PRINTED]:
        lines.append(f"{indent}  | {text}" + (say("report.times", n=count) if count > 1 else ""))
    if len(counts) > MAX_PRINTED:
        lines.append(indent + "  " + say("report.more_lines", n=len(counts) - MAX_PRINTED))
    return lines


def display_width(text: str) -> int:
    """Columns ``text`` takes on a terminal: Hangul and other wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, width: int, right: bool = False) -> str:
    """``text`` padded with spaces to ``width`` columns (on the left when ``right``)."""
    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill


def row_line(row: Row, width: int, reference: bool = False) -> str:
    """The line of one row: name, rel error, bound, (the library's,) verdict."""
    verdict = verdict_word(row.verdict) + (f" ({row.where})" if row.where else "")
    ref = "  " + pad(row.reference or "-", 22) if reference else ""
    return f"  {pad(row.name, width)}  {pad(row.error, 9, True)}  {row.bound:>6}{ref}  {verdict}"


def summary(results: list[Result]) -> str:
    """'3 of 7 exercises solved, 0 wrong, 4 not yet solved' (and errors, if any)."""
    count = {s: sum(r.status == s for r in results) for s in (SOLVED, WRONG, UNSOLVED, ERROR)}
    text = say("report.summary", solved=count[SOLVED], total=len(results), wrong=count[WRONG],
               unsolved=count[UNSOLVED], s="s" if len(results) != 1 else "")
    if count[ERROR]:
        text += say("report.summary_errors", n=count[ERROR])
    return text


def exercise_block(result: Result, width: int, reference: bool = False,
                   solutions: bool = False) -> list[str]:
    """The lines of one exercise: its heading, its rows and hints, what it printed."""
    ex = result.exercise
    lines = [f"{ex.file}  {title(ex)}  [{verdict_word(result.status)}]"]
    if solutions:
        lines += ["  " + say("report.libraries", where=part.where) for part in ex.parts]
    for row in result.rows:
        lines.append(row_line(row, width, reference))
        if row.hint:
            lines += wrap(row.hint)
    return lines + format_output(result.output)


def format_report(results: list[Result], heading: str, next_step: str = "",
                  solutions: bool = False, reference: bool = False) -> str:
    """The report: a heading, one block per exercise, the summary, the next step.

    ``reference``: a column of how each answer compares with the library's own.
    """
    width = max([display_width(row.name) for r in results for row in r.rows] + [30])
    ref = "  " + pad(say("report.vs_library"), 22) if reference else ""
    lines = [heading, "", (f"  {pad(say('report.gradient'), width)}  {'rel error':>9}  "
                          f"{'bound':>6}{ref}  {say('report.verdict')}")]
    for r in results:
        lines += ["", *exercise_block(r, width, reference, solutions)]
    lines += ["", summary(results)]
    if next_step:
        lines.append(next_step)
    return "\n".join(lines)


def next_step(results: list[Result], command: str, only: list[str] | None, total: int) -> str:
    """What to do next: fix what is wrong, write what is not yet solved, or compare."""
    statuses = {r.status for r in results}
    if statuses & {WRONG, ERROR}:
        again = command + "".join(f" --only {name}" for name in only or ())
        return say("report.next_fix", command=again)
    for r in results:
        for row in r.rows:
            if row.verdict == UNSOLVED:
                at = f"{row.where}, " if row.where else ""
                return say("report.next_write", at=at, name=row.name, command=command,
                           key=r.exercise.key)
    if len(results) < total:
        wheres = "; ".join(part.where for r in results for part in r.exercise.parts)
        return say("report.next_compare", wheres=wheres)
    return say("report.next_all", total=total)


def records(results: list[Result], lang: str) -> dict:
    """The results as a course's autograder reads them (``--json``): one record per
    exercise, with its verdict (``solved``, ``wrong``, ``not yet solved``, ``error``), the
    hint of its first row that is not ok, and every row."""
    return {
        "language": lang,
        "solved": sum(r.status == SOLVED for r in results),
        "total": len(results),
        "exercises": [{
            "number": r.exercise.number, "key": r.exercise.key, "file": r.exercise.file,
            "test": r.exercise.test_name, "verdict": r.status, "hint": first_hint(r),
            "rows": [{"name": row.name, "verdict": row.verdict, "error": row.error,
                      "bound": row.bound, "hint": row.hint, "where": row.where}
                     for row in r.rows],
            "printed": r.output,
        } for r in results],
    }
