"""``aws.iam.get_policy_document``, computed as the provider computes it, with no AWS call.

pulumi-aws bridges the Terraform data source ``aws_iam_policy_document``
(terraform-provider-aws internal/service/iam/policy_document_data_source.go and
policy_model.go); this module follows that code step by step, so ``json`` and ``minified_json``
are the provider's, byte for byte:

- The blocks the schema declares as sets (``actions``, ``resources``, ``principals`` and their
  ``identifiers``, ``condition``...) reach the data source in the order of Terraform's set hash
  (terraform-plugin-sdk helper/schema: a CRC-32 of the element's serialization, the hash codes
  compared as decimal strings). That order is visible where blocks of one kind are
  concatenated: two ``principals`` blocks of the same type, two conditions on one key.
- A list of one string becomes the string; longer lists of actions, resources and identifiers
  are sorted in reverse (``policyDecodeConfigStrings``); condition values keep their order.
- ``&{`` becomes ``${`` (and is refused in version 2008-10-17).
- Principals and conditions are JSON objects (keys sorted, as Go marshals maps); ``{"*": "*"}``
  becomes ``"*"``.
- ``source_policy_documents`` are merged first, in order (a repeated Sid is an error), then the
  statements, then ``override_policy_documents`` (a statement with a Sid already present
  replaces it in place). The highest ``Version`` wins; an ``Id`` is taken from the last
  document that has one.
- JSON is written as Go's ``encoding/json`` writes it (``MarshalIndent`` with two spaces for
  ``json``, compact for ``minified_json``, ``<``, ``>`` and ``&`` escaped).
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

VERSIONS = ("2008-10-17", "2012-10-17")
_SID = re.compile(r"^[a-zA-Z0-9]*$")


class PolicyDocumentError(Exception):
    """The provider would refuse these arguments; ``property`` names the argument."""

    def __init__(self, message: str, property: str = "") -> None:
        super().__init__(message)
        self.property = property


# --- Terraform's set order ------------------------------------------------------------------


def _hashcode(text: str) -> str:
    """terraform-plugin-sdk's set key: hashcode.String (CRC-32, never negative), as text."""
    return str(zlib.crc32(text.encode()))


def _string_set(values: Sequence[str]) -> list[str]:
    """A set of strings in Set.List() order (duplicates dropped): each element is hashed as
    HashSchema serializes it (``value;``), and the keys are sorted as strings."""
    by_key = {_hashcode(f"{value};"): value for value in values}
    return [by_key[key] for key in sorted(by_key)]


def _serialize_principal(principal: Mapping[str, Any]) -> str:
    # SerializeResourceForHash: the attributes in name order, a set as {item;...};
    identifiers = "".join(f"{item};" for item in _string_set(principal["identifiers"]))
    return f"identifiers:{{{identifiers}}};type:{principal['type']};"


def _serialize_condition(condition: Mapping[str, Any]) -> str:
    values = "".join(f"{item};" for item in condition["values"])
    return f"test:{condition['test']};values:({values});variable:{condition['variable']};"


def _block_set(blocks: Sequence[Mapping[str, Any]], serialize: Any) -> list[Mapping[str, Any]]:
    by_key = {_hashcode(serialize(block)): block for block in blocks}
    return [by_key[key] for key in sorted(by_key)]


# --- building the statements --------------------------------------------------------------


def _decode_strings(values: Sequence[str]) -> str | list[str]:
    """policyDecodeConfigStrings: one value as a string, more sorted in reverse."""
    if len(values) == 1:
        return values[0]
    return sorted(values, reverse=True)


def _replace_vars(values: Any, version: str) -> Any:
    """``&{`` → ``${`` (dataSourcePolicyDocumentReplaceVarsInList)."""
    items = [values] if isinstance(values, str) else list(values)
    for item in items:
        if version == "2008-10-17" and "&{" in item:
            raise PolicyDocumentError(
                f"found &{{ sequence in ({item}), which is not supported in document version "
                "2008-10-17"
            )
    replaced = [item.replace("&{", "${") for item in items]
    return replaced[0] if isinstance(values, str) else replaced


