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


# Go's time.ParseDuration (src/time/format.go), as the engine applies it to each non-empty
# customTimeouts value: "[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+" or "0", at most one sign, no spaces,
# counted in whole nanoseconds that must fit an int64.
_DURATION_PART = re.compile(r"([0-9]*)(\.[0-9]*)?([^0-9.]*)")
_NANOSECONDS = {
    "ns": 1,
    "us": 1_000,
    "µs": 1_000,  # U+00B5, the micro sign
    "μs": 1_000,  # U+03BC, the Greek mu
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
}
_MAX_NANOSECONDS = 1 << 63  # an int64's magnitude (only a negative duration reaches it)


def _go_fraction(digits: str) -> tuple[int, float]:
    """Go's ``leadingFraction``: the digits as an integer and their scale, where digits that
    would overflow an int64 are dropped instead of refused."""
    value, scale = 0, 1.0
    for digit in digits:
        # (Go also checks the value before it multiplies, as a uint64 would wrap.)
        following = value * 10 + int(digit)
        if following > _MAX_NANOSECONDS:
            break
        value, scale = following, scale * 10
    return value, scale


def go_duration_seconds(text: str | float | int | None) -> float:
    """``time.ParseDuration(...).Seconds()``, which the engine applies to ``customTimeouts``."""
    if text is None or text == "":
        return 0.0
    if isinstance(text, int | float):
        return float(text)
    value = text[1:] if text[:1] in ("-", "+") else text
    if value == "0":
        return 0.0
    if not value:
        raise ValueError(f"invalid duration {text!r}")
    position, total = 0, 0
    while position < len(value):
        match = _DURATION_PART.match(value, position)
        assert match is not None  # every part of the pattern is optional
        whole, point, unit = match.groups()
        fraction = (point or ".")[1:]
        # A part needs a digit before or after its point, and a unit Go knows.
        if not (whole or fraction) or unit not in _NANOSECONDS:
            raise ValueError(f"invalid duration {text!r}")
        digits, scale = _go_fraction(fraction)
        # Go converts the fraction through float64 and truncates it to whole nanoseconds.
        total += int(whole or "0") * _NANOSECONDS[unit] + int(digits * (_NANOSECONDS[unit] / scale))
        # Go checks each number before it multiplies, as a uint64 would wrap; Python's ints do
        # not, and a number too large makes the total too large.
        if total > _MAX_NANOSECONDS:
            raise ValueError(f"invalid duration {text!r}")
        position = match.end()
    if text[:1] != "-" and total == _MAX_NANOSECONDS:
        raise ValueError(f"invalid duration {text!r}")
    # Duration.Seconds: whole seconds plus the nanoseconds left, each as a float64.
    seconds = total // 1_000_000_000 + total % 1_000_000_000 / 1e9
    return -seconds if text[:1] == "-" else seconds


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
        # No aliases: the engine sends only those that matched a resource in the previous
        # state, and preflight plans every stack as new.
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
        # A provider's type is its URN's, recorded or not.
        type=_urn_type(provider_urn),
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
