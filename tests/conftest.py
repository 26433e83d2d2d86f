"""Fixtures shared by several test files."""

import socket

import pytest
from helpers import run_cli


@pytest.fixture
def dead_url():
    """A URL on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def folder(tmp_path, capsys):
    """Fresh skeletons, as ``numpyvae exercises init DIR`` writes them."""
    path = tmp_path / "exercises"
    assert run_cli(capsys, "exercises", "init", path)[0] == 0
    return path