def _principals(blocks: Sequence[Mapping[str, Any]], version: str) -> list[dict[str, Any]]:
    normalized = [
        {"type": str(block.get("type", "")), "identifiers": list(block.get("identifiers") or [])}
        for block in blocks
    ]
    return [
        {
            "type": block["type"],
            "identifiers": _replace_vars(
                _decode_strings(_string_set(block["identifiers"])), version
            ),
        }
        for block in _block_set(normalized, _serialize_principal)
    ]


def _conditions(blocks: Sequence[Mapping[str, Any]], version: str) -> list[dict[str, Any]]:
    normalized = [
        {
            "test": str(block.get("test", "")),
            "variable": str(block.get("variable", "")),
            "values": ["" if value is None else str(value) for value in block.get("values") or []],
        }
        for block in blocks
    ]
    out = []
    for block in _block_set(normalized, _serialize_condition):
        values = _replace_vars(block["values"], version)
        out.append(
            {
                "test": block["test"],
                "variable": block["variable"],
                "values": values[0] if len(values) == 1 else values,
            }
        )
    return out


def _statement(index: int, config: Mapping[str, Any], version: str) -> dict[str, Any]:
    effect = config.get("effect") or "Allow"
    if effect not in ("Allow", "Deny"):
        raise PolicyDocumentError(
            f'expected statements[{index}].effect to be one of ["Allow" "Deny"], got {effect}',
            "statements",
        )
    sid = config.get("sid") or ""
    if not _SID.match(sid):
        raise PolicyDocumentError(
            f"invalid value for statements[{index}].sid (must only include alphanumeric "
            "characters)",
            "statements",
        )
    statement: dict[str, Any] = {"Sid": sid, "Effect": effect}
    for key, field in (("actions", "Action"), ("notActions", "NotAction")):
        values = _string_set(config.get(key) or [])
        if values:
            statement[field] = _decode_strings(values)
    for key, field in (("resources", "Resource"), ("notResources", "NotResource")):
        values = _string_set(config.get(key) or [])
        if values:
            statement[field] = _replace_vars(_decode_strings(values), version)
    for key, field in (("principals", "Principal"), ("notPrincipals", "NotPrincipal")):
        if config.get(key):
            statement[field] = _principals(config[key], version)
    if config.get("conditions"):
        statement["Condition"] = _conditions(config["conditions"], version)
    return statement


# --- documents given as JSON (source and override documents) ------------------------------


