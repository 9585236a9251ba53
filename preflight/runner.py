"""Run a Pulumi Python program under mocks backed by the AWS model, recording every registration.

This module runs inside the worker process (``python -m preflight.worker``) because it imports
the Pulumi SDK; the CLI process stays light. It does what the Python language host's
``pulumi-language-python-exec`` does (config from ``PULUMI_CONFIG``, ``run_in_stack`` around
``runpy.run_path(program, run_name="__main__")``, asyncio's logger silenced), with a resource
monitor that records instead of talking to an engine.

:class:`ModelMocks` is also usable on its own with ``pulumi.runtime.set_mocks`` in unit tests.
"""

from __future__ import annotations

import asyncio
import logging
import runpy
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import unquote, urlparse

from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs, Mocks
from pulumi.runtime.proto import engine_pb2, provider_pb2, resource_pb2

from preflight.aws_model import AwsModel, CheckError, InvokeError
from preflight.codec import (
    OUTPUT_SIG,
    RESOURCE_SIG,
    SECRET_SIG,
    SIG_KEY,
    UNKNOWN_VALUE,
    encode,
)
from preflight.records import UNKNOWN, Secret

Emit = Callable[[dict[str, Any]], None]

STACK_TYPE = "pulumi:pulumi:Stack"
STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference"


class ProgramError(Exception):
    """The program cannot run as written; the message is for the user as is."""


# --- protobuf Struct <-> recorded values -------------------------------------------------


def _from_value(value: struct_pb2.Value) -> Any:
    kind = value.WhichOneof("kind")
    if kind == "string_value":
        text = value.string_value
        return UNKNOWN if text == UNKNOWN_VALUE else text
    if kind == "number_value":
        number = value.number_value
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    if kind == "bool_value":
        return value.bool_value
    if kind == "struct_value":
        return from_struct(value.struct_value)
    if kind == "list_value":
        return [_from_value(item) for item in value.list_value.values]
    return None


def from_struct(struct: struct_pb2.Struct) -> Any:
    """A property Struct as the engine sees it → recorded values (secrets, unknowns kept)."""
    fields = struct.fields
    if SIG_KEY in fields:
        sig = fields[SIG_KEY].string_value
        if sig == SECRET_SIG:
            return Secret(_from_value(fields["value"]) if "value" in fields else None)
        if sig == RESOURCE_SIG:
            # A provider that does not accept resource references receives the ID of a custom
            # resource and the URN of a component.
            if "id" in fields:
                return _from_value(fields["id"])
            return fields["urn"].string_value
        if sig == OUTPUT_SIG:
            inner = _from_value(fields["value"]) if "value" in fields else UNKNOWN
            secret = "secret" in fields and fields["secret"].bool_value
            return Secret(inner) if secret else inner
    return {key: _from_value(item) for key, item in fields.items()}


