"""Update hazards: what AWS would refuse while the engine applies a change, in its step order.

preflight plans a fresh stack, where every name and priority is free; an update runs against a
stack that already holds them. The Pulumi engine applies an update in this order
(pkg/resource/deploy in pulumi/pulumi, and pulumi/pulumi#16589):

- creates, updates and replacements first, each as soon as the resources it waits for are done
  (its dependencies and a custom-resource parent; :func:`preflight.graph.waits`); two steps with
  no such path between them may run in either order, or at the same time;
- a replacement creates the new resource first and deletes the old one with the deletes, unless
  the resource sets ``deleteBeforeReplace``: then the old one is deleted at the replacement's
  own step, just before the new one is created;
- every delete last.

AWS enforces uniqueness along the way: a listener-rule priority (``PriorityInUse``), a
security-group permission (``InvalidPermission.Duplicate``), and fixed names. Each resource of
the old and the new plan *holds* such slots. A step that *claims* a slot (a create, a
replacement's create, an update to a new value) while another resource may still hold it is an
update hazard: one that is only released by a delete, kept, moved off in a step not ordered
before the claim, or claimed by a second resource too. The engine's own refusals, a protected
resource replaced or deleted, are hazards too. Which changes replace a resource is
:mod:`preflight.compare`'s call (its force-new table and the propagation of new ARNs).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from preflight.compare import PlanDiff, canonical_type, looks_autonamed
from preflight.graph import waits
from preflight.records import ResourceRecord

PRIORITY_IN_USE = "priority-in-use"
DUPLICATE_SECURITY_GROUP_RULE = "duplicate-security-group-rule"
NAME_IN_USE = "name-in-use"
PROTECTED_REPLACE = "protected-replace"
PROTECTED_DELETE = "protected-delete"
KINDS = (
    PRIORITY_IN_USE,
    DUPLICATE_SECURITY_GROUP_RULE,
    NAME_IN_USE,
    PROTECTED_REPLACE,
    PROTECTED_DELETE,
)

LISTENER_RULE = "aws:lb/listenerRule:ListenerRule"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
VPC_RULES = {
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "ingress",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "egress",
}


@dataclass(frozen=True)
class UniqueName:
    """A name AWS keeps unique, and what it does when a create reuses one."""

    what: str
    prop: str
    # "region": per account and region; "account": per account; "global": across AWS;
    # "vpc": per VPC; "waf": per account, region and WAF scope.
    scope: str
    refusal: str
    source: str


_TARGET_GROUP = UniqueName(
    "target group",
    "name",
    "region",
    "refuses it with DuplicateTargetGroupName",
    "ELBv2 API CreateTargetGroup (botocore elbv2 model: DuplicateTargetGroupNameException)",
)
_LOAD_BALANCER = UniqueName(
    "load balancer",
    "name",
    "region",
    "refuses it with DuplicateLoadBalancerName",
    "ELBv2 API CreateLoadBalancer (botocore elbv2 model: DuplicateLoadBalancerNameException)",
)
_OVERWRITES = (
    "overwrites the existing one of that name, and deleting the old resource afterwards deletes "
    "it: it is gone after the update"
)
_WAF = "refuses it with WAFDuplicateItemException"
# Explicit names AWS keeps unique, by resource type (both `aws:lb/` and `aws:alb/` tokens).
UNIQUE_NAMES: dict[str, UniqueName] = {
    "aws:lb/targetGroup:TargetGroup": _TARGET_GROUP,
    "aws:lb/loadBalancer:LoadBalancer": _LOAD_BALANCER,
    "aws:cloudwatch/metricAlarm:MetricAlarm": UniqueName(
        "CloudWatch alarm",
        "name",
        "region",
        _OVERWRITES,
        'CloudWatch API PutMetricAlarm ("Creates or updates an alarm")',
    ),
    "aws:cloudwatch/dashboard:Dashboard": UniqueName(
        "CloudWatch dashboard",
        "dashboardName",
        "account",
        _OVERWRITES,
        "CloudWatch API PutDashboard (an existing dashboard of that name is replaced)",
    ),
    "aws:cloudwatch/logGroup:LogGroup": UniqueName(
        "log group",
        "name",
        "region",
        "refuses it with ResourceAlreadyExistsException",
        "CloudWatch Logs API CreateLogGroup",
    ),
    "aws:wafv2/webAcl:WebAcl": UniqueName(
        "WAF web ACL", "name", "waf", _WAF, "WAFv2 API CreateWebACL"
    ),
    "aws:wafv2/ipSet:IpSet": UniqueName("WAF IP set", "name", "waf", _WAF, "WAFv2 API CreateIPSet"),
    "aws:wafv2/ruleGroup:RuleGroup": UniqueName(
        "WAF rule group", "name", "waf", _WAF, "WAFv2 API CreateRuleGroup"
    ),
    "aws:sns/topic:Topic": UniqueName(
        "SNS topic",
        "name",
        "region",
        "returns the existing topic of that name, and deleting the old resource afterwards "
        "deletes it: it is gone after the update",
        'SNS API CreateTopic ("This action is idempotent")',
    ),
    "aws:s3/bucket:Bucket": UniqueName(
        "S3 bucket",
        "bucket",
        "global",
        "refuses it with BucketAlreadyOwnedByYou",
        "S3 API CreateBucket (bucket names are unique across all AWS accounts)",
    ),
    "aws:s3/bucketV2:BucketV2": UniqueName(
        "S3 bucket",
        "bucket",
        "global",
        "refuses it with BucketAlreadyOwnedByYou",
        "S3 API CreateBucket (bucket names are unique across all AWS accounts)",
    ),
    "aws:ec2/securityGroup:SecurityGroup": UniqueName(
        "security group",
        "name",
        "vpc",
        "refuses it with InvalidGroup.Duplicate",
        "EC2 API CreateSecurityGroup (EC2 error codes: InvalidGroup.Duplicate)",
    ),
    "aws:iam/role:Role": UniqueName(
        "IAM role", "name", "account", "refuses it with EntityAlreadyExists", "IAM API CreateRole"
    ),
    "aws:iam/policy:Policy": UniqueName(
        "IAM policy",
        "name",
        "account",
        "refuses it with EntityAlreadyExists",
        "IAM API CreatePolicy",
    ),
    "aws:lambda/function:Function": UniqueName(
        "Lambda function",
        "name",
        "region",
        "refuses it with ResourceConflictException",
        "Lambda API CreateFunction",
    ),
    "aws:ecr/repository:Repository": UniqueName(
        "ECR repository",
        "name",
        "region",
        "refuses it with RepositoryAlreadyExistsException",
        "ECR API CreateRepository",
    ),
    "aws:dynamodb/table:Table": UniqueName(
        "DynamoDB table",
        "name",
        "region",
        "refuses it with ResourceInUseException",
        "DynamoDB API CreateTable",
    ),
    "aws:secretsmanager/secret:Secret": UniqueName(
        "Secrets Manager secret",
        "name",
        "region",
        "refuses it with ResourceExistsException",
        "Secrets Manager API CreateSecret",
    ),
    "aws:kms/alias:Alias": UniqueName(
        "KMS alias",
        "name",
        "region",
        "refuses it with AlreadyExistsException",
        "KMS API CreateAlias",
    ),
}

# IP protocol names and numbers EC2 treats as the same permission (EC2 API IpPermission:
# "-1" is every protocol, whose ports do not apply).
_PROTOCOLS = {"all": "-1", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}
# The operations of the update, and when a step releases what the old resource held.
CREATE, UPDATE, REPLACE, DELETE, SAME = "create", "update", "replace", "delete", "same"
NEVER, AT_STEP, AT_END = "never", "at its step", "at the end"


@dataclass(frozen=True)
class Hazard:
    """One update AWS or the engine would refuse, with the resources involved."""

    kind: str
    urns: tuple[str, ...]
    message: str

    def to_document(self) -> dict[str, Any]:
        return {"kind": self.kind, "urns": list(self.urns), "message": self.message}


@dataclass(frozen=True)
class Slot:
    """Something AWS lets only one resource hold; ``label`` says what it is, for messages."""

    kind: str
    key: tuple[Any, ...]
    label: str = field(compare=False)


# --- the two sides ---------------------------------------------------------------------------


@dataclass
class Side:
    """One plan (old or new), with what resolving its references needs."""

    name: str  # "old" | "new"
    by_urn: dict[str, Mapping[str, Any]]
    to_new_urn: dict[str, str]  # this side's URN → the new plan's URN of the same resource
    stable: set[str]  # new-plan URNs of resources that keep their physical identity
    by_value: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for urn, resource in self.by_urn.items():
            outputs = resource.get("outputs") or {}
            for value in (resource.get("id"), outputs.get("arn"), outputs.get("id")):
                if isinstance(value, str) and value and not value.startswith("["):
                    self.by_value.setdefault(value, urn)

    def identity(self, urn: str) -> tuple[str, str, str]:
        """A physical resource: the same for both sides when it stays, otherwise this side's."""
        new_urn = self.to_new_urn.get(urn, urn)
        return ("resource", new_urn, "live" if new_urn in self.stable else self.name)

    def reference(self, resource: Mapping[str, Any], prop: str, value: Any) -> Any:
        """What an input that names another resource (a listener ARN, a group ID) points at:
        the resource it resolves to in this plan, else the value itself (None when unknown)."""
        if isinstance(value, str) and value in self.by_value:
            return self.identity(self.by_value[value])
        dependencies = [
            urn
            for urn in (resource.get("propertyDependencies") or {}).get(prop) or ()
            if (self.by_urn.get(urn) or {}).get("custom")
        ]
        if len(dependencies) == 1:
            return self.identity(dependencies[0])
        if not isinstance(value, str) or not value or value.startswith("["):
            return None
        return ("value", value)

    def region(self, resource: Mapping[str, Any]) -> str:
        region = (resource.get("inputs") or {}).get("region")
        if not region:
            provider_urn = str(resource.get("provider") or "").rsplit("::", 1)[0]
            region = ((self.by_urn.get(provider_urn) or {}).get("inputs") or {}).get("region")
        return str(region or "")

    def describe(self, urn: str) -> str:
        resource = self.by_urn.get(urn) or {}
        name = resource.get("name") or urn.rsplit("::", 1)[-1]
        return f"{str(resource.get('type', '')).rsplit(':', 1)[-1]} '{name}'"


