"""Tests of the package numpyvae.datasets as a whole: import, public names, layering.

Each submodule has its own test file: test_datasets_idx.py, test_datasets_downloads.py,
test_datasets_mnist.py, test_datasets_glyphs.py, test_datasets_batching.py and
test_datasets_ondisk.py; test_datasets_downloads.py covers the cache too (cache.py),
which shares its local HTTP server.
"""

from __future__ import annotations

import ast
import importlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from numpyvae import datasets

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "numpyvae" / "datasets"

# Submodule -> the public names it defines.
PUBLIC = {
    "idx": ["IDX_TYPES", "open_regular", "read_idx", "write_idx"],
    "downloads": ["DOWNLOAD_DEADLINE", "DOWNLOAD_TIMEOUT", "FolderNotWritable", "download"],
    "cache": ["MIRRORS", "SHA256", "default_data_dir", "fetch", "mirror_urls"],
    "mnist": ["DATASETS", "SPLITS", "SPLIT_FILES", "load_dataset", "load_fashion_mnist",
              "load_mnist"],
    "glyphs": ["GLYPH_TEST_SIZE", "GLYPH_TRAIN_SIZE", "make_glyph_digits"],
    "batching": ["BINARIZE_MODES", "batches", "binarize", "binarized_test_images"],
    "ondisk": ["NpyRows", "save_npy_source", "write_npy_source"],
}

# The package's face: the names the rest of numpyvae, the demos and the benchmarks take
# from numpyvae.datasets (every other public name is taken from its module).
FACE = {"BINARIZE_MODES", "DATASETS", "SHA256", "NpyRows", "batches", "binarize",
        "binarized_test_images", "default_data_dir", "load_dataset", "make_glyph_digits",
        "write_npy_source"}

# Submodule -> the sibling submodules it may import (no cycles).
SIBLINGS = {
    "idx": set(),
    "downloads": {"idx"},
    "cache": {"idx", "downloads"},
    "mnist": {"idx", "cache", "glyphs"},
    "glyphs": set(),
    "batching": set(),
    "ondisk": {"idx"},
}


def test_import_loads_neither_matplotlib_nor_data():
    code = (
        "import sys, numpyvae.datasets as d; "
        "assert 'matplotlib' not in sys.modules; "
        "assert d.glyphs._glyph_fields.cache_info().currsize == 0"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO))
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=REPO)


@pytest.mark.parametrize("module", sorted(PUBLIC))
def test_every_public_name_is_in_its_module_and_the_face_holds_the_same_object(module):
    submodule = importlib.import_module(f"numpyvae.datasets.{module}")
    for name in PUBLIC[module]:
        assert hasattr(submodule, name), name
        if name in FACE:
            assert getattr(datasets, name) is getattr(submodule, name), name


def test_download_and_batches_are_the_functions_and_their_modules_are_reachable():
    from numpyvae.datasets import downloads

    assert callable(downloads.download) and callable(datasets.batches)
    assert datasets.batches is sys.modules["numpyvae.datasets.batching"].batches
    assert datasets.downloads is downloads  # the module, not shadowed by a function


def test_all_lists_exactly_the_face_and_the_face_is_documented():
    assert set(datasets.__all__) == FACE
    assert FACE <= {name for names in PUBLIC.values() for name in names}
    for name in FACE:
        assert name in datasets.__doc__, f"{name} is a name of numpyvae.datasets, not documented there"


def test_the_face_is_what_callers_outside_the_package_take_from_it():
    """Each name of the face is taken from ``numpyvae.datasets`` by a file outside it (not by
    the package's own tests, which take each name from its module)."""
    used = set()
    for folder in ("numpyvae", "demos", "benchmarks", "tests"):
        for path in (REPO / folder).rglob("*.py"):
            if PACKAGE in path.parents or path.name.startswith("test_datasets"):
                continue
            text = path.read_text(encoding="utf-8")
            used |= {name for name in FACE if f"datasets.{name}" in text
                     or re.search(rf"from (numpyvae|\.+)\.?datasets import [^\n]*\b{name}\b", text)
                     or re.search(rf"from (numpyvae|\.+)\.?datasets import \([^)]*\b{name}\b", text)}
    assert used == FACE, f"names of the face no caller takes: {sorted(FACE - used)}"


@pytest.mark.parametrize("module", sorted(SIBLINGS))
def test_submodules_import_only_numpy_the_standard_library_and_allowed_siblings(module):
    tree = ast.parse((PACKAGE / f"{module}.py").read_text())
    siblings, outside = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module is None:
            siblings.update(alias.name for alias in node.names)  # from . import downloads
        elif isinstance(node, ast.ImportFrom) and node.level == 1:
            siblings.add(node.module)
        elif isinstance(node, ast.ImportFrom) and node.level == 2:
            assert node.module in ("errors", "fileio"), node.module
        elif isinstance(node, ast.ImportFrom):
            outside.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            outside.update(alias.name.split(".")[0] for alias in node.names)
    assert siblings <= SIBLINGS[module]
    assert outside - {"__future__", "numpy"} <= set(sys.stdlib_module_names)
