"""The READMEs and docs/: short, their links resolve, their commands are a user's.

README.md is for the people who use the library (DESIGN.md, section 2); README.ko.md
follows the same cut. Run-by-run figures live in docs/ and benchmarks/README.md.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
READMES = [REPO / "README.md", REPO / "README.ko.md"]
DOCS = sorted((REPO / "docs").glob("*.md"))

# [text](target) and ![alt](target); the target ends at whitespace or ")"
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.DOTALL | re.MULTILINE)


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _relative_links(path: Path) -> list[str]:
    targets = []
    for target in LINK.findall(_text(path)):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            continue  # https:, mailto:, or an anchor in the same file
        targets.append(target.split("#", 1)[0])
    return targets


def _command_lines(path: Path) -> list[str]:
    """Lines of the fenced blocks and of the inline code spans: what a reader types."""
    text = _text(path)
    lines = [line for block in FENCE.findall(text) for line in block.splitlines()]
    outside = FENCE.sub("", text)
    lines += re.findall(r"`([^`\n]+)`", outside)
    return lines


def test_readme_is_at_most_200_lines():
    n = len(_text(REPO / "README.md").splitlines())
    assert n <= 200, f"README.md has {n} lines; move run-by-run material to docs/"


@pytest.mark.parametrize("path", READMES + DOCS, ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_relative_link_points_to_a_file_that_exists(path):
    missing = [t for t in _relative_links(path) if not (path.parent / t).exists()]
    assert not missing, f"{path.name}: links to missing files: {missing}"


@pytest.mark.parametrize("path", READMES, ids=lambda p: p.name)
def test_no_command_mentions_the_shared_folder_or_work(path):
    bad = [line for line in _command_lines(path) if "../shared" in line or "/work/" in line]
    assert not bad, f"{path.name}: commands that only work on one machine: {bad}"


def test_both_readmes_have_the_same_sections():
    counts = [len(re.findall(r"^## ", _text(p), re.MULTILINE)) for p in READMES]
    assert counts[0] == counts[1], f"'## ' sections: README.md {counts[0]}, README.ko.md {counts[1]}"


def test_both_readmes_show_the_same_code_blocks():
    blocks = [FENCE.findall(_text(p)) for p in READMES]
    assert blocks[0] == blocks[1], "README.ko.md must copy README.md's code blocks unchanged"


def test_the_readme_names_its_test_command():
    tests = _text(REPO / "README.md").split("\n## Tests\n", 1)
    assert len(tests) == 2, "README.md needs a '## Tests' section (.ci/run follows it)"
    assert "```bash\npython -m pytest -q\n```" in tests[1].split("\n## ", 1)[0]


def test_ci_installs_exactly_as_the_readme_says():
    install = _text(REPO / "README.md").split("\n## Install\n", 1)[1].split("\n## ", 1)[0]
    pip = [line for block in FENCE.findall(install) for line in block.splitlines()
           if "pip install" in line]
    assert pip == ['python -m pip install -e ".[test,plot]"']  # editable: the code you read runs
    lines = _text(REPO / ".ci" / "run").splitlines()
    ci = [line.replace(" --quiet", "") for line in lines
          if "pip install" in line and "--upgrade pip" not in line and "ruff==" not in line]
    assert ci == pip
    # and the linter, pinned, beside the project rather than in it
    assert "python -m pip install --quiet ruff==0.17.6" in lines and "ruff check ." in lines


NUMBERS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def test_the_readme_counts_the_demos_that_train():
    demos = sorted((REPO / "demos").glob("[!_]*.py"))
    train = [d.name for d in demos if "_common.load(" in d.read_text(encoding="utf-8")]
    text = " ".join(_text(REPO / "README.md").split("\n## Demos", 1)[1].split("\n## ", 1)[0].split())
    word = NUMBERS[len(train) - 1]
    said = "All" if len(train) == len(demos) else "The"
    assert f"{said} {word} train" in text, f"README.md must say '{said} {word} train': {train}"