def _number(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        return int(float(value))
    except ValueError:
        return None


# --- slots --------------------------------------------------------------------------------


def _listener_label(reference: Any) -> str:
    if reference[0] == "resource":
        return f"listener {reference[1].rsplit('::', 1)[-1]}"
    return f"listener {reference[1]}"


def priority_slots(side: Side, resource: Mapping[str, Any]) -> Iterator[Slot]:
    if canonical_type(str(resource.get("type"))) != LISTENER_RULE:
        return
    inputs = resource.get("inputs") or {}
    priority = _number(inputs.get("priority"))
    if priority is None and side.name == "old":
        # A rule created without a priority holds the one AWS gave it.
        priority = _number((resource.get("outputs") or {}).get("priority"))
    listener = side.reference(resource, "listenerArn", inputs.get("listenerArn"))
    if priority is not None and listener is not None:
        yield Slot(
            PRIORITY_IN_USE,
            (listener, priority),
            f"priority {priority} on {_listener_label(listener)}",
        )


def _protocol(value: Any) -> str:
    text = str(value).lower()
    return _PROTOCOLS.get(text, text)


def _cidr(value: str) -> str:
    try:
        return str(ipaddress.ip_network(value, strict=False))
    except ValueError:
        return value


def _permission_slot(
    group: Any, direction: str, spec: Mapping[str, Any], source: tuple[str, Any]
) -> Slot | None:
    """One permission of a group: (protocol, ports) from ``spec``, one source."""
    protocol = spec.get("ipProtocol", spec.get("protocol"))
    if group is None or source[1] is None or protocol in (None, "[unknown]"):
        return None
    protocol = _protocol(protocol)
    ports = (
        (None, None)
        if protocol == "-1"
        else (_number(spec.get("fromPort")), _number(spec.get("toPort")))
    )
    where = "from" if direction == "ingress" else "to"
    kind, value = source
    shown = value[1].rsplit("::", 1)[-1] if isinstance(value, tuple) else value
    port_text = "all traffic" if protocol == "-1" else f"{protocol} {ports[0]}-{ports[1]}"
    group_name = group[1].rsplit("::", 1)[-1]
    return Slot(
        DUPLICATE_SECURITY_GROUP_RULE,
        (group, direction, protocol, ports, kind, value),
        f"{direction} {port_text} {where} {shown} on security group {group_name}",
    )


def _sources(
    side: Side, resource: Mapping[str, Any], prop: str, spec: Mapping[str, Any], group: Any
) -> Iterator[tuple[str, Any]]:
    """Each source of one permission: CIDRs (either family), prefix lists, groups."""
    for key in ("cidrBlocks", "ipv6CidrBlocks"):
        for cidr in spec.get(key) or ():
            if isinstance(cidr, str) and not cidr.startswith("["):
                yield ("cidr", _cidr(cidr))
    for key in ("cidrIpv4", "cidrIpv6"):
        if isinstance(spec.get(key), str) and not spec[key].startswith("["):
            yield ("cidr", _cidr(spec[key]))
    for prefix_list in [*(spec.get("prefixListIds") or ()), spec.get("prefixListId")]:
        if isinstance(prefix_list, str):
            yield ("prefix-list", prefix_list)
    groups = [*(spec.get("securityGroups") or ())]
    for key in ("sourceSecurityGroupId", "referencedSecurityGroupId"):
        if spec.get(key):
            groups.append(spec[key])
    for value in groups:
        yield ("group", side.reference(resource, prop, value))
    if spec.get("self") is True:
        yield ("group", group)


def security_group_slots(side: Side, resource: Mapping[str, Any]) -> Iterator[Slot]:
    """The permissions a group's inline rules or a rule resource add, one per source."""
    resource_type = str(resource.get("type"))
    inputs = resource.get("inputs") or {}
    permissions: list[tuple[Any, str, Mapping[str, Any], str]] = []
    if resource_type == SECURITY_GROUP:
        group = side.identity(str(resource["urn"]))
        for direction in ("ingress", "egress"):
            permissions += [
                (group, direction, spec, direction)
                for spec in inputs.get(direction) or ()
                if isinstance(spec, dict)
            ]
    elif resource_type == SECURITY_GROUP_RULE or resource_type in VPC_RULES:
        group = side.reference(resource, "securityGroupId", inputs.get("securityGroupId"))
        direction = VPC_RULES.get(resource_type) or str(inputs.get("type"))
        permissions.append((group, direction, inputs, ""))
    for group, direction, spec, prop in permissions:
        for source in _sources(side, resource, prop, spec, group):
            slot = _permission_slot(group, direction, spec, source)
            if slot is not None:
                yield slot


def name_slots(side: Side, resource: Mapping[str, Any]) -> Iterator[Slot]:
    rule = UNIQUE_NAMES.get(canonical_type(str(resource.get("type"))))
    if rule is None:
        return
    inputs = resource.get("inputs") or {}
    name = inputs.get(rule.prop)
    if side.name == "old":
        name = name or (resource.get("outputs") or {}).get(rule.prop)
    elif looks_autonamed(resource, rule.prop, name):
        # A new autoname is unique; one that stays is the old resource's, counted there.
        return
    if not isinstance(name, str) or not name or name.startswith("["):
        return
    scope: tuple[Any, ...] = ()
    if rule.scope in ("region", "waf"):
        scope = (side.region(resource),)
    if rule.scope == "waf":
        scope += (str(inputs.get("scope", "")).upper(),)
    if rule.scope == "vpc":
        scope = (side.reference(resource, "vpcId", inputs.get("vpcId")),)
    yield Slot(NAME_IN_USE, (rule.what, scope, name), f"the {rule.what} name '{name}'")


SLOTS: tuple[Callable[[Side, Mapping[str, Any]], Iterator[Slot]], ...] = (
    priority_slots,
    security_group_slots,
    name_slots,
)


def slots_of(side: Side, resource: Mapping[str, Any]) -> set[Slot]:
    if not resource.get("custom") or resource.get("external"):
        return set()
    return {slot for find in SLOTS for slot in find(side, resource)}


# --- the simulation ---------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """What the update does to one resource of the new plan."""

    operation: str  # CREATE, UPDATE, REPLACE or SAME
    delete_before_replace: bool = False


def update_hazards(old: Mapping[str, Any], new: Mapping[str, Any], diff: PlanDiff) -> list[Hazard]:
    """The update hazards of going from ``old`` to ``new`` (documents that
    :func:`preflight.compare.diff_documents` compared into ``diff``), in a stable order."""
    update = _Update(old, new, diff)
    return update.protection_hazards() + update.slot_hazards()


class _Update:
    """The update from one plan to the next, step by step."""

    def __init__(self, old: Mapping[str, Any], new: Mapping[str, Any], diff: PlanDiff) -> None:
        self.diff = diff
        old_by_urn = {r["urn"]: r for r in old.get("resources") or []}
        new_by_urn = {r["urn"]: r for r in new.get("resources") or []}
        self.removed = {listed.urn for listed in diff.removed}
        renamed = {c.renamed_from: c.urn for c in diff.changed if c.renamed_from}
        # Old URN → the new plan's URN of the same resource (a deleted one keeps its own).
        self.to_new = {urn: renamed.get(urn, urn) for urn in old_by_urn}
        added = {listed.urn for listed in diff.added}
        replaced = {changed.urn for changed in diff.replaced}
        changed = {changed.urn for changed in diff.changed}
        stable = {urn for urn in new_by_urn if urn not in added and urn not in replaced}
        self.old = Side("old", old_by_urn, self.to_new, stable)
        self.new = Side("new", new_by_urn, {}, stable)
        self.steps = {
            urn: Step(
                CREATE
                if urn in added
                else REPLACE
                if urn in replaced
                else UPDATE
                if urn in changed
                else SAME,
                bool(resource.get("deleteBeforeReplace")),
            )
            for urn, resource in new_by_urn.items()
        }
        self.order = _Order(new_by_urn.values())

    def describe(self, urn: str) -> str:
        return (self.new if urn in self.new.by_urn else self.old).describe(urn)

    def holdings(self) -> tuple[dict[Slot, dict[str, str]], dict[str, set[Slot]]]:
        """Who holds each slot before the update (by new-plan URN, a deleted resource by its
        old one) and when the update releases it; and each resource's old slots."""
        held: dict[Slot, dict[str, str]] = {}
        old_slots: dict[str, set[Slot]] = {}
        for urn, resource in self.old.by_urn.items():
            slots = slots_of(self.old, resource)
            if not slots:
                continue
            holder = urn if urn in self.removed else self.to_new[urn]
            old_slots[holder] = slots
            step = None if urn in self.removed else self.steps.get(holder)
            if step is None or (step.operation == REPLACE and not step.delete_before_replace):
                release = AT_END
            elif step.operation in (REPLACE, UPDATE):
                release = AT_STEP
            else:
                release = NEVER
            for slot in slots:
                held.setdefault(slot, {})[holder] = release
        return held, old_slots

    def claims(
        self, held: dict[Slot, dict[str, str]], old_slots: dict[str, set[Slot]]
    ) -> dict[Slot, list[str]]:
        """The slots each step takes anew (an update keeps what it had, and does not free it)."""
        claims: dict[Slot, list[str]] = {}
        for urn, step in self.steps.items():
            if step.operation == SAME:
                continue
            resource = self.new.by_urn[urn]
            slots = slots_of(self.new, resource)
            if step.operation == UPDATE:
                before = old_slots.get(urn, set())
                for slot in (slots | _unmanaged(resource, before)) & before:
                    held[slot][urn] = NEVER
                slots -= before
            for slot in slots:
                claims.setdefault(slot, []).append(urn)
        return claims

    def slot_hazards(self) -> list[Hazard]:
        held, old_slots = self.holdings()
        claims = self.claims(held, old_slots)
        hazards: list[Hazard] = []
        # One hazard per kind and pair of resources (a swap is one problem, not two).
        seen: set[tuple[str, frozenset[str]]] = set()
        for slot in sorted(claims, key=lambda s: (KINDS.index(s.kind), s.label)):
            claimants = sorted(claims[slot])
            for claimant in claimants:
                conflicts = [
                    (holder, self.still_held(claimant, holder, release))
                    for holder, release in sorted(held.get(slot, {}).items())
                ]
                conflicts += [(other, "both") for other in claimants if other != claimant]
                for holder, reason in conflicts:
                    pair = (slot.kind, frozenset({claimant, holder}))
                    if reason is not None and pair not in seen:
                        seen.add(pair)
                        hazards.append(self.hazard(slot, claimant, holder, reason))
        return hazards

    def still_held(self, claimant: str, holder: str, release: str) -> str | None:
        """Why ``holder`` may still hold a slot when ``claimant``'s step takes it, or None."""
        if holder == claimant:
            # A replacement created before its old self is deleted; an update or a
            # delete-before-replace frees its own slots first.
            return "self" if release == AT_END else None
        if release == NEVER:
            return "kept"
        if release == AT_END:
            return "deleted-later"
        return None if self.order.before(holder, claimant) else "unordered"

    def hazard(self, slot: Slot, claimant: str, holder: str, reason: str) -> Hazard:
        step = self.steps[claimant]
        what, other = self.describe(claimant), self.describe(holder)
        verb = {
            CREATE: "is created with",
            REPLACE: "is replaced with"
            if step.delete_before_replace
            else "is replaced (the new one created first) with",
            UPDATE: "is updated to",
        }[step.operation]
        because = {
            "self": "while the resource it replaces still holds it: the old one is deleted "
            "only after every create and update",
            "kept": f"while {other} keeps it",
            "deleted-later": f"while {other} still holds it: it is deleted only after every "
            "create and update",
            "unordered": f"while {other} may still hold it: it moves off it in an update that "
            "nothing orders before this one (no dependency between them), and the engine runs "
            "the two in either order or at once",
            "both": f"which {other} takes in the same update too",
        }[reason]
        if slot.kind == NAME_IN_USE:
            rule = UNIQUE_NAMES[canonical_type(str(self.new.by_urn[claimant].get("type")))]
            refusal = f"AWS {rule.refusal}"
        else:
            refusal = _REFUSALS[slot.kind]
        return Hazard(
            slot.kind,
            tuple(dict.fromkeys((claimant, holder))),
            f"{what} {verb} {slot.label} {because}; {refusal}. "
            f"To avoid it: {_avoid(slot.kind, reason, what, other)}",
        )

    def protection_hazards(self) -> list[Hazard]:
        """The engine refuses to replace or delete a protected resource."""
        hazards = []
        for changed in self.diff.replaced:
            if changed.protect:
                paths = ", ".join(c.path for c in changed.changes if c.forces_replacement)
                hazards.append(
                    Hazard(
                        PROTECTED_REPLACE,
                        (changed.urn,),
                        f"{self.describe(changed.urn)} is protected and the update would "
                        f"replace it (forced by {paths}); the engine refuses to replace a "
                        "protected resource and stops the update. To avoid it: undo the change "
                        "that forces the replacement, or lift the protection in a separate "
                        f"update first (protect=False, or `pulumi state unprotect "
                        f"'{changed.urn}'`)",
                    )
                )
        for listed in self.diff.removed:
            if listed.protect:
                hazards.append(
                    Hazard(
                        PROTECTED_DELETE,
                        (listed.urn,),
                        f"{self.describe(listed.urn)} is protected and the update would delete "
                        "it; the engine refuses to delete a protected resource and stops the "
                        "update. To avoid it: keep the resource in the program (with an alias "
                        "if it moved), or lift the protection in a separate update first "
                        f"(protect=False, or `pulumi state unprotect '{listed.urn}'`)",
                    )
                )
        return hazards


def _unmanaged(resource: Mapping[str, Any], before: set[Slot]) -> set[Slot]:
    """A security group's inline rules of a direction the program leaves out stay as they are:
    `ingress` and `egress` are optional and computed, and only an explicit empty list revokes
    them (terraform-provider-aws website/docs/r/security_group.html.markdown)."""
    if str(resource.get("type")) != SECURITY_GROUP:
        return set()
    inputs = resource.get("inputs") or {}
    return {
        slot
        for slot in before
        if slot.kind == DUPLICATE_SECURITY_GROUP_RULE and slot.key[1] not in inputs
    }


class _Order:
    """Whether one step of the new plan is guaranteed to finish before another starts."""

    def __init__(self, resources: Iterable[Mapping[str, Any]]) -> None:
        records = [
            ResourceRecord(
                urn=str(r["urn"]),
                type=str(r.get("type", "")),
                name=str(r.get("name", "")),
                custom=bool(r.get("custom")),
                parent=r.get("parent"),
                dependencies=tuple(r.get("dependencies") or ()),
            )
            for r in resources
        ]
        self._waits = waits(records)
        self._ancestors: dict[str, set[str]] = {}

    def before(self, first: str, then: str) -> bool:
        if then not in self._ancestors:
            found: set[str] = set()
            pending = list(self._waits.get(then, ()))
            while pending:
                urn = pending.pop()
                if urn not in found:
                    found.add(urn)
                    pending.extend(self._waits.get(urn, ()))
            self._ancestors[then] = found
        return first in self._ancestors[then]


# --- messages -----------------------------------------------------------------------------

_REFUSALS = {
    PRIORITY_IN_USE: "AWS refuses it with PriorityInUse, and every rerun of the update fails the "
    "same way",
    DUPLICATE_SECURITY_GROUP_RULE: "AWS refuses it with InvalidPermission.Duplicate",
}


def _avoid(kind: str, reason: str, what: str, other: str) -> str:
    if kind == PRIORITY_IN_USE:
        if reason == "self":
            return "give the new rule a priority no rule of the listener holds before the update"
        if reason == "unordered":
            return (
                f"give {what} a priority no rule held before the update, or make it depend on "
                f"{other} (dependsOn) so that the engine moves that one off first; a swap of two "
                "priorities takes two updates, through a free priority"
            )
        return (
            f"give {what} a priority no rule of the listener held before the update, or free "
            f"this one first in a separate update (remove or move {other})"
        )
    if kind == DUPLICATE_SECURITY_GROUP_RULE:
        if reason == "self":
            return (
                "set deleteBeforeReplace on the rule, or express each permission as its own "
                "aws.vpc.SecurityGroupIngressRule / SecurityGroupEgressRule, which AWS updates "
                "in place"
            )
        return (
            f"remove or change {other} in a separate update first, or keep one resource for "
            "the permission (add an alias when it only moves)"
        )
    if reason == "self":
        return (
            "leave out the name so that Pulumi autonames the resource (a replacement then gets "
            "a fresh name), or set deleteBeforeReplace on it"
        )
    return (
        f"give {what} another name, or leave it out so that Pulumi autonames it; when "
        f"{other} only moved, give {what} an alias of its old URN instead"
    )
