"""The committed figures are what the current code draws.

``python demos/<demo>.py --data-dir DIR --out demos/figures`` writes its figures and, in
demos/figures/SOURCES.json, what drew each: the PNG's SHA-256, the data set, the options
that differ from the defaults and the SHA-256 of every file that draws it (the demo,
demos/_common.py, the numpyvae/plots modules it uses). Only the run that drew a figure
writes its entry, so a test that finds a source changed since asks for that command.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from numpyvae import plots

REPO = Path(__file__).resolve().parent.parent
FIGURES = REPO / "demos" / "figures"
RECORD = json.loads((FIGURES / "SOURCES.json").read_text(encoding="utf-8"))
PNGS = sorted(p.name for p in FIGURES.glob("*.png"))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_committed_figure_has_an_entry_and_every_entry_a_figure():
    assert sorted(RECORD) == PNGS


@pytest.mark.parametrize("name", PNGS)
def test_the_figure_is_what_its_run_drew_from_the_current_code(name):
    entry = RECORD[name]
    command = f"{entry['drawn by']} --data-dir DIR --out demos/figures"
    assert sha256(FIGURES / name) == entry["png"], f"{name} was replaced by hand; draw it: {command}"
    assert entry["data"] == "mnist" and entry["options"] == {}, (
        f"{name} was drawn on {entry['data']} with {entry['options']}, not with the defaults on MNIST")
    changed = [f for f, digest in entry["sources"].items()
               if not (REPO / f).is_file() or sha256(REPO / f) != digest]
    assert not changed, f"{name} is stale: {changed} changed since it was drawn; run: {command}"


@pytest.mark.parametrize("name", PNGS)
def test_the_record_names_every_plots_module_the_demo_calls(name):
    entry = RECORD[name]
    demo = entry["drawn by"].split()[-1]  # demos/<demo>.py
    assert demo in entry["sources"] and "demos/_common.py" in entry["sources"]
    text = (REPO / demo).read_text(encoding="utf-8") + (REPO / "demos/_common.py").read_text(
        encoding="utf-8")
    for function in set(re.findall(r"\bplots\.(\w+)", text)):
        owner = getattr(plots, function, None)
        if callable(owner):
            module = "numpyvae/" + owner.__module__.split(".", 1)[1].replace(".", "/") + ".py"
            assert module in entry["sources"], f"{name}: {demo} calls plots.{function} ({module})"


def test_the_figures_of_one_demo_come_from_one_run():
    runs = {}
    for entry in RECORD.values():
        runs.setdefault(entry["drawn by"], set()).add(json.dumps(entry["sources"], sort_keys=True))
    assert all(len(v) == 1 for v in runs.values()), runs.keys()


def test_the_readme_times_are_those_of_the_recorded_runs():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    seconds = {e["drawn by"].split("/")[-1]: e["cpu seconds"] for e in RECORD.values()}
    rows = re.findall(r"^\| `python demos/(\w+\.py)[^`]*` \|.*\| ~?([\d.]+) (s|min)[^|]*\|$", text,
                      re.MULTILINE)
    timed = {demo: float(n) * (60 if unit == "min" else 1) for demo, n, unit in rows}
    assert set(seconds) <= set(timed), f"README.md's demo table lacks times for {set(seconds) - set(timed)}"
    for demo, recorded in seconds.items():
        assert abs(timed[demo] - recorded) <= max(5, 0.15 * recorded), (
            f"README.md says {timed[demo]:.0f} s for {demo}; its figures' run took {recorded} s of CPU")


def test_the_headline_demo_time_is_that_of_its_recorded_run():
    """The README's first lines name train_vae.py's CPU time too (both languages)."""
    recorded = next(e["cpu seconds"] for e in RECORD.values() if e["drawn by"].endswith("/train_vae.py"))
    for readme, pattern in [("README.md", r"`python demos/train_vae.py`.{0,300}?\((\d+) s of CPU"),
                            ("README.ko.md", r"`python demos/train_vae.py`.{0,300}?\(CPU 시간 (\d+) s")]:
        said = re.search(pattern, (REPO / readme).read_text(encoding="utf-8"), re.DOTALL)
        assert said, f"{readme} does not give train_vae.py's CPU time in its first lines"
        assert abs(int(said.group(1)) - recorded) <= max(5, 0.15 * recorded), (
            f"{readme} says {said.group(1)} s for train_vae.py; its figures' run took {recorded} s of CPU")
