"""``--terraform-plan FILE``: the plan as Terraform plan JSON, for the scanners of Terraform plans.

pulumi-aws is bridged from terraform-provider-aws, so each AWS resource of a Pulumi plan has a
Terraform resource type and Terraform attribute names. ``types.json`` (derived from pulumi-aws's
bridge mapping and SDK by :mod:`preflight.terraform_plan.derive`) gives them for the types this
module supports; a resource of any other type, a component or a non-AWS resource is left out
of the export, and the run lists what was left out as a warning.

The document follows Terraform's JSON output format 1.2:

- ``planned_values`` holds every known value (Pulumi's state after the preview: the inputs and
  what the provider computes), with blocks of at most one element written as one-element
  lists, as Terraform writes them;
- ``resource_changes`` holds the same values as a ``create``, with ``after_unknown`` marking
  values the preview cannot know and ``after_sensitive`` marking secrets;
- ``configuration`` holds each attribute's expression: a ``constant_value``, or ``references``
  to the resources it depends on, taken from the property dependencies Pulumi recorded (the
  engine's ``propertyDependencies``).

Secrets (marked by the program, or Sensitive in the provider's schema, see
:func:`mark_schema_secrets`) are never written: their values are ``null`` and they are listed
in ``after_sensitive`` / ``sensitive_values``.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from preflight.records import UNKNOWN, ResourceRecord, Secret

TABLE = Path(__file__).resolve().parent / "types.json"
FORMAT_VERSION = "1.2"
# Scanners read only plans that name the Terraform that wrote them (checkov's tf_plan parser
# requires the key); 1.9 is a release that writes format 1.2.
TERRAFORM_VERSION = "1.9.0"
AWS_PROVIDER = "registry.terraform.io/hashicorp/aws"
AWS_PROVIDER_TYPE = "pulumi:providers:aws"


@functools.cache
def table() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(TABLE.read_text(encoding="utf-8"))
    return document


# --- secrets in the provider's schema ------------------------------------------------------


def mark_schema_secrets(resource_type: str, value: Any) -> Any:
    """``value`` (a resource's inputs or outputs) with the properties the provider's schema
    marks secret wrapped as :class:`Secret`, as the engine carries them, whether or not the
    program marked them (an OIDC client secret passed as a plain string, say)."""
    paths = _secret_paths().get(resource_type)
    if not paths or not isinstance(value, dict):
        return value
    marked = value
    for path in paths:
        marked = _mark(marked, path)
    return marked


@functools.cache
def _secret_paths() -> dict[str, tuple[tuple[str, ...], ...]]:
    return {
        resource_type: tuple(tuple(path.split(".")) for path in paths)
        for resource_type, paths in table()["secrets"].items()
    }


def _mark(value: Any, path: tuple[str, ...]) -> Any:
    if not path or isinstance(value, Secret) or value is UNKNOWN:
        return value
    head, rest = path[0], path[1:]
    name, is_list = (head[:-2], True) if head.endswith("[]") else (head, False)
    if not isinstance(value, dict) or name not in value:
        return value
    item = value[name]
    if is_list:
        if not isinstance(item, list):
            return value
        marked_item: Any = [_mark(element, rest) for element in item]
    elif rest:
        marked_item = _mark(item, rest)
    else:
        marked_item = item if isinstance(item, Secret) or item is None else Secret(item)
    if marked_item == item:
        return value
    return {**value, name: marked_item}


# --- the export ----------------------------------------------------------------------------


@dataclass
class TerraformPlan:
    """The Terraform plan document, and the resources it leaves out (type → count)."""

    document: dict[str, Any]
    left_out: dict[str, int] = field(default_factory=dict)

    def warning(self) -> str | None:
        if not self.left_out:
            return None
        kinds = ", ".join(f"{kind} ({count})" for kind, count in sorted(self.left_out.items()))
        return (
            "left out of the Terraform plan (no Terraform type in "
            f"preflight/terraform_plan/types.json): {kinds}"
        )


def snake_case(name: str) -> str:
    """The bridge's default Terraform name for a Pulumi property: ``enableHttp2`` →
    ``enable_http2``, ``cidrIpv4`` → ``cidr_ipv4``."""
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


_ADDRESS_NAME = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True)
class _Exported:
    record: ResourceRecord
    terraform_type: str
    name: str
    provider_key: str

    @property
    def address(self) -> str:
        return f"{self.terraform_type}.{self.name}"


@dataclass
class _Converted:
    """One value in Terraform's shape, with its sensitive and unknown markers."""

    value: Any
    sensitive: Any = False
    unknown: Any = False


class _Converter:
    """Pulumi values of one resource type → Terraform values, names and block shapes."""

    def __init__(self, resource_type: str) -> None:
        entry = table()["resources"][resource_type]
        self.renames: dict[str, str] = entry["renames"]
        self.objects: dict[str, dict[str, Any]] = table()["objects"]
        self.root = resource_type

    def name(self, pulumi_name: str) -> str:
        return self.renames.get(pulumi_name) or snake_case(pulumi_name)

    def fields(self, object_key: str | None) -> dict[str, Any]:
        return self.objects.get(object_key or "", {})

    def convert_object(self, value: dict[str, Any], object_key: str | None) -> _Converted:
        shapes = self.fields(object_key)
        values: dict[str, Any] = {}
        sensitive: dict[str, Any] = {}
        unknown: dict[str, Any] = {}
        for key, item in value.items():
            name = self.name(key)
            converted = self.convert(item, shapes.get(key))
            if converted.value is not _OMIT:
                values[name] = converted.value
            if converted.sensitive:
                sensitive[name] = converted.sensitive
            if converted.unknown:
                unknown[name] = converted.unknown
        return _Converted(values, sensitive, unknown)

    def convert(self, value: Any, shape: dict[str, Any] | None) -> _Converted:
        if isinstance(value, Secret):
            return _Converted(None, sensitive=True)
        if value is UNKNOWN:
            return _Converted(_OMIT, unknown=True)
        if shape is not None and isinstance(value, dict):
            converted = self.convert_object(value, shape["of"])
            return _Converted(
                [converted.value],
                [converted.sensitive] if converted.sensitive else False,
                [converted.unknown] if converted.unknown else False,
            )
        if shape is not None and isinstance(value, list):
            items = [
                self.convert_object(item, shape["of"])
                if isinstance(item, dict)
                else self.convert(item, None)
                for item in value
            ]
            return _Converted(
                [item.value if item.value is not _OMIT else None for item in items],
                [item.sensitive or {} for item in items] if any(i.sensitive for i in items) else [],
                [item.unknown or {} for item in items] if any(i.unknown for i in items) else [],
            )
        return _plain(value)


class _Omit:
    def __repr__(self) -> str:
        return "OMIT"


_OMIT = _Omit()


def _plain(value: Any) -> _Converted:
    """A map, a list of scalars or a scalar: kept as is, secrets and unknowns taken out."""
    if isinstance(value, Secret):
        return _Converted(None, sensitive=True)
    if value is UNKNOWN:
        return _Converted(_OMIT, unknown=True)
    if isinstance(value, dict):
        values, sensitive, unknown = {}, {}, {}
        for key, item in value.items():
            converted = _plain(item)
            if converted.value is not _OMIT:
                values[key] = converted.value
            if converted.sensitive:
                sensitive[key] = converted.sensitive
            if converted.unknown:
                unknown[key] = converted.unknown
        return _Converted(values, sensitive, unknown)
    if isinstance(value, list):
        items = [_plain(item) for item in value]
        return _Converted(
            [item.value if item.value is not _OMIT else None for item in items],
            [item.sensitive for item in items] if any(i.sensitive for i in items) else False,
            [item.unknown for item in items] if any(i.unknown for i in items) else False,
        )
    return _Converted(value)


def export(resources: Iterable[ResourceRecord]) -> TerraformPlan:
    """The Terraform plan of ``resources`` (a preflight run's records, in plan order)."""
    records = list(resources)
    known = table()["resources"]
    providers = _provider_keys(records)
    exported: dict[str, _Exported] = {}
    taken: set[str] = set()
    left_out: dict[str, int] = {}
    for record in records:
        if not record.custom or record.type.startswith("pulumi:providers:"):
            continue
        if record.type not in known:
            left_out[record.type] = left_out.get(record.type, 0) + 1
            continue
        terraform_type = known[record.type]["terraform"]
        name = _unique_name(terraform_type, record.name, taken)
        provider_urn = (record.provider or "").rsplit("::", 1)[0]
        exported[record.urn] = _Exported(
            record, terraform_type, name, providers.get(provider_urn, "aws")
        )

    planned: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    configured: list[dict[str, Any]] = []
    values_by_urn: dict[str, dict[str, Any]] = {}
    for urn, item in exported.items():
        converted = _Converter(item.record.type).convert_object(
            _state(item.record), item.record.type
        )
        values = converted.value
        if item.record.id and "id" not in values:
            values["id"] = item.record.id
        values_by_urn[urn] = values
        planned.append(
            {
                "address": item.address,
                "mode": "managed",
                "type": item.terraform_type,
                "name": item.name,
                "provider_name": AWS_PROVIDER,
                "schema_version": 0,
                "values": values,
                "sensitive_values": converted.sensitive or {},
            }
        )
        changes.append(
            {
                "address": item.address,
                "mode": "managed",
                "type": item.terraform_type,
                "name": item.name,
                "provider_name": AWS_PROVIDER,
                "change": {
                    "actions": ["create"],
                    "before": None,
                    "after": values,
                    "after_unknown": converted.unknown or {},
                    "before_sensitive": False,
                    "after_sensitive": converted.sensitive or {},
                },
            }
        )
    for item in exported.values():
        configured.append(
            {
                "address": item.address,
                "mode": "managed",
                "type": item.terraform_type,
                "name": item.name,
                "provider_config_key": item.provider_key,
                "expressions": _expressions(item, exported, values_by_urn),
                "schema_version": 0,
            }
        )
    document = {
        "format_version": FORMAT_VERSION,
        "terraform_version": TERRAFORM_VERSION,
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": _provider_config(records, providers),
            "root_module": {"resources": configured},
        },
    }
    return TerraformPlan(document, left_out)


