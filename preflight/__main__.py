"""``python -m preflight`` (preflight.cli), and what to do when this Python cannot run it."""

import sys

try:
    from preflight.cli import main

    status = main()
except ModuleNotFoundError as error:
    # A system python, or a virtualenv other than the project's: say which interpreter to use
    # instead of a traceback (preflight's own requirements are in requirements.txt).
    print(
        f"preflight: error: {sys.executable} cannot run preflight ({error}); run "
        "`venv/bin/python -m preflight`, or activate the virtualenv first "
        "(`. venv/bin/activate`); `make venv` creates it",
        file=sys.stderr,
    )
    status = 2
sys.exit(status)
