"""alb-security-group-ingress: ALB security groups open only listener ports to the internet.

Ingress reaches a security group three ways, all checked: inline ``ingress`` blocks on
``aws:ec2/securityGroup``, ``aws:ec2/securityGroupRule`` resources of type ``ingress`` and
``aws:vpc/securityGroupIngressRule`` resources.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from .common import (
    SECURITY_GROUP,
    SECURITY_GROUP_INGRESS_RULE,
    SECURITY_GROUP_RULE,
    UNKNOWN,
    StackView,
    config_list,
    describe,
    known_elements,
    list_setting,
    lookup,
    number,
    text,
)

NAME = "alb-security-group-ingress"
DEFAULT_PUBLIC_CIDRS = ("0.0.0.0/0", "::/0")
# Protocol names and numbers that allow every protocol and port (EC2 API: "-1" means all).
_ALL_PROTOCOLS = frozenset({"-1", "all"})
_TCP = frozenset({"tcp", "6"})


@dataclass(frozen=True)
class Ingress:
    """One ingress permission: where it is declared, protocol, port range and sources."""

    declared_on: PolicyResource
    protocol: str | None
    from_port: int | None
    to_port: int | None
    cidrs: tuple[str, ...]

    def ports(self) -> str:
        if self.protocol in _ALL_PROTOCOLS:
            return "all traffic"
        if self.from_port == self.to_port:
            return f"{self.protocol} {self.from_port}"
        return f"{self.protocol} {self.from_port}-{self.to_port}"


def _normalized(cidr: str) -> str:
    try:
        return str(ipaddress.ip_network(cidr.strip(), strict=False))
    except ValueError:
        return cidr.strip()


def _protocol(value: Any) -> str | None:
    if value is UNKNOWN or value is None:
        return None
    if isinstance(value, float | int):
        return str(int(value))
    return str(value).lower()


def _permission(
    declared_on: PolicyResource, props: Any, protocol_key: str, cidrs: Iterable[Any]
) -> Ingress:
    return Ingress(
        declared_on,
        _protocol(lookup(props, protocol_key)),
        number(lookup(props, "fromPort")),
        number(lookup(props, "toPort")),
        tuple(cidr for cidr in cidrs if isinstance(cidr, str)),
    )


def _cidr_blocks(props: Any) -> list[Any]:
    """The IPv4 and IPv6 source lists of an inline ingress block or a security group rule."""
    return [
        cidr
        for key in ("cidrBlocks", "ipv6CidrBlocks")
        for cidr in known_elements(lookup(props, key))
    ]


def _ingress(stack: StackView, group: PolicyResource) -> Iterator[Ingress]:
    for block in known_elements(lookup(group.props, "ingress")):
        yield _permission(group, block, "protocol", _cidr_blocks(block))
    for rule in stack.referring(group, SECURITY_GROUP_RULE, "securityGroupId"):
        if lookup(rule.props, "type") == "ingress":
            yield _permission(rule, rule.props, "protocol", _cidr_blocks(rule.props))
    for rule in stack.referring(group, SECURITY_GROUP_INGRESS_RULE, "securityGroupId"):
        cidrs = [text(lookup(rule.props, key)) for key in ("cidrIpv4", "cidrIpv6")]
        yield _permission(rule, rule.props, "ipProtocol", cidrs)


def _allowed(ingress: Ingress, listener_ports: set[int]) -> bool:
    if ingress.protocol is None:  # unknown at preview
        return True
    if ingress.protocol not in _TCP or ingress.from_port is None or ingress.to_port is None:
        return False
    return all(port in listener_ports for port in range(ingress.from_port, ingress.to_port + 1))


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    stack = StackView(args.resources)
    public = {
        _normalized(cidr)
        for cidr in config_list(args.get_config(), "publicCidrs", DEFAULT_PUBLIC_CIDRS)
    }
    for load_balancer in stack.load_balancers():
        listeners = stack.listeners_of(load_balancer)
        ports = [number(lookup(listener.props, "port")) for listener in listeners]
        if any(lookup(listener.props, "port") is UNKNOWN for listener in listeners):
            continue
        listener_ports = {port for port in ports if port is not None}
        shown = ", ".join(str(port) for port in sorted(listener_ports)) or "no ports"
        for group in stack.referenced(load_balancer, SECURITY_GROUP, "securityGroups"):
            for ingress in _ingress(stack, group):
                open_to = sorted({c for c in ingress.cidrs if _normalized(c) in public})
                if open_to and not _allowed(ingress, listener_ports):
                    report_violation(
                        f"Security group {describe(group)} of load balancer "
                        f"{describe(load_balancer)} opens {ingress.ports()} to "
                        f"{', '.join(open_to)}, but the load balancer listens on {shown}.",
                        ingress.declared_on.urn,
                    )


def policy() -> StackValidationPolicy:
    return StackValidationPolicy(
        name=NAME,
        description=(
            "An application load balancer's security groups open only its listener ports to "
            "the internet."
        ),
        validate=validate,
        enforcement_level=EnforcementLevel.MANDATORY,
        severity=Severity.HIGH,
        tags=["EC2.18"],
        config_schema=PolicyConfigSchema(
            properties={
                "publicCidrs": list_setting(
                    DEFAULT_PUBLIC_CIDRS, "Source CIDRs that count as the internet."
                )
            }
        ),
        remediation_steps=(
            "Limit the load balancer security group's internet-facing ingress to TCP on its "
            "listener ports (80 and 443); reach anything else through a narrower source CIDR "
            "or a security group reference."
        ),
        url="https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-update-security-groups.html",
    )