def write(resources: Iterable[ResourceRecord], path: Path) -> TerraformPlan:
    plan = export(resources)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(plan.document, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return plan


def _state(record: ResourceRecord) -> dict[str, Any]:
    """What the resource will hold: the provider's outputs (its inputs and computed values),
    or the checked inputs when the record has no outputs."""
    state = record.outputs if isinstance(record.outputs, dict) and record.outputs else {}
    return mark_schema_secrets(record.type, state or dict(record.inputs))


def _unique_name(terraform_type: str, name: str, taken: set[str]) -> str:
    """A Terraform resource name (letters, digits, ``_`` and ``-``, not starting with a
    digit), unique within its type: Pulumi names are unique per parent, not per type."""
    base = _ADDRESS_NAME.sub("_", name) or "resource"
    if base[0].isdigit() or base[0] == "-":
        base = f"_{base}"
    candidate, counter = base, 2
    while f"{terraform_type}.{candidate}" in taken:
        candidate, counter = f"{base}_{counter}", counter + 1
    taken.add(f"{terraform_type}.{candidate}")
    return candidate


# --- configuration -------------------------------------------------------------------------


def _expressions(
    item: _Exported, exported: dict[str, _Exported], values_by_urn: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """Each top-level input as Terraform's configuration writes it: ``references`` where
    Pulumi recorded property dependencies on exported resources, ``constant_value`` elsewhere;
    nested blocks as lists of expression objects."""
    converter = _Converter(item.record.type)
    inputs = mark_schema_secrets(item.record.type, dict(item.record.inputs))
    shapes = converter.fields(item.record.type)
    expressions: dict[str, Any] = {}
    for key, value in inputs.items():
        targets = [
            exported[urn]
            for urn in item.record.property_dependencies.get(key, ())
            if urn in exported and urn != item.record.urn
        ]
        shape = shapes.get(key)
        name = converter.name(key)
        expression = _expression(converter, value, shape, targets, values_by_urn, nested=False)
        if expression is not None:
            expressions[name] = expression
    return expressions


def _expression(
    converter: _Converter,
    value: Any,
    shape: dict[str, Any] | None,
    targets: list[_Exported],
    values_by_urn: dict[str, dict[str, Any]],
    *,
    nested: bool,
) -> Any:
    """A top-level value with recorded dependencies refers to them; inside a block, where
    Pulumi records no finer dependency, only a value that is a target's attribute does."""
    if isinstance(value, Secret):
        return None
    if shape is not None and isinstance(value, (dict, list)):
        items = [value] if isinstance(value, dict) else value
        blocks = []
        for element in items:
            if not isinstance(element, dict):
                continue
            shapes = converter.fields(shape["of"])
            block: dict[str, Any] = {}
            for key, item in element.items():
                expression = _expression(
                    converter, item, shapes.get(key), targets, values_by_urn, nested=True
                )
                if expression is not None:
                    block[converter.name(key)] = expression
            blocks.append(block)
        return blocks
    references = _references(value, targets, values_by_urn, matched_only=nested)
    if references:
        return {"references": references}
    if value is UNKNOWN:
        return {}
    converted = _plain(value)
    if converted.sensitive or converted.value is _OMIT:
        return None
    return {"constant_value": converted.value}


def _references(
    value: Any,
    targets: list[_Exported],
    values_by_urn: dict[str, dict[str, Any]],
    *,
    matched_only: bool,
) -> list[str]:
    """The references Terraform would write for a value that came from ``targets`` (the
    property's recorded dependencies): ``type.name.attribute`` then ``type.name``. The
    attribute is the target's attribute holding the value; a value built from a target's
    attribute (a policy that embeds a bucket ARN) refers to the target alone."""
    found: list[str] = []
    candidates = value if isinstance(value, list) else [value]
    wanted = [item for item in candidates if isinstance(item, str) and item]
    for target in targets:
        attributes = values_by_urn.get(target.record.urn, {})
        preferred = ("arn", "id", "name", "bucket")
        ordered = [*preferred, *(name for name in attributes if name not in preferred)]
        attribute = next(
            (
                name
                for name in ordered
                if isinstance(attributes.get(name), str) and attributes[name] in wanted
            ),
            None,
        )
        if attribute is not None:
            found.extend((f"{target.address}.{attribute}", target.address))
        elif not matched_only:
            found.append(target.address)
    return found


# --- providers -----------------------------------------------------------------------------


def _provider_keys(records: list[ResourceRecord]) -> dict[str, str]:
    """Provider URN → Terraform provider configuration key: ``aws`` for the default provider,
    ``aws.<name>`` for each explicit one."""
    keys: dict[str, str] = {}
    for record in records:
        if record.type != AWS_PROVIDER_TYPE:
            continue
        default = record.name.startswith("default")
        keys[record.urn] = "aws" if default else f"aws.{_ADDRESS_NAME.sub('_', record.name)}"
    return keys


def _provider_config(records: list[ResourceRecord], keys: dict[str, str]) -> dict[str, Any]:
    config: dict[str, Any] = {}
    for record in records:
        key = keys.get(record.urn)
        if key is None:
            continue
        expressions: dict[str, Any] = {}
        region = record.inputs.get("region")
        if isinstance(region, str):
            expressions["region"] = {"constant_value": region}
        tags = _default_tags(record.inputs.get("defaultTags"))
        if tags:
            expressions["default_tags"] = [{"tags": {"constant_value": tags}}]
        entry: dict[str, Any] = {
            "name": "aws",
            "full_name": AWS_PROVIDER,
            "expressions": expressions,
        }
        if key != "aws":
            entry["alias"] = key.split(".", 1)[1]
        config[key] = entry
    return config


def _default_tags(value: Any) -> dict[str, Any] | None:
    """A provider's ``defaultTags`` (the engine passes provider config as JSON strings)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return None
    if isinstance(value, dict) and isinstance(value.get("tags"), dict):
        return {key: item for key, item in value["tags"].items() if isinstance(item, str)}
    return None
