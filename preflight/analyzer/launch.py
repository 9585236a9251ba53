"""Starting a Python policy pack process the way the Pulumi engine does.

The engine (pulumi/pulumi ``pkg/resource/plugin/analyzer_plugin.go``, ``NewPolicyAnalyzer``) loads
``PulumiPolicy.yaml``, runs the ``pulumi-analyzer-policy-python`` shim with the pack directory as
its working directory and the arguments ``<engine address> .`` followed by ``-<option>=<value>``
for each runtime option, and adds ``PULUMI_CONFIG``, ``PULUMI_ORGANIZATION``, ``PULUMI_PROJECT``,
``PULUMI_STACK`` and ``PULUMI_DRY_RUN`` to its own environment (``constructEnv``). The shim
(``sdk/python/dist/pulumi-analyzer-policy-python``) resolves ``-virtualenv`` against the working
directory, prepends its ``bin`` to ``PATH``, unsets ``PYTHONHOME`` and runs
``<venv>/bin/python -u -m pulumi.policy <args>``; without a virtualenv it runs ``python3`` (here:
``PULUMI_PYTHON_CMD`` or the interpreter running preflight). ``newPlugin`` (``plugin.go``) then
reads the first stdout line as the port, keeps draining stdout and stderr as log output, and
dials ``127.0.0.1:<port>``.
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from concurrent import futures
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from preflight.analyzer.errors import PolicyPackError

POLICY_PROJECT_FILE = "PulumiPolicy.yaml"

# The tail of stderr shown in an error, and how much output is kept for the report.
STDERR_TAIL_LINES = 15
LOG_LINES_KEPT = 500

# parsePort strips the progress escape sequences some runtimes print before the port.
_PROGRESS_ESCAPES = re.compile(r"\x1b\]9;4;[03];\x1b\\")

# "No module named 'x'" is how Python reports a dependency the pack's environment lacks.
_MISSING_MODULE = re.compile(r"ModuleNotFoundError: No module named '([^']+)'")


@dataclass(frozen=True)
class PolicyProject:
    """The parts of ``PulumiPolicy.yaml`` the engine uses."""

    directory: Path
    runtime: str
    options: Mapping[str, Any]
    version: str
    description: str


def load_policy_project(pack_dir: Path) -> PolicyProject:
    """``workspace.LoadPolicyPack``: the file must exist, be a mapping and name its runtime."""
    from preflight.project import ProjectError, load_yaml

    directory = pack_dir.resolve()
    if not directory.is_dir():
        raise PolicyPackError(f"policy pack {pack_dir}: directory does not exist")
    project_file = directory / POLICY_PROJECT_FILE
    if not project_file.is_file():
        raise PolicyPackError(
            f"policy pack {pack_dir}: no {POLICY_PROJECT_FILE} (a policy pack directory needs one)"
        )
    try:
        document = load_yaml(project_file)
    except ProjectError as error:
        raise PolicyPackError(f"policy pack {pack_dir}: {error}") from None
    if not isinstance(document, dict):
        raise PolicyPackError(f"policy pack {pack_dir}: {POLICY_PROJECT_FILE} is not a mapping")
    runtime = document.get("runtime")
    options: Mapping[str, Any] = {}
    if isinstance(runtime, dict):
        options = runtime.get("options") or {}
        runtime = runtime.get("name")
        if not isinstance(options, dict):
            raise PolicyPackError(
                f"policy pack {pack_dir}: {POLICY_PROJECT_FILE} runtime.options must be a mapping"
            )
    if not isinstance(runtime, str) or not runtime:
        raise PolicyPackError(
            f"policy pack {pack_dir}: {POLICY_PROJECT_FILE} does not name its runtime"
            " (runtime: python)"
        )
    if runtime != "python":
        raise PolicyPackError(
            f"policy pack {pack_dir}: runtime {runtime!r} is not supported by preflight,"
            " which runs Python policy packs"
        )
    version = document.get("version")
    description = document.get("description")
    return PolicyProject(
        directory=directory,
        runtime=runtime,
        options=dict(options),
        version="" if version is None else str(version),
        description="" if description is None else str(description),
    )


@dataclass(frozen=True)
class LaunchEnvironment:
    """The stack facts the engine passes to a policy pack through its environment."""

    organization: str
    project: str
    stack: str
    dry_run: bool
    config: Mapping[str, str] | None


def build_command(
    project: PolicyProject,
    engine_address: str,
    base_env: Mapping[str, str],
    launch: LaunchEnvironment,
) -> tuple[list[str], dict[str, str]]:
    """The command line and environment the engine and the Python shim give the pack process."""
    args = [engine_address, "."]
    for key in sorted(project.options):
        value = _go_format(project.options[key])
        if value != "":
            args.append(f"-{key}={value}")

    env = dict(base_env)
    if launch.config is not None:
        # constructConfig: json.Marshal of map[string]string, so secrets arrive decrypted.
        env["PULUMI_CONFIG"] = json.dumps(dict(launch.config), separators=(",", ":"))
    for key, value in (
        ("PULUMI_ORGANIZATION", launch.organization),
        ("PULUMI_PROJECT", launch.project),
        ("PULUMI_STACK", launch.stack),
        ("PULUMI_DRY_RUN", "true" if launch.dry_run else "false"),
    ):
        if value:
            env[key] = value

    # The shim consumes -virtualenv itself and passes everything else to pulumi.policy.
    virtualenv: str | None = None
    passed: list[str] = []
    for arg in args:
        if arg.startswith("-virtualenv="):
            virtualenv = arg.split("=", 1)[1]
        else:
            passed.append(arg)
    if virtualenv:
        venv = Path(virtualenv.rstrip("/"))
        if not venv.is_absolute():
            venv = project.directory / venv
        python = venv / "bin" / "python"
        if not python.is_file():
            raise PolicyPackError(
                f"policy pack {project.directory}: the 'virtualenv' option in"
                f" {POLICY_PROJECT_FILE} is set to {virtualenv!r}, but {venv} doesn't appear to be"
                f" a virtual environment; create it with: python3 -m venv {venv} &&"
                f" {python} -m pip install -r {project.directory / 'requirements.txt'}"
            )
        env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        env.pop("PYTHONHOME", None)
        interpreter = str(python)
    else:
        interpreter = env.get("PULUMI_PYTHON_CMD") or sys.executable
    return [interpreter, "-u", "-m", "pulumi.policy", *passed], env


def _go_format(value: Any) -> str:
    """``fmt.Sprintf("%v", v)`` for the YAML scalars runtime options hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass
