"""``python -m albctl status|wait``: parse the flags, read the outputs, call AWS, print.

Exit status (SPEC §7): ``status`` 0 when every service has a healthy target, 1 when one has
none; ``wait`` 0 when the service has enough healthy targets, 1 at the timeout; 2 for a
problem the user must fix (credentials, permissions, outputs, a service name), reported as
one line on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console

from albctl.aws import Aws
from albctl.errors import AlbctlError
from albctl.outputs import StackOutputs, read_outputs_file, read_stack_outputs

EXIT_OK, EXIT_NOT_HEALTHY, EXIT_ERROR = 0, 1, 2
DEFAULT_TIMEOUT_SECONDS = 300.0
# A third of the platform's default health check interval (15 s, docs/configuration.md): a
# target's new state shows within seconds of ELB deciding it.
DEFAULT_INTERVAL_SECONDS = 5.0


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 (got {text})")
    return value


def _seconds(text: str) -> float:
    value = float(text)
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be a number of seconds, 0 or more (got {text})")
    return value


def _interval(text: str) -> float:
    value = _seconds(text)
    if value == 0:
        raise argparse.ArgumentTypeError("must be more than 0 seconds")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m albctl",
        description="Target health, traffic and alarms of an alb stack, from its outputs.",
    )
    parser.add_argument(
        "--debug", action="store_true", help="show the traceback of an unexpected failure"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    source = argparse.ArgumentParser(add_help=False)
    where = source.add_mutually_exclusive_group()
    where.add_argument(
        "--stack",
        metavar="NAME",
        help="read `pulumi stack output --json --stack NAME` (default: the selected stack)",
    )
    where.add_argument(
        "--stack-outputs",
        metavar="FILE",
        type=Path,
        help="read the outputs from FILE, written by `pulumi stack output --json`",
    )
    status = commands.add_parser(
        "status",
        parents=[source],
        help="each service's targets, last hour of traffic, 5XX and p99; alarms in ALARM",
    )
    status.add_argument("--json", action="store_true", help="print one JSON document")
    wait = commands.add_parser(
        "wait",
        parents=[source],
        help="wait until SERVICE (or SERVICE/blue, SERVICE/green) has healthy targets",
    )
    wait.add_argument("service", metavar="SERVICE", help="a service, or SERVICE/COLOUR")
    wait.add_argument(
        "--min-healthy",
        type=_positive_int,
        default=1,
        metavar="N",
        help="healthy targets to wait for (default: 1)",
    )
    wait.add_argument(
        "--timeout",
        type=_seconds,
        default=DEFAULT_TIMEOUT_SECONDS,
        metavar="SECONDS",
        help=f"give up after SECONDS, exit status 1 (default: {DEFAULT_TIMEOUT_SECONDS:g})",
    )
    wait.add_argument(
        "--interval",
        type=_interval,
        default=DEFAULT_INTERVAL_SECONDS,
        metavar="SECONDS",
        help=f"time between polls (default: {DEFAULT_INTERVAL_SECONDS:g})",
    )
    return parser


def _outputs(args: argparse.Namespace) -> StackOutputs:
    if args.stack_outputs is not None:
        return read_outputs_file(args.stack_outputs)
    return read_stack_outputs(args.stack)


def _status(args: argparse.Namespace) -> int:
    from albctl.report import render_status
    from albctl.status import collect

    outputs = _outputs(args)
    status = collect(Aws(outputs.region), outputs, datetime.now(UTC))
    if args.json:
        print(json.dumps(status.to_json(), indent=2))
    else:
        render_status(status, Console(highlight=False))
    return EXIT_NOT_HEALTHY if status.without_healthy_target else EXIT_OK


def _wait(args: argparse.Namespace) -> int:
    from albctl.wait import ProgressLine, outcome, select, wait

    outputs = _outputs(args)
    selection = select(outputs, args.service)
    with ProgressLine(Console(stderr=True, highlight=False)) as progress:
        result = wait(
            Aws(outputs.region),
            selection,
            min_healthy=args.min_healthy,
            timeout=args.timeout,
            interval=args.interval,
            progress=progress,
        )
    print(outcome(selection, args.min_healthy, result))
    return EXIT_OK if result.reached else EXIT_NOT_HEALTHY


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _status(args) if args.command == "status" else _wait(args)
    except AlbctlError as error:
        print(f"albctl: error: {error}", file=sys.stderr)
    except KeyboardInterrupt:
        print("albctl: interrupted", file=sys.stderr)
    except Exception as error:
        if args.debug:
            raise
        print(
            f"albctl: internal error: {type(error).__name__}: {error} (--debug shows where)",
            file=sys.stderr,
        )
    return EXIT_ERROR