def to_struct(values: dict[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(encode(values))
    return struct


def plain(value: Any) -> Any:
    """Recorded value with secrets unwrapped and unknowns as None (for the SDK's own use)."""
    if isinstance(value, Secret):
        return plain(value.value)
    if value is UNKNOWN:
        return None
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


# --- the mocks and the monitor ------------------------------------------------------------


class ModelMocks(Mocks):
    """Pulumi mocks answered by an :class:`AwsModel` (usable with ``set_mocks`` directly)."""

    def __init__(self, model: AwsModel) -> None:
        self.model = model

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[Any, Any]]:
        inputs = self.model.check(args.typ, args.name, dict(args.inputs))
        urn = f"urn:pulumi:mock::mock::{args.typ}::{args.name}"
        resource_id, state = self.model.new_resource(args.typ, args.name, urn, inputs)
        return resource_id, plain(state)

    def call(self, args: MockCallArgs) -> tuple[dict[Any, Any], list[tuple[str, str]] | None]:
        try:
            result = self.model.invoke(args.token, args.args)
        except InvokeError as failure:
            return {}, [(failure.property, str(failure))]
        return (result or {}), []


class RecordingEngine:
    """The engine's Log endpoint: program diagnostics become report entries."""

    _SEVERITIES: ClassVar[dict[int, str]] = {
        engine_pb2.DEBUG: "debug",
        engine_pb2.INFO: "info",
        engine_pb2.WARNING: "warning",
        engine_pb2.ERROR: "error",
    }

    def __init__(self, emit: Emit) -> None:
        self.emit = emit

    def Log(self, request: Any) -> empty_pb2.Empty:  # noqa: N802 - gRPC method name
        severity = self._SEVERITIES.get(request.severity, "info")
        if severity != "debug":
            self.emit(
                {
                    "event": "log",
                    "severity": severity,
                    "message": request.message,
                    "urn": request.urn or None,
                }
            )
        return empty_pb2.Empty()


class RecordingMonitor(MockMonitor):
    """A resource monitor that records every registration the way the engine receives it."""

    def __init__(
        self,
        model: AwsModel,
        emit: Emit,
        *,
        stack_outputs: dict[str, dict[str, Any]] | None = None,
        provider_config: dict[str, str] | None = None,
    ) -> None:
        super().__init__(ModelMocks(model))
        self.model = model
        self.emit = emit
        self.stack_outputs = stack_outputs or {}
        self.provider_config = provider_config or {}
        self.stack_urn: str | None = None
        self.stack_result: Any = {}
        self._lock = threading.Lock()
        self._default_providers: dict[tuple[str, str], str] = {}
        self._warned: set[str] = set()
        self._provider_regions: dict[str, str] = {}
        # URN → the request that registered it; where in the program that was is worked out
        # only for a duplicate (walking every registration's stack trace is a tenth of a run).
        self._registered_by: dict[str, Any] = {}

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        """The engine's URN: a parent's type qualifies the child's, except the root stack's."""
        if parent:
            qualified = parent.split("::")[2]
            if qualified.split("$")[-1] != STACK_TYPE:
                type_ = f"{qualified}${type_}"
        return f"urn:pulumi:{self._stack}::{self._project}::{type_}::{name}"

    @property
    def _stack(self) -> str:
        from pulumi.runtime.settings import get_stack

        return get_stack()

    @property
    def _project(self) -> str:
        from pulumi.runtime.settings import get_project

        return get_project()

    # The registrations --------------------------------------------------------------------

    def _claim_urn(self, urn: str, request: Any) -> None:
        """The engine stops a program that registers one URN twice (its step generator's
        "Duplicate resource URN" error) rather than keep either registration."""
        with self._lock:
            first = self._registered_by.get(urn)
            if first is None:
                self._registered_by[urn] = request
                return
        # The SDK registers resources concurrently, so which of the two reaches the monitor
        # first is not program order: name both places, in source order.
        where = (_source_position(first), _source_position(request))
        places = sorted((place for place in where if place), key=_source_order)
        located = f"registered at {' and '.join(places)}" if places else ""
        raise ProgramError(
            f"Duplicate resource URN '{urn}'; try giving it a unique name"
            + (f" ({located})" if located else "")
        )

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        urn = self.make_urn(request.parent, request.type, request.name)
        self._claim_urn(urn, request)
        if request.type == STACK_TYPE:
            self.stack_urn = urn
            self._emit_resource(urn, request, inputs={}, outputs={}, resource_id=None)
            return resource_pb2.RegisterResourceResponse(urn=urn)

        inputs = from_struct(request.object)
        resource_id: str | None = None
        outputs: dict[str, Any] = {}
        if request.custom:
            try:
                inputs = self.model.check(request.type, request.name, inputs)
            except CheckError as failure:
                raise ProgramError(
                    f"{request.type} resource '{request.name}': {failure}"
                ) from failure
            resource_id, outputs = self.model.new_resource(
                request.type,
                request.name,
                urn,
                inputs,
                region=self._provider_regions.get(request.provider),
            )
            if request.type == "pulumi:providers:aws" and isinstance(plain(inputs), dict):
                region = plain(inputs).get("region")
                if region:
                    self._provider_regions[f"{urn}::{resource_id}"] = str(region)
        self.resources[urn] = MockMonitor.ResourceRegistration(
            urn, resource_id or "", plain(outputs)
        )
        # An ID the model leaves unknown (a random resource's) is recorded as unknown.
        self._emit_resource(
            urn, request, inputs=inputs, outputs=outputs, resource_id=resource_id or None
        )
        if not request.custom:
            return resource_pb2.RegisterResourceResponse(urn=urn)
        return resource_pb2.RegisterResourceResponse(
            urn=urn, id=resource_id or "", object=to_struct(outputs)
        )

    def RegisterResourceOutputs(self, request: Any) -> empty_pb2.Empty:  # noqa: N802
        outputs = from_struct(request.outputs)
        if request.urn == self.stack_urn:
            self.stack_result = outputs
        self.emit({"event": "outputs", "urn": request.urn, "outputs": encode(outputs)})
        return empty_pb2.Empty()

    def ReadResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        urn = self.make_urn(request.parent, request.type, request.name)
        self._claim_urn(urn, request)
        inputs = from_struct(request.properties)
        if request.type == STACK_REFERENCE_TYPE:
            state = self._stack_reference(str(request.id or request.name))
            resource_id = str(request.id or request.name)
        else:
            resource_id, state = self.model.new_resource(request.type, request.name, urn, inputs)
            resource_id = request.id or resource_id
        self.resources[urn] = MockMonitor.ResourceRegistration(urn, resource_id, plain(state))
        self._emit_resource(
            urn, request, inputs=inputs, outputs=state, resource_id=resource_id, custom=True
        )
        return resource_pb2.ReadResourceResponse(urn=urn, properties=to_struct(state))

    def _stack_reference(self, name: str) -> dict[str, Any]:
        if name not in self.stack_outputs:
            raise ProgramError(
                f"StackReference '{name}': preflight has no outputs for this stack; pass "
                f"--stack-outputs {name}=FILE with FILE a `preflight --json` document of it"
            )
        reference = self.stack_outputs[name]
        return {
            "name": name,
            "outputs": reference["outputs"],
            "secretOutputNames": list(reference.get("secretOutputNames", [])),
        }

    def Invoke(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        if request.tok == "pulumi:pulumi:getResource":
            return super().Invoke(request)
        args = from_struct(request.args)
        failures = None
        try:
            result = self.model.invoke(request.tok, args)
        except InvokeError as failure:
            result = {}
            failures = [provider_pb2.CheckFailure(property=failure.property, reason=str(failure))]
        if result is None:
            result = {}
            self._warn_unmodelled(request.tok)
        for note in self.model.take_notes():
            self.emit(
                {
                    "event": "warning",
                    "kind": "partial-invoke",
                    "token": request.tok,
                    "message": f"invoke {request.tok}: {note}",
                }
            )
        self.emit({"event": "invoke", "token": request.tok, "modelled": failures is None})
        return resource_pb2.ResourceInvokeResponse(
            **{"return": to_struct(result)}, failures=failures
        )

    def _warn_unmodelled(self, token: str) -> None:
        with self._lock:
            first = token not in self._warned
            self._warned.add(token)
        if first:
            self.emit(
                {
                    "event": "warning",
                    "kind": "unmodelled-invoke",
                    "token": token,
                    "message": f"invoke {token} is not modelled offline; "
                    "it returned an empty result",
                }
            )

    # Recording ---------------------------------------------------------------------------

    def _provider_reference(self, request: Any, custom: bool) -> str | None:
        """The provider reference the engine would record: the explicit one, or the default
        provider of the type's package (whose ID a preview does not know yet)."""
        if request.provider:
            return str(request.provider)
        package = request.type.split(":")[0]
        if not custom or package == "pulumi":
            return None
        version = getattr(request, "version", "") or ""
        key = (package, version)
        with self._lock:
            reference = self._default_providers.get(key)
            if reference is not None:
                return reference
            name = "default" + (f"_{version.replace('.', '_')}" if version else "")
            provider_urn = self.make_urn("", f"pulumi:providers:{package}", name)
            reference = f"{provider_urn}::{UNKNOWN_VALUE}"
            self._default_providers[key] = reference
        prefix = f"{package}:"
        inputs: dict[str, Any] = {
            key[len(prefix) :]: value
            for key, value in self.provider_config.items()
            if key.startswith(prefix)
        }
        if version:
            inputs["version"] = version
        self.emit(
            {
                "event": "resource",
                "urn": provider_urn,
                "type": f"pulumi:providers:{package}",
                "name": name,
                "custom": True,
                "parent": None,
                "id": None,
                "inputs": encode(inputs),
                "outputs": encode(inputs),
                "defaultProvider": True,
            }
        )
        return reference

    def _aliases(self, request: Any) -> list[str]:
        aliases = [str(urn) for urn in getattr(request, "aliasURNs", [])]
        for alias in getattr(request, "aliases", []):
            if alias.urn:
                aliases.append(alias.urn)
                continue
            spec = alias.spec
            parent = "" if spec.noParent else (spec.parentUrn or request.parent)
            aliases.append(
                self.make_urn(parent, spec.type or request.type, spec.name or request.name)
            )
        return aliases

    def _emit_resource(
        self,
        urn: str,
        request: Any,
        *,
        inputs: Any,
        outputs: Any,
        resource_id: str | None,
        custom: bool | None = None,
    ) -> None:
        is_custom = bool(request.custom) if custom is None else custom
        event: dict[str, Any] = {
            "event": "resource",
            "urn": urn,
            "type": request.type,
            "name": request.name,
            "custom": is_custom,
            "parent": request.parent or None,
            "id": resource_id,
            "dependencies": list(dict.fromkeys(request.dependencies)),
            "provider": self._provider_reference(request, is_custom),
            "inputs": encode(inputs),
            "outputs": encode(outputs),
        }
        if hasattr(request, "propertyDependencies"):
            event["propertyDependencies"] = {
                key: list(deps.urns) for key, deps in request.propertyDependencies.items()
            }
            event["protect"] = bool(request.protect)
            event["retainOnDelete"] = bool(request.retainOnDelete)
            event["deleteBeforeReplace"] = bool(request.deleteBeforeReplace)
            event["deleteBeforeReplaceDefined"] = bool(request.deleteBeforeReplaceDefined)
            event["ignoreChanges"] = list(request.ignoreChanges)
            event["additionalSecretOutputs"] = list(request.additionalSecretOutputs)
            event["aliases"] = self._aliases(request)
            timeouts = request.customTimeouts
            if request.HasField("customTimeouts") and (
                timeouts.create or timeouts.update or timeouts.delete
            ):
                event["customTimeouts"] = {
                    key: value
                    for key, value in (
                        ("create", timeouts.create),
                        ("update", timeouts.update),
                        ("delete", timeouts.delete),
                    )
                    if value
                }
        else:
            event["additionalSecretOutputs"] = list(request.additionalSecretOutputs)
        self.emit(event)


def _source_order(place: str) -> tuple[str, int]:
    """``file:line`` sorted by file, then by line number."""
    file, _, line = place.rpartition(":")
    return (file, int(line)) if line.isdigit() else (place, 0)


def _source_position(request: Any) -> str:
    """``file:line`` of the program code that constructed the resource: the innermost frame of
    the SDK's stack trace in the program's directory (the worker's working directory) outside a
    virtualenv, else the SDK's own source position; "" when the SDK sent neither."""
    frames = [frame.pc for frame in request.stackTrace.frames if frame.HasField("pc")]
    if request.HasField("sourcePosition"):
        frames.append(request.sourcePosition)
    located = [(_path_of(position.uri), position.line) for position in frames if position.uri]
    here = Path.cwd()
    for path, line in located:
        if path.is_relative_to(here) and not _INSTALLED & set(path.relative_to(here).parts):
            return f"{path.relative_to(here)}:{line}"
    return f"{located[-1][0]}:{located[-1][1]}" if located else ""


# Directories of installed packages, which are not the program's own code.
_INSTALLED = frozenset({"venv", ".venv", "site-packages"})


def _path_of(uri: str) -> Path:
    return Path(unquote(urlparse(uri).path)) if uri.startswith("file:") else Path(uri)


def _run_main(program: str) -> None:
    runpy.run_path(program, run_name="__main__")


def run_program(
    program: str,
    *,
    monitor: RecordingMonitor,
    engine: RecordingEngine,
    project: str,
    stack: str,
    organization: str,
    root_directory: str,
    dry_run: bool = True,
) -> Any:
    """Run ``program`` (a directory with ``__main__.py``, or a file) to completion, as
    ``pulumi-language-python-exec`` does; returns the stack's registered outputs."""
    import pulumi.runtime
    from pulumi.runtime import settings as runtime_settings
    from pulumi.runtime.stack import run_in_stack

    config = pulumi.runtime.get_config_env()
    pulumi.runtime.set_all_config(config, pulumi.runtime.get_config_secret_keys_env())
    pulumi.runtime.configure(
        pulumi.runtime.Settings(
            project=project,
            stack=stack,
            monitor=monitor,
            engine=engine,
            dry_run=dry_run,
            organization=organization,
            root_directory=root_directory,
        )
    )
    runtime_settings.set_root_resource(None)  # type: ignore[arg-type]
    # As the language host does: asyncio's complaints about unobserved futures on a failed
    # program are noise, not diagnostics.
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(run_in_stack(lambda: _run_main(program)))
    finally:
        loop.close()
    return monitor.stack_result