class PackOutput:
    """What the pack process wrote besides its port, kept for errors and the report."""

    lines: collections.deque[str] = field(
        default_factory=lambda: collections.deque(maxlen=LOG_LINES_KEPT)
    )
    stderr: collections.deque[str] = field(
        default_factory=lambda: collections.deque(maxlen=STDERR_TAIL_LINES)
    )
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, line: str, *, is_stderr: bool) -> None:
        with self.lock:
            self.lines.append(line.rstrip("\n"))
            if is_stderr:
                self.stderr.append(line.rstrip("\n"))

    def stderr_tail(self) -> list[str]:
        with self.lock:
            return list(self.stderr)

    def all_lines(self) -> list[str]:
        with self.lock:
            return list(self.lines)


class PackProcess:
    """One running pack process, its output pumps and the port it announced."""

    def __init__(self, project: PolicyProject, command: Sequence[str], env: Mapping[str, str]):
        self.project = project
        self.output = PackOutput()
        self._port_line: str | None = None
        self._port_event = threading.Event()
        try:
            self.process = subprocess.Popen(
                list(command),
                cwd=project.directory,
                env=dict(env),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                # cmdutil.RegisterProcessGroup: the engine kills the pack with all its children.
                start_new_session=True,
            )
        except OSError as error:
            raise PolicyPackError(
                f"policy pack {project.directory}: cannot start {command[0]}: {error}"
            ) from None
        assert self.process.stdout is not None and self.process.stderr is not None
        self._stdout_pump = threading.Thread(
            target=self._pump_stdout, args=(self.process.stdout,), daemon=True
        )
        self._stderr_pump = threading.Thread(
            target=self._pump_stderr, args=(self.process.stderr,), daemon=True
        )
        self._stdout_pump.start()
        self._stderr_pump.start()

    def _pump_stdout(self, stream: IO[bytes]) -> None:
        first = stream.readline()
        if first.endswith(b"\n"):
            self._port_line = first[:-1].decode("utf-8", "replace")
        elif first:
            self.output.add(first.decode("utf-8", "replace"), is_stderr=False)
        self._port_event.set()
        for line in stream:
            self.output.add(line.decode("utf-8", "replace"), is_stderr=False)

    def _pump_stderr(self, stream: IO[bytes]) -> None:
        for line in stream:
            self.output.add(line.decode("utf-8", "replace"), is_stderr=True)

    def wait_for_port(self, timeout: float) -> int:
        """Read the port the pack prints first, as ``newPlugin`` does, within ``timeout``."""
        if not self._port_event.wait(timeout):
            raise self.failure(
                f"did not print its port within {timeout:g}s (the pack hangs while starting)"
            )
        if self._port_line is None:
            raise self.failure("exited before printing its port", wait_exit=True)
        text = _PROGRESS_ESCAPES.sub("", self._port_line).strip()
        try:
            port = int(text)
        except ValueError:
            shown = text if len(text) <= 80 else text[:77] + "..."
            raise self.failure(
                f"wrote {shown!r} to stdout instead of its port (a policy pack's __main__ must"
                " only build the PolicyPack; print to stderr instead)"
            ) from None
        if not 0 < port <= 65535:
            raise self.failure(f"wrote an invalid port number {port} to stdout")
        return port

    def exit_status(self) -> int | None:
        return self.process.poll()

    def exited_within(self, seconds: float) -> bool:
        """Whether the process has exited, allowing for a connection that dropped a moment
        before the process could be reaped."""
        try:
            self.process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            return False
        return True

    def failure(self, what: str, *, wait_exit: bool = False) -> PolicyPackError:
        """A PolicyPackError naming the pack, with its exit status and stderr tail."""
        if wait_exit:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=2.0)
            # The pumps finish once the process has closed its pipes.
            self._stderr_pump.join(timeout=1.0)
            self._stdout_pump.join(timeout=1.0)
        status = self.process.poll()
        tail = self.output.stderr_tail()
        message = f"policy pack {self.project.directory}: {what}"
        missing = _missing_module(tail)
        if missing is not None:
            message = (
                f"policy pack {self.project.directory}: missing dependency: cannot import"
                f" module {missing!r}; install the pack's dependencies"
                f" ({self.project.directory / 'requirements.txt'}) into the environment that"
                " runs it"
            )
        elif status is not None and status != 0 and "exit status" not in what:
            message += f" (exit status {_describe_status(status)})"
        return PolicyPackError(message, tail)

    def kill(self) -> None:
        """SIGKILL the pack's process group, as the engine's plugin Kill does."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                self.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5.0)
        if self.process.stdin is not None:
            self.process.stdin.close()
        self._stdout_pump.join(timeout=1.0)
        self._stderr_pump.join(timeout=1.0)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


def _missing_module(lines: Sequence[str]) -> str | None:
    for line in reversed(lines):
        match = _MISSING_MODULE.search(line)
        if match:
            return match.group(1)
    return None


def _describe_status(status: int) -> str:
    if status < 0:
        try:
            return f"{status}, killed by {signal.Signals(-status).name}"
        except ValueError:
            return str(status)
    return str(status)


class EngineServer:
    """A minimal ``pulumirpc.Engine`` service whose address the pack receives, as from the engine.

    ``pulumi.policy`` itself does not connect to it (it configures its runtime without an engine
    address), but the address is part of the command line and the ``Handshake`` request, and a
    pack that does log through it has its messages kept.
    """

    def __init__(self) -> None:
        # Only the port is chosen here, so the pack can be spawned before grpc is even imported;
        # ``serve`` binds it from the background start-up.
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.address = f"127.0.0.1:{port}"
        self.messages: list[str] = []
        self._lock = threading.Lock()
        self._server: Any = None
        self._stopped = False

    def serve(self) -> None:
        import grpc
        from pulumi.runtime.proto import engine_pb2_grpc

        owner = self

        class _Engine(engine_pb2_grpc.EngineServicer):
            def Log(self, request: Any, context: Any) -> Any:  # noqa: N802 (gRPC method name)
                from google.protobuf import empty_pb2

                with owner._lock:
                    owner.messages.append(request.message)
                return empty_pb2.Empty()

        server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
        engine_pb2_grpc.add_EngineServicer_to_server(_Engine(), server)
        try:
            server.add_insecure_port(self.address)
        except RuntimeError:
            # Another process took the port meanwhile; pulumi.policy never dials it anyway.
            return
        server.start()
        with self._lock:
            if not self._stopped:
                self._server = server
                return
        server.stop(grace=None)

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            server, self._server = self._server, None
        if server is not None:
            server.stop(grace=None)