def _parse_document(text: str, what: str) -> dict[str, Any]:
    """A policy JSON as the provider's ``json.Unmarshal`` into its model reads it."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PolicyDocumentError(f"writing IAM Policy Document: {what}: {exc.msg}") from exc
    if not isinstance(raw, dict):
        raise PolicyDocumentError(f"writing IAM Policy Document: {what}: not a JSON object")
    fields = _fold(raw)
    statements = fields.get("statement")
    if statements is not None and not isinstance(statements, list):
        raise PolicyDocumentError(
            f"writing IAM Policy Document: {what}: Statement must be a list of statements"
        )
    return {
        "Version": str(fields.get("version") or ""),
        "Id": str(fields.get("id") or ""),
        "Statement": [_parse_statement(item, what) for item in statements or []],
    }


def _fold(raw: Mapping[str, Any]) -> dict[str, Any]:
    # Go matches JSON keys to struct fields without regard to case.
    return {str(key).lower(): value for key, value in raw.items()}


def _parse_statement(raw: Any, what: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise PolicyDocumentError(
            f"writing IAM Policy Document: {what}: a statement is not an object"
        )
    fields = _fold(raw)
    statement: dict[str, Any] = {
        "Sid": str(fields.get("sid") or ""),
        "Effect": str(fields.get("effect") or ""),
    }
    for field in ("Action", "NotAction", "Resource", "NotResource"):
        value = fields.get(field.lower())
        if value is not None:
            statement[field] = value
    for field in ("Principal", "NotPrincipal"):
        value = fields.get(field.lower())
        if value is not None:
            statement[field] = _parse_principals(value, what)
    if fields.get("condition") is not None:
        statement["Condition"] = _parse_conditions(fields["condition"], what)
    return statement


def _parse_principals(value: Any, what: str) -> list[dict[str, Any]]:
    if isinstance(value, str):
        return [{"type": "*", "identifiers": ["*"]}]
    if not isinstance(value, dict):
        raise PolicyDocumentError(f"writing IAM Policy Document: {what}: unsupported Principal")
    out = []
    for kind, identifiers in value.items():
        if isinstance(identifiers, str):
            out.append({"type": kind, "identifiers": identifiers})
        elif isinstance(identifiers, list) and all(isinstance(i, str) for i in identifiers):
            out.append({"type": kind, "identifiers": sorted(identifiers)})
        else:
            raise PolicyDocumentError(
                f"writing IAM Policy Document: {what}: principal {kind!r} must be a string or "
                "a list of strings"
            )
    return out


def _parse_conditions(value: Any, what: str) -> list[dict[str, Any]]:
    if not isinstance(value, dict):
        raise PolicyDocumentError(f"writing IAM Policy Document: {what}: unsupported Condition")
    out = []
    for test, variables in value.items():
        for variable, values in (variables or {}).items():
            if isinstance(values, bool):
                # iamPolicyStatementConditionSet.UnmarshalJSON: strconv.FormatBool.
                out.append({"test": test, "variable": variable, "values": str(values).lower()})
            elif isinstance(values, str):
                out.append({"test": test, "variable": variable, "values": [values]})
            elif isinstance(values, list):
                if not all(isinstance(item, str) for item in values):
                    raise PolicyDocumentError(
                        f"writing IAM Policy Document: {what}: the values of condition "
                        f"{test} {variable} must be strings"
                    )
                out.append({"test": test, "variable": variable, "values": list(values)})
            # Any other value (a number) is dropped, as the provider's UnmarshalJSON drops it.
    return out


# --- merging and writing ------------------------------------------------------------------


def _merge(target: dict[str, Any], new: Mapping[str, Any]) -> None:
    """iamPolicyDoc.Merge."""
    if new.get("Id"):
        target["Id"] = new["Id"]
    if new.get("Version", "") > target.get("Version", ""):
        target["Version"] = new["Version"]
    statements = target.setdefault("Statement", [])
    for statement in new.get("Statement") or []:
        sid = statement.get("Sid", "")
        for index, existing in enumerate(statements):
            if sid and existing.get("Sid") == sid:
                statements[index] = statement
                break
        else:
            statements.append(statement)


def _principal_json(principals: list[dict[str, Any]]) -> Any:
    """iamPolicyStatementPrincipalSet.MarshalJSON."""
    if len(principals) == 1 and principals[0]["type"] == "*":
        identifiers = principals[0]["identifiers"]
        if identifiers in ("*", ["*"]):
            return "*"
    raw: dict[str, Any] = {}
    for principal in principals:
        kind, identifiers = principal["type"], principal["identifiers"]
        current = raw.get(kind)
        if isinstance(identifiers, list):
            merged = [] if current is None else ([current] if isinstance(current, str) else current)
            raw[kind] = merged + sorted(identifiers, reverse=True)
        elif current is None:
            raw[kind] = identifiers
        elif isinstance(current, str):
            raw[kind] = [current, identifiers]
        else:
            current.append(identifiers)
    return {key: raw[key] for key in sorted(raw)}


def _condition_json(conditions: list[dict[str, Any]]) -> dict[str, Any]:
    """iamPolicyStatementConditionSet.MarshalJSON: values gathered per test and key, in order;
    a single value as a string."""
    raw: dict[str, dict[str, list[str]]] = {}
    for condition in conditions:
        values = condition["values"]
        items = raw.setdefault(condition["test"], {}).setdefault(condition["variable"], [])
        items.extend([values] if isinstance(values, str) else values)
    return {
        test: {
            variable: (items[0] if len(items) == 1 else items)
            for variable, items in sorted(raw[test].items())
        }
        for test in sorted(raw)
    }


def _to_json_value(document: Mapping[str, Any]) -> dict[str, Any]:
    """The document as Go marshals the model: fields in struct order, ``omitempty``."""
    out: dict[str, Any] = {}
    if document.get("Version"):
        out["Version"] = document["Version"]
    if document.get("Id"):
        out["Id"] = document["Id"]
    statements = []
    for statement in document.get("Statement") or []:
        item: dict[str, Any] = {}
        for field in ("Sid", "Effect"):
            if statement.get(field):
                item[field] = statement[field]
        for field in ("Action", "NotAction", "Resource", "NotResource"):
            if statement.get(field) is not None:
                item[field] = statement[field]
        for field in ("Principal", "NotPrincipal"):
            if statement.get(field):
                item[field] = _principal_json(statement[field])
        if statement.get("Condition"):
            item["Condition"] = _condition_json(statement["Condition"])
        statements.append(item)
    if statements:
        out["Statement"] = statements
    return out


def go_json(value: Any, *, indent: bool) -> str:
    """JSON as Go's encoding/json writes it: HTML-safe escapes, no ASCII escaping otherwise."""
    text = (
        json.dumps(value, indent=2, ensure_ascii=False)
        if indent
        else json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    )
    for character, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(character, escape)
    return text


