"""docs/derivations.md and its Korean twin: every file, function and test they cite exists.

A citation is a link ``[numpyvae/x.py: name](../numpyvae/x.py)``, a backticked
``module.function`` of numpyvae (``losses.softplus``), a backticked ``Class.method``
(``Sigmoid.backward``) or a backticked test ``tests/test_x.py::test_name``. A link to
``#anchor`` names a heading of the same file; the code blocks that measure the figures
quoted in the text compile, import names that exist, and give ``numpyvae`` options it has.
"""

from __future__ import annotations

import ast
import importlib
import re
import shlex
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DOCS = [REPO / "docs" / "derivations.md", REPO / "docs" / "derivations.ko.md"]
PACKAGE = REPO / "numpyvae"

LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]+)\)")
CITED_LINK = re.compile(r"^([\w./-]+\.py): ([\w.]+)$")  # the text of [path: name](target)
CODE = re.compile(r"`([^`\n]+)`")
TEST = re.compile(r"^(tests/test_\w+\.py)::(test_\w+)$")
DOTTED = re.compile(r"^([A-Za-z_]\w*)\.([A-Za-z_]\w*)$")
ANCHOR = re.compile(r"\]\(#([^)\s]+)\)")
FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _links(path: Path) -> list[tuple[str, str]]:
    """(text, target) of every relative link, the anchor cut off the target."""
    return [(text, target.split("#", 1)[0]) for text, target in LINK.findall(_text(path))
            if not re.match(r"^[a-z][a-z0-9+.-]*:", target) and not target.startswith("#")]


def _blocks(path: Path, language: str) -> list[str]:
    """The fenced code blocks of one language (```python ... ```) in the file."""
    return [body for lang, body in FENCE.findall(_text(path)) if lang == language]


def _slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as '-'."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _defines(source: str, name: str) -> bool:
    """``def name``, ``class name`` or a module-level ``name =`` in the source."""
    return re.search(rf"^\s*(?:def|class)\s+{re.escape(name)}\b|^{re.escape(name)}\s*[:=]",
                     source, re.MULTILINE) is not None


def _has_dotted(source: str, dotted: str) -> bool:
    """``Class.method``: the class and the method are both defined in the source."""
    first, *rest = dotted.split(".")
    return _defines(source, first) and all(_defines(source, part) for part in rest)


ALL_SOURCES = {p: p.read_text(encoding="utf-8") for p in sorted(PACKAGE.rglob("*.py"))}


@pytest.fixture(params=DOCS, ids=lambda p: p.name)
def doc(request) -> Path:
    return request.param


def test_both_files_exist():
    for path in DOCS:
        assert path.is_file(), f"missing {path.relative_to(REPO)}"


def test_every_relative_link_points_to_a_file_that_exists(doc):
    missing = [t for _, t in _links(doc) if not (doc.parent / t).exists()]
    assert not missing, f"{doc.name}: links to missing files: {missing}"


def test_every_cited_function_is_defined_in_the_linked_file(doc):
    cited = [(text, target) for text, target in _links(doc) if CITED_LINK.match(text)]
    assert len(cited) >= 10, f"{doc.name}: expected links of the form [numpyvae/x.py: name](...)"
    bad = []
    for text, target in cited:
        path, name = CITED_LINK.match(text).groups()
        file = (doc.parent / target).resolve()
        if file != (REPO / path).resolve():
            bad.append(f"{text}: the link goes to {target}")
        elif not _has_dotted(_text(file), name):
            bad.append(f"{text}: no def or class {name} in {path}")
    assert not bad, f"{doc.name}: " + "; ".join(bad)


