"""The progress line: on a terminal only, at most 5 times a second, with the fraction done
and the time left; and the long work that reports to it (evaluation, training)."""

import io
import itertools
import sys
from types import SimpleNamespace

import numpy as np
import pytest

from numpyvae import cli, datasets, progress
from numpyvae.config import VAEConfig
from numpyvae.elbo import evaluate
from numpyvae.fast.iw import log_likelihood_iw_blocked
from numpyvae.model import VAE
from numpyvae.progress import Progress, format_seconds
from numpyvae.train import TrainSettings, fit


class FakeTTY(io.StringIO):
    """A terminal, as far as Progress can tell."""

    def isatty(self):
        return True


@pytest.fixture
def clock(monkeypatch):
    """Progress's clock, set by hand: clock.now = seconds."""
    fake = SimpleNamespace(now=0.0)
    monkeypatch.setattr(progress, "time", SimpleNamespace(monotonic=lambda: fake.now))
    return fake


@pytest.fixture
def no_delay(monkeypatch):
    monkeypatch.setattr(progress, "MIN_INTERVAL", 0.0)


def visible(text):
    """What a terminal shows after ``text``: the last \\r-separated part, without padding."""
    return text.split("\r")[-1].rstrip()


def test_on_a_terminal_the_line_shows_fraction_and_time_left(clock):
    tty = FakeTTY()
    p = Progress(100, "working", stream=tty)
    clock.now = 10.0
    p(25)
    assert tty.getvalue().startswith("\r")
    assert visible(tty.getvalue()) == "working  [#####...............]   25%  30 s left"
    clock.now = 20.0
    p(50, 100)
    assert visible(tty.getvalue()) == "working  [##########..........]   50%  20 s left"
    p(100)  # done: the full bar, until the line is closed
    assert visible(tty.getvalue()) == "working  [####################]  100%"
    p.close()
    assert visible(tty.getvalue()) == ""
    assert tty.getvalue().endswith("\r")


def test_the_bar_is_full_at_100_percent_and_only_there(clock, no_delay):
    tty = FakeTTY()
    p = Progress(250, "epoch", stream=tty)
    clock.now = 1.0
    p(249)  # 99.6 %: neither a full bar nor 100 %
    assert visible(tty.getvalue()).startswith("epoch  [###################.]   99%")
    p(250)
    assert visible(tty.getvalue()) == "epoch  [####################]  100%"


def test_a_described_line_shows_its_label_and_note(clock, no_delay):
    tty = FakeTTY()
    p = Progress(10, "epoch", stream=tty)
    p.describe("epoch 3/10", "-ELBO 112.43")
    clock.now = 2.0
    p(5)
    assert visible(tty.getvalue()) == "epoch 3/10  [##########..........]   50%  -ELBO 112.43  2 s left"


def test_not_a_terminal_or_quiet_writes_nothing(clock):
    for stream, enabled in ((io.StringIO(), None), (FakeTTY(), False)):
        with Progress(10, "working", stream=stream, enabled=enabled) as p:
            for i in range(1, 11):
                clock.now += 1.0
                p(i)
        assert stream.getvalue() == ""


def test_at_most_five_times_a_second(clock):
    tty = FakeTTY()
    p = Progress(10_000, "working", stream=tty)
    for i in range(1, 10_000):
        clock.now = i * 0.001  # 1000 updates a second for 10 s
        p(i)
    assert 45 <= tty.getvalue().count("\r") <= 51
    nothing = FakeTTY()
    Progress(100, "quick", stream=nothing)(50)  # quick work, before the first 0.2 s
    assert nothing.getvalue() == ""


def test_starting_over_restarts_the_clock(clock, no_delay):
    tty = FakeTTY()
    p = Progress(10, "epoch", stream=tty)
    clock.now = 100.0
    p(5)
    p(10)  # the end of the epoch erases the line
    clock.now = 101.0
    p(1)  # the next epoch: the clock restarts here
    clock.now = 102.0  # 1 s for one tenth
    p(2)
    assert visible(tty.getvalue()).endswith("20%  8 s left")


def test_a_shorter_line_covers_a_longer_one(clock, no_delay):
    tty = FakeTTY()
    p = Progress(0, "bytes", stream=tty, unit="bytes")
    clock.now = 1.0
    p(123_456_789)
    p(5)
    assert tty.getvalue().split("\r")[-1] == "bytes  5 bytes" + " " * 10
    p.close()
    assert visible(tty.getvalue()) == ""


