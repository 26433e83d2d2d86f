"""Helpers shared by several test files (fixtures are in conftest.py)."""


def run_cli(capsys, *argv):
    """``numpyvae argv...`` in-process: (exit status, stdout, stderr)."""
    from numpyvae import cli

    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err