def policy_document(args: Mapping[str, Any]) -> dict[str, Any]:
    """The data source's result for the invoke's arguments (camelCase, as pulumi-aws sends
    them): ``json``, ``minifiedJson``, ``id`` and the arguments echoed."""
    version = args.get("version") or "2012-10-17"
    if version not in VERSIONS:
        raise PolicyDocumentError(
            f'expected version to be one of ["2008-10-17" "2012-10-17"], got {version}', "version"
        )
    merged: dict[str, Any] = {"Version": "", "Statement": []}
    sids: set[str] = set()
    for index, text in enumerate(args.get("sourcePolicyDocuments") or []):
        if not text:
            continue
        source = _parse_document(str(text), f"merging source document {index}")
        for position, statement in enumerate(source["Statement"]):
            sid = statement.get("Sid", "")
            if sid and sid in sids:
                raise PolicyDocumentError(
                    f"writing IAM Policy Document: merging source document {index}: duplicate "
                    f"Sid ({sid}) in source_policy_documents (statement {position}). Remove the "
                    "Sid or ensure Sids are unique.",
                    "sourcePolicyDocuments",
                )
            if sid:
                sids.add(sid)
        _merge(merged, source)

    document: dict[str, Any] = {"Version": version, "Statement": []}
    if args.get("policyId"):
        document["Id"] = str(args["policyId"])
    own_sids: set[str] = set()
    for index, config in enumerate(args.get("statements") or []):
        statement = _statement(index, config or {}, version)
        sid = statement["Sid"]
        if sid in own_sids:
            raise PolicyDocumentError(
                f"writing IAM Policy Document: duplicate Sid ({sid}). Remove the Sid or ensure "
                "the Sid is unique.",
                "statements",
            )
        if sid:
            own_sids.add(sid)
        document["Statement"].append(statement)
    _merge(merged, document)

    for index, text in enumerate(args.get("overridePolicyDocuments") or []):
        if not text:
            continue
        _merge(merged, _parse_document(str(text), f"merging override document {index}"))

    value = _to_json_value(merged)
    pretty = go_json(value, indent=True)
    return {
        **{key: item for key, item in args.items() if item is not None},
        "id": str(zlib.crc32(pretty.encode())),
        "json": pretty,
        "minifiedJson": go_json(value, indent=False),
        "version": version,
    }
