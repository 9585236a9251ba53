"""What every alb-guardrails policy shares: resource kinds, unknown-safe reads, stack lookups.

Under the Pulumi engine a policy does not see plain dicts and lists: ``args.props`` arrives
wrapped in pulumi-policy's unknown-checking proxies (``Mapping``/``Sequence`` subclasses that
raise ``UnknownValueError`` when a value is not known until the resource is created), numbers
arrive as floats, and a resource's absent optional input is simply missing. The readers here
turn all of that into three answers a policy can act on: a value, ``None`` (absent: the AWS
default applies) or :data:`UNKNOWN` (decided at deployment: never a violation at preview).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from pulumi_policy import PolicyResource, ResourceValidationArgs
from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
)


class _Unknown:
    """A value the engine will only know once the resource exists."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN: Final = _Unknown()
# The type of UNKNOWN, for annotations and isinstance checks in the policies.
Unknown = _Unknown

# The engine's wire sentinels for unknowns; the proxies turn them into UnknownValueError, but a
# value read around the proxies (or built by hand) still carries the raw string.
_SENTINELS: Final = frozenset(
    {
        UNKNOWN_BOOLEAN_VALUE,
        UNKNOWN_NUMBER_VALUE,
        UNKNOWN_STRING_VALUE,
        UNKNOWN_ARRAY_VALUE,
        UNKNOWN_ASSET_VALUE,
        UNKNOWN_ARCHIVE_VALUE,
        UNKNOWN_OBJECT_VALUE,
    }
)


def is_unknown(value: Any) -> bool:
    """Whether ``value`` is not known until deployment (either marker form)."""
    return value is UNKNOWN or (isinstance(value, str) and value in _SENTINELS)


