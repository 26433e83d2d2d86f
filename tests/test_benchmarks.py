"""The benchmark scripts' command lines: help, and clear errors for bad arguments.

(The scripts print timings; nothing here runs them long enough to time anything.)
"""

import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
#: the tiny runs' products on one BLAS thread: on a busy machine two threads wait for
#: each other a time slice per product (the tiny runs' timings are not looked at)
QUICK = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}


def run(script, *args):
    return subprocess.run([sys.executable, str(BENCHMARKS / script), *args],
                          check=False, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("script, options", [
    ("bench_epoch.py", ["--data-dir", "--rounds", "--images", "--peers", "--iw-images", "--iw-samples",
                        "--import-repeats", "--train-epochs", "--threads", "--clock", "torch-compile", "jax-scan", "0.2 cores"]),
    ("bench_scaling.py", ["--data-dir", "--images", "--sizes", "--skip-timing"]),
    ("bench_passes.py", ["--data-dir", "--repeats", "--train-epochs", "--images", "--iw-images",
                         "--iw-samples", "--clock"]),
    ("bench_subnormal.py", ["--data-dir", "--epochs", "--images", "--rounds"]),
])
def test_help_explains_every_option(script, options):
    done = run(script, "--help")
    assert done.returncode == 0
    for option in options:
        assert option in done.stdout
    assert "--child" not in done.stdout  # the options of their own child processes stay hidden


@pytest.mark.parametrize("script, args, words", [
    ("bench_epoch.py", ["--rounds", "0"], ["--rounds", "must be >= 1"]),
    ("bench_epoch.py", ["--iw-images", "-1"], ["--iw-images", "must be >= 0"]),
    ("bench_epoch.py", ["--iw-samples", "many"], ["--iw-samples", "whole number"]),
    ("bench_epoch.py", ["--peers", "torch-eager,tensorflow"], ["--peers", "unknown peer tensorflow"]),
    ("bench_scaling.py", ["--sizes", "60000", "0"], ["--sizes", "must be >= 1"]),
    ("bench_subnormal.py", ["--epochs", "0"], ["--epochs", "must be >= 1"]),
])
def test_bad_counts_are_rejected_naming_the_option(script, args, words):
    done = run(script, *args)
    assert done.returncode == 2
    for word in words:
        assert word in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("script", ["bench_epoch.py", "bench_scaling.py", "bench_passes.py",
                                    "bench_subnormal.py"])
def test_a_data_dir_without_mnist_is_an_error_not_random_data(script, tmp_path):
    done = run(script, "--data-dir", str(tmp_path))
    assert done.returncode == 1
    assert f"--data-dir {tmp_path}: no mnist/ folder there" in done.stderr
    assert "Traceback" not in done.stderr


def test_without_data_dir_the_librarys_data_directory_is_used_or_random_data_is_announced(
        tmp_path, monkeypatch, capsys):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import recipe

    monkeypatch.setenv("NUMPYVAE_DATA", str(tmp_path))
    assert recipe.find_data_dir(None) is None
    warning = capsys.readouterr().err
    assert "WARNING" in warning and "RANDOM data" in warning and str(tmp_path) in warning
    (tmp_path / "mnist").mkdir()
    assert recipe.find_data_dir(None) == str(tmp_path)
    assert capsys.readouterr().err == ""


def test_a_tiny_run_without_peers_prints_both_tables_and_the_load(tmp_path):
    """Random data (no MNIST in the data directory), two rounds: every row, each round's
    loss and estimate, and the load line are printed; timings are not looked at."""
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "bench_epoch.py"), "--rounds", "2", "--images", "300",
         "--peers", "none", "--iw-images", "3", "--iw-samples", "7", "--import-repeats", "0",
         "--train-epochs", "0"],
        check=False, capture_output=True, text=True, timeout=120,
        env={**os.environ, **QUICK, "NUMPYVAE_DATA": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert "RANDOM data" in done.stderr
    out = done.stdout
    losses = out.split("numpyvae (public API loop)")[1].split("\n")[0].split()
    assert len(losses) == 3 + 2  # s/epoch, two ratios, then the mean loss of each round
    assert all(math.isfinite(float(v)) for v in losses)
    assert 300 < float(losses[3]) < 700  # nats per random image, before any learning
    estimates = out.split("numpyvae log_likelihood_iw_blocked")[1].split("\n")[0].split()
    assert len(estimates) == 3 + 2 and all(float(v) < 0 for v in estimates[3:])
    assert "BLAS floor (the 14 products)" in out and "its BLAS floor" in out
    assert out.count("load: other processes") == 2
    assert "Traceback" not in done.stderr


def test_the_load_is_other_processes_busy_time_less_this_process_own(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import machine

    assert machine.busy_seconds("cpu  100 20 30 500 40 5 5 10 0 0", 100) == 1.7  # all but idle, iowait
    start = machine.CpuReading(wall=10.0, busy=50.0, own=3.0)
    end = machine.CpuReading(wall=20.0, busy=70.0, own=18.0)  # 20 busy core-seconds, 15 of them ours
    load = machine.load_between(start, end)
    assert (load.own, load.others) == (1.5, 0.5)
    assert "WARNING" in load.line() and "NOT to be trusted" in load.line()
    quiet = machine.load_between(start, machine.CpuReading(wall=20.0, busy=63.0, own=18.0))
    assert quiet.others == 0.0 and "WARNING" not in quiet.line()  # never below 0 (ticks differ)
    assert "WARNING" in machine.load_between(start, machine.CpuReading(20.0, None, 4.0)).line()


def test_the_pass_table_lists_the_fourteen_products_and_adams_passes_and_sets_the_total_beside_the_step(
        tmp_path):
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "bench_passes.py"), "--images", "256", "--train-epochs", "0",
         "--repeats", "1", "--iw-images", "2", "--iw-samples", "5", "--clock", "cpu"],
        check=False, capture_output=True, text=True, timeout=120,
        env={**os.environ, **QUICK, "NUMPYVAE_DATA": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    step, block = done.stdout.split("one block of Eq. (11)")
    rows = [line.split()[0] for line in step.split("by phase:")[0].splitlines()[3:] if line.strip()]
    assert rows.count("product") == 14  # the 14 products of bench_epoch.py's floor
    assert rows.count("Adam") == 12  # optim.Adam.update_folded, one row per operation
    assert {"batch", "forward", "loss", "backward", "small"} <= set(rows)
    for table in (step, block):
        total = float(table.split("all rows")[1].split()[0])
        measured = float(table.split("measured whole")[1].split()[0])
        assert total > 0 and measured > 0 and "the rows account for" in table
    assert "np.exp(l)" in block and "[h, 1] @ [[W_out], [b_out]]" in block
    assert "load: other processes" in done.stdout


def test_the_subnormal_benchmark_counts_times_and_compares_the_weights(tmp_path):
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "bench_subnormal.py"), "--images", "256", "--epochs", "1",
         "--rounds", "1"], check=False, capture_output=True, text=True, timeout=120,
        env={**os.environ, "NUMPYVAE_DATA": str(tmp_path)})  # no MNIST there: random pixels
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert re.search(r"after 1 epochs \(2 steps\) without clearing: m has [\d,]+ subnormal values", out)
    assert re.search(r"moments as they are +[\d.]+ ms\n +moments cleared +[\d.]+ ms", out)
    assert "load: other processes" in out
    assert re.search(r"weights (identical to the bit|differ by at most)", out)
