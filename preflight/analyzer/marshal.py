"""Property values to and from ``google.protobuf.Struct``, with the engine's wire conventions.

The rules follow the engine's ``MarshalProperties`` (pulumi/pulumi ``pkg/resource/plugin/rpc.go``)
with the options ``analyzer_plugin.go`` passes to analyzers: ``KeepUnknowns`` and ``KeepSecrets``
always, ``SkipInternalKeys`` for ``Analyze``/``AnalyzeStack`` and provider properties but not for
``Remediate``. Numbers travel as doubles, so an ``int`` arrives in a policy as a ``float``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from google.protobuf import struct_pb2

from preflight.records import UNKNOWN, Secret

# resource.SigKey and resource.SecretSig (pulumi/pulumi sdk/go/common/resource/properties.go).
SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"

# plugin.UnknownStringValue (rpc.go). A record's UNKNOWN carries no type, and the engine marks
# an unknown of unknown type with the string sentinel, which pulumi-policy treats like the others.
UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
UNKNOWN_SENTINELS = frozenset(
    {
        "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",  # bool
        "3eeb2bf0-c639-47a8-9e75-3b44932eb421",  # number
        UNKNOWN_STRING,
        "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",  # array
        "030794c1-ac77-496b-92df-f27374a8bd58",  # asset
        "e48ece36-62e2-4504-bad9-02848725956a",  # archive
        "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",  # object
    }
)


class MarshalError(ValueError):
    """A value that has no representation on the wire (or a malformed value read from it)."""


def is_internal_key(key: str) -> bool:
    """``resource.IsInternalPropertyKey``: keys such as ``__defaults``, private to the engine."""
    return key.startswith("__")


def to_struct(props: Mapping[str, Any], *, skip_internal_keys: bool) -> struct_pb2.Struct:
    """Marshal a property map the way ``plugin.MarshalProperties`` does."""
    struct = struct_pb2.Struct()
    for key in sorted(props):
        if skip_internal_keys and is_internal_key(key):
            continue
        _set_value(struct.fields[key], props[key], skip_internal_keys, key)
    return struct


def _set_value(target: struct_pb2.Value, value: Any, skip_internal_keys: bool, path: str) -> None:
    if value is UNKNOWN:
        target.string_value = UNKNOWN_STRING
    elif isinstance(value, Secret):
        secret = target.struct_value
        secret.fields[SIG_KEY].string_value = SECRET_SIG
        _set_value(secret.fields["value"], value.value, skip_internal_keys, path)
    elif value is None:
        target.null_value = struct_pb2.NULL_VALUE
    elif isinstance(value, bool):
        target.bool_value = value
    elif isinstance(value, int | float):
        number = float(value)
        if math.isnan(number) or math.isinf(number):
            raise MarshalError(f"{path}: {value!r} is not a number the engine can carry")
        target.number_value = number
    elif isinstance(value, str):
        target.string_value = value
    elif isinstance(value, Mapping):
        struct = target.struct_value
        struct.SetInParent()
        for key in sorted(value):
            if not isinstance(key, str):
                raise MarshalError(f"{path}: object key {key!r} is not a string")
            if skip_internal_keys and is_internal_key(key):
                continue
            _set_value(struct.fields[key], value[key], skip_internal_keys, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        values = target.list_value
        values.SetInParent()
        for index, item in enumerate(value):
            _set_value(values.values.add(), item, skip_internal_keys, f"{path}[{index}]")
    else:
        raise MarshalError(f"{path}: values of type {type(value).__name__} cannot be marshalled")


def from_struct(struct: struct_pb2.Struct) -> dict[str, Any]:
    """Unmarshal a property map, turning the secret and unknown encodings back into markers."""
    return {key: from_value(value) for key, value in struct.fields.items()}


def from_value(value: struct_pb2.Value) -> Any:
    kind = value.WhichOneof("kind")
    if kind == "null_value" or kind is None:
        return None
    if kind == "bool_value":
        return value.bool_value
    if kind == "number_value":
        return value.number_value
    if kind == "string_value":
        text = value.string_value
        return UNKNOWN if text in UNKNOWN_SENTINELS else text
    if kind == "list_value":
        return [from_value(item) for item in value.list_value.values]
    fields = value.struct_value.fields
    if SIG_KEY in fields:
        signature = fields[SIG_KEY].string_value
        if signature != SECRET_SIG:
            # Assets, archives and resource references never appear in preflight's records.
            raise MarshalError(f"unrecognized signature {signature!r} in property value")
        if "value" not in fields:
            raise MarshalError("malformed secret: missing value")
        return Secret(from_value(fields["value"]))
    return {key: from_value(item) for key, item in fields.items()}
