"""Policy pack configuration: the ``--policy-pack-config`` file and how the engine reconciles it.

Reading follows ``parsePolicyPackConfig`` and reconciling follows ``ReconcilePolicyPackConfig`` in
pulumi/pulumi ``pkg/resource/analyzer/config.go``: schema defaults, then the pack's
``initial_config``, then the file; ``"all"`` sets every policy's level; each policy's properties
are validated against its config schema before ``Configure`` is sent.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from preflight.analyzer.errors import PolicyPackError

# apitype.EnforcementLevel.IsValid (pulumi/pulumi sdk/go/common/apitype/policy.go).
ENFORCEMENT_LEVELS = ("advisory", "mandatory", "remediate", "disabled")
# The policy config's name for every policy of the pack (``applyConfig``).
ALL = "all"


@dataclass(frozen=True)
class PolicyConfig:
    """One policy's entry: an enforcement level (None when not set) and its properties."""

    enforcement_level: str | None = None
    properties: Mapping[str, Any] = field(default_factory=dict)


def load_policy_config(path: str | Path) -> dict[str, PolicyConfig] | None:
    """Read a policy config file in the format ``pulumi preview --policy-pack-config`` takes.

    ``{"policy-name": "mandatory", "other": {"enforcementLevel": "advisory", "prop": 1}}``.
    Returns None for an empty file, as the engine does; raises PolicyPackError naming the file.
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise PolicyPackError(
            f"policy config {file}: cannot be read ({error.strerror or error})"
        ) from None
    except UnicodeDecodeError:
        raise PolicyPackError(f"policy config {file}: is not UTF-8 text") from None
    if not text.strip():
        return None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise PolicyPackError(
            f"policy config {file}: invalid JSON at line {error.lineno} column {error.colno}:"
            f" {error.msg}"
        ) from None
    if not isinstance(document, dict):
        raise PolicyPackError(
            f"policy config {file}: must be a JSON object mapping policy names to an enforcement"
            f" level or an object (got {_json_kind(document)})"
        )
    try:
        return parse_policy_config(document)
    except ValueError as error:
        raise PolicyPackError(f"policy config {file}: {error}") from None


def _json_kind(value: Any) -> str:
    """What a JSON value is, in JSON's words (an array, not a Python list)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return "a number"
    return "an array" if isinstance(value, list) else "a string"


def parse_policy_config(document: Mapping[str, Any]) -> dict[str, PolicyConfig]:
    """``parsePolicyPackConfig``: validate levels and drop entries that set nothing."""
    result: dict[str, PolicyConfig] = {}
    for name, value in document.items():
        if isinstance(value, str):
            if value not in ENFORCEMENT_LEVELS:
                raise ValueError(
                    f"parsing enforcement level for {name!r}: {value!r} is not a valid"
                    f" enforcement level (one of {', '.join(ENFORCEMENT_LEVELS)})"
                )
            level: str | None = value
            properties: dict[str, Any] = {}
        elif isinstance(value, dict):
            properties = dict(value)
            level = _extract_enforcement_level(name, properties)
        else:
            raise ValueError(
                f"parsing {name!r}: {json.dumps(value)} is not a valid value; must be a string"
                " or object"
            )
        if level is None and not properties:
            continue
        result[name] = PolicyConfig(level, properties)
    return result


def _extract_enforcement_level(name: str, properties: dict[str, Any]) -> str | None:
    if "enforcementLevel" not in properties:
        return None
    level = properties.pop("enforcementLevel")
    if not isinstance(level, str):
        raise ValueError(
            f"parsing enforcement level for {name!r}: {json.dumps(level)} is not a valid"
            " enforcement level; must be a string"
        )
    if level not in ENFORCEMENT_LEVELS:
        raise ValueError(
            f"parsing enforcement level for {name!r}: {level!r} is not a valid enforcement level"
            f" (one of {', '.join(ENFORCEMENT_LEVELS)})"
        )
    return level


@dataclass(frozen=True)
class PolicySchema:
    """What reconciliation needs from ``GetAnalyzerInfo`` about one policy."""

    name: str
    enforcement_level: str
    config_schema: Mapping[str, Any] | None  # {"properties": {...}, "required": [...]} or None