def test_a_stream_without_isatty_is_no_terminal():
    class Odd:
        def write(self, _):
            raise AssertionError("nothing is written")

    Progress(10, "x", stream=Odd())(5)


@pytest.mark.parametrize("seconds, text", [(0.4, "0 s"), (12.4, "12 s"), (185, "3 min 05 s"),
                                           (3725, "1 h 02 min")])
def test_format_seconds(seconds, text):
    assert format_seconds(seconds) == text


# ---- the work that reports progress ----------------------------------------------------


def tiny():
    return VAE(VAEConfig(input_dim=16, hidden_dims=(8,), latent_dim=2))


def pixels(n):
    return np.random.default_rng(0).random((n, 16), dtype=np.float32)


def test_log_likelihood_iw_reports_images_done():
    calls = []
    log_likelihood_iw_blocked(tiny(), pixels(30), 50, np.random.default_rng(0), max_rows=200,
                              progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (30, 30) and len(calls) > 3
    assert all(a[0] < b[0] for a, b in itertools.pairwise(calls))


def test_evaluate_reports_every_part_in_one_count():
    calls = []
    evaluate(tiny(), pixels(40), iw_samples=20, elbo_samples=3,
             progress=lambda done, total: calls.append((done, total)))
    total = 40 * (1 + 3 + 20)
    assert {t for _, t in calls} == {total}
    assert calls[-1] == (total, total)
    assert all(a[0] < b[0] for a, b in itertools.pairwise(calls))


def test_fit_reports_the_batches_of_each_epoch():
    calls = []
    fit(tiny(), pixels(50), settings=TrainSettings(epochs=2, batch_size=16), log=None,
        progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)] * 2


# ---- the commands ----------------------------------------------------------------------




@pytest.fixture
def small_data(monkeypatch):
    real = datasets.load_dataset
    monkeypatch.setattr(datasets, "load_dataset", lambda name, split="train", data_dir=None:
                        real(name, split, data_dir, n=300 if split == "train" else 100))


@pytest.mark.parametrize("quiet", [False, True])
def test_evaluate_shows_progress_on_a_terminal_unless_quiet(run_dir, small_data, no_delay,
                                                            monkeypatch, capsys, quiet):
    tty = FakeTTY()
    monkeypatch.setattr(sys, "stderr", tty)
    argv = ["evaluate", str(run_dir), "--iw-samples", "200"] + (["--quiet"] if quiet else [])
    assert cli.main(argv) == 0
    text = tty.getvalue()
    if quiet:
        assert text == ""
    else:
        assert "\revaluating  [" in text and "% " in text and " left" in text
        assert visible(text) == ""  # erased before the figures are printed
    assert "\r" not in capsys.readouterr().out


def test_evaluate_off_a_terminal_writes_no_progress(run_dir, small_data, no_delay, capsys):
    assert cli.main(["evaluate", str(run_dir), "--iw-samples", "200"]) == 0
    out, err = capsys.readouterr()  # capsys' streams are not terminals
    assert "\r" not in out + err and "evaluating  [" not in err


@pytest.mark.parametrize("quiet", [False, True])
def test_train_shows_each_epoch_on_a_terminal_unless_quiet(tmp_path, small_data, no_delay,
                                                           monkeypatch, quiet):
    tty = FakeTTY()
    monkeypatch.setattr(sys, "stderr", tty)
    argv = ["train", "--dataset", "glyph-digits", "--hidden", "16", "--latent-dim", "2",
            "--epochs", "2", "--out", str(tmp_path / "run")] + (["--quiet"] if quiet else [])
    assert cli.main(argv) == 0
    text = tty.getvalue()
    if quiet:
        assert text == ""
    else:  # each epoch's line: its number, the -ELBO so far, the full bar at its end
        assert "\repoch 1/2  [" in text and "\repoch 2/2  [" in text and "  -ELBO " in text
        assert "[####################]  100%  -ELBO " in text
        assert visible(text) == ""


def test_quiet_is_in_the_help(capsys):
    for command in ("train", "evaluate"):
        assert cli.main([command, "--help"]) == 0
        assert "--quiet" in capsys.readouterr().out
