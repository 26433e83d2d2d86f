"""Helpers shared by several test files (fixtures are in conftest.py)."""


def run_cli(capsys, *argv):
    """``numpyvae argv...`` in-process: (exit status, stdout, stderr)."""
    from numpyvae import cli

    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def hang_guard(function, *args, seconds: float = 60.0, fifo=None):
    """``function(*args)`` in a thread: its result, or raise what it raised. The test fails
    if it still runs after ``seconds``: a guard against a hang, far above the time it
    needs on a busy machine, never a measure of speed. A ``fifo`` it blocks on is opened
    for writing first, so that the blocked reader sees its end and the thread ends."""
    import os
    import threading

    import pytest

    box: dict = {}

    def target():
        try:
            box["result"] = function(*args)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        if fifo is not None:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))  # the reader sees EOF
            thread.join(seconds)
        pytest.fail(f"{getattr(function, '__name__', function)} still running after {seconds} s"
                    + (f", blocked on the FIFO {fifo}" if fifo is not None else ""))
    if "error" in box:
        raise box["error"]
    return box["result"]