def test_every_backticked_function_and_test_exists(doc):
    bad, checked = [], 0
    for span in CODE.findall(_text(doc)):
        if m := TEST.match(span):
            path, name = m.groups()
            checked += 1
            if not (REPO / path).is_file() or not _defines(_text(REPO / path), name):
                bad.append(span)
        elif m := DOTTED.match(span):
            first, _ = m.groups()
            module = PACKAGE / f"{first}.py"
            if module.is_file():  # numpyvae's module.function
                checked += 1
                if not _has_dotted(_text(module), span.split(".", 1)[1]):
                    bad.append(span)
            elif first[0].isupper():  # Class.method, somewhere in numpyvae
                checked += 1
                if not any(_has_dotted(src, span) for src in ALL_SOURCES.values()):
                    bad.append(span)
    assert checked >= 10, f"{doc.name}: found only {checked} backticked citations"
    assert not bad, f"{doc.name}: cites what does not exist: {bad}"


def test_both_languages_have_the_same_sections_and_links():
    sections = [len(re.findall(r"^## ", _text(p), re.MULTILINE)) for p in DOCS]
    assert sections[0] == sections[1], f"'## ' sections: {sections[0]} and {sections[1]}"
    # a page and its Korean twin (x.md, x.ko.md) count as one link: each file links its own language
    links = [{t.replace(".ko.md", ".md") for _, t in _links(p)} - {"derivations.md"} for p in DOCS]
    assert links[0] == links[1], f"links only in one file: {links[0] ^ links[1]}"
    cited = [sorted(text for text, _ in _links(p) if CITED_LINK.match(text)) for p in DOCS]
    assert cited[0] == cited[1], "the two files must cite the same [path: name] links"


def test_both_languages_cite_the_same_tests():
    tests = [sorted({s for s in CODE.findall(_text(p)) if TEST.match(s)}) for p in DOCS]
    assert tests[0] == tests[1], f"tests cited in one file only: {set(tests[0]) ^ set(tests[1])}"


@pytest.mark.parametrize("eq", [2, 4, 5, 6, 7, 8, 9, 11])
def test_every_derived_equation_is_named_by_its_number(doc, eq):
    assert f"Eq. ({eq})" in _text(doc), f"{doc.name} never names Eq. ({eq})"


def test_every_anchor_link_names_a_heading_of_the_file(doc):
    headings = {_slug(h) for h in re.findall(r"^#+ (.+)$", _text(doc), re.MULTILINE)}
    anchors = ANCHOR.findall(_text(doc))
    assert anchors, f"{doc.name}: expected a link to one of its own headings"
    missing = [a for a in anchors if a not in headings]
    assert not missing, f"{doc.name}: anchors with no heading: {missing}"


def test_the_python_blocks_compile_and_import_names_that_exist(doc):
    blocks = _blocks(doc, "python")
    assert blocks, f"{doc.name}: expected the code that measured its figures"
    bad = []
    for body in blocks:
        for node in ast.walk(ast.parse(body)):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("numpyvae"):
                module = importlib.import_module(node.module)
                bad += [f"{node.module}.{a.name}" for a in node.names if not hasattr(module, a.name)]
    assert not bad, f"{doc.name}: its code imports names that do not exist: {bad}"


def test_the_numpyvae_commands_of_the_code_blocks_parse(doc):
    from numpyvae.cli import build_parser

    commands = [shlex.split(line) for body in _blocks(doc, "bash") for line in body.splitlines()
                if line.startswith("numpyvae ")]
    assert commands, f"{doc.name}: expected the command that trained the measured model"
    for words in commands:
        try:
            build_parser().parse_args(words[1:])
        except SystemExit:
            pytest.fail(f"{doc.name}: numpyvae does not accept: {' '.join(words)}")


def test_both_languages_show_the_same_code_blocks():
    blocks = [FENCE.findall(_text(p)) for p in DOCS]
    assert blocks[0] == blocks[1], "the code blocks of the two files differ"


def test_both_languages_quote_the_same_measured_figures():
    # a figure such as 7.7 \times 10^{-3} or 189.9, updated in one language and not the other
    figure = re.compile(r"\d+\.\d+ \\times 10\^\{-?\d+\}|\b\d{2,}\.\d+\b")
    found = [sorted(figure.findall(_text(p))) for p in DOCS]
    assert found[0], "expected measured figures in the derivations"
    assert found[0] == found[1], f"figures in one file only: {set(found[0]) ^ set(found[1])}"