def reconcile_policy_config(
    policies: Sequence[PolicySchema],
    initial_config: Mapping[str, PolicyConfig],
    config: Mapping[str, PolicyConfig] | None,
) -> tuple[dict[str, PolicyConfig], list[str]]:
    """Return the config ``Configure`` receives and the validation errors, as the engine does."""
    result: dict[str, PolicyConfig] = {}
    for policy in policies:
        defaults: dict[str, Any] = {}
        schema_properties = (policy.config_schema or {}).get("properties") or {}
        for key, schema in schema_properties.items():
            if isinstance(schema, Mapping) and "default" in schema:
                defaults[key] = schema["default"]
        result[policy.name] = PolicyConfig(policy.enforcement_level, defaults)
    if initial_config:
        result = _apply(result, initial_config)
    if config:
        result = _apply(result, config)
    return result, _validate(policies, result)


def _apply(
    result: dict[str, PolicyConfig], to_apply: Mapping[str, PolicyConfig]
) -> dict[str, PolicyConfig]:
    """``applyConfig``: "all" sets every level, then each entry overrides its own policy."""
    merged = dict(result)
    everything = to_apply.get(ALL)
    if everything is not None and everything.enforcement_level in ENFORCEMENT_LEVELS:
        merged = {
            name: PolicyConfig(everything.enforcement_level, entry.properties)
            for name, entry in merged.items()
        }
    for name, given in to_apply.items():
        current = merged.get(name, PolicyConfig(None, {}))
        level = given.enforcement_level or current.enforcement_level
        properties = {**current.properties, **given.properties}
        merged[name] = PolicyConfig(level, properties)
    return merged


def _validate(policies: Sequence[PolicySchema], config: Mapping[str, PolicyConfig]) -> list[str]:
    """``validatePolicyPackConfig``: each policy's properties against its JSON schema."""
    import jsonschema

    errors: list[str] = []
    for policy in policies:
        if policy.config_schema is None:
            continue
        schema: dict[str, Any] = {"type": "object"}
        if policy.config_schema.get("properties"):
            schema["properties"] = policy.config_schema["properties"]
        if policy.config_schema.get("required"):
            schema["required"] = list(policy.config_schema["required"])
        entry = config.get(policy.name)
        properties = dict(entry.properties) if entry is not None else {}
        validator = jsonschema.Draft7Validator(schema)
        for error in sorted(validator.iter_errors(properties), key=lambda e: list(e.path)):
            location = ".".join(str(part) for part in error.path)
            prefix = f"{location}: " if location else ""
            errors.append(f"{policy.name}: {prefix}{error.message}")
    return errors


def unknown_entries(
    config: Mapping[str, PolicyConfig], policies: Iterable[PolicySchema]
) -> list[str]:
    """Policy names that no pack has and settings that no policy declares, one ``key: message``
    line each, checked against the packs' schemas (``GetAnalyzerInfo``).

    The engine passes both through and the pack ignores them, so a misspelt policy would keep
    its default level and a misspelt setting its default value; preflight refuses them as the
    stack config refuses an unknown key. ``all`` sets every policy's level and has no settings.
    """
    settings: dict[str, set[str]] = {ALL: set()}
    for policy in policies:
        properties = (policy.config_schema or {}).get("properties") or {}
        settings.setdefault(policy.name, set()).update(
            key for key in properties if key != "enforcementLevel"
        )
    problems: list[str] = []
    for name, entry in config.items():
        if name not in settings:
            problems.append(f"{name}: unknown policy{_did_you_mean(name, settings)}")
            continue
        for key in entry.properties:
            if key in settings[name]:
                continue
            if settings[name]:
                hint = _did_you_mean(key, settings[name]) or (
                    f" ({name}'s settings: {', '.join(sorted(settings[name]))})"
                )
            else:
                hint = f" ({name} has no settings, only enforcementLevel)"
            problems.append(f"{name}.{key}: unknown setting{hint}")
    return problems


def _did_you_mean(name: str, known: Iterable[str]) -> str:
    guess = difflib.get_close_matches(name, sorted(known), n=1)
    return f" (did you mean {guess[0]!r}?)" if guess else ""
