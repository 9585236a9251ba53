"""Blast radius: what a change to a program or its config does to an earlier plan of the stack.

``python -m preflight --compare OLD`` compares this run with an earlier ``--json`` document of
the same stack, or with the stack's state as ``pulumi stack export`` writes it;
``python -m preflight diff OLD NEW`` compares two such files. Resources are matched by URN (a new
resource whose ``aliases`` name an old URN is the old resource renamed). For each resource that
stays, the checked inputs are compared path by path, and a change to an input the provider
cannot update in place is flagged as a replacement, from :data:`FORCE_NEW`. What the update
would run into on AWS is :mod:`preflight.hazards`.

Both sides are report documents, so secrets are ``"[secret]"`` on both: a change inside a
secret value is not visible (the engine would show it as a change of ``[secret]``). An input
that is ``"[unknown]"`` in the new plan and known in the old one counts as changed, as the
engine's preview shows it (and a force-new input that becomes unknown may replace).

A state export holds what AWS gave the stack (real ARNs and IDs, the names Pulumi chose when
it autonamed), where a plan holds the offline model's. Before comparing, the export's
identities of each resource that stays are translated into the plan's, as a real program would
receive the stack's own ARNs; an autonamed name is kept, as the provider's Check keeps it on an
update; and an input the provider filled from its schema defaults (the bridge's
``__defaults``) and the plan leaves out is not a change.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from preflight.aws_model import AUTONAMES
from preflight.report import hazard_lines, output_change_lines

if TYPE_CHECKING:
    from preflight.hazards import Hazard

# Inputs whose change the provider answers with a replacement (delete and create, or create
# and delete), by resource type. pulumi-aws bridges terraform-provider-aws, whose schema marks
# these attributes `ForceNew: true`; the bridge turns them into replacements. Paths are the
# Pulumi (camelCase) input names; a change anywhere under one of them forces the replacement.
FORCE_NEW: dict[str, tuple[tuple[str, ...], str]] = {
    "aws:lb/targetGroup:TargetGroup": (
        (
            "ipAddressType",
            "name",
            "namePrefix",
            "port",
            "protocol",
            "protocolVersion",
            "targetType",
            "vpcId",
        ),
        "terraform-provider-aws internal/service/elbv2/target_group.go",
    ),
    "aws:lb/loadBalancer:LoadBalancer": (
        ("customerOwnedIpv4Pool", "internal", "loadBalancerType", "name", "namePrefix"),
        "terraform-provider-aws internal/service/elbv2/load_balancer.go",
    ),
    "aws:lb/listener:Listener": (
        ("loadBalancerArn",),
        "terraform-provider-aws internal/service/elbv2/listener.go",
    ),
    # `priority` is explicitly `ForceNew: false` there: a new priority is an in-place update.
    "aws:lb/listenerRule:ListenerRule": (
        ("listenerArn",),
        "terraform-provider-aws internal/service/elbv2/listener_rule.go",
    ),
    "aws:ec2/securityGroup:SecurityGroup": (
        ("description", "name", "namePrefix", "vpcId"),
        "terraform-provider-aws internal/service/ec2/vpc_security_group.go",
    ),
    "aws:s3/bucket:Bucket": (
        ("bucket", "bucketPrefix"),
        "terraform-provider-aws internal/service/s3/bucket.go",
    ),
    "aws:wafv2/webAcl:WebAcl": (
        ("name", "namePrefix", "scope"),
        "terraform-provider-aws internal/service/wafv2/web_acl.go",
    ),
    # `private_key` and `certificate_body` are not ForceNew: a new key re-imports in place.
    "aws:acm/certificate:Certificate": (
        (
            "certificateAuthorityArn",
            "domainName",
            "keyAlgorithm",
            "subjectAlternativeNames",
            "validationMethod",
            "validationOptions",
        ),
        "terraform-provider-aws internal/service/acm/certificate.go",
    ),
    # The legacy rule resource has no update beyond its description: any other change adds a new
    # rule before the old one is revoked.
    "aws:ec2/securityGroupRule:SecurityGroupRule": (
        (
            "cidrBlocks",
            "fromPort",
            "ipv6CidrBlocks",
            "prefixListIds",
            "protocol",
            "securityGroupId",
            "self",
            "sourceSecurityGroupId",
            "toPort",
            "type",
        ),
        "terraform-provider-aws internal/service/ec2/vpc_security_group_rule.go",
    ),
    # The VPC rule resources modify everything else in place (ModifySecurityGroupRules).
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (
        ("securityGroupId",),
        "terraform-provider-aws internal/service/ec2/vpc_security_group_ingress_rule.go",
    ),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": (
        ("securityGroupId",),
        "terraform-provider-aws internal/service/ec2/vpc_security_group_egress_rule.go",
    ),
    "aws:cloudwatch/metricAlarm:MetricAlarm": (
        ("name",),
        "terraform-provider-aws internal/service/cloudwatch/metric_alarm.go",
    ),
    "aws:cloudwatch/dashboard:Dashboard": (
        ("dashboardName",),
        "terraform-provider-aws internal/service/cloudwatch/dashboard.go",
    ),
    "aws:cloudwatch/logGroup:LogGroup": (
        ("name", "namePrefix"),
        "terraform-provider-aws internal/service/logs/group.go",
    ),
    "aws:sns/topic:Topic": (
        ("fifoTopic", "name", "namePrefix"),
        "terraform-provider-aws internal/service/sns/topic.go",
    ),
}
# pulumi-aws keeps the `aws:alb/...` tokens as aliases of the `aws:lb/...` resources.
ALB_ALIASES = {"aws:alb/": "aws:lb/"}


def canonical_type(resource_type: str) -> str:
    """``aws:alb/listenerRule:ListenerRule`` → ``aws:lb/listenerRule:ListenerRule``."""
    for alias, token in ALB_ALIASES.items():
        if resource_type.startswith(alias):
            return token + resource_type[len(alias) :]
    return resource_type


def force_new_inputs(resource_type: str) -> frozenset[str]:
    """The inputs whose change replaces a resource of this type (none when it is unlisted)."""
    return frozenset(FORCE_NEW.get(canonical_type(resource_type), ((), ""))[0])


# Resource options whose change the engine reports (they do not change the cloud resource).
OPTIONS = ("protect", "retainOnDelete", "deleteBeforeReplace", "ignoreChanges", "provider")
MASK_UNKNOWN = "[unknown]"


class CompareError(Exception):
    """A document that cannot be compared; the message names the file."""


@dataclass(frozen=True)
class Change:
    """One input path whose value differs (values as the reports show them)."""

    path: str
    before: Any
    after: Any
    forces_replacement: bool = False


@dataclass(frozen=True)
class ChangedResource:
    urn: str
    type: str
    changes: tuple[Change, ...] = ()
    options: tuple[Change, ...] = ()
    renamed_from: str | None = None
    protect: bool = False

    @property
    def replace(self) -> bool:
        return any(change.forces_replacement for change in self.changes)


@dataclass(frozen=True)
class Listed:
    """An added or removed resource."""

    urn: str
    type: str
    protect: bool = False


# How a stack output changes for the programs that read it (StackReference): advisory, since
# removing a service is sometimes the point of a change.
OUTPUT_REMOVED = "removed"
OUTPUT_REPLACED = "replaced"
OUTPUT_CHANGED = "changed"


@dataclass(frozen=True)
class OutputChange:
    """A stack output (or a key inside one) that consumers read and the update changes."""

    output: str
    """The path: ``targetGroups.api.arn``."""
    kind: str
    message: str

    def to_document(self) -> dict[str, str]:
        return {"output": self.output, "kind": self.kind, "message": self.message}


@dataclass
class PlanDiff:
    """What changes between two plans of one stack."""

    against: str
    added: list[Listed] = field(default_factory=list)
    removed: list[Listed] = field(default_factory=list)
    changed: list[ChangedResource] = field(default_factory=list)
    unchanged: int = 0
    output_changes: list[OutputChange] = field(default_factory=list)

    @property
    def replaced(self) -> list[ChangedResource]:
        return [resource for resource in self.changed if resource.replace]

    @property
    def blocked(self) -> list[str]:
        """URNs the engine refuses to delete or replace because they are protected."""
        return [r.urn for r in self.removed if r.protect] + [
            r.urn for r in self.replaced if r.protect
        ]

    def to_document(self) -> dict[str, Any]:
        return {
            "against": self.against,
            "added": [{"urn": r.urn, "type": r.type} for r in self.added],
            "removed": [{"urn": r.urn, "type": r.type, "protect": r.protect} for r in self.removed],
            "changed": [
                {
                    "urn": r.urn,
                    "type": r.type,
                    "replace": r.replace,
                    "protect": r.protect,
                    **({"renamedFrom": r.renamed_from} if r.renamed_from else {}),
                    "changes": [
                        {
                            "path": c.path,
                            "before": c.before,
                            "after": c.after,
                            "forcesReplacement": c.forces_replacement,
                        }
                        for c in r.changes
                    ],
                    "options": [
                        {"option": c.path, "before": c.before, "after": c.after} for c in r.options
                    ],
                }
                for r in self.changed
            ],
            "replacements": [r.urn for r in self.replaced],
            "blocked": self.blocked,
            "outputChanges": [change.to_document() for change in self.output_changes],
            "summary": {
                "added": len(self.added),
                "removed": len(self.removed),
                "changed": len(self.changed),
                "replaced": len(self.replaced),
                "unchanged": self.unchanged,
            },
        }


# --- reading documents -------------------------------------------------------------------


def load_document(path: Path, *, what: str = "--compare") -> dict[str, Any]:
    """A ``python -m preflight --json`` document, or a ``pulumi stack export`` file in the same
    shape (:func:`from_stack_export`); a :class:`CompareError` naming the file otherwise."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CompareError(f"{what}: cannot read {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise CompareError(f"{what}: {path} is not UTF-8 text") from exc
    except json.JSONDecodeError as exc:
        raise CompareError(f"{what}: {path}:{exc.lineno}: not JSON ({exc.msg})") from exc
    if isinstance(document, dict) and "deployment" in document:
        return from_stack_export(document, f"{what}: {path}")
    resources = document.get("resources") if isinstance(document, dict) else None
    if not isinstance(resources, list) or not all(
        isinstance(r, dict) and isinstance(r.get("urn"), str) for r in resources
    ):
        raise CompareError(
            f"{what}: {path} has no 'resources' list with URNs "
            "(expected a `python -m preflight --json` document or a `pulumi stack export` file)"
        )
    return document


# The deployment format `pulumi stack export` writes (apitype.DeploymentV3 in pulumi/pulumi
# sdk/go/common/apitype/core.go) and how it marks a secret (resource.SecretSig in
# sdk/go/common/resource/properties.go).
STACK_EXPORT_VERSION = 3
SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
# The bridge's bookkeeping inside a state's inputs and outputs (pulumi-terraform-bridge:
# `__defaults` lists the inputs Check filled from schema defaults, `__meta` holds timeouts and
# the schema version).
DEFAULTS_KEY = "__defaults"


def from_stack_export(export: Mapping[str, Any], label: str) -> dict[str, Any]:
    """A ``pulumi stack export`` file (deployment format v3) as a plan document: the same resource
    fields, secrets as ``"[secret]"``, the bridge's bookkeeping left out (the inputs its Check
    filled from defaults are kept under ``defaulted``). Resources the state still lists for
    deletion after an interrupted replacement (``delete: true``) are left out: the engine
    finishes deleting them before anything else happens to their URN."""
    version = export.get("version")
    deployment = export.get("deployment")
    if version != STACK_EXPORT_VERSION or not isinstance(deployment, dict):
        raise CompareError(
            f"{label} is a `pulumi stack export` file of version {version!r}; preflight reads "
            f"version {STACK_EXPORT_VERSION} (the format of Pulumi 3)"
        )
    raw = deployment.get("resources") or []
    if not isinstance(raw, list) or not all(
        isinstance(r, dict) and isinstance(r.get("urn"), str) and isinstance(r.get("type"), str)
        for r in raw
    ):
        raise CompareError(f"{label} has no 'deployment.resources' list with URNs and types")
    resources = [_state_resource(resource) for resource in raw if not resource.get("delete")]
    stack, project, outputs = "", "", {}
    for resource in resources:
        # urn:pulumi:<stack>::<project>::<qualified type>::<name>
        parts = resource["urn"].split("::")
        if len(parts) >= 4:
            stack, project = parts[0].rsplit(":", 1)[-1], parts[1]
        if resource["type"] == "pulumi:pulumi:Stack":
            outputs = resource["outputs"]
            break
    return {"project": project, "stack": stack, "resources": resources, "outputs": outputs}


def _state_resource(resource: Mapping[str, Any]) -> dict[str, Any]:
    inputs = resource.get("inputs") or {}
    defaulted = inputs.get(DEFAULTS_KEY) if isinstance(inputs, dict) else None
    document: dict[str, Any] = {
        "urn": resource["urn"],
        "type": resource["type"],
        "name": resource["urn"].rsplit("::", 1)[-1],
        "parent": resource.get("parent"),
        "dependencies": list(resource.get("dependencies") or []),
        "protect": bool(resource.get("protect")),
        "inputs": _state_value(inputs),
        "outputs": _state_value(resource.get("outputs") or {}),
        "custom": bool(resource.get("custom")),
        "id": resource.get("id"),
        "provider": resource.get("provider"),
        "retainOnDelete": bool(resource.get("retainOnDelete")),
        "deleteBeforeReplace": bool(resource.get("deleteBeforeReplace")),
        "external": bool(resource.get("external")),
    }
    if resource.get("propertyDependencies"):
        document["propertyDependencies"] = dict(resource["propertyDependencies"])
    for key in ("ignoreChanges", "additionalSecretOutputs", "aliases"):
        if resource.get(key):
            document[key] = list(resource[key])
    if isinstance(defaulted, list):
        document["defaulted"] = [str(key) for key in defaulted]
    return document


def _state_value(value: Any) -> Any:
    if isinstance(value, dict):
        if value.get(SECRET_SIG_KEY) == SECRET_SIG:
            return "[secret]"
        return {key: _state_value(item) for key, item in value.items() if not key.startswith("__")}
    if isinstance(value, list):
        return [_state_value(item) for item in value]
    return value


def check_same_stack(old: Mapping[str, Any], new: Mapping[str, Any], label: str) -> None:
    """Plans of different stacks share no URN: comparing them would list everything."""
    before = (old.get("project"), old.get("stack"))
    after = (new.get("project"), new.get("stack"))
    if before != after:
        raise CompareError(
            f"{label} is a plan of project {before[0]!r}, stack {before[1]!r}; this plan is of "
            f"project {after[0]!r}, stack {after[1]!r}"
        )


# --- the diff ----------------------------------------------------------------------------


def _paths(before: Any, after: Any, prefix: str) -> Iterator[tuple[str, Any, Any]]:
    """The deepest paths where two values differ (lists of the same length item by item)."""
    if before == after:
        return
    if isinstance(before, dict) and isinstance(after, dict):
        for key in sorted(set(before) | set(after)):
            path = f"{prefix}.{key}" if prefix else key
            if key not in before:
                yield path, None, after[key]
            elif key not in after:
                yield path, before[key], None
            else:
                yield from _paths(before[key], after[key], path)
        return
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        for index, (old_item, new_item) in enumerate(zip(before, after, strict=True)):
            yield from _paths(old_item, new_item, f"{prefix}[{index}]")
        return
    yield prefix, before, after


def _top_key(path: str) -> str:
    return path.split(".", 1)[0].split("[", 1)[0]


def diff_resource(old: Mapping[str, Any], new: Mapping[str, Any]) -> ChangedResource | None:
    """The input and option changes of one resource, or None when it is unchanged."""
    resource_type = str(new.get("type", ""))
    force_new = force_new_inputs(resource_type) if new.get("custom", True) else frozenset()
    new_inputs = new.get("inputs") or {}
    # The provider's Check fills these in again from its defaults when the program leaves
    # them out.
    defaulted = {key for key in old.get("defaulted") or () if key not in new_inputs}
    changes = tuple(
        Change(path, before, after, _top_key(path) in force_new)
        for path, before, after in _paths(old.get("inputs") or {}, new_inputs, "")
        if _top_key(path) not in defaulted
    )
    options = tuple(
        Change(option, old.get(option), new.get(option))
        for option in OPTIONS
        if _option(old, option) != _option(new, option)
    )
    renamed = old["urn"] if old["urn"] != new["urn"] else None
    if not changes and not options and renamed is None:
        return None
    return ChangedResource(
        urn=str(new["urn"]),
        type=resource_type,
        changes=changes,
        options=options,
        renamed_from=renamed,
        protect=bool(old.get("protect")),
    )


def _option(resource: Mapping[str, Any], option: str) -> Any:
    value = resource.get(option)
    if option == "provider" and isinstance(value, str):
        # "<provider URN>::<provider ID>": a plan does not know a default provider's ID.
        value = value.rsplit("::", 1)[0]
    # Older documents leave out options at their defaults.
    return value if value not in (None, False, []) else None


def diff_documents(
    old: Mapping[str, Any], new: Mapping[str, Any], *, against: str = ""
) -> PlanDiff:
    """Compare two report documents of the same stack by URN."""
    old_by_urn = {r["urn"]: r for r in old.get("resources") or []}
    new_by_urn = {r["urn"]: r for r in new.get("resources") or []}
    matched: dict[str, str] = {urn: urn for urn in new_by_urn if urn in old_by_urn}
    for urn, resource in new_by_urn.items():
        if urn in matched:
            continue
        for alias in resource.get("aliases") or []:
            if isinstance(alias, str) and alias in old_by_urn and alias not in new_by_urn:
                matched[urn] = alias
                break
    old_outputs = old.get("outputs") or {}
    old_by_urn, old_outputs = as_planned(old_by_urn, new_by_urn, matched, old_outputs)
    result = PlanDiff(against=against)
    old_matched = set(matched.values())
    for urn, resource in new_by_urn.items():
        if urn not in matched:
            result.added.append(Listed(urn, str(resource.get("type", ""))))
            continue
        changed = diff_resource(old_by_urn[matched[urn]], resource)
        if changed is None:
            result.unchanged += 1
        else:
            result.changed.append(changed)
    for urn, resource in old_by_urn.items():
        if urn not in old_matched:
            result.removed.append(
                Listed(urn, str(resource.get("type", "")), bool(resource.get("protect")))
            )
    _propagate_replacements(result, old_by_urn, new_by_urn, matched)
    result.output_changes = output_changes(
        old_outputs, new.get("outputs") or {}, result, old_by_urn
    )
    return result


def looks_autonamed(resource: Mapping[str, Any], prop: str, value: Any) -> bool:
    """Whether ``value`` of ``prop`` is a name Pulumi made up (``<logical name>-<7 hex>``, as
    tfbridge's AutoName and the offline model make it), or one the bridge's Check filled in."""
    if prop in (resource.get("defaulted") or ()):
        return True
    rule = AUTONAMES.get(str(resource.get("type", "")))
    if rule is None or rule.prop != prop or not isinstance(value, str):
        return False
    name = str(resource.get("name") or str(resource.get("urn", "")).rsplit("::", 1)[-1])
    base = (name.lower() if rule.lowercase else name) + "-"
    return re.fullmatch(re.escape(base) + "[0-9a-f]{7}", value) is not None


def as_planned(
    old_by_urn: Mapping[str, Mapping[str, Any]],
    new_by_urn: Mapping[str, Mapping[str, Any]],
    matched: Mapping[str, str],
    stack_outputs: Mapping[str, Any],
) -> tuple[dict[str, Mapping[str, Any]], dict[str, Any]]:
    """The old resources and stack outputs with the identities AWS gave them (IDs, ARNs,
    autonamed names) rewritten into the new plan's, for each resource on both sides. Two plans
    share the model's identities and come back unchanged; a state export's real ones would
    otherwise make every reference to them a change (and a replacement where the input is
    force-new)."""
    identities: dict[str, str] = {}
    for new_urn, old_urn in matched.items():
        old, new = old_by_urn[old_urn], new_by_urn[new_urn]
        old_outputs, new_outputs = old.get("outputs") or {}, new.get("outputs") or {}
        pairs = [(old.get("id"), new.get("id"))]
        pairs += [(old_outputs.get(key), new_outputs.get(key)) for key in _computed_keys(old)]
        # Short values ("true", a port) are not identities, but an autoname (its random
        # suffix) is one at any length.
        pairs = [(before, after) for before, after in pairs if len(str(before)) >= 12]
        rule = AUTONAMES.get(str(new.get("type", "")))
        if rule is not None:
            before = (old.get("inputs") or {}).get(rule.prop)
            after = (new.get("inputs") or {}).get(rule.prop)
            if looks_autonamed(old, rule.prop, before) and looks_autonamed(new, rule.prop, after):
                pairs.append((before, after))
        for before, after in pairs:
            if (
                isinstance(before, str)
                and isinstance(after, str)
                and before != after
                and not after.startswith("[")
            ):
                identities[before] = after
    if not identities:
        return dict(old_by_urn), dict(stack_outputs)
    pattern = re.compile("|".join(map(re.escape, sorted(identities, key=len, reverse=True))))

    def rewrite(value: Any) -> Any:
        if isinstance(value, str):
            return pattern.sub(lambda match: identities[match.group(0)], value)
        if isinstance(value, dict):
            return {key: rewrite(item) for key, item in value.items()}
        if isinstance(value, list):
            return [rewrite(item) for item in value]
        return value

    resources: dict[str, Mapping[str, Any]] = {
        urn: {
            **resource,
            "id": rewrite(resource.get("id")),
            "inputs": rewrite(resource.get("inputs") or {}),
            "outputs": rewrite(resource.get("outputs") or {}),
        }
        for urn, resource in old_by_urn.items()
    }
    return resources, rewrite(dict(stack_outputs))


def _computed_keys(resource: Mapping[str, Any]) -> list[str]:
    """The outputs the provider computed (ARN, ARN suffix, DNS name...), not the inputs it was
    given."""
    inputs = resource.get("inputs") or {}
    return [key for key in (resource.get("outputs") or {}) if key not in inputs]


def _computed_values(resource: Mapping[str, Any]) -> set[str]:
    """What a replacement gives a resource anew: its ID and its computed outputs."""
    outputs = resource.get("outputs") or {}
    values = {outputs[key] for key in _computed_keys(resource) if isinstance(outputs[key], str)}
    if isinstance(resource.get("id"), str):
        values.add(resource["id"])
    # Short values ("true", "HTTP", a port) are not identities; only match real identifiers.
    return {value for value in values if len(value) >= 12 and not value.startswith("[")}


def _referencing_paths(value: Any, identities: set[str], prefix: str = "") -> Iterator[str]:
    if isinstance(value, str):
        if any(identity in value for identity in identities):
            yield prefix
    elif isinstance(value, dict):
        for key in sorted(value):
            yield from _referencing_paths(
                value[key], identities, f"{prefix}.{key}" if prefix else key
            )
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _referencing_paths(item, identities, f"{prefix}[{index}]")


def _propagate_replacements(
    result: PlanDiff,
    old_by_urn: Mapping[str, Mapping[str, Any]],
    new_by_urn: Mapping[str, Mapping[str, Any]],
    matched: Mapping[str, str],
) -> None:
    """A replaced resource gets a new ID and ARN, unknown until it is created: as in the
    engine's preview, every input that holds one of them changes to unknown, which may in turn
    replace the resource that holds it (an ALB replaced replaces its listeners)."""
    by_urn = {changed.urn: changed for changed in result.changed}
    pending = [changed.urn for changed in result.changed if changed.replace]
    done: set[str] = set()
    while pending:
        urn = pending.pop()
        if urn in done:
            continue
        done.add(urn)
        identities = _computed_values(old_by_urn[matched[urn]])
        if not identities:
            continue
        for dependent_urn, dependent in new_by_urn.items():
            if dependent_urn not in matched or urn not in (dependent.get("dependencies") or ()):
                continue
            old_inputs = old_by_urn[matched[dependent_urn]].get("inputs") or {}
            force_new = force_new_inputs(str(dependent.get("type", "")))
            existing = by_urn.get(dependent_urn)
            seen = {change.path for change in existing.changes} if existing else set()
            added = tuple(
                Change(path, _at(old_inputs, path), MASK_UNKNOWN, _top_key(path) in force_new)
                for path in _referencing_paths(old_inputs, identities)
                if path not in seen
            )
            if not added:
                continue
            if existing is None:
                result.unchanged -= 1
                updated = ChangedResource(
                    urn=dependent_urn,
                    type=str(dependent.get("type", "")),
                    changes=added,
                    protect=bool(old_by_urn[matched[dependent_urn]].get("protect")),
                )
                result.changed.append(updated)
            else:
                updated = replace(existing, changes=existing.changes + added)
                result.changed[result.changed.index(existing)] = updated
            by_urn[dependent_urn] = updated
            if updated.replace:
                pending.append(dependent_urn)


def _at(value: Any, path: str) -> Any:
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        value = value[int(part[1:-1])] if part.startswith("[") else value[part]
    return value


def output_changes(
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    diff: PlanDiff,
    old_by_urn: Mapping[str, Mapping[str, Any]],
) -> list[OutputChange]:
    """The stack outputs that consumers read and the update breaks or moves: a key that
    disappears (a whole output, or a service of ``targetGroups``), a value that is the ID or
    ARN of a resource the update replaces or deletes (it changes, or goes away, when the
    update runs), and any other value that changes. New keys are compatible and not listed;
    secrets cannot be compared."""
    gone: dict[str, tuple[str, str]] = {}
    for changed in diff.replaced:
        reason = ", ".join(
            f"{c.path}: {_value(c.before)} → {_value(c.after)}"
            for c in changed.changes
            if c.forces_replacement
        )
        for identity in _computed_values(old_by_urn.get(changed.urn) or {}):
            gone[identity] = (_short_urn(changed.urn).split()[-1], f"replaced ({reason})")
    for listed in diff.removed:
        for identity in _computed_values(old_by_urn.get(listed.urn) or {}):
            gone[identity] = (_short_urn(listed.urn).split()[-1], "deleted")
    found: list[OutputChange] = []
    for path, before, after in _output_leaves(old, new, ""):
        if after is _ABSENT:
            found.append(
                OutputChange(
                    path,
                    OUTPUT_REMOVED,
                    f"{path} is no longer exported: a program that reads it fails at its "
                    "next update (StackReference.require_output), and whatever still uses the "
                    "value it read (an ECS service registering tasks into a target group) is "
                    "left pointing at it",
                )
            )
        elif isinstance(before, str) and before in gone:
            resource, what = gone[before]
            found.append(
                OutputChange(
                    path,
                    OUTPUT_REPLACED,
                    f"{path} changes: {resource} is {what}, so the value is new once the "
                    "update runs; consumers that use the old one (targets registered into a "
                    "target group, an ECS service's loadBalancers) must be updated after it",
                )
            )
        elif before != after and SECRET not in (before, after):
            found.append(
                OutputChange(
                    path,
                    OUTPUT_CHANGED,
                    f"{path} changes: {_value(before)} → {_value(after)}",
                )
            )
    return found


_ABSENT = object()
SECRET = "[secret]"


def _output_leaves(old: Any, new: Any, prefix: str) -> Iterator[tuple[str, Any, Any]]:
    """Each value of ``old`` (descending into mappings) with its counterpart in ``new``, or
    ``_ABSENT``; a mapping that disappears is one entry. Equal values too: one that names a
    replaced resource changes although both plans show the model's value."""
    for key in old:
        path = f"{prefix}.{key}" if prefix else str(key)
        before = old[key]
        after = new.get(key, _ABSENT) if isinstance(new, Mapping) else _ABSENT
        if isinstance(before, Mapping) and isinstance(after, Mapping):
            yield from _output_leaves(before, after, path)
        else:
            yield path, before, after


# --- text --------------------------------------------------------------------------------


def _value(value: Any, limit: int = 60) -> str:
    if value is None:
        return "(none)"
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _short_urn(urn: str) -> str:
    """``urn:pulumi:dev::alb::a$b$aws:lb/targetGroup:TargetGroup::name`` → type and name."""
    parts = urn.split("::")
    if len(parts) < 4:
        return urn
    return f"{parts[2].rsplit('$', 1)[-1]}  {'::'.join(parts[3:])}"


def render_text(diff: PlanDiff, hazards: Sequence[Hazard] = ()) -> str:
    lines = [f"Changes against {diff.against}:"]
    if not (diff.added or diff.removed or diff.changed):
        lines.append("  no resource added, removed or changed")
    for listed in diff.added:
        lines.append(f"  + {_short_urn(listed.urn)}")
    for listed in diff.removed:
        protected = "  [protected: the engine refuses to delete it]" if listed.protect else ""
        lines.append(f"  - {_short_urn(listed.urn)}{protected}")
    for changed in diff.changed:
        mark = "+-" if changed.replace else "~ "
        notes = []
        if changed.replace:
            notes.append("REPLACE")
        if changed.replace and changed.protect:
            notes.append("protected: the engine refuses to replace it")
        if changed.renamed_from:
            notes.append(f"renamed from {changed.renamed_from}")
        suffix = f"  [{'; '.join(notes)}]" if notes else ""
        lines.append(f"  {mark}{_short_urn(changed.urn)}{suffix}")
        for change in changed.changes:
            forces = "  (forces replacement)" if change.forces_replacement else ""
            lines.append(
                f"      {change.path}: {_value(change.before)} → {_value(change.after)}{forces}"
            )
        for option in changed.options:
            lines.append(
                f"      option {option.path}: {_value(option.before)} → {_value(option.after)}"
            )
    lines.append("")
    lines.extend(hazard_lines(hazards))
    lines.extend(output_change_lines(diff.output_changes))
    lines.append(summary_line(diff, hazards))
    return "\n".join(lines) + "\n"


def summary_line(diff: PlanDiff, hazards: Sequence[Hazard] = ()) -> str:
    text = (
        f"Blast radius: {len(diff.added)} to add, {len(diff.changed)} to change "
        f"({len(diff.replaced)} replaced), {len(diff.removed)} to delete, "
        f"{diff.unchanged} unchanged"
    )
    if hazards:
        text += f"; {len(hazards)} update hazard(s): FAIL"
    elif diff.blocked:
        text += f"; {len(diff.blocked)} protected resource(s) would block the update"
    return text


# --- `python -m preflight diff OLD.json NEW.json` ----------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m preflight diff",
        description="Compare two `python -m preflight --json` documents of one stack (the "
        "earlier one may be a `pulumi stack export` file): added, removed and changed "
        "resources, the changes that force a replacement, and the update hazards AWS or the "
        "engine would refuse. Exit 0; 1 when there is an update hazard; 2 when a document "
        "cannot be read.",
    )
    parser.add_argument(
        "old", metavar="OLD.json", help="the earlier plan, or a `pulumi stack export` file"
    )
    parser.add_argument("new", metavar="NEW.json", help="the later plan")
    parser.add_argument("--json", action="store_true", help="print the diff as JSON")
    return parser


def main(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(argv)
    try:
        old = load_document(Path(args.old), what="diff")
        new = load_document(Path(args.new), what="diff")
        check_same_stack(old, new, f"diff: {args.old}")
    except CompareError as exc:
        print(f"preflight: error: {exc}", file=sys.stderr)
        return 2
    from preflight.hazards import update_hazards

    diff = diff_documents(old, new, against=args.old)
    hazards = update_hazards(old, new, diff)
    if args.json:
        document = {
            **diff.to_document(),
            "updateHazards": [hazard.to_document() for hazard in hazards],
        }
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(render_text(diff, hazards))
    return 1 if hazards else 0
