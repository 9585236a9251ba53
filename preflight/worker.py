"""The program worker: ``python -m preflight.worker`` runs one Pulumi program and reports.

The CLI starts it with the program's interpreter (its virtualenv's python when Pulumi.yaml names
one), the language host's environment (``PULUMI_PROJECT``, ``PULUMI_STACK``,
``PULUMI_ORGANIZATION``, ``PULUMI_DRY_RUN``, ``PULUMI_CONFIG``, ``PULUMI_CONFIG_SECRET_KEYS``),
a JSON request on stdin, and a pipe whose file descriptor is in ``PREFLIGHT_RESULT_FD``. It
writes one JSON event per line to that pipe (see :mod:`preflight.codec` for values): ``resource``,
``outputs``, ``invoke``, ``warning``, ``log``, then ``done`` or ``error``. The program's own
stdout goes to the CLI's stderr, so ``--json`` output stays clean.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import traceback
from pathlib import Path
from typing import Any, TextIO


def _program_location(exc: BaseException, program_dir: str) -> str:
    """``file:line`` of the innermost frame inside the program's directory, if any."""
    location = ""
    for frame in traceback.extract_tb(exc.__traceback__):
        filename = os.path.abspath(frame.filename)
        if filename.startswith(program_dir + os.sep) and f"{os.sep}venv{os.sep}" not in filename:
            location = f"{os.path.relpath(filename, program_dir)}:{frame.lineno}"
    return location


def _describe(exc: BaseException, program_dir: str) -> str:
    if isinstance(exc, ModuleNotFoundError):
        where = _program_location(exc, program_dir)
        return (
            f"the program imports a module that is not installed: {exc.name or exc}"
            + (f" ({where})" if where else "")
            + "; install the program's requirements into the interpreter preflight uses"
        )
    where = _program_location(exc, program_dir)
    message = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {message}" + (f" ({where})" if where else "")


def main() -> int:
    # The provider SDKs create a great many long-lived objects (their modules' classes and
    # type tables) while the program runs, and the cyclic collector's default thresholds scan
    # them again and again: about 40% of a run's CPU. Collecting rarely keeps memory about
    # the same (the program makes little cyclic garbage).
    gc.set_threshold(100_000, 50, 1000)
    channel: TextIO = os.fdopen(int(os.environ["PREFLIGHT_RESULT_FD"]), "w", buffering=1)
    request = json.load(sys.stdin)
    # What the program prints goes where diagnostics go, never into the CLI's report.
    sys.stdout = sys.stderr

    def emit(event: dict[str, Any]) -> None:
        channel.write(json.dumps(event, separators=(",", ":")) + "\n")

    program_dir = str(Path(request["programDir"]).resolve())
    home = os.environ.pop("PREFLIGHT_HOME", None)
    try:
        import pulumi

        from preflight.aws_model import AwsModel
        from preflight.codec import decode, encode
        from preflight.runner import (
            ProgramError,
            RecordingEngine,
            RecordingMonitor,
            run_program,
        )
    except ImportError as exc:
        emit(
            {
                "event": "error",
                "kind": "environment",
                "message": f"the program's interpreter {sys.executable} cannot import "
                f"{exc.name or exc}: install the Pulumi SDK into it",
                "traceback": traceback.format_exc(),
            }
        )
        return 2

    # The program sees its own directory first, and not preflight's (as under `pulumi`).
    if home and home != program_dir and home in sys.path:
        sys.path.remove(home)
    sys.path.insert(0, program_dir)
    os.chdir(program_dir)
    sys.argv = [request["program"]]

    config = pulumi.runtime.get_config_env()
    model = AwsModel.from_config(config)
    stack_outputs = {
        name: {
            "outputs": decode(reference["outputs"]),
            "secretOutputNames": reference.get("secretOutputNames", []),
        }
        for name, reference in (request.get("stackOutputs") or {}).items()
    }
    monitor = RecordingMonitor(
        model, emit, stack_outputs=stack_outputs, provider_config=dict(config)
    )
    try:
        outputs = run_program(
            request["program"],
            monitor=monitor,
            engine=RecordingEngine(emit),
            project=request["project"],
            stack=request["stack"],
            organization=request.get("organization", "organization"),
            root_directory=program_dir,
            dry_run=request.get("dryRun", True),
        )
    except (pulumi.RunError, ProgramError) as exc:
        emit(
            {
                "event": "error",
                "kind": "program",
                "message": str(exc),
                "traceback": traceback.format_exc(),
            }
        )
        return 2
    except SystemExit as exc:
        emit(
            {
                "event": "error",
                "kind": "program",
                "message": f"the program called sys.exit({exc.code!r})",
                "traceback": traceback.format_exc(),
            }
        )
        return 2
    except Exception as exc:
        emit(
            {
                "event": "error",
                "kind": "program",
                "message": _describe(exc, program_dir),
                "traceback": traceback.format_exc(),
            }
        )
        return 2
    emit({"event": "done", "outputs": encode(outputs)})
    return 0


if __name__ == "__main__":
    status = main()
    # Everything is sent. Tearing down an interpreter with the provider SDKs loaded takes about
    # a second, which the CLI would wait for; a program's atexit handlers do not run (the
    # engine has nothing to receive from them either).
    sys.stderr.flush()
    os._exit(status)
