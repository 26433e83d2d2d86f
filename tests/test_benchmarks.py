"""The benchmark scripts' command lines: help, and clear errors for bad arguments.

(The scripts print timings; nothing here runs them long enough to time anything.)
"""

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def run(script, *args):
    return subprocess.run([sys.executable, str(BENCHMARKS / script), *args],
                          check=False, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("script, options", [
    ("bench_epoch.py", ["--data-dir", "--repeats", "--iw-images", "--iw-samples", "--train-epochs",
                        "--torch-rounds"]),
    ("bench_scaling.py", ["--data-dir", "--images", "--sizes", "--skip-timing"]),
])
def test_help_explains_every_option(script, options):
    done = run(script, "--help")
    assert done.returncode == 0
    for option in options:
        assert option in done.stdout
    assert "--child" not in done.stdout  # the options of their own child processes stay hidden


@pytest.mark.parametrize("script, args, words", [
    ("bench_epoch.py", ["--repeats", "0"], ["--repeats", "must be >= 1"]),
    ("bench_epoch.py", ["--iw-images", "-1"], ["--iw-images", "must be >= 0"]),
    ("bench_epoch.py", ["--iw-samples", "many"], ["--iw-samples", "whole number"]),
    ("bench_epoch.py", ["--torch-rounds", "-1"], ["--torch-rounds", "must be >= 0"]),
    ("bench_scaling.py", ["--sizes", "60000", "0"], ["--sizes", "must be >= 1"]),
])
def test_bad_counts_are_rejected_naming_the_option(script, args, words):
    done = run(script, *args)
    assert done.returncode == 2
    for word in words:
        assert word in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("script", ["bench_epoch.py", "bench_scaling.py"])
def test_a_data_dir_without_mnist_is_an_error_not_random_data(script, tmp_path):
    done = run(script, "--data-dir", str(tmp_path))
    assert done.returncode == 1
    assert f"--data-dir {tmp_path}: no mnist/ folder there" in done.stderr
    assert "Traceback" not in done.stderr


def test_without_data_dir_the_librarys_data_directory_is_used_or_random_data_is_announced(
        tmp_path, monkeypatch, capsys):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import bench_epoch

    monkeypatch.setenv("NUMPYVAE_DATA", str(tmp_path))
    assert bench_epoch.find_data_dir(None) is None
    warning = capsys.readouterr().err
    assert "WARNING" in warning and "RANDOM data" in warning and str(tmp_path) in warning
    (tmp_path / "mnist").mkdir()
    assert bench_epoch.find_data_dir(None) == str(tmp_path)
    assert capsys.readouterr().err == ""
