"""Driving one policy pack over the Analyzer gRPC protocol, in the engine's order.

Start-up (``NewPolicyAnalyzer`` and ``installAndLoadPolicyPlugins`` in pulumi/pulumi
``pkg/resource/plugin/analyzer_plugin.go`` and ``pkg/engine/plugins.go``): read the port,
``Handshake`` (an analyzer may answer UNIMPLEMENTED), ``ConfigureStack``, ``GetAnalyzerInfo``,
reconcile the policy config and ``Configure``. Per resource
(``pkg/resource/deploy/step_generator.go``, first pass then second pass): ``Remediate``, whose
properties replace the inputs, then ``Analyze`` on the result. At the end
(``stepGenerator.AnalyzeResources``): ``AnalyzeStack`` with every resource's outputs, parent,
dependencies and property dependencies.
"""

from __future__ import annotations

import atexit
import dataclasses
import functools
import os
import queue
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from preflight.analyzer import config as policy_config_module
from preflight.analyzer.config import PolicyConfig, PolicySchema
from preflight.analyzer.errors import PolicyPackError
from preflight.analyzer.launch import (
    EngineServer,
    LaunchEnvironment,
    PackProcess,
    PolicyProject,
    build_command,
    load_policy_project,
)
from preflight.analyzer.marshal import MarshalError, from_struct, to_struct
from preflight.analyzer.requests import analyze_request, stack_resource
from preflight.records import Remediation, ResourceRecord, Violation

# rpcutil.GrpcChannelOptions and pulumi-policy's server both raise the limit to 400 MiB.
_MAX_MESSAGE = 400 * 1024 * 1024
_CHANNEL_OPTIONS = [
    ("grpc.max_receive_message_length", _MAX_MESSAGE),
    ("grpc.max_send_message_length", _MAX_MESSAGE),
]
# pulumi-policy serves four calls at a time; a few more keep its queue full.
_IN_FLIGHT = 16

_T = TypeVar("_T")


@dataclass(frozen=True)
class StackContext:
    """The stack an analysis runs for, as the engine's ``PolicyAnalyzerOptions`` describe it."""

    project: str
    stack: str
    organization: str = "organization"
    # Config as the language host gets it: "namespace:key" -> string (JSON for structured values).
    config: Mapping[str, str] = field(default_factory=dict)
    secret_keys: Sequence[str] = ()
    dry_run: bool = True
    tags: Mapping[str, str] = field(default_factory=dict)

    @property
    def root_stack_urn(self) -> str:
        """``resource.DefaultRootStackURN``: where stack violations without a resource land."""
        return (
            f"urn:pulumi:{self.stack}::{self.project}::pulumi:pulumi:Stack::"
            f"{self.project}-{self.stack}"
        )


@dataclass(frozen=True)
class PolicyInfo:
    """One policy as ``GetAnalyzerInfo`` describes it, with its configured enforcement level."""

    name: str
    description: str
    enforcement_level: str
    severity: str = ""
    display_name: str = ""
    policy_type: str = ""  # "resource" | "stack" | ""
    remediation_steps: str = ""
    url: str = ""
    tags: tuple[str, ...] = ()
    config_schema: Mapping[str, Any] | None = None
    properties: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class NotApplicable:
    """A policy that declared itself not applicable to a resource (or to the stack)."""

    policy: str
    urn: str
    reason: str


@dataclass(frozen=True)
class AnalysisResult:
    """Everything one pack reported about one program run."""

    pack_name: str
    pack_version: str
    policies: tuple[PolicyInfo, ...]
    violations: tuple[Violation, ...]
    remediations: tuple[Remediation, ...]
    not_applicable: tuple[NotApplicable, ...] = ()
    # What the pack printed (stdout after the port, stderr, engine log calls), oldest first.
    logs: tuple[str, ...] = ()


@dataclass(frozen=True)
class _PackInfo:
    name: str
    version: str
    description: str
    plugin_version: str
    policies: tuple[PolicyInfo, ...]


def _same(urn: str, _reported: str) -> str:
    return urn


