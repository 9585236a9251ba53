"""``python -m preflight``: run a Pulumi Python program offline and check it with policy packs.

The CLI process stays light (no Pulumi SDK, no pulumi_aws): it reads the project and stack
config, starts the policy packs, runs the program in a worker process
(``python -m preflight.worker``, with the program's virtualenv interpreter when it has one),
collects the worker's events, has each pack analyze the records, and reports.

Exit status: 0 no mandatory violation, 1 at least one (or, with ``--compare``, an update
hazard), 2 the program, its config or a policy pack failed (one message on stderr; the
traceback only with ``--debug``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import selectors
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from preflight import compare
from preflight.codec import decode, encode, unmask
from preflight.hazards import update_hazards
from preflight.project import (
    Project,
    ProjectError,
    StackConfig,
    load_project,
    load_stack_config,
    stack_names,
)
from preflight.records import ResourceRecord
from preflight.report import (
    Plan,
    PlanWarning,
    ReportError,
    flatten_warnings,
    render_json,
    render_text,
    to_document,
    write_graph,
)
from preflight.terraform_plan import mark_schema_secrets

HOME = str(Path(__file__).resolve().parent.parent)
DEFAULT_TIMEOUT = 120.0
DEFAULT_POLICY_TIMEOUT = 60.0
ORGANIZATION = "organization"


class PreflightError(Exception):
    """A failure the user sees as one message (exit status 2)."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m preflight",
        description="Run a Pulumi Python program offline under an AWS model and check it with "
        "CrossGuard policy packs. Exit 0: no mandatory violation; 1: mandatory violations; "
        "2: the program, its config or a policy pack failed.",
    )
    parser.add_argument("--stack", default="dev", help="stack name (default: dev)")
    parser.add_argument("--program", default=".", help="program directory (default: .)")
    parser.add_argument(
        "--policy-pack",
        action="append",
        dest="policy_packs",
        metavar="DIR",
        help="policy pack directory (repeatable; default: policies/ in the program directory "
        "when present; 'none' skips policies)",
    )
    parser.add_argument("--policy-config", metavar="FILE", help="policy config (Pulumi's format)")
    parser.add_argument("--json", action="store_true", help="print the JSON document")
    parser.add_argument("--graph", metavar="FILE", help="write the dependency graph (.dot/.svg)")
    parser.add_argument(
        "--terraform-plan",
        metavar="FILE",
        help="write the plan as Terraform plan JSON, for checkov, trivy or conftest "
        "(docs/scanners.md)",
    )
    parser.add_argument(
        "--stack-outputs",
        action="append",
        default=[],
        metavar="NAME=FILE",
        help="answer StackReference NAME with the outputs of FILE, a `preflight --json` document",
    )
    parser.add_argument(
        "--compare",
        metavar="FILE",
        help="show what changes against FILE, an earlier `--json` document of the same stack "
        "or a `pulumi stack export` file (added, removed and changed resources, replacements, "
        "and the update hazards AWS or the engine would refuse, which make the exit status 1); "
        "`python -m preflight diff OLD NEW` compares two files",
    )
    parser.add_argument(
        "--timeout",
        type=seconds,
        help=f"seconds the program may run (default {DEFAULT_TIMEOUT:g}, or $PREFLIGHT_TIMEOUT)",
    )
    parser.add_argument(
        "--policy-timeout",
        type=seconds,
        help="seconds a policy pack may take to start and to answer each call "
        f"(default {DEFAULT_POLICY_TIMEOUT:g}, or $PREFLIGHT_POLICY_TIMEOUT)",
    )
    parser.add_argument(
        "--no-install",
        action="store_true",
        help="never create the program's virtualenv or install its requirements (CI); a "
        "missing virtualenv is an error",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks of failures")
    return parser


# --- inputs ------------------------------------------------------------------------------


def seconds(text: str) -> float:
    """A time limit: a positive, finite number of seconds."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds (got {text!r})")
    return value


def time_limit(given: float | None, variable: str, default: float) -> float:
    """The flag's value, else the environment variable's, else the default."""
    if given is not None:
        return given
    text = os.environ.get(variable)
    if text is None or not text.strip():
        return default
    try:
        return seconds(text)
    except argparse.ArgumentTypeError as exc:
        raise PreflightError(f"{variable}={text}: {exc}") from None


def read_stack_outputs(specs: Sequence[str]) -> dict[str, dict[str, Any]]:
    """``NAME=FILE`` → the StackReference answers (outputs, and which of them are secret)."""
    references: dict[str, dict[str, Any]] = {}
    for spec in specs:
        name, sep, file = spec.partition("=")
        if not sep or not name or not file:
            raise PreflightError(f"--stack-outputs {spec!r}: expected NAME=FILE")
        path = Path(file)
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise PreflightError(
                f"--stack-outputs {name}: cannot read {path}: {exc.strerror}"
            ) from exc
        except json.JSONDecodeError as exc:
            raise PreflightError(
                f"--stack-outputs {name}: {path}:{exc.lineno}: not JSON ({exc.msg})"
            ) from exc
        outputs = document.get("outputs") if isinstance(document, dict) else None
        if not isinstance(outputs, dict):
            raise PreflightError(
                f"--stack-outputs {name}: {path} has no 'outputs' object "
                "(expected a `python -m preflight --json` document)"
            )
        secret = set(document.get("secretOutputs") or [])
        secret |= {key for key, value in outputs.items() if value == "[secret]"}
        references[name] = {
            "outputs": encode(unmask(outputs)),
            "secretOutputNames": sorted(secret),
        }
    return references


def resolve_policy_packs(requested: list[str] | None, program_dir: Path) -> list[Path]:
    if requested is None:
        default = program_dir / "policies"
        return [default] if (default / "PulumiPolicy.yaml").is_file() else []
    if any(item == "none" for item in requested):
        if len(requested) > 1:
            raise PreflightError("--policy-pack none cannot be combined with other packs")
        return []
    return [Path(item).resolve() for item in requested]


# --- the worker --------------------------------------------------------------------------


@dataclass
class WorkerResult:
    events: list[dict[str, Any]] = field(default_factory=list)
    done: dict[str, Any] | None = None
    error: dict[str, Any] | None = None


def worker_environment(project: Project, config: StackConfig, result_fd: int) -> dict[str, str]:
    """The language host's environment for the program, plus preflight's own channel."""
    env = dict(os.environ)
    env.update(
        {
            "PULUMI_PROJECT": project.name,
            "PULUMI_STACK": config.stack,
            "PULUMI_ORGANIZATION": ORGANIZATION,
            "PULUMI_DRY_RUN": "true",
            "PULUMI_CONFIG": json.dumps(config.values),
            "PULUMI_CONFIG_SECRET_KEYS": json.dumps(list(config.secret_keys)),
            "PREFLIGHT_RESULT_FD": str(result_fd),
            "PREFLIGHT_HOME": HOME,
            "PYTHONPATH": os.pathsep.join(
                item for item in (HOME, os.environ.get("PYTHONPATH")) if item
            ),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def run_worker(
    project: Project,
    config: StackConfig,
    *,
    stack_outputs: dict[str, dict[str, Any]],
    timeout: float,
    on_resource: Callable[[dict[str, Any]], None] | None = None,
    python: Path | None = None,
) -> WorkerResult:
    """Run the program (with ``python``, else the project's virtualenv's interpreter, else
    preflight's); ``on_resource`` sees each resource event as it arrives."""
    python = python or project.python() or Path(sys.executable)
    read_fd, write_fd = os.pipe()
    request = {
        "program": str(project.program_path()),
        "programDir": str(project.directory),
        "project": project.name,
        "stack": config.stack,
        "organization": ORGANIZATION,
        "dryRun": True,
        "stackOutputs": stack_outputs,
    }
    try:
        process = subprocess.Popen(
            [str(python), "-m", "preflight.worker"],
            cwd=project.directory,
            env=worker_environment(project, config, write_fd),
            stdin=subprocess.PIPE,
            stdout=sys.stderr.fileno(),
            pass_fds=(write_fd,),
            start_new_session=True,
        )
    except OSError as exc:
        os.close(read_fd)
        os.close(write_fd)
        raise PreflightError(f"cannot start the program's interpreter {python}: {exc}") from exc
    os.close(write_fd)
    assert process.stdin is not None
    try:
        process.stdin.write(json.dumps(request).encode())
        process.stdin.close()
    except BrokenPipeError:
        pass
    try:
        result = _read_events(read_fd, process, timeout, on_resource)
    finally:
        if process.poll() is None:
            _kill(process)
    if result.done is None and result.error is None:
        raise PreflightError(
            f"the program's process exited with status {process.returncode} without a result "
            "(did it call os._exit or crash the interpreter?)"
        )
    return result


def _read_events(
    read_fd: int,
    process: subprocess.Popen[bytes],
    timeout: float,
    on_resource: Callable[[dict[str, Any]], None] | None = None,
) -> WorkerResult:
    """Collect the worker's events until it finishes, or stop it at the deadline."""
    result = WorkerResult()
    deadline = time.monotonic() + timeout
    pending: list[bytes] = []
    with selectors.DefaultSelector() as selector, os.fdopen(read_fd, "rb", buffering=0) as pipe:
        selector.register(pipe, selectors.EVENT_READ)
        while result.done is None and result.error is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise PreflightError(
                    f"the program did not finish within {timeout:g} s and was stopped "
                    "(raise the limit with --timeout or $PREFLIGHT_TIMEOUT)"
                )
            if not selector.select(remaining):
                continue
            chunk = pipe.read(65536)
            if not chunk:
                break
            if b"\n" not in chunk:
                pending.append(chunk)
                continue
            *lines, rest = (b"".join(pending) + chunk).split(b"\n")
            pending = [rest]
            for line in lines:
                event = json.loads(line)
                _handle_event(result, event)
                if on_resource is not None and event.get("event") == "resource":
                    on_resource(event)
    # The result is in; a program thread that keeps the interpreter alive does not hold us up.
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=max(0.0, min(5.0, deadline - time.monotonic())))
    return result


def _handle_event(result: WorkerResult, event: dict[str, Any]) -> None:
    kind = event.get("event")
    if kind == "done":
        result.done = event
    elif kind == "error":
        result.error = event
    else:
        result.events.append(event)


def _kill(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def build_records(events: list[dict[str, Any]], stack_outputs: Any) -> list[ResourceRecord]:
    """Resource events (and later component outputs) → records, in registration order."""
    fields: dict[str, dict[str, Any]] = {}
    for event in events:
        kind = event.get("event")
        if kind == "resource" and event["urn"] not in fields:
            fields[event["urn"]] = event
        elif kind == "outputs" and event["urn"] in fields:
            fields[event["urn"]]["outputs"] = event["outputs"]
    records = [
        record_from_event(
            event,
            stack_outputs
            if event["type"] == "pulumi:pulumi:Stack"
            else decode(event.get("outputs") or {}),
        )
        for event in fields.values()
    ]
    return stable_order(records)


def record_from_event(event: dict[str, Any], outputs: Any) -> ResourceRecord:
    return ResourceRecord(
        urn=event["urn"],
        type=event["type"],
        name=event["name"],
        custom=bool(event.get("custom")),
        parent=event.get("parent"),
        dependencies=tuple(event.get("dependencies") or ()),
        property_dependencies={
            key: tuple(value) for key, value in (event.get("propertyDependencies") or {}).items()
        },
        protect=bool(event.get("protect")),
        retain_on_delete=bool(event.get("retainOnDelete")),
        delete_before_replace=bool(event.get("deleteBeforeReplace")),
        delete_before_replace_defined=bool(event.get("deleteBeforeReplaceDefined")),
        ignore_changes=tuple(event.get("ignoreChanges") or ()),
        additional_secret_outputs=tuple(event.get("additionalSecretOutputs") or ()),
        aliases=tuple(event.get("aliases") or ()),
        custom_timeouts=event.get("customTimeouts"),
        provider=event.get("provider"),
        id=event.get("id"),
        inputs=mark_schema_secrets(event["type"], decode(event.get("inputs") or {})),
        outputs=mark_schema_secrets(event["type"], outputs),
    )


def stable_order(records: list[ResourceRecord]) -> list[ResourceRecord]:
    """Records in an order independent of registration timing: the stack first, then every
    resource after its parent, its provider and its dependencies (as in a Pulumi snapshot),
    ties broken by URN."""
    import heapq

    by_urn = {record.urn: record for record in records}

    def prerequisites(record: ResourceRecord) -> set[str]:
        provider_urn = (record.provider or "").rsplit("::", 1)[0]
        found = {record.parent or "", provider_urn, *record.dependencies}
        return {urn for urn in found if urn in by_urn and urn != record.urn}

    waiting = {record.urn: prerequisites(record) for record in records}
    dependents: dict[str, list[str]] = {}
    for urn, needs in waiting.items():
        for need in needs:
            dependents.setdefault(need, []).append(urn)

    def key(urn: str) -> tuple[bool, str]:
        return (by_urn[urn].type != "pulumi:pulumi:Stack", urn)

    ready = [key(urn) for urn, needs in waiting.items() if not needs]
    heapq.heapify(ready)
    ordered: list[ResourceRecord] = []
    while ready:
        _, urn = heapq.heappop(ready)
        ordered.append(by_urn[urn])
        for dependent in dependents.get(urn, []):
            waiting[dependent].discard(urn)
            if not waiting[dependent]:
                heapq.heappush(ready, key(dependent))
    seen = {record.urn for record in ordered}
    # A dependency cycle cannot come from a real program; keep such records rather than lose them.
    ordered.extend(sorted((r for r in records if r.urn not in seen), key=lambda r: r.urn))
    return ordered


# --- the run -----------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    program_dir = Path(args.program).resolve()
    if not program_dir.is_dir():
        raise PreflightError(f"--program {args.program}: not a directory")
    timeout = time_limit(args.timeout, "PREFLIGHT_TIMEOUT", DEFAULT_TIMEOUT)
    policy_timeout = time_limit(
        args.policy_timeout, "PREFLIGHT_POLICY_TIMEOUT", DEFAULT_POLICY_TIMEOUT
    )
    try:
        project = load_project(program_dir)
        config = load_stack_config(project, args.stack)
    except ProjectError as exc:
        raise PreflightError(str(exc)) from exc
    python = prepare_program_environment(project, install=not args.no_install)
    stack_outputs = read_stack_outputs(args.stack_outputs)
    baseline = load_baseline(args.compare) if args.compare else None
    packs = resolve_policy_packs(args.policy_packs, program_dir)

    sessions: list[Any] = []
    try:
        if packs:
            sessions = start_policy_packs(
                packs, project, config, args.policy_config, policy_timeout
            )
        result = run_worker(
            project,
            config,
            stack_outputs=stack_outputs,
            timeout=timeout,
            on_resource=stream_to(sessions) if sessions else None,
            python=python,
        )
        check_program_result(result, project, config)
        assert result.done is not None
        errors = [
            event["message"].strip()
            for event in result.events
            if event.get("event") == "log" and event.get("severity") == "error"
        ]
        if errors:
            # The engine fails a deployment whose program logged an error, even if it returned.
            raise PreflightError("the program reported errors:\n  " + "\n  ".join(errors))
        outputs = decode(result.done.get("outputs") or {})
        records = build_records(result.events, outputs)
        plan = Plan(
            project=project.name,
            stack=config.stack,
            resources=records,
            outputs=outputs if isinstance(outputs, dict) else {},
            warnings=flatten_warnings(result.events),
        )
        if sessions and args.policy_config:
            check_policy_config(sessions, args.policy_config)
        for session in sessions:
            analyze(session, records, plan)
    finally:
        for session in sessions:
            session.close()

    if args.graph:
        try:
            write_graph(plan, Path(args.graph))
        except (ReportError, OSError) as exc:
            raise PreflightError(str(exc)) from exc
    if args.terraform_plan:
        write_terraform_plan(plan, Path(args.terraform_plan))
    hazards = 0
    if baseline is None:
        sys.stdout.write(render_json(plan) + "\n" if args.json else render_text(plan))
    else:
        hazards = write_with_diff(plan, baseline, args.compare, as_json=args.json)
    sys.stdout.flush()
    return 1 if plan.count("mandatory") or hazards else 0


def check_program_result(result: WorkerResult, project: Project, config: StackConfig) -> None:
    """A failed program is one message; a stack file that does not exist is named either way:
    a stack without one is legal, but most often the --stack name is misspelt."""
    if result.error is not None:
        failed = f"the program failed: {result.error['message']}"
        if not config.stack_file_found:
            failed = f"{missing_stack_file(project, config)}\n{failed}"
        raise PreflightError(failed, detail=result.error.get("traceback", ""))
    if not config.stack_file_found:
        print(
            f"preflight: warning: {missing_stack_file(project, config)}; the stack ran without "
            "stack config",
            file=sys.stderr,
        )


def missing_stack_file(project: Project, config: StackConfig) -> str:
    """``Pulumi.prd.yaml does not exist; stacks here: dev, prod``."""
    stacks = stack_names(project.directory)
    here = f"stacks here: {', '.join(stacks)}" if stacks else "there is no stack file here"
    return f"{config.stack_file} does not exist; {here}"


def prepare_program_environment(project: Project, *, install: bool) -> Path | None:
    """The program's interpreter, its virtualenv created and installed first when the CLI
    would (see preflight.install); progress goes to stderr, so --json output stays clean."""
    from preflight.install import InstallError, prepare

    try:
        return prepare(project, install=install, progress=lambda line: print(line, file=sys.stderr))
    except InstallError as exc:
        raise PreflightError(str(exc)) from exc


def start_policy_packs(
    packs: list[Path],
    project: Project,
    config: StackConfig,
    policy_config_file: str | None,
    policy_timeout: float,
) -> list[Any]:
    from preflight.analyzer import (
        PolicyPackError,
        PolicyPackSession,
        StackContext,
        load_policy_config,
    )

    context = StackContext(
        project=project.name,
        stack=config.stack,
        organization=ORGANIZATION,
        config=config.values,
        secret_keys=list(config.secret_keys),
        dry_run=True,
    )
    sessions: list[Any] = []
    try:
        policy_config = load_policy_config(policy_config_file) if policy_config_file else None
        for pack in packs:
            sessions.append(
                PolicyPackSession.start(
                    pack, context=context, policy_config=policy_config, timeout=policy_timeout
                )
            )
    except PolicyPackError as exc:
        for session in sessions:
            session.close()
        raise PreflightError(str(exc)) from exc
    return sessions


def check_policy_config(sessions: list[Any], file: str) -> None:
    """Refuse a policy name that no pack has and a setting that no policy declares, naming the
    file and the key (the packs' schemas come with their start-up)."""
    from preflight.analyzer import PolicyPackError, load_policy_config
    from preflight.analyzer.config import PolicySchema, unknown_entries

    try:
        config = load_policy_config(file) or {}
        schemas = [
            PolicySchema(policy.name, policy.enforcement_level, policy.config_schema)
            for session in sessions
            for policy in session.wait_ready()
        ]
    except PolicyPackError as exc:
        raise PreflightError(str(exc)) from exc
    problems = unknown_entries(config, schemas)
    if problems:
        raise PreflightError("\n".join(f"policy config {file}: {line}" for line in problems))


def stream_to(sessions: list[Any]) -> Callable[[dict[str, Any]], None]:
    """Each resource, as the program registers it, to every pack (as the engine does): the
    packs analyze while the program runs."""
    registered: dict[str, ResourceRecord] = {}

    def submit(event: dict[str, Any]) -> None:
        if event["urn"] in registered:
            return
        record = record_from_event(event, {})
        registered[record.urn] = record
        for session in sessions:
            session.submit(record, registered)

    return submit


def analyze(session: Any, records: list[ResourceRecord], plan: Plan) -> None:
    from preflight.analyzer import PolicyPackError

    try:
        result = session.analyze(records)
    except PolicyPackError as exc:
        raise PreflightError(str(exc)) from exc
    plan.policy_packs.append((result.pack_name, result.pack_version))
    plan.violations.extend(result.violations)
    plan.remediations.extend(result.remediations)


def write_terraform_plan(plan: Plan, path: Path) -> None:
    """``--terraform-plan``: the export, and a warning naming the resources it leaves out."""
    from preflight import terraform_plan

    try:
        exported = terraform_plan.write(plan.resources, path)
    except OSError as exc:
        raise PreflightError(f"--terraform-plan {path}: cannot write: {exc.strerror}") from exc
    warning = exported.warning()
    if warning:
        plan.warnings.append(PlanWarning("terraform-plan", warning))
        print(f"preflight: warning: {warning}", file=sys.stderr)


def load_baseline(file: str) -> dict[str, Any]:
    try:
        return compare.load_document(Path(file))
    except compare.CompareError as exc:
        raise PreflightError(str(exc)) from exc


def write_with_diff(plan: Plan, baseline: dict[str, Any], file: str, *, as_json: bool) -> int:
    """The report plus the blast radius and the update hazards against an earlier document
    (``--compare``); returns how many hazards there are."""
    document = to_document(plan)
    try:
        compare.check_same_stack(baseline, document, f"--compare {file}")
    except compare.CompareError as exc:
        raise PreflightError(str(exc)) from exc
    diff = compare.diff_documents(baseline, document, against=file)
    hazards = update_hazards(baseline, document, diff)
    if as_json:
        document["diff"] = diff.to_document()
        document["updateHazards"] = [hazard.to_document() for hazard in hazards]
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(render_text(plan) + "\n" + compare.render_text(diff, hazards))
    return len(hazards)


def without_tracebacks(message: str) -> str:
    """A message with each Python traceback in it (a policy pack's stderr, say) cut down to
    its last line, the exception; ``--debug`` shows them whole."""
    lines: list[str] = []
    depth: int | None = None
    for line in message.splitlines():
        indent = len(line) - len(line.lstrip())
        if depth is not None and (indent > depth or not line.strip()):
            continue
        depth = None
        if line.strip().startswith("Traceback (most recent call last):"):
            depth = indent
            continue
        lines.append(line)
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["diff"]:
        return compare.main(argv[1:])
    args = build_parser().parse_args(argv)
    try:
        return run(args)
    except PreflightError as exc:
        if args.debug:
            if exc.detail:
                sys.stderr.write(exc.detail)
            traceback.print_exc()
        message = str(exc) if args.debug else without_tracebacks(str(exc))
        print(f"preflight: error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("preflight: interrupted", file=sys.stderr)
        return 130
    except ModuleNotFoundError:
        # This interpreter lacks preflight's own requirements: python -m preflight says so.
        raise
    except Exception as exc:
        if args.debug:
            traceback.print_exc()
        print(
            f"preflight: internal error: {str(exc) or 'an unexpected failure'} (a bug in "
            "preflight; run with --debug for the traceback)",
            file=sys.stderr,
        )
        return 2