def _is_sequence(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


def lookup(value: Any, *path: str | int) -> Any:
    """Read ``value[path[0]][path[1]]...``: the value, ``None`` when absent, or UNKNOWN.

    Works on proxies and plain containers alike, and never raises.
    """
    current = value
    for key in path:
        if current is None or current is UNKNOWN:
            return current
        try:
            if isinstance(key, int):
                if not _is_sequence(current) or not -len(current) <= key < len(current):
                    return None
                current = current[key]
            else:
                if not isinstance(current, Mapping):
                    return None
                current = current[key]
        except UnknownValueError:
            return UNKNOWN
        except (KeyError, IndexError, TypeError):
            return None
        if is_unknown(current):
            return UNKNOWN
    return current


def elements(value: Any) -> list[Any] | _Unknown:
    """The items of a list input: ``[]`` when absent, UNKNOWN when the list itself is unknown.

    Items that are unknown come back as UNKNOWN, so callers can skip them.
    """
    if value is None:
        return []
    if is_unknown(value):
        return UNKNOWN
    if not _is_sequence(value):
        return [value]
    items: list[Any] = []
    for index in range(len(value)):
        items.append(lookup(value, index))
    return items


def known_elements(value: Any) -> list[Any]:
    """The known items of a list input (unknown list or items left out)."""
    items = elements(value)
    if isinstance(items, _Unknown):
        return []
    return [item for item in items if item is not UNKNOWN]


def text(value: Any) -> str | None:
    """A known string, or None (absent, unknown or not a string)."""
    return value if isinstance(value, str) and not is_unknown(value) else None


def number(value: Any) -> int | None:
    """A known whole number (the engine sends every number as a float), or None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value) if float(value).is_integer() else None


def truth(value: Any, default: bool) -> bool | _Unknown:
    """A boolean input: its value, ``default`` (the AWS default) when absent, or UNKNOWN."""
    if value is None:
        return default
    if is_unknown(value):
        return UNKNOWN
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


def config_list(config: Mapping[str, Any], key: str, default: Sequence[str]) -> list[str]:
    """A list-of-strings policy setting (the engine fills in schema defaults before Configure)."""
    value = config.get(key)
    if value is None:
        return list(default)
    return [str(item) for item in value]


def config_flag(config: Mapping[str, Any], key: str, default: bool) -> bool:
    """A boolean policy setting."""
    value = config.get(key)
    return default if value is None else bool(value)


def list_setting(default: Sequence[str], description: str) -> dict[str, Any]:
    """The config schema of a list-of-strings policy setting."""
    return {
        "type": "array",
        "items": {"type": "string"},
        "default": list(default),
        "description": description,
    }


def flag_setting(default: bool, description: str) -> dict[str, Any]:
    """The config schema of a boolean policy setting."""
    return {"type": "boolean", "default": default, "description": description}


def current_stack() -> str | None:
    """The stack being deployed: the engine starts every policy pack with ``PULUMI_STACK`` set."""
    return os.environ.get("PULUMI_STACK") or None


@dataclass(frozen=True)
class Kind:
    """A resource kind and every type token that denotes it.

    pulumi-aws registers the same ELB resources under both ``aws:lb/...`` and the ``aws:alb/...``
    alias module, and kept the ``...V2`` S3 tokens as aliases of the v7 names.
    """

    label: str
    tokens: frozenset[str]

    def __contains__(self, resource_type: object) -> bool:
        return resource_type in self.tokens


def _kind(label: str, *tokens: str) -> Kind:
    return Kind(label, frozenset(tokens))


def _elbv2(member: str, label: str) -> Kind:
    return _kind(label, f"aws:lb/{member}", f"aws:alb/{member}")


LOAD_BALANCER: Final = _elbv2("loadBalancer:LoadBalancer", "load balancer")
LISTENER: Final = _elbv2("listener:Listener", "listener")
LISTENER_RULE: Final = _elbv2("listenerRule:ListenerRule", "listener rule")
TARGET_GROUP: Final = _elbv2("targetGroup:TargetGroup", "target group")
WEB_ACL: Final = _kind("web ACL", "aws:wafv2/webAcl:WebAcl")
WEB_ACL_ASSOCIATION: Final = _kind(
    "web ACL association", "aws:wafv2/webAclAssociation:WebAclAssociation"
)
WEB_ACL_LOGGING: Final = _kind(
    "web ACL logging configuration",
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
)
BUCKET: Final = _kind("bucket", "aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
BUCKET_PUBLIC_ACCESS_BLOCK: Final = _kind(
    "public access block", "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
)
BUCKET_OWNERSHIP_CONTROLS: Final = _kind(
    "ownership controls", "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
)
BUCKET_ENCRYPTION: Final = _kind(
    "server-side encryption configuration",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
)
BUCKET_POLICY: Final = _kind("bucket policy", "aws:s3/bucketPolicy:BucketPolicy")
BUCKET_LIFECYCLE: Final = _kind(
    "lifecycle configuration",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
)
SECURITY_GROUP: Final = _kind("security group", "aws:ec2/securityGroup:SecurityGroup")
SECURITY_GROUP_RULE: Final = _kind(
    "security group rule", "aws:ec2/securityGroupRule:SecurityGroupRule"
)
SECURITY_GROUP_INGRESS_RULE: Final = _kind(
    "security group ingress rule", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
)

# The properties other resources use to name a resource of each kind (an S3 bucket is named by
# its bucket name, which is also its ID).
_IDENTIFIERS: Final[dict[str, tuple[str, ...]]] = {BUCKET.label: ("bucket", "id", "arn")}
_DEFAULT_IDENTIFIERS: Final = ("arn", "id")


def is_application_load_balancer(props: Mapping[str, Any]) -> bool:
    """Whether a load balancer is an ALB: ``loadBalancerType`` defaults to ``application``."""
    kind = lookup(props, "loadBalancerType")
    return kind is None or kind is UNKNOWN or kind == "application"


# Target group protocols of network (TCP, UDP, TLS, TCP_UDP, QUIC, TCP_QUIC) and gateway
# (GENEVE) load balancers; an ALB's target groups use HTTP or HTTPS, or none for Lambda targets
# (pulumi-aws lb.TargetGroup `protocol`; ELB API CreateTargetGroup).
_APPLICATION_TARGET_PROTOCOLS: Final = frozenset({"HTTP", "HTTPS"})


def is_application_target_group(props: Mapping[str, Any]) -> bool | _Unknown:
    """Whether a target group serves an ALB: protocol HTTP/HTTPS, or a Lambda target group.

    A target group names no load balancer; its protocol says which kind can use it.
    """
    protocol = lookup(props, "protocol")
    if protocol is UNKNOWN:
        return UNKNOWN
    if protocol is None:
        target_type = lookup(props, "targetType")
        return UNKNOWN if target_type is UNKNOWN else target_type == "lambda"
    return isinstance(protocol, str) and protocol.upper() in _APPLICATION_TARGET_PROTOCOLS


def region_of(resource: PolicyResource) -> str | None:
    """The region a resource lives in: its own ``region`` (pulumi-aws 7 resources take one and
    report it in their state), else its provider's ``region`` (``aws:region`` in the stack
    config); None when neither is known."""
    own = text(lookup(resource.props, "region"))
    if own:
        return own
    provider = resource.provider
    return text(lookup(provider.props, "region")) if provider is not None else None


def checks_application_load_balancer(args: ResourceValidationArgs) -> bool:
    """Whether a resource policy is looking at an application load balancer."""
    return args.resource_type in LOAD_BALANCER and is_application_load_balancer(args.props)


def is_internet_facing(props: Mapping[str, Any]) -> bool | _Unknown:
    """Whether a load balancer is internet-facing: ``internal`` defaults to false."""
    internal = truth(lookup(props, "internal"), default=False)
    return UNKNOWN if internal is UNKNOWN else not internal


def describe(resource: PolicyResource) -> str:
    """How a message names a resource: its logical name (the URN carries the type)."""
    return repr(resource.name)


class StackView:
    """The stack's resources, indexed for the relations stack policies check.

    A reference between resources (a listener's ``loadBalancerArn``, a bucket policy's
    ``bucket``) is resolved by its value when it is known, and otherwise through the engine's
    property dependencies, which name the resource an unknown value will come from.
    """

    def __init__(self, resources: Iterable[PolicyResource]) -> None:
        self.resources = list(resources)
        # Each kind's resources, found once: a policy resolves a reference per resource, and
        # scanning the whole stack each time grows with the square of its size.
        self._of_kind: dict[Kind, list[PolicyResource]] = {}

    def of(self, kind: Kind) -> list[PolicyResource]:
        """Every resource of a kind, in registration order."""
        found = self._of_kind.get(kind)
        if found is None:
            found = [resource for resource in self.resources if resource.resource_type in kind]
            self._of_kind[kind] = found
        return list(found)

    def load_balancers(self) -> list[PolicyResource]:
        """The application load balancers of the stack."""
        return [lb for lb in self.of(LOAD_BALANCER) if is_application_load_balancer(lb.props)]

    def listeners_of(self, load_balancer: PolicyResource) -> list[PolicyResource]:
        """The listeners whose ``loadBalancerArn`` names ``load_balancer``."""
        return self.referring(load_balancer, LISTENER, "loadBalancerArn")

    def load_balancer_of(self, listener: PolicyResource) -> PolicyResource | None:
        """The load balancer a listener belongs to, when the stack declares it."""
        found = self.referenced(listener, LOAD_BALANCER, "loadBalancerArn")
        return found[0] if found else None

    def referenced(
        self, resource: PolicyResource, kind: Kind, *path: str | int
    ) -> list[PolicyResource]:
        """The resources of ``kind`` that ``resource.props[path]`` refers to.

        ``path`` may end at a list of references (security group IDs): every element counts.
        """
        value = lookup(resource.props, *path)
        values = elements(value)
        names: set[str] = set()
        unresolved = isinstance(values, _Unknown)
        if not isinstance(values, _Unknown):
            for item in values:
                if item is UNKNOWN:
                    unresolved = True
                elif isinstance(item, str):
                    names.add(item)
        candidates = self.of(kind)
        found = [c for c in candidates if names & _identifiers(c, kind)]
        if unresolved or (names and not found):
            top = path[0] if path and isinstance(path[0], str) else None
            for dependency in resource.property_dependencies.get(top, []) if top else []:
                if dependency.resource_type in kind and dependency not in found:
                    found.append(dependency)
        return found

    def referring(
        self, target: PolicyResource, kind: Kind, *path: str | int
    ) -> list[PolicyResource]:
        """The resources of ``kind`` whose ``props[path]`` refers to ``target``."""
        return [
            resource
            for resource in self.of(kind)
            if any(
                found is target for found in self.referenced(resource, target_kind(target), *path)
            )
        ]


def target_kind(resource: PolicyResource) -> Kind:
    """The registered kind of a resource (for resolving references back to it)."""
    for kind in _ALL_KINDS:
        if resource.resource_type in kind:
            return kind
    return _kind(resource.resource_type, resource.resource_type)


def _identifiers(resource: PolicyResource, kind: Kind) -> set[str]:
    keys = _IDENTIFIERS.get(kind.label, _DEFAULT_IDENTIFIERS)
    found = set()
    for key in keys:
        value = text(lookup(resource.props, key))
        if value:
            found.add(value)
    return found


_ALL_KINDS: Final = (
    LOAD_BALANCER,
    LISTENER,
    LISTENER_RULE,
    TARGET_GROUP,
    WEB_ACL,
    WEB_ACL_ASSOCIATION,
    WEB_ACL_LOGGING,
    BUCKET,
    BUCKET_PUBLIC_ACCESS_BLOCK,
    BUCKET_OWNERSHIP_CONTROLS,
    BUCKET_ENCRYPTION,
    BUCKET_POLICY,
    BUCKET_LIFECYCLE,
    SECURITY_GROUP,
    SECURITY_GROUP_RULE,
    SECURITY_GROUP_INGRESS_RULE,
)


def listener_protocol(listener: PolicyResource, load_balancer: PolicyResource | None) -> Any:
    """A listener's protocol: HTTP when absent on an application load balancer's listener."""
    protocol = lookup(listener.props, "protocol")
    if protocol is None and (
        load_balancer is None or is_application_load_balancer(load_balancer.props)
    ):
        return "HTTP"
    return protocol.upper() if isinstance(protocol, str) else protocol


def updated_props(props: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a resource's inputs with ``changes`` applied, for a remediation to return.

    Copies the proxies' underlying values (unknowns and secrets included) so that the engine
    gets back every input it sent, not only the ones a policy happened to read.
    """
    try:
        target = props["__target"]
    except (KeyError, UnknownValueError):
        target = props
    result = dict(target)
    result.update(changes)
    return result


def plain(value: Any) -> Any:
    """A plain copy of a (possibly proxied) value: dicts, lists and scalars, unknowns as UNKNOWN.

    For code that needs real containers (``json``, ``isinstance(x, list)``), which the engine's
    proxies are not.
    """
    if is_unknown(value):
        return UNKNOWN
    if isinstance(value, Mapping):
        return {key: plain(lookup(value, key)) for key in value}
    if _is_sequence(value):
        return [plain(lookup(value, index)) for index in range(len(value))]
    return value