def _level_name(value: int) -> str:
    """``convertEnforcementLevel``: an unknown number is an error, as in the engine."""
    from pulumi.runtime.proto import analyzer_pb2

    try:
        return str(analyzer_pb2.EnforcementLevel.Name(value)).lower()
    except ValueError:
        raise ValueError(f"invalid enforcement level {value}") from None


def _severity_name(value: int) -> str:
    """``convertSeverity``: unknown values read as unspecified."""
    return {1: "low", 2: "medium", 3: "high", 4: "critical"}.get(value, "")


def _policy_type_name(value: int) -> str:
    return {1: "resource", 2: "stack"}.get(value, "")


def _level_number(level: str) -> int:
    from pulumi.runtime.proto import analyzer_pb2

    return int(analyzer_pb2.EnforcementLevel.Value(level.upper()))


class PolicyPackSession:
    """A running policy pack. ``start`` returns at once; ``analyze`` waits for start-up."""

    def __init__(
        self,
        project: PolicyProject,
        context: StackContext,
        policy_config: Mapping[str, PolicyConfig] | None,
        timeout: float,
    ) -> None:
        self.pack_dir = project.directory
        self.context = context
        self.timeout = timeout
        self._project = project
        self._policy_config = policy_config
        self._grpc: Any = None  # imported by the start-up thread, off the caller's path
        self._closed = False
        self._lock = threading.Lock()
        self._channel: Any = None
        self._stub: Any = None
        self._engine = EngineServer()
        try:
            # Spawning comes first: the pack's own start-up is the slow part.
            command, env = build_command(
                project,
                self._engine.address,
                os.environ,
                LaunchEnvironment(
                    organization=context.organization,
                    project=context.project,
                    stack=context.stack,
                    dry_run=context.dry_run,
                    config=dict(context.config),
                ),
            )
            self._process = PackProcess(project, command, env)
        except BaseException:
            self._engine.stop()
            raise
        _live_sessions.add(self)
        # Analyze calls issued while the program still runs (see ``submit``), by URN.
        self._early: dict[str, tuple[ResourceRecord, Any]] = {}
        self._submitted: queue.SimpleQueue[tuple[ResourceRecord, Mapping[str, Any]] | None] = (
            queue.SimpleQueue()
        )
        self._feeder: threading.Thread | None = None
        self._ready: Future[_PackInfo] = Future()
        self._starter = threading.Thread(target=self._start_up, daemon=True)
        self._starter.start()

    @classmethod
    def start(
        cls,
        pack_dir: str | Path,
        context: StackContext,
        policy_config: Mapping[str, PolicyConfig] | None = None,
        timeout: float = 60.0,
    ) -> PolicyPackSession:
        """Spawn the pack and begin its start-up in the background.

        Problems visible without running the pack (no directory, no ``PulumiPolicy.yaml``,
        an unsupported runtime, a ``virtualenv`` that does not exist) raise PolicyPackError here;
        everything else is raised by ``analyze`` (or ``wait_ready``).
        """
        project = load_policy_project(Path(pack_dir))
        return cls(project, context, policy_config, timeout)

    def __enter__(self) -> PolicyPackSession:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ----------------------------------------------------------------- start-up

    def _start_up(self) -> None:
        try:
            self._ready.set_result(self._configure())
        except BaseException as error:
            self._ready.set_exception(error)

    def _configure(self) -> _PackInfo:
        import grpc
        from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

        self._grpc = grpc
        self._engine.serve()
        deadline = time.monotonic() + self.timeout
        port = self._process.wait_for_port(self.timeout)
        channel = grpc.insecure_channel(f"127.0.0.1:{port}", options=_CHANNEL_OPTIONS)
        with self._lock:
            if self._closed:
                channel.close()
                raise PolicyPackError(f"policy pack {self.pack_dir}: session closed")
            self._channel = channel
        try:
            grpc.channel_ready_future(channel).result(timeout=max(deadline - time.monotonic(), 0))
        except grpc.FutureTimeoutError:
            raise self._process.failure(
                f"did not accept connections on port {port} within {self.timeout:g}s"
            ) from None
        stub = analyzer_pb2_grpc.AnalyzerStub(channel)
        self._stub = stub

        directory = str(self.pack_dir)
        self._call_optional(
            "Handshake",
            stub.Handshake,
            analyzer_pb2.AnalyzerHandshakeRequest(
                engine_address=self._engine.address,
                root_directory=directory,
                program_directory=directory,
            ),
        )
        ctx = self.context
        self._call_optional(
            "ConfigureStack",
            stub.ConfigureStack,
            analyzer_pb2.AnalyzerStackConfigureRequest(
                stack=ctx.stack,
                project=ctx.project,
                organization=ctx.organization,
                dry_run=ctx.dry_run,
                config=dict(ctx.config),
                config_secret_keys=list(ctx.secret_keys),
                tags=dict(ctx.tags),
            ),
        )
        from google.protobuf import empty_pb2

        info = self._call("GetAnalyzerInfo", stub.GetAnalyzerInfo, empty_pb2.Empty())
        plugin_info = self._call_optional("GetPluginInfo", stub.GetPluginInfo, empty_pb2.Empty())
        try:
            policies, initial_config = self._read_info(info)
        except (ValueError, MarshalError) as error:
            raise self._process.failure(f"returned malformed GetAnalyzerInfo: {error}") from None
        # The version in PulumiPolicy.yaml wins over the one the pack reports.
        version = self._project.version or info.version
        name = info.name

        if info.supportsConfig:
            policies = self._send_config(stub, name, version, policies, initial_config)
        elif self._policy_config:
            raise PolicyPackError(
                f"policy pack {name!r} at {self.pack_dir} does not support config"
            )
        return _PackInfo(
            name=name,
            version=version,
            description=info.description or self._project.description,
            plugin_version=plugin_info.version if plugin_info is not None else "",
            policies=tuple(sorted(policies, key=lambda policy: policy.name)),
        )

    def _read_info(self, info: Any) -> tuple[list[PolicyInfo], dict[str, PolicyConfig]]:
        from google.protobuf import json_format

        policies: list[PolicyInfo] = []
        for policy in info.policies:
            schema: dict[str, Any] | None = None
            if info.supportsConfig:
                # GetAnalyzerInfo injects enforcementLevel into every schema it validates against.
                properties = json_format.MessageToDict(policy.configSchema.properties)
                properties["enforcementLevel"] = {
                    "type": "string",
                    "enum": list(policy_config_module.ENFORCEMENT_LEVELS),
                }
                schema = {"properties": properties, "required": list(policy.configSchema.required)}
            policies.append(
                PolicyInfo(
                    name=policy.name,
                    description=policy.description,
                    enforcement_level=_level_name(policy.enforcementLevel),
                    severity=_severity_name(policy.severity),
                    display_name=policy.displayName,
                    policy_type=_policy_type_name(policy.policy_type),
                    remediation_steps=policy.remediation_steps,
                    url=policy.url,
                    tags=tuple(policy.tags),
                    config_schema=schema,
                )
            )
        initial: dict[str, PolicyConfig] = {}
        for key, entry in info.initialConfig.items():
            initial[key] = PolicyConfig(
                _level_name(entry.enforcementLevel), from_struct(entry.properties)
            )
        return policies, initial

    def _send_config(
        self,
        stub: Any,
        name: str,
        version: str,
        policies: list[PolicyInfo],
        initial_config: Mapping[str, PolicyConfig],
    ) -> list[PolicyInfo]:
        from pulumi.runtime.proto import analyzer_pb2

        schemas = [
            PolicySchema(policy.name, policy.enforcement_level, policy.config_schema)
            for policy in policies
        ]
        config, errors = policy_config_module.reconcile_policy_config(
            schemas, initial_config, self._policy_config
        )
        if errors:
            details = "; ".join(errors)
            raise PolicyPackError(
                f"policy pack {name!r} at {self.pack_dir}: invalid policy config"
                f" ({name} {version}): {details}"
            )
        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for policy_name, entry in config.items():
            if entry.enforcement_level is None:
                # analyzer.Configure refuses an entry without a valid level.
                raise PolicyPackError(
                    f"policy pack {name!r} at {self.pack_dir}: the policy config names"
                    f" {policy_name!r}, which is not a policy of this pack, without an"
                    " enforcementLevel"
                )
            target = request.policyConfig[policy_name]
            target.enforcementLevel = _level_number(entry.enforcement_level)
            try:
                target.properties.CopyFrom(to_struct(entry.properties, skip_internal_keys=False))
            except MarshalError as error:
                raise PolicyPackError(
                    f"policy pack {name!r}: policy config for {policy_name!r}: {error}"
                ) from None
        self._call("Configure", stub.Configure, request)
        configured = []
        for policy in policies:
            applied = config.get(policy.name)
            if applied is None:
                configured.append(policy)
                continue
            configured.append(
                dataclasses.replace(
                    policy,
                    enforcement_level=applied.enforcement_level or policy.enforcement_level,
                    properties=dict(applied.properties),
                )
            )
        return configured

    def wait_ready(self) -> tuple[PolicyInfo, ...]:
        """Wait for start-up and configuration; return the pack's policies."""
        return self._wait_ready().policies

    def _wait_ready(self) -> _PackInfo:
        try:
            # The start-up thread enforces the time limit itself; the margin covers a wedged call.
            return self._ready.result(timeout=self.timeout * 2 + 5)
        except TimeoutError:
            raise self._process.failure(
                f"did not finish starting within {self.timeout:g}s"
            ) from None

    # ----------------------------------------------------------------- streaming

    def submit(self, record: ResourceRecord, by_urn: Mapping[str, ResourceRecord]) -> None:
        """Start analyzing ``record`` while the program still runs, as the engine analyzes each
        resource when it is registered. ``by_urn`` holds the records registered so far (the
        resource's provider among them). ``analyze`` uses the answer if it gets the same record,
        and otherwise asks again."""
        if self._feeder is None:
            self._feeder = threading.Thread(target=self._feed, daemon=True)
            self._feeder.start()
        self._submitted.put((record, by_urn))

    def _feed(self) -> None:
        try:
            pack = self._ready.result(timeout=self.timeout * 2 + 5)
        except BaseException:
            return  # ``analyze`` reports the start-up failure
        # With remediate-level policies, Analyze needs Remediate's answer first: ``analyze``
        # runs both passes itself.
        streaming = not any(policy.enforcement_level == "remediate" for policy in pack.policies)
        slots = threading.BoundedSemaphore(_IN_FLIGHT)
        while (item := self._submitted.get()) is not None:
            record, by_urn = item
            if not streaming or self._closed or record.urn in self._early:
                continue
            try:
                request = analyze_request(record, record.inputs, by_urn, remediate=False)
            except PolicyPackError:
                continue  # ``analyze`` builds it again and reports the problem
            slots.acquire()
            try:
                call = self._stub.Analyze.future(request, timeout=self.timeout)
            except Exception:
                slots.release()
                return  # the channel is closed: ``analyze`` asks again and reports
            call.add_done_callback(lambda _call: slots.release())
            self._early[record.urn] = (record, call)

    def _early_answer(self, urn: str, call: Any) -> Any:
        try:
            return call.result()
        except self._grpc.RpcError as error:
            raise self._rpc_failure("Analyze", error, urn) from None

    def _finish_feeding(self) -> None:
        if self._feeder is not None:
            self._submitted.put(None)
            self._feeder.join()
            self._feeder = None

    # ----------------------------------------------------------------- calls

    def _call(self, method: str, function: Callable[..., _T], request: Any) -> _T:
        try:
            return function(request, timeout=self.timeout)
        except self._grpc.RpcError as error:
            raise self._rpc_failure(method, error, None) from None

    def _call_optional(self, method: str, function: Callable[..., _T], request: Any) -> _T | None:
        """A call the engine tolerates an analyzer not implementing."""
        grpc = self._grpc
        try:
            return function(request, timeout=self.timeout)
        except grpc.RpcError as error:
            code = error.code() if isinstance(error, grpc.Call) else None
            if code == grpc.StatusCode.UNIMPLEMENTED:
                return None
            raise self._rpc_failure(method, error, None) from None

    def _rpc_failure(self, method: str, error: Any, urn: str | None) -> PolicyPackError:
        grpc = self._grpc
        code = error.code() if isinstance(error, grpc.Call) else None
        details = error.details() if isinstance(error, grpc.Call) else str(error)
        where = f" for {urn}" if urn else ""
        if code == grpc.StatusCode.DEADLINE_EXCEEDED:
            return self._process.failure(
                f"did not answer {method}{where} within {self.timeout:g}s (the pack hangs)"
            )
        if code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED) and (
            self._closed or self._process.exited_within(1.0)
        ):
            return self._process.failure(f"crashed during {method}{where}", wait_exit=True)
        first_line = (details or "").strip().splitlines()
        summary = first_line[0] if first_line else str(code)
        return self._process.failure(f"{method}{where} failed: {summary}")

    def _concurrently(
        self, method: str, rpc: Any, requests: Iterable[tuple[str, Any]]
    ) -> list[Any]:
        """Issue independent calls over the one channel, a bounded number in flight at a time.

        The bound keeps each call's deadline about the pack's work on that call rather than
        about the queue in front of it.
        """
        slots = threading.BoundedSemaphore(_IN_FLIGHT)
        calls: list[tuple[str, Any]] = []
        failed = threading.Event()

        def release(call: Any) -> None:
            if call.code() != self._grpc.StatusCode.OK:
                failed.set()
            slots.release()

        for urn, request in requests:
            slots.acquire()
            if failed.is_set():
                slots.release()
                break
            call = rpc.future(request, timeout=self.timeout)
            call.add_done_callback(release)
            calls.append((urn, call))
        results = []
        for urn, call in calls:
            try:
                results.append(call.result())
            except self._grpc.RpcError as error:
                for _, other in calls:
                    other.cancel()
                raise self._rpc_failure(method, error, urn) from None
        return results

    # ----------------------------------------------------------------- analysis

    def analyze(self, records: Sequence[ResourceRecord]) -> AnalysisResult:
        """Remediate and analyze every resource, then analyze the stack, as the engine does."""
        from pulumi.runtime.proto import analyzer_pb2

        pack = self._wait_ready()
        stub = self._stub
        by_urn = {record.urn: record for record in records}

        inputs: dict[str, Mapping[str, Any]] = {record.urn: record.inputs for record in records}
        remediations: list[Remediation] = []
        violations: list[Violation] = []
        not_applicable: list[NotApplicable] = []

        # pulumi-policy's Remediate only runs policies at the remediate level, so without one the
        # engine's first pass returns nothing for every resource and is skipped.
        if any(policy.enforcement_level == "remediate" for policy in pack.policies):
            responses = self._concurrently(
                "Remediate",
                stub.Remediate,
                (
                    (
                        record.urn,
                        analyze_request(record, record.inputs, by_urn, remediate=True),
                    )
                    for record in records
                ),
            )
            for record, response in zip(records, responses, strict=True):
                current = self._apply_remediations(record, response, remediations, violations)
                inputs[record.urn] = current
                not_applicable.extend(
                    NotApplicable(item.policy_name, record.urn, item.reason)
                    for item in response.not_applicable
                )

        self._finish_feeding()
        early = {
            record.urn: self._early[record.urn][1]
            for record in records
            if record.urn in self._early
            and inputs[record.urn] is record.inputs
            and dataclasses.replace(self._early[record.urn][0], outputs=record.outputs) == record
        }
        asked = iter(
            self._concurrently(
                "Analyze",
                stub.Analyze,
                (
                    (
                        record.urn,
                        analyze_request(record, inputs[record.urn], by_urn, remediate=False),
                    )
                    for record in records
                    if record.urn not in early
                ),
            )
        )
        responses = [
            self._early_answer(record.urn, early[record.urn])
            if record.urn in early
            else next(asked)
            for record in records
        ]
        self._early.clear()
        for record, response in zip(records, responses, strict=True):
            # The engine files every Analyze diagnostic under the analyzed resource's URN.
            violations.extend(
                self._violations(pack, response, "Analyze", functools.partial(_same, record.urn))
            )
            not_applicable.extend(
                NotApplicable(item.policy_name, record.urn, item.reason)
                for item in response.not_applicable
            )

        stack_request = analyzer_pb2.AnalyzeStackRequest(
            resources=[stack_resource(record, inputs[record.urn], by_urn) for record in records]
        )
        try:
            stack_response = stub.AnalyzeStack(stack_request, timeout=self.timeout)
        except self._grpc.RpcError as error:
            if error.code() == self._grpc.StatusCode.UNIMPLEMENTED:
                stack_response = analyzer_pb2.AnalyzeResponse()
            else:
                raise self._rpc_failure("AnalyzeStack", error, None) from None
        root = self.context.root_stack_urn
        violations.extend(
            self._violations(
                pack,
                stack_response,
                "AnalyzeStack",
                lambda urn: urn if urn and urn in by_urn else root,
            )
        )
        not_applicable.extend(
            NotApplicable(item.policy_name, root, item.reason)
            for item in stack_response.not_applicable
        )
        logs = [*self._process.output.all_lines(), *self._engine.messages]
        return AnalysisResult(
            pack_name=pack.name,
            pack_version=pack.version,
            policies=pack.policies,
            violations=tuple(violations),
            remediations=tuple(remediations),
            not_applicable=tuple(not_applicable),
            logs=tuple(logs),
        )

    def _apply_remediations(
        self,
        record: ResourceRecord,
        response: Any,
        remediations: list[Remediation],
        violations: list[Violation],
    ) -> Mapping[str, Any]:
        current: Mapping[str, Any] = record.inputs
        for item in response.remediations:
            if item.diagnostic:
                # A remediation that could not run is shown as an advisory violation.
                violations.append(
                    Violation(
                        policy_pack=item.policyPackName,
                        policy=item.policyName,
                        enforcement_level="advisory",
                        urn=record.urn,
                        message=item.diagnostic,
                        description=item.description,
                        policy_pack_version=self._project.version or item.policyPackVersion,
                    )
                )
            elif item.HasField("properties"):
                try:
                    after = from_struct(item.properties)
                except MarshalError as error:
                    raise self._process.failure(
                        f"returned a malformed remediation from {item.policyName!r} for"
                        f" {record.urn}: {error}"
                    ) from None
                remediations.append(
                    Remediation(
                        policy_pack=item.policyPackName,
                        policy=item.policyName,
                        urn=record.urn,
                        before=dict(current),
                        after=after,
                        diagnostic=item.diagnostic,
                    )
                )
                current = after
        return current

    def _violations(
        self, pack: _PackInfo, response: Any, method: str, urn_for: Callable[[str], str]
    ) -> list[Violation]:
        severities = {policy.name: policy.severity for policy in pack.policies}
        violations = []
        for diagnostic in response.diagnostics:
            try:
                level = _level_name(diagnostic.enforcementLevel)
            except ValueError as error:
                raise self._process.failure(
                    f"returned a malformed {method} diagnostic from policy"
                    f" {diagnostic.policyName!r}: {error}"
                ) from None
            if level == "remediate":
                # A violation left after remediation, or from a stack policy, blocks.
                level = "mandatory"
            violations.append(
                Violation(
                    policy_pack=diagnostic.policyPackName,
                    policy=diagnostic.policyName,
                    enforcement_level=level,
                    urn=urn_for(diagnostic.urn),
                    message=diagnostic.message,
                    description=diagnostic.description,
                    severity=_severity_name(diagnostic.severity)
                    or severities.get(diagnostic.policyName, ""),
                    policy_pack_version=self._project.version or diagnostic.policyPackVersion,
                )
            )
        return violations

    # ----------------------------------------------------------------- shutdown

    def close(self) -> None:
        """Stop the pack process (SIGKILL, as the engine does) and release the connection."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            channel = self._channel
        self._submitted.put(None)
        if channel is not None:
            channel.close()
        self._process.kill()
        self._engine.stop()
        self._starter.join(timeout=5.0)
        _live_sessions.discard(self)


# Any session a caller forgot to close is still stopped when preflight exits.
_live_sessions: weakref.WeakSet[PolicyPackSession] = weakref.WeakSet()


@atexit.register
def _close_live_sessions() -> None:
    for session in list(_live_sessions):
        session.close()


__all__ = ["AnalysisResult", "NotApplicable", "PolicyInfo", "PolicyPackSession", "StackContext"]
