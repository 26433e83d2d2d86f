"""``python -m numpyvae``: the same as the ``numpyvae`` command (see :mod:`numpyvae.cli`)."""

from .cli import main

raise SystemExit(main())
