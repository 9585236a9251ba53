"""The requests the engine builds for an analyzer, from preflight's records.

``AnalyzeRequest`` and ``AnalyzerResource`` follow the step generator (pulumi/pulumi
``pkg/resource/deploy/step_generator.go``: ``URN.Name()``, the checked inputs or the outputs, the
goal's options, the provider's own inputs) and ``marshalResourceOptions``/``marshalProvider`` in
``pkg/resource/plugin/analyzer_plugin.go``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from preflight.analyzer.errors import PolicyPackError
from preflight.analyzer.marshal import MarshalError, to_struct
from preflight.records import ResourceRecord


def urn_name(urn: str) -> str:
    """``URN.Name()``: the part after the third ``::``."""
    parts = urn.split("::", 3)
    return parts[3] if len(parts) == 4 else ""


def _urn_type(urn: str) -> str:
    """``URN.Type()``: the last component of the qualified type."""
    parts = urn.split("::", 3)
    return parts[2].rsplit("$", 1)[-1] if len(parts) == 4 else ""


_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")
_DURATION_UNITS = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "μs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
}


def go_duration_seconds(text: str | float | int | None) -> float:
    """``time.ParseDuration(...).Seconds()``, which the engine applies to ``customTimeouts``."""
    if text is None or text == "":
        return 0.0
    if isinstance(text, int | float):
        return float(text)
    value = text.strip()
    sign = -1.0 if value.startswith("-") else 1.0
    value = value.lstrip("+-")
    if value == "0":
        return 0.0
    position, total = 0, 0.0
    while position < len(value):
        match = _DURATION_PART.match(value, position)
        if match is None:
            raise ValueError(f"invalid duration {text!r}")
        total += float(match.group(1)) * _DURATION_UNITS[match.group(2)]
        position = match.end()
    if position == 0:
        raise ValueError(f"invalid duration {text!r}")
    return sign * total


def _struct(urn: str, properties: Mapping[str, Any], *, skip_internal_keys: bool) -> Any:
    try:
        return to_struct(properties, skip_internal_keys=skip_internal_keys)
    except MarshalError as error:
        raise PolicyPackError(f"resource {urn}: cannot marshal property {error}") from None


def resource_options(record: ResourceRecord) -> Any:
    """``marshalResourceOptions`` for the options the step generator passes."""
    from pulumi.runtime.proto import analyzer_pb2

    timeouts = record.custom_timeouts or {}
    try:
        custom_timeouts = analyzer_pb2.AnalyzerResourceOptions.CustomTimeouts(
            create=go_duration_seconds(timeouts.get("create")),
            update=go_duration_seconds(timeouts.get("update")),
            delete=go_duration_seconds(timeouts.get("delete")),
        )
    except ValueError as error:
        raise PolicyPackError(f"resource {record.urn}: customTimeouts: {error}") from None
    defined = record.delete_before_replace_defined or record.delete_before_replace
    return analyzer_pb2.AnalyzerResourceOptions(
        protect=record.protect,
        ignoreChanges=list(record.ignore_changes),
        deleteBeforeReplace=record.delete_before_replace,
        deleteBeforeReplaceDefined=defined,
        additionalSecretOutputs=list(record.additional_secret_outputs),
        # The engine sends only the aliases that matched a resource in the previous state,
        # and preflight plans every stack as new.
        aliases=[],
        customTimeouts=custom_timeouts,
        parent=record.parent or "",
    )


def provider_resource(record: ResourceRecord, by_urn: Mapping[str, ResourceRecord]) -> Any:
    """``AnalyzerProviderResource`` from the provider's own registration (its inputs)."""
    from pulumi.runtime.proto import analyzer_pb2

    if not record.provider:
        return None
    # providers.ParseReference: "<urn>::<id>", split at the last "::".
    provider_urn = record.provider.rsplit("::", 1)[0]
    provider = by_urn.get(provider_urn)
    properties: Mapping[str, Any] = provider.inputs if provider is not None else {}
    return analyzer_pb2.AnalyzerProviderResource(
        urn=provider_urn,
        type=provider.type if provider is not None else _urn_type(provider_urn),
        name=urn_name(provider_urn),
        properties=_struct(record.urn, properties, skip_internal_keys=True),
    )


def analyze_request(
    record: ResourceRecord,
    properties: Mapping[str, Any],
    by_urn: Mapping[str, ResourceRecord],
    *,
    remediate: bool,
) -> Any:
    """The request for ``Analyze`` (or, with ``remediate``, ``Remediate``, which keeps the
    internal keys) of one resource with the given inputs."""
    from pulumi.runtime.proto import analyzer_pb2

    return analyzer_pb2.AnalyzeRequest(
        type=record.type,
        properties=_struct(record.urn, properties, skip_internal_keys=not remediate),
        urn=record.urn,
        name=urn_name(record.urn) or record.name,
        options=resource_options(record),
        provider=provider_resource(record, by_urn),
    )


def stack_resource(
    record: ResourceRecord,
    inputs: Mapping[str, Any],
    by_urn: Mapping[str, ResourceRecord],
) -> Any:
    """One ``AnalyzerResource`` of ``AnalyzeStack``: the resource's state, not its inputs."""
    from pulumi.runtime.proto import analyzer_pb2

    outputs: dict[str, Any] = dict(record.outputs)
    if inputs is not record.inputs:
        # A remediated input reaches the provider, so the planned state carries it too.
        for key in set(record.inputs) | set(inputs):
            if key not in inputs:
                outputs.pop(key, None)
            elif record.inputs.get(key) != inputs[key]:
                outputs[key] = inputs[key]
    resource = analyzer_pb2.AnalyzerResource(
        type=record.type,
        properties=_struct(record.urn, outputs, skip_internal_keys=True),
        urn=record.urn,
        name=urn_name(record.urn) or record.name,
        options=resource_options(record),
        provider=provider_resource(record, by_urn),
        parent=record.parent or "",
        dependencies=list(record.dependencies),
    )
    for key, urns in record.property_dependencies.items():
        if urns:
            resource.propertyDependencies[key].urns.extend(urns)
    return resource
